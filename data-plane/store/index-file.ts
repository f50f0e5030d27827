/**
 * IndexFiles (store doc §6): hash tables from `topic#key` to CommitLog
 * offsets, one file per `indexNum` entries, named by creation time.
 *
 *   | header 40 B | hashSlotNum × 4 B slots | indexNum × 20 B entries |
 *
 * The writable (newest) file keeps its slot table in memory and its new
 * entries in a pending buffer; `writeOut` writes entries first, then the
 * dirty slot pages, then the header, so a crash in between leaves slots that
 * point past the header's count, which readers treat as empty. Older files are
 * read with positional reads. Query results may include hash collisions and
 * stale entries; the store re-checks every hit against the record itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readInt64, writeInt64 } from './consume-queue.ts';
import { readFully, writeFully, writeFullyAsync } from './segment.ts';
import { indexPendingBytesMax } from './settings.ts';

export const INDEX_HEADER_SIZE = 40;
const HASH_SLOT_SIZE = 4;
const INDEX_ENTRY_SIZE = 20;
const SLOTS_PER_PAGE = 1024;
/** Clean pages (4 KiB each) a slot write-out may span to join two dirty runs. */
const cleanGapPagesMax = 16;

export interface IndexHeader {
  beginTimestamp: number;
  endTimestamp: number;
  beginPhyOffset: number;
  endPhyOffset: number;
  hashSlotCount: number;
  /** Next entry number; entries are numbered from 1. */
  indexCount: number;
}

