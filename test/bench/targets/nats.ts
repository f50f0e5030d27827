// NATS JetStream with the official client against the machine's nats-server
// (127.0.0.1:4222, JetStream on): one file-storage stream per run, created
// and deleted by the run; publish with asynchronous acks, consume with a pull
// consumer. JetStream has no batch publish, so batch variants are n/a.
import { AckPolicy, DeliverPolicy, StorageType, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { runEndToEnd, runPublishLoop, summarizePublish, timeBacklogConsume, type OnPayload, type SendBatch } from './drivers.ts';
import type { BenchSummary, BenchTarget, Workload } from './target.ts';

const servers = '127.0.0.1:4222';
const connectTimeoutMs = 2000;
/** Messages a pull consumer asks for at once, matching the 1,000-message windows elsewhere. */
const pullBatch = 1000;
/** Acknowledge every this many messages; with AckPolicy.All one ack covers all before it. */
const ackEvery = 100;

const runId = `${process.pid}_${Date.now()}`;
const streamName = `APOGEE_BENCH_${runId}`;
const subject = `apogee.bench.${runId}`;
const consumerName = 'bench';

const connections: NatsConnection[] = [];
let manager: JetStreamManager | undefined;

async function open(): Promise<NatsConnection> {
  const connection = await connect({ servers, timeout: connectTimeoutMs });
  connections.push(connection);
  return connection;
}

async function lanes(workload: Workload): Promise<SendBatch[]> {
  const result: SendBatch[] = [];
  for (let index = 0; index < workload.producers; index += 1) {
    const client = jetstream(await open());
    result.push((payloads) => client.publish(subject, payloads[0]!));
  }
  return result;
}

async function addConsumer(): Promise<void> {
  // AckPolicy.All lets one ack cover everything before it, the cheapest
  // acknowledgement JetStream offers, comparable to one XACK per read.
  await manager!.consumers.add(streamName, {
    durable_name: consumerName,
    ack_policy: AckPolicy.All,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: pullBatch * 10,
  });
}

export const target: BenchTarget = {
  name: 'nats',
  async available() {
    try {
      const connection = await connect({ servers, timeout: connectTimeoutMs });
      try {
        await (await jetstreamManager(connection)).getAccountInfo();
        return true;
      } finally {
        await connection.close();
      }
    } catch (error) {
      return `nats-server at ${servers}: ${error instanceof Error ? error.message : String(error)}`;
    }
  },
  async version() {
    const connection = await connect({ servers, timeout: connectTimeoutMs });
    const version = connection.info?.version ?? 'unknown';
    await connection.close();
    return version;
  },
  async start() {
    manager = await jetstreamManager(await open());
    await manager.streams.add({ name: streamName, subjects: [subject], storage: StorageType.File, num_replicas: 1 });
  },
  async stop() {
    await manager?.streams.delete(streamName).catch(() => undefined);
    manager = undefined;
    for (const connection of connections.splice(0)) await connection.close().catch(() => undefined);
  },
  unsupported(workload: Workload) {
    return workload.batchSize > 1 ? 'n/a: JetStream has no batch publish' : undefined;
  },
  async publish(workload: Workload): Promise<BenchSummary> {
    const outcome = await runPublishLoop({ lanes: await lanes(workload), workload });
    return summarizePublish('nats', workload, outcome, ['js.publish() with a window of unacknowledged PubAcks']);
  },
  async consumeBacklog(workload: Workload): Promise<BenchSummary> {
    await runPublishLoop({ lanes: await lanes(workload), workload, messageLimit: workload.backlogMessages });
    await addConsumer();
    return timeBacklogConsume('nats', workload, () => drainBacklog(workload.backlogMessages), [
      `pull consumer, consume() max_messages ${pullBatch}, AckPolicy.All acked every ${ackEvery}`,
    ]);
  },
  async endToEnd(workload: Workload): Promise<BenchSummary> {
    await addConsumer();
    return runEndToEnd('nats', workload, await lanes(workload), startConsumer);
  },
};

async function drainBacklog(expected: number): Promise<{ received: number; errors: number }> {
  const consumer = await jetstream(await open()).consumers.get(streamName, consumerName);
  const messages = await consumer.consume({ max_messages: pullBatch });
  let received = 0;
  for await (const message of messages) {
    received += 1;
    if (received % ackEvery === 0 || received === expected) message.ack();
    if (received === expected) break;
  }
  // The last ack must reach the server before the clock stops.
  await connections[connections.length - 1]!.flush();
  await messages.close();
  return { received, errors: expected - received };
}

async function startConsumer(onPayload: OnPayload): Promise<() => Promise<void>> {
  const consumer = await jetstream(await open()).consumers.get(streamName, consumerName);
  const messages = await consumer.consume({ max_messages: pullBatch });
  const loop = (async () => {
    let received = 0;
    for await (const message of messages) {
      onPayload(message.data);
      received += 1;
      // Under a 5k msg/s trickle the client often holds nothing more; ack
      // then too, so unacknowledged messages never pile up between batches.
      if (received % ackEvery === 0 || messages.getPending() === 0) message.ack();
    }
  })();
  return async () => {
    await messages.close();
    await loop;
  };
}
