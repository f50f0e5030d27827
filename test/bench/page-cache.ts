/**
 * `npm run bench -- page-cache [--mib 512] [--chunk-kib 64] [--dir <dir>]`
 *
 * What one CommitLog write costs the OS on this machine, without the broker:
 * positional writes of `--chunk-kib` into a new sparse file of `--mib`
 * (first write: the OS takes fresh pages for the page cache), then the same
 * again over those cached pages, then once more after fdatasync. The first
 * figure depends on whether the machine's free memory is already backed by
 * the host; the broker's writer thread (data-plane/store/log-writer.ts)
 * exists for the cases where it is not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const description = 'page-cache write speed: first write into a new file, then overwrites';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { mib: { type: 'string', default: '512' }, 'chunk-kib': { type: 'string', default: '64' }, dir: { type: 'string', default: os.tmpdir() } },
  });
  const total = Number(values.mib) * 1024 * 1024;
  const chunk = Number(values['chunk-kib']) * 1024;
  if (!(total > 0 && chunk > 0 && total % chunk === 0)) {
    console.error('usage: npm run bench -- page-cache [--mib 512] [--chunk-kib 64] [--dir <dir>] (--mib a multiple of the chunk)');
    return 2;
  }
  const directory = fs.mkdtempSync(path.join(values.dir, 'apogee-page-cache-'));
  const file = path.join(directory, 'segment');
  const fd = fs.openSync(file, 'w+');
  try {
    fs.ftruncateSync(fd, total);
    const source = Buffer.alloc(chunk, 0x5a);
    const pass = (name: string): void => {
      const began = process.hrtime.bigint();
      for (let position = 0; position < total; position += chunk) fs.writeSync(fd, source, 0, chunk, position);
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      console.log(`${name.padEnd(34)} ${((total / seconds) / 1e6).toFixed(0).padStart(6)} MB/s`);
    };
    console.log(`page-cache writes: ${values.mib} MiB in ${values['chunk-kib']} KiB writes, ${new Date().toISOString()}`);
    pass('first write into a new sparse file');
    pass('overwrite of dirty cached pages');
    fs.fdatasyncSync(fd);
    pass('overwrite of clean cached pages');
    return 0;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
