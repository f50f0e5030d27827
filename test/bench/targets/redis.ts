// Redis Streams with ioredis against a private redis-server (see
// redis-server.ts): XADD to publish, a consumer group with XREADGROUP + XACK
// to consume. Batches are 32 XADDs in one MULTI/EXEC.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { runEndToEnd, runPublishLoop, summarizePublish, timeBacklogConsume, type OnPayload, type SendBatch } from './drivers.ts';
import { redisServerInstalled, redisServerPath, startRedisServer, type RedisServer } from './redis-server.ts';
import type { BenchSummary, BenchTarget, Workload } from './target.ts';

const streamKey = 'apogee-bench';
const groupName = 'bench';
/** Entries per XREADGROUP, matching the 1,000-message windows elsewhere. */
const readCount = 1000;
/** BLOCK of the end-to-end consumer; bounds how long stopping it takes. */
const blockMs = 100;

let server: RedisServer | undefined;
const clients: Redis[] = [];

/**
 * Producers use auto-pipelining, which puts the commands issued in one tick
 * into one write, the way a busy ioredis application talks to Redis. Readers
 * do not: they issue one command at a time, and ioredis' auto-pipeline
 * mangles `callBuffer` (it drops the command name).
 */
function connect(autoPipelining = true): Redis {
  if (server === undefined) throw new Error('redis target used before start()');
  const client = new Redis({ port: server.port, host: '127.0.0.1', enableAutoPipelining: autoPipelining, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

function sendFor(client: Redis, workload: Workload): SendBatch {
  if (workload.batchSize === 1) return (payloads) => client.xadd(streamKey, '*', 'd', payloads[0]!);
  return (payloads) => {
    const transaction = client.multi();
    for (const payload of payloads) transaction.xadd(streamKey, '*', 'd', payload);
    return transaction.exec().then((replies) => {
      if (replies === null || replies.some(([error]) => error !== null)) throw new Error('MULTI failed');
    });
  };
}

function lanes(workload: Workload): SendBatch[] {
  return Array.from({ length: workload.producers }, () => sendFor(connect(), workload));
}

type StreamEntry = [id: Buffer, fields: Buffer[]];

/**
 * The entries of a one-stream XREADGROUP reply: RESP2 gives
 * [[key, entries]], a RESP3 map arrives flattened as [key, entries]; no
 * messages gives null.
 */
function entriesOf(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const stream = (Buffer.isBuffer(reply[0]) ? reply : reply[0]) as [Buffer, StreamEntry[]];
  return Array.isArray(stream[1]) ? stream[1] : [];
}

function readGroup(client: Redis, blockForMs?: number): Promise<unknown> {
  const block = blockForMs === undefined ? [] : ['BLOCK', blockForMs];
  return client.callBuffer('XREADGROUP', 'GROUP', groupName, 'c', 'COUNT', readCount, ...block, 'STREAMS', streamKey, '>');
}

async function createGroup(client: Redis): Promise<void> {
  await client.xgroup('CREATE', streamKey, groupName, '0', 'MKSTREAM');
}

export const target: BenchTarget = {
  name: 'redis',
  available: redisServerInstalled,
  async version() {
    const { stdout } = await promisify(execFile)(redisServerPath, ['--version']);
    return /v=(\S+)/.exec(stdout)?.[1] ?? stdout.trim();
  },
  async start() {
    server = await startRedisServer();
  },
  async stop() {
    for (const client of clients.splice(0)) client.disconnect();
    await server?.stop();
    server = undefined;
  },
  async publish(workload: Workload): Promise<BenchSummary> {
    const outcome = await runPublishLoop({ lanes: lanes(workload), workload });
    const notes = workload.batchSize > 1 ? [`batch = ${workload.batchSize} XADDs in one MULTI/EXEC`] : undefined;
    return summarizePublish('redis', workload, outcome, notes);
  },
  async consumeBacklog(workload: Workload): Promise<BenchSummary> {
    const reader = connect(false);
    await createGroup(reader);
    await runPublishLoop({ lanes: lanes(workload), workload, messageLimit: workload.backlogMessages });
    return timeBacklogConsume('redis', workload, () => drainBacklog(reader, workload.backlogMessages), [
      `XREADGROUP COUNT ${readCount}, one XACK per read (pipelined with the next read)`,
    ]);
  },
  async endToEnd(workload: Workload): Promise<BenchSummary> {
    const reader = connect(false);
    await createGroup(reader);
    return runEndToEnd('redis', workload, lanes(workload), (onPayload) => startBlockingConsumer(reader, connect(), onPayload));
  },
};

async function drainBacklog(client: Redis, expected: number): Promise<{ received: number; errors: number }> {
  let received = 0;
  let errors = 0;
  let lastAck: Promise<unknown> = Promise.resolve();
  while (received < expected) {
    const entries = entriesOf(await readGroup(client));
    if (entries.length === 0) break;
    received += entries.length;
    lastAck = client.xack(streamKey, groupName, ...entries.map(([id]) => id)).catch(() => (errors += entries.length));
  }
  await lastAck;
  return { received, errors: errors + Math.max(0, expected - received) };
}

/** XREADGROUP BLOCK on its own connection (a blocked connection cannot send XACK). */
async function startBlockingConsumer(reader: Redis, acker: Redis, onPayload: OnPayload): Promise<() => Promise<void>> {
  let running = true;
  const loop = (async () => {
    while (running) {
      // A failed read only ends this consumer; the missing messages then count as errors.
      const entries = entriesOf(await readGroup(reader, blockMs).catch(() => (running = false)));
      if (entries.length === 0) continue;
      for (const [, fields] of entries) onPayload(fields[1]!);
      void acker.xack(streamKey, groupName, ...entries.map(([id]) => id)).catch(() => undefined);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
