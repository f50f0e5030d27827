/**
 * The administration commands of the `apogee` CLI against a real
 * `apogee standalone` process: each test spawns `node bin/apogee.mjs …` with
 * `--json` and checks what it printed against what the broker holds, read
 * back through the SDK (or the other way round: the SDK sets the scene and the
 * CLI reports it). Waits are on conditions with deadlines, never fixed sleeps.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../sdk/native/admin.ts';
import { LitePullConsumer } from '../sdk/native/consumer/lite-pull-consumer.ts';
import { PushConsumer } from '../sdk/native/consumer/push-consumer.ts';
import type { MessageExt } from '../sdk/native/message.ts';
import { Producer, type SendResult } from '../sdk/native/producer/producer.ts';
import { silentLogger } from '../sdk/util/log.ts';
import { runApogee, type CliResult } from './helpers/child.ts';
import { startStandalone, type Standalone } from './helpers/standalone.ts';
import { waitFor } from './helpers/wait-for.ts';


let server: Standalone;
let admin: Admin;
let producer: Producer;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await startStandalone();
  admin = new Admin({ namesrvAddr: server.namesrv, log: silentLogger });
  producer = new Producer({ namesrvAddr: server.namesrv, group: 'PG_cli_admin', log: silentLogger });
  await producer.start();
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await producer?.shutdown();
  await admin?.shutdown();
  await server?.dispose();
});

/** Runs `apogee <args> --namesrv <standalone>` and collects its output. */
function apogee(...args: string[]): Promise<CliResult> {
  return runApogee([...args, '--namesrv', server.namesrv], { APOGEE_LOG_LEVEL: 'error' });
}

