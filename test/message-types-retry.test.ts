/**
 * Retry and dead letters over real sockets: a consumer pulls a message and
 * hands it back with CONSUMER_SEND_MSG_BACK several times; each copy waits in
 * SCHEDULE_TOPIC_XXXX on a growing delay level (3 + reconsumeTimes) before it
 * reaches %RETRY%<group>, and the hand-back past maxReconsumeTimes lands in
 * %DLQ%<group>. Delay levels are short (tens of ms) so the test is fast; it
 * waits on pulls with deadlines, never on fixed sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProperty } from '../sdk/protocol/message-properties.ts';
import type { MessageRecord } from '../sdk/protocol/message-record.ts';
import { CONSUMER_SEND_MSG_BACK } from '../sdk/protocol/requests/consumer.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import { newClient, sendRequest, waitFor } from './helpers/broker-harness.ts';
import { pullAll, request, send, startAdvancedBroker, type AdvancedBroker } from './message-types-helpers.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';

const levels = '40ms 80ms 120ms 160ms 200ms 240ms 280ms 320ms';
const levelMs = [40, 80, 120, 160, 200, 240, 280, 320];

let broker: AdvancedBroker;
let client: RemotingClient;

beforeAll(async () => {
  broker = await startAdvancedBroker({ messageDelayLevel: levels, scheduleTickIntervalMs: 10 });
  client = newClient();
});

afterAll(async () => {
  await client.close();
  await broker.close();
});

async function sendBack(record: MessageRecord, group: string, maxReconsumeTimes: number, delayLevel = 0): Promise<number> {
  const response = await client.invokeSync(
    broker.address,
    request(CONSUMER_SEND_MSG_BACK.code, CONSUMER_SEND_MSG_BACK.request, {
      offset: record.physicalOffset, group, delayLevel, originMsgId: findProperty(record.properties, 'UNIQ_KEY'),
      originTopic: record.topic, unitMode: false, maxReconsumeTimes,
    }),
    5000,
  );
  return response.code;
}

async function waitForRecord(topic: string, offset: number): Promise<MessageRecord> {
  let found: MessageRecord | undefined;
  await waitFor(async () => {
    found = (await pullAll(client, broker.address, topic, 0, offset))[0];
    return found !== undefined;
  }, 10_000, `a record at ${topic}@${offset}`);
  return found!;
}

describe('retry and dead-letter queues', () => {
  it('redelivers a nacked message with growing delays and moves it to the DLQ after maxReconsumeTimes', async () => {
    const group = 'CG_retry';
    const sent = await send(client, broker.address, sendRequest({ topic: 'TopicRetry', body: 'retry me', tags: 'A' }));
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    let current = (await pullAll(client, broker.address, 'TopicRetry', 0))[0]!;
    const uniqueKey = findProperty(current.properties, 'UNIQ_KEY');
    const maxReconsumeTimes = 3;
    for (let attempt = 0; attempt < maxReconsumeTimes; attempt++) {
      const handedBack = Date.now();
      expect(await sendBack(current, group, maxReconsumeTimes)).toBe(ResponseCode.SUCCESS);
      // The copy waits on level 3 + reconsumeTimes: queue level − 1 of the schedule topic.
      const level = 3 + attempt;
      const parked = await pullAll(client, broker.address, 'SCHEDULE_TOPIC_XXXX', level - 1);
      expect(parked.some((record) => findProperty(record.properties, 'UNIQ_KEY') === uniqueKey)).toBe(true);
      const retried = await waitForRecord(`%RETRY%${group}`, attempt);
      expect(retried.storeTimestamp - handedBack).toBeGreaterThanOrEqual(levelMs[level - 1]! - 5);
      expect(retried.reconsumeTimes).toBe(attempt + 1);
      expect(findProperty(retried.properties, 'RETRY_TOPIC')).toBe('TopicRetry');
      expect(findProperty(retried.properties, 'ORIGIN_MESSAGE_ID')).toBeDefined();
      expect(findProperty(retried.properties, 'UNIQ_KEY')).toBe(uniqueKey);
      expect(new TextDecoder().decode(retried.body)).toBe('retry me');
      current = retried;
    }
    expect(await sendBack(current, group, maxReconsumeTimes)).toBe(ResponseCode.SUCCESS);
    const dead = await waitForRecord(`%DLQ%${group}`, 0);
    expect(dead.reconsumeTimes).toBe(maxReconsumeTimes + 1);
    expect(findProperty(dead.properties, 'RETRY_TOPIC')).toBe('TopicRetry');
    expect(findProperty(dead.properties, 'DELAY')).toBeUndefined();
    // Nothing more reached the retry topic after the last retry.
    expect(await pullAll(client, broker.address, `%RETRY%${group}`, 0)).toHaveLength(maxReconsumeTimes);
  });

  it('sends a message straight to the DLQ for a negative delay level', async () => {
    const group = 'CG_negative';
    await send(client, broker.address, sendRequest({ topic: 'TopicNegative', body: 'x' }));
    const record = (await pullAll(client, broker.address, 'TopicNegative', 0))[0]!;
    expect(await sendBack(record, group, 16, -1)).toBe(ResponseCode.SUCCESS);
    const dead = await waitForRecord(`%DLQ%${group}`, 0);
    expect(dead.reconsumeTimes).toBe(1);
  });

  it('refuses a hand-back of an offset that holds no message', async () => {
    const response = await client.invokeSync(
      broker.address,
      request(CONSUMER_SEND_MSG_BACK.code, CONSUMER_SEND_MSG_BACK.request, { offset: 987_654_321, group: 'CG_x', delayLevel: 0, unitMode: false }),
      5000,
    );
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toContain('look message by offset failed');
  });

  it('routes a direct %RETRY% send past its max reconsume times to the DLQ', async () => {
    const group = 'CG_direct';
    const sendRetry = sendRequest({ topic: `%RETRY%${group}`, body: 'client-side retry', properties: { DELAY: '3', RETRY_TOPIC: 'T' } });
    const header = { ...sendRetry.extFields!, j: '16', l: '16' };
    const sent = await send(client, broker.address, { ...sendRetry, extFields: header });
    expect(sent.code).toBe(ResponseCode.SUCCESS);
    const dead = await waitForRecord(`%DLQ%${group}`, 0);
    expect(new TextDecoder().decode(dead.body)).toBe('client-side retry');
  });
});
