/**
 * The broker's message store: one CommitLog, a ConsumeQueue per topic-queue
 * and IndexFiles, in RocketMQ's on-disk design and record format. The public
 * shapes come first; the class below ties the parts together.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeHostAddress, offsetMessageIdFromPrefix, offsetMessageIdPrefix } from '../../sdk/protocol/message-id.ts';
import {
  decodeMessageRecord,
  encodeMessageRecord,
  inspectRecord,
  MessageSysFlag,
  propertiesBytesLength,
  recordSize,
  recordStoreTimestamp,
  utf8Length,
  type MessageRecord,
  type MessageRecordInput,
  type PropertiesBytes,
} from '../../sdk/protocol/message-record.ts';
import { Checkpoint } from './checkpoint.ts';
import { CommitLog, type CommitLogWriteStats } from './commit-log.ts';
import { CQ_STORE_UNIT_SIZE, readInt64, type ConsumeQueue } from './consume-queue.ts';
import { Dispatcher, tagsCodeFor } from './dispatch.ts';
import { FlushService } from './flush.ts';
import { MessageReader } from './get-message.ts';
import { IndexService } from './index-service.ts';
import { findProperty, propertyRangesOf, type PropertyRanges } from './properties.ts';
import { QueueTable } from './queue-table.ts';
import { recover, type RecoveryResult } from './recovery.ts';
import { fileSystemUsage, RetentionService } from './retention.ts';
import { pullBytesMaxDefault, resolveSettings, systemTopicLengthMaxDefault, type StoreSettings } from './settings.ts';
import { GetMessageStatus, PutMessageStatus, PutRefusalReason } from './status.ts';

export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';
export type WriterThreadMode = 'auto' | 'always' | 'never';

/** A socket address: IPv4 dotted quad or IPv6 text, and a port. */
export interface HostAddress {
  address: string;
  port: number;
}

export interface StoreLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Computes the ConsumeQueue tags code of a record instead of the Java hash of
 * its `TAGS` (the schedule topic stores the delivery time there). Return
 * `undefined` to keep the default.
 */
export type TagsCodeOf = (topic: string, properties: string, storeTimestamp: number) => number | undefined;

export interface StoreOptions {
  /** Root of the store: `commitlog/`, `consumequeue/`, `index/`, `checkpoint`, `abort`. */
  dataDir: string;
  flushDiskType: FlushDiskType;
  /** Broker address clients can reach; goes into every record and offset message id. */
  storeHost: HostAddress;
  commitLogSegmentBytes?: number;
  /**
   * Who copies appended bytes into the OS: `auto` (default) the event loop
   * for short writes and the writer thread for long ones (settings.ts,
   * `inlineWriteMsMax`), `always` the writer thread, `never` the event loop.
   */
  commitLogWriterThread?: WriterThreadMode;
  consumeQueueUnitsPerFile?: number;
  indexHashSlotNum?: number;
  indexNum?: number;
  messageIndexEnable?: boolean;
  flushIntervalMs?: number;
  syncFlushTimeoutMs?: number;
  fileReservedTimeHours?: number;
  deleteWhenHour?: number;
  /** Usage ratio (0..1) above which expired segments are deleted at any hour. */
  diskCleanRatio?: number;
  /** Usage ratio above which segments are deleted even if not expired. */
  diskCleanForciblyRatio?: number;
  /** Usage ratio above which puts are refused. */
  diskRefuseRatio?: number;
  cleanResourceIntervalMs?: number;
  messageSizeMaxBytes?: number;
  topicLengthMax?: number;
  propertiesSizeMaxBytes?: number;
  /** Clock in ms since the epoch; injectable for tests. */
  now?: () => number;
  /** Disk usage ratio 0..1 of the store's file system; injectable for tests. */
  diskUsage?: () => number;
  tagsCodeOf?: TagsCodeOf;
  log?: StoreLog;
}

/** One message as the broker hands it to the store. */
export interface MessageToPut {
  topic: string;
  queueId: number;
  flag: number;
  body: Uint8Array;
  /** Encoded properties (wire §12.1): `name\u0001value\u0002…`. */
  properties: string;
  /**
   * The received bytes of `properties` (a batch entry's), stored as they are;
   * ignored once `properties` is no longer their text (a rewriter replaced it).
   */
  propertiesBytes?: PropertiesBytes;
  /**
   * Where `properties`' TAGS, KEYS, UNIQ_KEY and WAIT lie (properties.ts), when
   * the sender already scanned them; ignored once `properties` is no longer their text.
   */
  propertyRanges?: PropertyRanges;
  /** MessageSysFlag; the host bits (0x10, 0x20) are set by the store from the addresses. */
  sysFlag: number;
  bornTimestamp: number;
  bornHost: HostAddress;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  /** Assigned by the store. */
  queueOffset?: never;
}