/** `yyyyMMddHHmmssSSS` in local time, as RocketMQ names index files. */
export function indexFileName(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

export class IndexFile {
  header: IndexHeader = { beginTimestamp: 0, endTimestamp: 0, beginPhyOffset: 0, endPhyOffset: 0, hashSlotCount: 0, indexCount: 1 };
  /**
   * The hash slot table exactly as the file holds it (big-endian int32s), so
   * dirty pages go to the file straight from here with no conversion.
   */
  private slots: Uint8Array | undefined;
  private slotView: DataView | undefined;
  private dirtyPages: Uint8Array | undefined;
  private pending = new Uint8Array(INDEX_ENTRY_SIZE * 256);
  private pendingView = new DataView(this.pending.buffer);
  /** Entry number of the first pending entry. */
  private writtenCount = 1;
  /** The write of `writeOutAsync` under way. */
  private inFlight: Promise<void> | undefined;
  /** Set by `seal`; the slot table is freed once no write-out is under way. */
  private sealed = false;

  private constructor(
    readonly filePath: string,
    private fd: number,
    readonly hashSlotNum: number,
    readonly indexNum: number,
  ) {}

  static create(dir: string, time: number, hashSlotNum: number, indexNum: number, previous?: IndexHeader): IndexFile {
    fs.mkdirSync(dir, { recursive: true });
    let name = indexFileName(time);
    while (fs.existsSync(path.join(dir, name))) name = indexFileName(++time);
    const filePath = path.join(dir, name);
    const fd = fs.openSync(filePath, 'w+');
    fs.ftruncateSync(fd, INDEX_HEADER_SIZE + hashSlotNum * HASH_SLOT_SIZE + indexNum * INDEX_ENTRY_SIZE);
    const file = new IndexFile(filePath, fd, hashSlotNum, indexNum);
    if (previous) {
      file.header.beginTimestamp = file.header.endTimestamp = previous.endTimestamp;
      file.header.beginPhyOffset = file.header.endPhyOffset = previous.endPhyOffset;
    }
    file.setSlots(new Uint8Array(hashSlotNum * HASH_SLOT_SIZE));
    file.dirtyPages = new Uint8Array(Math.ceil(hashSlotNum / SLOTS_PER_PAGE));
    file.writeHeader();
    return file;
  }

  static open(filePath: string, hashSlotNum: number, indexNum: number, writable: boolean): IndexFile {
    const fd = fs.openSync(filePath, 'r+');
    const file = new IndexFile(filePath, fd, hashSlotNum, indexNum);
    const bytes = new Uint8Array(INDEX_HEADER_SIZE);
    readFully(fd, bytes, 0, INDEX_HEADER_SIZE, 0);
    const view = new DataView(bytes.buffer);
    file.header = {
      beginTimestamp: readInt64(view, 0),
      endTimestamp: readInt64(view, 8),
      beginPhyOffset: readInt64(view, 16),
      endPhyOffset: readInt64(view, 24),
      hashSlotCount: view.getInt32(32),
      indexCount: Math.max(1, view.getInt32(36)),
    };
    file.writtenCount = file.header.indexCount;
    if (writable && !file.isFull()) file.loadSlots();
    return file;
  }

  private loadSlots(): void {
    const bytes = new Uint8Array(this.hashSlotNum * HASH_SLOT_SIZE);
    readFully(this.fd, bytes, 0, bytes.length, INDEX_HEADER_SIZE);
    const view = new DataView(bytes.buffer);
    const count = this.header.indexCount;
    for (let at = 0; at < bytes.length; at += HASH_SLOT_SIZE) {
      const value = view.getInt32(at);
      // Slots written after the header was last saved point at lost entries.
      if (value !== 0 && !(value > 0 && value < count)) view.setInt32(at, 0);
    }
    this.setSlots(bytes);
    this.dirtyPages = new Uint8Array(Math.ceil(this.hashSlotNum / SLOTS_PER_PAGE)).fill(1);
  }

  private setSlots(bytes: Uint8Array): void {
    this.slots = bytes;
    this.slotView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  isFull(): boolean {
    return this.header.indexCount >= this.indexNum;
  }

  /** True while a write-out runs; the file must not be closed then. */
  isBusy(): boolean {
    return this.inFlight !== undefined;
  }

  isWritable(): boolean {
    return this.slots !== undefined && !this.sealed && !this.isFull();
  }

  /** Adds one key. Returns false when the file is full. */
  putKey(keyHash: number, physicalOffset: number, storeTimestamp: number): boolean {
    const slots = this.slotView;
    if (!slots || this.isFull()) return false;
    const header = this.header;
    if (header.indexCount <= 1 && header.beginPhyOffset === 0) {
      header.beginPhyOffset = physicalOffset;
      header.beginTimestamp = storeTimestamp;
    }
    if (header.indexCount <= 1 && header.beginTimestamp === 0) header.beginTimestamp = storeTimestamp;
    const slot = keyHash % this.hashSlotNum;
    const previous = slots.getInt32(slot * HASH_SLOT_SIZE);
    let timeDiff = Math.floor((storeTimestamp - header.beginTimestamp) / 1000);
    if (timeDiff < 0) timeDiff = 0;
    if (timeDiff > 0x7fffffff) timeDiff = 0x7fffffff;
    const at = (header.indexCount - this.writtenCount) * INDEX_ENTRY_SIZE;
    if (at + INDEX_ENTRY_SIZE > this.pending.length) {
      const grown = new Uint8Array(this.pending.length * 2);
      grown.set(this.pending);
      this.pending = grown;
      this.pendingView = new DataView(grown.buffer);
    }
    const view = this.pendingView;
    view.setInt32(at, keyHash);
    writeInt64(view, at + 4, physicalOffset);
    view.setInt32(at + 12, timeDiff);
    view.setInt32(at + 16, previous);
    slots.setInt32(slot * HASH_SLOT_SIZE, header.indexCount);
    this.dirtyPages![Math.floor(slot / SLOTS_PER_PAGE)] = 1;
    if (previous === 0) header.hashSlotCount++;
    header.indexCount++;
    header.endPhyOffset = physicalOffset;
    header.endTimestamp = storeTimestamp;
    if (at + INDEX_ENTRY_SIZE >= indexPendingBytesMax) this.writeEntries();
    return true;
  }

  /** Entries, then dirty slot pages, then the header, all before returning (seal, close). */
  writeOut(): void {
    this.writeEntries();
    if (this.slots && this.dirtyPages) {
      for (const [start, end] of this.takeDirtyRuns()) writeFully(this.fd, this.slots, start, end, INDEX_HEADER_SIZE + start);
    }
    this.writeHeader();
  }

  /**
   * The periodic write-out: entries now (they are few), then the dirty slot
   * pages and the header through the thread pool, so copying megabytes of
   * slots into the page cache never stalls the event loop. Slots keep
   * changing while the write runs; a page changed meanwhile is dirty again and
   * goes out next time, and the header written last is the one of the entries
   * already on disk, so a slot that points past it reads as empty after a crash.
   */
  async writeOutAsync(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    this.writeEntries();
    const header = this.headerBytes();
    const slots = this.slots;
    const runs = slots && this.dirtyPages ? this.takeDirtyRuns() : [];
    this.inFlight = this.writeInBackground(slots, runs, header);
    try {
      await this.inFlight;
    } finally {
      this.inFlight = undefined;
      // A seal asked for while the write ran (see `seal`).
      if (this.sealed && this.slots) this.seal();
    }
  }

  private async writeInBackground(slots: Uint8Array | undefined, runs: [number, number][], header: Uint8Array): Promise<void> {
    for (const [start, end] of runs) await writeFullyAsync(this.fd, slots!, start, end, INDEX_HEADER_SIZE + start);
    await writeFullyAsync(this.fd, header, 0, INDEX_HEADER_SIZE, 0);
  }

  private writeEntries(): void {
    const count = this.header.indexCount;
    if (count > this.writtenCount) {
      const position = INDEX_HEADER_SIZE + this.hashSlotNum * HASH_SLOT_SIZE + this.writtenCount * INDEX_ENTRY_SIZE;
      writeFully(this.fd, this.pending, 0, (count - this.writtenCount) * INDEX_ENTRY_SIZE, position);
      this.writtenCount = count;
    }
  }

  /**
   * Byte ranges of the slot table covering the dirty pages; clears their
   * marks. Runs apart by at most `cleanGapPagesMax` clean pages are joined:
   * rewriting a few unchanged pages costs less than another write, and at
   * modest rates random keys leave a dirty page every few pages, which would
   * otherwise be a thread pool round trip (and a wake-up of the event loop) each.
   */
  private takeDirtyRuns(): [number, number][] {
    const slots = this.slots!;
    const dirty = this.dirtyPages!;
    const pageBytes = SLOTS_PER_PAGE * HASH_SLOT_SIZE;
    const runs: [number, number][] = [];
    let page = 0;
    while (page < dirty.length) {
      if (!dirty[page]) {
        page++;
        continue;
      }
      const firstPage = page;
      let endPage = page;
      while (page < dirty.length && page - endPage <= cleanGapPagesMax) {
        if (dirty[page]) {
          dirty[page] = 0;
          endPage = page + 1;
        }
        page++;
      }
      runs.push([firstPage * pageBytes, Math.min(slots.length, endPage * pageBytes)]);
      page = endPage;
    }
    return runs;
  }

  private writeHeader(): void {
    writeFully(this.fd, this.headerBytes(), 0, INDEX_HEADER_SIZE, 0);
  }

  private headerBytes(): Uint8Array {
    const bytes = new Uint8Array(INDEX_HEADER_SIZE);
    const view = new DataView(bytes.buffer);
    const h = this.header;
    writeInt64(view, 0, h.beginTimestamp);
    writeInt64(view, 8, h.endTimestamp);
    writeInt64(view, 16, h.beginPhyOffset);
    writeInt64(view, 24, h.endPhyOffset);
    view.setInt32(32, h.hashSlotCount);
    view.setInt32(36, h.indexCount);
    return bytes;
  }

  /** Frees the in-memory slot table once the file is full. */
  seal(): void {
    this.sealed = true;
    // Under a write-out, writeOutAsync seals once it is done, so the two never race on the file.
    if (this.inFlight || !this.slots) return;
    this.writeOut();
    this.slots = undefined;
    this.slotView = undefined;
    this.dirtyPages = undefined;
  }

  /** Appends to `out` the CommitLog offsets of entries with `keyHash` stored within [begin, end]. */
  lookup(keyHash: number, maxNum: number, begin: number, end: number, out: number[]): void {
    const count = this.header.indexCount;
    if (count <= 1) return;
    const slot = keyHash % this.hashSlotNum;
    let entry = this.slotView ? this.slotView.getInt32(slot * HASH_SLOT_SIZE) : this.readSlot(slot);
    const bytes = new Uint8Array(INDEX_ENTRY_SIZE);
    const view = new DataView(bytes.buffer);
    let steps = 0;
    while (entry > 0 && entry < count && out.length < maxNum && steps++ < count) {
      if (entry >= this.writtenCount) bytes.set(this.pending.subarray((entry - this.writtenCount) * INDEX_ENTRY_SIZE, (entry - this.writtenCount + 1) * INDEX_ENTRY_SIZE));
      else readFully(this.fd, bytes, 0, INDEX_ENTRY_SIZE, INDEX_HEADER_SIZE + this.hashSlotNum * HASH_SLOT_SIZE + entry * INDEX_ENTRY_SIZE);
      const time = this.header.beginTimestamp + view.getInt32(12) * 1000;
      // Entry times are truncated to seconds, so allow one second of slack.
      if (time < begin - 1000) break;
      if (view.getInt32(0) === keyHash && time <= end && time >= begin - 1000) out.push(readInt64(view, 4));
      const previous = view.getInt32(16);
      if (previous >= entry) break;
      entry = previous;
    }
  }

  private readSlot(slot: number): number {
    const bytes = new Uint8Array(HASH_SLOT_SIZE);
    readFully(this.fd, bytes, 0, HASH_SLOT_SIZE, INDEX_HEADER_SIZE + slot * HASH_SLOT_SIZE);
    return new DataView(bytes.buffer).getInt32(0);
  }

  syncFile(): Promise<void> {
    return new Promise((resolve) => fs.fdatasync(this.fd, () => resolve()));
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  destroy(): void {
    this.close();
    fs.rmSync(this.filePath, { force: true });
  }
}
