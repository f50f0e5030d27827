/**
 * Long polling (RocketMQ's PullRequestHoldService): a pull that finds nothing
 * new and allows suspension is parked under `topic@queueId` instead of being
 * answered. It is re-run, and then always answered, when
 *
 * - the store reports a message arriving on that queue at or past the pull's
 *   offset whose tags match its filter (the store's arrival listener), or
 * - the periodic recheck finds the queue grew (an arrival the listener could
 *   not match, e.g. filtered by properties) or the hold time is over.
 *
 * Wake-ups collected during one store dispatch are re-run together on the
 * next microtask, outside the store's own call stack. The table is bounded by
 * `heldPullsMax`; the pull processor answers SYSTEM_BUSY when it is full.
 */
import type { RemotingCommand } from '../../sdk/protocol/command.ts';
import type { Connection } from '../../sdk/remoting/connection.ts';
import type { Logger } from '../../sdk/util/log.ts';
import type { MessageFilter, MessageStore } from '../store/message-store.ts';

export interface HeldPull {
  readonly topic: string;
  readonly queueId: number;
  /** The offset the pull asked for; any message at or past it wakes the pull. */
  readonly offset: number;
  readonly filter: MessageFilter | undefined;
  /** When the pull is answered even if nothing arrived (ms since the epoch). */
  readonly deadline: number;
  readonly request: RemotingCommand;
  readonly connection: Connection;
  /** Re-runs the pull without suspension and writes its answer. One shared function, not a closure per pull. */
  readonly rerun: (held: HeldPull) => void;
}

const EMPTY_RECORD = new Uint8Array(0);

export class PullRequestHoldService {
  private readonly table = new Map<string, HeldPull[]>();
  private readonly store: MessageStore;
  private readonly log: Logger;
  private readonly heldPullsMax: number;
  private readonly recheckIntervalMs: number;
  private count = 0;
  private woken: HeldPull[] = [];
  private flushScheduled = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(store: MessageStore, options: { heldPullsMax: number; recheckIntervalMs: number; log: Logger }) {
    this.store = store;
    this.log = options.log;
    this.heldPullsMax = options.heldPullsMax;
    this.recheckIntervalMs = options.recheckIntervalMs;
  }

  /** Pulls held right now. */
  get size(): number {
    return this.count;
  }

  start(): void {
    this.unsubscribe = this.store.onArrive((topic, queueId, queueOffset, tagsCode, properties) =>
      this.notifyMessageArriving(topic, queueId, queueOffset, tagsCode, properties),
    );
    this.timer = setInterval(() => this.recheck(), this.recheckIntervalMs);
    this.timer.unref();
  }

  /** Parks a pull; false when the table is full (the caller answers instead). */
  hold(held: HeldPull): boolean {
    if (this.count >= this.heldPullsMax) return false;
    const key = held.topic + '@' + held.queueId;
    const list = this.table.get(key);
    if (list) list.push(held);
    else this.table.set(key, [held]);
    this.count++;
    return true;
  }

  /** Called by the store for every dispatched message; cheap when nothing is held. */
  notifyMessageArriving(topic: string, queueId: number, queueOffset: number, tagsCode: number, properties: string): void {
    if (this.count === 0) return;
    const key = topic + '@' + queueId;
    const list = this.table.get(key);
    if (!list) return;
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const held = list[i]!;
      if (queueOffset >= held.offset && matches(held.filter, tagsCode, properties)) this.wake(held);
      else list[kept++] = held;
    }
    this.shrink(key, list, kept);
  }

  /** Drops every held pull without answering (the connections are closing). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.table.clear();
    this.count = 0;
    this.woken = [];
  }

  private recheck(): void {
    if (this.count === 0) return;
    const now = Date.now();
    for (const [key, list] of [...this.table]) {
      const first = list[0]!;
      let maxOffset: number;
      try {
        maxOffset = this.store.getMaxOffsetInQueue(first.topic, first.queueId);
      } catch (error) {
        this.log.warn('long polling recheck failed', { key, error });
        maxOffset = Number.MAX_SAFE_INTEGER;
      }
      let kept = 0;
      for (let i = 0; i < list.length; i++) {
        const held = list[i]!;
        if (held.connection.closed) this.count--;
        else if (maxOffset > held.offset || now >= held.deadline) this.wake(held);
        else list[kept++] = held;
      }
      this.shrink(key, list, kept);
    }
  }

  private shrink(key: string, list: HeldPull[], kept: number): void {
    if (kept === list.length) return;
    list.length = kept;
    if (kept === 0) this.table.delete(key);
  }

  private wake(held: HeldPull): void {
    this.count--;
    this.woken.push(held);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.runWoken());
  }

  private runWoken(): void {
    this.flushScheduled = false;
    const woken = this.woken;
    this.woken = [];
    for (const held of woken) {
      if (held.connection.closed) continue;
      try {
        held.rerun(held);
      } catch (error) {
        this.log.error('re-running a held pull failed', { topic: held.topic, queueId: held.queueId, error });
      }
    }
  }
}

function matches(filter: MessageFilter | undefined, tagsCode: number, properties: string): boolean {
  if (!filter) return true;
  if (!filter.isMatchedByConsumeQueue(tagsCode)) return false;
  return filter.isMatchedByCommitLog ? filter.isMatchedByCommitLog(properties, EMPTY_RECORD) : true;
}
