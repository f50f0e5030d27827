/**
 * Crash test with a real process. A child (helpers/store-crash-child.ts)
 * appends with SYNC_FLUSH and prints every acknowledged put; the parent kills
 * it with SIGKILL at a random moment, reopens the store itself (crash
 * recovery) and checks that every acknowledged message is there byte for
 * byte, that each queue holds exactly the sequence 0, 1, 2, … of its messages
 * (in order, no holes, nothing partial: every record passes its CRC), then
 * lets the next child continue on the same files. Some rounds also cut the
 * segment holding the last acknowledged record in the middle of that record,
 * as a torn write would; only messages wholly before the cut must survive.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageStore, type WriterThreadMode } from '../data-plane/store/message-store.ts';
import { CRASH_TEST_QUEUES, crashTestBody, crashTestStoreOptions, temporaryDirectory } from '../data-plane/store/test-support.ts';
import { decodeMessageRecord, hasWholeTail } from '../sdk/protocol/message-record.ts';

const CHILD = path.join(import.meta.dirname, 'helpers', 'store-crash-child.ts');
const SEGMENT_BYTES = crashTestStoreOptions('').commitLogSegmentBytes!;

/** An acknowledged message; inside a batch only the first start and the last end are known (-1 otherwise). */
interface Ack {
  queueId: number;
  queueOffset: number;
  physicalOffset: number;
  end: number;
}

/** Runs a child until it has acknowledged at least `minAcks` puts and `runMs` passed, then SIGKILLs it. */
function runChild(dataDir: string, runMs: number, minAcks: number, writerThread: WriterThreadMode): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, writerThread], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buffered = '';
    let stderr = '';
    let readyAt = 0;
    let killed = false;
    const kill = () => {
      if (!killed && readyAt && Date.now() - readyAt >= runMs && acks.length >= minAcks) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const timer = setInterval(kill, 5);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // an unfinished line may have been cut by the kill
      for (const line of lines) {
        const [kind, ...fields] = line.split(' ');
        const numbers = fields.map(Number);
        if (kind === 'READY') readyAt = Date.now();
        else if (kind === 'ACK') acks.push({ queueId: numbers[0]!, queueOffset: numbers[1]!, physicalOffset: numbers[2]!, end: numbers[2]! + numbers[3]! });
        else if (kind === 'BATCH') {
          // A batch is acknowledged as a whole; its records are contiguous from physicalOffset.
          const [queueId, first, count, physicalOffset, size] = numbers as [number, number, number, number, number];
          for (let i = 0; i < count; i++) {
            acks.push({ queueId, queueOffset: first + i, physicalOffset: i === 0 ? physicalOffset : -1, end: i === count - 1 ? physicalOffset + size : -1 });
          }
        } else if (kind === 'FAIL') reject(new Error(line));
      }
    });
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

/** Checks the store against everything acknowledged so far; returns the queues' lengths. */
async function verify(dataDir: string, acked: Map<string, Ack>, survivesBelow: number): Promise<number[]> {
  const store = await MessageStore.open(crashTestStoreOptions(dataDir));
  try {
    expect(store.abnormalStart).toBe(true);
    const lengths: number[] = [];
    for (let queueId = 0; queueId < CRASH_TEST_QUEUES; queueId++) {
      const max = store.getMaxOffsetInQueue('CRASH', queueId);
      let offset = 0;
      while (offset < max) {
        const got = store.getMessage('CRASH', queueId, offset, 64, 1 << 30);
        expect(got.records.length).toBeGreaterThan(0);
        for (const raw of got.records) {
          const record = decodeMessageRecord(raw, 0, true);
          expect(record, `queue ${queueId} offset ${offset} is whole`).toBeDefined();
          expect(hasWholeTail(raw, 0, raw.length)).toBe(true);
          expect(record!.queueOffset).toBe(offset);
          expect(new TextDecoder().decode(record!.body)).toBe(crashTestBody(queueId, offset));
          const ack = acked.get(`${queueId}/${offset}`);
          if (ack && ack.physicalOffset >= 0) expect(record!.physicalOffset).toBe(ack.physicalOffset);
          offset++;
        }
      }
      lengths.push(max);
    }
    for (const ack of acked.values()) {
      const survives = survivesBelow === Number.POSITIVE_INFINITY || (ack.end >= 0 && ack.end <= survivesBelow);
      if (survives) expect(ack.queueOffset, `acknowledged ${ack.queueId}/${ack.queueOffset} survives`).toBeLessThan(lengths[ack.queueId]!);
    }
    return lengths;
  } finally {
    await store.close();
  }
}

/** Cuts the segment holding the last acknowledged record in the middle of that record. */
function cutMidRecord(dataDir: string, acks: Ack[]): number {
  const whole = acks.filter((ack) => ack.physicalOffset >= 0 && ack.end >= 0);
  const last = whole.reduce((a, b) => (b.physicalOffset > a.physicalOffset ? b : a));
  const cut = last.physicalOffset + Math.floor((last.end - last.physicalOffset) / 2);
  const segmentStart = cut - (cut % SEGMENT_BYTES);
  fs.truncateSync(path.join(dataDir, 'commitlog', String(segmentStart).padStart(20, '0')), cut - segmentStart);
  return cut;
}

describe('store crash recovery with a real process', () => {
  it('keeps every acknowledged SYNC_FLUSH message across SIGKILLs and torn tails', async () => {
    const dataDir = temporaryDirectory('apogee-crash-');
    const acked = new Map<string, Ack>();
    let total = 0;
    for (let round = 0; round < 8; round++) {
      // Odd rounds write every append through the CommitLog's writer thread, even rounds on the event loop.
      const acks = await runChild(dataDir, 150 + Math.floor(Math.random() * 400), 20, round % 2 === 1 ? 'always' : 'never');
      total += acks.length;
      const truncate = round % 3 === 2;
      const survivesBelow = truncate ? cutMidRecord(dataDir, acks) : Number.POSITIVE_INFINITY;
      for (const ack of acks) acked.set(`${ack.queueId}/${ack.queueOffset}`, ack);
      const lengths = await verify(dataDir, acked, survivesBelow);
      // Messages past a cut are gone for good; forget them so the next child may reuse their offsets.
      for (const [key, ack] of acked) if (ack.queueOffset >= lengths[ack.queueId]!) acked.delete(key);
    }
    expect(total).toBeGreaterThan(100);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
