import { describe, expect, it } from 'vitest';
import {
  MessageSysFlag,
  PullSysFlag,
  buildPullSysFlag,
  clearCommitOffsetFlag,
  compressionType,
  isValidTopicPerm,
  permToString,
  resetTransactionValue,
  transactionType,
} from './flags.ts';

describe('MessageSysFlag', () => {
  it('reads and replaces the transaction bits without touching the others', () => {
    const flag = MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.TRANSACTION_PREPARED_TYPE | MessageSysFlag.COMPRESSION_ZLIB_TYPE;
    expect(transactionType(flag)).toBe('PREPARED');
    const committed = resetTransactionValue(flag, MessageSysFlag.TRANSACTION_COMMIT_TYPE);
    expect(transactionType(committed)).toBe('COMMIT');
    expect(committed & ~0xc).toBe(flag & ~0xc);
  });

  it('reads compression type 0 as ZLIB, as older clients meant it', () => {
    expect(compressionType(MessageSysFlag.COMPRESSED_FLAG)).toBe('ZLIB');
    expect(compressionType(MessageSysFlag.COMPRESSION_LZ4_TYPE)).toBe('LZ4');
    expect(compressionType(MessageSysFlag.COMPRESSION_ZSTD_TYPE)).toBe('ZSTD');
    expect(compressionType(0x400)).toBeUndefined();
  });
});

describe('PermName', () => {
  it('accepts perms below PERM_PRIORITY only', () => {
    expect(isValidTopicPerm(7)).toBe(true);
    expect(isValidTopicPerm(8)).toBe(false);
    expect(permToString(6)).toBe('RW-');
  });
});

describe('PullSysFlag', () => {
  it('builds the Java push consumer flag and clears the commit bit for a re-run', () => {
    const flag = buildPullSysFlag({ commitOffset: true, suspend: true, subscription: false });
    expect(flag).toBe(PullSysFlag.FLAG_COMMIT_OFFSET | PullSysFlag.FLAG_SUSPEND);
    expect(clearCommitOffsetFlag(flag)).toBe(PullSysFlag.FLAG_SUSPEND);
  });
});