/** Runs a command that must succeed and parses its one JSON document. */
async function apogeeJson<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const result = await apogee(...args, '--json');
  expect(result.code, `apogee ${args.join(' ')} failed: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface TopicDescribe {
  topic: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  queues: Array<{ brokerName: string; queueId: number; minOffset: number; maxOffset: number }>;
}

interface QueueLag {
  topic: string;
  queueId: number;
  brokerOffset: number;
  consumerOffset: number;
  lag: number;
}

/** `topic describe` once the NameServer has the topic's route with `queues` queues. */
async function describeWhenRouted(topic: string, queues: number): Promise<TopicDescribe> {
  let described: TopicDescribe | undefined;
  await waitFor(
    async () => {
      const result = await apogee('topic', 'describe', topic, '--json');
      if (result.code !== 0) return false;
      described = JSON.parse(result.stdout) as TopicDescribe;
      return described.queues.length === queues;
    },
    { timeoutMs: 20_000, what: `${topic} described with ${queues} queues` },
  );
  return described!;
}

async function createTopic(topic: string, queues: number): Promise<void> {
  await admin.createTopic({ topic, queues });
  await waitFor(async () => (await admin.describeTopic(topic).catch(() => undefined))?.queues.length === queues, { timeoutMs: 10_000, what: `route of ${topic}` });
}

function sumMaxOffsets(described: { queues: ReadonlyArray<{ maxOffset: number }> }): number {
  return described.queues.reduce((sum, queue) => sum + queue.maxOffset, 0);
}

function pushConsumer(group: string, topic: string, received: MessageExt[]): PushConsumer {
  const consumer = new PushConsumer({
    namesrvAddr: server.namesrv,
    group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    persistConsumerOffsetIntervalMs: 200,
    log: silentLogger,
  });
  consumer.subscribe(topic, '*');
  consumer.onMessage((messages) => {
    received.push(...messages);
  });
  closers.push(() => consumer.shutdown());
  return consumer;
}

describe('apogee topic', () => {
  it('create, update, describe, list and delete manage a topic on the broker and the NameServer', async () => {
    const created = await apogeeJson<{ readQueueNums: number; writeQueueNums: number; perm: number; brokers: string[] }>('topic', 'create', 'T_cli', '--queues', '2');
    expect(created).toMatchObject({ readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    expect(created.brokers).toHaveLength(1);

    const fresh = await describeWhenRouted('T_cli', 2);
    expect(fresh).toMatchObject({ topic: 'T_cli', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
    expect(sumMaxOffsets(fresh)).toBe(0);

    for (let i = 0; i < 3; i++) await producer.send({ topic: 'T_cli', body: `m${i}` });
    expect(sumMaxOffsets(await describeWhenRouted('T_cli', 2))).toBe(3);

    // More queues, read-only: the settings change and the stored messages stay.
    const updated = await apogeeJson<{ readQueueNums: number; perm: number }>('topic', 'update', 'T_cli', '--queues', '4', '--perm', 'r');
    expect(updated).toMatchObject({ readQueueNums: 4, perm: 4 });
    const grown = await describeWhenRouted('T_cli', 4);
    expect(grown).toMatchObject({ readQueueNums: 4, writeQueueNums: 4, perm: 4 });
    expect(sumMaxOffsets(grown)).toBe(3);

    const human = await apogee('topic', 'describe', 'T_cli');
    expect(human.stdout).toContain('4 read / 4 write queues per broker, perm r');

    expect((await apogeeJson<{ topics: string[] }>('topic', 'list')).topics).toContain('T_cli');

    expect(await apogeeJson('topic', 'delete', 'T_cli')).toEqual({ topic: 'T_cli', deleted: true });
    expect((await apogeeJson<{ topics: string[] }>('topic', 'list')).topics).not.toContain('T_cli');
    const gone = await apogee('topic', 'describe', 'T_cli');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('T_cli does not exist');
  });

  it('update refuses a topic that does not exist', async () => {
    const result = await apogee('topic', 'update', 'T_cli_missing', '--queues', '2');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('T_cli_missing');
  });
});

describe('apogee group and lag', () => {
  it('create, list, describe and delete manage a subscription group with its settings', async () => {
    const created = await apogeeJson('group', 'create', 'CG_cli', '--retry-max', '3');
    expect(created).toMatchObject({ group: 'CG_cli', retryMaxTimes: 3, broadcast: false, consumeEnable: true });

    const listed = await apogeeJson<{ groups: Array<{ group: string; retryMaxTimes?: number; broadcast?: boolean; consumeEnable?: boolean }> }>('group', 'list');
    expect(listed.groups.find((group) => group.group === 'CG_cli')).toEqual({ group: 'CG_cli', retryMaxTimes: 3, broadcast: false, consumeEnable: true });

    const idle = await apogeeJson<{ settings: { retryMaxTimes: number }; connections: unknown[] }>('group', 'describe', 'CG_cli');
    expect(idle.settings.retryMaxTimes).toBe(3);
    expect(idle.connections).toEqual([]);

    // A running member shows up as a connection.
    await createTopic('T_cli_group', 2);
    const consumer = pushConsumer('CG_cli', 'T_cli_group', []);
    await consumer.start();
    await waitFor(async () => (await apogeeJson<{ connections: Array<{ clientId: string }> }>('group', 'describe', 'CG_cli')).connections.length === 1, {
      timeoutMs: 20_000,
      what: 'the consumer listed by group describe',
    });
    const busy = await apogeeJson<{ connections: Array<{ clientId: string }> }>('group', 'describe', 'CG_cli');
    expect(busy.connections[0]!.clientId).toBe(consumer.client.clientId);
    await consumer.shutdown();

    expect(await apogeeJson('group', 'delete', 'CG_cli')).toEqual({ group: 'CG_cli', deleted: true });
    expect((await apogeeJson<{ groups: Array<{ group: string }> }>('group', 'list')).groups.map((group) => group.group)).not.toContain('CG_cli');
  });

  it('describe fails for a group no broker knows', async () => {
    const result = await apogee('group', 'describe', 'CG_cli_missing');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('group CG_cli_missing does not exist');
  });

  it('lag shows the broker offset, the committed offset and the lag of each queue, with the total', async () => {
    await createTopic('T_cli_lag', 2);
    const queues = await producer.fetchPublishQueues('T_cli_lag');
    for (let i = 0; i < 4; i++) await producer.send({ topic: 'T_cli_lag', body: `q0-${i}` }, { queue: queues[0]! });
    for (let i = 0; i < 2; i++) await producer.send({ topic: 'T_cli_lag', body: `q1-${i}` }, { queue: queues[1]! });

    // The group consumes and commits queue 0 only.
    const reader = new LitePullConsumer({ namesrvAddr: server.namesrv, group: 'CG_cli_lag', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', autoCommit: false, log: silentLogger });
    closers.push(() => reader.shutdown());
    reader.assign([queues[0]!]);
    await reader.start();
    const polled: MessageExt[] = [];
    await waitFor(async () => {
      polled.push(...(await reader.poll(500)));
      return polled.length >= 4;
    }, { what: 'queue 0 polled' });
    await reader.commit();

    const lag = await apogeeJson<{ group: string; lag: number; queues: QueueLag[] }>('lag', 'CG_cli_lag', '--topic', 'T_cli_lag');
    expect(lag.lag).toBe(2);
    const byQueue = new Map(lag.queues.map((queue) => [queue.queueId, queue]));
    expect(byQueue.get(queues[0]!.queueId)).toMatchObject({ topic: 'T_cli_lag', brokerOffset: 4, consumerOffset: 4, lag: 0 });
    expect(byQueue.get(queues[1]!.queueId)).toMatchObject({ topic: 'T_cli_lag', brokerOffset: 2, consumerOffset: 0, lag: 2 });

    const human = await apogee('lag', 'CG_cli_lag');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/total lag 2\s*$/);
  });
});

describe('apogee offset reset', () => {
  it('moves a group back to a time and a running consumer follows, with or without --topic', async () => {
    await createTopic('T_cli_reset', 1);
    const before: SendResult[] = [];
    for (let i = 0; i < 3; i++) before.push(await producer.send({ topic: 'T_cli_reset', body: `before-${i}` }));
    // Every "before" message is stored at or before `boundary`, every "after" one after it.
    const boundary = Date.now();
    await waitFor(() => Date.now() > boundary, { intervalMs: 1, what: 'the clock to move on' });
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'T_cli_reset', body: `after-${i}` });

    const received: MessageExt[] = [];
    const consumer = pushConsumer('CG_cli_reset', 'T_cli_reset', received);
    await consumer.start();
    await waitFor(() => received.length >= 6, { what: 'all six messages' });
    await waitFor(async () => (await admin.consumerProgress('CG_cli_reset', 'T_cli_reset')).every((queue) => queue.consumerOffset === 6), {
      what: 'offset 6 committed',
    });
    const count = (body: string) => received.filter((message) => message.text === body).length;

    const reset = await apogeeJson<{ topic: string; queues: Array<{ topic: string; queueId: number; offset: number }> }>(
      'offset', 'reset', 'CG_cli_reset', '--topic', 'T_cli_reset', '--to', String(boundary + 1),
    );
    expect(reset.topic).toBe('T_cli_reset');
    expect(reset.queues).toEqual([expect.objectContaining({ topic: 'T_cli_reset', offset: 3 })]);
    // The running consumer drops what it was doing and consumes the "after" messages again, only those.
    await waitFor(() => ['after-0', 'after-1', 'after-2'].every((body) => count(body) === 2), { what: 'the after messages redelivered' });
    expect(['before-0', 'before-1', 'before-2'].map(count)).toEqual([1, 1, 1]);
    await waitFor(async () => (await admin.consumerProgress('CG_cli_reset', 'T_cli_reset')).every((queue) => queue.consumerOffset === 6), {
      what: 'offset 6 committed again',
    });

    // Without --topic: every topic the group consumes, here back to the first message.
    const all = await apogeeJson<{ topics: string[]; queues: Array<{ topic: string; offset: number }> }>('offset', 'reset', 'CG_cli_reset', '--to', 'earliest');
    expect(all.topics).toEqual(['T_cli_reset']);
    expect(all.queues).toEqual([expect.objectContaining({ topic: 'T_cli_reset', offset: 0 })]);
    await waitFor(() => ['before-0', 'before-1', 'before-2'].every((body) => count(body) === 2) && ['after-0', 'after-1', 'after-2'].every((body) => count(body) === 3), {
      what: 'everything redelivered',
    });
    expect(received.find((message) => message.text === 'before-0')!.msgId).toBe(before[0]!.msgId);
  });
});

describe('apogee message', () => {
  it('get finds a message by offset id or, with --topic, by unique id; query finds messages by key', async () => {
    await createTopic('T_cli_message', 2);
    const first = await producer.send({ topic: 'T_cli_message', body: 'order 42 created', tags: 'created', keys: ['order-42'], properties: { region: 'eu' } });
    const second = await producer.send({ topic: 'T_cli_message', body: 'order 42 paid', tags: 'paid', keys: ['order-42'] });
    await producer.send({ topic: 'T_cli_message', body: 'order 43 created', keys: ['order-43'] });

    type Shown = { msgId: string; offsetMsgId: string; topic: string; brokerName: string; queueId: number; queueOffset: number; body: string; properties: Record<string, string> };
    const byOffsetId = await apogeeJson<Shown>('message', 'get', first.offsetMsgId);
    expect(byOffsetId).toMatchObject({
      msgId: first.msgId,
      offsetMsgId: first.offsetMsgId,
      topic: 'T_cli_message',
      brokerName: first.queue.brokerName,
      queueId: first.queue.queueId,
      queueOffset: first.queueOffset,
      body: 'order 42 created',
    });
    expect(byOffsetId.properties).toMatchObject({ TAGS: 'created', KEYS: 'order-42', region: 'eu' });

    const byUniqueId = await apogeeJson<Shown>('message', 'get', second.msgId, '--topic', 'T_cli_message');
    expect(byUniqueId).toMatchObject({ msgId: second.msgId, offsetMsgId: second.offsetMsgId, body: 'order 42 paid' });

    const human = await apogee('message', 'get', second.msgId, '--topic', 'T_cli_message');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('body: order 42 paid');

    const found = await apogeeJson<{ messages: Shown[] }>('message', 'query', '--topic', 'T_cli_message', '--key', 'order-42');
    expect(found.messages.map((message) => message.body).sort()).toEqual(['order 42 created', 'order 42 paid']);
    expect(found.messages.map((message) => message.msgId).sort()).toEqual([first.msgId, second.msgId].sort());
    expect((await apogeeJson<{ messages: Shown[] }>('message', 'query', '--topic', 'T_cli_message', '--key', 'order-44')).messages).toEqual([]);

    // An offset id pointing past the end of the CommitLog: the broker has nothing there.
    const missing = first.offsetMsgId.slice(0, 16) + 'FFFFFFFFFFFF0000';
    const result = await apogee('message', 'get', missing);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no message with id ${missing}`);
  });
});

