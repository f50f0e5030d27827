/**
 * The CommitLog: one append-only byte sequence cut into fixed-size segment
 * files (store doc §2, §3.5). Appends are encoded straight into an in-memory
 * write buffer; once per event-loop turn (`writePending`) the new bytes are
 * handed to the OS in one positional write, made right there when short and
 * the event loop has time to spare, otherwise queued to the writer thread
 * (log-writer.ts); whichever makes the write first seals the records (their
 * body CRCs, seal.ts). Reads of bytes still in the buffer are served from
 * memory. Once everything is written and the appends are `bufferRewindBytes`
 * in, they start again at the buffer's beginning.
 * Before the buffer window moves on (buffer full, segment roll) and before a
 * flush, the queue is drained, so every byte below `bufferBase` is in the OS.
 * A record never spans two segments: when one does not fit, an 8-byte blank
 * marker fills the rest of the segment and the record opens the next.
 *
 * Offsets: `writeOffset` (appended) ≥ `writtenOffset` (queued for the OS) ≥
 * `flushedOffset` (on disk after fdatasync).
 */
import fs from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { BLANK_MAGIC_CODE, BLANK_MARKER_SIZE } from '../../sdk/protocol/message-record.ts';
import { crc32, hasNativeCrc32 } from '../../sdk/util/crc32.ts';
import { LogWriter } from './log-writer.ts';
import { sealRecords } from './seal.ts';
import type { WriterThreadMode } from './message-store.ts';
import { listOffsetFiles, readFully, Segment, writeFully } from './segment.ts';
import {
  bufferRewindBytes, inlineWriteBytesMax, inlineWriteMsMax, loopUtilizationWindowMs, saturatedLoopUtilization, unsaturatedLoopUtilization, writeBufferBytesMax,
} from './settings.ts';

/** See `CommitLog.writeStats`. */
export interface CommitLogWriteStats {
  bytes: number;
  ms: number;
  recentMsPerMiB: number;
  inlineWrites: number;
  threadWrites: number;
}

export class CommitLog {
  readonly segments: Segment[] = [];
  /** Appends are encoded into `buffer` at `physicalOffset - bufferBase`; shared with the writer thread. */
  readonly buffer: Uint8Array;
  readonly view: DataView;
  bufferBase = 0;
  writeOffset = 0;
  writtenOffset = 0;
  flushedOffset = 0;
  /** Segments fully written whose bytes still await fdatasync. */
  private unsyncedSegments: Segment[] = [];
  /** Started by the first long write, so a store that is only read starts no thread. */
  private writer: LogWriter | undefined;
  /** Recent cost of handing bytes to the OS (ms per MiB), from writes made here and by the writer thread. */
  private writeMsPerMiB = 0.2;
  /** Bytes handed to the OS and the milliseconds those writes took (sealing included), since the log was opened. */
  private writeBytesTotal = 0;
  private writeMsTotal = 0;
  private readonly sampleWrite = (bytes: number, ms: number): void => {
    this.writeBytesTotal += bytes;
    this.writeMsTotal += ms;
    if (bytes < 4096) return;
    this.writeMsPerMiB += ((ms * 1048576) / bytes - this.writeMsPerMiB) * 0.25;
  };
  /** Writes made on the event loop and writes queued to the writer thread, since the log was opened. */
  inlineWrites = 0;
  threadWrites = 0;
  /** Whether the event loop was saturated over the last window (see `saturatedLoopUtilization`). */
  private loopSaturated = false;
  private loopSampledAt = -Infinity;
  private loopSample: EventLoopUtilization | undefined;

