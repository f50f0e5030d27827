/**
 * Fixed-size files named by their start offset in a 20-digit decimal (store
 * doc §2), shared by the CommitLog and the ConsumeQueues, plus the positional
 * read helper every reader uses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export function offsetToFileName(offset: number): string {
  return String(offset).padStart(20, '0');
}

/** Start offsets of the files in `dir` whose names are 20 digits, sorted. */
export function listOffsetFiles(dir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d{20}$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** One open CommitLog segment. */
export class Segment {
  constructor(
    readonly startOffset: number,
    readonly filePath: string,
    public fd: number,
  ) {}

  /** Opens an existing segment; a file shorter than `size` is extended with zeros and reported. */
  static open(dir: string, startOffset: number, size: number): { segment: Segment; wasShort: boolean } {
    const filePath = path.join(dir, offsetToFileName(startOffset));
    const fd = fs.openSync(filePath, 'r+');
    const length = fs.fstatSync(fd).size;
    if (length < size) fs.ftruncateSync(fd, size);
    return { segment: new Segment(startOffset, filePath, fd), wasShort: length < size };
  }

  /** Creates a new zero-filled (sparse) segment of `size` bytes. */
  static create(dir: string, startOffset: number, size: number): Segment {
    const filePath = path.join(dir, offsetToFileName(startOffset));
    const fd = fs.openSync(filePath, 'w+');
    fs.ftruncateSync(fd, size);
    return new Segment(startOffset, filePath, fd);
  }

  /** Zeroes everything from `position` to the end, so stale bytes past a truncation can never parse as records. */
  truncateFrom(position: number, size: number): void {
    fs.ftruncateSync(this.fd, position);
    fs.ftruncateSync(this.fd, size);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  destroy(): void {
    this.close();
    fs.rmSync(this.filePath, { force: true });
  }

  lastModifiedMs(): number {
    return fs.statSync(this.filePath).mtimeMs;
  }
}

/** Reads exactly `length` bytes at `position` unless the file ends first; returns the count read. */
export function readFully(fd: number, target: Uint8Array, targetOffset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, target, targetOffset + done, length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

/** Writes all of `source[start, end)` at `position`. */
export function writeFully(fd: number, source: Uint8Array, start: number, end: number, position: number): void {
  while (start < end) {
    const n = fs.writeSync(fd, source, start, end - start, position);
    start += n;
    position += n;
  }
}

const writeAsync = promisify(fs.write);

/** Writes all of `source[start, end)` at `position` through the thread pool. */
export async function writeFullyAsync(fd: number, source: Uint8Array, start: number, end: number, position: number): Promise<void> {
  while (start < end) {
    const { bytesWritten: n } = await writeAsync(fd, source, start, end - start, position);
    start += n;
    position += n;
  }
}
