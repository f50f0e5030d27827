// Apogee through its own native SDK against an `apogee standalone` child
// process on ephemeral ports and a fresh data directory, started per run
// like the private redis-server: publish with Producer.send / sendBatch,
// consume with a clustering PushConsumer. Its extra variants publish against
// a SYNC_FLUSH broker (options.flush = 'sync').
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Admin } from '../../../sdk/native/admin.ts';
import { PushConsumer } from '../../../sdk/native/consumer/push-consumer.ts';
import type { Message } from '../../../sdk/native/message.ts';
import { Producer } from '../../../sdk/native/producer/producer.ts';
import { silentLogger } from '../../../sdk/util/log.ts';
import { startStandalone, type Standalone } from '../../helpers/standalone.ts';
import { waitFor as waitUntil } from '../../helpers/wait-for.ts';
import { runEndToEnd, runPublishLoop, summarizePublish, timeBacklogConsume, waitFor, type OnPayload, type SendBatch } from './drivers.ts';
import type { BenchSummary, BenchTarget, Workload } from './target.ts';

const repositoryRoot = resolve(import.meta.dirname, '..', '..', '..');
const topic = 'ApogeeBench';
/** Queues of the bench topic: two per core keeps both sides of the broker busy. */
const queues = 4;
/** Extra Node flags for the standalone (APOGEE_BENCH_SERVER_NODE_FLAGS), for trying V8 settings on the broker side; none by default. */
const serverNodeFlags = (process.env.APOGEE_BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
/** Extra `apogee standalone` flags (APOGEE_BENCH_SERVER_ARGS), e.g. `--config <file>` to try broker settings; none by default. */
const serverArgs = (process.env.APOGEE_BENCH_SERVER_ARGS ?? '').split(' ').filter((arg) => arg !== '');
const readyTimeoutMs = 30_000;
/** How long a backlog consume may take before the run counts the rest as errors. */
const backlogTimeoutMs = 120_000;

let server: Standalone | undefined;
const closers: Array<() => Promise<void>> = [];

function flushOf(workload: Workload): 'SYNC_FLUSH' | 'ASYNC_FLUSH' {
  return workload.options.flush === 'sync' ? 'SYNC_FLUSH' : 'ASYNC_FLUSH';
}

/** Starts the standalone with the workload's flush mode and creates the bench topic. */
export async function startServer(workload: Workload): Promise<Standalone> {
  // APOGEE_BENCH_BROKER_PROFILE=<dir> runs the standalone under `node --cpu-prof` for a profile of the broker side.
  const profileDir = process.env.APOGEE_BENCH_BROKER_PROFILE;
  server = await startStandalone({
    args: ['--broker-ip', '127.0.0.1', '--flush-disk-type', flushOf(workload), ...serverArgs],
    nodeFlags: [...serverNodeFlags, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
    readyTimeoutMs,
  });
  const admin = new Admin({ namesrvAddr: server.namesrv, log: silentLogger });
  try {
    await admin.createTopic({ topic, queues });
    await waitUntil(async () => (await admin.describeTopic(topic).catch(() => undefined))?.queues.length === queues, {
      timeoutMs: readyTimeoutMs,
      what: `the route of ${topic}`,
    });
  } finally {
    await admin.shutdown();
  }
  return server;
}

export async function producerLanes(namesrv: string, workload: Workload): Promise<SendBatch[]> {
  const lanes: SendBatch[] = [];
  for (let index = 0; index < workload.producers; index += 1) {
    // One producer per lane, each with its own client instance and connection, as for the peers.
    const producer = new Producer({ namesrvAddr: namesrv, group: `PG_bench_${index}`, instanceName: `bench-lane-${index}`, log: silentLogger });
    await producer.start();
    closers.push(() => producer.shutdown());
    const messages: Message[] = Array.from({ length: workload.batchSize }, () => ({ topic, body: Buffer.alloc(0) }));
    lanes.push(
      workload.batchSize === 1
        ? (payloads) => producer.send({ topic, body: payloads[0]! })
        : (payloads) => {
            for (let at = 0; at < payloads.length; at += 1) messages[at]!.body = payloads[at]!;
            return producer.sendBatch(payloads.length === messages.length ? messages : messages.slice(0, payloads.length));
          },
    );
  }
  return lanes;
}

async function startConsumer(namesrv: string, group: string, onPayload: OnPayload): Promise<() => Promise<void>> {
  const consumer = new PushConsumer({
    namesrvAddr: namesrv,
    group,
    instanceName: `bench-consumer-${group}`,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    consumeMessageBatchMaxSize: 32,
    // Like the peers' 1,000-message reads: up to 256 per pull, within the broker's 256 KiB per answer.
    pullBatchSize: 256,
    log: silentLogger,
  });
  consumer.subscribe(topic, '*');
  consumer.onMessage((messages) => {
    for (const message of messages) onPayload(message.body);
  });
  await consumer.start();
  return () => consumer.shutdown();
}

export const target: BenchTarget = {
  name: 'apogee',
  async available() {
    try {
      readFileSync(join(repositoryRoot, 'bin', 'apogee.mjs'));
      return true;
    } catch (error) {
      return `bin/apogee.mjs is missing: ${String(error)}`;
    }
  },
  async version() {
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string };
    return manifest.version;
  },
  extraWorkloads(template: Workload): Workload[] {
    // SYNC_FLUSH publish, single messages, one producer: the group-commit figure.
    if (template.kind !== 'publish' || template.batchSize !== 1 || template.producers !== 1) return [];
    return [{ ...template, name: `${template.name} SYNC_FLUSH`, options: { ...template.options, flush: 'sync' } }];
  },
  async stop() {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    await server?.dispose();
    server = undefined;
  },
  async publish(workload: Workload): Promise<BenchSummary> {
    const { namesrv } = await startServer(workload);
    const outcome = await runPublishLoop({ lanes: await producerLanes(namesrv, workload), workload });
    const notes = [`${flushOf(workload)}, ${queues} queues`];
    if (workload.batchSize > 1) notes.push(`batch = one SEND_BATCH_MESSAGE of ${workload.batchSize}`);
    return summarizePublish('apogee', workload, outcome, notes);
  },
  async consumeBacklog(workload: Workload): Promise<BenchSummary> {
    const { namesrv } = await startServer(workload);
    const fill = { ...workload, batchSize: 32 };
    await runPublishLoop({ lanes: await producerLanes(namesrv, fill), workload: fill, messageLimit: workload.backlogMessages });
    return timeBacklogConsume('apogee', workload, async () => {
      let received = 0;
      const stop = await startConsumer(namesrv, 'CG_bench_backlog', () => (received += 1));
      const drained = await waitFor(() => received >= workload.backlogMessages, backlogTimeoutMs);
      await stop();
      return { received, errors: drained ? 0 : workload.backlogMessages - received };
    }, ['PushConsumer, clustering, from the first offset; long-polling pulls of up to 256 messages (256 KiB) per queue']);
  },
  async endToEnd(workload: Workload): Promise<BenchSummary> {
    const { namesrv } = await startServer(workload);
    return runEndToEnd('apogee', workload, await producerLanes(namesrv, workload), (onPayload) => startConsumer(namesrv, 'CG_bench_e2e', onPayload));
  },
};
