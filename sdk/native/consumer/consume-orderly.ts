/**
 * Orderly consumption (RocketMQ's ConsumeMessageOrderlyService): one queue is
 * consumed by one loop at a time, strictly in offset order, and in clustering
 * mode only while this member holds the broker's lock on it (renewed every
 * 20 s; a lock not renewed for 30 s counts as lost). A failed batch is
 * consumed again after a pause, holding up the queue, until the max
 * reconsume count sends it to the DLQ.
 */
import type { MessageExt, MessageQueue } from '../message.ts';
import { sleep } from '../sleep.ts';
import type { OffsetStore } from './offset-store.ts';
import type { ProcessQueue } from './process-queue.ts';
import { restoreRetryTopic, sendMessageBack, type SendBackContext } from './send-back.ts';

export type ConsumeOrderlyStatus = 'SUCCESS' | 'SUSPEND_CURRENT_QUEUE_A_MOMENT';

export interface ConsumeOrderlyContext {
  readonly queue: MessageQueue;
  /** Pause before the failed batch is consumed again. Default 1000 ms. */
  suspendCurrentQueueTimeMillis: number;
}

/** Returning nothing means success; throwing means SUSPEND_CURRENT_QUEUE_A_MOMENT. */
export type MessageListenerOrderly = (
  messages: MessageExt[],
  context: ConsumeOrderlyContext,
) => ConsumeOrderlyStatus | void | Promise<ConsumeOrderlyStatus | void>;

/** A lock older than this is treated as lost (RocketMQ's `rocketmq.client.rebalance.lockMaxLiveTime`). */
export const lockMaxLiveMs = 30_000;

export interface OrderlyHost {
  readonly listener: MessageListenerOrderly;
  readonly clustering: boolean;
  readonly consumeThreadMax: number;
  readonly consumeMessageBatchMaxSize: number;
  readonly maxReconsumeTimes: number;
  readonly suspendCurrentQueueTimeMillis: number;
  readonly offsetStore: OffsetStore;
  readonly sendBack: SendBackContext;
  readonly signal: AbortSignal;
}

export class ConsumeOrderlyService {
  private readonly host: OrderlyHost;
  private readonly waiting: ProcessQueue[] = [];
  private active = 0;
  private stopping = false;
  private idleWaiters: Array<() => void> = [];

  constructor(host: OrderlyHost) {
    this.host = host;
  }

  /** Makes sure a loop consumes this queue (after a pull or a lock renewal). */
  kick(processQueue: ProcessQueue): void {
    if (processQueue.consumeActive || this.stopping || processQueue.dropped || this.waiting.includes(processQueue)) return;
    this.waiting.push(processQueue);
    this.pump();
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    this.waiting.length = 0;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  canConsume(processQueue: ProcessQueue): boolean {
    if (processQueue.dropped || this.stopping) return false;
    return !this.host.clustering || (processQueue.locked && !processQueue.isLockExpired(lockMaxLiveMs));
  }

  private pump(): void {
    while (!this.stopping && this.active < this.host.consumeThreadMax && this.waiting.length > 0) {
      const processQueue = this.waiting.shift()!;
      if (processQueue.consumeActive || processQueue.dropped) continue;
      processQueue.consumeActive = true;
      this.active++;
      void this.loop(processQueue).finally(() => {
        processQueue.consumeActive = false;
        this.active--;
        // Messages that arrived as the loop was ending would otherwise wait for the next pull.
        if (!processQueue.isEmpty && this.canConsume(processQueue)) this.waiting.push(processQueue);
        if (this.active === 0 && this.stopping) for (const wake of this.idleWaiters.splice(0)) wake();
        this.pump();
      });
    }
  }

  private async loop(processQueue: ProcessQueue): Promise<void> {
    const host = this.host;
    while (this.canConsume(processQueue)) {
      const messages = processQueue.take(host.consumeMessageBatchMaxSize);
      if (messages.length === 0) return;
      for (const message of messages) restoreRetryTopic(message, host.sendBack.group);
      const context: ConsumeOrderlyContext = { queue: processQueue.queue, suspendCurrentQueueTimeMillis: host.suspendCurrentQueueTimeMillis };
      let status: ConsumeOrderlyStatus;
      try {
        status = (await host.listener(messages, context)) ?? 'SUCCESS';
      } catch (error) {
        host.sendBack.client.log.debug('orderly listener failed; suspending the queue', { queue: processQueue.queue, error });
        status = 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      }
      if (processQueue.dropped) return;
      if (status === 'SUCCESS' || (await this.giveUp(messages))) {
        host.offsetStore.updateOffset(processQueue.queue, processQueue.commit(), false);
        continue;
      }
      for (const message of messages) message.reconsumeTimes++;
      processQueue.putBack();
      await sleep(context.suspendCurrentQueueTimeMillis, host.signal);
    }
  }

  /** Past the max reconsume count the batch goes to the DLQ; true when the broker took all of it. */
  private async giveUp(messages: MessageExt[]): Promise<boolean> {
    if (!messages.some((message) => message.reconsumeTimes >= this.host.maxReconsumeTimes)) return false;
    if (!this.host.clustering) return true;
    const results = await Promise.all(messages.map((message) => sendMessageBack(this.host.sendBack, message, -1)));
    return results.every(Boolean);
  }
}
