/**
 * `npm run bench -- page-cache [--mib 512] [--chunk-kib 64] [--dir <dir>] [--fdatasync-ms 0]`
 *
 * What one CommitLog write costs the OS on this machine, without the broker:
 * positional writes of `--chunk-kib` into a new sparse file of `--mib`
 * (first write: the OS takes fresh pages for the page cache), then the same
 * again over those cached pages, then once more after fdatasync. The first
 * figure depends on whether the machine's free memory is already backed by
 * the host; the broker's writer thread (data-plane/store/log-writer.ts)
 * exists for the cases where it is not.
 *
 * `--fdatasync-ms N` runs a second thread that fdatasyncs the file every N ms
 * during the passes, as ASYNC_FLUSH does every `flushIntervalMs`: the writes
 * then share the disk with writeback. Each pass also reports its slowest
 * single write and the time spent in writes that took over 1 ms (stalls).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

/** The flushing thread: fdatasync every `intervalMs` until told to stop (control[0] = 1). */
const flusherSource = `
const fs = require('node:fs');
const { workerData } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
while (Atomics.load(control, 0) === 0) {
  Atomics.wait(control, 0, 0, workerData.intervalMs);
  if (Atomics.load(control, 0) !== 0) break;
  fs.fdatasyncSync(workerData.fd);
  Atomics.add(control, 1, 1);
}
`;

export const description = 'page-cache write speed: first write into a new file, then overwrites';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mib: { type: 'string', default: '512' },
      'chunk-kib': { type: 'string', default: '64' },
      dir: { type: 'string', default: os.tmpdir() },
      'fdatasync-ms': { type: 'string', default: '0' },
    },
  });
  const total = Number(values.mib) * 1024 * 1024;
  const chunk = Number(values['chunk-kib']) * 1024;
  const fdatasyncMs = Number(values['fdatasync-ms']);
  if (!(total > 0 && chunk > 0 && total % chunk === 0 && fdatasyncMs >= 0)) {
    console.error('usage: npm run bench -- page-cache [--mib 512] [--chunk-kib 64] [--dir <dir>] [--fdatasync-ms 0] (--mib a multiple of the chunk)');
    return 2;
  }
  const directory = fs.mkdtempSync(path.join(values.dir, 'apogee-page-cache-'));
  const file = path.join(directory, 'segment');
  const fd = fs.openSync(file, 'w+');
  const control = new Int32Array(new SharedArrayBuffer(8));
  let flusher: Worker | undefined;
  try {
    fs.ftruncateSync(fd, total);
    if (fdatasyncMs > 0) flusher = new Worker(flusherSource, { eval: true, workerData: { control: control.buffer, fd, intervalMs: fdatasyncMs } });
    const source = Buffer.alloc(chunk, 0x5a);
    const pass = (name: string): void => {
      let slowestMs = 0;
      let stalledMs = 0;
      const began = performance.now();
      for (let position = 0; position < total; position += chunk) {
        const writeBegan = performance.now();
        fs.writeSync(fd, source, 0, chunk, position);
        const tookMs = performance.now() - writeBegan;
        if (tookMs > slowestMs) slowestMs = tookMs;
        if (tookMs > 1) stalledMs += tookMs;
      }
      const seconds = (performance.now() - began) / 1000;
      const microsPerKib = (seconds * 1e6) / (total / 1024);
      console.log(
        `${name.padEnd(34)} ${((total / seconds) / 1e6).toFixed(0).padStart(6)} MB/s  ${microsPerKib.toFixed(2)} µs/KiB  ` +
          `slowest write ${slowestMs.toFixed(1)} ms, ${stalledMs.toFixed(0)} ms in writes over 1 ms`,
      );
    };
    const flushing = fdatasyncMs > 0 ? `, fdatasync every ${fdatasyncMs} ms beside` : '';
    console.log(`page-cache writes: ${values.mib} MiB in ${values['chunk-kib']} KiB writes${flushing}, ${new Date().toISOString()}`);
    pass('first write into a new sparse file');
    pass('overwrite of dirty cached pages');
    fs.fdatasyncSync(fd);
    pass('overwrite of clean cached pages');
    if (flusher) console.log(`fdatasync calls beside the writes: ${Atomics.load(control, 1)}`);
    return 0;
  } finally {
    Atomics.store(control, 0, 1);
    Atomics.notify(control, 0);
    const stopping = flusher;
    if (stopping) await new Promise((resolve) => stopping.once('exit', resolve));
    fs.closeSync(fd);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
