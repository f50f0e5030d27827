/**
 * Recovery at open (store doc §9). The write position is not persisted, so
 * the end of the CommitLog is found by walking records from a known record
 * boundary until the first one that is not whole and valid (length, magic and
 * body CRC); everything after it is zeroed. Walked records are re-dispatched,
 * which is idempotent, so ConsumeQueues and the index catch up with the log,
 * and units pointing past the end are cut back.
 *
 * Where the walk starts: the checkpoint's flushed and dispatched offsets
 * (record boundaries that only advance once their data is on disk). After a
 * crash (the `abort` file exists) the walk starts at the beginning of the
 * segment holding the flushed offset instead, so the whole unsure tail is
 * re-verified. A segment file shorter than a segment was cut from outside; the
 * walk then starts at its beginning.
 *
 * The body CRC does not cover topic and properties, so records are also
 * checked for a whole tail (`hasWholeTail`): the store makes every non-empty
 * properties text end with its separator, which a zeroed tail cannot fake.
 */
import { decodeMessageRecord, hasWholeTail, inspectRecord } from '../../sdk/protocol/message-record.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { CommitLog } from './commit-log.ts';
import { tagsCodeFor, type Dispatcher } from './dispatch.ts';
import type { IndexService } from './index-service.ts';
import type { StoreLog, TagsCodeOf } from './message-store.ts';
import type { QueueTable } from './queue-table.ts';
import { readFully } from './segment.ts';
import { recoveryChunkBytes } from './settings.ts';

export interface RecoveryInput {
  commitLog: CommitLog;
  queues: QueueTable;
  index: IndexService | undefined;
  dispatcher: Dispatcher;
  checkpoint: Checkpoint;
  abnormal: boolean;
  shortFiles: number[];
  tagsCodeOf: TagsCodeOf | undefined;
  log: StoreLog;
}

export interface RecoveryResult {
  end: number;
  scannedFrom: number;
  recordsScanned: number;
  recordsDispatched: number;
}

export function recover(input: RecoveryInput): RecoveryResult {
  const { commitLog, queues, checkpoint } = input;
  if (commitLog.segments.length === 0) {
    // No log: nothing the queues point at exists any more.
    for (const topic of [...queues.topics.keys()]) queues.deleteTopic(topic);
    commitLog.setEnd(0);
    input.dispatcher.dispatchedOffset = 0;
    return { end: 0, scannedFrom: 0, recordsScanned: 0, recordsDispatched: 0 };
  }
  const segmentBytes = commitLog.segmentBytes;
  const minOffset = commitLog.minOffset();
  const fileEnd = commitLog.fileEndOffset();
  const values = checkpoint.existed ? checkpoint.values : undefined;
  const clamp = (offset: number | undefined) => (offset === undefined || offset < minOffset || offset > fileEnd ? minOffset : offset);
  const flushed = clamp(values?.physicFlushedOffset);
  let dispatchFrom = clamp(values?.logicsDispatchedOffset);
  if (input.index) dispatchFrom = Math.min(dispatchFrom, clamp(values?.indexDispatchedOffset));
  let start = Math.min(flushed, dispatchFrom);
  if (input.abnormal) start = Math.min(start, flushed - (flushed % segmentBytes));
  for (const shortFile of input.shortFiles) start = Math.min(start, Math.max(shortFile, minOffset));

  const result = scan(input, start, dispatchFrom);
  commitLog.setEnd(result.end);
  for (const queue of queues.all()) {
    queue.truncateBeyond(result.end);
    queue.cleanBelow(minOffset);
  }
  if (input.index && input.index.files.length > 0) cutIndexBack(input.index, result.end);
  input.dispatcher.dispatchedOffset = result.end;
  return result;
}

/** Index entries past the end point at lost records; let later records be indexed again. */
function cutIndexBack(index: IndexService, end: number): void {
  const header = index.files.at(-1)!.header;
  if (header.endPhyOffset >= end) header.endPhyOffset = Math.max(0, end - 1);
}

function scan(input: RecoveryInput, start: number, dispatchFrom: number): RecoveryResult {
  const { commitLog, queues, dispatcher } = input;
  const segmentBytes = commitLog.segmentBytes;
  let chunk: Uint8Array = Buffer.allocUnsafeSlow(Math.min(recoveryChunkBytes, segmentBytes));
  let recordsScanned = 0;
  let recordsDispatched = 0;
  let offset = start;
  while (true) {
    const segment = commitLog.segmentFor(offset);
    if (!segment) break;
    const segmentEnd = segment.startOffset + segmentBytes;
    let chunkBase = offset;
    let chunkLength = readFully(segment.fd, chunk, 0, Math.min(chunk.length, segmentEnd - offset), offset - segment.startOffset);
    let view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let nextSegment = false;
    while (offset < segmentEnd) {
      const at = offset - chunkBase;
      let size = inspectRecord(chunk, at, chunkLength, true, view);
      if (size > 0 && !hasWholeTail(chunk, at, size, view)) size = 0;
      if (size < 0) {
        nextSegment = true;
        break;
      }
      if (size === 0) {
        // The record may just run past this chunk: read again from its start, big enough for its claimed size.
        const claimed = at + 4 <= chunkLength ? view.getInt32(at) : 0;
        const wanted = Math.min(Math.max(claimed, 8), segmentEnd - offset);
        if (at > 0 || (claimed > chunkLength && claimed <= segmentEnd - offset)) {
          if (wanted > chunk.length) chunk = Buffer.allocUnsafeSlow(wanted);
          view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          chunkBase = offset;
          chunkLength = readFully(segment.fd, chunk, 0, Math.min(chunk.length, segmentEnd - offset), offset - segment.startOffset);
          if (inspectRecord(chunk, 0, chunkLength, true, view) !== 0) continue;
        }
        return { end: offset, scannedFrom: start, recordsScanned, recordsDispatched };
      }
      recordsScanned++;
      if (offset >= dispatchFrom) {
        const record = decodeMessageRecord(chunk.subarray(at, at + size), 0, false)!;
        const queue = queues.queue(record.topic, record.queueId);
        const tagsCode = tagsCodeFor(record.topic, record.properties, record.storeTimestamp, input.tagsCodeOf);
        dispatcher.dispatch(queue, record.queueOffset, offset, size, tagsCode, record.sysFlag, record.storeTimestamp, record.properties);
        recordsDispatched++;
      }
      offset += size;
    }
    if (!nextSegment) break;
    offset = segmentEnd;
  }
  return { end: offset, scannedFrom: start, recordsScanned, recordsDispatched };
}
