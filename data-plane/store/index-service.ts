/**
 * The set of IndexFiles: which one takes new keys, which keys a record gets
 * (its `UNIQ_KEY` and each space-separated `KEYS` item, as `topic#key`), and
 * queries across files, newest first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { javaStringHashCode, javaStringHashCodeOfRange } from '../../sdk/util/java-hash.ts';
import { IndexFile } from './index-file.ts';
import { scanProperties, type PropertyRanges } from './properties.ts';

/** keyHash of an index key: |Java hash|, with Integer.MIN_VALUE mapped to 0. */
export function indexKeyHash(indexKey: string): number {
  return keyHashOf(javaStringHashCode(indexKey));
}

function keyHashOf(hash: number): number {
  return hash === -2147483648 ? 0 : Math.abs(hash);
}

/** Topics whose `topic#` hash prefix is cached; past this the cache starts over. */
const topicSeedsMax = 4096;

export class IndexService {
  readonly files: IndexFile[] = [];
  /** Java hash of `topic#` per topic: a key's hash continues from it instead of hashing a joined string. */
  private readonly topicSeeds = new Map<string, number>();

  constructor(
    readonly dir: string,
    readonly hashSlotNum: number,
    readonly indexNum: number,
    private readonly now: () => number,
  ) {}

  load(): void {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir).filter((name) => /^\d{17}$/.test(name)).sort();
    } catch {
      return;
    }
    names.forEach((name, i) => this.files.push(IndexFile.open(path.join(this.dir, name), this.hashSlotNum, this.indexNum, i === names.length - 1)));
  }

  /** CommitLog offset of the last indexed record; records at or below it are not indexed again. */
  lastIndexedOffset(): number {
    const last = this.files.at(-1);
    return last && last.header.indexCount > 1 ? last.header.endPhyOffset : -1;
  }

  /** Indexes one record. `ranges` are those of `properties` (read when not given). */
  buildIndex(topic: string, properties: string, physicalOffset: number, storeTimestamp: number, ranges?: PropertyRanges): void {
    if (physicalOffset <= this.lastIndexedOffset()) return;
    const { source, uniqueKeyStart, uniqueKeyEnd, keysStart, keysEnd } = ranges ?? scanProperties(properties);
    const keys = keysStart < 0 ? undefined : source.slice(keysStart, keysEnd);
    if (uniqueKeyStart < 0 && !keys) return;
    const seed = this.topicSeed(topic);
    if (uniqueKeyStart >= 0) {
      // The unique key is hashed where it stands in the properties text, without slicing it out.
      this.putKey(keyHashOf(javaStringHashCodeOfRange(source, uniqueKeyStart, uniqueKeyEnd, seed)), physicalOffset, storeTimestamp);
    }
    if (keys) {
      for (const key of keys.split(' ')) if (key.length > 0) this.putKey(keyHashOf(javaStringHashCode(key, seed)), physicalOffset, storeTimestamp);
    }
  }

  private topicSeed(topic: string): number {
    let seed = this.topicSeeds.get(topic);
    if (seed === undefined) {
      if (this.topicSeeds.size >= topicSeedsMax) this.topicSeeds.clear();
      seed = javaStringHashCode('#', javaStringHashCode(topic));
      this.topicSeeds.set(topic, seed);
    }
    return seed;
  }

  private putKey(keyHash: number, physicalOffset: number, storeTimestamp: number): void {
    let file = this.files.at(-1);
    if (!file || !file.isWritable()) {
      file?.seal();
      file = IndexFile.create(this.dir, this.now(), this.hashSlotNum, this.indexNum, file?.header);
      this.files.push(file);
    }
    if (!file.putKey(keyHash, physicalOffset, storeTimestamp)) {
      file.seal();
      file = IndexFile.create(this.dir, this.now(), this.hashSlotNum, this.indexNum, file.header);
      this.files.push(file);
      file.putKey(keyHash, physicalOffset, storeTimestamp);
    }
  }

  /** CommitLog offsets of records that may carry `key` (the caller re-checks each). */
  query(topic: string, key: string, maxNum: number, begin: number, end: number): number[] {
    const keyHash = indexKeyHash(topic + '#' + key);
    const out: number[] = [];
    for (let i = this.files.length - 1; i >= 0 && out.length < maxNum; i--) {
      const file = this.files[i]!;
      const header = file.header;
      if (header.indexCount <= 1) continue;
      if (header.endTimestamp < begin - 1000 || header.beginTimestamp > end) continue;
      file.lookup(keyHash, maxNum, begin, end, out);
    }
    return out;
  }

  writeOut(): void {
    this.files.at(-1)?.writeOut();
  }

  /** The periodic write-out of the newest file, off the event loop (IndexFile.writeOutAsync). */
  writeOutAsync(): Promise<void> {
    return this.files.at(-1)?.writeOutAsync() ?? Promise.resolve();
  }

  sync(): Promise<void> {
    const last = this.files.at(-1);
    return last ? last.syncFile() : Promise.resolve();
  }

  /** Retention: deletes files (never the newest) whose entries all lie below `minPhysicalOffset`. */
  cleanBelow(minPhysicalOffset: number): number {
    let deleted = 0;
    while (this.files.length > 1 && this.files[0]!.header.endPhyOffset < minPhysicalOffset && !this.files[0]!.isBusy()) {
      this.files.shift()!.destroy();
      deleted++;
    }
    return deleted;
  }

  close(): void {
    for (const file of this.files) {
      if (file.isWritable()) file.writeOut();
      file.close();
    }
  }
}
