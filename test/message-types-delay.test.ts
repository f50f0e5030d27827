/**
 * Delay levels and millisecond timers across broker restarts. Messages are
 * parked (DELAY levels in SCHEDULE_TOPIC_XXXX, TIMER_* properties in
 * rmq_sys_wheel_timer), the broker is restarted before and between their due
 * times, and the test then pulls the real topic: every message arrives once,
 * none before its due time. "No second delivery" is checked after the
 * services made full passes over their queues following another restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProperty } from '../sdk/protocol/message-properties.ts';
import type { MessageRecord } from '../sdk/protocol/message-record.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { newClient, sendRequest, uniqueKey, waitFor } from './helpers/broker-harness.ts';
import { pullAll, send, startAdvancedBroker, type AdvancedBroker } from './message-types-helpers.ts';

let broker: AdvancedBroker;
let client: RemotingClient;

beforeAll(async () => {
  broker = await startAdvancedBroker({ messageDelayLevel: '300ms 600ms 900ms 1200ms', scheduleTickIntervalMs: 20, timerTickIntervalMs: 20 });
  client = newClient();
});

afterAll(async () => {
  await client.close();
  await broker.close();
});

async function delivered(topic: string): Promise<Map<string, MessageRecord[]>> {
  const byKey = new Map<string, MessageRecord[]>();
  for (const record of await pullAll(client, broker.address, topic, 0)) {
    const key = findProperty(record.properties, 'UNIQ_KEY')!;
    byKey.set(key, [...(byKey.get(key) ?? []), record]);
  }
  return byKey;
}

/** Waits until both services finished `passes` more full ticks. */
async function passes(count: number): Promise<void> {
  const schedule = broker.advanced.schedule.tickCount + count;
  const timer = broker.advanced.timer.tickCount + count;
  await waitFor(() => broker.advanced.schedule.tickCount >= schedule && broker.advanced.timer.tickCount >= timer, 10_000, 'service passes');
}

describe('delay levels and timers', () => {
  it('delivers every parked message once and never early, across restarts before and between due times', async () => {
    const topic = 'TopicDelay';
    const now = Date.now();
    const plans: Array<{ key: string; properties: Record<string, string>; dueAt: number }> = [
      { key: uniqueKey(), properties: { DELAY: '1' }, dueAt: now + 300 },
      { key: uniqueKey(), properties: { DELAY: '4' }, dueAt: now + 1200 },
      { key: uniqueKey(), properties: { DELAY: '9' }, dueAt: now + 1200 }, // above the highest level: capped to 4
      { key: uniqueKey(), properties: { TIMER_DELAY_MS: '500' }, dueAt: now + 500 },
      { key: uniqueKey(), properties: { TIMER_DELIVER_MS: String(now + 1500) }, dueAt: now + 1500 },
      { key: uniqueKey(), properties: { TIMER_DELAY_SEC: '1' }, dueAt: now + 1000 },
    ];
    for (const plan of plans) {
      const sent = await send(client, broker.address, sendRequest({ topic, body: plan.key, uniqKey: plan.key, properties: plan.properties }));
      expect(sent.code).toBe(ResponseCode.SUCCESS);
    }
    expect((await delivered(topic)).size).toBe(0);
    await broker.restart();
    // Wait for the first deliveries, then restart while the rest are still parked.
    await waitFor(async () => (await delivered(topic)).size >= 2, 10_000, 'first deliveries');
    await broker.restart();
    await waitFor(async () => (await delivered(topic)).size === plans.length, 10_000, 'all deliveries');
    await broker.restart();
    await passes(3);
    const byKey = await delivered(topic);
    for (const plan of plans) {
      const copies = byKey.get(plan.key) ?? [];
      expect(copies, `copies of ${JSON.stringify(plan.properties)}`).toHaveLength(1);
      // Sent at or after `now`, so due at or after dueAt; the store time of the copy is its delivery time.
      expect(copies[0]!.storeTimestamp).toBeGreaterThanOrEqual(plan.dueAt - 5);
      expect(findProperty(copies[0]!.properties, 'DELAY')).toBeUndefined();
      expect(findProperty(copies[0]!.properties, 'TIMER_OUT_MS')).toBeUndefined();
    }
  });

  it('delivers a timer already due at once and refuses one beyond the maximum delay', async () => {
    const topic = 'TopicTimerEdges';
    const past = uniqueKey();
    expect((await send(client, broker.address, sendRequest({ topic, body: 'p', uniqKey: past, properties: { TIMER_DELIVER_MS: String(Date.now() - 1000) } }))).code).toBe(ResponseCode.SUCCESS);
    expect((await delivered(topic)).has(past)).toBe(true);
    const tooFar = await send(client, broker.address, sendRequest({ topic, body: 'f', properties: { TIMER_DELAY_SEC: String(4 * 24 * 3600) } }));
    expect(tooFar.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(tooFar.remark).toContain('exceeds the maximum');
    const bad = await send(client, broker.address, sendRequest({ topic, body: 'b', properties: { TIMER_DELAY_MS: 'soon' } }));
    expect(bad.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
  });

  it('persists delay progress as delayOffset.json with numeric level keys', async () => {
    await passes(1);
    const encoded = broker.advanced.schedule.encode();
    expect(encoded).toMatch(/"offsetTable":\{1:\d+/);
  });
});
