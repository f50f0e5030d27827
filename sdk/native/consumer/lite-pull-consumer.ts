/**
 * The lite pull consumer (RocketMQ's DefaultLitePullConsumer): the
 * application asks for messages with `poll()` or `for await`, instead of
 * registering a listener. Queues come from a subscription (shared by the
 * group through rebalance) or are assigned by hand. Background pull loops
 * keep a bounded buffer filled; `seek` moves a queue, `commit` stores the
 * offsets of what was polled (every 5 s by default, and at shutdown).
 *
 * @example
 * const consumer = new LitePullConsumer({ namesrvAddr, group: 'CG_reports' });
 * consumer.subscribe('orders');
 * await consumer.start();
 * for await (const message of consumer) console.log(message.text);
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { getMaxOffset, getMinOffset } from '../broker-calls.ts';
import { ClientInstance } from '../client-instance.ts';
import type { ClientOptions } from '../client-config.ts';
import { ClientError } from '../errors.ts';
import { queueKey, type MessageExt, type MessageQueue } from '../message.ts';
import { subscribeQueues } from '../route.ts';
import { allocateAveragely, type AllocateStrategy } from './allocation.ts';
import { LocalFileOffsetStore, RemoteOffsetStore, type OffsetStore } from './offset-store.ts';
import { ProcessQueue } from './process-queue.ts';
import { runPullLoop, type PullHost } from './pull-loop.ts';
import { Rebalancer, type MessageModel } from './rebalance.ts';
import { computeStartOffset, type ConsumeFromWhere } from './start-offset.ts';
import { buildSubscription, subscriptionJson, type MessageSelector, type SubscriptionData } from './subscription.ts';

export interface LitePullConsumerOptions extends ClientOptions {
  group: string;
  messageModel?: MessageModel;
  consumeFromWhere?: ConsumeFromWhere;
  consumeTimestamp?: number;
  allocateStrategy?: AllocateStrategy;
  /** Commit polled offsets every `autoCommitIntervalMs`. Default true. */
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  /** Most messages one poll returns. Default 10. */
  pullBatchSize?: number;
  /** How long poll() waits for messages. Default 5000 ms. */
  pollTimeoutMs?: number;
  /** Buffered messages (all queues) past which pulling pauses. Default 10000. */
  pullThresholdForAll?: number;
  pullDelayOnErrorMs?: number;
  offsetStoreDir?: string;
  client?: ClientInstance;
}

export class LitePullConsumer implements AsyncIterable<MessageExt> {
  readonly group: string;
  readonly client: ClientInstance;
  private readonly options: LitePullConsumerOptions;
  private readonly ownsClient: boolean;
  private readonly subscriptions = new Map<string, SubscriptionData>();
  private readonly topicQueues = new Map<string, MessageQueue[]>();
  private readonly processQueues = new Map<string, ProcessQueue>();
  /** Offsets of what poll() handed out: the next offset to consume, by queue key. */
  private readonly consumed = new Map<string, { queue: MessageQueue; offset: number }>();
  private readonly buffer: MessageExt[] = [];
  private readonly pollWaiters: Array<() => void> = [];
  private readonly abort = new AbortController();
  private assigned: MessageQueue[] | undefined;
  private offsetStore!: OffsetStore;
  private rebalancer: Rebalancer | undefined;
  private commitTimer: ReturnType<typeof setInterval> | undefined;
  private state: 'created' | 'running' | 'closed' = 'created';

  constructor(options: LitePullConsumerOptions) {
    if (!options.group) throw new ClientError('INVALID_ARGUMENT', 'consumer group is required');
    this.options = options;
    this.group = options.group;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new ClientInstance(options);
  }

  subscribe(topic: string, selector: MessageSelector = '*'): this {
    if (this.assigned) throw new ClientError('INVALID_ARGUMENT', 'subscribe and assign cannot be mixed');
    this.subscriptions.set(topic, buildSubscription(topic, selector));
    return this;
  }

  /** Consumes exactly these queues, without rebalance. */
  assign(queues: readonly MessageQueue[]): this {
    if (this.subscriptions.size > 0 && !this.assigned) throw new ClientError('INVALID_ARGUMENT', 'subscribe and assign cannot be mixed');
    this.assigned = [...queues];
    for (const queue of queues) if (!this.subscriptions.has(queue.topic)) this.subscriptions.set(queue.topic, buildSubscription(queue.topic, '*'));
    if (this.state === 'running') void this.syncAssigned();
    return this;
  }

  /** The readable queues of a topic. */
  async fetchMessageQueues(topic: string): Promise<MessageQueue[]> {
    const route = await this.client.updateRoute(topic);
    if (!route) throw new ClientError('ROUTE_NOT_FOUND', `no route for topic ${topic}`, { retriable: true });
    return subscribeQueues(topic, route);
  }