export interface PutResult {
  status: PutMessageStatus;
  /** CommitLog offset of the record; -1 when not stored. */
  physicalOffset: number;
  /** Offset in its ConsumeQueue (0 for PREPARED/ROLLBACK records); -1 when not stored. */
  queueOffset: number;
  /** Store host + physical offset as 32 (IPv4) or 56 (IPv6) hex characters; '' when not stored. */
  offsetMsgId: string;
  wroteBytes: number;
  storeTimestamp: number;
  /** Set when the put was refused. */
  reason?: PutRefusalReason;
}

export interface PutBatchResult {
  status: PutMessageStatus;
  /** CommitLog offset of the first record. */
  physicalOffset: number;
  /** Queue offset of the first record; the others follow one by one. */
  queueOffset: number;
  offsetMsgIds: string[];
  wroteBytes: number;
  storeTimestamp: number;
  messageCount: number;
  reason?: PutRefusalReason;
}

/** RocketMQ's MessageFilter: first on the ConsumeQueue unit, then optionally on the record. */
export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  /** Called with the record's properties text when present (SQL92 filters). */
  isMatchedByCommitLog?(properties: string, record: Uint8Array): boolean;
}

export interface GetMessageResult {
  status: GetMessageStatus;
  /** Raw CommitLog records, byte-identical to the store format. */
  records: Uint8Array[];
  /** Queue offset of each record, parallel to `records`. */
  queueOffsets: number[];
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** Sum of the record sizes. */
  bufferTotalSize: number;
  /**
   * The records back to back in one buffer (each of `records` is a view into
   * it), when the store read them that way: a pull answer's body as it is.
   */
  body?: Uint8Array;
}

export interface LookedUpMessage {
  raw: Uint8Array;
  record: MessageRecord;
}

