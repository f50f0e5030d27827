/**
 * Compatibility with a RocketMQ client Apogee did not write: ali-ons 3.12, a
 * RocketMQ 4.x client in plain JavaScript, against `apogee standalone` running
 * in a child process. ali-ons finds the broker through the NameServer
 * endpoint, sends with SEND_MESSAGE_V2 and consumes with long-polling
 * PULL_MESSAGE, heartbeats, rebalancing and broker-side offsets, as it would
 * against Apache RocketMQ. Covered: tags, keys and properties end to end,
 * tag filtering, broker-side offsets across consumers, redelivery through the
 * group's retry topic (CONSUMER_SEND_MSG_BACK), broadcasting, delay levels,
 * ali-ons' start-deliver time, and messages crossing between ali-ons and our
 * SDK in both directions. ali-ons 3.12 has no batch send, so batches are not
 * part of this file.
 *
 * Each test uses its own topic and group. ali-ons' log goes to a capturing
 * logger whose tail is part of every failure message.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PushConsumer } from '../sdk/native/consumer/push-consumer.ts';
import type { MessageExt } from '../sdk/native/message.ts';
import { Producer } from '../sdk/native/producer/producer.ts';
import { RemotingClient } from '../sdk/remoting/client.ts';
import { silentLogger } from '../sdk/util/log.ts';
import {
  ACTION_RETRY,
  CapturingLogger,
  OnsMessage,
  closeAliOnsInternals,
  consumedOffsetTotal,
  createOnsConsumer,
  startOnsProducer,
  type OnsConsumer,
  type OnsMessage as OnsMessageType,
  type OnsProducer,
  type OnsSendResult,
} from './helpers/compat-ali-ons.ts';
import { createTopic, waitFor, waitForRoute } from './helpers/compat-remoting.ts';
import { startStandalone, type Standalone } from './helpers/standalone.ts';

const queues = 4;
const topics = {
  tags: 'AliOnsTags',
  offsets: 'AliOnsOffsets',
  retry: 'AliOnsRetry',
  broadcast: 'AliOnsBroadcast',
  delayLevel: 'AliOnsDelayLevel',
  startDeliverTime: 'AliOnsStartDeliverTime',
  fromSdk: 'AliOnsFromSdk',
  toSdk: 'AliOnsToSdk',
} as const;
/** Time for ali-ons to find routes, rebalance and pull; its timers are shortened to one second. */
const receiveTimeoutMs = 20_000;
/** A retried message waits for delay level 3 + reconsumeTimes (10 s) in the broker before redelivery. */
const retryTimeoutMs = 45_000;

let server: Standalone | undefined;
let producer: OnsProducer;
const logger = new CapturingLogger();
const errors: Error[] = [];
const openConsumers = new Set<OnsConsumer>();

beforeAll(async () => {
  server = await startStandalone();
  const admin = new RemotingClient({ log: silentLogger });
  try {
    for (const topic of Object.values(topics)) await createTopic(admin, server.broker, topic, queues);
    for (const topic of Object.values(topics)) await waitForRoute(admin, server.namesrv, topic, receiveTimeoutMs);
  } finally {
    await admin.close();
  }
  producer = await startOnsProducer(server.namesrv, logger, errors);
});

afterEach(async () => {
  for (const consumer of openConsumers) await consumer.close().catch(() => undefined);
  openConsumers.clear();
});

afterAll(async () => {
  await producer?.close().catch(() => undefined);
  await closeAliOnsInternals().catch(() => undefined);
  await server?.dispose();
});

/** What went on in ali-ons, for failure messages. */
function diagnostics(): string {
  return `ali-ons errors:\n${errors.map((error) => error.message).slice(-10).join('\n')}\nali-ons log tail:\n${logger.tail()}\nstandalone output tail:\n${server?.output().slice(-3000) ?? ''}`;
}

function message(topic: string, tags: string, body: string | Buffer, keys?: string[], properties?: Record<string, string>): OnsMessageType {
  const built = new OnsMessage(topic, tags, body);
  if (keys) built.keys = keys;
  if (properties) Object.assign(built.properties, properties);
  return built;
}

async function send(built: OnsMessageType): Promise<OnsSendResult> {
  const result = await producer.send(built);
  expect(result.sendStatus, diagnostics()).toBe('SEND_OK');
  expect(result.msgId).toMatch(/^[0-9A-F]{32}$/);
  return result;
}

/**
 * A delivery as the handler saw it. ali-ons keeps changing the message object
 * after the handler returns (a local retry bumps reconsumeTimes, a client-side
 * send-back edits its properties), so the fields are copied on arrival.
 */