describe('apogee bench', () => {
  it('bench produce --count N --json prints the summary and the broker stores every message', async () => {
    await createTopic('T_cli_bench', 2);
    const summary = await apogeeJson<Record<string, number | null | string>>('bench', 'produce', '--topic', 'T_cli_bench', '--count', '300', '--size', '64', '--inflight', '32');
    for (const key of ['messages', 'errors', 'seconds', 'msgsPerSec', 'mbPerSec', 'p50Ms', 'p99Ms', 'p999Ms', 'maxMs']) expect(typeof summary[key], key).toBe('number');
    expect(summary.messages).toBe(300);
    expect(summary.errors).toBe(0);
    const numbers = summary as Record<string, number>;
    expect(numbers.seconds).toBeGreaterThan(0);
    expect(numbers.msgsPerSec).toBeGreaterThan(0);
    // Rates agree with the counts they come from, within the rounding of `seconds` to 1 ms.
    expect(Math.abs(numbers.msgsPerSec - 300 / numbers.seconds)).toBeLessThanOrEqual(numbers.msgsPerSec * (0.0005 / numbers.seconds + 0.01));
    expect(Math.abs(numbers.mbPerSec - (numbers.msgsPerSec * 64) / 1e6)).toBeLessThan(0.01 * numbers.mbPerSec + 0.001);
    expect(numbers.p50Ms).toBeLessThanOrEqual(numbers.p99Ms);
    expect(numbers.p99Ms).toBeLessThanOrEqual(numbers.p999Ms);
    expect(numbers.p999Ms).toBeLessThanOrEqual(numbers.maxMs);
    expect(sumMaxOffsets(await admin.describeTopic('T_cli_bench'))).toBe(300);
  });
});

