/**
 * The CommitLog: one append-only byte sequence cut into fixed-size segment
 * files (store doc §2, §3.5). Appends are encoded straight into an in-memory
 * write buffer and reach the file with one positional write per event-loop
 * turn (`writePending`); reads of bytes still in the buffer are served from
 * memory. A record never spans two segments: when one does not fit, an 8-byte
 * blank marker fills the rest of the segment and the record opens the next.
 *
 * Offsets: `writeOffset` (appended) ≥ `writtenOffset` (handed to the OS) ≥
 * `flushedOffset` (on disk after fdatasync).
 */
import fs from 'node:fs';
import { BLANK_MAGIC_CODE, BLANK_MARKER_SIZE } from '../../sdk/protocol/message-record.ts';
import { listOffsetFiles, readFully, Segment, writeFully } from './segment.ts';
import { writeBufferBytesMax } from './settings.ts';

export class CommitLog {
  readonly segments: Segment[] = [];
  /** Appends are encoded into `buffer` at `physicalOffset - bufferBase`. */
  readonly buffer: Uint8Array;
  readonly view: DataView;
  bufferBase = 0;
  writeOffset = 0;
  writtenOffset = 0;
  flushedOffset = 0;
  /** Segments fully written whose bytes still await fdatasync. */
  private unsyncedSegments: Segment[] = [];

  constructor(
    readonly dir: string,
    readonly segmentBytes: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    const capacity = Math.min(segmentBytes, writeBufferBytesMax);
    this.buffer = Buffer.allocUnsafeSlow(capacity);
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
    while (this.segments.length && this.segments.at(-1)!.startOffset > end) this.segments.pop()!.destroy();
    const last = this.segments.at(-1);
    if (last && end < last.startOffset + this.segmentBytes) last.truncateFrom(end - last.startOffset, this.segmentBytes);
    if (!last && end > 0 && end % this.segmentBytes !== 0) throw new Error(`commit log: end ${end} lies in a missing segment`);
    this.writeOffset = this.writtenOffset = this.flushedOffset = this.bufferBase = end;
  }

  /**
   * Makes room for `size` bytes and returns the physical offset to encode
   * them at, or -1 when `size` can never fit in one segment. Rolls to a new
   * segment (writing the blank marker) when the current one has too little room.
   */
  reserve(size: number): number {
    if (size + BLANK_MARKER_SIZE > this.segmentBytes) return -1;
    let offset = this.writeOffset;
    const inSegment = offset % this.segmentBytes;
    const hasSegment = inSegment !== 0 || this.segmentFor(offset) !== undefined;
    if (hasSegment && this.segmentBytes - inSegment < size + BLANK_MARKER_SIZE) {
      this.appendBlankMarker(this.segmentBytes - inSegment);
      offset = this.writeOffset;
    }
    if (offset % this.segmentBytes === 0 && this.segmentFor(offset) === undefined) {
      this.writePending();
      this.segments.push(Segment.create(this.dir, offset, this.segmentBytes));
      this.bufferBase = offset;
    }
    if (offset + size - this.bufferBase > this.buffer.length) {
      this.writePending();
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
      this.bufferBase = this.writeOffset;
    }
    const at = this.writeOffset - this.bufferBase;
    this.view.setInt32(at, space);
    this.view.setInt32(at + 4, BLANK_MAGIC_CODE);
    this.writeOffset += BLANK_MARKER_SIZE;
    this.writePending();
    const full = this.segmentFor(this.writeOffset - 1)!;
    this.unsyncedSegments.push(full);
    this.writeOffset += space - BLANK_MARKER_SIZE;
    this.writtenOffset = this.writeOffset;
    this.bufferBase = this.writeOffset;
  }

  /** Writes the appended bytes not yet handed to the OS, in one positional write. */
  writePending(): void {
    if (this.writtenOffset >= this.writeOffset) return;
    const segment = this.segmentFor(this.writtenOffset)!;
    writeFully(
      segment.fd,
      this.buffer,
      this.writtenOffset - this.bufferBase,
      this.writeOffset - this.bufferBase,
      this.writtenOffset - segment.startOffset,
    );
    this.writtenOffset = this.writeOffset;
  }

  /** Forces written bytes to disk; returns the offset now durable. */
  async flush(): Promise<number> {
    this.writePending();
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
    for (const segment of this.segments) segment.close();
  }
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}