interface Delivery {
  topic: string;
  tags: string | null;
  keys: string | undefined;
  body: Buffer;
  msgId: string;
  properties: Record<string, string>;
  reconsumeTimes: number;
  queueId: number;
  queueOffset: number;
  originMessageId: string | undefined;
  retryTopic: string | undefined;
  /** When the handler ran, epoch ms. */
  at: number;
}

function snapshot(received: OnsMessageType): Delivery {
  return {
    topic: received.topic,
    tags: received.tags,
    keys: received.keys,
    body: Buffer.from(received.body),
    msgId: received.msgId,
    properties: { ...received.properties },
    reconsumeTimes: received.reconsumeTimes,
    queueId: received.queueId,
    queueOffset: received.queueOffset,
    originMessageId: received.originMessageId,
    retryTopic: received.retryTopic,
    at: Date.now(),
  };
}

/** Starts a consumer that records every delivery; `handle` may return ACTION_RETRY or throw. */
async function consume(
  group: string,
  topic: string,
  expression: string,
  options: Record<string, unknown> = {},
  handle: (received: OnsMessageType) => Promise<unknown> = async () => undefined,
): Promise<{ consumer: OnsConsumer; deliveries: Delivery[] }> {
  const consumer = createOnsConsumer(server!.namesrv, group, logger, errors, options);
  openConsumers.add(consumer);
  const deliveries: Delivery[] = [];
  consumer.subscribe(topic, expression, async (received) => {
    deliveries.push(snapshot(received));
    return handle(received);
  });
  await consumer.ready();
  return { consumer, deliveries };
}

async function close(consumer: OnsConsumer): Promise<void> {
  openConsumers.delete(consumer);
  await consumer.close();
}

function bodyText(received: { body: Buffer }): string {
  return received.body.toString('utf8');
}

