/**
 * The advanced message types through the native SDK against a real
 * `apogee standalone` process, started with a broker config file that makes
 * delay levels and transaction checks short:
 *
 * - a push consumer that fails a message gets it back through
 *   CONSUMER_SEND_MSG_BACK on growing delay levels, and after
 *   `maxReconsumeTimes` failures it lands in `%DLQ%<group>`;
 * - a delay-level message and a deliver-at message arrive no earlier than due;
 * - a transaction producer commits, rolls back, and leaves one open that the
 *   broker's check-back resolves through the live producer's check listener;
 * - a lite pull consumer assigns, polls, seeks, commits, and a second one of
 *   the same group continues from the committed offset.
 *
 * Timing assertions are lower bounds only (a message may be late on a loaded
 * machine, never early); every wait is on a condition with a deadline.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../sdk/native/admin.ts';
import { LitePullConsumer } from '../sdk/native/consumer/lite-pull-consumer.ts';
import { PushConsumer } from '../sdk/native/consumer/push-consumer.ts';
import type { MessageExt, MessageQueue } from '../sdk/native/message.ts';
import { Producer } from '../sdk/native/producer/producer.ts';
import { TransactionProducer, type LocalTransactionState } from '../sdk/native/producer/transaction-producer.ts';
import { MessageConst } from '../sdk/protocol/message-properties.ts';
import { silentLogger } from '../sdk/util/log.ts';
import { startStandalone, type Standalone } from './helpers/standalone.ts';
import { waitFor } from './helpers/wait-for.ts';

/**
 * Level 1 and 2 serve the delay test; a consumer's first retry uses level
 * 3 (1 s) and its second level 4 (2 s), so retries wait longer each time.
 */
const brokerConfig = {
  messageDelayLevel: '1s 2s 1s 2s 3s',
  scheduleTickIntervalMs: 20,
  timerTickIntervalMs: 20,
  transactionCheckIntervalMs: 300,
  transactionTimeoutMs: 1000,
  transactionCheckMax: 10,
};
const levelMs = [1000, 2000, 1000, 2000, 3000];

let configDir: string;
let server: Standalone;
let admin: Admin;
let producer: Producer;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'apogee-message-types-'));
  const configFile = join(configDir, 'broker.json');
  await writeFile(configFile, JSON.stringify(brokerConfig));
  server = await startStandalone({ args: ['--config', configFile] });
  admin = new Admin({ namesrvAddr: server.namesrv, log: silentLogger });
  producer = new Producer({ namesrvAddr: server.namesrv, group: 'PG_types', log: silentLogger });
  await producer.start();
});

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await producer?.shutdown();
  await admin?.shutdown();
  await server?.dispose();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

async function createTopic(topic: string, queues: number): Promise<void> {
  await admin.createTopic({ topic, queues });
  await waitFor(async () => (await admin.describeTopic(topic).catch(() => undefined))?.queues.length === queues, { timeoutMs: 10_000, what: `route of ${topic}` });
}

function pushConsumer(group: string, topic: string, options: { maxReconsumeTimes?: number } = {}): PushConsumer {
  const consumer = new PushConsumer({
    namesrvAddr: server.namesrv,
    group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    pollNameServerIntervalMs: 500,
    persistConsumerOffsetIntervalMs: 500,
    log: silentLogger,
    ...options,
  });
  consumer.subscribe(topic, '*');
  closers.push(() => consumer.shutdown());
  return consumer;
}

function litePullConsumer(group: string, options: { pullBatchSize?: number } = {}): LitePullConsumer {
  const consumer = new LitePullConsumer({
    namesrvAddr: server.namesrv,
    group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    autoCommit: false,
    pollTimeoutMs: 1000,
    log: silentLogger,
    ...options,
  });
  closers.push(() => consumer.shutdown());
  return consumer;
}

/** Polls until `count` messages came or the deadline passed. */
async function pollAtLeast(consumer: LitePullConsumer, count: number, timeoutMs = 20_000): Promise<MessageExt[]> {
  const received: MessageExt[] = [];
  const end = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < end) received.push(...(await consumer.poll(Math.min(1000, Math.max(1, end - Date.now())))));
  return received;
}

