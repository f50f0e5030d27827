// RabbitMQ with amqplib against the machine's broker (127.0.0.1:5672,
// guest/guest): one durable quorum queue per run, publishes on a confirm
// channel with a window of unconfirmed messages, consumption with prefetch
// and cumulative acks. Batches are n/a: AMQP 0-9-1 has no batch publish, and
// "publish 32 then wait for confirms" is the same pipelining the window does.
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { runEndToEnd, runPublishLoop, summarizePublish, timeBacklogConsume, type OnPayload, type SendBatch } from './drivers.ts';
import type { BenchSummary, BenchTarget, Workload } from './target.ts';

const url = 'amqp://guest:guest@127.0.0.1:5672';
/** Unacknowledged deliveries the broker may push, matching the 1,000-message windows elsewhere. */
const prefetch = 1000;
/** Acknowledge every this many deliveries with multiple=true (one ack covers all before it). */
const ackEvery = 100;

const queueName = `apogee-bench-${process.pid}-${Date.now()}`;
const connections: ChannelModel[] = [];

async function open(): Promise<ChannelModel> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  connections.push(connection);
  return connection;
}

function sendFor(channel: ConfirmChannel): SendBatch {
  return (payloads) =>
    new Promise<void>((resolve, reject) => {
      // The window bounds what is buffered, so the false return of
      // sendToQueue (buffer full) needs no separate drain wait.
      channel.sendToQueue(queueName, payloads[0]!, { persistent: true }, (error: unknown) => (error ? reject(error) : resolve()));
    });
}

async function lanes(workload: Workload): Promise<SendBatch[]> {
  const result: SendBatch[] = [];
  for (let index = 0; index < workload.producers; index += 1) {
    result.push(sendFor(await (await open()).createConfirmChannel()));
  }
  return result;
}

export const target: BenchTarget = {
  name: 'rabbitmq',
  async available() {
    try {
      const connection = await amqp.connect(url);
      await connection.close();
      return true;
    } catch (error) {
      return `RabbitMQ at 127.0.0.1:5672: ${error instanceof Error ? error.message : String(error)}`;
    }
  },
  async version() {
    const connection = await amqp.connect(url);
    const version = String(connection.connection.serverProperties.version ?? 'unknown');
    await connection.close();
    return version;
  },
  async start() {
    const channel = await (await open()).createChannel();
    await channel.assertQueue(queueName, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.close();
  },
  async stop() {
    try {
      const channel = await (connections[0] ?? (await open())).createChannel();
      await channel.deleteQueue(queueName);
    } catch {
      // The queue may not exist when start() failed; nothing to clean up then.
    }
    for (const connection of connections.splice(0)) await connection.close().catch(() => undefined);
  },
  unsupported(workload: Workload) {
    return workload.batchSize > 1 ? 'n/a: AMQP 0-9-1 has no batch publish' : undefined;
  },
  async publish(workload: Workload): Promise<BenchSummary> {
    const outcome = await runPublishLoop({ lanes: await lanes(workload), workload });
    return summarizePublish('rabbitmq', workload, outcome, ['confirm channel, persistent messages, quorum queue']);
  },
  async consumeBacklog(workload: Workload): Promise<BenchSummary> {
    await runPublishLoop({ lanes: await lanes(workload), workload, messageLimit: workload.backlogMessages });
    const channel = await (await open()).createChannel();
    return timeBacklogConsume('rabbitmq', workload, () => drainBacklog(channel, workload.backlogMessages), [
      `prefetch ${prefetch}, ack multiple=true every ${ackEvery}`,
    ]);
  },
  async endToEnd(workload: Workload): Promise<BenchSummary> {
    const channel = await (await open()).createChannel();
    return runEndToEnd('rabbitmq', workload, await lanes(workload), (onPayload) => startConsumer(channel, onPayload));
  },
};

type Channel = Awaited<ReturnType<ChannelModel['createChannel']>>;

async function drainBacklog(channel: Channel, expected: number): Promise<{ received: number; errors: number }> {
  await channel.prefetch(prefetch);
  let received = 0;
  let consumerTag = '';
  await new Promise<void>((resolve, reject) => {
    channel.on('close', () => reject(new Error('channel closed')));
    channel
      .consume(queueName, (message) => {
        if (message === null) return;
        received += 1;
        if (received % ackEvery === 0 || received === expected) channel.ack(message, true);
        if (received === expected) resolve();
      })
      .then((reply) => (consumerTag = reply.consumerTag), reject);
  });
  await channel.cancel(consumerTag);
  return { received, errors: expected - received };
}

async function startConsumer(channel: Channel, onPayload: OnPayload): Promise<() => Promise<void>> {
  await channel.prefetch(prefetch);
  let received = 0;
  let pendingAck: amqp.ConsumeMessage | undefined;
  // A trickle rarely reaches `ackEvery`; a short timer acks the rest so the
  // prefetch window never stalls delivery.
  const timer = setInterval(() => {
    if (pendingAck !== undefined) channel.ack(pendingAck, true);
    pendingAck = undefined;
  }, 10);
  const { consumerTag } = await channel.consume(queueName, (message) => {
    if (message === null) return;
    onPayload(message.content);
    received += 1;
    if (received % ackEvery === 0) {
      channel.ack(message, true);
      pendingAck = undefined;
    } else pendingAck = message;
  });
  return async () => {
    clearInterval(timer);
    await channel.cancel(consumerTag);
  };
}