  assignedQueues(): MessageQueue[] {
    return [...this.processQueues.values()].map((processQueue) => processQueue.queue);
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new ClientError('INVALID_ARGUMENT', `consumer ${this.group} was already started`);
    const clustering = (this.options.messageModel ?? 'CLUSTERING') === 'CLUSTERING';
    this.offsetStore = clustering
      ? new RemoteOffsetStore(this.client, this.group)
      : new LocalFileOffsetStore(join(this.options.offsetStoreDir ?? join(homedir(), '.apogee_offsets'), this.client.clientId.replace(/[^\w.@#-]/g, '_'), this.group, 'offsets.json'));
    await this.offsetStore.load();
    this.client.registerConsumer({
      group: this.group,
      topics: () => this.subscriptions.keys(),
      consumerData: () => ({
        consumeFromWhere: this.options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
        consumeType: 'CONSUME_ACTIVELY',
        groupName: this.group,
        messageModel: this.options.messageModel ?? 'CLUSTERING',
        subscriptionDataSet: this.assigned ? [] : [...this.subscriptions.values()].map(subscriptionJson),
        unitMode: false,
      }),
      onRouteChanged: (topic, route) => {
        if (this.subscriptions.has(topic)) this.topicQueues.set(topic, subscribeQueues(topic, route));
      },
      requestRebalance: () => void this.rebalancer?.request(),
      resetOffset: async (topic, offsets) => {
        for (const [queue, offset] of offsets) if (queue.topic === topic && this.processQueues.has(queueKey(queue))) this.seek(queue, offset);
      },
    });
    this.client.start();
    this.state = 'running';
    for (const topic of this.subscriptions.keys()) await this.client.updateRoute(topic).catch(() => undefined);
    await this.client.sendHeartbeatToAllBrokers().catch(() => undefined);
    if (this.options.autoCommit !== false) {
      this.commitTimer = setInterval(() => void this.commit().catch(() => undefined), this.options.autoCommitIntervalMs ?? 5000);
      this.commitTimer.unref();
    }
    if (this.assigned) {
      await this.syncAssigned();
      return;
    }
    this.rebalancer = new Rebalancer({
      group: this.group,
      client: this.client,
      messageModel: this.options.messageModel ?? 'CLUSTERING',
      allocate: this.options.allocateStrategy ?? allocateAveragely,
      topics: () => [...this.subscriptions.keys()],
      subscribeQueues: (topic) => this.topicQueues.get(topic) ?? [],
      assignedQueues: () => this.assignedQueues(),
      addQueue: (queue) => this.addQueue(queue),
      removeQueue: (queue) => this.removeQueue(queue),
    });
    this.rebalancer.start(20_000);
    await this.rebalancer.request();
  }

  /** Resolves with up to `pullBatchSize` messages, or none after `timeoutMs`. */
  async poll(timeoutMs = this.options.pollTimeoutMs ?? 5000, signal?: AbortSignal): Promise<MessageExt[]> {
    this.assertRunning();
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length === 0 && this.state === 'running' && !signal?.aborted) {
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left);
        const onAbort = () => wake();
        function wake() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        this.pollWaiters.push(wake);
      });
    }
    const messages = this.buffer.splice(0, this.options.pullBatchSize ?? 10);
    for (const message of messages) {
      const key = queueKey(message.queue);
      const processQueue = this.processQueues.get(key);
      if (!processQueue) continue;
      processQueue.remove([message]);
      const previous = this.consumed.get(key);
      if (!previous || message.queueOffset + 1 > previous.offset) this.consumed.set(key, { queue: processQueue.queue, offset: message.queueOffset + 1 });
    }
    return messages;
  }

  /** Polls until shutdown, one message at a time. */
  async *[Symbol.asyncIterator](): AsyncIterator<MessageExt> {
    while (this.state === 'running') {
      for (const message of await this.poll()) yield message;
    }
  }

  /** Consumes a queue from `offset` on: buffered messages of the queue are dropped. */
  seek(queue: MessageQueue, offset: number): void {
    const key = queueKey(queue);
    const current = this.processQueues.get(key);
    if (!current) throw new ClientError('INVALID_ARGUMENT', `queue ${key} is not assigned to this consumer`);
    // The pull under way may be held by the broker for suspendTimeoutMs when
    // the old offset had nothing new. Rather than wait for it, leave it to a
    // dropped queue, which ignores its answer, and pull from `offset` at once.
    current.dropped = true;
    const replacement = new ProcessQueue(current.queue, offset);
    this.processQueues.set(key, replacement);
    for (let i = this.buffer.length - 1; i >= 0; i--) if (queueKey(this.buffer[i]!.queue) === key) this.buffer.splice(i, 1);
    this.consumed.set(key, { queue: current.queue, offset });
    this.startPullLoop(replacement);
  }

