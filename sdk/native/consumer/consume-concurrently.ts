/**
 * Concurrent consumption (RocketMQ's ConsumeMessageConcurrentlyService):
 * pulled messages are cut into batches of `consumeMessageBatchMaxSize` and
 * handed to the listener, at most `consumeThreadMax` batches at a time.
 * A failed batch goes back to the broker for a delayed retry (clustering) or
 * is dropped (broadcasting). The committed offset is the lowest offset still
 * cached, so a batch that finishes early never skips a slower one.
 */
import type { MessageExt, MessageQueue } from '../message.ts';
import type { OffsetStore } from './offset-store.ts';
import type { ProcessQueue } from './process-queue.ts';
import { restoreRetryTopic, sendMessageBack, type SendBackContext } from './send-back.ts';

export type ConsumeConcurrentlyStatus = 'CONSUME_SUCCESS' | 'RECONSUME_LATER';

export interface ConsumeConcurrentlyContext {
  readonly queue: MessageQueue;
  /** 0: the broker picks (3 + reconsume count); below 0: straight to the DLQ; above 0: this level. */
  delayLevelWhenNextConsume: number;
}

/** Returning nothing means success; throwing means RECONSUME_LATER. */
export type MessageListenerConcurrently = (
  messages: MessageExt[],
  context: ConsumeConcurrentlyContext,
) => ConsumeConcurrentlyStatus | void | Promise<ConsumeConcurrentlyStatus | void>;

export interface ConcurrentlyHost {
  readonly listener: MessageListenerConcurrently;
  readonly clustering: boolean;
  readonly consumeThreadMax: number;
  readonly consumeMessageBatchMaxSize: number;
  readonly offsetStore: OffsetStore;
  readonly sendBack: SendBackContext;
  /** Delay before consuming again locally what could not be sent back (RocketMQ: 5 s). */
  readonly localRetryDelayMs: number;
}

interface Task {
  processQueue: ProcessQueue;
  messages: MessageExt[];
}

export class ConsumeConcurrentlyService {
  private readonly host: ConcurrentlyHost;
  private readonly waiting: Task[] = [];
  private active = 0;
  private stopping = false;
  private idleWaiters: Array<() => void> = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(host: ConcurrentlyHost) {
    this.host = host;
  }

  submit(processQueue: ProcessQueue, messages: MessageExt[]): void {
    const size = Math.max(1, this.host.consumeMessageBatchMaxSize);
    if (messages.length <= size) this.waiting.push({ processQueue, messages });
    else for (let i = 0; i < messages.length; i += size) this.waiting.push({ processQueue, messages: messages.slice(i, i + size) });
    this.pump();
  }

  /** Stops starting batches and resolves once the running ones finished. Cached, unstarted messages stay uncommitted. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.waiting.length = 0;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  get inFlight(): number {
    return this.active;
  }

  private pump(): void {
    while (!this.stopping && this.active < this.host.consumeThreadMax && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      if (task.processQueue.dropped) continue;
      this.active++;
      void this.run(task).finally(() => this.finished());
    }
  }

  private finished(): void {
    this.active--;
    if (this.active === 0 && this.stopping) for (const wake of this.idleWaiters.splice(0)) wake();
    this.pump();
  }

  private async run(task: Task): Promise<void> {
    const { processQueue, messages } = task;
    const host = this.host;
    for (const message of messages) restoreRetryTopic(message, host.sendBack.group);
    const context: ConsumeConcurrentlyContext = { queue: processQueue.queue, delayLevelWhenNextConsume: 0 };
    let status: ConsumeConcurrentlyStatus;
    try {
      status = (await host.listener(messages, context)) ?? 'CONSUME_SUCCESS';
    } catch (error) {
      host.sendBack.client.log.debug('listener failed; reconsume later', { queue: processQueue.queue, error });
      status = 'RECONSUME_LATER';
    }
    // The queue moved to another member meanwhile: it consumes from the committed offset, so commit nothing.
    if (processQueue.dropped) return;
    let again: MessageExt[] = [];
    if (status === 'RECONSUME_LATER' && host.clustering) {
      const results = await Promise.all(messages.map((message) => sendMessageBack(host.sendBack, message, context.delayLevelWhenNextConsume)));
      again = messages.filter((_, index) => !results[index]);
    } else if (status === 'RECONSUME_LATER') {
      host.sendBack.client.log.warn('broadcasting: failed messages are not retried', { queue: processQueue.queue, count: messages.length });
    }
    const done = again.length === 0 ? messages : messages.filter((message) => !again.includes(message));
    const offset = processQueue.remove(done);
    if (!processQueue.dropped) host.offsetStore.updateOffset(processQueue.queue, offset, true);
    if (again.length > 0) this.retryLocally(processQueue, again);
  }

  private retryLocally(processQueue: ProcessQueue, messages: MessageExt[]): void {
    for (const message of messages) message.reconsumeTimes++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.submit(processQueue, messages);
    }, this.host.localRetryDelayMs);
    this.timers.add(timer);
  }
}