export interface QueryMessageResult {
  records: Uint8Array[];
  physicalOffsets: number[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

/**
 * Called once per dispatched ConsumeQueue unit. `queueOffset` is the
 * message's own offset, so the queue's new max offset is `queueOffset + 1`.
 */
export type ArriveListener = (
  topic: string,
  queueId: number,
  queueOffset: number,
  tagsCode: number,
  properties: string,
  storeTimestamp: number,
) => void;

export interface RetentionReport {
  deletedCommitLogFiles: number;
  deletedConsumeQueueFiles: number;
  deletedIndexFiles: number;
  diskFull: boolean;
}

const ABORT_FILE = 'abort';
const CHECKPOINT_FILE = 'checkpoint';
const INVALID_TOPIC = /[/\\\0]|^\.\.?$/;
/** Longest wait for word from the writer thread before looking again (it normally reports every write). */
const WRITE_WATCH_MS = 100;

/**
 * Encoded properties end with `\u0002` (wire §12.1); the few producers that
 * leave it off get it added, which changes no decoded property and lets
 * recovery tell a whole record from one whose tail was never written.
 */
function withTerminatedProperties(message: MessageToPut): MessageToPut {
  const properties = message.properties;
  if (properties.length === 0) return message;
  // The received bytes answer without touching the text: a batch entry's text is a concatenation,
  // and reading one character of it would first copy it into one piece.
  const bytes = receivedPropertiesBytes(message);
  const last = bytes !== undefined ? lastByte(bytes) : properties.charCodeAt(properties.length - 1);
  return last === 2 ? message : { ...message, properties: properties + '\u0002' };
}

function lastByte(bytes: PropertiesBytes): number {
  if (bytes.suffix.length > 0) return bytes.suffix[bytes.suffix.length - 1]!;
  if (bytes.end > bytes.start) return bytes.source[bytes.end - 1]!;
  return bytes.prefix.length > 0 ? bytes.prefix[bytes.prefix.length - 1]! : -1;
}

/** The received bytes of a message's properties, while they still are its properties. */
function receivedPropertiesBytes(message: MessageToPut): PropertiesBytes | undefined {
  const bytes = message.propertiesBytes;
  return bytes !== undefined && bytes.text === message.properties ? bytes : undefined;
}

function propertiesLengthOf(message: MessageToPut): number {
  const bytes = receivedPropertiesBytes(message);
  return bytes !== undefined ? propertiesBytesLength(bytes) : utf8Length(message.properties);
}

/**
 * A refused batch. (A module function, not a closure made per call: the
 * TypeScript loader names every such closure with a property definition,
 * which costs more than the rest of a refusal check.)
 */
function refusedBatch(status: PutMessageStatus, reason: PutRefusalReason): Promise<PutBatchResult> {
  return Promise.resolve({ ...refused(status, reason), offsetMsgIds: [], messageCount: 0 });
}

function refused(status: PutMessageStatus, reason: PutRefusalReason): PutResult {
  return { status, physicalOffset: -1, queueOffset: -1, offsetMsgId: '', wroteBytes: 0, storeTimestamp: 0, reason };
}

/** The puts of one task: answered and dispatched once the write queued for them is in the OS. */
interface WriteGroup {
  /** The log offset the group's write ends at. */
  end: number;
  resolves: ((result: never) => void)[];
  results: (PutResult | PutBatchResult)[];
  flushEnds: number[];
  dispatches: PendingDispatch[];
}

/** One appended record waiting for the turn's write before it is dispatched. */
interface PendingDispatch {
  queue: ConsumeQueue;
  queueOffset: number;
  physicalOffset: number;
  size: number;
  tagsCode: number;
  sysFlag: number;
  storeTimestamp: number;
  properties: string;
  ranges: PropertyRanges;
}

/**
 * The store. Open it with `MessageStore.open(options)`, close it with `close()`.
 *
 * @example
 * const store = await MessageStore.open({ dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost: { address: '10.0.0.1', port: 10911 } });
 * const put = await store.putMessage(message);           // put.status === 'PUT_OK'
 * const got = store.getMessage('T1', 0, put.queueOffset, 32); // got.records[0] is the raw record
 */
export class MessageStore {
  readonly settings: StoreSettings;
  /** What recovery found at open. */
  recovery: RecoveryResult | undefined;
  /** True when the previous run did not close cleanly. */
  abnormalStart = false;
  private readonly commitLog: CommitLog;
  private readonly queues: QueueTable;
  private readonly index: IndexService | undefined;
  private readonly dispatcher: Dispatcher;
  private readonly checkpoint: Checkpoint;
  private readonly flushService: FlushService;
  private readonly retention: RetentionService;
  private readonly reader: MessageReader;
  private readonly storeHostBytes: Uint8Array;
  private readonly offsetMsgIdPrefix: string;
  private readonly hostCache = new Map<string, Uint8Array>();
  private readonly recordInput: MessageRecordInput;
  private closed = false;
  private retentionTimer: NodeJS.Timeout | undefined;
  // The current task's puts share one write, started at the end of the task
  // (process.nextTick): a socket read's worth of sends. A short write is made
  // right there and its answers go out before the next read; a long one runs
  // on the writer thread and its answers follow when it is done. With
  // setImmediate, libuv's read loop (up to 32 reads per poll) let a client's
  // whole window pile up unanswered before any answer left, so broker and
  // client took turns instead of overlapping.
  private tickScheduled = false;
  private pendingResolves: ((result: never) => void)[] = [];
  private pendingResults: (PutResult | PutBatchResult)[] = [];
  private pendingFlushEnds: number[] = [];
  /**
   * Records appended this task, dispatched (ConsumeQueue, index, long-polling
   * wake-up) only once the task's write handed them to the OS: a consumer
   * never sees a record that a crash of this process could still take away.
   */
  private pendingDispatches: PendingDispatch[] = [];
  /**
   * Groups whose write the writer thread has not finished, oldest first. The
   * event loop goes on reading and framing sends while the write runs.
   */
  private writeGroups: WriteGroup[] = [];
  private watchingWrites = false;

  private constructor(options: StoreOptions) {
    this.settings = resolveSettings(options, () => fileSystemUsage(options.dataDir));
    const s = this.settings;
    const storeHostBytes = encodeHostAddress(s.storeHost.address);
    if (!storeHostBytes) throw new TypeError(`storeHost.address must be an IPv4 or IPv6 address, got ${JSON.stringify(s.storeHost.address)}`);
    this.storeHostBytes = storeHostBytes;
    this.offsetMsgIdPrefix = offsetMessageIdPrefix(storeHostBytes, s.storeHost.port);
    fs.mkdirSync(s.dataDir, { recursive: true });
    this.commitLog = new CommitLog(path.join(s.dataDir, 'commitlog'), s.commitLogSegmentBytes, s.commitLogWriterThread);
    this.queues = new QueueTable(path.join(s.dataDir, 'consumequeue'), s.consumeQueueUnitsPerFile);
    this.index = s.messageIndexEnable ? new IndexService(path.join(s.dataDir, 'index'), s.indexHashSlotNum, s.indexNum, s.now) : undefined;
    this.dispatcher = new Dispatcher(this.index, s.log);
    this.checkpoint = new Checkpoint(path.join(s.dataDir, CHECKPOINT_FILE));
    this.flushService = new FlushService(this.commitLog, this.queues, this.index, this.checkpoint, this.dispatcher, s.flushDiskType,
      s.flushIntervalMs, s.syncFlushTimeoutMs, s.consumeQueueFlushIntervalMs, s.log);
    this.retention = new RetentionService(this.commitLog, this.queues, this.index, s, s.log);
    this.reader = new MessageReader(this.commitLog);
    this.recordInput = {
      queueId: 0, flag: 0, queueOffset: 0, physicalOffset: 0, sysFlag: 0, bornTimestamp: 0, bornHost: storeHostBytes, bornPort: 0,
      storeTimestamp: 0, storeHost: storeHostBytes, storePort: s.storeHost.port, reconsumeTimes: 0, preparedTransactionOffset: 0,
      body: new Uint8Array(0), topic: new Uint8Array(0), properties: '', propertiesLength: 0, propertiesBytes: undefined,
      // Left at zero here: the CommitLog seals each record (seal.ts) just before its bytes go to the OS.
      bodyCrc: 0,
    };
  }

  /** Opens (creating if needed) the store in `options.dataDir` and recovers it. */
  static async open(options: StoreOptions): Promise<MessageStore> {
    const store = new MessageStore(options);
    store.load();
    return store;
  }

  private load(): void {
    const s = this.settings;
    const abortPath = path.join(s.dataDir, ABORT_FILE);
    this.abnormalStart = fs.existsSync(abortPath);
    const shortFiles = this.commitLog.load();
    this.queues.load();
    this.index?.load();
    const started = Date.now();
    this.recovery = recover({
      commitLog: this.commitLog, queues: this.queues, index: this.index, dispatcher: this.dispatcher, checkpoint: this.checkpoint,
      abnormal: this.abnormalStart, shortFiles, tagsCodeOf: s.tagsCodeOf, log: s.log,
    });
    s.log.info(`store: ${this.abnormalStart ? 'abnormal' : 'normal'} recovery in ${Date.now() - started} ms, end ${this.recovery.end}, ` +
      `${this.recovery.recordsScanned} record(s) checked from ${this.recovery.scannedFrom}`);
    fs.writeFileSync(abortPath, String(process.pid));
    this.retention.run();
    this.flushService.start();
    this.retentionTimer = setInterval(() => this.runRetention(), s.cleanResourceIntervalMs);
    this.retentionTimer.unref();
  }

  /** Appends one message. Resolves once written (ASYNC_FLUSH) or on disk (SYNC_FLUSH, unless `WAIT=false`). */
  putMessage(message: MessageToPut): Promise<PutResult> {
    message = withTerminatedProperties(message);
    const refusal = this.checkWritable() ?? this.checkMessage(message);
    if (refusal) return Promise.resolve(refusal);
    const topicEntry = this.queues.topicEntry(message.topic);
    const propertiesLength = propertiesLengthOf(message);
    if (propertiesLength > this.settings.propertiesSizeMaxBytes) {
      return Promise.resolve(refused(PutMessageStatus.PROPERTIES_SIZE_EXCEEDED, PutRefusalReason.PROPERTIES_TOO_LARGE));
    }
    const bornHost = this.hostBytes(message.bornHost.address);
    const size = recordSize(message.body.length, topicEntry.topicBytes.length, propertiesLength, bornHost.length, this.storeHostBytes.length);
    const physicalOffset = this.reserve(size);
    if (physicalOffset < 0) return Promise.resolve(MessageStore.refusedReserve(physicalOffset, PutRefusalReason.RECORD_TOO_LARGE));
    const queue = this.queues.queue(message.topic, message.queueId);
    const storeTimestamp = this.settings.now();
    const ranges = propertyRangesOf(message);
    const queueOffset = this.appendRecord(message, ranges, queue, topicEntry.topicBytes, bornHost, propertiesLength, physicalOffset, storeTimestamp);
    const result: PutResult = {
      status: PutMessageStatus.PUT_OK, physicalOffset, queueOffset, wroteBytes: size, storeTimestamp,
      offsetMsgId: offsetMessageIdFromPrefix(this.offsetMsgIdPrefix, physicalOffset),
    };
    return this.answerAfterWrite(result, this.settings.flushDiskType === 'SYNC_FLUSH' && !ranges.waitFalse ? physicalOffset + size : -1);
  }

  /** Appends a batch of messages for one topic-queue as one append, all in one segment. */
  putMessages(messages: MessageToPut[]): Promise<PutBatchResult> {
    const writable = this.checkWritable();
    if (writable) return refusedBatch(writable.status, writable.reason!);
    if (messages.length === 0) return refusedBatch(PutMessageStatus.MESSAGE_ILLEGAL, PutRefusalReason.BATCH_EMPTY);
    const first = messages[0]!;
    const topicEntry = this.queues.topicEntry(first.topic);
    const propertiesLengths: number[] = [];
    const bornHosts: Uint8Array[] = [];
    let total = 0;
    messages = messages.map(withTerminatedProperties);
    // Topic and queue are checked once: every message must share the first one's.
    const invalid = this.checkMessage(first);
    if (invalid) return refusedBatch(invalid.status, invalid.reason!);
    const bodyBytesMax = this.settings.messageSizeMaxBytes;
    // A batch's messages share one born host object: its bytes are looked up once.
    const firstBornHost = this.hostBytes(first.bornHost.address);
    for (const message of messages) {
      if (message.topic !== first.topic || message.queueId !== first.queueId) return refusedBatch(PutMessageStatus.MESSAGE_ILLEGAL, PutRefusalReason.BATCH_MIXED);
      if (message.body.length > bodyBytesMax) return refusedBatch(PutMessageStatus.MESSAGE_ILLEGAL, PutRefusalReason.BODY_TOO_LARGE);
      const propertiesLength = propertiesLengthOf(message);
      if (propertiesLength > this.settings.propertiesSizeMaxBytes) return refusedBatch(PutMessageStatus.PROPERTIES_SIZE_EXCEEDED, PutRefusalReason.PROPERTIES_TOO_LARGE);
      const bornHost = message.bornHost === first.bornHost ? firstBornHost : this.hostBytes(message.bornHost.address);
      propertiesLengths.push(propertiesLength);
      bornHosts.push(bornHost);
      total += recordSize(message.body.length, topicEntry.topicBytes.length, propertiesLength, bornHost.length, this.storeHostBytes.length);
    }
    let physicalOffset = this.reserve(total);
    if (physicalOffset < 0) {
      const refusal = MessageStore.refusedReserve(physicalOffset, PutRefusalReason.BATCH_TOO_LARGE);
      return refusedBatch(refusal.status, refusal.reason!);
    }
    const queue = this.queues.queue(first.topic, first.queueId);
    const storeTimestamp = this.settings.now();
    const offsetMsgIds: string[] = [];
    const firstOffset = physicalOffset;
    let firstQueueOffset = -1;
    let waitFlush = false;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      const ranges = propertyRangesOf(message);
      const queueOffset = this.appendRecord(message, ranges, queue, topicEntry.topicBytes, bornHosts[i]!, propertiesLengths[i]!, physicalOffset, storeTimestamp);
      if (i === 0) firstQueueOffset = queueOffset;
      offsetMsgIds.push(offsetMessageIdFromPrefix(this.offsetMsgIdPrefix, physicalOffset));
      physicalOffset = this.commitLog.writeOffset;
      if (!ranges.waitFalse) waitFlush = true;
    }
    const result: PutBatchResult = {
      status: PutMessageStatus.PUT_OK, physicalOffset: firstOffset, queueOffset: firstQueueOffset, offsetMsgIds,
      wroteBytes: total, storeTimestamp, messageCount: messages.length,
    };
    return this.answerAfterWrite(result, waitFlush && this.settings.flushDiskType === 'SYNC_FLUSH' ? firstOffset + total : -1);
  }

  private checkWritable(): PutResult | undefined {
    if (this.closed) return refused(PutMessageStatus.SERVICE_NOT_AVAILABLE, PutRefusalReason.STORE_CLOSED);
    if (this.flushService.failed !== undefined) return refused(PutMessageStatus.SERVICE_NOT_AVAILABLE, PutRefusalReason.NOT_WRITABLE);
    if (this.retention.diskFull) return refused(PutMessageStatus.SERVICE_NOT_AVAILABLE, PutRefusalReason.DISK_FULL);
    return undefined;
  }

  private checkMessage(message: MessageToPut): PutResult | undefined {
    const topic = message.topic;
    if (!topic) return refused(PutMessageStatus.MESSAGE_ILLEGAL, PutRefusalReason.TOPIC_EMPTY);
    const system = topic.startsWith('%RETRY%') || topic.startsWith('%DLQ%');
    const topicLengthMax = system ? Math.max(this.settings.topicLengthMax, systemTopicLengthMaxDefault) : this.settings.topicLengthMax;
    if (topic.length > topicLengthMax || utf8Length(topic) > topicLengthMax) return refused(PutMessageStatus.MESSAGE_ILLEGAL, PutRefusalReason.TOPIC_TOO_LONG);
    if (INVALID_TOPIC.test(topic)) return refused(PutMessageStatus.MESSAGE_ILLEGAL, PutRefusalReason.TOPIC_INVALID);
    if (!Number.isInteger(message.queueId) || message.queueId < 0 || message.queueId > 0x7fffffff) {
      return refused(PutMessageStatus.MESSAGE_ILLEGAL, PutRefusalReason.QUEUE_ID_INVALID);
    }
    if (message.body.length > this.settings.messageSizeMaxBytes) return refused(PutMessageStatus.MESSAGE_ILLEGAL, PutRefusalReason.BODY_TOO_LARGE);
    return undefined;
  }

  /** The offset to write `size` bytes at; -1 when they never fit a segment, -2 when no segment could be created. */
  private reserve(size: number): number {
    try {
      return this.commitLog.reserve(size);
    } catch (error) {
      this.settings.log.error(`store: cannot create a CommitLog segment: ${String(error)}`);
      return -2;
    }
  }

  private static refusedReserve(physicalOffset: number, tooLarge: PutRefusalReason): PutResult {
    return physicalOffset === -2
      ? refused(PutMessageStatus.CREATE_MAPPED_FILE_FAILED, PutRefusalReason.CREATE_SEGMENT_FAILED)
      : refused(PutMessageStatus.MESSAGE_ILLEGAL, tooLarge);
  }

  /** Encodes one record at `physicalOffset` (already reserved) and queues its dispatch for after the write; returns its queue offset. */
  private appendRecord(
    message: MessageToPut, ranges: PropertyRanges, queue: ConsumeQueue, topicBytes: Uint8Array, bornHost: Uint8Array,
    propertiesLength: number, physicalOffset: number, storeTimestamp: number,
  ): number {
    const transaction = message.sysFlag & 0xc;
    const takesQueueOffset = transaction !== MessageSysFlag.TRANSACTION_PREPARED_TYPE && transaction !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
    const queueOffset = takesQueueOffset ? queue.nextQueueOffset++ : 0;
    const input = this.recordInput;
    input.queueId = message.queueId;
    input.flag = message.flag;
    input.queueOffset = queueOffset;
    input.physicalOffset = physicalOffset;
    input.sysFlag = message.sysFlag;
    input.bornTimestamp = message.bornTimestamp;
    input.bornHost = bornHost;
    input.bornPort = message.bornHost.port;
    input.storeTimestamp = storeTimestamp;
    input.reconsumeTimes = message.reconsumeTimes;
    input.preparedTransactionOffset = message.preparedTransactionOffset;
    input.body = message.body;
    input.topic = topicBytes;
    input.properties = message.properties;
    input.propertiesLength = propertiesLength;
    input.propertiesBytes = receivedPropertiesBytes(message);
    const commitLog = this.commitLog;
    const size = encodeMessageRecord(commitLog.buffer, physicalOffset - commitLog.bufferBase, input, commitLog.view);
    commitLog.commit(size);
    const tagsCode = tagsCodeFor(message.topic, message.properties, storeTimestamp, this.settings.tagsCodeOf, ranges);
    const sysFlag = (message.sysFlag & ~0x30) | (bornHost.length === 16 ? 0x10 : 0) | (this.storeHostBytes.length === 16 ? 0x20 : 0);
    this.pendingDispatches.push({ queue, queueOffset, physicalOffset, size, tagsCode, sysFlag, storeTimestamp, properties: message.properties, ranges });
    return queueOffset;
  }

  private hostBytes(address: string): Uint8Array {
    let bytes = this.hostCache.get(address);
    if (!bytes) {
      bytes = encodeHostAddress(address) ?? new Uint8Array(4);
      if (this.hostCache.size > 4096) this.hostCache.clear();
      this.hostCache.set(address, bytes);
    }
    return bytes;
  }

  private answerAfterWrite<T extends PutResult | PutBatchResult>(result: T, flushEnd: number): Promise<T> {
    if (!this.tickScheduled) {
      this.tickScheduled = true;
      process.nextTick(this.tick);
    }
    return new Promise<T>((resolve) => {
      this.pendingResolves.push(resolve as (result: never) => void);
      this.pendingResults.push(result);
      this.pendingFlushEnds.push(flushEnd);
    });
  }

  /** Queues one write for everything appended this task; its puts are answered once it is done. */
  private readonly tick = (): void => {
    this.tickScheduled = false;
    const group: WriteGroup = {
      end: 0,
      resolves: this.pendingResolves,
      results: this.pendingResults,
      flushEnds: this.pendingFlushEnds,
      dispatches: this.pendingDispatches,
    };
    this.pendingResolves = [];
    this.pendingResults = [];
    this.pendingFlushEnds = [];
    this.pendingDispatches = [];
    try {
      this.commitLog.writePending();
    } catch (error) {
      this.failWrites(error, group);
      return;
    }
    group.end = this.commitLog.writtenOffset;
    this.writeGroups.push(group);
    this.finishWritten();
  };

  /** The writer thread finished a write (or the watch timed out): one watch at a time. */
  private readonly onWriteProgress = (): void => {
    this.watchingWrites = false;
    this.finishWritten();
  };

  /** Answers and dispatches the groups whose bytes are in the OS; watches the writer for the rest. */
  private finishWritten(): void {
    const groups = this.writeGroups;
    if (groups.length === 0) return this.commitLog.releaseWriteWait();
    let written: number;
    try {
      written = this.commitLog.osOffset();
    } catch (error) {
      this.failWrites(error);
      return;
    }
    let done = 0;
    while (done < groups.length && groups[done]!.end <= written) done++;
    if (done > 0) {
      const finished = groups.splice(0, done);
      let waiting = false;
      for (const group of finished) waiting = this.finishGroup(group) || waiting;
      if (waiting) this.flushService.requestFlush();
    }
    if (groups.length > 0) {
      if (!this.watchingWrites) {
        this.watchingWrites = true;
        this.commitLog.onWriteProgress(this.onWriteProgress, WRITE_WATCH_MS);
      }
    } else this.commitLog.releaseWriteWait();
  }

  /** Dispatches a written group's records, then answers its puts (or hands them to the flush); true when some wait for a flush. */
  private finishGroup(group: WriteGroup): boolean {
    const dispatcher = this.dispatcher;
    const dispatches = group.dispatches;
    for (let i = 0; i < dispatches.length; i++) {
      const d = dispatches[i]!;
      dispatcher.dispatch(d.queue, d.queueOffset, d.physicalOffset, d.size, d.tagsCode, d.sysFlag, d.storeTimestamp, d.properties, d.ranges);
    }
    const { resolves, results, flushEnds } = group;
    let waiting = false;
    for (let i = 0; i < resolves.length; i++) {
      if (flushEnds[i]! < 0) resolves[i]!(results[i] as never);
      else {
        this.flushService.waitFor(flushEnds[i]!, results[i]!, resolves[i] as (result: PutResult | PutBatchResult) => void);
        waiting = true;
      }
    }
    return waiting;
  }

  /** A write failed: the store takes no more writes, and every put not yet answered gets UNKNOWN_ERROR. */
  private failWrites(error: unknown, current?: WriteGroup): void {
    this.flushService.failed = error;
    this.settings.log.error(`store: CommitLog write failed: ${String(error)}`);
    const groups = current ? [...this.writeGroups, current] : this.writeGroups;
    this.writeGroups = [];
    this.commitLog.releaseWriteWait();
    for (const group of groups) {
      for (let i = 0; i < group.resolves.length; i++) {
        group.results[i]!.status = PutMessageStatus.UNKNOWN_ERROR;
        group.resolves[i]!(group.results[i] as never);
      }
    }
  }

  /**
   * Up to `maxMsgNums` raw records of a queue from `offset`, within `maxBytes`
   * (at least one record is returned if any matches), filtered by tags code.
   */
  getMessage(topic: string, queueId: number, offset: number, maxMsgNums: number, maxBytes = pullBytesMaxDefault, filter?: MessageFilter): GetMessageResult {
    if (!Number.isInteger(queueId) || queueId < 0) {
      return { status: GetMessageStatus.NO_MATCHED_LOGIC_QUEUE, records: [], queueOffsets: [], nextBeginOffset: 0, minOffset: 0, maxOffset: 0, bufferTotalSize: 0 };
    }
    return this.reader.getMessage(this.queues.find(topic, queueId), offset, Math.max(1, maxMsgNums), maxBytes, filter);
  }

  /** The record at a CommitLog offset, raw and decoded; undefined when there is none. */
  lookMessageByOffset(physicalOffset: number, size?: number): LookedUpMessage | undefined {
    if (size === undefined) {
      const head = this.commitLog.read(physicalOffset, 8);
      if (!head) return undefined;
      size = new DataView(head.buffer, head.byteOffset, 8).getInt32(0);
    }
    if (size < 91 || size > this.commitLog.segmentBytes) return undefined;
    const raw = this.commitLog.read(physicalOffset, size);
    if (!raw || inspectRecord(raw, 0, raw.length, false) !== size) return undefined;
    const record = decodeMessageRecord(raw, 0, false);
    return record ? { raw, record } : undefined;
  }

  /** Messages of `topic` whose `KEYS` or `UNIQ_KEY` is `key`, stored within [begin, end], newest first. */
  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): QueryMessageResult {
    const result: QueryMessageResult = { records: [], physicalOffsets: [], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 };
    const index = this.index;
    if (!index) return result;
    const last = index.files.at(-1);
    if (last) {
      result.indexLastUpdateTimestamp = last.header.endTimestamp;
      result.indexLastUpdatePhyoffset = last.header.endPhyOffset;
    }
    // The index may hold hash collisions and entries of records lost in a crash: check each hit.
    for (const physicalOffset of index.query(topic, key, maxNum * 2, beginTimestamp, endTimestamp)) {
      if (result.records.length >= maxNum) break;
      const found = this.lookMessageByOffset(physicalOffset);
      if (!found || found.record.topic !== topic || result.physicalOffsets.includes(physicalOffset)) continue;
      const properties = found.record.properties;
      const keys = findProperty(properties, 'KEYS');
      if (findProperty(properties, 'UNIQ_KEY') !== key && !(keys && keys.split(' ').includes(key))) continue;
      result.records.push(found.raw);
      result.physicalOffsets.push(physicalOffset);
    }
    return result;
  }