describe('retry and dead letters', () => {
  it('redelivers a failed message on growing delays and moves it to %DLQ%<group> after maxReconsumeTimes', async () => {
    await createTopic('T_retry', 2);
    const group = 'CG_retry';
    const sent = await producer.send({ topic: 'T_retry', body: 'fails every time', keys: ['poison-1'], properties: { origin: 'test' } });

    // Each delivery: when it arrived (the listener fails it at once) and what it carried.
    const attempts: Array<{ at: number; reconsumeTimes: number; topic: string; msgId: string }> = [];
    const consumer = pushConsumer(group, 'T_retry', { maxReconsumeTimes: 2 });
    consumer.onMessage((messages) => {
      const message = messages[0]!;
      attempts.push({ at: Date.now(), reconsumeTimes: message.reconsumeTimes, topic: message.topic, msgId: message.msgId });
      // Both ways of failing count: a RECONSUME_LATER answer and a thrown error.
      if (attempts.length % 2 === 1) return 'RECONSUME_LATER';
      throw new Error('handler failed');
    });
    await consumer.start();

    await waitFor(() => attempts.length >= 3, { timeoutMs: 30_000, what: 'three deliveries' });
    expect(attempts.map((attempt) => attempt.reconsumeTimes)).toEqual([0, 1, 2]);
    expect(attempts.every((attempt) => attempt.topic === 'T_retry' && attempt.msgId === sent.msgId)).toBe(true);
    // First retry on level 3 (1 s), second on level 4 (2 s), each counted from the failure before it: never earlier.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(levelMs[2]!);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(levelMs[3]!);

    // The third failure reaches maxReconsumeTimes: the message goes to the DLQ, undelayed.
    const dlqTopic = `%DLQ%${group}`;
    await waitFor(async () => (await admin.describeTopic(dlqTopic).catch(() => undefined))?.queues.some((queue) => queue.maxOffset > 0) === true, {
      timeoutMs: 20_000,
      what: 'a message in the DLQ',
    });
    const reader = litePullConsumer('CG_dlq_reader');
    reader.assign(await reader.fetchMessageQueues(dlqTopic));
    await reader.start();
    const dead = await pollAtLeast(reader, 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.text).toBe('fails every time');
    expect(dead[0]!.msgId).toBe(sent.msgId);
    expect(dead[0]!.keys).toEqual(['poison-1']);
    expect(dead[0]!.properties.origin).toBe('test');
    expect(dead[0]!.properties[MessageConst.PROPERTY_RETRY_TOPIC]).toBe('T_retry');
    // Copied by the broker (CONSUMER_SEND_MSG_BACK), which names the first stored record by its offset id.
    expect(dead[0]!.properties[MessageConst.PROPERTY_ORIGIN_MESSAGE_ID]).toBe(sent.offsetMsgId);
    expect(dead[0]!.reconsumeTimes).toBe(3);
    // No fourth delivery: the DLQ is not consumed by the group.
    expect(attempts).toHaveLength(3);
  });

  it('a message the listener accepts on its retry is not dead-lettered', async () => {
    await createTopic('T_retry_once', 2);
    const group = 'CG_retry_once';
    await producer.send({ topic: 'T_retry_once', body: 'fails once' });
    const seen: number[] = [];
    const consumer = pushConsumer(group, 'T_retry_once', { maxReconsumeTimes: 2 });
    consumer.onMessage((messages) => {
      seen.push(messages[0]!.reconsumeTimes);
      return seen.length === 1 ? 'RECONSUME_LATER' : 'CONSUME_SUCCESS';
    });
    await consumer.start();
    await waitFor(() => seen.length >= 2, { timeoutMs: 20_000, what: 'the retry' });
    expect(seen).toEqual([0, 1]);
    // The retry queue's offset is committed past the retried message, and no DLQ exists for the group.
    await waitFor(async () => (await admin.consumerProgress(group, `%RETRY%${group}`)).some((queue) => queue.consumerOffset >= 1), {
      timeoutMs: 20_000,
      what: 'the retry offset committed',
    });
    await expect(admin.describeTopic(`%DLQ%${group}`)).rejects.toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});

describe('delayed messages', () => {
  it('delay-level, delay-ms and deliver-at messages arrive no earlier than due', async () => {
    await createTopic('T_delay', 2);
    const received = new Map<string, { at: number; message: MessageExt }>();
    const consumer = pushConsumer('CG_delay', 'T_delay');
    consumer.onMessage((messages) => {
      for (const message of messages) received.set(message.text, { at: Date.now(), message });
    });
    await consumer.start();
    await waitFor(() => consumer.assignedQueues().length >= 2, { timeoutMs: 20_000, what: 'queues assigned' });

    const sentAt = Date.now();
    const deliverAt = sentAt + 1500;
    await producer.send({ topic: 'T_delay', body: 'level-2', delayLevel: 2 });
    await producer.send({ topic: 'T_delay', body: 'at', deliverAt });
    await producer.send({ topic: 'T_delay', body: 'in-1200ms', delayMs: 1200 });
    const now = await producer.send({ topic: 'T_delay', body: 'now' });

    await waitFor(() => received.size >= 4, { timeoutMs: 20_000, what: 'all four messages' });
    expect(received.get('level-2')!.at - sentAt).toBeGreaterThanOrEqual(levelMs[1]!);
    expect(received.get('at')!.at).toBeGreaterThanOrEqual(deliverAt);
    expect(received.get('in-1200ms')!.at - sentAt).toBeGreaterThanOrEqual(1200);
    // The broker stored each delayed message in the topic only once it was due, counted from its birth.
    const stored = (body: string) => received.get(body)!.message;
    expect(stored('level-2').storeTimestamp - stored('level-2').bornTimestamp).toBeGreaterThanOrEqual(levelMs[1]!);
    expect(stored('in-1200ms').storeTimestamp - stored('in-1200ms').bornTimestamp).toBeGreaterThanOrEqual(1200);
    expect(stored('at').storeTimestamp).toBeGreaterThanOrEqual(deliverAt);
    // The delivered copy carries the original topic and id, not the schedule topic's.
    expect(received.get('level-2')!.message.topic).toBe('T_delay');
    expect(received.get('now')!.message.msgId).toBe(now.msgId);
  });

  it('a delay level above the table waits the longest level', async () => {
    await createTopic('T_delay_cap', 1);
    const received: Array<{ at: number; text: string }> = [];
    const consumer = pushConsumer('CG_delay_cap', 'T_delay_cap');
    consumer.onMessage((messages) => {
      for (const message of messages) received.push({ at: Date.now(), text: message.text });
    });
    await consumer.start();
    const sentAt = Date.now();
    await producer.send({ topic: 'T_delay_cap', body: 'capped', delayLevel: 18 });
    await waitFor(() => received.length >= 1, { timeoutMs: 20_000, what: 'the capped message' });
    expect(received[0]!.at - sentAt).toBeGreaterThanOrEqual(levelMs[levelMs.length - 1]!);
  });
});

describe('transactions', () => {
  it('commit is visible, rollback never is, and an unknown outcome is resolved by the check-back', async () => {
    await createTopic('T_tx', 2);
    // The application's record of each local transaction, which the check listener consults.
    const localOutcome = new Map<string, LocalTransactionState>();
    const checked: string[] = [];
    const transactions = new TransactionProducer({
      namesrvAddr: server.namesrv,
      group: 'PG_tx',
      log: silentLogger,
      transactionListener: {
        executeLocalTransaction: (message) => {
          const intent = String(message.body);
          if (intent === 'commit') return 'COMMIT_MESSAGE';
          if (intent === 'rollback') return 'ROLLBACK_MESSAGE';
          // Still running: the outcome is recorded later, and the broker has to ask for it.
          localOutcome.set(intent, 'COMMIT_MESSAGE');
          return 'UNKNOW';
        },
        checkLocalTransaction: (message) => {
          checked.push(message.msgId);
          return localOutcome.get(message.text) ?? 'ROLLBACK_MESSAGE';
        },
      },
    });
    closers.push(() => transactions.shutdown());
    await transactions.start();

    const committed = await transactions.sendMessageInTransaction({ topic: 'T_tx', body: 'commit', keys: ['tx-commit'] });
    const rolledBack = await transactions.sendMessageInTransaction({ topic: 'T_tx', body: 'rollback', keys: ['tx-rollback'] });
    const unknown = await transactions.sendMessageInTransaction({ topic: 'T_tx', body: 'unknown', keys: ['tx-unknown'] });
    expect([committed.localTransactionState, rolledBack.localTransactionState, unknown.localTransactionState]).toEqual(['COMMIT_MESSAGE', 'ROLLBACK_MESSAGE', 'UNKNOW']);

    const received: MessageExt[] = [];
    const consumer = pushConsumer('CG_tx', 'T_tx');
    consumer.onMessage((messages) => {
      received.push(...messages);
    });
    await consumer.start();

    await waitFor(() => received.some((message) => message.text === 'commit'), { timeoutMs: 20_000, what: 'the committed message' });
    await waitFor(() => received.some((message) => message.text === 'unknown'), { timeoutMs: 30_000, what: 'the checked message' });
    expect(checked).toContain(unknown.msgId);
    const delivered = received.find((message) => message.text === 'unknown')!;
    expect(delivered.msgId).toBe(unknown.msgId);
    expect(delivered.topic).toBe('T_tx');
    expect(delivered.properties[MessageConst.PROPERTY_TRANSACTION_PREPARED]).toBeUndefined();
    // Committed only after a check, which waits out transactionTimeoutMs from the send.
    expect(delivered.storeTimestamp - delivered.bornTimestamp).toBeGreaterThanOrEqual(brokerConfig.transactionTimeoutMs);
    expect(received.find((message) => message.text === 'commit')!.msgId).toBe(committed.msgId);

    // Only the two committed messages were ever written to the topic: the rollback left nothing to find.
    const stored = (await admin.describeTopic('T_tx')).queues.reduce((sum, queue) => sum + queue.maxOffset, 0);
    expect(stored).toBe(2);
    expect(received.filter((message) => message.text === 'rollback')).toHaveLength(0);
    expect(received).toHaveLength(2);
  });

  it('a transactional message cannot be delayed', async () => {
    const transactions = new TransactionProducer({
      namesrvAddr: server.namesrv,
      group: 'PG_tx_delay',
      log: silentLogger,
      transactionListener: { executeLocalTransaction: () => 'COMMIT_MESSAGE', checkLocalTransaction: () => 'COMMIT_MESSAGE' },
    });
    closers.push(() => transactions.shutdown());
    await transactions.start();
    await expect(transactions.sendMessageInTransaction({ topic: 'T_tx', body: 'late', delayLevel: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('lite pull consumer', () => {
  it('polls assigned queues, seeks, commits, and a new consumer of the group continues from the commit', async () => {
    await createTopic('T_lite', 2);
    const queues = await producer.fetchPublishQueues('T_lite');
    const queue: MessageQueue = queues.find((candidate) => candidate.queueId === 0)!;
    const other: MessageQueue = queues.find((candidate) => candidate.queueId === 1)!;
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'T_lite', body: `m${i}` }, { queue });
    await producer.send({ topic: 'T_lite', body: 'elsewhere' }, { queue: other });

    const first = litePullConsumer('CG_lite', { pullBatchSize: 3 });
    first.assign([queue]);
    await first.start();
    expect(first.assignedQueues()).toEqual([queue]);

    const all = await pollAtLeast(first, 10);
    expect(all.map((message) => message.queueOffset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all.map((message) => message.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);

    // Back to offset 4: the next poll starts there, at most pullBatchSize at a time.
    first.seek(queue, 4);
    const afterSeek = await pollAtLeast(first, 1);
    expect(afterSeek.length).toBeLessThanOrEqual(3);
    expect(afterSeek[0]!.queueOffset).toBe(4);
    expect(afterSeek.map((message) => message.queueOffset)).toEqual(afterSeek.map((_, index) => 4 + index));
    const next = 4 + afterSeek.length;
    await first.commit();
    expect(await first.committed(queue)).toBe(next);
    await first.shutdown();

    // Same group, new instance: it starts at the committed offset, not at the first message.
    const second = litePullConsumer('CG_lite', { pullBatchSize: 3 });
    second.assign([queue]);
    await second.start();
    const rest = await pollAtLeast(second, 10 - next);
    expect(rest.map((message) => message.queueOffset)).toEqual(Array.from({ length: 10 - next }, (_, index) => next + index));

    // Async iteration sees messages sent after start, then ends at shutdown.
    await producer.send({ topic: 'T_lite', body: 'late-1' }, { queue });
    await producer.send({ topic: 'T_lite', body: 'late-2' }, { queue });
    const iterated: string[] = [];
    const iteration = (async () => {
      for await (const message of second) {
        iterated.push(message.text);
        if (iterated.length === 2) break;
      }
    })();
    await waitFor(() => iterated.length === 2, { timeoutMs: 20_000, what: 'two messages by iteration' });
    await iteration;
    expect(iterated).toEqual(['late-1', 'late-2']);
    // An iteration waiting for messages ends when the consumer shuts down.
    const idle = (async () => {
      for await (const message of second) iterated.push(message.text);
    })();
    await second.shutdown();
    await idle;
    expect(iterated).toHaveLength(2);
    // The other queue was never assigned, so its message never showed up.
    expect([...all, ...afterSeek, ...rest].some((message) => message.text === 'elsewhere')).toBe(false);
  });

  it('seekToBegin and seekToEnd move to the queue bounds', async () => {
    await createTopic('T_lite_bounds', 1);
    const [queue] = await producer.fetchPublishQueues('T_lite_bounds');
    for (let i = 0; i < 4; i++) await producer.send({ topic: 'T_lite_bounds', body: `b${i}` }, { queue: queue! });
    const consumer = litePullConsumer('CG_lite_bounds', { pullBatchSize: 10 });
    consumer.assign([queue!]);
    await consumer.start();
    expect((await pollAtLeast(consumer, 4)).map((message) => message.text)).toEqual(['b0', 'b1', 'b2', 'b3']);
    await consumer.seekToBegin(queue!);
    expect((await pollAtLeast(consumer, 4)).map((message) => message.text)).toEqual(['b0', 'b1', 'b2', 'b3']);
    await consumer.seekToEnd(queue!);
    await producer.send({ topic: 'T_lite_bounds', body: 'after-end' }, { queue: queue! });
    expect((await pollAtLeast(consumer, 1)).map((message) => message.text)).toEqual(['after-end']);
  });
});