  constructor(
    readonly dir: string,
    readonly segmentBytes: number,
    readonly writerThread: WriterThreadMode = 'auto',
  ) {
    fs.mkdirSync(dir, { recursive: true });
    const capacity = Math.min(segmentBytes, writeBufferBytesMax);
    this.buffer = Buffer.from(new SharedArrayBuffer(capacity));
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  /** Opens the existing segments; returns the start offsets of files that were shorter than a segment. */
  load(): number[] {
    const shortFiles: number[] = [];
    for (const startOffset of listOffsetFiles(this.dir)) {
      if (startOffset % this.segmentBytes !== 0) throw new Error(`commit log: file ${startOffset} is not aligned to the segment size ${this.segmentBytes}`);
      const { segment, wasShort } = Segment.open(this.dir, startOffset, this.segmentBytes);
      if (wasShort) shortFiles.push(startOffset);
      this.segments.push(segment);
    }
    return shortFiles;
  }

  minOffset(): number {
    return this.segments.length ? this.segments[0]!.startOffset : this.writeOffset;
  }

  /** The first offset past the files on disk. */
  fileEndOffset(): number {
    const last = this.segments.at(-1);
    return last ? last.startOffset + this.segmentBytes : 0;
  }

  segmentFor(offset: number): Segment | undefined {
    const segments = this.segments;
    const start = offset - (offset % this.segmentBytes);
    // Nearly every lookup is for the newest segment.
    for (let i = segments.length - 1; i >= 0; i--) {
      const segment = segments[i]!;
      if (segment.startOffset === start) return segment;
      if (segment.startOffset < start) return undefined;
    }
    return undefined;
  }

  /** Sets the end found by recovery: later bytes are zeroed, later files deleted. */
  setEnd(end: number): void {
    this.drain();
    while (this.segments.length && this.segments.at(-1)!.startOffset > end) this.segments.pop()!.destroy();
    const last = this.segments.at(-1);
    if (last && end < last.startOffset + this.segmentBytes) last.truncateFrom(end - last.startOffset, this.segmentBytes);
    if (!last && end > 0 && end % this.segmentBytes !== 0) throw new Error(`commit log: end ${end} lies in a missing segment`);
    this.writeOffset = this.writtenOffset = this.flushedOffset = this.bufferBase = end;
  }

  /**
   * Makes room for `size` bytes and returns the physical offset to encode
   * them at, or -1 when `size` can never fit in one segment or in the write
   * buffer (a batch's records, which carry the batch's properties each, can
   * outgrow its body). Rolls to a new segment (writing the blank marker) when
   * the current one has too little room.
   */
  reserve(size: number): number {
    if (size + BLANK_MARKER_SIZE > this.segmentBytes || size > this.buffer.length) return -1;
    let offset = this.writeOffset;
    // Every appended byte is in the OS and the window is past `bufferRewindBytes`: start again at the
    // buffer's beginning, whose memory is still in the CPU's cache, instead of going on into memory
    // last touched a whole buffer ago (encoding into cold memory costs several times as much).
    if (offset - this.bufferBase > bufferRewindBytes && this.writtenOffset === offset && (this.writer === undefined || this.writer.idle())) {
      this.bufferBase = offset;
    }
    const inSegment = offset % this.segmentBytes;
    const hasSegment = inSegment !== 0 || this.segmentFor(offset) !== undefined;
    if (hasSegment && this.segmentBytes - inSegment < size + BLANK_MARKER_SIZE) {
      this.appendBlankMarker(this.segmentBytes - inSegment);
      offset = this.writeOffset;
    }
    if (offset % this.segmentBytes === 0 && this.segmentFor(offset) === undefined) {
      this.writePending();
      this.drain();
      this.segments.push(Segment.create(this.dir, offset, this.segmentBytes));
      this.bufferBase = offset;
    }
    if (offset + size - this.bufferBase > this.buffer.length) {
      this.writePending();
      this.drain();
      this.bufferBase = offset;
    }
    return offset;
  }

  /** Marks `size` reserved bytes as appended. */
  commit(size: number): void {
    this.writeOffset += size;
  }

  private appendBlankMarker(space: number): void {
    if (this.writeOffset + BLANK_MARKER_SIZE - this.bufferBase > this.buffer.length) {
      this.writePending();
      this.drain();
      this.bufferBase = this.writeOffset;
    }
    const at = this.writeOffset - this.bufferBase;
    this.view.setInt32(at, space);
    this.view.setInt32(at + 4, BLANK_MAGIC_CODE);
    this.writeOffset += BLANK_MARKER_SIZE;
    this.writePending();
    this.drain();
    const full = this.segmentFor(this.writeOffset - 1)!;
    this.unsyncedSegments.push(full);
    this.writeOffset += space - BLANK_MARKER_SIZE;
    this.writtenOffset = this.writeOffset;
    this.bufferBase = this.writeOffset;
  }

  /**
   * Hands the appended bytes not yet handed on to the OS as one positional
   * write: written here when few and the writer thread is idle, else queued
   * to the writer thread. Throws when an earlier write failed.
   */
  writePending(): void {
    const writer = this.writer;
    writer?.check();
    if (this.writtenOffset >= this.writeOffset) return;
    const segment = this.segmentFor(this.writtenOffset)!;
    const start = this.writtenOffset - this.bufferBase;
    const end = this.writeOffset - this.bufferBase;
    const position = this.writtenOffset - segment.startOffset;
    const bytes = end - start;
    writer?.takeTiming(this.sampleWrite);
    const mode = this.writerThread;
    const short = bytes <= inlineWriteBytesMax || (bytes / 1048576) * this.writeMsPerMiB <= inlineWriteMsMax;
    if (mode === 'never' || (mode === 'auto' && short && (!writer || writer.idle()) && !this.eventLoopSaturated())) {
      const began = performance.now();
      sealRecords(this.buffer, this.view, start, end, crc32);
      writeFully(segment.fd, this.buffer, start, end, position);
      this.sampleWrite(bytes, performance.now() - began);
      writer?.noteWritten(this.writeOffset);
      this.inlineWrites++;
    } else {
      // The thread seals with `node:zlib`'s CRC-32; on a runtime without one the records are sealed here.
      if (!hasNativeCrc32) sealRecords(this.buffer, this.view, start, end, crc32);
      (this.writer ??= new LogWriter(this.buffer.buffer as SharedArrayBuffer, this.writtenOffset)).submit(segment.fd, start, end, position, this.writeOffset, hasNativeCrc32);
      this.threadWrites++;
    }
    this.writtenOffset = this.writeOffset;
  }

  /**
   * What handing bytes to the OS has cost: totals since the log was opened
   * (the writer thread's included up to its last finished write) and the
   * recent cost per MiB that the inline-or-thread choice goes by.
   */
  writeStats(): CommitLogWriteStats {
    this.writer?.takeTiming(this.sampleWrite);
    return {
      bytes: this.writeBytesTotal,
      ms: this.writeMsTotal,
      recentMsPerMiB: this.writeMsPerMiB,
      inlineWrites: this.inlineWrites,
      threadWrites: this.threadWrites,
    };
  }

  /** Re-read at most once per window: one native call, not one per write. */
  private eventLoopSaturated(): boolean {
    const now = performance.now();
    if (now - this.loopSampledAt < loopUtilizationWindowMs) return this.loopSaturated;
    const sample = performance.eventLoopUtilization();
    if (this.loopSample !== undefined) {
      const utilization = performance.eventLoopUtilization(sample, this.loopSample).utilization;
      this.loopSaturated = utilization >= (this.loopSaturated ? unsaturatedLoopUtilization : saturatedLoopUtilization);
    }
    this.loopSample = sample;
    this.loopSampledAt = now;
    return this.loopSaturated;
  }

  /** The offset up to which appended bytes are in the OS; throws when a write failed. */
  osOffset(): number {
    const writer = this.writer;
    if (!writer) return this.writtenOffset;
    writer.check();
    // Idle: everything queued is written, including a blank marker's skipped tail.
    return writer.idle() ? this.writtenOffset : writer.writtenEnd();
  }

  /**
   * Calls `callback` once the writer thread has made progress since the last
   * `osOffset()` (or after `timeoutMs`); the process stays alive until then.
   */
  onWriteProgress(callback: () => void, timeoutMs: number): void {
    const writer = this.writer;
    if (!writer) return queueMicrotask(callback);
    writer.keepAlive(true);
    writer.onProgress(callback, timeoutMs);
  }

  /** Lets the process exit while no one waits on a write. */
  releaseWriteWait(): void {
    this.writer?.keepAlive(false);
  }

  /** Waits until every queued byte is in the OS; throws when a write failed. */
  drain(): void {
    this.writer?.drain();
  }

  /** Forces written bytes to disk; returns the offset now durable. */
  async flush(): Promise<number> {
    this.writePending();
    this.drain();
    const target = this.writtenOffset;
    if (target <= this.flushedOffset) return this.flushedOffset;
    const segments = this.unsyncedSegments;
    this.unsyncedSegments = [];
    const current = this.segmentFor(target - 1);
    if (current && !segments.includes(current)) segments.push(current);
    for (const segment of segments) {
      if (segment.fd >= 0) await fdatasync(segment.fd);
    }
    if (target > this.flushedOffset) this.flushedOffset = target;
    return this.flushedOffset;
  }

  flushSync(): void {
    this.writePending();
    this.drain();
    for (const segment of this.unsyncedSegments) if (segment.fd >= 0) fs.fdatasyncSync(segment.fd);
    this.unsyncedSegments = [];
    const current = this.segmentFor(Math.max(0, this.writtenOffset - 1));
    if (current && current.fd >= 0) fs.fdatasyncSync(current.fd);
    this.flushedOffset = this.writtenOffset;
  }

  /**
   * Copies `length` bytes at `offset` into `target` (from memory when still
   * buffered). Returns false when they are not all there (deleted or beyond
   * the end). The range must lie within one segment.
   */
  readInto(offset: number, length: number, target: Uint8Array, targetOffset = 0): boolean {
    if (offset < this.minOffset() || offset + length > this.writeOffset) return false;
    if (offset >= this.bufferBase) {
      const at = offset - this.bufferBase;
      target.set(this.buffer.subarray(at, at + length), targetOffset);
      return true;
    }
    const segment = this.segmentFor(offset);
    if (!segment || segment.fd < 0) return false;
    const position = offset - segment.startOffset;
    if (position + length > this.segmentBytes) return false;
    // A range that runs from the file into the buffer is read in two parts.
    const fromFile = Math.min(length, this.bufferBase - offset);
    if (readFully(segment.fd, target, targetOffset, fromFile, position) !== fromFile) return false;
    if (fromFile < length) target.set(this.buffer.subarray(0, length - fromFile), targetOffset + fromFile);
    return true;
  }

  /** `length` bytes at `offset` in a new buffer, or undefined. */
  read(offset: number, length: number): Uint8Array | undefined {
    const target = Buffer.allocUnsafe(length);
    return this.readInto(offset, length, target) ? target : undefined;
  }

  /** Deletes the oldest segment; the current one is never deleted. */
  deleteOldestSegment(): Segment | undefined {
    if (this.segments.length <= 1) return undefined;
    const segment = this.segments.shift()!;
    this.unsyncedSegments = this.unsyncedSegments.filter((s) => s !== segment);
    segment.destroy();
    return segment;
  }

  close(): void {
    const writer = this.writer;
    this.writer = undefined;
    try {
      writer?.drain();
    } finally {
      writer?.stop();
      for (const segment of this.segments) segment.close();
    }
  }
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}