  /** The message of `topic` whose `UNIQ_KEY` is `uniqueKey`. */
  lookMessageByUniqueKey(topic: string, uniqueKey: string): LookedUpMessage | undefined {
    for (const physicalOffset of this.queryMessage(topic, uniqueKey, 32, 0, Number.MAX_SAFE_INTEGER).physicalOffsets) {
      const found = this.lookMessageByOffset(physicalOffset);
      if (found && findProperty(found.record.properties, 'UNIQ_KEY') === uniqueKey) return found;
    }
    return undefined;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.minOffset ?? 0;
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.find(topic, queueId)?.maxOffset ?? 0;
  }

  /** Store time of the message at a queue offset; -1 when there is none. */
  getMessageStoreTimestamp(topic: string, queueId: number, offset: number): number {
    const queue = this.queues.find(topic, queueId);
    if (!queue) return -1;
    const unit = new Uint8Array(CQ_STORE_UNIT_SIZE);
    if (queue.readUnits(offset, 1, unit) !== 1) return -1;
    const view = new DataView(unit.buffer);
    return this.storeTimestampAt(readInt64(view, 0));
  }

  private storeTimestampAt(physicalOffset: number): number {
    const head = this.commitLog.read(physicalOffset, 68);
    return head ? recordStoreTimestamp(head, 0) : -1;
  }

