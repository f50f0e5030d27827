/**
 * Delivery of delay-level messages (RocketMQ's ScheduleMessageService). Each
 * level has a queue in SCHEDULE_TOPIC_XXXX whose messages become due in store
 * order, so per level one offset says how far delivery got. A tick walks each
 * level from its offset and moves every due message to its real topic; the
 * offsets are saved to `config/delayOffset.json` in RocketMQ's shape after
 * each tick that moved one, and on close.
 *
 * Restart safety: nothing is delivered early (due time = store time + level
 * delay, both persisted in the record); nothing is lost (the offset only
 * passes a message after its copy was stored); nothing twice (messages that
 * were already in the queue at start are checked against the real topic by
 * unique key before they are delivered, covering a crash between a put and
 * the saved offset).
 */
import { join } from 'node:path';
import { decodeMessageRecord } from '../../../sdk/protocol/message-record.ts';
import { encodeFastjson } from '../../../sdk/protocol/fastjson.ts';
import type { Logger } from '../../../sdk/util/log.ts';
import type { MessageStore } from '../../store/message-store.ts';
import { DataVersion, PersistQueue, readConfigFile } from '../managers/config-file.ts';
import { delayOfLevel, type DelayLevelTable } from './delay-levels.ts';
import { deliverParked } from './deliver.ts';
import { SCHEDULE_TOPIC } from './rewrite.ts';

/** How often levels are checked for due messages; bounds how late a message is delivered. */
export const scheduleTickIntervalMsDefault = 100;
/** Messages read per level per read; a tick keeps reading while messages are due. */
const scheduleBatchMessages = 32;

export interface ScheduleServiceOptions {
  store: MessageStore;
  dataDir: string;
  delayLevels: DelayLevelTable;
  log: Logger;
  tickIntervalMs?: number;
  now?: () => number;
}

export class ScheduleMessageService {
  private readonly offsets = new Map<number, number>();
  /** Per level: queue offsets below this were in the queue at start and get the duplicate check. */
  private readonly recoveryEnd = new Map<number, number>();
  private readonly dataVersion = new DataVersion();
  private readonly persistQueue: PersistQueue;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  /** Ticks finished since start, so callers can wait for a full pass. */
  tickCount = 0;

  private constructor(private readonly options: ScheduleServiceOptions) {
    this.now = options.now ?? Date.now;
    this.persistQueue = new PersistQueue(
      join(options.dataDir, 'config', 'delayOffset.json'),
      () => this.encode(),
      (error) => options.log.error('persisting delayOffset.json failed', { error }),
    );
  }

  static async start(options: ScheduleServiceOptions): Promise<ScheduleMessageService> {
    const service = new ScheduleMessageService(options);
    const stored = (await readConfigFile(join(options.dataDir, 'config', 'delayOffset.json'))) as
      | { offsetTable?: Record<string, unknown>; dataVersion?: unknown }
      | undefined;
    service.dataVersion.assign(stored?.dataVersion);
    for (const [level, offset] of Object.entries(stored?.offsetTable ?? {})) {
      if (typeof offset === 'number' && Number.isInteger(Number(level))) service.offsets.set(Number(level), offset);
    }
    for (let level = 1; level <= options.delayLevels.length; level++) {
      service.recoveryEnd.set(level, options.store.getMaxOffsetInQueue(SCHEDULE_TOPIC, level - 1));
    }
    service.schedule(0);
    return service;
  }

  /** Next undelivered offset per level (for admin views and tests). */
  offsetTable(): ReadonlyMap<number, number> {
    return this.offsets;
  }

  encode(): string {
    const table = new Map<number, number>([...this.offsets].sort((a, b) => a[0] - b[0]));
    return encodeFastjson({ dataVersion: this.dataVersion.toJSON(), offsetTable: table });
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    await this.persistQueue.flush();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().catch((error: unknown) => this.options.log.error('delay delivery failed', { error }));
      void this.ticking.then(() => {
        this.tickCount++;
        this.schedule(this.options.tickIntervalMs ?? scheduleTickIntervalMsDefault);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let moved = false;
    for (let level = 1; level <= this.options.delayLevels.length && !this.stopped; level++) {
      if (await this.deliverLevel(level)) moved = true;
    }
    if (moved) {
      this.dataVersion.next();
      void this.persistQueue.persist();
    }
  }

  /** Delivers the due messages of one level; true when its offset moved. */
  private async deliverLevel(level: number): Promise<boolean> {
    const { store } = this.options;
    const queueId = level - 1;
    const start = Math.max(this.offsets.get(level) ?? 0, store.getMinOffsetInQueue(SCHEDULE_TOPIC, queueId));
    let offset = start;
    const delayMs = delayOfLevel(this.options.delayLevels, level);
    while (!this.stopped && offset < store.getMaxOffsetInQueue(SCHEDULE_TOPIC, queueId)) {
      const got = store.getMessage(SCHEDULE_TOPIC, queueId, offset, scheduleBatchMessages);
      if (got.records.length === 0) {
        offset = Math.max(offset, got.nextBeginOffset);
        break;
      }
      for (let i = 0; i < got.records.length; i++) {
        const record = decodeMessageRecord(got.records[i]!);
        const queueOffset = got.queueOffsets[i]!;
        if (record) {
          const now = this.now();
          const dueAt = record.storeTimestamp + delayMs;
          // A due time further out than the level's delay means the clock went back: deliver now.
          if (dueAt > now && dueAt <= now + delayMs) return this.advance(level, start, offset);
          const outcome = await deliverParked(store, record, queueOffset < (this.recoveryEnd.get(level) ?? 0));
          if (outcome === 'retry-later') return this.advance(level, start, offset);
          if (outcome === 'dropped') this.options.log.warn('dropped a delayed message without a usable REAL_TOPIC', { level, queueOffset });
        }
        offset = queueOffset + 1;
      }
    }
    return this.advance(level, start, offset);
  }

  private advance(level: number, start: number, offset: number): boolean {
    this.offsets.set(level, offset);
    return offset !== start;
  }
}
