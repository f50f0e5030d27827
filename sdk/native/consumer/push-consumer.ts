/**
 * The push consumer (RocketMQ's DefaultMQPushConsumer): subscriptions by tag
 * expression or SQL92, clustering (queues shared by the group, offsets on the
 * broker) or broadcasting (every member reads everything, offsets in a local
 * file), one long-polling pull loop per queue, concurrent or orderly
 * listeners, failed messages back to the broker for retry, offsets committed
 * every 5 s and at shutdown, rebalance every 20 s and when the group changes.
 *
 * @example
 * const consumer = new PushConsumer({ namesrvAddr: '127.0.0.1:9876', group: 'CG_orders' });
 * consumer.subscribe('orders', 'created || paid');
 * consumer.onMessage(async (messages) => {
 *   for (const message of messages) await handle(message.text);
 * });
 * await consumer.start();
 * // ...
 * await consumer.shutdown();
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MixAllGroups, RETRY_GROUP_TOPIC_PREFIX } from '../../protocol/topic-names.ts';
import { ClientInstance } from '../client-instance.ts';
import type { ClientOptions } from '../client-config.ts';
import { ClientError } from '../errors.ts';
import { queueKey, type MessageExt, type MessageQueue } from '../message.ts';
import { Producer } from '../producer/producer.ts';
import { subscribeQueues, type TopicRouteData } from '../route.ts';
import { sleep } from '../sleep.ts';
import { allocateAveragely, allocateConsistentHash, type AllocateStrategy } from './allocation.ts';
import { ConsumeConcurrentlyService, type MessageListenerConcurrently } from './consume-concurrently.ts';
import { ConsumeOrderlyService, type MessageListenerOrderly } from './consume-orderly.ts';
import { LocalFileOffsetStore, RemoteOffsetStore, type OffsetStore } from './offset-store.ts';
import { OrderlyLocks } from './orderly-locks.ts';
import { ProcessQueue } from './process-queue.ts';
import { runPullLoop, type PullHost, type PullSettings } from './pull-loop.ts';
import { Rebalancer, type MessageModel } from './rebalance.ts';
import { computeStartOffset, type ConsumeFromWhere } from './start-offset.ts';
import { buildSubscription, subscriptionJson, type MessageSelector, type SubscriptionData } from './subscription.ts';

export interface PushConsumerOptions extends ClientOptions {
  /** Consumer group. */
  group: string;
  /** Default CLUSTERING. */
  messageModel?: MessageModel;
  /** Where a group with no stored offset starts. Default CONSUME_FROM_LAST_OFFSET. */
  consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP, epoch ms. Default: 30 minutes ago. */
  consumeTimestamp?: number;
  /** `AVG` (default), `CONSISTENT_HASH`, or a custom strategy. */
  allocateStrategy?: 'AVG' | 'CONSISTENT_HASH' | AllocateStrategy;
  /** Listener calls in flight at once. Default 20. */
  consumeThreadMax?: number;
  /** Messages per listener call. Default 1. */
  consumeMessageBatchMaxSize?: number;
  /** Messages per pull. Default 32. */
  pullBatchSize?: number;
  /** Deliveries before a message goes to the DLQ. Default 16 (concurrent), unlimited (orderly). */
  maxReconsumeTimes?: number;
  /** Cached messages per queue past which pulling pauses. Default 1000. */
  pullThresholdForQueue?: number;
  /** Cached MiB per queue past which pulling pauses. Default 100. */
  pullThresholdSizeForQueueMiB?: number;
  /** Long-poll hold asked of the broker. Default 15000 ms. */
  suspendTimeoutMs?: number;
  /** Offset commit period. Default 5000 ms. */
  persistConsumerOffsetIntervalMs?: number;
  /** Periodic rebalance. Default 20000 ms. */
  rebalanceIntervalMs?: number;
  /** Orderly: lock renewal period. Default 20000 ms. */
  lockRenewIntervalMs?: number;
  /** Orderly: pause after a failed batch. Default 1000 ms. */
  suspendCurrentQueueTimeMillis?: number;
  /** Wait after a failed pull. Default 1000 ms. */
  pullDelayOnErrorMs?: number;
  /** Send the subscription with every pull instead of relying on heartbeats. Default false. */
  postSubscriptionWhenPull?: boolean;
  /** Broadcasting: folder of the local offset files. Default ~/.apogee_offsets. */
  offsetStoreDir?: string;
  /** Share a client instance with other client objects. */
  client?: ClientInstance;
}

type Listener = { kind: 'concurrently'; listener: MessageListenerConcurrently } | { kind: 'orderly'; listener: MessageListenerOrderly };

