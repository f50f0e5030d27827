/**
 * Property-based test of the store against a simple in-memory model. Random
 * programs of single puts, batches, reads, clean restarts, staged crashes
 * (abort file + blank checkpoint) and truncations of the last segment file run
 * against a store with 4 KiB segments and 8-unit ConsumeQueue files, so they
 * cross segment and queue-file boundaries constantly. The model is, per
 * queue, the list of messages with their CommitLog positions; a truncation at
 * byte `p` of the last segment drops exactly the records that do not end
 * before `p`. After every step each queue must read back exactly the model.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessageRecord } from '../../sdk/protocol/message-record.ts';
import { MessageStore, type StoreOptions, type WriterThreadMode } from './message-store.ts';
import { listOffsetFiles } from './segment.ts';
import { GetMessageStatus, PutMessageStatus } from './status.ts';
import { message, storeHost, temporaryDirectory } from './test-support.ts';

const SEGMENT_BYTES = 4096;
const QUEUES = 3;

interface ModelMessage {
  body: string;
  tag: string;
  physicalOffset: number;
  size: number;
}

type Step =
  | { kind: 'put'; queueId: number; bodyLength: number; tag: string }
  | { kind: 'batch'; queueId: number; count: number; bodyLength: number }
  | { kind: 'read'; queueId: number; from: number; max: number; tag: string | undefined }
  | { kind: 'restart' }
  | { kind: 'crash' }
  | { kind: 'truncate'; fraction: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('put' as const), queueId: fc.nat(QUEUES - 1), bodyLength: fc.nat(1500), tag: fc.constantFrom('A', 'B') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('batch' as const), queueId: fc.nat(QUEUES - 1), count: fc.integer({ min: 1, max: 6 }), bodyLength: fc.nat(500) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), queueId: fc.nat(QUEUES - 1), from: fc.nat(40), max: fc.integer({ min: 1, max: 40 }), tag: fc.option(fc.constantFrom('A', 'B'), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
);

const TAG_CODES: Record<string, number> = { A: 65, B: 66 };

function readAll(store: MessageStore, queueId: number): string[] {
  const out: string[] = [];
  let offset = store.getMinOffsetInQueue('T', queueId);
  while (offset < store.getMaxOffsetInQueue('T', queueId)) {
    const got = store.getMessage('T', queueId, offset, 64, 1 << 30);
    expect(got.status).toBe(GetMessageStatus.FOUND);
    for (const record of got.records) out.push(new TextDecoder().decode(decodeMessageRecord(record, 0, true)!.body));
    offset = got.nextBeginOffset;
  }
  return out;
}

async function runProgram(steps: Step[], commitLogWriterThread: WriterThreadMode): Promise<void> {
  const dataDir = temporaryDirectory();
  const options: StoreOptions = {
    dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost, commitLogSegmentBytes: SEGMENT_BYTES, consumeQueueUnitsPerFile: 8, indexHashSlotNum: 32, indexNum: 16, commitLogWriterThread,
  };
  let store = await MessageStore.open(options);
  const model: ModelMessage[][] = Array.from({ length: QUEUES }, () => []);
  let counter = 0;
  try {
    for (const step of steps) {
      switch (step.kind) {
        case 'put': {
          const body = `${counter++}:` + 'p'.repeat(step.bodyLength);
          const result = await store.putMessage(message('T', step.queueId, body, `TAGS\u0001${step.tag}\u0002`));
          expect(result.status).toBe(PutMessageStatus.PUT_OK);
          expect(result.queueOffset).toBe(model[step.queueId]!.length);
          model[step.queueId]!.push({ body, tag: step.tag, physicalOffset: result.physicalOffset, size: result.wroteBytes });
          break;
        }
        case 'batch': {
          const bodies = Array.from({ length: step.count }, () => `${counter++}:` + 'b'.repeat(step.bodyLength));
          const result = await store.putMessages(bodies.map((body) => message('T', step.queueId, body, 'TAGS\u0001B\u0002')));
          expect(result.status).toBe(PutMessageStatus.PUT_OK);
          expect(result.queueOffset).toBe(model[step.queueId]!.length);
          let physicalOffset = result.physicalOffset;
          for (const body of bodies) {
            const size = store.lookMessageByOffset(physicalOffset)!.raw.length;
            model[step.queueId]!.push({ body, tag: 'B', physicalOffset, size });
            physicalOffset += size;
          }
          expect(Math.floor(result.physicalOffset / SEGMENT_BYTES)).toBe(Math.floor((physicalOffset - 1) / SEGMENT_BYTES));
          break;
        }
        case 'read': {
          const queue = model[step.queueId]!;
          const filter = step.tag ? { isMatchedByConsumeQueue: (code: number) => code === TAG_CODES[step.tag!] } : undefined;
          const got = store.getMessage('T', step.queueId, step.from, step.max, 1 << 30, filter);
          if (queue.length === 0) expect(got.status).toBe(GetMessageStatus.NO_MESSAGE_IN_QUEUE);
          else if (step.from === queue.length) expect(got.status).toBe(GetMessageStatus.OFFSET_OVERFLOW_ONE);
          else if (step.from > queue.length) expect(got.status).toBe(GetMessageStatus.OFFSET_OVERFLOW_BADLY);
          else {
            const scanned = queue.slice(step.from, got.nextBeginOffset);
            const expected = scanned.filter((m) => !step.tag || m.tag === step.tag).map((m) => m.body);
            expect(got.records.map((r) => new TextDecoder().decode(decodeMessageRecord(r)!.body))).toEqual(expected);
            expect(got.nextBeginOffset).toBeGreaterThan(step.from);
          }
          break;
        }
        case 'restart':
        case 'crash':
        case 'truncate': {
          await store.close();
          if (step.kind === 'crash') {
            fs.writeFileSync(path.join(dataDir, 'abort'), '1');
            fs.writeFileSync(path.join(dataDir, 'checkpoint'), new Uint8Array(4096));
          }
          if (step.kind === 'truncate') {
            const last = listOffsetFiles(path.join(dataDir, 'commitlog')).at(-1);
            if (last !== undefined) {
              const dataEnd = Math.max(0, ...model.flat().map((m) => m.physicalOffset + m.size)) - last;
              const cut = Math.floor(Math.max(0, Math.min(SEGMENT_BYTES, dataEnd)) * step.fraction);
              fs.truncateSync(path.join(dataDir, 'commitlog', String(last).padStart(20, '0')), cut);
              for (let q = 0; q < QUEUES; q++) model[q] = model[q]!.filter((m) => m.physicalOffset + m.size <= last + cut);
            }
          }
          store = await MessageStore.open(options);
          break;
        }
      }
      for (let q = 0; q < QUEUES; q++) {
        expect(store.getMaxOffsetInQueue('T', q)).toBe(model[q]!.length);
      }
    }
    for (let q = 0; q < QUEUES; q++) expect(readAll(store, q)).toEqual(model[q]!.map((m) => m.body));
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('MessageStore against a model', () => {
  it('reads back exactly what the model holds through puts, batches, restarts, crashes and truncations', async () => {
    // Each program writes on the event loop, through the writer thread, or as the store chooses.
    const mode = fc.constantFrom<WriterThreadMode>('never', 'always', 'auto');
    await fc.assert(fc.asyncProperty(fc.array(stepArbitrary, { minLength: 5, maxLength: 60 }), mode, runProgram), { numRuns: 60 });
  });
});
