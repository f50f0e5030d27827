import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IndexFile } from './index-file.ts';
import { IndexService, indexKeyHash } from './index-service.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apogee-index-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const baseTime = Date.UTC(2026, 11, 4, 12, 0, 0);

describe('IndexFile write-out', () => {
  it('finds every key after a reopen when keys kept arriving while slot pages were written in the background', async () => {
    const dir = tempDir();
    // 8 pages of slots, so background writes cover several runs.
    const file = IndexFile.create(dir, baseTime, 8 * 1024, 100_000);
    const written: Promise<void>[] = [];
    for (let i = 0; i < 20_000; i++) {
      file.putKey(indexKeyHash(`T#key-${i}`), i * 100, baseTime + i);
      if (i % 2_000 === 0) written.push(file.writeOutAsync());
    }
    written.push(file.writeOutAsync());
    await Promise.all(written);
    file.close();

    const reopened = IndexFile.open(file.filePath, 8 * 1024, 100_000, false);
    expect(reopened.header.indexCount).toBe(20_001);
    for (const i of [0, 1, 1_999, 2_000, 9_999, 19_999]) {
      const out: number[] = [];
      reopened.lookup(indexKeyHash(`T#key-${i}`), 64, baseTime, baseTime + 30_000, out);
      expect(out, `key-${i}`).toContain(i * 100);
    }
    reopened.close();
  });

  it('writes dirty slot pages scattered with clean gaps, near and far apart, so that every key is found after a reopen', async () => {
    const dir = tempDir();
    // 64 pages of 1,024 slots; a key hash of page * 1024 + n lands on that page.
    const file = IndexFile.create(dir, baseTime, 64 * 1024, 1_000);
    const pages = [0, 3, 20, 21, 37, 63];
    const hashes = pages.flatMap((page) => [page * 1024 + 5, page * 1024 + 1023]);
    hashes.forEach((hash, i) => file.putKey(hash, (i + 1) * 100, baseTime + i));
    await file.writeOutAsync();
    // A second round dirties other pages only: pages written before must stay as they were.
    file.putKey(10 * 1024, 5_000, baseTime + 50);
    file.putKey(50 * 1024 + 9, 5_100, baseTime + 51);
    await file.writeOutAsync();
    file.close();

    const reopened = IndexFile.open(file.filePath, 64 * 1024, 1_000, false);
    const expected = new Map<number, number>([...hashes.map((hash, i): [number, number] => [hash, (i + 1) * 100]), [10 * 1024, 5_000], [50 * 1024 + 9, 5_100]]);
    for (const [hash, offset] of expected) {
      const out: number[] = [];
      reopened.lookup(hash, 8, baseTime, baseTime + 10_000, out);
      expect(out, `hash ${hash}`).toEqual([offset]);
    }
    // A page never dirtied is still empty on disk.
    const none: number[] = [];
    reopened.lookup(30 * 1024 + 5, 8, baseTime, baseTime + 10_000, none);
    expect(none).toEqual([]);
    reopened.close();
  });

  it('seals a file whose background write is under way only after that write, and keeps answering lookups meanwhile', async () => {
    const dir = tempDir();
    const service = new IndexService(dir, 1024, 50, () => baseTime);
    const properties = (i: number) => `UNIQ_KEY\u0001u-${i}\u0002`;
    for (let i = 0; i < 40; i++) service.buildIndex('T', properties(i), (i + 1) * 100, baseTime + i);
    const writing = service.writeOutAsync();
    // Fills the first file (50 entries, the first is reserved) and rolls to a second while the write runs.
    for (let i = 40; i < 80; i++) service.buildIndex('T', properties(i), (i + 1) * 100, baseTime + i);
    expect(service.files).toHaveLength(2);
    expect(service.files[0]!.isBusy()).toBe(true);
    expect(service.query('T', 'u-45', 8, baseTime, baseTime + 10_000)).toEqual([4_600]);
    await writing;
    expect(service.files[0]!.isBusy()).toBe(false);
    await service.writeOutAsync();
    service.close();

    const reloaded = new IndexService(dir, 1024, 50, () => baseTime);
    reloaded.load();
    for (const i of [0, 39, 45, 48, 79]) expect(reloaded.query('T', `u-${i}`, 8, baseTime, baseTime + 10_000), `u-${i}`).toEqual([(i + 1) * 100]);
    reloaded.close();
  });
});
