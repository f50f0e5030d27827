/**
 * Recovery after clean shutdowns, crashes and damage. A crash is staged by
 * closing the store, then putting back the `abort` file and zeroing the
 * checkpoint, which is what the disk looks like when a process dies before
 * its first checkpoint: recovery must then verify every record by length and
 * CRC, cut the log at the first bad one and rebuild queues and index to match.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessageRecord } from '../../sdk/protocol/message-record.ts';
import { MessageStore, type PutResult, type StoreOptions } from './message-store.ts';
import { GetMessageStatus, PutMessageStatus } from './status.ts';
import { message, storeHost, temporaryDirectory } from './test-support.ts';

const opened: MessageStore[] = [];
async function openStore(dataDir: string, options: Partial<StoreOptions> = {}): Promise<MessageStore> {
  const store = await MessageStore.open({ dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost, commitLogSegmentBytes: 8192, consumeQueueUnitsPerFile: 16, indexHashSlotNum: 128, indexNum: 64, ...options });
  opened.push(store);
  return store;
}
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function stageCrash(dataDir: string): void {
  fs.writeFileSync(path.join(dataDir, 'abort'), '1');
  fs.writeFileSync(path.join(dataDir, 'checkpoint'), new Uint8Array(4096));
}

function bodies(store: MessageStore, queueId = 0): string[] {
  const out: string[] = [];
  let offset = store.getMinOffsetInQueue('T1', queueId);
  while (offset < store.getMaxOffsetInQueue('T1', queueId)) {
    const got = store.getMessage('T1', queueId, offset, 1000, 1 << 30);
    for (const record of got.records) out.push(new TextDecoder().decode(decodeMessageRecord(record)!.body));
    offset = got.nextBeginOffset;
  }
  return out;
}

async function fill(store: MessageStore, count: number): Promise<PutResult[]> {
  const results: PutResult[] = [];
  for (let i = 0; i < count; i++) results.push(await store.putMessage(message('T1', i % 2, `message-${i}-${'x'.repeat(i * 7 % 300)}`, `KEYS\u0001k${i}\u0002`)));
  return results;
}

describe('store recovery', () => {
  it('restarts after a clean close with every message, offset and key in place', async () => {
    const dataDir = temporaryDirectory();
    let store = await openStore(dataDir);
    const puts = await fill(store, 60);
    const before = [bodies(store, 0), bodies(store, 1)];
    await store.close();
    expect(fs.existsSync(path.join(dataDir, 'abort'))).toBe(false);
    store = await openStore(dataDir);
    expect(store.abnormalStart).toBe(false);
    expect([bodies(store, 0), bodies(store, 1)]).toEqual(before);
    expect(store.getMaxPhyOffset()).toBe(puts.at(-1)!.physicalOffset + puts.at(-1)!.wroteBytes);
    expect(store.queryMessage('T1', 'k42', 4, 0, Date.now() + 1000).physicalOffsets).toEqual([puts[42]!.physicalOffset]);
    const next = await store.putMessage(message('T1', 0, 'after'));
    expect(next.queueOffset).toBe(30);
  });

  it('rebuilds lost ConsumeQueues and index from the CommitLog after a crash', async () => {
    const dataDir = temporaryDirectory();
    let store = await openStore(dataDir);
    const puts = await fill(store, 40);
    const before = bodies(store, 1);
    await store.close();
    stageCrash(dataDir);
    fs.rmSync(path.join(dataDir, 'consumequeue'), { recursive: true });
    fs.rmSync(path.join(dataDir, 'index'), { recursive: true });
    store = await openStore(dataDir);
    expect(store.abnormalStart).toBe(true);
    expect(bodies(store, 1)).toEqual(before);
    expect(store.getMaxOffsetInQueue('T1', 0)).toBe(20);
    expect(store.queryMessage('T1', 'k7', 4, 0, Date.now() + 1000).physicalOffsets).toEqual([puts[7]!.physicalOffset]);
  });

  it('detects a flipped byte in the tail by CRC on crash recovery and cuts the log there', async () => {
    const dataDir = temporaryDirectory();
    let store = await openStore(dataDir);
    const puts = await fill(store, 30);
    await store.close();
    stageCrash(dataDir);
    const victim = puts[27]!;
    const segmentBytes = 8192;
    const file = path.join(dataDir, 'commitlog', String(victim.physicalOffset - (victim.physicalOffset % segmentBytes)).padStart(20, '0'));
    const fd = fs.openSync(file, 'r+');
    const bodyAt = (victim.physicalOffset % segmentBytes) + 90; // the body starts at 88
    const byte = new Uint8Array(1);
    fs.readSync(fd, byte, 0, 1, bodyAt);
    byte[0] ^= 0x40;
    fs.writeSync(fd, byte, 0, 1, bodyAt);
    fs.closeSync(fd);
    store = await openStore(dataDir);
    expect(store.getMaxPhyOffset()).toBe(victim.physicalOffset);
    expect(store.getMaxOffsetInQueue('T1', 1)).toBe(13); // messages 1,3,…,25 remain in queue 1
    expect(store.getMaxOffsetInQueue('T1', 0)).toBe(14); // 0,2,…,26
    expect(bodies(store, 0).at(-1)).toMatch(/^message-26-/);
    expect(store.lookMessageByOffset(victim.physicalOffset)).toBeUndefined();
    const next = await store.putMessage(message('T1', 1, 'replacement'));
    expect(next).toMatchObject({ status: PutMessageStatus.PUT_OK, physicalOffset: victim.physicalOffset, queueOffset: 13 });
    expect(store.queryMessage('T1', 'k27', 4, 0, Date.now() + 1000).records).toEqual([]);
  });

  it('cuts a segment truncated in the middle of a record back to the last whole record', async () => {
    const dataDir = temporaryDirectory();
    let store = await openStore(dataDir);
    const puts = await fill(store, 30);
    await store.close();
    const last = puts.at(-1)!;
    const file = path.join(dataDir, 'commitlog', String(last.physicalOffset - (last.physicalOffset % 8192)).padStart(20, '0'));
    fs.truncateSync(file, (last.physicalOffset % 8192) + Math.floor(last.wroteBytes / 2));
    store = await openStore(dataDir);
    expect(store.getMaxPhyOffset()).toBe(last.physicalOffset);
    expect(fs.statSync(file).size).toBe(8192);
    expect(bodies(store, 1).at(-1)).toMatch(/^message-27-/);
    expect(store.getMessage('T1', 1, 14, 1).status).toBe(GetMessageStatus.OFFSET_OVERFLOW_ONE);
  });

  it('starts empty when the CommitLog is gone, dropping stale ConsumeQueues', async () => {
    const dataDir = temporaryDirectory();
    let store = await openStore(dataDir);
    await fill(store, 10);
    await store.close();
    fs.rmSync(path.join(dataDir, 'commitlog'), { recursive: true });
    store = await openStore(dataDir);
    expect(store.getMaxOffsetInQueue('T1', 0)).toBe(0);
    expect((await store.putMessage(message('T1', 0, 'fresh'))).queueOffset).toBe(0);
  });
});
