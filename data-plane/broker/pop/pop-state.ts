/**
 * What the broker remembers about POP consumption, kept in memory and saved
 * to `config/popState.json` (our own design; RocketMQ keeps the same facts in
 * its revive topic, and wire doc §14.3 leaves the form free):
 *
 * - pop offsets: per group, topic and queue, the next queue offset to pop;
 * - checkpoints: every popped message not yet acked, with the pop time and
 *   invisible time of its current receipt handle, its CommitLog offset and
 *   the revive queue its handle names.
 *
 * A pop answers only after the state that includes it is on disk, so a
 * restart never forgets a message a consumer holds, nor hands it out again
 * before its invisible time ends. Acks are saved in the background and on
 * close; one lost to a crash only makes its message come back once more.
 */
import { join } from 'node:path';
import type { Logger } from '../../../sdk/util/log.ts';
import { PersistQueue, readConfigFile } from '../managers/config-file.ts';
import type { RetryFlag } from './receipt-handle.ts';

export interface PopCheckpoint {
  group: string;
  /** The topic popped from: the pop retry topic for retried messages. */
  topic: string;
  queueId: number;
  offset: number;
  physicalOffset: number;
  /** The first offset of the pop batch (`ckQueueOffset` of the handle). */
  startOffset: number;
  popTime: number;
  invisibleTime: number;
  reviveQid: number;
  retry: RetryFlag;
}

export function queueStateKey(group: string, topic: string, queueId: number): string {
  return `${group}\u0001${topic}\u0001${queueId}`;
}

function checkpointKey(group: string, topic: string, queueId: number, offset: number): string {
  return `${group}\u0001${topic}\u0001${queueId}\u0001${offset}`;
}

export class PopState {
  private readonly popOffsets = new Map<string, number>();
  private readonly checkpoints = new Map<string, PopCheckpoint>();
  private readonly persistQueue: PersistQueue;

  private constructor(path: string, log: Logger) {
    this.persistQueue = new PersistQueue(path, () => this.encode(), (error) => log.error('persisting popState.json failed', { error }));
  }

  static async load(dataDir: string, log: Logger): Promise<PopState> {
    const path = join(dataDir, 'config', 'popState.json');
    const state = new PopState(path, log);
    const stored = (await readConfigFile(path)) as { popOffsets?: Record<string, unknown>; checkpoints?: unknown[] } | undefined;
    for (const [key, offset] of Object.entries(stored?.popOffsets ?? {})) if (typeof offset === 'number') state.popOffsets.set(key, offset);
    for (const value of stored?.checkpoints ?? []) {
      const ck = value as PopCheckpoint;
      if (typeof ck?.group === 'string' && typeof ck.topic === 'string' && typeof ck.offset === 'number') state.putCheckpoint(ck);
    }
    return state;
  }

  popOffset(group: string, topic: string, queueId: number): number | undefined {
    return this.popOffsets.get(queueStateKey(group, topic, queueId));
  }

  setPopOffset(group: string, topic: string, queueId: number, offset: number): void {
    this.popOffsets.set(queueStateKey(group, topic, queueId), offset);
  }

  checkpoint(group: string, topic: string, queueId: number, offset: number): PopCheckpoint | undefined {
    return this.checkpoints.get(checkpointKey(group, topic, queueId, offset));
  }

  putCheckpoint(ck: PopCheckpoint): void {
    this.checkpoints.set(checkpointKey(ck.group, ck.topic, ck.queueId, ck.offset), ck);
  }

  /** Removes `ck` if it is still the message's current checkpoint (a new invisible time replaces it). */
  removeCheckpoint(ck: PopCheckpoint): void {
    const key = checkpointKey(ck.group, ck.topic, ck.queueId, ck.offset);
    if (this.checkpoints.get(key) === ck) this.checkpoints.delete(key);
  }

  /** Checkpoints whose invisible time ended at or before `now`. */
  expired(now: number): PopCheckpoint[] {
    const due: PopCheckpoint[] = [];
    for (const ck of this.checkpoints.values()) if (ck.popTime + ck.invisibleTime <= now) due.push(ck);
    return due;
  }

  /** The lowest offset of a queue still in flight, or undefined. */
  lowestInFlight(group: string, topic: string, queueId: number): number | undefined {
    let lowest: number | undefined;
    for (const ck of this.checkpoints.values()) {
      if (ck.queueId === queueId && ck.topic === topic && ck.group === group && (lowest === undefined || ck.offset < lowest)) lowest = ck.offset;
    }
    return lowest;
  }

  get inFlightCount(): number {
    return this.checkpoints.size;
  }

  /** Saves soon; resolves once a write including every change so far is on disk. */
  persist(): Promise<void> {
    return this.persistQueue.persist();
  }

  flush(): Promise<void> {
    return this.persistQueue.flush();
  }

  private encode(): string {
    return JSON.stringify({ popOffsets: Object.fromEntries(this.popOffsets), checkpoints: [...this.checkpoints.values()] });
  }
}
