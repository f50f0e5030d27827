/**
 * `npm run bench -- store [flags]`: the message store against the disk it runs on.
 *
 *   append    msgs/s for 128 B and 1 KiB bodies, ASYNC_FLUSH and SYNC_FLUSH, one caller
 *             keeping `--window` puts in flight; reported as a ratio to a plain sequential
 *             write (1 MiB writes, final fdatasync) of the same bytes, measured in the same run
 *   read      sequential getMessage (32 per pull) over the freshly written 1 KiB log
 *   recovery  open time after a crash with a `--recovery-mib` log (default 1024), two cases:
 *             abort file with the checkpoint kept, and abort file with no checkpoint
 *             (every record re-verified and re-dispatched); plus a clean restart
 *   rss       resident memory of a fresh process after appending each of `--rss-gib` (default 1)
 *
 * Flags: --messages N (per append variant, default 200000), --rounds R (default 3, order
 * alternates, median reported), --window W (default 1024), --dir D, --json.
 * Expected (sketch): appends are memcpy + one write per turn, so ASYNC should reach a large
 * fraction of raw write speed; SYNC is bounded by fdatasync latency × window.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageStore, type FlushDiskType } from '../../data-plane/store/message-store.ts';
import { message, storeHost } from '../../data-plane/store/test-support.ts';
import { recordSize } from '../../sdk/protocol/message-record.ts';

export const description = 'store append msgs/s vs raw sequential write, tail reads, crash recovery time, RSS as the log grows';

interface Flags {
  messages: number;
  rounds: number;
  window: number;
  dir: string;
  json: boolean;
  recoveryMib: number;
  rssGib: number[];
}

function parseFlags(argv: string[]): Flags {
  const value = (name: string, fallback: string) => {
    const at = argv.indexOf(`--${name}`);
    if (at >= 0 && argv[at + 1] !== undefined) return argv[at + 1]!;
    const inline = argv.find((arg) => arg.startsWith(`--${name}=`));
    return inline ? inline.slice(name.length + 3) : fallback;
  };
  return {
    messages: Number(value('messages', '200000')),
    rounds: Number(value('rounds', '3')),
    window: Number(value('window', '1024')),
    dir: value('dir', os.tmpdir()),
    json: argv.includes('--json'),
    recoveryMib: Number(value('recovery-mib', '1024')),
    rssGib: value('rss-gib', '1').split(',').map(Number).filter((n) => n > 0),
  };
}

const PROPERTIES = 'UNIQ_KEY\u00010A000002C35018B4AAC2000000000000\u0002TAGS\u0001TagA\u0002';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function appendRun(dir: string, flushDiskType: FlushDiskType, bodyBytes: number, count: number, window: number): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(dir, 'apogee-bench-'));
  const store = await MessageStore.open({ dataDir, flushDiskType, storeHost, messageIndexEnable: true });
  const m = message('BenchTopic', 0, new Uint8Array(bodyBytes).fill(97), PROPERTIES);
  const started = performance.now();
  let last: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < count; i++) {
    last = store.putMessage(m);
    if (i % window === window - 1) await last;
  }
  await last;
  await store.flush();
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return count / seconds;
}

/** The same bytes written by a plain loop of 1 MiB writes and one final fdatasync. */
function plainWriteRun(dir: string, totalBytes: number, recordBytes: number): number {
  const file = path.join(dir, `apogee-bench-plain-${process.pid}`);
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 97);
  const started = performance.now();
  for (let written = 0; written < totalBytes; ) {
    const n = Math.min(chunk.length, totalBytes - written);
    fs.writeSync(fd, chunk, 0, n);
    written += n;
  }
  fs.fdatasyncSync(fd);
  const seconds = (performance.now() - started) / 1000;
  fs.closeSync(fd);
  fs.rmSync(file, { force: true });
  return totalBytes / recordBytes / seconds;
}

async function readRun(dir: string, count: number): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(dir, 'apogee-bench-'));
  const store = await MessageStore.open({ dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost });
  const m = message('BenchTopic', 0, new Uint8Array(1024).fill(97), PROPERTIES);
  for (let i = 0; i < count; i += 256) await store.putMessages(Array.from({ length: Math.min(256, count - i) }, () => m));
  const started = performance.now();
  let offset = 0;
  let read = 0;
  while (offset < count) {
    const got = store.getMessage('BenchTopic', 0, offset, 32);
    read += got.records.length;
    offset = got.nextBeginOffset;
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (read !== count) throw new Error(`read ${read} of ${count}`);
  return count / seconds;
}