  /**
   * The first queue offset whose message was stored at or after `timestamp`
   * (the max offset when all are earlier, the min offset when all are later).
   */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number {
    const queue = this.queues.find(topic, queueId);
    if (!queue) return 0;
    let low = queue.minOffset;
    let high = queue.maxOffset;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const time = this.getMessageStoreTimestamp(topic, queueId, middle);
      if (time >= timestamp || time < 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** Store time of the oldest message of a queue, or of the whole CommitLog without arguments; -1 when none. */
  getEarliestMessageTime(topic?: string, queueId?: number): number {
    if (topic !== undefined && queueId !== undefined) return this.getMessageStoreTimestamp(topic, queueId, this.getMinOffsetInQueue(topic, queueId));
    const minOffset = this.commitLog.minOffset();
    return minOffset < this.commitLog.writeOffset ? this.storeTimestampAt(minOffset) : -1;
  }

  getMinPhyOffset(): number {
    return this.commitLog.minOffset();
  }

  getMaxPhyOffset(): number {
    return this.commitLog.writeOffset;
  }

  /** What writing the CommitLog into the OS has cost so far (for runtime info and benchmarks). */
  commitLogWriteStats(): CommitLogWriteStats {
    return this.commitLog.writeStats();
  }

  /** Topics with at least one ConsumeQueue. */
  topics(): string[] {
    return [...this.queues.topics.entries()].filter(([, entry]) => entry.queues.some(Boolean)).map(([topic]) => topic);
  }

  queueIds(topic: string): number[] {
    const ids: number[] = [];
    this.queues.topics.get(topic)?.queues.forEach((queue, id) => queue && ids.push(id));
    return ids;
  }

  /** Removes the ConsumeQueues of these topics (their records stay in the CommitLog until retention). */
  deleteTopics(topics: Iterable<string>): number {
    let deleted = 0;
    for (const topic of topics) if (this.queues.deleteTopic(topic)) deleted++;
    return deleted;
  }

  /** Registers an arrival listener; returns a function that removes it. */
  onArrive(listener: ArriveListener): () => void {
    this.dispatcher.listeners.push(listener);
    return () => {
      const at = this.dispatcher.listeners.indexOf(listener);
      if (at >= 0) this.dispatcher.listeners.splice(at, 1);
    };
  }

  /** Forces everything appended so far to disk and advances the checkpoint. */
  async flush(): Promise<void> {
    this.commitLog.writePending();
    const timestamp = this.dispatcher.lastStoreTimestamp;
    const flushed = await this.commitLog.flush();
    this.checkpoint.values.physicFlushedOffset = flushed;
    this.checkpoint.values.physicMsgTimestamp = timestamp;
    await this.flushService.flushLogics();
  }

  /** Runs retention now (it also runs every `cleanResourceIntervalMs`). */
  runRetention(): RetentionReport {
    try {
      return this.retention.run();
    } catch (error) {
      this.settings.log.error(`store: retention failed: ${String(error)}`);
      return { deletedCommitLogFiles: 0, deletedConsumeQueueFiles: 0, deletedIndexFiles: 0, diskFull: this.retention.diskFull };
    }
  }

  /** Bytes appended but not yet dispatched (records are dispatched once the write that follows their append is done). */
  dispatchBehindBytes(): number {
    return this.commitLog.writeOffset - this.dispatcher.dispatchedOffset;
  }

  /** Flushes everything, writes the checkpoint, removes the abort file and closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retentionTimer);
    this.flushService.stop();
    this.tick();
    await this.flushService.drain();
    this.commitLog.flushSync();
    this.finishWritten();
    this.flushService.releaseWaiters(this.commitLog.flushedOffset);
    const end = this.commitLog.writeOffset;
    for (const queue of this.queues.all()) queue.writeOut();
    this.index?.writeOut();
    await Promise.all([...[...this.queues.all()].flatMap((queue) => queue.syncFiles()), this.index?.sync()]);
    const values = this.checkpoint.values;
    values.physicFlushedOffset = values.logicsDispatchedOffset = values.indexDispatchedOffset = end;
    values.physicMsgTimestamp = values.logicsMsgTimestamp = values.indexMsgTimestamp = this.dispatcher.lastStoreTimestamp;
    this.checkpoint.write();
    this.checkpoint.sync();
    this.checkpoint.close();
    this.queues.close();
    this.index?.close();
    this.commitLog.close();
    fs.rmSync(path.join(this.settings.dataDir, ABORT_FILE), { force: true });
  }
}
