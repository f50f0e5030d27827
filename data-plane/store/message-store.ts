/**
 * The broker's message store: one CommitLog, a ConsumeQueue per topic-queue
 * and IndexFiles, in RocketMQ's on-disk design and record format. The public
 * shapes come first; the class below ties the parts together.
 */
import type { MessageRecord } from '../../sdk/protocol/message-record.ts';
import type { GetMessageStatus, PutMessageStatus, PutRefusalReason } from './status.ts';

export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

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

/**
 * The store. Open it with `MessageStore.open(options)`, close it with `close()`.
 *
 * @example
 * const store = await MessageStore.open({ dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost: { address: '10.0.0.1', port: 10911 } });
 * const put = await store.putMessage(message);
 * const got = store.getMessage('T1', 0, 0, 32);
 */
export declare class MessageStore {
  static open(options: StoreOptions): Promise<MessageStore>;
  putMessage(message: MessageToPut): Promise<PutResult>;
  putMessages(messages: MessageToPut[]): Promise<PutBatchResult>;
  getMessage(topic: string, queueId: number, offset: number, maxMsgNums: number, maxBytes?: number, filter?: MessageFilter): GetMessageResult;
  lookMessageByOffset(physicalOffset: number, size?: number): LookedUpMessage | undefined;
  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): QueryMessageResult;
  lookMessageByUniqueKey(topic: string, uniqueKey: string): LookedUpMessage | undefined;
  getMinOffsetInQueue(topic: string, queueId: number): number;
  getMaxOffsetInQueue(topic: string, queueId: number): number;
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number;
  getEarliestMessageTime(topic?: string, queueId?: number): number;
  getMessageStoreTimestamp(topic: string, queueId: number, offset: number): number;
  getMinPhyOffset(): number;
  getMaxPhyOffset(): number;
  topics(): string[];
  queueIds(topic: string): number[];
  deleteTopics(topics: Iterable<string>): number;
  onArrive(listener: ArriveListener): () => void;
  flush(): Promise<void>;
  runRetention(): RetentionReport;
  close(): Promise<void>;
}
