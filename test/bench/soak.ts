/**
 * `npm run bench -- soak [--minutes 5] [--bytes 1024] [--json]`: broker memory under a long publish.
 *
 * Starts an `apogee standalone` child (ASYNC_FLUSH), publishes `--bytes` messages through the
 * native SDK with 1,000 in flight for `--minutes`, and samples the standalone's resident set size
 * (VmRSS) every second. Prints, per minute, the publish rate, the data written and the RSS at the
 * end of that minute and its peak, so growth after the first minute is plain to see.
 *
 * Expected (sketch): the CommitLog is written through a fixed buffer and read with positioned
 * reads, nothing maps or caches whole segments, so RSS should level off once the heap has warmed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runPublishLoop } from './targets/drivers.ts';
import { producerLanes, startServer, target } from './targets/apogee.ts';
import type { Workload } from './targets/target.ts';

export const description = 'broker RSS per minute during a long 1 KiB publish through the SDK (default 5 minutes)';

interface Minute {
  minute: number;
  msgsPerSec: number;
  writtenMib: number;
  rssEndMib: number;
  rssPeakMib: number;
}

function rssMibOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { minutes: { type: 'string', default: '5' }, bytes: { type: 'string', default: '1024' }, json: { type: 'boolean', default: false } },
  });
  const minutes = Number(values.minutes);
  const messageBytes = Number(values.bytes);
  if (!(minutes > 0) || !Number.isInteger(messageBytes) || messageBytes < 1) {
    console.error('usage: npm run bench -- soak [--minutes 5] [--bytes 1024] [--json]');
    return 2;
  }
  const workload: Workload = {
    name: `soak ${messageBytes}B`, kind: 'publish', messageBytes, durationSeconds: minutes * 60, warmupSeconds: 0,
    backlogMessages: 1, inFlightMax: 1000, producers: 1, batchSize: 1, offeredRatePerSecond: 0, options: {},
  };
  const server = await startServer(workload);
  const pid = server.process.pid!;
  const rows: Minute[] = [];
  let acknowledged = 0;
  let peak = 0;
  let lastCount = 0;
  const startedMs = performance.now();
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMibOf(pid));
    const minute = Math.floor((performance.now() - startedMs) / 60_000);
    if (minute > rows.length && rows.length < minutes) {
      const count = acknowledged;
      rows.push({
        minute: rows.length + 1,
        msgsPerSec: Math.round((count - lastCount) / 60),
        writtenMib: Math.round((count * messageBytes) / 2 ** 20),
        rssEndMib: Math.round(rssMibOf(pid)),
        rssPeakMib: Math.round(peak),
      });
      console.error(`minute ${rows.length}: ${rows.at(-1)!.msgsPerSec} msg/s, ${rows.at(-1)!.writtenMib} MiB written, RSS ${rows.at(-1)!.rssEndMib} MiB (peak ${rows.at(-1)!.rssPeakMib})`);
      lastCount = count;
      peak = 0;
    }
  }, 1000);
  try {
    const lanes = await producerLanes(server.namesrv, workload);
    const counted = lanes.map((send) => (payloads: readonly Buffer[]) => send(payloads).then(() => (acknowledged += payloads.length)));
    await runPublishLoop({ lanes: counted, workload });
    await new Promise((resolve) => setTimeout(resolve, 1500));
  } finally {
    clearInterval(sampler);
    await target.stop?.();
  }
  if (values.json) console.log(JSON.stringify({ command: `npm run bench -- soak ${argv.join(' ')}`.trim(), messageBytes, minutes: rows }, null, 2));
  else {
    console.log(`soak: ${messageBytes} B messages, 1,000 in flight, ASYNC_FLUSH, ${new Date().toISOString()}`);
    console.log('minute   msg/s   written MiB   RSS end MiB   RSS peak MiB');
    for (const row of rows) {
      console.log(`${String(row.minute).padStart(6)} ${String(row.msgsPerSec).padStart(7)} ${String(row.writtenMib).padStart(13)} ${String(row.rssEndMib).padStart(13)} ${String(row.rssPeakMib).padStart(14)}`);
    }
  }
  return 0;
}
