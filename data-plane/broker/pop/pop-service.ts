/**
 * POP consumption (RocketMQ 5's PopMessageProcessor, AckMessageProcessor,
 * ChangeInvisibleTimeProcessor and PopReviveService, in one state machine):
 *
 * - pop: read up to `maxMsgNums` messages from the topic's queues and the
 *   group's pop retry topic `%RETRY%<group>_<topic>`, move the pop offsets
 *   past them and record a checkpoint per message; the messages stay
 *   invisible to other pops until acked or until `invisibleTime` passes;
 * - ack: drop the checkpoint named by the receipt handle, only when the
 *   handle is the current one (same pop time and invisible time);
 * - change invisible time: give the checkpoint a new pop time and invisible
 *   time, which makes the old handle stale;
 * - revive: a checkpoint whose invisible time ended puts a copy of its
 *   message in the pop retry topic with `reconsumeTimes + 1` (another
 *   delivery), or in `%DLQ%<group>` once that exceeds the group's
 *   `retryMaxTimes`.
 */
import { MessageConst, findProperty } from '../../../sdk/protocol/message-properties.ts';
import { decodeMessageRecord, type MessageRecord } from '../../../sdk/protocol/message-record.ts';
import { permReadWrite } from '../../../sdk/protocol/flags.ts';
import { dlqTopic, isRetryTopic, popRetryTopic } from '../../../sdk/protocol/topic-names.ts';
import type { Logger } from '../../../sdk/util/log.ts';
import type { MessageFilter, MessageStore } from '../../store/message-store.ts';
import { PutMessageStatus } from '../../store/status.ts';
import type { SubscriptionGroupConfig } from '../../../sdk/protocol/bodies/admin.ts';
import type { TopicConfig } from '../managers/topic-config-manager.ts';
import { copyRecord, editProperties, reencodeRecord } from '../schedule/message-copy.ts';
import type { PopState, PopCheckpoint } from './pop-state.ts';
import { PopInfoBuilder, RetryFlag, buildExtraInfo, type ReceiptHandle } from './receipt-handle.ts';

const M = MessageConst;

/** RocketMQ `reviveQueueNum`: revive queue ids handed out in receipt handles. */
export const reviveQueueNumDefault = 8;
/** How often expired checkpoints are revived; RocketMQ revives within a second or two. */
export const reviveIntervalMsDefault = 200;
/** Every fifth pop looks at the retry topic first, so retries are not starved by a busy topic (RocketMQ's ratio). */
const retryFirstEvery = 5;

export interface PopServiceOptions {
  store: MessageStore;
  state: PopState;
  brokerName: string;
  log: Logger;
  topicConfig: (topic: string) => TopicConfig | undefined;
  createTopicIfAbsent: (topic: string, queueNums: number, perm: number) => TopicConfig;
  groupConfig: (group: string) => SubscriptionGroupConfig | undefined;
  /** Committed consume offset (shared with pull consumers), -1 when none. */
  queryConsumeOffset: (group: string, topic: string, queueId: number) => number;
  commitConsumeOffset: (group: string, topic: string, queueId: number, offset: number) => void;
  /** DLQ perm: RocketMQ ≥ 4.9.2 creates it readable and writable. */
  dlqPerm?: number;
  reviveIntervalMs?: number;
  now?: () => number;
}

export interface PopRequest {
  group: string;
  topic: string;
  /** -1: any queue. */
  queueId: number;
  maxMsgNums: number;
  invisibleTime: number;
  /** 0: start a new group at the queue's min offset; 1: at its max. */
  initMode: number;
  filter?: MessageFilter;
}

export interface PopResult {
  popTime: number;
  reviveQid: number;
  restNum: number;
  startOffsetInfo: string;
  msgOffsetInfo: string;
  records: Uint8Array[];
}

export type HandleOutcome =
  | { ok: true; ck: PopCheckpoint }
  | { ok: false; code: 'TOPIC_NOT_EXIST' | 'MESSAGE_ILLEGAL' | 'NO_MESSAGE'; reason: string };

interface Source {
  topic: string;
  queueId: number;
  retry: RetryFlag;
}