async function recoveryRun(dir: string, mib: number): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(dir, 'apogee-bench-'));
  let store = await MessageStore.open({ dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost });
  const m = message('BenchTopic', 0, new Uint8Array(1024).fill(97), PROPERTIES);
  const size = recordSize(1024, 10, PROPERTIES.length);
  const count = Math.floor((mib * 1024 * 1024) / size);
  const batches = Array.from({ length: 8 }, (_, queueId) => Array.from({ length: 256 }, () => message('BenchTopic', queueId, m.body, PROPERTIES)));
  for (let i = 0; i < count; i += 256) await store.putMessages(batches[(i / 256) % 8]!.slice(0, Math.min(256, count - i)));
  await store.close();
  const timeOpen = async () => {
    const started = performance.now();
    store = await MessageStore.open({ dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost });
    const ms = performance.now() - started;
    await store.close();
    return ms;
  };
  const clean = await timeOpen();
  fs.writeFileSync(path.join(dataDir, 'abort'), '1');
  const crashKept = await timeOpen();
  fs.writeFileSync(path.join(dataDir, 'abort'), '1');
  fs.writeFileSync(path.join(dataDir, 'checkpoint'), new Uint8Array(4096));
  const crashRebuild = await timeOpen();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { logMib: mib, cleanRestartMs: clean, crashRecoveryMs: crashKept, crashRebuildMs: crashRebuild };
}

/** Runs in a fresh process: appends `gib` GiB of 1 KiB messages, reports RSS in MiB. */
async function rssChild(dir: string, gib: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(dir, 'apogee-bench-'));
  const store = await MessageStore.open({ dataDir, flushDiskType: 'ASYNC_FLUSH', storeHost });
  const m = message('BenchTopic', 0, new Uint8Array(1024).fill(97), PROPERTIES);
  const batch = Array.from({ length: 256 }, () => m);
  const size = recordSize(1024, 10, PROPERTIES.length) * 256;
  const rssAtStart = process.memoryUsage().rss;
  let maxRss = 0;
  for (let written = 0, i = 0; written < gib * 1024 ** 3; written += size, i++) {
    await store.putMessages(batch);
    if (i % 256 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }
  const rss = process.memoryUsage().rss;
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ gib, rssAtStartMib: rssAtStart / 2 ** 20, rssMib: rss / 2 ** 20, maxRssMib: Math.max(maxRss, rss) / 2 ** 20 }) + '\n');
}

function rssRun(dir: string, gib: number): Record<string, number> {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, '--rss-child', String(gib), '--dir', dir], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`rss child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  const rows: Record<string, unknown>[] = [];
  const variants: [FlushDiskType, number][] = [['ASYNC_FLUSH', 128], ['ASYNC_FLUSH', 1024], ['SYNC_FLUSH', 128], ['SYNC_FLUSH', 1024]];
  for (const [mode, body] of variants) {
    const record = recordSize(body, 10, PROPERTIES.length);
    const count = mode === 'SYNC_FLUSH' ? Math.ceil(flags.messages / 4) : flags.messages;
    const store: number[] = [];
    const plain: number[] = [];
    for (let round = 0; round < flags.rounds; round++) {
      // Alternate which goes first so neither always meets a cold or a warm page cache.
      if (round % 2 === 0) {
        store.push(await appendRun(flags.dir, mode, body, count, flags.window));
        plain.push(plainWriteRun(flags.dir, count * record, record));
      } else {
        plain.push(plainWriteRun(flags.dir, count * record, record));
        store.push(await appendRun(flags.dir, mode, body, count, flags.window));
      }
    }
    rows.push({ bench: `append ${mode} ${body} B`, messages: count, storeMsgsPerSecond: Math.round(median(store)), plainWriteMsgsPerSecond: Math.round(median(plain)), ratio: +(median(store) / median(plain)).toFixed(3) });
  }
  const reads: number[] = [];
  for (let round = 0; round < flags.rounds; round++) reads.push(await readRun(flags.dir, flags.messages));
  rows.push({ bench: 'read sequential 1 KiB, 32 per pull', messages: flags.messages, storeMsgsPerSecond: Math.round(median(reads)) });
  rows.push({ bench: 'recovery', ...(await recoveryRun(flags.dir, flags.recoveryMib)) });
  for (const gib of flags.rssGib) rows.push({ bench: `rss after ${gib} GiB`, ...rssRun(flags.dir, gib) });
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, date: new Date().toISOString(), command: `npm run bench -- store ${argv.join(' ')}` };
  if (flags.json) process.stdout.write(JSON.stringify({ machine, rows }, null, 2) + '\n');
  else {
    process.stdout.write(`${machine.command}\n${machine.cpus} × ${machine.cpu}, Node ${machine.node}, ${machine.date}\n`);
    for (const row of rows) {
      process.stdout.write(Object.entries(row).map(([k, v]) => (k === 'bench' ? String(v).padEnd(38) : `${k}=${typeof v === 'number' ? +v.toFixed(k === 'ratio' ? 3 : 1) : v}`)).join('  ') + '\n');
    }
  }
  return 0;
}

// Invoked directly as the RSS child process.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]) && process.argv.includes('--rss-child')) {
  const at = process.argv.indexOf('--rss-child');
  const dirAt = process.argv.indexOf('--dir');
  await rssChild(dirAt >= 0 ? process.argv[dirAt + 1]! : os.tmpdir(), Number(process.argv[at + 1]));
}