describe('apogee broker-status', () => {
  it("prints each master's runtime info, whose put count and CommitLog write totals follow the sends", async () => {
    await createTopic('T_cli_status', 1);
    const status = async () => (await apogeeJson<{ brokers: Array<Record<string, string>> }>('broker-status')).brokers;
    const brokerNames = (await admin.clusterInfo()).brokers.map((broker) => broker.brokerName);
    const before = await status();
    expect(before.map((broker) => broker.brokerName)).toEqual(brokerNames);
    // Random bytes: the producer compresses a compressible body this large.
    const body = randomBytes(16 * 1024);
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'T_cli_status', body });
    const after = await status();
    expect(Number(after[0]!.msgPutTotalTodayNow) - Number(before[0]!.msgPutTotalTodayNow)).toBe(3);
    // Every acknowledged record was handed to the OS, and counted there.
    expect(Number(after[0]!.commitLogWriteBytes) - Number(before[0]!.commitLogWriteBytes)).toBeGreaterThan(3 * body.length);
    expect(Number(after[0]!.commitLogMaxOffset)).toBeGreaterThan(Number(before[0]!.commitLogMaxOffset));

    const text = await apogee('broker-status');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(brokerNames[0]);
    expect(text.stdout).toMatch(/^commitLogWriteMsPerMiB: +\d+\.\d{3}$/m);
  });
});