export class PopService {
  private readonly now: () => number;
  private popCount = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reviving: Promise<void> | undefined;
  private stopped = false;
  /** A new group's start offset was fixed since the state was last saved. */
  private startPinned = false;
  /** Revive rounds finished so far; a round that starts after a time has revived everything expired by then. */
  tickCount = 0;

  constructor(private readonly options: PopServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): this {
    this.scheduleRevive();
    return this;
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.reviving;
    await this.options.state.flush();
  }

  /** Pops messages; the result is durable once the returned promise resolves. */
  async pop(request: PopRequest): Promise<PopResult> {
    const popTime = this.now();
    // A pop held across shutdown must not change state that was already saved for the next start.
    if (this.stopped) return { popTime, reviveQid: 0, restNum: 0, startOffsetInfo: '', msgOffsetInfo: '', records: [] };
    const reviveQid = this.popCount++ % reviveQueueNumDefault;
    const info = new PopInfoBuilder();
    const records: Uint8Array[] = [];
    let restNum = 0;
    for (const source of this.sources(request)) {
      const wanted = request.maxMsgNums - records.length;
      if (wanted <= 0) {
        restNum += this.available(request, source);
        continue;
      }
      const popped = this.popQueue(request, source, wanted, popTime, reviveQid);
      if (popped.offsets.length > 0) {
        info.add(source.retry, source.queueId, popped.startOffset, popped.offsets);
        records.push(...popped.records);
      }
      restNum += popped.rest;
    }
    if (records.length > 0 || this.startPinned) {
      this.startPinned = false;
      await this.options.state.persist();
    }
    return { popTime, reviveQid, restNum, startOffsetInfo: info.startOffsetInfo, msgOffsetInfo: info.msgOffsetInfo, records };
  }

  /** The queues to look at, the retry topic first on every fifth pop. */
  private sources(request: PopRequest): Source[] {
    const config = this.options.topicConfig(request.topic);
    const normal: Source[] = [];
    const queues = config?.readQueueNums ?? 0;
    if (request.queueId >= 0) normal.push({ topic: request.topic, queueId: request.queueId, retry: RetryFlag.NORMAL });
    else {
      const first = this.popCount % Math.max(queues, 1);
      for (let i = 0; i < queues; i++) normal.push({ topic: request.topic, queueId: (first + i) % queues, retry: RetryFlag.NORMAL });
    }
    const retryTopic = popRetryTopic(request.group, request.topic, false);
    const retryConfig = isRetryTopic(request.topic) ? undefined : this.options.topicConfig(retryTopic);
    const retry: Source[] = [];
    for (let q = 0; q < (retryConfig?.readQueueNums ?? 0); q++) retry.push({ topic: retryTopic, queueId: q, retry: RetryFlag.RETRY_V1 });
    return this.popCount % retryFirstEvery === 0 ? [...retry, ...normal] : [...normal, ...retry];
  }

  /**
   * Where the group's next pop of a queue starts. A group new to the queue
   * starts where `initMode` says, and that start is fixed at once (RocketMQ
   * commits it too): a start at the queue's end computed afresh on every pop
   * would move past each message that arrives, and the group would never
   * get one.
   */
  private startOffset(request: PopRequest, source: Source): number {
    const { store, state } = this.options;
    const min = store.getMinOffsetInQueue(source.topic, source.queueId);
    const known = state.popOffset(request.group, source.topic, source.queueId);
    if (known !== undefined) return Math.max(known, min);
    const committed = this.options.queryConsumeOffset(request.group, source.topic, source.queueId);
    if (committed >= 0) return Math.max(committed, min);
    // Retry topics always start at their beginning; the group has seen nothing there yet.
    const start = request.initMode === 1 && source.retry === RetryFlag.NORMAL ? store.getMaxOffsetInQueue(source.topic, source.queueId) : min;
    state.setPopOffset(request.group, source.topic, source.queueId, start);
    this.commitVisibleOffset(request.group, source.topic, source.queueId);
    this.startPinned = true;
    return start;
  }

