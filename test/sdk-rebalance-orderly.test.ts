/**
 * Group behaviour of push consumers against a real `apogee standalone`:
 * a clustering group shares the queues and rebalances when members join and
 * leave without losing a message, and orderly consumers holding broker locks
 * see each sharding key's messages strictly in order. Each member is its own
 * client (its own client id), as separate processes would be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../sdk/native/admin.ts';
import { PushConsumer } from '../sdk/native/consumer/push-consumer.ts';
import { queueKey, type MessageExt } from '../sdk/native/message.ts';
import { Producer } from '../sdk/native/producer/producer.ts';
import { waitUntil } from '../sdk/native/sleep.ts';
import { silentLogger } from '../sdk/util/log.ts';
import { startStandalone, type Standalone } from './helpers/standalone.ts';

let server: Standalone;
let admin: Admin;
let producer: Producer;
const started: PushConsumer[] = [];

beforeAll(async () => {
  server = await startStandalone();
  admin = new Admin({ namesrvAddr: server.namesrv, log: silentLogger });
  producer = new Producer({ namesrvAddr: server.namesrv, group: 'PG_group', log: silentLogger });
  await producer.start();
});

afterAll(async () => {
  for (const consumer of started) await consumer.shutdown().catch(() => undefined);
  await producer?.shutdown();
  await admin?.shutdown();
  await server?.dispose();
});

async function createTopic(topic: string, queues: number): Promise<void> {
  await admin.createTopic({ topic, queues });
  const end = Date.now() + 10_000;
  while ((await admin.describeTopic(topic).catch(() => undefined))?.queues.length !== queues) {
    if (Date.now() > end) throw new Error(`route of ${topic} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when the members hold every queue exactly once between them. */
function balanced(members: PushConsumer[], queueCount: number): boolean {
  const keys = members.flatMap((member) => member.assignedQueues().filter((queue) => !queue.topic.startsWith('%RETRY%')).map(queueKey));
  return keys.length === queueCount && new Set(keys).size === queueCount && members.every((member) => member.assignedQueues().length > 0);
}

describe('clustering group', () => {
  it('shares the queues and rebalances without losing a message when members join and leave', async () => {
    await createTopic('T_group', 6);
    const received: MessageExt[] = [];
    const member = () => {
      const consumer = new PushConsumer({ namesrvAddr: server.namesrv, group: 'CG_group', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', persistConsumerOffsetIntervalMs: 500, log: silentLogger });
      consumer.subscribe('T_group').onMessage((messages) => void received.push(...messages));
      started.push(consumer);
      return consumer;
    };
    const [a, b, c] = [member(), member(), member()];
    await a.start();
    await b.start();
    expect(await waitUntil(() => balanced([a, b], 6), 20_000)).toBe(true);

    let sent = 0;
    const sendSome = async (count: number) => {
      for (let i = 0; i < count; i++) await producer.send({ topic: 'T_group', body: `m${sent++}` });
    };
    await sendSome(100);
    await c.start();
    expect(await waitUntil(() => balanced([a, b, c], 6), 20_000)).toBe(true);
    expect([a, b, c].map((consumer) => consumer.assignedQueues().filter((queue) => queue.topic === 'T_group').length)).toEqual([2, 2, 2]);
    await sendSome(100);
    await a.shutdown();
    expect(await waitUntil(() => balanced([b, c], 6), 20_000)).toBe(true);
    await sendSome(100);
    const distinct = () => new Set(received.map((message) => message.text)).size;
    expect(await waitUntil(() => distinct() === sent, 30_000)).toBe(true);
  });
});

describe('orderly consumers', () => {
  it('see each sharding key in order across three members holding broker locks', async () => {
    await createTopic('T_orderly', 6);
    const seen: Array<{ member: number; key: string; sequence: number }> = [];
    const members = [0, 1, 2].map((index) => {
      const consumer = new PushConsumer({ namesrvAddr: server.namesrv, group: 'CG_orderly', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', log: silentLogger });
      consumer.subscribe('T_orderly').onMessageOrderly(async (messages) => {
        for (const message of messages) {
          const [key, sequence] = message.text.split(':');
          seen.push({ member: index, key: key!, sequence: Number(sequence) });
        }
        // A little work, so batches of different queues overlap.
        await new Promise((resolve) => setImmediate(resolve));
      });
      started.push(consumer);
      return consumer;
    });
    for (const member of members) await member.start();
    expect(await waitUntil(() => balanced(members, 6), 30_000)).toBe(true);

    const keys = Array.from({ length: 10 }, (_, index) => `key-${index}`);
    const perKey = 30;
    for (let sequence = 0; sequence < perKey; sequence++) {
      for (const key of keys) await producer.send({ topic: 'T_orderly', body: `${key}:${sequence}` }, { shardingKey: key });
    }
    expect(await waitUntil(() => seen.length >= keys.length * perKey, 30_000)).toBe(true);
    for (const key of keys) {
      const sequences = seen.filter((entry) => entry.key === key).map((entry) => entry.sequence);
      expect(sequences).toEqual(Array.from({ length: perKey }, (_, index) => index));
      expect(new Set(seen.filter((entry) => entry.key === key).map((entry) => entry.member)).size).toBe(1);
    }
  });
});
