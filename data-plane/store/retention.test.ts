/**
 * Retention driven by an injected clock and disk-usage reading: no test waits
 * for hours to pass or fills a disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageStore } from './message-store.ts';
import { GetMessageStatus, PutMessageStatus, PutRefusalReason } from './status.ts';
import { message, storeHost, temporaryDirectory } from './test-support.ts';

const HOUR = 3_600_000;
let store: MessageStore;
afterEach(async () => {
  await store.close();
});

async function setUp(clock: { now: number }, disk: { usage: number }) {
  const dataDir = temporaryDirectory();
  store = await MessageStore.open({
    dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost, commitLogSegmentBytes: 4096, consumeQueueUnitsPerFile: 8,
    indexHashSlotNum: 16, indexNum: 8, now: () => clock.now, diskUsage: () => disk.usage, deleteWhenHour: 4, fileReservedTimeHours: 72,
  });
  for (let i = 0; i < 60; i++) await store.putMessage(message('T1', 0, 'x'.repeat(400), `KEYS\u0001k${i}\u0002`));
  return dataDir;
}

const segmentCount = (dataDir: string) => fs.readdirSync(path.join(dataDir, 'commitlog')).length;
const localTime = (hour: number) => new Date(2030, 0, 10, hour, 30).getTime();

describe('retention', () => {
  it('keeps expired segments outside the delete hour while the disk has room', async () => {
    const clock = { now: localTime(13) };
    const dataDir = await setUp(clock, { usage: 0.1 });
    const before = segmentCount(dataDir);
    expect(store.runRetention().deletedCommitLogFiles).toBe(0);
    expect(segmentCount(dataDir)).toBe(before);
  });

  it('deletes expired segments at the delete hour, never the current one, and moves minimum offsets up', async () => {
    const clock = { now: localTime(13) };
    const dataDir = await setUp(clock, { usage: 0.1 });
    const before = segmentCount(dataDir);
    expect(before).toBeGreaterThan(5);
    clock.now = localTime(4); // 04:30 local, years after the files were written
    let deleted = 0;
    for (let round = 0; round < 5; round++) deleted += store.runRetention().deletedCommitLogFiles;
    expect(deleted).toBe(before - 1);
    expect(segmentCount(dataDir)).toBe(1);
    expect(store.getMinPhyOffset()).toBe((before - 1) * 4096);
    const minOffset = store.getMinOffsetInQueue('T1', 0);
    expect(minOffset).toBeGreaterThan(0);
    expect(store.getMessage('T1', 0, 0, 1)).toMatchObject({ status: GetMessageStatus.OFFSET_TOO_SMALL, nextBeginOffset: minOffset });
    expect(store.getMessage('T1', 0, minOffset, 1).status).toBe(GetMessageStatus.FOUND);
    expect(fs.readdirSync(path.join(dataDir, 'consumequeue', 'T1', '0')).length).toBeLessThan(60 / 8);
  });

  it('deletes expired segments at any hour once usage passes the clean ratio', async () => {
    const clock = { now: localTime(13) };
    const disk = { usage: 0.8 };
    const dataDir = await setUp(clock, disk);
    clock.now = localTime(13) + 24 * HOUR; // 13:30 the next day: not the delete hour
    expect(store.runRetention().deletedCommitLogFiles).toBeGreaterThan(0);
    expect(segmentCount(dataDir)).toBeGreaterThan(0);
  });

  it('deletes unexpired segments once usage passes the clean-forcibly ratio', async () => {
    const clock = { now: Date.now() };
    const dataDir = await setUp(clock, { usage: 0.86 });
    const before = segmentCount(dataDir);
    expect(store.runRetention().deletedCommitLogFiles).toBe(Math.min(10, before - 1));
  });

  it('refuses puts past the refuse ratio and accepts them again once usage drops', async () => {
    const clock = { now: localTime(13) };
    const disk = { usage: 0.1 };
    await setUp(clock, disk);
    disk.usage = 0.95;
    expect(store.runRetention().diskFull).toBe(true);
    expect(await store.putMessage(message('T1', 0, 'x'))).toMatchObject({ status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: PutRefusalReason.DISK_FULL });
    disk.usage = 0.5;
    store.runRetention();
    expect((await store.putMessage(message('T1', 0, 'x'))).status).toBe(PutMessageStatus.PUT_OK);
  });
});
