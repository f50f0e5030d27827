import { afterEach, describe, expect, it } from 'vitest';
import { encodeHostAddress } from '../../sdk/protocol/message-id.ts';
import { encodeMessageRecord, inspectRecord, recordSize, utf8Bytes } from '../../sdk/protocol/message-record.ts';
import { CommitLog } from './commit-log.ts';
import { readFully } from './segment.ts';
import { bufferRewindBytes } from './settings.ts';
import { temporaryDirectory } from './test-support.ts';

const logs: CommitLog[] = [];
afterEach(() => {
  for (const log of logs.splice(0)) log.close();
});

function openLog(segmentBytes = 1 << 20): CommitLog {
  const log = new CommitLog(temporaryDirectory(), segmentBytes, 'auto');
  log.load();
  logs.push(log);
  return log;
}

/** Appends one 100-byte-body record (CRC left for sealing, as the store does) and hands it to the OS. */
function appendAndWrite(log: CommitLog): number {
  const host = encodeHostAddress('127.0.0.1')!;
  const body = new Uint8Array(100).fill(log.writeOffset & 0xff);
  const size = recordSize(body.length, 1, 0);
  const at = log.reserve(size);
  encodeMessageRecord(log.buffer, at - log.bufferBase, {
    queueId: 0, flag: 0, queueOffset: 0, physicalOffset: at, sysFlag: 0, bornTimestamp: 1, bornHost: host, bornPort: 1, storeTimestamp: 2,
    storeHost: host, storePort: 2, reconsumeTimes: 0, preparedTransactionOffset: 0, body, topic: utf8Bytes('T'), properties: '', bodyCrc: 0,
  }, log.view);
  log.commit(size);
  log.writePending();
  return at;
}

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a saturated event loop: no time in the poll phase at all
  }
}

describe('CommitLog writes', () => {
  it('makes short writes on the event loop, hands them to the writer thread while the loop is saturated, and takes them back once it is not', async () => {
    const log = openLog();
    const offsets = [appendAndWrite(log)];
    expect([log.inlineWrites, log.threadWrites]).toEqual([1, 0]);
    spin(150);
    offsets.push(appendAndWrite(log));
    expect([log.inlineWrites, log.threadWrites]).toEqual([1, 1]);
    await new Promise<void>((resolve) => log.onWriteProgress(resolve, 5000));
    expect(log.osOffset()).toBe(log.writeOffset);
    // An idle loop for more than a window: short writes are made on the event loop again.
    await new Promise((resolve) => setTimeout(resolve, 250));
    offsets.push(appendAndWrite(log));
    expect([log.inlineWrites, log.threadWrites]).toEqual([2, 1]);
    // Every record reached the file sealed, whichever thread wrote it.
    const file = new Uint8Array(log.writeOffset);
    readFully(log.segments[0]!.fd, file, 0, file.length, 0);
    for (const offset of offsets) expect(inspectRecord(file, offset, file.length, true)).toBe(recordSize(100, 1, 0));
  });

  it('starts again at the buffer\'s beginning once the window is past bufferRewindBytes and everything is written', () => {
    const log = openLog(64 << 20);
    const offsets: number[] = [];
    while (log.writeOffset <= bufferRewindBytes) offsets.push(appendAndWrite(log));
    expect(log.bufferBase).toBe(0);
    // A loop this tight looks saturated, so some writes went to the writer thread: wait until all are in the OS.
    log.drain();
    const rewoundAt = appendAndWrite(log);
    expect(log.bufferBase).toBe(rewoundAt);
    log.drain(); // sealed (its CRC filled in) by whichever thread wrote it
    // The record after the rewind sits at the buffer's start; those before it are read back from the file.
    const size = recordSize(100, 1, 0);
    expect(inspectRecord(log.buffer, 0, size, true)).toBe(size);
    for (const offset of [offsets[0]!, offsets.at(-1)!, rewoundAt]) {
      const bytes = log.read(offset, size)!;
      expect(inspectRecord(bytes, 0, size, true)).toBe(size);
      expect(bytes[bytes.length - 5]).toBe(offset & 0xff); // the body's last byte: body, topic length, "T", properties length
    }
  });
});