  private available(request: PopRequest, source: Source): number {
    return Math.max(0, this.options.store.getMaxOffsetInQueue(source.topic, source.queueId) - this.startOffset(request, source));
  }

  private popQueue(request: PopRequest, source: Source, wanted: number, popTime: number, reviveQid: number) {
    const { store, state } = this.options;
    const start = this.startOffset(request, source);
    const got = store.getMessage(source.topic, source.queueId, start, wanted, undefined, request.filter);
    const offsets: number[] = [];
    const records: Uint8Array[] = [];
    const startOffset = got.queueOffsets[0] ?? start;
    for (let i = 0; i < got.records.length; i++) {
      const record = decodeMessageRecord(got.records[i]!);
      if (!record) continue;
      const offset = got.queueOffsets[i]!;
      const ck: PopCheckpoint = {
        group: request.group, topic: source.topic, queueId: source.queueId, offset, physicalOffset: record.physicalOffset,
        startOffset, popTime, invisibleTime: request.invisibleTime, reviveQid, retry: source.retry,
      };
      state.putCheckpoint(ck);
      offsets.push(offset);
      records.push(source.retry === RetryFlag.NORMAL ? got.records[i]! : this.asOriginal(record, ck));
    }
    const next = Math.max(start, got.nextBeginOffset);
    if (next !== start) {
      state.setPopOffset(request.group, source.topic, source.queueId, next);
      this.commitVisibleOffset(request.group, source.topic, source.queueId);
    }
    return { offsets, records, startOffset, rest: Math.max(0, store.getMaxOffsetInQueue(source.topic, source.queueId) - next) };
  }

  /** A message from the pop retry topic goes out under its original topic, with its handle in `POP_CK`. */
  private asOriginal(record: MessageRecord, ck: PopCheckpoint): Uint8Array {
    const original = findProperty(record.properties, M.PROPERTY_RETRY_TOPIC) ?? record.topic;
    const handle = buildExtraInfo(this.handleOf(ck));
    return reencodeRecord(record, original, record.queueId, editProperties(record.properties, { [M.PROPERTY_POP_CK]: handle }));
  }

  handleOf(ck: PopCheckpoint): ReceiptHandle {
    return {
      ckQueueOffset: ck.startOffset, popTime: ck.popTime, invisibleTime: ck.invisibleTime, reviveQid: ck.reviveQid,
      retry: ck.retry, brokerName: this.options.brokerName, queueId: ck.queueId, msgQueueOffset: ck.offset,
    };
  }

  /** Finds the in-flight message a handle names, refusing stale and unknown handles. */
  findByHandle(group: string, topic: string, queueId: number, offset: number, handle: ReceiptHandle): HandleOutcome {
    const config = this.options.topicConfig(topic);
    if (!config) return { ok: false, code: 'TOPIC_NOT_EXIST', reason: `topic ${topic} does not exist` };
    if (queueId < 0 || queueId >= config.readQueueNums) {
      return { ok: false, code: 'MESSAGE_ILLEGAL', reason: `queueId ${queueId} is not a queue of ${topic} (0..${config.readQueueNums - 1})` };
    }
    const min = this.options.store.getMinOffsetInQueue(topic, queueId);
    const max = this.options.store.getMaxOffsetInQueue(topic, queueId);
    if (offset < min || offset >= max) return { ok: false, code: 'NO_MESSAGE', reason: `offset ${offset} is outside [${min}, ${max})` };
    const ck = this.options.state.checkpoint(group, topic, queueId, offset);
    if (!ck) return { ok: false, code: 'NO_MESSAGE', reason: `message ${topic}/${queueId}/${offset} is not in flight for ${group} (acked or revived)` };
    if (ck.popTime !== handle.popTime || ck.invisibleTime !== handle.invisibleTime) {
      return { ok: false, code: 'NO_MESSAGE', reason: 'the receipt handle is stale: the invisible time was changed since it was issued' };
    }
    return { ok: true, ck };
  }

  ack(ck: PopCheckpoint): void {
    this.options.state.removeCheckpoint(ck);
    this.commitVisibleOffset(ck.group, ck.topic, ck.queueId);
    void this.options.state.persist();
  }