export class PushConsumer {
  readonly group: string;
  readonly client: ClientInstance;
  readonly messageModel: MessageModel;
  readonly allocate: AllocateStrategy;
  private readonly options: PushConsumerOptions;
  private readonly ownsClient: boolean;
  private readonly subscriptions = new Map<string, SubscriptionData>();
  private readonly topicQueues = new Map<string, MessageQueue[]>();
  private readonly processQueues = new Map<string, ProcessQueue>();
  private readonly abort = new AbortController();
  private readonly rebalancer: Rebalancer;
  private listener: Listener | undefined;
  private offsetStore!: OffsetStore;
  private concurrently: ConsumeConcurrentlyService | undefined;
  private orderly: ConsumeOrderlyService | undefined;
  private locks: OrderlyLocks | undefined;
  private innerProducer: Promise<Producer> | undefined;
  private persistTimer: ReturnType<typeof setInterval> | undefined;
  private heartbeatPending = false;
  private state: 'created' | 'running' | 'closed' = 'created';

  constructor(options: PushConsumerOptions) {
    if (!options.group) throw new ClientError('INVALID_ARGUMENT', 'consumer group is required');
    this.options = options;
    this.group = options.group;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new ClientInstance(options);
    this.messageModel = options.messageModel ?? 'CLUSTERING';
    const strategy = options.allocateStrategy ?? 'AVG';
    this.allocate = strategy === 'AVG' ? allocateAveragely : strategy === 'CONSISTENT_HASH' ? allocateConsistentHash() : strategy;
    this.rebalancer = new Rebalancer({
      group: this.group,
      client: this.client,
      messageModel: this.messageModel,
      allocate: this.allocate,
      topics: () => [...this.subscriptions.keys()],
      subscribeQueues: (topic) => this.topicQueues.get(topic) ?? [],
      assignedQueues: () => [...this.processQueues.values()].map((processQueue) => processQueue.queue),
      addQueue: (queue) => this.addQueue(queue),
      removeQueue: (queue) => this.removeQueue(queue),
    });
  }

  /** Subscribes a topic: `*` for every message, `TagA || TagB` for tags, or `{ type: 'SQL92', expression }`. */
  subscribe(topic: string, selector: MessageSelector = '*'): this {
    this.subscriptions.set(topic, buildSubscription(topic, selector));
    if (this.state === 'running') void this.afterSubscriptionChange(topic);
    return this;
  }

  unsubscribe(topic: string): this {
    this.subscriptions.delete(topic);
    if (this.state === 'running') void this.client.sendHeartbeatToAllBrokers().catch(() => undefined).then(() => this.rebalancer.request());
    return this;
  }

  /** Sets a listener that consumes messages concurrently. */
  onMessage(listener: MessageListenerConcurrently): this {
    this.setListener({ kind: 'concurrently', listener });
    return this;
  }

  /** Sets a listener that consumes each queue strictly in order. */
  onMessageOrderly(listener: MessageListenerOrderly): this {
    this.setListener({ kind: 'orderly', listener });
    return this;
  }

  /** Queues this member consumes now. */
  assignedQueues(): MessageQueue[] {
    return [...this.processQueues.values()].map((processQueue) => processQueue.queue);
  }

