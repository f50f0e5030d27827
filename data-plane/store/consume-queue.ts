/**
 * A ConsumeQueue (store doc §4): the index of one topic-queue into the
 * CommitLog, 20-byte units (CommitLog offset int64, size int32, tags code
 * int64) in files of `unitsPerFile` units named by their start byte. Unit `n`
 * is queue offset `n`. New units collect in memory and are written out in one
 * positional write per file; reads of units not yet written come from memory.
 * Files grow as units are written (not pre-allocated), so a file's length
 * tells how many units it holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listOffsetFiles, offsetToFileName, readFully, writeFully } from './segment.ts';
import { consumeQueuePendingBytesMax } from './settings.ts';

export const CQ_STORE_UNIT_SIZE = 20;
const BLANK_UNIT_SIZE = 0x7fffffff;

interface QueueFile {
  startUnit: number;
  fd: number;
  filePath: string;
}

export class ConsumeQueue {
  /** Next queue offset the append path hands out (PREPARED/ROLLBACK records take none). */
  nextQueueOffset = 0;
  /** Units dispatched (= the queue's max offset). */
  maxOffset = 0;
  minOffset = 0;
  /** Highest CommitLog offset + size seen, for idempotent re-dispatch. */
  maxPhysicalEnd = 0;
  private readonly files: QueueFile[] = [];
  private writtenUnits = 0;
  private pending: Uint8Array = new Uint8Array(CQ_STORE_UNIT_SIZE * 32);
  private pendingView = new DataView(this.pending.buffer);
  private readonly fileBytes: number;

  constructor(
    readonly topic: string,
    readonly queueId: number,
    readonly dir: string,
    readonly unitsPerFile: number,
  ) {
    this.fileBytes = unitsPerFile * CQ_STORE_UNIT_SIZE;
  }

  /** Opens existing files, drops a torn trailing unit and returns the unit count. */
  load(): void {
    for (const startByte of listOffsetFiles(this.dir)) {
      const filePath = path.join(this.dir, offsetToFileName(startByte));
      const fd = fs.openSync(filePath, 'r+');
      this.files.push({ startUnit: startByte / CQ_STORE_UNIT_SIZE, fd, filePath });
    }
    const last = this.files.at(-1);
    if (!last) return;
    const length = fs.fstatSync(last.fd).size;
    let units = Math.floor(length / CQ_STORE_UNIT_SIZE);
    // A unit of zeros was never written whole; cut back to the last real one.
    const unit = new Uint8Array(CQ_STORE_UNIT_SIZE);
    const view = new DataView(unit.buffer);
    while (units > 0) {
      readFully(last.fd, unit, 0, CQ_STORE_UNIT_SIZE, (units - 1) * CQ_STORE_UNIT_SIZE);
      if (view.getInt32(8) > 0) break;
      units--;
    }
    if (units * CQ_STORE_UNIT_SIZE !== length) fs.ftruncateSync(last.fd, units * CQ_STORE_UNIT_SIZE);
    this.maxOffset = this.writtenUnits = this.nextQueueOffset = last.startUnit + units;
    this.minOffset = this.files[0]!.startUnit;
    if (units > 0) {
      readFully(last.fd, unit, 0, CQ_STORE_UNIT_SIZE, (units - 1) * CQ_STORE_UNIT_SIZE);
      this.maxPhysicalEnd = readInt64(view, 0) + view.getInt32(8);
    } else if (this.maxOffset === 0 && this.files.length === 1) {
      this.minOffset = 0;
    }
  }

  /**
   * Adds the unit of the message at `queueOffset`. Units already present are
   * ignored, so re-dispatching after a crash is harmless; a gap (a queue whose
   * first unit is not 0) is filled with blank units.
   */
  putUnit(queueOffset: number, physicalOffset: number, size: number, tagsCode: number): void {
    if (queueOffset < this.maxOffset) return;
    if (this.maxOffset === 0 && queueOffset > 0 && this.files.length === 0) {
      this.minOffset = this.writtenUnits = this.maxOffset = queueOffset;
    }
    while (this.maxOffset < queueOffset) this.addUnit(0, BLANK_UNIT_SIZE, 0);
    this.addUnit(physicalOffset, size, tagsCode);
    if (physicalOffset + size > this.maxPhysicalEnd) this.maxPhysicalEnd = physicalOffset + size;
    if (this.nextQueueOffset < this.maxOffset) this.nextQueueOffset = this.maxOffset;
    if ((this.maxOffset - this.writtenUnits) * CQ_STORE_UNIT_SIZE >= consumeQueuePendingBytesMax) this.writeOut();
  }

  private addUnit(physicalOffset: number, size: number, tagsCode: number): void {
    const at = (this.maxOffset - this.writtenUnits) * CQ_STORE_UNIT_SIZE;
    if (at + CQ_STORE_UNIT_SIZE > this.pending.length) {
      const grown = new Uint8Array(this.pending.length * 2);
      grown.set(this.pending);
      this.pending = grown;
      this.pendingView = new DataView(grown.buffer);
    }
    writeInt64(this.pendingView, at, physicalOffset);
    this.pendingView.setInt32(at + 8, size);
    writeInt64(this.pendingView, at + 12, tagsCode);
    this.maxOffset++;
  }

  /** Writes pending units to their files. Returns true when anything was written. */
  writeOut(): boolean {
    if (this.writtenUnits >= this.maxOffset) return false;
    let unit = this.writtenUnits;
    while (unit < this.maxOffset) {
      const file = this.fileFor(unit, true)!;
      const end = Math.min(this.maxOffset, file.startUnit + this.unitsPerFile);
      const from = (unit - this.writtenUnits) * CQ_STORE_UNIT_SIZE;
      writeFully(file.fd, this.pending, from, from + (end - unit) * CQ_STORE_UNIT_SIZE, (unit - file.startUnit) * CQ_STORE_UNIT_SIZE);
      unit = end;
    }
    this.writtenUnits = this.maxOffset;
    return true;
  }

  syncFiles(): Promise<void>[] {
    const last = this.files.at(-1);
    return last ? [new Promise((resolve) => fs.fdatasync(last.fd, () => resolve()))] : [];
  }

  private fileFor(unit: number, create: boolean): QueueFile | undefined {
    const startUnit = unit - (unit % this.unitsPerFile);
    for (let i = this.files.length - 1; i >= 0; i--) {
      const file = this.files[i]!;
      if (file.startUnit === startUnit) return file;
      if (file.startUnit < startUnit) break;
    }
    if (!create) return undefined;
    fs.mkdirSync(this.dir, { recursive: true });
    const filePath = path.join(this.dir, offsetToFileName(startUnit * CQ_STORE_UNIT_SIZE));
    const file = { startUnit, fd: fs.openSync(filePath, 'w+'), filePath };
    this.files.push(file);
    this.files.sort((a, b) => a.startUnit - b.startUnit);
    return file;
  }

  /**
   * Reads up to `count` units from `offset` (never across a file boundary)
   * into `target`; returns how many were read.
   */
  readUnits(offset: number, count: number, target: Uint8Array): number {
    if (offset < this.minOffset || offset >= this.maxOffset) return 0;
    count = Math.min(count, this.maxOffset - offset, Math.floor(target.length / CQ_STORE_UNIT_SIZE));
    if (offset >= this.writtenUnits) {
      const from = (offset - this.writtenUnits) * CQ_STORE_UNIT_SIZE;
      target.set(this.pending.subarray(from, from + count * CQ_STORE_UNIT_SIZE));
      return count;
    }
    const file = this.fileFor(offset, false);
    if (!file) return 0;
    count = Math.min(count, file.startUnit + this.unitsPerFile - offset, this.writtenUnits - offset);
    const bytes = readFully(file.fd, target, 0, count * CQ_STORE_UNIT_SIZE, (offset - file.startUnit) * CQ_STORE_UNIT_SIZE);
    return Math.floor(bytes / CQ_STORE_UNIT_SIZE);
  }

  /** Drops units whose record ends past `physicalEnd` (a CommitLog cut back by recovery). */
  truncateBeyond(physicalEnd: number): void {
    if (this.maxPhysicalEnd <= physicalEnd) return;
    this.writeOut();
    const unit = new Uint8Array(CQ_STORE_UNIT_SIZE);
    const view = new DataView(unit.buffer);
    let keep = this.maxOffset;
    while (keep > this.minOffset) {
      if (this.readUnits(keep - 1, 1, unit) !== 1) break;
      const end = readInt64(view, 0) + view.getInt32(8);
      if (view.getInt32(8) !== BLANK_UNIT_SIZE && end <= physicalEnd) break;
      keep--;
    }
    while (this.files.length && this.files.at(-1)!.startUnit >= keep && this.files.length > 1) {
      const file = this.files.pop()!;
      fs.closeSync(file.fd);
      fs.rmSync(file.filePath, { force: true });
    }
    const last = this.files.at(-1);
    if (last) fs.ftruncateSync(last.fd, Math.max(0, keep - last.startUnit) * CQ_STORE_UNIT_SIZE);
    this.maxOffset = this.writtenUnits = this.nextQueueOffset = Math.max(keep, this.minOffset);
    this.maxPhysicalEnd = 0;
    if (keep > this.minOffset && this.readUnits(keep - 1, 1, unit) === 1) this.maxPhysicalEnd = readInt64(view, 0) + view.getInt32(8);
  }

  /**
   * Retention: deletes files whose units all point below `minPhysicalOffset`
   * (never the last file) and moves `minOffset` to the first unit still in the
   * CommitLog. Returns the number of files deleted.
   */
  cleanBelow(minPhysicalOffset: number): number {
    this.writeOut();
    const unit = new Uint8Array(CQ_STORE_UNIT_SIZE);
    const view = new DataView(unit.buffer);
    let deleted = 0;
    while (this.files.length > 1) {
      const next = this.files[1]!;
      if (this.readUnits(next.startUnit - 1, 1, unit) !== 1) break;
      if (readInt64(view, 0) + view.getInt32(8) > minPhysicalOffset) break;
      const file = this.files.shift()!;
      fs.closeSync(file.fd);
      fs.rmSync(file.filePath, { force: true });
      this.minOffset = next.startUnit;
      deleted++;
    }
    // Binary search for the first unit still in the CommitLog.
    let low = this.minOffset;
    let high = this.maxOffset;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (this.readUnits(middle, 1, unit) === 1 && view.getInt32(8) !== BLANK_UNIT_SIZE && readInt64(view, 0) >= minPhysicalOffset) high = middle;
      else low = middle + 1;
    }
    this.minOffset = low;
    return deleted;
  }

  close(): void {
    for (const file of this.files) fs.closeSync(file.fd);
    this.files.length = 0;
  }

  destroy(): void {
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function readInt64(view: DataView, position: number): number {
  return view.getInt32(position) * 0x100000000 + view.getUint32(position + 4);
}

export function writeInt64(view: DataView, position: number, value: number): void {
  const high = Math.floor(value / 0x100000000);
  view.setInt32(position, high);
  view.setUint32(position + 4, value - high * 0x100000000);
}