  /** Restarts the invisible time of a message; its old handle stops working. */
  async changeInvisibleTime(ck: PopCheckpoint, invisibleTime: number): Promise<PopCheckpoint> {
    const changed: PopCheckpoint = { ...ck, popTime: this.now(), invisibleTime, startOffset: ck.offset };
    // Two changes within one millisecond would issue the same handle twice; keep handles unique.
    if (changed.popTime === ck.popTime && invisibleTime === ck.invisibleTime) changed.popTime++;
    this.options.state.putCheckpoint(changed);
    await this.options.state.persist();
    return changed;
  }

  /** The committed consume offset: the lowest in-flight message, or the pop offset when none is. */
  private commitVisibleOffset(group: string, topic: string, queueId: number): void {
    const popOffset = this.options.state.popOffset(group, topic, queueId);
    if (popOffset === undefined) return;
    const lowest = this.options.state.lowestInFlight(group, topic, queueId);
    this.options.commitConsumeOffset(group, topic, queueId, lowest === undefined ? popOffset : Math.min(lowest, popOffset));
  }

  private scheduleRevive(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const reviving = this.revive().then(
        () => undefined,
        (error: unknown) => this.options.log.error('pop revive failed', { error }),
      );
      this.reviving = reviving;
      void reviving.then(() => {
        this.tickCount++;
        this.scheduleRevive();
      });
    }, this.options.reviveIntervalMs ?? reviveIntervalMsDefault);
  }

  /** Revives every checkpoint whose invisible time ended; exposed for tests and admin. */
  async revive(): Promise<number> {
    let revived = 0;
    for (const ck of this.options.state.expired(this.now())) {
      if (this.stopped) break;
      if (await this.reviveOne(ck)) revived++;
    }
    if (revived > 0) await this.options.state.persist();
    return revived;
  }

  private async reviveOne(ck: PopCheckpoint): Promise<boolean> {
    // Earlier revivals of this round awaited the store: an ack or a new invisible time may have come in since.
    const current = this.options.state.checkpoint(ck.group, ck.topic, ck.queueId, ck.offset);
    if (current !== ck) return false;
    const record = this.options.store.lookMessageByOffset(ck.physicalOffset)?.record;
    if (!record) {
      // Retention removed the message; there is nothing left to deliver.
      this.options.state.removeCheckpoint(ck);
      return true;
    }
    const original = ck.retry === RetryFlag.NORMAL ? ck.topic : findProperty(record.properties, M.PROPERTY_RETRY_TOPIC) ?? ck.topic;
    const reconsumeTimes = record.reconsumeTimes + 1;
    const maxTimes = this.options.groupConfig(ck.group)?.retryMaxTimes ?? 16;
    const toDlq = reconsumeTimes > maxTimes;
    const topic = toDlq ? dlqTopic(ck.group) : popRetryTopic(ck.group, original, false);
    this.options.createTopicIfAbsent(topic, 1, toDlq ? this.options.dlqPerm ?? permReadWrite : permReadWrite);
    const put = await this.options.store.putMessage(copyRecord(record, {
      topic,
      queueId: 0,
      reconsumeTimes,
      properties: {
        [M.PROPERTY_RETRY_TOPIC]: original,
        [M.PROPERTY_FIRST_POP_TIME]: findProperty(record.properties, M.PROPERTY_FIRST_POP_TIME) ?? String(ck.popTime),
        [M.PROPERTY_POP_CK]: undefined,
        [M.PROPERTY_WAIT_STORE_MSG_OK]: 'false',
        ...(toDlq ? { [M.PROPERTY_DELAY_TIME_LEVEL]: undefined } : {}),
      },
    }));
    if (put.status !== PutMessageStatus.PUT_OK && put.status !== PutMessageStatus.FLUSH_DISK_TIMEOUT) return false;
    if (toDlq) this.options.log.info('pop message moved to the DLQ after its last delivery', { group: ck.group, topic: original, reconsumeTimes });
    this.options.state.removeCheckpoint(ck);
    this.commitVisibleOffset(ck.group, ck.topic, ck.queueId);
    return true;
  }
}
