/**
 * Broker locks for orderly clustering consumers (LOCK_BATCH_MQ /
 * UNLOCK_BATCH_MQ). A queue is consumed only by the member holding its lock;
 * locks are taken when a queue is assigned, renewed for every held queue every
 * 20 s (the broker lets one lapse after 60 s) and released when a queue moves
 * away or the consumer shuts down.
 */
import { lockBatchMq, unlockBatchMq } from '../broker-calls.ts';
import type { ClientInstance } from '../client-instance.ts';
import { queueKey, type MessageQueue } from '../message.ts';
import type { ProcessQueue } from './process-queue.ts';

export class OrderlyLocks {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly client: ClientInstance,
    private readonly group: string,
    private readonly processQueues: () => ProcessQueue[],
    private readonly onLocked: (processQueue: ProcessQueue) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.renewAll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Locks one queue; false when another member holds it or the broker is unreachable. */
  async lock(queue: MessageQueue): Promise<boolean> {
    const address = this.client.brokerAddress(queue.brokerName);
    if (address === undefined) return false;
    try {
      const locked = await lockBatchMq(this.client, address, this.group, this.client.clientId, [queue], this.client.requestTimeoutMs);
      return locked.some((held) => queueKey(held) === queueKey(queue));
    } catch (error) {
      this.client.log.debug('lock failed', { queue, error });
      return false;
    }
  }

  /** Renews the locks of every held queue, broker by broker. */
  async renewAll(): Promise<void> {
    const byBroker = new Map<string, ProcessQueue[]>();
    for (const processQueue of this.processQueues()) {
      const list = byBroker.get(processQueue.queue.brokerName) ?? [];
      list.push(processQueue);
      byBroker.set(processQueue.queue.brokerName, list);
    }
    await Promise.all(
      [...byBroker].map(async ([brokerName, processQueues]) => {
        const address = this.client.brokerAddress(brokerName);
        if (address === undefined) return;
        try {
          const held = new Set(
            (await lockBatchMq(this.client, address, this.group, this.client.clientId, processQueues.map((processQueue) => processQueue.queue), this.client.requestTimeoutMs)).map(queueKey),
          );
          const now = Date.now();
          for (const processQueue of processQueues) {
            processQueue.locked = held.has(queueKey(processQueue.queue));
            if (!processQueue.locked) continue;
            processQueue.lastLockTimestamp = now;
            this.onLocked(processQueue);
          }
        } catch (error) {
          this.client.log.debug('lock renewal failed', { brokerName, error });
        }
      }),
    );
  }

  async unlockAll(queues: readonly MessageQueue[]): Promise<void> {
    const byBroker = new Map<string, MessageQueue[]>();
    for (const queue of queues) byBroker.set(queue.brokerName, [...(byBroker.get(queue.brokerName) ?? []), queue]);
    await Promise.all(
      [...byBroker].map(async ([brokerName, list]) => {
        const address = this.client.brokerAddress(brokerName);
        if (address === undefined) return;
        await unlockBatchMq(this.client, address, this.group, this.client.clientId, list, this.client.requestTimeoutMs).catch((error: unknown) => {
          this.client.log.debug('unlock failed', { brokerName, error });
        });
      }),
    );
  }
}
