/**
 * The native SDK against a real `apogee standalone` process: producers send
 * (sync, callback, oneway, batch, compressed, ordered) and push consumers
 * receive in clustering and broadcasting mode, and a consumer that shuts
 * down hands its progress to the next member without losing a message.
 * Every wait is on a condition with a deadline, never a fixed sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../sdk/native/admin.ts';
import { PushConsumer, type PushConsumerOptions } from '../sdk/native/consumer/push-consumer.ts';
import type { MessageExt } from '../sdk/native/message.ts';
import { Producer, type SendResult } from '../sdk/native/producer/producer.ts';
import { waitUntil } from '../sdk/native/sleep.ts';
import { silentLogger } from '../sdk/util/log.ts';
import { startStandalone, type Standalone } from './helpers/standalone.ts';

let server: Standalone;
let admin: Admin;
let producer: Producer;
const consumers: PushConsumer[] = [];

beforeAll(async () => {
  server = await startStandalone();
  admin = new Admin({ namesrvAddr: server.namesrv, log: silentLogger });
  producer = new Producer({ namesrvAddr: server.namesrv, group: 'PG_e2e', log: silentLogger });
  await producer.start();
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.shutdown().catch(() => undefined);
  await producer?.shutdown();
  await admin?.shutdown();
  await server?.dispose();
});

async function createTopic(topic: string, queues = 4): Promise<void> {
  await admin.createTopic({ topic, queues });
  const ready = await waitUntilAsync(async () => (await admin.describeTopic(topic).catch(() => undefined))?.queues.length === queues, 10_000);
  expect(ready, `route of ${topic} never appeared`).toBe(true);
}

async function waitUntilAsync(condition: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function consumer(options: Partial<PushConsumerOptions> & { group: string }, topic: string, received: MessageExt[], selector = '*'): PushConsumer {
  const created = new PushConsumer({
    namesrvAddr: server.namesrv,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    pollNameServerIntervalMs: 1000,
    persistConsumerOffsetIntervalMs: 500,
    log: silentLogger,
    ...options,
  });
  created.subscribe(topic, selector);
  created.onMessage((messages) => {
    received.push(...messages);
  });
  consumers.push(created);
  return created;
}

describe('producer and push consumer', () => {
  it('delivers what was sent, with tags, keys, properties and compressed bodies intact', async () => {
    await createTopic('T_basic');
    const big = 'b'.repeat(10_000);
    const results: SendResult[] = [];
    results.push(await producer.send({ topic: 'T_basic', body: 'hello', tags: 'A', keys: ['k1'], properties: { color: 'red' } }));
    results.push(await producer.send({ topic: 'T_basic', body: big, tags: 'A' }));
    // One batch message carries non-ASCII properties: their UTF-8 length differs from their length in characters.
    results.push(await producer.sendBatch([1, 2, 3].map((n) => ({ topic: 'T_basic', body: `batch-${n}`, tags: 'A', ...(n === 2 ? { properties: { label: 'grüße ✓' } } : {}) }))));
    await producer.sendOneway({ topic: 'T_basic', body: 'oneway', tags: 'A' });
    results.push(await new Promise<SendResult>((resolve, reject) => producer.sendAsync({ topic: 'T_basic', body: 'callback', tags: 'A' }, (error, result) => (error ? reject(error) : resolve(result!)))));
    await producer.send({ topic: 'T_basic', body: 'filtered-out', tags: 'B' });
    for (const result of results) expect(result.status).toBe('SEND_OK');
    expect(results[2]!.msgId.split(',')).toHaveLength(3);

    const received: MessageExt[] = [];
    await consumer({ group: 'CG_basic' }, 'T_basic', received, 'A').start();
    expect(await waitUntil(() => received.length >= 7, 20_000)).toBe(true);
    const texts = received.map((message) => message.text).sort();
    expect(texts).toEqual([big, 'batch-1', 'batch-2', 'batch-3', 'callback', 'hello', 'oneway'].sort());
    const hello = received.find((message) => message.text === 'hello')!;
    expect(hello.msgId).toBe(results[0]!.msgId);
    expect(hello.keys).toEqual(['k1']);
    expect(hello.properties.color).toBe('red');
    expect(hello.tags).toBe('A');
    const batched = received.find((message) => message.text === 'batch-2')!;
    expect(batched.properties.label).toBe('grüße ✓');
    expect(batched.msgId).toBe(results[2]!.msgId.split(',')[1]);
  });

  it('broadcasting delivers every message to every consumer', async () => {
    await createTopic('T_broadcast');
    const inboxes: MessageExt[][] = [[], [], []];
    const members = inboxes.map((inbox, index) =>
      consumer({ group: 'CG_broadcast', messageModel: 'BROADCASTING', offsetStoreDir: `${server.dataDir}/offsets-${index}` }, 'T_broadcast', inbox),
    );
    for (const member of members) await member.start();
    expect(await waitUntil(() => members.every((member) => member.assignedQueues().length === 4), 20_000)).toBe(true);
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'T_broadcast', body: `m${i}` });
    expect(await waitUntil(() => inboxes.every((inbox) => inbox.length >= 20), 20_000)).toBe(true);
    for (const inbox of inboxes) expect(new Set(inbox.map((message) => message.text)).size).toBe(20);
  });

  it('a consumer that shuts down commits its progress and the next member continues without loss', async () => {
    await createTopic('T_shutdown');
    const total = 200;
    for (let i = 0; i < total; i++) await producer.send({ topic: 'T_shutdown', body: `m${i}` });
    const first: MessageExt[] = [];
    const firstConsumer = consumer({ group: 'CG_shutdown', consumeThreadMax: 2 }, 'T_shutdown', first);
    await firstConsumer.start();
    expect(await waitUntil(() => first.length >= 50, 20_000)).toBe(true);
    await firstConsumer.shutdown();
    const second: MessageExt[] = [];
    await consumer({ group: 'CG_shutdown' }, 'T_shutdown', second).start();
    const seen = () => new Set([...first, ...second].map((message) => message.text));
    expect(await waitUntil(() => seen().size === total, 20_000)).toBe(true);
    // Committed at shutdown: the second member starts where the first stopped, not from the beginning.
    expect(second.length).toBeLessThan(total);
  });

  it('a new group consuming from the last offset starts at the end even while the first messages are still in memory', async () => {
    await createTopic('T_from_last');
    for (let i = 0; i < 40; i++) await producer.send({ topic: 'T_from_last', body: `old ${i}` });
    const inbox: MessageExt[] = [];
    const member = consumer({ group: 'CG_from_last', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' }, 'T_from_last', inbox);
    await member.start();
    expect(await waitUntil(() => member.assignedQueues().length === 4, 20_000)).toBe(true);
    // A queue is listed only once its start offset is fixed, so what is sent now lies past every start.
    for (let i = 0; i < 8; i++) await producer.send({ topic: 'T_from_last', body: `new ${i}` });
    expect(await waitUntil(() => inbox.length >= 8, 20_000)).toBe(true);
    expect(inbox.map((message) => message.text).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `new ${i}`).sort());
  });

  it('ordered sends keep each sharding key on one queue, in order', async () => {
    await createTopic('T_sharding');
    const queuesByKey = new Map<string, Set<number>>();
    for (let i = 0; i < 40; i++) {
      const key = `order-${i % 5}`;
      const result = await producer.send({ topic: 'T_sharding', body: `${key}:${i}` }, { shardingKey: key });
      queuesByKey.set(key, (queuesByKey.get(key) ?? new Set()).add(result.queue.queueId));
    }
    for (const queues of queuesByKey.values()) expect(queues.size).toBe(1);
  });

  it('refuses an empty body and a body over the size limit, naming the limit', async () => {
    await expect(producer.send({ topic: 'T_basic', body: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const small = new Producer({ namesrvAddr: server.namesrv, group: 'PG_small', maxMessageSizeBytes: 16, log: silentLogger });
    await small.start();
    await expect(small.send({ topic: 'T_basic', body: 'x'.repeat(16) })).resolves.toMatchObject({ status: 'SEND_OK' });
    await expect(small.send({ topic: 'T_basic', body: 'x'.repeat(17) })).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await small.shutdown();
  });
});
