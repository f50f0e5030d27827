/**
 * `npm run bench -- broker [flags]`: the broker's data path, client and broker in separate processes.
 *
 * A broker child process (test/helpers/broker-process.ts, fresh for every variant and round) is driven
 * over one RemotingClient connection with raw requests, keeping `--inflight` messages outstanding:
 *
 *   send-128, send-1k    SEND_MESSAGE_V2, one message per request (ASYNC_FLUSH)
 *   batch-128, batch-1k  SEND_BATCH_MESSAGE, 32 messages per request, counted in messages
 *   sync-128, sync-1k    SEND_MESSAGE_V2 against a SYNC_FLUSH broker
 *   pull-1k              PULL_MESSAGE of a backlog (`--backlog` messages over 4 queues), 32 per pull
 *   e2e-1k               a paced producer (`--rate` msgs/s) and long-polling pullers: latency p50/p99
 *
 * Each figure is the median of `--rounds` (order alternating every round). With `--baseline <root>`
 * every variant also runs a broker from another checkout in the same rounds and the ratio
 * (this tree / baseline) is printed. `--profile <dir>` runs the brokers under `node --cpu-prof`.
 * Also printed: the broker's peak RSS and, for the closed-loop variants, the broker's CPU time
 * (user + system) per message over the measured window, all its threads and the event loop's own
 * thread (the rest is mostly the CommitLog writer thread): steadier than msgs/s on a shared
 * machine, where a noisy neighbour moves the rate more than the work; and what the broker's
 * CommitLog writes into the OS took over that window (ms per MiB, from GET_BROKER_RUNTIME_INFO), which
 * says whether a slow round had a slow page cache. Flags: --seconds 3 --rounds 3 --inflight 1000
 * --variants a,b --backlog 200000 --rate 5000 --json.
 *
 * Expected (sketch): a send costs one frame decode, a header decode, a record encode (CRC) and a
 * response encode; the remoting echo does ~100k round trips/s, so 128 B sends should approach it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodeBatchBody } from '../../sdk/protocol/batch-body.ts';
import { createRequest, type RemotingCommand } from '../../sdk/protocol/command.ts';
import { parseFastjson } from '../../sdk/protocol/fastjson.ts';
import { buildPullSysFlag } from '../../sdk/protocol/flags.ts';
import { UniqueIdGenerator } from '../../sdk/protocol/message-id.ts';
import { decodeMessageRecords } from '../../sdk/protocol/message-record.ts';
import { RequestCode } from '../../sdk/protocol/requests/index.ts';
import { RemotingClient } from '../../sdk/remoting/client.ts';
import { silentLogger } from '../../sdk/util/log.ts';
import { repoRoot } from '../helpers/child.ts';

export const description = 'broker send/batch/sync/pull msgs/s and e2e latency, broker in its own process';

const SEND_MESSAGE_V2 = 310;
const SEND_BATCH_MESSAGE = 320;
const PULL_MESSAGE = 11;
const TOPIC = 'BenchTopic';
const QUEUES = 4;
const BATCH = 32;
const variantNames = ['send-128', 'send-1k', 'batch-128', 'batch-1k', 'sync-128', 'sync-1k', 'pull-1k', 'e2e-1k'] as const;
type VariantName = (typeof variantNames)[number];

interface Flags {
  seconds: number;
  rounds: number;
  inflight: number;
  backlog: number;
  rate: number;
  variants: VariantName[];
  baseline: string | undefined;
  profile: string | undefined;
  json: boolean;
}

interface Figure {
  /** msgs/s, or for e2e the p99 latency in ms. */
  value: number;
  extra: string;
  rssBytes: number;
  /** Broker CPU microseconds per message over the measured window (closed-loop variants). */
  cpuMicrosPerMessage?: number;
  /** The part of it on the broker's event loop (its main thread); the rest is its other threads. */
  loopCpuMicrosPerMessage?: number;
  /** What the broker's CommitLog writes into the OS took over the measured window, ms per MiB (closed-loop variants). */
  writeMsPerMiB?: number;
}

const uniqueIds = new UniqueIdGenerator({ pid: process.pid });