  /** Offsets this member would commit now, by queue key. */
  currentOffsets(): Map<string, number> {
    const result = new Map<string, number>();
    for (const [key, processQueue] of this.processQueues) {
      const offset = this.offsetStore.readOffset(processQueue.queue);
      if (offset !== undefined) result.set(key, offset);
    }
    return result;
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new ClientError('INVALID_ARGUMENT', `consumer ${this.group} was already started`);
    if (!this.listener) throw new ClientError('INVALID_ARGUMENT', 'set a listener with onMessage or onMessageOrderly before start');
    if (this.subscriptions.size === 0) throw new ClientError('INVALID_ARGUMENT', 'subscribe to at least one topic before start');
    const clustering = this.messageModel === 'CLUSTERING';
    if (clustering) this.subscriptions.set(RETRY_GROUP_TOPIC_PREFIX + this.group, buildSubscription(RETRY_GROUP_TOPIC_PREFIX + this.group, '*'));
    this.offsetStore = clustering
      ? new RemoteOffsetStore(this.client, this.group)
      : new LocalFileOffsetStore(join(this.options.offsetStoreDir ?? join(homedir(), '.apogee_offsets'), this.client.clientId.replace(/[^\w.@#-]/g, '_'), this.group, 'offsets.json'));
    await this.offsetStore.load();
    this.createConsumeService(clustering);
    this.client.registerConsumer({
      group: this.group,
      topics: () => this.subscriptions.keys(),
      consumerData: () => this.consumerData(),
      onRouteChanged: (topic, route) => this.onRouteChanged(topic, route),
      requestRebalance: () => void this.rebalancer.request(),
      resetOffset: (topic, offsets) => this.resetOffset(topic, offsets),
    });
    this.client.start();
    this.state = 'running';
    for (const topic of this.subscriptions.keys()) {
      await this.client.updateRoute(topic).catch((error: unknown) => this.client.log.warn('no route yet', { topic, error }));
    }
    await this.client.sendHeartbeatToAllBrokers().catch((error: unknown) => this.client.log.warn('first heartbeat failed', { error }));
    this.persistTimer = setInterval(() => void this.persistOffsets(), this.options.persistConsumerOffsetIntervalMs ?? 5000);
    this.persistTimer.unref();
    this.rebalancer.start(this.options.rebalanceIntervalMs ?? 20_000);
    this.locks?.start(this.options.lockRenewIntervalMs ?? 20_000);
    await this.rebalancer.request();
  }

  /**
   * Stops pulling, waits for the listener calls under way, commits offsets,
   * releases orderly locks and leaves the group.
   */
  async shutdown(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'closed';
    this.rebalancer.stop();
    this.locks?.stop();
    if (this.persistTimer) clearInterval(this.persistTimer);
    this.abort.abort();
    await this.concurrently?.shutdown();
    await this.orderly?.shutdown();
    await this.persistOffsets();
    if (this.locks) await this.locks.unlockAll([...this.processQueues.values()].map((processQueue) => processQueue.queue));
    for (const processQueue of this.processQueues.values()) processQueue.dropped = true;
    this.processQueues.clear();
    await this.client.unregister('consumer', this.group);
    if (this.innerProducer) await (await this.innerProducer).shutdown();
    if (this.ownsClient) await this.client.close();
  }

  private setListener(listener: Listener): void {
    if (this.state !== 'created') throw new ClientError('INVALID_ARGUMENT', 'the listener is set before start');
    this.listener = listener;
  }

  private createConsumeService(clustering: boolean): void {
    const listener = this.listener!;
    const options = this.options;
    const sendBack = {
      client: this.client,
      group: this.group,
      maxReconsumeTimes: options.maxReconsumeTimes ?? (listener.kind === 'orderly' ? 0x7fffffff : 16),
      innerProducer: () => this.getInnerProducer(),
    };
    const common = {
      clustering,
      consumeThreadMax: options.consumeThreadMax ?? 20,
      consumeMessageBatchMaxSize: options.consumeMessageBatchMaxSize ?? 1,
      offsetStore: this.offsetStore,
      sendBack,
    };
    if (listener.kind === 'concurrently') {
      this.concurrently = new ConsumeConcurrentlyService({ ...common, listener: listener.listener, localRetryDelayMs: 5000 });
      return;
    }
    this.orderly = new ConsumeOrderlyService({
      ...common,
      listener: listener.listener,
      maxReconsumeTimes: sendBack.maxReconsumeTimes,
      suspendCurrentQueueTimeMillis: options.suspendCurrentQueueTimeMillis ?? 1000,
      signal: this.abort.signal,
    });
    if (clustering) {
      this.locks = new OrderlyLocks(this.client, this.group, () => [...this.processQueues.values()], (processQueue) => this.orderly!.kick(processQueue));
    }
  }

  private getInnerProducer(): Promise<Producer> {
    this.innerProducer ??= (async () => {
      const producer = new Producer({ ...this.options, group: MixAllGroups.CLIENT_INNER_PRODUCER_GROUP, client: this.client, internal: true });
      await producer.start();
      return producer;
    })();
    return this.innerProducer;
  }

  private consumerData(): Record<string, unknown> {
    return {
      consumeFromWhere: this.options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
      consumeType: 'CONSUME_PASSIVELY',
      groupName: this.group,
      messageModel: this.messageModel,
      subscriptionDataSet: [...this.subscriptions.values()].map(subscriptionJson),
      unitMode: false,
    };
  }

  private onRouteChanged(topic: string, route: TopicRouteData): void {
    if (!this.subscriptions.has(topic)) return;
    this.topicQueues.set(topic, subscribeQueues(topic, route));
  }

  private async afterSubscriptionChange(topic: string): Promise<void> {
    await this.client.updateRoute(topic).catch(() => undefined);
    await this.client.sendHeartbeatToAllBrokers().catch(() => undefined);
    await this.rebalancer.request();
  }

  private async addQueue(queue: MessageQueue): Promise<boolean> {
    if (this.state !== 'running') return false;
    if (this.locks && !(await this.locks.lock(queue))) {
      this.retryRebalanceSoon();
      return false;
    }
    let offset: number;
    try {
      offset = await computeStartOffset(
        this.client,
        this.offsetStore,
        queue,
        this.options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
        this.options.consumeTimestamp ?? Date.now() - 30 * 60_000,
      );
    } catch (error) {
      this.client.log.debug('start offset unknown; retrying at the next rebalance', { queue, error });
      this.retryRebalanceSoon();
      return false;
    }
    if (this.state !== 'running') return false;
    const processQueue = new ProcessQueue(queue, offset);
    if (this.locks) {
      processQueue.locked = true;
      processQueue.lastLockTimestamp = Date.now();
    }
    this.offsetStore.updateOffset(queue, offset, false);
    this.processQueues.set(queueKey(queue), processQueue);
    this.startPullLoop(processQueue);
    return true;
  }

  private startPullLoop(processQueue: ProcessQueue): void {
    void runPullLoop(this.pullHost, processQueue).catch((error: unknown) => this.client.log.error('pull loop ended', { queue: processQueue.queue, error }));
  }

  private async removeQueue(queue: MessageQueue): Promise<void> {
    const key = queueKey(queue);
    const processQueue = this.processQueues.get(key);
    if (!processQueue) return;
    processQueue.dropped = true;
    this.processQueues.delete(key);
    // An orderly batch under way finishes before the lock goes, so no one else consumes it at the same time.
    for (let waited = 0; processQueue.consumeActive && waited < 3000; waited += 20) await sleep(20);
    await this.offsetStore.persist(queue).catch((error: unknown) => this.client.log.debug('offset commit failed', { queue, error }));
    this.offsetStore.removeOffset(queue);
    if (this.locks) await this.locks.unlockAll([queue]);
  }

  /**
   * Follows offsets an admin reset on the broker: each queue of the topic
   * that this member consumes restarts from its new offset. The old process
   * queue is dropped, so what it has cached or is consuming commits nothing
   * and cannot overwrite the reset; an orderly batch under way finishes first.
   */
  private async resetOffset(topic: string, offsets: ReadonlyArray<readonly [MessageQueue, number]>): Promise<void> {
    for (const [queue, offset] of offsets) {
      if (queue.topic !== topic || this.state !== 'running') continue;
      const key = queueKey(queue);
      const current = this.processQueues.get(key);
      if (!current) continue;
      current.dropped = true;
      for (let waited = 0; current.consumeActive && waited < 3000; waited += 20) await sleep(20);
      if (this.processQueues.get(key) !== current || this.state !== 'running') continue;
      const replacement = new ProcessQueue(current.queue, offset);
      replacement.locked = current.locked;
      replacement.lastLockTimestamp = current.lastLockTimestamp;
      this.offsetStore.updateOffset(current.queue, offset, false);
      // The broker holds the reset offset already; writing it back records it as
      // persisted, so the next commit is not skipped as unchanged.
      await this.offsetStore.persist(current.queue).catch((error: unknown) => this.client.log.debug('offset commit failed', { queue, error }));
      if (this.processQueues.get(key) !== current || this.state !== 'running') continue;
      this.processQueues.set(key, replacement);
      this.startPullLoop(replacement);
    }
  }

  private retryRebalanceSoon(): void {
    setTimeout(() => void this.rebalancer.request(), 1000).unref();
  }

  private async persistOffsets(): Promise<void> {
    await this.offsetStore.persistAll([...this.processQueues.values()].map((processQueue) => processQueue.queue));
  }

  private get pullHost(): PullHost {
    const options = this.options;
    const settings: PullSettings = {
      pullBatchSize: options.pullBatchSize ?? 32,
      suspendTimeoutMs: options.suspendTimeoutMs ?? 15_000,
      pullThresholdForQueue: options.pullThresholdForQueue ?? 1000,
      pullThresholdSizeForQueueBytes: (options.pullThresholdSizeForQueueMiB ?? 100) * 1024 * 1024,
      pullDelayOnErrorMs: options.pullDelayOnErrorMs ?? 1000,
      pullDelayOnFlowControlMs: 50,
      postSubscriptionWhenPull: options.postSubscriptionWhenPull ?? false,
    };
    return {
      client: this.client,
      group: this.group,
      clustering: this.messageModel === 'CLUSTERING',
      offsetStore: this.offsetStore,
      settings,
      signal: this.abort.signal,
      lite: false,
      subscription: (topic) => this.subscriptions.get(topic),
      holdPull: (processQueue) => (this.orderly && !this.orderly.canConsume(processQueue) ? 1000 : 0),
      deliver: (processQueue, messages) => this.deliver(processQueue, messages),
      onSubscriptionMissing: () => this.heartbeatSoon(),
    };
  }

  private deliver(processQueue: ProcessQueue, messages: MessageExt[]): void {
    processQueue.put(messages);
    if (this.concurrently) this.concurrently.submit(processQueue, messages);
    else this.orderly!.kick(processQueue);
  }

  private heartbeatSoon(): void {
    if (this.heartbeatPending) return;
    this.heartbeatPending = true;
    void this.client.sendHeartbeatToAllBrokers().catch(() => undefined).finally(() => (this.heartbeatPending = false));
  }
}
