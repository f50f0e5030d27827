/**
 * Flushing (store doc §10). ASYNC_FLUSH: the CommitLog is forced to disk
 * every `flushIntervalMs`. SYNC_FLUSH: group commit, each put waits for a
 * flush covering its bytes; all puts waiting when a flush starts share one
 * fdatasync, and puts arriving meanwhile share the next. A put not covered
 * within `syncFlushTimeoutMs` is answered FLUSH_DISK_TIMEOUT (it stays stored).
 *
 * Separately, every `consumeQueueFlushIntervalMs`, pending ConsumeQueue units
 * and index entries are written out and synced, and the checkpoint advanced.
 */
import type { Checkpoint } from './checkpoint.ts';
import type { CommitLog } from './commit-log.ts';
import type { Dispatcher } from './dispatch.ts';
import type { IndexService } from './index-service.ts';
import type { FlushDiskType, StoreLog } from './message-store.ts';
import type { QueueTable } from './queue-table.ts';
import { PutMessageStatus } from './status.ts';

interface Waitable {
  status: PutMessageStatus;
}

export class FlushService {
  private readonly waitingEnds: number[] = [];
  private readonly waitingDeadlines: number[] = [];
  private readonly waitingResolves: ((result: never) => void)[] = [];
  private readonly waitingResults: Waitable[] = [];
  private flushing = false;
  private logicsFlushing = false;
  private timers: NodeJS.Timeout[] = [];
  /** The error of a failed flush; the store stops taking writes after one. */
  failed: unknown;

  constructor(
    private readonly commitLog: CommitLog,
    private readonly queues: QueueTable,
    private readonly index: IndexService | undefined,
    private readonly checkpoint: Checkpoint,
    private readonly dispatcher: Dispatcher,
    private readonly flushDiskType: FlushDiskType,
    private readonly flushIntervalMs: number,
    private readonly syncFlushTimeoutMs: number,
    private readonly consumeQueueFlushIntervalMs: number,
    private readonly log: StoreLog,
  ) {}

  start(): void {
    if (this.flushDiskType === 'ASYNC_FLUSH') this.timers.push(setInterval(() => this.requestFlush(), this.flushIntervalMs));
    else this.timers.push(setInterval(() => this.expireWaiters(Date.now()), Math.min(1000, this.syncFlushTimeoutMs)));
    this.timers.push(setInterval(() => void this.flushLogics(), this.consumeQueueFlushIntervalMs));
    for (const timer of this.timers) timer.unref();
  }

  /** Holds `result` until the CommitLog is flushed past `end`, then resolves it. Call `requestFlush` after a group of these. */
  waitFor<T extends Waitable>(end: number, result: T, resolve: (result: T) => void): void {
    this.waitingEnds.push(end);
    this.waitingDeadlines.push(Date.now() + this.syncFlushTimeoutMs);
    this.waitingResolves.push(resolve as (result: never) => void);
    this.waitingResults.push(result);
  }

  requestFlush(): void {
    if (!this.flushing) void this.runFlush();
  }

  private async runFlush(): Promise<void> {
    this.flushing = true;
    try {
      do {
        const timestamp = this.dispatcher.lastStoreTimestamp;
        const flushed = await this.commitLog.flush();
        this.checkpoint.values.physicFlushedOffset = flushed;
        this.checkpoint.values.physicMsgTimestamp = timestamp;
        this.releaseWaiters(flushed);
      } while (this.waitingEnds.length > 0 && this.commitLog.writeOffset > this.commitLog.flushedOffset);
    } catch (error) {
      this.failed = error;
      this.log.error(`store: CommitLog flush failed: ${String(error)}`);
      this.expireWaiters(Number.POSITIVE_INFINITY);
    } finally {
      this.flushing = false;
    }
    if (this.waitingEnds.length > 0 && this.failed === undefined) this.requestFlush();
  }

  releaseWaiters(flushed: number): void {
    const ends = this.waitingEnds;
    let released = 0;
    while (released < ends.length && ends[released]! <= flushed) released++;
    if (released === 0) return;
    const resolves = this.waitingResolves.splice(0, released);
    const results = this.waitingResults.splice(0, released);
    ends.splice(0, released);
    this.waitingDeadlines.splice(0, released);
    for (let i = 0; i < released; i++) resolves[i]!(results[i] as never);
  }

  /** Answers waiters past their deadline with FLUSH_DISK_TIMEOUT. */
  expireWaiters(now: number): void {
    const deadlines = this.waitingDeadlines;
    let expired = 0;
    while (expired < deadlines.length && deadlines[expired]! <= now) expired++;
    if (expired === 0) return;
    const resolves = this.waitingResolves.splice(0, expired);
    const results = this.waitingResults.splice(0, expired);
    this.waitingEnds.splice(0, expired);
    deadlines.splice(0, expired);
    for (let i = 0; i < expired; i++) {
      results[i]!.status = PutMessageStatus.FLUSH_DISK_TIMEOUT;
      resolves[i]!(results[i] as never);
    }
  }

  /** Writes out ConsumeQueue units and index entries, syncs them, then advances the checkpoint. */
  async flushLogics(): Promise<void> {
    if (this.logicsFlushing) return;
    this.logicsFlushing = true;
    try {
      const dispatched = this.dispatcher.dispatchedOffset;
      const timestamp = this.dispatcher.lastStoreTimestamp;
      const syncs: Promise<void>[] = [];
      for (const queue of this.queues.all()) if (queue.writeOut()) syncs.push(...queue.syncFiles());
      if (this.index) {
        await this.index.writeOutAsync();
        syncs.push(this.index.sync());
      }
      await Promise.all(syncs);
      const values = this.checkpoint.values;
      values.logicsDispatchedOffset = Math.max(values.logicsDispatchedOffset, dispatched);
      values.indexDispatchedOffset = Math.max(values.indexDispatchedOffset, dispatched);
      values.logicsMsgTimestamp = timestamp;
      values.indexMsgTimestamp = timestamp;
      this.checkpoint.write();
    } catch (error) {
      this.log.error(`store: ConsumeQueue flush failed: ${String(error)}`);
    } finally {
      this.logicsFlushing = false;
    }
  }

  /** Waits for running flushes; used at close. */
  async drain(): Promise<void> {
    while (this.flushing || this.logicsFlushing) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  pendingWaiters(): number {
    return this.waitingEnds.length;
  }
}
