import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessageRecord, inspectRecord } from '../../sdk/protocol/message-record.ts';
import { MessageStore, type StoreOptions } from './message-store.ts';
import { GetMessageStatus, PutMessageStatus } from './status.ts';
import { message, storeHost, temporaryDirectory } from './test-support.ts';

const open: MessageStore[] = [];
async function openStore(options: Partial<StoreOptions> & { dataDir: string }): Promise<MessageStore> {
  const store = await MessageStore.open({ flushDiskType: 'ASYNC_FLUSH', storeHost, ...options });
  open.push(store);
  return store;
}
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

const text = (bytes: Uint8Array) => new TextDecoder().decode(decodeMessageRecord(bytes)!.body);

describe('MessageStore put and get', () => {
  it('assigns physical and queue offsets and serves the raw record back', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    const first = await store.putMessage(message('T1', 1, 'hi', 'TAGS\u0001A\u0002'));
    const second = await store.putMessage(message('T1', 1, 'there'));
    expect(first).toMatchObject({ status: PutMessageStatus.PUT_OK, physicalOffset: 0, queueOffset: 0 });
    expect(second.queueOffset).toBe(1);
    expect(second.physicalOffset).toBe(first.wroteBytes);
    expect(first.offsetMsgId).toBe('0A00000100002A9F0000000000000000');
    const got = store.getMessage('T1', 1, 0, 32);
    expect(got.status).toBe(GetMessageStatus.FOUND);
    expect(got.records.map(text)).toEqual(['hi', 'there']);
    expect(got.nextBeginOffset).toBe(2);
    const record = decodeMessageRecord(got.records[0]!)!;
    expect(record).toMatchObject({ topic: 'T1', queueId: 1, queueOffset: 0, physicalOffset: 0, storeHost, properties: 'TAGS\u0001A\u0002' });
  });

  it('shows a record to readers and arrival listeners only once its bytes were written to the file', async () => {
    const dataDir = temporaryDirectory();
    const store = await openStore({ dataDir });
    const arrivals: number[] = [];
    store.onArrive((_topic, _queueId, queueOffset) => arrivals.push(queueOffset));
    const put = store.putMessage(message('T1', 0, 'not yet'));
    // Same turn: the record is encoded in memory only, so nobody may see it.
    expect(store.getMessage('T1', 0, 0, 32).status).toBe(GetMessageStatus.NO_MESSAGE_IN_QUEUE);
    expect(arrivals).toEqual([]);
    const result = await put;
    expect(arrivals).toEqual([0]);
    expect(store.getMessage('T1', 0, 0, 32).records.map(text)).toEqual(['not yet']);
    const segment = fs.readdirSync(path.join(dataDir, 'commitlog'))[0]!;
    const onDisk = fs.readFileSync(path.join(dataDir, 'commitlog', segment)).subarray(0, result.wroteBytes);
    expect(text(onDisk)).toBe('not yet');
  });

  it('answers and shows a batch too long to write on the event loop only once the writer thread wrote it', async () => {
    const dataDir = temporaryDirectory();
    const store = await openStore({ dataDir });
    const arrivals: number[] = [];
    store.onArrive((_topic, _queueId, queueOffset) => arrivals.push(queueOffset));
    // 2 MiB in one task: far past what the event loop writes itself, so it goes to the writer thread.
    const bodies = Array.from({ length: 8 }, (_, i) => String.fromCharCode(97 + i).repeat(256 * 1024));
    let answered = false;
    const put = store.putMessages(bodies.map((body) => message('T1', 0, body))).then((result) => {
      answered = true;
      return result;
    });
    await Promise.resolve();
    expect(answered).toBe(false);
    expect(store.getMessage('T1', 0, 0, 32).status).toBe(GetMessageStatus.NO_MESSAGE_IN_QUEUE);
    expect(arrivals).toEqual([]);
    const result = await put;
    expect(result.status).toBe(PutMessageStatus.PUT_OK);
    expect(arrivals).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(store.getMessage('T1', 0, 0, 32, 64 * 1024 * 1024).records.map(text)).toEqual(bodies);
    const segment = fs.readdirSync(path.join(dataDir, 'commitlog'))[0]!;
    const onDisk = fs.readFileSync(path.join(dataDir, 'commitlog', segment)).subarray(0, result.wroteBytes);
    expect(text(onDisk.subarray(result.physicalOffset))).toBe(bodies[0]);
    expect(onDisk.subarray(0, result.wroteBytes).includes(Buffer.from(bodies[7]!))).toBe(true);
  });

  for (const commitLogWriterThread of ['never', 'always', 'auto'] as const) {
    it(`writes records with their body CRC, written by ${commitLogWriterThread === 'auto' ? 'either thread' : commitLogWriterThread === 'never' ? 'the event loop' : 'the writer thread'}`, async () => {
      const dataDir = temporaryDirectory();
      const store = await openStore({ dataDir, commitLogWriterThread, commitLogSegmentBytes: 64 * 1024 });
      const bodies: string[] = [];
      const puts: Promise<{ status: PutMessageStatus }>[] = [];
      // Single puts and batches, small and large, over two segments (so a blank marker too).
      for (let i = 0; i < 40; i++) {
        const body = String.fromCharCode(97 + (i % 26)).repeat(i % 5 === 0 ? 20_000 : 1 + i * 37);
        bodies.push(body, `${body}!`);
        puts.push(store.putMessage(message('T1', 0, body)), store.putMessages([message('T1', 0, `${body}!`)]));
      }
      expect((await Promise.all(puts)).every((put) => put.status === PutMessageStatus.PUT_OK)).toBe(true);
      await store.close();
      const seen: string[] = [];
      for (const name of fs.readdirSync(path.join(dataDir, 'commitlog')).sort()) {
        const file = fs.readFileSync(path.join(dataDir, 'commitlog', name));
        let at = 0;
        for (;;) {
          const size = inspectRecord(file, at, file.length, true);
          if (size < 0) break;
          if (size === 0) {
            expect(file.subarray(at).every((b) => b === 0), `a record at ${name}+${at} fails its CRC`).toBe(true);
            break;
          }
          seen.push(text(file.subarray(at, at + size)));
          at += size;
        }
      }
      expect(seen.sort()).toEqual(bodies.sort());
    });
  }

  it('refuses an unknown writer thread mode', async () => {
    await expect(
      MessageStore.open({ dataDir: temporaryDirectory(), flushDiskType: 'ASYNC_FLUSH', storeHost, commitLogWriterThread: 'sometimes' as never }),
    ).rejects.toThrow('commitLogWriterThread must be auto, always or never, got sometimes');
  });

  it('reports RocketMQ statuses at and around the queue bounds', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    expect(store.getMessage('T1', 0, 0, 1).status).toBe(GetMessageStatus.NO_MESSAGE_IN_QUEUE);
    expect(store.getMessage('T1', -1, 0, 1).status).toBe(GetMessageStatus.NO_MATCHED_LOGIC_QUEUE);
    await store.putMessage(message('T1', 0, 'a'));
    expect(store.getMessage('T1', 0, 1, 1)).toMatchObject({ status: GetMessageStatus.OFFSET_OVERFLOW_ONE, nextBeginOffset: 1 });
    expect(store.getMessage('T1', 0, 5, 1)).toMatchObject({ status: GetMessageStatus.OFFSET_OVERFLOW_BADLY, nextBeginOffset: 0 });
  });

  it('filters by tags code and says NO_MATCHED_MESSAGE when nothing matches', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    await store.putMessage(message('T1', 0, 'a', 'TAGS\u0001TagA\u0002'));
    await store.putMessage(message('T1', 0, 'b', 'TAGS\u0001TagB\u0002'));
    const onlyA = { isMatchedByConsumeQueue: (code: number) => code === 2598919 };
    expect(store.getMessage('T1', 0, 0, 32, undefined, onlyA).records.map(text)).toEqual(['a']);
    const none = store.getMessage('T1', 0, 0, 32, undefined, { isMatchedByConsumeQueue: () => false });
    expect(none).toMatchObject({ status: GetMessageStatus.NO_MATCHED_MESSAGE, nextBeginOffset: 2 });
    const byProperties = { isMatchedByConsumeQueue: () => true, isMatchedByCommitLog: (p: string) => p.includes('TagB') };
    expect(store.getMessage('T1', 0, 0, 32, undefined, byProperties).records.map(text)).toEqual(['b']);
  });

  it('stops at maxBytes but always returns at least one record', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    for (let i = 0; i < 5; i++) await store.putMessage(message('T1', 0, 'x'.repeat(100)));
    const one = store.getMessage('T1', 0, 0, 32, 10);
    expect(one.records).toHaveLength(1);
    expect(one.nextBeginOffset).toBe(1);
    const two = store.getMessage('T1', 0, 0, 32, 2 * one.bufferTotalSize);
    expect(two.records).toHaveLength(2);
  });

  it('gives PREPARED and ROLLBACK records queue offset 0 without a ConsumeQueue unit', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    await store.putMessage(message('T1', 0, 'normal'));
    const prepared = await store.putMessage(message('T1', 0, 'half', '', 0x4));
    const rollback = await store.putMessage(message('T1', 0, 'rb', '', 0xc));
    const commit = await store.putMessage(message('T1', 0, 'commit', '', 0x8));
    expect([prepared.queueOffset, rollback.queueOffset, commit.queueOffset]).toEqual([0, 0, 1]);
    expect(store.getMaxOffsetInQueue('T1', 0)).toBe(2);
    expect(store.getMessage('T1', 0, 0, 32).records.map(text)).toEqual(['normal', 'commit']);
    expect(text(store.lookMessageByOffset(prepared.physicalOffset)!.raw)).toBe('half');
  });

  it('reads a pull into one body: adjacent records in place, records among those of other queues copied out', async () => {
    // Segments of 64 KiB: a pull spans the files written out and the unwritten tail of the write buffer.
    const store = await openStore({ dataDir: temporaryDirectory(), commitLogSegmentBytes: 64 * 1024 });
    const expected: Record<number, string[]> = { 0: [], 1: [], 2: [] };
    for (let i = 0; i < 300; i++) {
      // Queue 2 gets ten adjacent records first; then queue 0 runs of three adjacent records and queue 1 one record between them.
      const queueId = i < 10 ? 2 : i % 4 === 3 ? 1 : 0;
      const body = `q${queueId}-${i}-${'x'.repeat(200 + (i % 7) * 40)}`;
      expected[queueId]!.push(body);
      await store.putMessage(message('T1', queueId, body));
    }
    for (const queueId of [0, 1, 2]) {
      const got = store.getMessage('T1', queueId, 0, 1000, 1 << 30);
      expect(got.records.map(text)).toEqual(expected[queueId]);
      expect(got.queueOffsets).toEqual(expected[queueId]!.map((_, at) => at));
      // The body is the records back to back, and each record is a view into it.
      const joined = Buffer.concat(got.records);
      expect(got.body && Buffer.from(got.body).equals(joined)).toBe(true);
      expect(got.bufferTotalSize).toBe(joined.length);
      expect(got.records.every((record) => record.buffer === got.body!.buffer)).toBe(true);
    }
  });

  it('appends a batch as one append with consecutive queue offsets', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    await store.putMessage(message('T1', 2, 'before'));
    const batch = await store.putMessages([message('T1', 2, 'b0'), message('T1', 2, 'b1'), message('T1', 2, 'b2')]);
    expect(batch).toMatchObject({ status: PutMessageStatus.PUT_OK, queueOffset: 1, messageCount: 3 });
    expect(batch.offsetMsgIds).toHaveLength(3);
    expect(store.getMessage('T1', 2, 1, 32).records.map(text)).toEqual(['b0', 'b1', 'b2']);
    const mixed = await store.putMessages([message('T1', 2, 'x'), message('T1', 3, 'y')]);
    expect(mixed.status).toBe(PutMessageStatus.MESSAGE_ILLEGAL);
    expect((await store.putMessages([])).status).toBe(PutMessageStatus.MESSAGE_ILLEGAL);
  });

  it('stores received property bytes as they came, and encodes the text once a rewriter replaced it', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    // A received buffer whose value byte 0xff is not UTF-8: decoded it reads U+FFFD, which encodes as EF BF BD.
    const received = Uint8Array.from([0x99, ...new TextEncoder().encode('K\u0001'), 0xff, 0x02, 0x99]);
    const prefix = new TextEncoder().encode('B\u0001b\u0002');
    const suffix = new TextEncoder().encode('CLUSTER\u0001c\u0002');
    const properties = 'B\u0001b\u0002K\u0001\ufffd\u0002CLUSTER\u0001c\u0002';
    const propertiesBytes = { text: properties, prefix, source: received, start: 1, end: 5, suffix, length: prefix.length + 4 + suffix.length };
    const kept = { ...message('T1', 0, 'kept', properties), propertiesBytes };
    const rewritten = { ...message('T1', 0, 'rewritten', `${properties}DELAY\u00013\u0002`), propertiesBytes };
    const put = await store.putMessages([kept, rewritten]);
    expect(put.status).toBe(PutMessageStatus.PUT_OK);
    const [first, second] = store.getMessage('T1', 0, 0, 32).records;
    const tail = (record: Uint8Array, bytes: number) => Array.from(record.subarray(record.length - bytes));
    expect(tail(first!, propertiesBytes.length)).toEqual([...prefix, 0x4b, 0x01, 0xff, 0x02, ...suffix]);
    expect(decodeMessageRecord(first!)!.properties).toBe(properties);
    expect(decodeMessageRecord(second!)!.properties).toBe(`${properties}DELAY\u00013\u0002`);
    expect(tail(second!, 4 + suffix.length + 8)).toEqual([0xef, 0xbf, 0xbd, 0x02, ...suffix, ...new TextEncoder().encode('DELAY\u00013\u0002')]);
  });

  it('adds the final separator to received property bytes that lack it, telling from the bytes alone', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    const encoder = new TextEncoder();
    const none = new Uint8Array(0);
    // Where the last byte lies: the suffix, the received range (the suffix empty) or the prefix (both empty).
    const cases = [
      { prefix: none, source: encoder.encode('A\u0001a\u0002'), suffix: encoder.encode('C\u0001c') },
      { prefix: none, source: encoder.encode('A\u0001a'), suffix: none },
      { prefix: encoder.encode('B\u0001b'), source: none, suffix: none },
      { prefix: none, source: encoder.encode('A\u0001a\u0002'), suffix: none },
      { prefix: encoder.encode('A\u0001a\u0002'), source: none, suffix: none },
    ];
    const messages = cases.map((bytes, i) => {
      const text = new TextDecoder().decode(new Uint8Array([...bytes.prefix, ...bytes.source, ...bytes.suffix]));
      return { ...message('T1', 0, `m${i}`, text), propertiesBytes: { text, ...bytes, start: 0, end: bytes.source.length } };
    });
    expect((await store.putMessages(messages)).status).toBe(PutMessageStatus.PUT_OK);
    const stored = store.getMessage('T1', 0, 0, 32).records.map((record) => decodeMessageRecord(record)!.properties);
    expect(stored).toEqual(['A\u0001a\u0002C\u0001c\u0002', 'A\u0001a\u0002', 'B\u0001b\u0002', 'A\u0001a\u0002', 'A\u0001a\u0002']);
  });

  it('keeps a batch in one segment, rolling with a blank marker', async () => {
    const dataDir = temporaryDirectory();
    const store = await openStore({ dataDir, commitLogSegmentBytes: 4096 });
    await store.putMessage(message('T1', 0, 'x'.repeat(3000)));
    const batch = await store.putMessages([message('T1', 0, 'y'.repeat(900)), message('T1', 0, 'z'.repeat(900))]);
    expect(batch.physicalOffset).toBe(4096);
    expect(fs.readdirSync(path.join(dataDir, 'commitlog'))).toEqual(['00000000000000000000', '00000000000000004096']);
    expect(store.getMessage('T1', 0, 0, 32).records.map((r) => text(r).length)).toEqual([3000, 900, 900]);
  });

  it('looks messages up by key, by unique key and by offset', async () => {
    const store = await openStore({ dataDir: temporaryDirectory(), indexHashSlotNum: 64, indexNum: 8 });
    const uniqueKey = '0A000002C35018B4AAC2000000000000';
    const put = await store.putMessage(message('T1', 0, 'hi', `UNIQ_KEY\u0001${uniqueKey}\u0002KEYS\u0001k1 k2\u0002`));
    for (let i = 0; i < 20; i++) await store.putMessage(message('T1', 0, `n${i}`, `KEYS\u0001other${i}\u0002`));
    expect(store.queryMessage('T1', 'k2', 32, 0, Date.now() + 1000).physicalOffsets).toEqual([put.physicalOffset]);
    expect(store.queryMessage('T2', 'k2', 32, 0, Date.now() + 1000).records).toEqual([]);
    expect(store.queryMessage('T1', 'other17', 32, 0, Date.now() + 1000).records.map(text)).toEqual(['n17']);
    expect(text(store.lookMessageByUniqueKey('T1', uniqueKey)!.raw)).toBe('hi');
    expect(store.lookMessageByOffset(put.physicalOffset)!.record.topic).toBe('T1');
    expect(store.lookMessageByOffset(put.physicalOffset + 1)).toBeUndefined();
  });

  it('answers time lookups from store timestamps', async () => {
    let now = 1_000_000;
    const store = await openStore({ dataDir: temporaryDirectory(), now: () => now });
    for (let i = 0; i < 10; i++) {
      now = 1_000_000 + i * 1000;
      await store.putMessage(message('T1', 0, `m${i}`));
    }
    expect(store.getMessageStoreTimestamp('T1', 0, 3)).toBe(1_003_000);
    expect(store.getOffsetInQueueByTime('T1', 0, 1_003_500)).toBe(4);
    expect(store.getOffsetInQueueByTime('T1', 0, 0)).toBe(0);
    expect(store.getOffsetInQueueByTime('T1', 0, 9_999_999)).toBe(10);
    expect(store.getEarliestMessageTime('T1', 0)).toBe(1_000_000);
    expect(store.getEarliestMessageTime()).toBe(1_000_000);
  });

  it('notifies arrival listeners and lets the broker override tags codes', async () => {
    const store = await openStore({
      dataDir: temporaryDirectory(),
      tagsCodeOf: (topic, _properties, storeTimestamp) => (topic === 'SCHEDULE_TOPIC_XXXX' ? storeTimestamp + 5000 : undefined),
      now: () => 42,
    });
    const seen: unknown[] = [];
    const stop = store.onArrive((topic, queueId, queueOffset, tagsCode) => seen.push([topic, queueId, queueOffset, tagsCode]));
    await store.putMessage(message('T1', 0, 'a', 'TAGS\u0001A\u0002'));
    await store.putMessage(message('SCHEDULE_TOPIC_XXXX', 2, 'b', 'TAGS\u0001A\u0002'));
    stop();
    await store.putMessage(message('T1', 0, 'c'));
    expect(seen).toEqual([['T1', 0, 0, 65], ['SCHEDULE_TOPIC_XXXX', 2, 0, 5042]]);
  });

  it('lists topics and queues and deletes topics', async () => {
    const store = await openStore({ dataDir: temporaryDirectory() });
    await store.putMessage(message('A', 0, 'a'));
    await store.putMessage(message('A', 3, 'a'));
    await store.putMessage(message('B', 1, 'b'));
    expect(store.topics().sort()).toEqual(['A', 'B']);
    expect(store.queueIds('A')).toEqual([0, 3]);
    expect(store.deleteTopics(['A', 'nope'])).toBe(1);
    expect(store.topics()).toEqual(['B']);
    expect(store.getMaxOffsetInQueue('A', 0)).toBe(0);
  });

  it('resolves SYNC_FLUSH puts after fdatasync, and WAIT=false puts without waiting', async () => {
    const store = await openStore({ dataDir: temporaryDirectory(), flushDiskType: 'SYNC_FLUSH' });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.putMessage(message('T1', 0, `m${i}`, i % 2 ? 'WAIT\u0001false\u0002' : ''))));
    expect(results.every((r) => r.status === PutMessageStatus.PUT_OK)).toBe(true);
    expect(store.getMaxOffsetInQueue('T1', 0)).toBe(50);
  });
});