describe('ali-ons 3.12 against apogee standalone', () => {
  it('sends with tags, keys and properties, and a clustering consumer filtering on tags gets exactly the matching messages intact', async () => {
    const tagsCycle = ['TagA', 'TagB', 'TagC'];
    const sent = new Map<string, { result: OnsSendResult; tags: string; body: Buffer; index: number }>();
    for (let index = 0; index < 12; index++) {
      const tags = tagsCycle[index % 3]!;
      const body = index === 5 ? Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)) : Buffer.from(`body ${index} héllo ✓`);
      const result = await send(message(topics.tags, tags, body, [`key-${index}`, `order-${index}`], { custom: `value-${index}` }));
      expect(result.messageQueue.topic).toBe(topics.tags);
      sent.set(result.msgId, { result, tags, body, index });
    }
    const matching = [...sent.values()].filter((entry) => entry.tags !== 'TagC');

    const { deliveries } = await consume('CG_ali_ons_tags', topics.tags, 'TagA || TagB');
    await waitFor(() => deliveries.length >= matching.length, receiveTimeoutMs, () => `${matching.length} deliveries (have ${deliveries.length})\n${diagnostics()}`);

    expect(deliveries.map((received) => received.tags).sort()).toEqual(matching.map((entry) => entry.tags).sort());
    // ali-ons also filters on its side and logs each message it drops; the broker filtered, so it dropped none.
    expect(logger.debugLines.filter((line) => line.includes('message filter by tags')), 'messages the broker should have filtered out').toEqual([]);
    expect(new Set(deliveries.map((received) => received.msgId)).size, 'each message delivered once').toBe(deliveries.length);
    for (const received of deliveries) {
      const original = sent.get(received.msgId);
      expect(original, `msgId ${received.msgId} is the one the send returned`).toBeDefined();
      const { result, tags, body, index } = original!;
      expect(received.topic).toBe(topics.tags);
      expect(received.tags).toBe(tags);
      expect(received.keys).toBe(`key-${index} order-${index}`);
      expect(received.body.equals(body), `body of message ${index}`).toBe(true);
      expect(received.properties.custom).toBe(`value-${index}`);
      expect(received.queueId, 'ali-ons reads queueId from the send response header as text').toBe(Number(result.messageQueue.queueId));
      expect(received.queueOffset).toBe(result.queueOffset);
      expect(received.reconsumeTimes).toBe(0);
    }
  });

  it('keeps a clustering group offset at the broker: a new consumer of the group gets only messages sent after the last one closed', async () => {
    const group = 'CG_ali_ons_offsets';
    const first = await consume(group, topics.offsets, '*');
    for (let index = 0; index < 6; index++) await send(message(topics.offsets, 'T', `before ${index}`));
    await waitFor(() => first.deliveries.length >= 6, receiveTimeoutMs, () => `6 deliveries (have ${first.deliveries.length})\n${diagnostics()}`);
    await waitFor(() => consumedOffsetTotal(first.consumer) >= 6, receiveTimeoutMs, () => `offsets past all 6 messages (at ${consumedOffsetTotal(first.consumer)})\n${diagnostics()}`);
    await close(first.consumer);

    // One message per queue: a queue whose offset was lost would deliver its old messages before this one.
    for (let index = 0; index < queues; index++) await send(message(topics.offsets, 'T', `after ${index}`));
    const second = await consume(group, topics.offsets, '*');
    await waitFor(() => second.deliveries.length >= queues, receiveTimeoutMs, () => `${queues} deliveries (have ${second.deliveries.length})\n${diagnostics()}`);

    expect(first.deliveries.map(bodyText).sort()).toEqual(['before 0', 'before 1', 'before 2', 'before 3', 'before 4', 'before 5']);
    expect(second.deliveries.map(bodyText).sort()).toEqual(['after 0', 'after 1', 'after 2', 'after 3']);
  });

  it('redelivers through the group retry topic a message whose handler returned ACTION_RETRY or threw', async () => {
    const group = 'CG_ali_ons_retry';
    const originals = new Map<string, OnsSendResult>();
    const { deliveries } = await consume(group, topics.retry, '*', {}, async (received) => {
      if (received.reconsumeTimes > 0) return undefined;
      if (bodyText(received) === 'retry me') return ACTION_RETRY;
      if (bodyText(received) === 'throw on me') throw new Error('handler failed on purpose');
      return undefined;
    });
    for (const body of ['retry me', 'throw on me', 'fine']) {
      originals.set(body, await send(message(topics.retry, 'R', body, [`key-${body.replaceAll(' ', '-')}`], { custom: body })));
    }
    const redelivered = () => deliveries.filter((received) => received.reconsumeTimes > 0);
    await waitFor(() => redelivered().length >= 2, retryTimeoutMs, () => `2 redeliveries (have ${redelivered().length})\n${diagnostics()}`);

    expect(deliveries.filter((received) => bodyText(received) === 'fine')).toHaveLength(1);
    for (const body of ['retry me', 'throw on me']) {
      const again = redelivered().filter((received) => bodyText(received) === body);
      expect(again, `${body} redelivered once`).toHaveLength(1);
      const copy = again[0]!;
      const original = originals.get(body)!;
      expect(copy.reconsumeTimes).toBe(1);
      expect(copy.topic, 'ali-ons shows a retried message under its original topic').toBe(topics.retry);
      expect(copy.retryTopic, 'RETRY_TOPIC names the original topic').toBe(topics.retry);
      expect(copy.originMessageId, 'ORIGIN_MESSAGE_ID is the first delivery id').toBe(original.msgId);
      expect(copy.msgId, 'the copy is a new record in the retry topic').not.toBe(original.msgId);
      expect(copy.tags).toBe('R');
      expect(copy.keys).toBe(`key-${body.replaceAll(' ', '-')}`);
      expect(copy.properties.custom).toBe(body);
    }
    expect(logger.lines.filter((line) => line.includes('consumerSendMessageBack success')).length, 'sent back with CONSUMER_SEND_MSG_BACK, not by the client fallback').toBe(2);
  });

  it('delivers every message to each broadcasting consumer of a group', async () => {
    const group = 'CG_ali_ons_broadcast';
    const one = await consume(group, topics.broadcast, '*', { isBroadcast: true, instanceName: 'broadcast-one' });
    const two = await consume(group, topics.broadcast, '*', { isBroadcast: true, instanceName: 'broadcast-two' });
    const bodies = ['b0', 'b1', 'b2', 'b3', 'b4'];
    for (const body of bodies) await send(message(topics.broadcast, 'B', body));
    await waitFor(
      () => one.deliveries.length >= bodies.length && two.deliveries.length >= bodies.length,
      receiveTimeoutMs,
      () => `${bodies.length} deliveries each (have ${one.deliveries.length} and ${two.deliveries.length})\n${diagnostics()}`,
    );
    expect(one.deliveries.map(bodyText).sort()).toEqual(bodies);
    expect(two.deliveries.map(bodyText).sort()).toEqual(bodies);
  });

  it('holds a message sent with delay level 2 (5 s) until its time', async () => {
    const { deliveries } = await consume('CG_ali_ons_delay_level', topics.delayLevel, '*');
    const delayed = message(topics.delayLevel, 'D', 'delayed by level');
    delayed.delayTimeLevel = 2;
    const sentAt = Date.now();
    await send(delayed);
    await waitFor(() => deliveries.length >= 1, receiveTimeoutMs, () => `the delayed message\n${diagnostics()}`);
    expect(bodyText(deliveries[0]!)).toBe('delayed by level');
    expect(deliveries[0]!.at - sentAt, 'delivered no earlier than 5 s after sending').toBeGreaterThanOrEqual(5000 - 50);
  });

  it('holds a message sent with setStartDeliverTime until that time', async () => {
    const { deliveries } = await consume('CG_ali_ons_start_deliver_time', topics.startDeliverTime, '*');
    const deliverAt = Date.now() + 4000;
    const timed = message(topics.startDeliverTime, 'S', 'delivered at a time');
    timed.setStartDeliverTime(deliverAt);
    await send(timed);
    await waitFor(() => deliveries.length >= 1, receiveTimeoutMs, () => `the timed message\n${diagnostics()}`);
    expect(bodyText(deliveries[0]!)).toBe('delivered at a time');
    expect(deliveries[0]!.at, `delivered at ${deliveries[0]!.at} ms, not before ${deliverAt} ms`).toBeGreaterThanOrEqual(deliverAt - 50);
  });

  it('delivers to an ali-ons consumer what our SDK producer sent, with tags, keys, properties and ids intact', async () => {
    const sdkProducer = new Producer({ namesrvAddr: server!.namesrv, group: 'PG_sdk_to_ali_ons', log: silentLogger });
    await sdkProducer.start();
    const results = [];
    try {
      for (let index = 0; index < 4; index++) {
        results.push(await sdkProducer.send({ topic: topics.fromSdk, body: `from sdk ${index}`, tags: 'Sdk', keys: [`sdk-${index}`], properties: { custom: `sdk-value-${index}` } }));
      }
    } finally {
      await sdkProducer.shutdown();
    }
    const { deliveries } = await consume('CG_ali_ons_from_sdk', topics.fromSdk, 'Sdk');
    await waitFor(() => deliveries.length >= 4, receiveTimeoutMs, () => `4 deliveries (have ${deliveries.length})\n${diagnostics()}`);
    for (const [index, result] of results.entries()) {
      const received = deliveries.find((entry) => bodyText(entry) === `from sdk ${index}`);
      expect(received, `from sdk ${index}`).toBeDefined();
      expect(received!.msgId, 'ali-ons ids are offset ids').toBe(result.offsetMsgId);
      expect(received!.properties.UNIQ_KEY).toBe(result.msgId);
      expect(received!.tags).toBe('Sdk');
      expect(received!.keys).toBe(`sdk-${index}`);
      expect(received!.properties.custom).toBe(`sdk-value-${index}`);
      expect(received!.queueOffset).toBe(result.queueOffset);
    }
  });

  it('delivers to our SDK push consumer what an ali-ons producer sent, with tags, keys, properties and ids intact', async () => {
    const sent: OnsSendResult[] = [];
    for (let index = 0; index < 6; index++) {
      const tags = index % 2 === 0 ? 'Even' : 'Odd';
      sent.push(await send(message(topics.toSdk, tags, `from ali-ons ${index}`, [`ons-${index}`], { custom: `ons-value-${index}` })));
    }
    const received: MessageExt[] = [];
    const consumer = new PushConsumer({
      namesrvAddr: server!.namesrv,
      group: 'CG_sdk_from_ali_ons',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      log: silentLogger,
    });
    consumer.subscribe(topics.toSdk, 'Even');
    consumer.onMessage((messages) => {
      received.push(...messages);
      return 'CONSUME_SUCCESS';
    });
    await consumer.start();
    try {
      await waitFor(() => received.length >= 3, receiveTimeoutMs, () => `3 messages at the SDK consumer (have ${received.length})`);
    } finally {
      await consumer.shutdown();
    }
    expect(received.map((entry) => entry.text).sort()).toEqual(['from ali-ons 0', 'from ali-ons 2', 'from ali-ons 4']);
    for (const entry of received) {
      const index = Number(entry.text.slice('from ali-ons '.length));
      const result = sent[index]!;
      expect(entry.tags).toBe('Even');
      expect(entry.keys).toEqual([`ons-${index}`]);
      expect(entry.properties.custom).toBe(`ons-value-${index}`);
      expect(entry.offsetMsgId, 'the id ali-ons got back from its send').toBe(result.msgId);
      expect(entry.msgId, 'ali-ons sets no UNIQ_KEY, so the id is the offset id').toBe(result.msgId);
      expect(entry.queueId).toBe(Number(result.messageQueue.queueId));
      expect(entry.queueOffset).toBe(result.queueOffset);
    }
  });
});