  async seekToBegin(queue: MessageQueue): Promise<void> {
    this.seek(queue, await getMinOffset(this.client, this.addressOf(queue), queue, this.client.requestTimeoutMs));
  }

  async seekToEnd(queue: MessageQueue): Promise<void> {
    this.seek(queue, await getMaxOffset(this.client, this.addressOf(queue), queue, this.client.requestTimeoutMs));
  }

  /** Stores the offsets of everything polled so far. */
  async commit(): Promise<void> {
    const queues: MessageQueue[] = [];
    for (const { queue, offset } of this.consumed.values()) {
      this.offsetStore.updateOffset(queue, offset, false);
      queues.push(queue);
    }
    await this.offsetStore.persistAll(queues);
  }

  /** The group's stored offset of a queue. */
  async committed(queue: MessageQueue): Promise<number | undefined> {
    return this.offsetStore.fetchOffset(queue);
  }

  async shutdown(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'closed';
    this.rebalancer?.stop();
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.abort.abort();
    for (const wake of this.pollWaiters.splice(0)) wake();
    if (this.options.autoCommit !== false) await this.commit().catch(() => undefined);
    for (const processQueue of this.processQueues.values()) processQueue.dropped = true;
    await this.client.unregister('consumer', this.group);
    if (this.ownsClient) await this.client.close();
  }

  private async syncAssigned(): Promise<void> {
    const wanted = new Set(this.assigned!.map(queueKey));
    for (const processQueue of [...this.processQueues.values()]) if (!wanted.has(queueKey(processQueue.queue))) await this.removeQueue(processQueue.queue);
    for (const queue of this.assigned!) if (!this.processQueues.has(queueKey(queue))) await this.addQueue(queue);
  }

  private async addQueue(queue: MessageQueue): Promise<boolean> {
    let offset: number;
    try {
      offset = await computeStartOffset(this.client, this.offsetStore, queue, this.options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET', this.options.consumeTimestamp ?? Date.now() - 30 * 60_000);
    } catch (error) {
      this.client.log.debug('start offset unknown', { queue, error });
      return false;
    }
    const processQueue = new ProcessQueue(queue, offset);
    this.processQueues.set(queueKey(queue), processQueue);
    this.startPullLoop(processQueue);
    return true;
  }

  private startPullLoop(processQueue: ProcessQueue): void {
    void runPullLoop(this.pullHost(), processQueue).catch((error: unknown) => this.client.log.error('pull loop ended', { queue: processQueue.queue, error }));
  }

  private async removeQueue(queue: MessageQueue): Promise<void> {
    const key = queueKey(queue);
    const processQueue = this.processQueues.get(key);
    if (!processQueue) return;
    processQueue.dropped = true;
    this.processQueues.delete(key);
    for (let i = this.buffer.length - 1; i >= 0; i--) if (queueKey(this.buffer[i]!.queue) === key) this.buffer.splice(i, 1);
    const consumed = this.consumed.get(key);
    if (consumed) this.offsetStore.updateOffset(queue, consumed.offset, false);
    await this.offsetStore.persist(queue).catch(() => undefined);
    this.consumed.delete(key);
    this.offsetStore.removeOffset(queue);
  }

  private pullHost(): PullHost {
    return {
      client: this.client,
      group: this.group,
      clustering: (this.options.messageModel ?? 'CLUSTERING') === 'CLUSTERING',
      offsetStore: this.offsetStore,
      settings: {
        pullBatchSize: 32,
        suspendTimeoutMs: 15_000,
        pullThresholdForQueue: 1000,
        pullThresholdSizeForQueueBytes: 100 * 1024 * 1024,
        pullDelayOnErrorMs: this.options.pullDelayOnErrorMs ?? 1000,
        pullDelayOnFlowControlMs: 50,
        postSubscriptionWhenPull: true,
      },
      signal: this.abort.signal,
      lite: true,
      subscription: (topic) => this.subscriptions.get(topic),
      holdPull: () => (this.buffer.length > (this.options.pullThresholdForAll ?? 10_000) ? 50 : 0),
      deliver: (processQueue, messages) => {
        processQueue.put(messages);
        for (const message of messages) this.buffer.push(message);
        for (const wake of this.pollWaiters.splice(0)) wake();
      },
      onSubscriptionMissing: () => void this.client.sendHeartbeatToAllBrokers().catch(() => undefined),
    };
  }

  private addressOf(queue: MessageQueue): string {
    const address = this.client.brokerAddress(queue.brokerName);
    if (address === undefined) throw new ClientError('BROKER_NOT_FOUND', `no address for broker ${queue.brokerName}`, { retriable: true });
    return address;
  }

  private assertRunning(): void {
    if (this.state !== 'running') throw new ClientError(this.state === 'created' ? 'NOT_STARTED' : 'SHUTDOWN', `consumer ${this.group} is not running`);
  }
}
