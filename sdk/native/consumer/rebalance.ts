/**
 * Client-side rebalance (RocketMQ's RebalanceImpl). For each subscribed
 * topic: take its readable queues and the group's member list from a broker,
 * sort both, and keep the share the allocation strategy gives this member;
 * broadcasting members take every queue. Runs at start, every 20 s, and
 * whenever a broker says the membership changed; requests that arrive while a
 * run is under way fold into one more run.
 */
import { getConsumerListByGroup } from '../broker-calls.ts';
import type { ClientInstance } from '../client-instance.ts';
import { compareQueues, queueKey, type MessageQueue } from '../message.ts';
import type { AllocateStrategy } from './allocation.ts';

export type MessageModel = 'CLUSTERING' | 'BROADCASTING';

/** What the rebalancer needs from its consumer. */
export interface RebalanceHost {
  readonly group: string;
  readonly client: ClientInstance;
  readonly messageModel: MessageModel;
  readonly allocate: AllocateStrategy;
  /** Topics to balance (subscriptions, the retry topic). */
  topics(): string[];
  /** Readable queues of a topic, from its route. */
  subscribeQueues(topic: string): MessageQueue[];
  /** Queues held now. */
  assignedQueues(): MessageQueue[];
  /** Starts consuming a queue; false when it could not (lock refused, offset unknown). */
  addQueue(queue: MessageQueue): Promise<boolean>;
  /** Stops consuming a queue and persists its offset. */
  removeQueue(queue: MessageQueue): Promise<void>;
}

export class Rebalancer {
  private readonly host: RebalanceHost;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: RebalanceHost) {
    this.host = host;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.request(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /** Runs a rebalance now, or once more after the one under way. Resolves when done. */
  request(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
    return this.running;
  }

  private retrySoon(): void {
    if (this.retryTimer !== undefined || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.request();
    }, 1000);
    this.retryTimer.unref();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      for (const topic of this.host.topics()) {
        if (this.stopped) return;
        try {
          await this.balanceTopic(topic);
        } catch (error) {
          this.host.client.log.debug('rebalance failed', { group: this.host.group, topic, error });
        }
      }
    } while (this.again && !this.stopped);
  }

  private async balanceTopic(topic: string): Promise<void> {
    const host = this.host;
    let queues = host.subscribeQueues(topic);
    if (queues.length === 0) {
      await host.client.updateRoute(topic);
      queues = host.subscribeQueues(topic);
      // A topic just created may reach the name server a moment later: look again soon, not in 20 s.
      if (queues.length === 0) this.retrySoon();
    }
    let wanted: MessageQueue[];
    if (host.messageModel === 'BROADCASTING') wanted = queues;
    else {
      const clientIds = await this.memberIds(queues);
      if (clientIds.length === 0) {
        this.retrySoon();
        return;
      }
      const sorted = [...queues].sort(compareQueues);
      wanted = host.allocate(host.group, host.client.clientId, sorted, clientIds.sort());
    }
    await this.apply(topic, wanted);
  }

  /** The group's members as one of the topic's brokers knows them. */
  private async memberIds(queues: readonly MessageQueue[]): Promise<string[]> {
    const brokerNames = [...new Set(queues.map((queue) => queue.brokerName))];
    for (const brokerName of brokerNames) {
      const address = this.host.client.brokerAddress(brokerName, false);
      if (address === undefined) continue;
      return getConsumerListByGroup(this.host.client, address, this.host.group, this.host.client.requestTimeoutMs);
    }
    return [];
  }

  private async apply(topic: string, wanted: readonly MessageQueue[]): Promise<void> {
    const wantedKeys = new Set(wanted.map(queueKey));
    const held = this.host.assignedQueues().filter((queue) => queue.topic === topic);
    const heldKeys = new Set(held.map(queueKey));
    await Promise.all(held.filter((queue) => !wantedKeys.has(queueKey(queue))).map((queue) => this.host.removeQueue(queue)));
    const added = wanted.filter((queue) => !heldKeys.has(queueKey(queue)));
    await Promise.all(added.map((queue) => this.host.addQueue(queue)));
  }
}
