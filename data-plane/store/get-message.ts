/**
 * Serving pulls: a range of ConsumeQueue units is read with one read, the
 * records they point at are grouped into runs of nearby bytes and each run is
 * read with one read, so a pull costs a few system calls, not one per message.
 * Records come back as views into the run buffers, byte-identical to the log.
 * Statuses and next offsets follow RocketMQ's DefaultMessageStore.getMessage.
 */
import { MESSAGE_MAGIC_CODE_V2 } from '../../sdk/protocol/message-record.ts';
import type { CommitLog } from './commit-log.ts';
import { CQ_STORE_UNIT_SIZE, readInt64, type ConsumeQueue } from './consume-queue.ts';
import type { GetMessageResult, MessageFilter } from './message-store.ts';
import { filterScanUnitsMin, readGapBytesMax, readRunBytesMax } from './settings.ts';
import { GetMessageStatus } from './status.ts';

const textDecoder = new TextDecoder();

export class MessageReader {
  private unitBuffer = new Uint8Array(filterScanUnitsMin * CQ_STORE_UNIT_SIZE);
  private unitView = new DataView(this.unitBuffer.buffer);
  // Parallel arrays of the units chosen for one pull, reused between pulls.
  private offsets: number[] = [];
  private sizes: number[] = [];
  private queueOffsets: number[] = [];
  /** The sum of `sizes`, set with them. */
  private chosenBytes = 0;
  /** Where a run with gaps between the chosen records is read before they are copied out; grows, is reused. */
  private scratch = Buffer.allocUnsafe(0);
  /** Set by runFrom: the end of the run and the bytes of its chosen records. */
  private runEnd = 0;
  private runRecordBytes = 0;

  constructor(private readonly commitLog: CommitLog) {}

  getMessage(
    queue: ConsumeQueue | undefined,
    offset: number,
    maxMsgNums: number,
    maxBytes: number,
    filter: MessageFilter | undefined,
  ): GetMessageResult {
    const result: GetMessageResult = {
      status: GetMessageStatus.NO_MESSAGE_IN_QUEUE,
      records: [],
      queueOffsets: [],
      nextBeginOffset: 0,
      minOffset: queue?.minOffset ?? 0,
      maxOffset: queue?.maxOffset ?? 0,
      bufferTotalSize: 0,
    };
    if (!queue || queue.maxOffset === 0) return result;
    const { minOffset, maxOffset } = queue;
    if (offset < minOffset) return { ...result, status: GetMessageStatus.OFFSET_TOO_SMALL, nextBeginOffset: minOffset };
    if (offset === maxOffset) return { ...result, status: GetMessageStatus.OFFSET_OVERFLOW_ONE, nextBeginOffset: offset };
    if (offset > maxOffset) {
      return { ...result, status: GetMessageStatus.OFFSET_OVERFLOW_BADLY, nextBeginOffset: minOffset === 0 ? minOffset : maxOffset };
    }
    this.collectUnits(queue, offset, maxMsgNums, maxBytes, filter, result);
    if (this.offsets.length > 0) this.readRecords(filter, result);
    if (result.records.length > 0) result.status = GetMessageStatus.FOUND;
    return result;
  }

  /** Picks the units to serve; sets the status for the case that none is found. */
  private collectUnits(queue: ConsumeQueue, offset: number, maxMsgNums: number, maxBytes: number, filter: MessageFilter | undefined, result: GetMessageResult): void {
    this.offsets.length = this.sizes.length = this.queueOffsets.length = this.chosenBytes = 0;
    const wanted = Math.max(filterScanUnitsMin, maxMsgNums);
    if (this.unitBuffer.length < wanted * CQ_STORE_UNIT_SIZE) {
      this.unitBuffer = new Uint8Array(wanted * CQ_STORE_UNIT_SIZE);
      this.unitView = new DataView(this.unitBuffer.buffer);
    }
    const count = queue.readUnits(offset, filter ? wanted : maxMsgNums, this.unitBuffer);
    if (count === 0) {
      result.status = GetMessageStatus.OFFSET_FOUND_NULL;
      result.nextBeginOffset = offset + 1;
      return;
    }
    const minPhysicalOffset = this.commitLog.minOffset();
    const view = this.unitView;
    let status: GetMessageStatus = GetMessageStatus.NO_MATCHED_MESSAGE;
    let bytes = 0;
    let scanned = 0;
    for (; scanned < count; scanned++) {
      const at = scanned * CQ_STORE_UNIT_SIZE;
      const physicalOffset = readInt64(view, at);
      const size = view.getInt32(at + 8);
      if (this.offsets.length >= maxMsgNums) break;
      if (this.offsets.length > 0 && bytes + size > maxBytes) break;
      if (physicalOffset < minPhysicalOffset || size === 0x7fffffff) {
        status = GetMessageStatus.MESSAGE_WAS_REMOVING;
        continue;
      }
      if (filter && !filter.isMatchedByConsumeQueue(readInt64(view, at + 12))) continue;
      this.offsets.push(physicalOffset);
      this.sizes.push(size);
      this.queueOffsets.push(offset + scanned);
      bytes += size;
    }
    this.chosenBytes = bytes;
    result.status = status;
    result.nextBeginOffset = offset + scanned;
  }

