/**
 * Delivery of messages timed to the millisecond (RocketMQ 5's
 * `TIMER_DELIVER_MS`, `TIMER_DELAY_MS`, `TIMER_DELAY_SEC`). Timed messages
 * are parked in `rmq_sys_wheel_timer`, queue 0, in arrival order, each with
 * its delivery time in `TIMER_OUT_MS`; since they become due in any order,
 * the service keeps the undelivered ones in a min-heap by due time.
 *
 * Persistence is the parked queue itself plus `config/timerCheckpoint.json`:
 * `lowWatermark` (every queue offset below it is delivered) and `delivered`
 * (offsets at or above it already delivered). A start rebuilds the heap by
 * reading the queue from the watermark and skipping the delivered offsets.
 * The checkpoint is written after every tick that delivered and on close;
 * messages due before a restart get the unique-key duplicate check, so a
 * crash between a put and the checkpoint does not deliver twice.
 */
import { join } from 'node:path';
import { MessageConst, findProperty } from '../../../sdk/protocol/message-properties.ts';
import { decodeMessageRecord } from '../../../sdk/protocol/message-record.ts';
import type { Logger } from '../../../sdk/util/log.ts';
import type { MessageStore } from '../../store/message-store.ts';
import { PersistQueue, readConfigFile } from '../managers/config-file.ts';
import { deliverParked } from './deliver.ts';
import { TIMER_TOPIC } from './rewrite.ts';

/** How often due timers are delivered and new ones read; bounds how late a message is. */
export const timerTickIntervalMsDefault = 100;
const timerReadBatchMessages = 64;

export interface TimerServiceOptions {
  store: MessageStore;
  dataDir: string;
  log: Logger;
  tickIntervalMs?: number;
  now?: () => number;
}

interface Pending {
  dueAt: number;
  queueOffset: number;
}

export class TimerMessageService {
  private readonly heap: Pending[] = [];
  private readonly delivered = new Set<number>();
  private scanOffset = 0;
  private recoveryEnd = 0;
  private readonly persistQueue: PersistQueue;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  /** Ticks finished since start, so callers can wait for a full pass. */
  tickCount = 0;

  private constructor(private readonly options: TimerServiceOptions) {
    this.now = options.now ?? Date.now;
    this.persistQueue = new PersistQueue(
      join(options.dataDir, 'config', 'timerCheckpoint.json'),
      () => this.encode(),
      (error) => options.log.error('persisting timerCheckpoint.json failed', { error }),
    );
  }

  static async start(options: TimerServiceOptions): Promise<TimerMessageService> {
    const service = new TimerMessageService(options);
    const stored = (await readConfigFile(join(options.dataDir, 'config', 'timerCheckpoint.json'))) as
      | { lowWatermark?: unknown; delivered?: unknown }
      | undefined;
    const lowWatermark = typeof stored?.lowWatermark === 'number' ? stored.lowWatermark : 0;
    if (Array.isArray(stored?.delivered)) for (const offset of stored.delivered) if (typeof offset === 'number') service.delivered.add(offset);
    service.scanOffset = Math.max(lowWatermark, options.store.getMinOffsetInQueue(TIMER_TOPIC, 0));
    service.recoveryEnd = options.store.getMaxOffsetInQueue(TIMER_TOPIC, 0);
    service.schedule(0);
    return service;
  }

  /** Timed messages read but not yet delivered. */
  get pendingCount(): number {
    return this.heap.length;
  }

  encode(): string {
    let lowWatermark = this.scanOffset;
    for (const pending of this.heap) lowWatermark = Math.min(lowWatermark, pending.queueOffset);
    for (const offset of this.delivered) if (offset < lowWatermark) this.delivered.delete(offset);
    return JSON.stringify({ lowWatermark, delivered: [...this.delivered].sort((a, b) => a - b) });
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
      this.ticking = this.tick().catch((error: unknown) => this.options.log.error('timer delivery failed', { error }));
      void this.ticking.then(() => {
        this.tickCount++;
        this.schedule(this.options.tickIntervalMs ?? timerTickIntervalMsDefault);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    this.readNew();
    let deliveredAny = false;
    while (!this.stopped && this.heap.length > 0 && this.heap[0]!.dueAt <= this.now()) {
      const due = this.heap[0]!;
      const outcome = await this.deliver(due.queueOffset);
      if (outcome === 'retry-later') break;
      popHeap(this.heap);
      this.delivered.add(due.queueOffset);
      deliveredAny = true;
    }
    if (deliveredAny) void this.persistQueue.persist();
  }

  private readNew(): void {
    const { store } = this.options;
    while (this.scanOffset < store.getMaxOffsetInQueue(TIMER_TOPIC, 0)) {
      const got = store.getMessage(TIMER_TOPIC, 0, this.scanOffset, timerReadBatchMessages);
      if (got.records.length === 0) {
        // A gap (retention) moves the scan on; otherwise the entry is not readable yet.
        if (got.nextBeginOffset <= this.scanOffset) return;
        this.scanOffset = got.nextBeginOffset;
        continue;
      }
      for (let i = 0; i < got.records.length; i++) {
        const queueOffset = got.queueOffsets[i]!;
        this.scanOffset = queueOffset + 1;
        if (this.delivered.has(queueOffset)) continue;
        const record = decodeMessageRecord(got.records[i]!);
        const dueAt = Number(record ? findProperty(record.properties, MessageConst.PROPERTY_TIMER_OUT_MS) : NaN);
        pushHeap(this.heap, { dueAt: Number.isFinite(dueAt) ? dueAt : 0, queueOffset });
      }
    }
  }

  private async deliver(queueOffset: number): Promise<string> {
    const got = this.options.store.getMessage(TIMER_TOPIC, 0, queueOffset, 1);
    const record = got.records.length > 0 && got.queueOffsets[0] === queueOffset ? decodeMessageRecord(got.records[0]!) : undefined;
    // Retention removed it; nothing left to deliver.
    if (!record) return 'dropped';
    return deliverParked(this.options.store, record, queueOffset < this.recoveryEnd);
  }
}

function pushHeap(heap: Pending[], item: Pending): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function popHeap(heap: Pending[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  let i = 0;
  while (true) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === i) return;
    [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
    i = smallest;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.queueOffset < b.queueOffset);
}