/** A broker child process over a fresh data dir; `root` is the checkout it runs from. */
async function startBroker(root: string, flushDiskType: string, profileDir: string | undefined) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apogee-bench-broker-'));
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, 'test/helpers/broker-process.ts')], {
    cwd: root,
    env: { ...process.env, BROKER_DATA_DIR: dataDir, BROKER_FLUSH_DISK_TYPE: flushDiskType },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const match = /listening (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code} before listening`)));
  });
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(child.pid!))), 250);
  return {
    address: `127.0.0.1:${port}`,
    cpuSeconds: (): BrokerCpu => ({ total: cpuSecondsOf(`/proc/${child.pid!}/stat`), loop: cpuSecondsOf(`/proc/${child.pid!}/task/${child.pid!}/stat`) }),
    rssPeak: () => Math.max(rssPeak, rssOf(child.pid!)),
    async stop() {
      clearInterval(sampler);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds of the broker process (all threads) and of its main thread, where the event loop runs. */
interface BrokerCpu {
  total: number;
  loop: number;
}

/**
 * User + system CPU seconds from a /proc stat file (clock ticks of 1/100 s):
 * `/proc/<pid>/stat` counts every thread, `/proc/<pid>/task/<tid>/stat` one.
 */
function cpuSecondsOf(statPath: string): number {
  try {
    const stat = fs.readFileSync(statPath, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function sendHeader(queueId: number, properties: string): Record<string, string> {
  return {
    a: 'PG_bench', b: TOPIC, c: 'TBW102', d: String(QUEUES), e: String(queueId), f: '0', g: String(Date.now()),
    h: '0', i: properties, j: '0', k: 'false', m: 'false',
  };
}

function properties(): string {
  return `UNIQ_KEY\u0001${uniqueIds.next()}\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002`;
}

let nextQueue = 0;

function sendRequest(body: Uint8Array): RemotingCommand {
  nextQueue = (nextQueue + 1) % QUEUES;
  return createRequest(SEND_MESSAGE_V2, sendHeader(nextQueue, properties()), body);
}

function batchRequest(body: Uint8Array): RemotingCommand {
  nextQueue = (nextQueue + 1) % QUEUES;
  const entries = Array.from({ length: BATCH }, () => ({ flag: 0, body, properties: properties() }));
  const header = sendHeader(nextQueue, '');
  header.m = 'true';
  delete header.i;
  return createRequest(SEND_BATCH_MESSAGE, header, encodeBatchBody(entries));
}

function pullRequest(queueId: number, queueOffset: number, suspendMs: number): RemotingCommand {
  return createRequest(PULL_MESSAGE, {
    consumerGroup: 'CG_bench', topic: TOPIC, queueId: String(queueId), queueOffset: String(queueOffset), maxMsgNums: String(BATCH),
    sysFlag: String(buildPullSysFlag({ commitOffset: false, suspend: suspendMs > 0, subscription: true })), commitOffset: '0',
    suspendTimeoutMillis: String(suspendMs), subscription: '*', subVersion: '0', expressionType: 'TAG',
  });
}

/**
 * Keeps `inflight / perRequest` requests outstanding for a warm-up second and then `seconds`;
 * returns the messages answered SUCCESS per second in the measured window.
 */
async function closedLoop(
  client: RemotingClient,
  address: string,
  make: () => RemotingCommand,
  perRequest: number,
  seconds: number,
  inflight: number,
  cpuSeconds: () => BrokerCpu,
): Promise<{ rate: number; cpuMicrosPerMessage: number; loopCpuMicrosPerMessage: number; writeMsPerMiB?: number }> {
  let running = true;
  let answered = 0;
  let failed = 0;
  let lastFailure = '';
  const fire = (): void => {
    client.invokeSync(address, make(), 30_000).then(
      (response) => {
        if (response.code === 0) answered += perRequest;
        else if (failed++ === 0) lastFailure = `${response.code} ${response.remark ?? ''}`;
        if (running) fire();
      },
      (error: unknown) => {
        if (failed++ === 0) lastFailure = String(error);
      },
    );
  };
  for (let i = 0; i < Math.max(1, Math.floor(inflight / perRequest)); i++) fire();
  await sleep(1000);
  const startWrites = await commitLogWrites(client, address);
  const startCount = answered;
  const startCpu = cpuSeconds();
  const started = performance.now();
  await sleep(seconds * 1000);
  const count = answered - startCount;
  const endCpu = cpuSeconds();
  const elapsed = (performance.now() - started) / 1000;
  const endWrites = await commitLogWrites(client, address);
  running = false;
  if (failed > 0) throw new Error(`${failed} request(s) failed, first: ${lastFailure}`);
  const writeMsPerMiB =
    startWrites && endWrites && endWrites.bytes > startWrites.bytes ? ((endWrites.ms - startWrites.ms) * 2 ** 20) / (endWrites.bytes - startWrites.bytes) : undefined;
  return {
    rate: count / elapsed,
    cpuMicrosPerMessage: ((endCpu.total - startCpu.total) * 1e6) / count,
    loopCpuMicrosPerMessage: ((endCpu.loop - startCpu.loop) * 1e6) / count,
    writeMsPerMiB,
  };
}

/**
 * The broker's CommitLog write totals from GET_BROKER_RUNTIME_INFO: what handing its bytes to the
 * OS (the page cache) cost. Undefined for a broker that does not report them (an older baseline).
 */
async function commitLogWrites(client: RemotingClient, address: string): Promise<{ bytes: number; ms: number } | undefined> {
  const response = await client.invokeSync(address, createRequest(RequestCode.GET_BROKER_RUNTIME_INFO, {}), 30_000);
  const table = response.body ? (parseFastjson(response.body) as { table?: Record<string, string> }).table : undefined;
  if (table?.commitLogWriteBytes === undefined || table.commitLogWriteMs === undefined) return undefined;
  return { bytes: Number(table.commitLogWriteBytes), ms: Number(table.commitLogWriteMs) };
}

/** Fills `backlog` messages with batches, then pulls them all with pipelined offsets; msgs/s of the pull phase. */
async function pullBacklog(client: RemotingClient, address: string, body: Uint8Array, backlog: number, inflight: number): Promise<number> {
  const perQueue = Math.ceil(backlog / BATCH / QUEUES) * BATCH;
  const fills: Promise<RemotingCommand>[] = [];
  for (let queueId = 0; queueId < QUEUES; queueId++) {
    for (let sent = 0; sent < perQueue; sent += BATCH) {
      nextQueue = queueId - 1;
      fills.push(client.invokeSync(address, batchRequest(body), 60_000));
      if (fills.length >= 32) await Promise.all(fills.splice(0));
    }
  }
  await Promise.all(fills);
  const nextOffsets = new Array<number>(QUEUES).fill(0);
  let received = 0;
  let queueTurn = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let outstanding = 0;
    const fire = (): void => {
      for (let tries = 0; tries < QUEUES; tries++) {
        const queueId = queueTurn++ % QUEUES;
        const offset = nextOffsets[queueId]!;
        if (offset >= perQueue) continue;
        nextOffsets[queueId] = offset + BATCH;
        outstanding++;
        client.invokeSync(address, pullRequest(queueId, offset, 0), 30_000).then((response) => {
          outstanding--;
          if (response.code !== 0) return reject(new Error(`pull answered ${response.code} ${response.remark ?? ''}`));
          received += Number(response.extFields!.nextBeginOffset) - offset;
          if (received >= perQueue * QUEUES) resolve();
          else fire();
        }, reject);
        return;
      }
      if (outstanding === 0) resolve();
    };
    for (let i = 0; i < Math.max(1, Math.floor(inflight / BATCH)); i++) fire();
  });
  return received / ((performance.now() - started) / 1000);
}

/** A producer paced at `rate` msgs/s and one long-polling puller per queue; latency from send to receipt. */
async function endToEnd(client: RemotingClient, address: string, bodyBytes: number, rate: number, seconds: number): Promise<{ p50: number; p99: number }> {
  await client.invokeSync(address, sendRequest(new Uint8Array(bodyBytes)), 10_000);
  const latencies: number[] = [];
  let running = true;
  const pullers = Array.from({ length: QUEUES }, async (_, queueId) => {
    let offset = 0;
    while (running) {
      const response = await client.invokeSync(address, pullRequest(queueId, offset, 1000), 30_000);
      if (response.code === 0) {
        const now = performance.now();
        for (const record of decodeMessageRecords(response.body!)) {
          const sentAt = new DataView(record.body.buffer, record.body.byteOffset, 8).getFloat64(0);
          if (sentAt > 0) latencies.push(now - sentAt);
        }
      }
      offset = Number(response.extFields!.nextBeginOffset ?? offset);
    }
  });
  const tickMs = 5;
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < (seconds + 1) * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) {
      const body = new Uint8Array(bodyBytes);
      new DataView(body.buffer).setFloat64(0, performance.now() - started < 1000 ? -1 : performance.now());
      void client.invokeSync(address, sendRequest(body), 10_000);
    }
    await sleep(tickMs);
  }
  await sleep(200);
  running = false;
  await Promise.all(pullers);
  latencies.sort((a, b) => a - b);
  return { p50: latencies[Math.floor(latencies.length * 0.5)] ?? NaN, p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN };
}

async function runVariant(name: VariantName, root: string, flags: Flags): Promise<Figure> {
  const bodyBytes = name.endsWith('-1k') ? 1024 : 128;
  const body = new Uint8Array(bodyBytes).fill(97);
  const broker = await startBroker(root, name.startsWith('sync') ? 'SYNC_FLUSH' : 'ASYNC_FLUSH', flags.profile);
  const client = new RemotingClient({ log: silentLogger, maxInFlightPerConnection: flags.inflight + 64 });
  try {
    await waitUntilServing(client, broker.address);
    let value: number;
    let extra = '';
    let cpuMicrosPerMessage: number | undefined;
    let loopCpuMicrosPerMessage: number | undefined;
    let writeMsPerMiB: number | undefined;
    if (name.startsWith('batch')) {
      ({ rate: value, cpuMicrosPerMessage, loopCpuMicrosPerMessage, writeMsPerMiB } = await closedLoop(client, broker.address, () => batchRequest(body), BATCH, flags.seconds, flags.inflight, broker.cpuSeconds));
    } else if (name === 'pull-1k') value = await pullBacklog(client, broker.address, body, flags.backlog, flags.inflight);
    else if (name === 'e2e-1k') {
      const latency = await endToEnd(client, broker.address, bodyBytes, flags.rate, flags.seconds);
      value = latency.p99;
      extra = `p50 ${latency.p50.toFixed(2)} ms`;
    } else {
      ({ rate: value, cpuMicrosPerMessage, loopCpuMicrosPerMessage, writeMsPerMiB } = await closedLoop(client, broker.address, () => sendRequest(body), 1, flags.seconds, flags.inflight, broker.cpuSeconds));
    }
    return { value, extra, rssBytes: broker.rssPeak(), cpuMicrosPerMessage, loopCpuMicrosPerMessage, writeMsPerMiB };
  } finally {
    await client.close();
    await broker.stop();
  }
}

async function waitUntilServing(client: RemotingClient, address: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const response = await client.invokeSync(address, sendRequest(new Uint8Array(8)), 10_000);
    if (response.code === 0) return;
    if (attempt > 100) throw new Error(`broker does not accept sends: ${response.code} ${response.remark ?? ''}`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '3' },
      inflight: { type: 'string', default: '1000' },
      backlog: { type: 'string', default: '200000' },
      rate: { type: 'string', default: '5000' },
      variants: { type: 'string', default: variantNames.join(',') },
      baseline: { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const variants = values.variants.split(',').filter(Boolean) as VariantName[];
  for (const name of variants) if (!variantNames.includes(name)) throw new Error(`unknown variant ${name}; known: ${variantNames.join(', ')}`);
  if (values.profile) fs.mkdirSync(values.profile, { recursive: true });
  return {
    seconds: Number(values.seconds), rounds: Number(values.rounds), inflight: Number(values.inflight), backlog: Number(values.backlog),
    rate: Number(values.rate), variants, baseline: values.baseline && path.resolve(values.baseline), profile: values.profile && path.resolve(values.profile),
    json: values.json,
  };
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  const trees = flags.baseline ? [repoRoot, flags.baseline] : [repoRoot];
  const samples = new Map<string, Figure[]>();
  for (let round = 0; round < flags.rounds; round++) {
    const order = round % 2 === 0 ? flags.variants : [...flags.variants].reverse();
    for (const name of order) {
      for (const root of round % 2 === 0 ? trees : [...trees].reverse()) {
        const key = `${name}${root === repoRoot ? '' : ' (baseline)'}`;
        const figure = await runVariant(name, root, flags);
        const cpu =
          (figure.cpuMicrosPerMessage === undefined ? '' : ` cpu ${figure.cpuMicrosPerMessage.toFixed(2)} µs/msg (event loop ${figure.loopCpuMicrosPerMessage!.toFixed(2)})`) +
          (figure.writeMsPerMiB === undefined ? '' : ` writes ${figure.writeMsPerMiB.toFixed(2)} ms/MiB`);
        if (!flags.json) console.error(`round ${round + 1} ${key}: ${figure.value.toFixed(name === 'e2e-1k' ? 2 : 0)}${cpu} ${figure.extra}`);
        samples.set(key, [...(samples.get(key) ?? []), figure]);
      }
    }
  }
  const rows = flags.variants.map((name) => {
    const figures = samples.get(name)!;
    const base = samples.get(`${name} (baseline)`);
    const value = median(figures.map((f) => f.value));
    const baseValue = base ? median(base.map((f) => f.value)) : undefined;
    const cpuOf = (list: Figure[]) => (list[0]!.cpuMicrosPerMessage === undefined ? undefined : median(list.map((f) => f.cpuMicrosPerMessage!)));
    const cpuMicrosPerMessage = cpuOf(figures);
    const loopCpuMicrosPerMessage = cpuMicrosPerMessage === undefined ? undefined : median(figures.map((f) => f.loopCpuMicrosPerMessage!));
    const baselineCpuMicrosPerMessage = base ? cpuOf(base) : undefined;
    const writeCosts = figures.flatMap((f) => (f.writeMsPerMiB === undefined ? [] : [f.writeMsPerMiB]));
    const writeMsPerMiB = writeCosts.length > 0 ? median(writeCosts) : undefined;
    return {
      name, unit: name === 'e2e-1k' ? 'ms p99' : 'msgs/s', median: value, min: Math.min(...figures.map((f) => f.value)),
      max: Math.max(...figures.map((f) => f.value)), extra: figures.map((f) => f.extra).filter(Boolean).join('; '),
      rssPeakMiB: Math.max(...figures.map((f) => f.rssBytes)) / 2 ** 20, baseline: baseValue, ratio: baseValue ? value / baseValue : undefined,
      cpuMicrosPerMessage, loopCpuMicrosPerMessage, baselineCpuMicrosPerMessage, writeMsPerMiB,
    };
  });
  if (flags.json) {
    console.log(JSON.stringify({ benchmark: 'broker', rounds: flags.rounds, seconds: flags.seconds, inflight: flags.inflight, rows }));
    return 0;
  }
  console.log(`broker benchmark: ${flags.rounds} rounds of ${flags.seconds}s, ${flags.inflight} in flight, ${os.cpus().length} cores, ${new Date().toISOString()}`);
  for (const row of rows) {
    const format = (value: number) => (row.unit === 'msgs/s' ? Math.round(value).toLocaleString('en-US') : value.toFixed(2));
    const ratio = row.ratio === undefined ? '' : `  baseline ${format(row.baseline!)}  ratio ${row.ratio.toFixed(2)}`;
    const cpu = row.cpuMicrosPerMessage === undefined ? '' : `  cpu ${row.cpuMicrosPerMessage.toFixed(2)} µs/msg (event loop ${row.loopCpuMicrosPerMessage!.toFixed(2)})`;
    const baseCpu = row.baselineCpuMicrosPerMessage === undefined ? '' : ` (baseline ${row.baselineCpuMicrosPerMessage.toFixed(2)}, ratio ${(row.cpuMicrosPerMessage! / row.baselineCpuMicrosPerMessage).toFixed(2)})`;
    const writes = row.writeMsPerMiB === undefined ? '' : `  writes ${row.writeMsPerMiB.toFixed(2)} ms/MiB`;
    console.log(`${row.name.padEnd(10)} ${format(row.median).padStart(10)} ${row.unit}  (${format(row.min)}–${format(row.max)})  rss ${row.rssPeakMiB.toFixed(0)} MiB${cpu}${baseCpu}${writes}${ratio}${row.extra ? `  [${row.extra}]` : ''}`);
  }
  return 0;
}