  private readRecords(filter: MessageFilter | undefined, result: GetMessageResult): void {
    if (filter?.isMatchedByCommitLog) this.readFilteredRecords(filter.isMatchedByCommitLog.bind(filter), result);
    else this.readRecordsInto(result);
  }

  /**
   * Without a filter on the records themselves every chosen record is
   * returned, so they are read into one buffer, which is the answer's body: a
   * run of adjacent records straight into place, a run with other queues'
   * records between them through a reused scratch buffer.
   */
  private readRecordsInto(result: GetMessageResult): void {
    const { offsets, sizes, queueOffsets } = this;
    const total = this.chosenBytes;
    const body = Buffer.allocUnsafe(total);
    let at = 0;
    let first = 0;
    while (first < offsets.length) {
      const last = this.runFrom(first);
      const runStart = offsets[first]!;
      const runBytes = this.runEnd - runStart;
      if (runBytes === this.runRecordBytes) {
        if (!this.commitLog.readInto(runStart, runBytes, body, at)) break;
      } else {
        if (this.scratch.length < runBytes) this.scratch = Buffer.allocUnsafe(Math.max(runBytes, Math.min(this.scratch.length * 2, readRunBytesMax)));
        if (!this.commitLog.readInto(runStart, runBytes, this.scratch)) break;
        let to = at;
        for (let i = first; i < last; i++) {
          const from = offsets[i]! - runStart;
          body.set(this.scratch.subarray(from, from + sizes[i]!), to);
          to += sizes[i]!;
        }
      }
      for (let i = first; i < last; i++) {
        result.records.push(body.subarray(at, at + sizes[i]!));
        result.queueOffsets.push(queueOffsets[i]!);
        at += sizes[i]!;
      }
      first = last;
    }
    if (result.records.length === 0 && offsets.length > 0) result.status = GetMessageStatus.MESSAGE_WAS_REMOVING;
    result.bufferTotalSize = at;
    result.body = at === total ? body : body.subarray(0, at);
  }

  /**
   * Groups the chosen records from `first` into a run of nearby bytes in one
   * segment (gaps of at most `readGapBytesMax`, at most `readRunBytesMax` in
   * all): returns the index past its last record and sets `runEnd` and
   * `runRecordBytes` (the chosen records' bytes, less than the run's when
   * other records lie between them).
   */
  private runFrom(first: number): number {
    const { offsets, sizes } = this;
    const segmentBytes = this.commitLog.segmentBytes;
    const runStart = offsets[first]!;
    let runEnd = runStart + sizes[first]!;
    let recordBytes = sizes[first]!;
    let last = first + 1;
    while (last < offsets.length) {
      const next = offsets[last]!;
      const nextEnd = next + sizes[last]!;
      if (next < runEnd || next - runEnd > readGapBytesMax || nextEnd - runStart > readRunBytesMax) break;
      if (Math.floor(next / segmentBytes) !== Math.floor(runStart / segmentBytes)) break;
      runEnd = nextEnd;
      recordBytes += sizes[last]!;
      last++;
    }
    this.runEnd = runEnd;
    this.runRecordBytes = recordBytes;
    return last;
  }

  private readFilteredRecords(isMatched: NonNullable<MessageFilter['isMatchedByCommitLog']>, result: GetMessageResult): void {
    const { offsets, sizes, queueOffsets } = this;
    let first = 0;
    while (first < offsets.length) {
      const last = this.runFrom(first);
      const runStart = offsets[first]!;
      const run = this.commitLog.read(runStart, this.runEnd - runStart);
      if (!run) {
        if (result.records.length === 0) result.status = GetMessageStatus.MESSAGE_WAS_REMOVING;
        break;
      }
      for (let i = first; i < last; i++) {
        const record = run.subarray(offsets[i]! - runStart, offsets[i]! - runStart + sizes[i]!);
        if (!isMatched(propertiesOf(record), record)) continue;
        result.records.push(record);
        result.queueOffsets.push(queueOffsets[i]!);
        result.bufferTotalSize += sizes[i]!;
      }
      first = last;
    }
  }
}

/** The properties text of a raw record. */
export function propertiesOf(record: Uint8Array): string {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const sysFlag = view.getInt32(36);
  const bodyLengthAt = 48 + (sysFlag & 0x10 ? 20 : 8) + 8 + (sysFlag & 0x20 ? 20 : 8) + 12;
  let p = bodyLengthAt + 4 + view.getInt32(bodyLengthAt);
  const magic = view.getInt32(4);
  const topicLength = magic === MESSAGE_MAGIC_CODE_V2 ? view.getInt16(p) : record[p]!;
  p += (magic === MESSAGE_MAGIC_CODE_V2 ? 2 : 1) + topicLength;
  const length = view.getInt16(p);
  return length > 0 ? textDecoder.decode(record.subarray(p + 2, p + 2 + length)) : '';
}
