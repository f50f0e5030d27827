/**
 * RocketMQ's bit-field flag sets: MessageSysFlag (a record's and a send's
 * `sysFlag`), PermName (topic and broker permissions), TopicSysFlag,
 * SubscriptionSysFlag and PullSysFlag (a pull request's `sysFlag`).
 */

export const MessageSysFlag = {
  COMPRESSED_FLAG: 0x1,
  /** Set by the broker when the topic's filter type is MULTI_TAG. */
  MULTI_TAGS_FLAG: 0x2,
  TRANSACTION_NOT_TYPE: 0x0,
  TRANSACTION_PREPARED_TYPE: 0x4,
  TRANSACTION_COMMIT_TYPE: 0x8,
  TRANSACTION_ROLLBACK_TYPE: 0xc,
  /** Born host stored as a 16-byte IPv6 address. */
  BORNHOST_V6_FLAG: 0x10,
  /** Store host stored as a 16-byte IPv6 address. */
  STOREHOSTADDRESS_V6_FLAG: 0x20,
  NEED_UNWRAP_FLAG: 0x40,
  INNER_BATCH_FLAG: 0x80,
  /** Compression type bits 8–10; 0 (older clients) also means ZLIB. */
  COMPRESSION_LZ4_TYPE: 0x100,
  COMPRESSION_ZSTD_TYPE: 0x200,
  COMPRESSION_ZLIB_TYPE: 0x300,
} as const;

const transactionMask = 0xc;
const compressionTypeMask = 0x700;

export type TransactionType = 'NOT_TYPE' | 'PREPARED' | 'COMMIT' | 'ROLLBACK';
const transactionTypes: readonly TransactionType[] = ['NOT_TYPE', 'PREPARED', 'COMMIT', 'ROLLBACK'];

/** The transaction type bits (2–3) of a sysFlag. */
export function transactionValue(sysFlag: number): number {
  return sysFlag & transactionMask;
}

export function transactionType(sysFlag: number): TransactionType {
  return transactionTypes[(sysFlag & transactionMask) >>> 2]!;
}

/** The sysFlag with its transaction bits replaced by `type` (one of the TRANSACTION_* values). */
export function resetTransactionValue(sysFlag: number, type: number): number {
  return (sysFlag & ~transactionMask) | (type & transactionMask);
}

export type CompressionType = 'ZLIB' | 'LZ4' | 'ZSTD';

/**
 * The compression of a compressed body. Type 0 is what clients before the
 * compression-type bits sent, and they only knew ZLIB.
 */
export function compressionType(sysFlag: number): CompressionType | undefined {
  switch (sysFlag & compressionTypeMask) {
    case 0:
    case MessageSysFlag.COMPRESSION_ZLIB_TYPE:
      return 'ZLIB';
    case MessageSysFlag.COMPRESSION_LZ4_TYPE:
      return 'LZ4';
    case MessageSysFlag.COMPRESSION_ZSTD_TYPE:
      return 'ZSTD';
    default:
      return undefined;
  }
}

export function isCompressed(sysFlag: number): boolean {
  return (sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0;
}

export const PermName = {
  PERM_INHERIT: 0x1,
  PERM_WRITE: 0x2,
  PERM_READ: 0x4,
  PERM_PRIORITY: 0x8,
} as const;

/** Read and write: the normal permission of a topic. */
export const permReadWrite = PermName.PERM_READ | PermName.PERM_WRITE;

export function isReadable(perm: number): boolean {
  return (perm & PermName.PERM_READ) !== 0;
}

export function isWriteable(perm: number): boolean {
  return (perm & PermName.PERM_WRITE) !== 0;
}

export function isInherited(perm: number): boolean {
  return (perm & PermName.PERM_INHERIT) !== 0;
}

/** Topic perms an admin may set are below PERM_PRIORITY. */
export function isValidTopicPerm(perm: number): boolean {
  return Number.isInteger(perm) && perm >= 0 && perm < PermName.PERM_PRIORITY;
}

/** A perm as RocketMQ's tools print it: `RWX`-style, `-` for a missing bit. */
export function permToString(perm: number): string {
  return (isReadable(perm) ? 'R' : '-') + (isWriteable(perm) ? 'W' : '-') + (isInherited(perm) ? 'X' : '-');
}

export const TopicSysFlag = {
  FLAG_UNIT: 0x1,
  FLAG_UNIT_SUB: 0x2,
} as const;

export const SubscriptionSysFlag = {
  FLAG_UNIT: 0x1,
} as const;

export const PullSysFlag = {
  /** Store `commitOffset` as the group's offset (first processing only). */
  FLAG_COMMIT_OFFSET: 0x1,
  /** Long polling allowed when nothing is found. */
  FLAG_SUSPEND: 0x2,
  /** Use this header's `subscription`/`expressionType`, not the heartbeat's. */
  FLAG_SUBSCRIPTION: 0x4,
  FLAG_CLASS_FILTER: 0x8,
  /** Lite pull consumer; the Java client sends LITE_PULL_MESSAGE then. */
  FLAG_LITE_PULL_MESSAGE: 0x10,
} as const;

/** A pull sysFlag from its parts, as the Java client builds it. */
export function buildPullSysFlag(options: {
  commitOffset: boolean;
  suspend: boolean;
  subscription: boolean;
  classFilter?: boolean;
  litePull?: boolean;
}): number {
  let flag = 0;
  if (options.commitOffset) flag |= PullSysFlag.FLAG_COMMIT_OFFSET;
  if (options.suspend) flag |= PullSysFlag.FLAG_SUSPEND;
  if (options.subscription) flag |= PullSysFlag.FLAG_SUBSCRIPTION;
  if (options.classFilter) flag |= PullSysFlag.FLAG_CLASS_FILTER;
  if (options.litePull) flag |= PullSysFlag.FLAG_LITE_PULL_MESSAGE;
  return flag;
}

/** The flag without FLAG_COMMIT_OFFSET, as a broker re-runs a held pull. */
export function clearCommitOffsetFlag(sysFlag: number): number {
  return sysFlag & ~PullSysFlag.FLAG_COMMIT_OFFSET;
}

export function hasPullFlag(sysFlag: number, bit: number): boolean {
  return (sysFlag & bit) !== 0;
}
