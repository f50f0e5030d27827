/**
 * The messages of one queue pulled but not yet consumed (RocketMQ's
 * ProcessQueue). Its size drives flow control, its lowest remaining offset is
 * what may be committed, and `dropped` tells late results (a pull, a consume)
 * that the queue moved to another member and must not commit anything.
 */
import type { MessageExt, MessageQueue } from '../message.ts';
import { wakeableSleep } from '../sleep.ts';

export class ProcessQueue {
  readonly queue: MessageQueue;
  /** Offset → message, ascending: pulls append in offset order. */
  private readonly messages = new Map<number, MessageExt>();
  /** Orderly only: taken out for consumption, not yet committed. */
  private readonly consuming = new Map<number, MessageExt>();
  private bytes = 0;
  private maxOffset = -1;
  /** Next offset to pull. */
  nextOffset: number;
  dropped = false;
  /** Orderly clustering: the broker lock is held. */
  locked = false;
  lastLockTimestamp = 0;
  /** Orderly: a consume loop is running for this queue. */
  consumeActive = false;
  lastPullTimestamp = Date.now();
  /** Pull loops held by flow control, woken as soon as messages leave the queue. */
  private shrinkWaiters: Array<() => void> = [];

  constructor(queue: MessageQueue, nextOffset: number) {
    this.queue = queue;
    this.nextOffset = nextOffset;
  }

  get messageCount(): number {
    return this.messages.size + this.consuming.size;
  }

  get messageBytes(): number {
    return this.bytes;
  }

  /** Offset distance between the oldest and newest cached message (concurrent flow control). */
  get span(): number {
    if (this.messages.size === 0) return 0;
    return this.maxOffset - this.messages.keys().next().value!;
  }

  get isEmpty(): boolean {
    return this.messages.size === 0;
  }

  /**
   * Resolves when messages next leave this queue (consumed, committed,
   * cleared), after `maxWaitMs` at the latest, or at once when `signal`
   * aborts. Flow control waits on this instead of a fixed pause, so a pull
   * loop resumes the moment the listener catches up.
   */
  whenShrunk(maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    const { slept, wake } = wakeableSleep(maxWaitMs, signal);
    this.shrinkWaiters.push(wake);
    return slept;
  }

  private shrunk(): void {
    if (this.shrinkWaiters.length === 0) return;
    const waiters = this.shrinkWaiters;
    this.shrinkWaiters = [];
    for (const wake of waiters) wake();
  }

  put(messages: readonly MessageExt[]): void {
    for (const message of messages) {
      if (this.messages.has(message.queueOffset) || this.consuming.has(message.queueOffset)) continue;
      this.messages.set(message.queueOffset, message);
      this.bytes += message.body.length;
      if (message.queueOffset > this.maxOffset) this.maxOffset = message.queueOffset;
    }
  }

  /**
   * Removes consumed messages and returns the offset that may be committed:
   * the lowest one still cached, or one past the newest when none is left.
   */
  remove(messages: readonly MessageExt[]): number {
    for (const message of messages) {
      if (this.messages.delete(message.queueOffset)) this.bytes -= message.body.length;
    }
    this.shrunk();
    if (this.messages.size === 0) return this.maxOffset + 1;
    return this.messages.keys().next().value!;
  }

  /** Orderly: takes the next messages in offset order, up to `count`. */
  take(count: number): MessageExt[] {
    const taken: MessageExt[] = [];
    for (const [offset, message] of this.messages) {
      if (taken.length === count) break;
      taken.push(message);
      this.messages.delete(offset);
      this.consuming.set(offset, message);
    }
    return taken;
  }

  /** Orderly: the taken messages were consumed; returns the offset to commit. */
  commit(): number {
    let highest = -1;
    for (const [offset, message] of this.consuming) {
      if (offset > highest) highest = offset;
      this.bytes -= message.body.length;
    }
    this.consuming.clear();
    this.shrunk();
    return highest + 1;
  }

  /** Orderly: the taken messages go back to the front, to be consumed again. */
  putBack(): void {
    if (this.consuming.size === 0) return;
    const rest = [...this.messages];
    this.messages.clear();
    for (const [offset, message] of [...this.consuming].sort((a, b) => a[0] - b[0])) this.messages.set(offset, message);
    for (const [offset, message] of rest) this.messages.set(offset, message);
    this.consuming.clear();
  }

  /** Drops cached messages (seek, offset moved). */
  clear(): void {
    this.messages.clear();
    this.consuming.clear();
    this.bytes = 0;
    this.maxOffset = -1;
    this.shrunk();
  }

  /** Orderly: a lock older than this is treated as lost (RocketMQ: 30 s). */
  isLockExpired(lockMaxLiveMs: number): boolean {
    return Date.now() - this.lastLockTimestamp > lockMaxLiveMs;
  }
}
