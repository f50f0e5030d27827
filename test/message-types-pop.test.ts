/**
 * POP consumption over real sockets, with only the codes a RocketMQ 5 client
 * sends: POP_MESSAGE, ACK_MESSAGE, CHANGE_MESSAGE_INVISIBLETIME, SEND_MESSAGE,
 * PULL_MESSAGE (to read the DLQ) and UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (to
 * set a group's retryMaxTimes, as mqadmin does).
 *
 * The test plays the client: it builds each receipt handle from the pop
 * answer's `startOffsetInfo` and the record (or keeps the `POP_CK` the broker
 * put on a retried message), acks on the topic the handle's retry flag names,
 * and builds the new handle of a changed invisible time from the answer.
 *
 * Invisible times are short (under a few seconds) and the broker revives
 * every 50 ms. Nothing waits on a fixed sleep: a message expected back is
 * awaited with long-polling pops under a deadline; "never comes back" is
 * proven against a control message popped in the same batch (which does come
 * back), or after two revive rounds that began once the invisible time was
 * over (the revive service's tick counter).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSubscriptionGroupConfig, encodeSubscriptionGroupConfig } from '../sdk/protocol/bodies/admin.ts';
import { createRequest, type RemotingCommand } from '../sdk/protocol/command.ts';
import { decodeHeader, type HeaderOf } from '../sdk/protocol/fields.ts';
import { findProperty } from '../sdk/protocol/message-properties.ts';
import type { MessageRecord } from '../sdk/protocol/message-record.ts';
import { UPDATE_AND_CREATE_SUBSCRIPTIONGROUP } from '../sdk/protocol/requests/admin-group.ts';
import { ACK_MESSAGE, CHANGE_MESSAGE_INVISIBLETIME, POP_MESSAGE } from '../sdk/protocol/requests/pop.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import { dlqTopic, popRetryTopic } from '../sdk/protocol/topic-names.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { newClient, records, sendRequest, text, waitFor } from './helpers/broker-harness.ts';
import { pullAll, request, send, startAdvancedBroker, type AdvancedBroker } from './message-types-helpers.ts';

const brokerName = 'broker-a';
const reviveIntervalMs = 50;

let broker: AdvancedBroker;
let client: RemotingClient;

beforeAll(async () => {
  broker = await startAdvancedBroker({ popReviveIntervalMs: reviveIntervalMs }, { brokerName });
  client = newClient();
});

afterAll(async () => {
  await client.close();
  await broker.close();
});

type PopHeader = HeaderOf<typeof POP_MESSAGE.response>;

/** A popped message as a client holds it. */
interface Popped {
  record: MessageRecord;
  body: string;
  /** The receipt handle (`POP_CK`). */
  handle: string;
  retry: number;
  /** The topic an ACK names: the pop retry topic for a retried message. */
  ackTopic: string;
  queueId: number;
  offset: number;
  popTime: number;
}

interface PopAnswer {
  code: number;
  remark?: string;
  header?: PopHeader;
  messages: Popped[];
}

interface PopOptions {
  invisibleTime: number;
  pollTime?: number;
  maxMsgNums?: number;
  queueId?: number;
  initMode?: number;
  timeoutMs?: number;
}

async function pop(group: string, topic: string, options: PopOptions): Promise<PopAnswer> {
  const pollTime = options.pollTime ?? 0;
  const response = await client.invokeSync(
    broker.address,
    request(POP_MESSAGE.code, POP_MESSAGE.request, {
      consumerGroup: group, topic, queueId: options.queueId ?? -1, maxMsgNums: options.maxMsgNums ?? 32,
      invisibleTime: options.invisibleTime, pollTime, bornTime: Date.now(), initMode: options.initMode ?? 0, order: false,
    }),
    options.timeoutMs ?? pollTime + 10_000,
  );
  if (response.code !== ResponseCode.SUCCESS) return { code: response.code, remark: response.remark, messages: [] };
  const decoded = decodeHeader(POP_MESSAGE.response, response.extFields);
  if (!decoded.ok) throw new Error(`bad pop response header: ${decoded.reason}`);
  const header = decoded.header;
  return { code: response.code, header, messages: records(response).map((record) => asPopped(group, topic, header, record)) };
}

/** What a RocketMQ client does with each record of a pop answer (MQClientAPIImpl.processPopResponse). */
function asPopped(group: string, topic: string, header: PopHeader, record: MessageRecord): Popped {
  let handle = findProperty(record.properties, 'POP_CK');
  if (handle === undefined) {
    const retry = record.topic.startsWith('%RETRY%') ? 1 : 0;
    const start = startOffsets(header.startOffsetInfo).get(`${retry} ${record.queueId}`);
    expect(start, `startOffsetInfo has an entry for queue ${record.queueId}`).toBeDefined();
    handle = [start, header.popTime, header.invisibleTime, header.reviveQid, retry, brokerName, record.queueId, record.queueOffset].join(' ');
  }
  const fields = handle.split(' ');
  const retry = Number(fields[4]);
  return {
    record,
    body: text(record.body),
    handle,
    retry,
    ackTopic: retry === 0 ? topic : popRetryTopic(group, topic, retry === 2),
    queueId: Number(fields[6]),
    offset: Number(fields[7]),
    popTime: header.popTime,
  };
}

function startOffsets(info: string | undefined): Map<string, number> {
  const starts = new Map<string, number>();
  for (const entry of (info ?? '').split(';').filter(Boolean)) {
    const [retry, queueId, start] = entry.split(' ');
    starts.set(`${retry} ${queueId}`, Number(start));
  }
  return starts;
}

async function ack(group: string, message: Popped, handle = message.handle): Promise<RemotingCommand> {
  return client.invokeSync(
    broker.address,
    request(ACK_MESSAGE.code, ACK_MESSAGE.request, { consumerGroup: group, topic: message.ackTopic, queueId: message.queueId, extraInfo: handle, offset: message.offset }),
    5000,
  );
}

async function ackAll(group: string, messages: readonly Popped[]): Promise<void> {
  for (const message of messages) expect((await ack(group, message)).code).toBe(ResponseCode.SUCCESS);
}

/** Changes the invisible time and builds the new handle from the answer, as a client does. */
async function changeInvisibleTime(group: string, message: Popped, invisibleTime: number): Promise<{ response: RemotingCommand; message: Popped }> {
  const response = await client.invokeSync(
    broker.address,
    request(CHANGE_MESSAGE_INVISIBLETIME.code, CHANGE_MESSAGE_INVISIBLETIME.request, {
      consumerGroup: group, topic: message.ackTopic, queueId: message.queueId, extraInfo: message.handle, offset: message.offset, invisibleTime,
    }),
    5000,
  );
  if (response.code !== ResponseCode.SUCCESS) return { response, message };
  const decoded = decodeHeader(CHANGE_MESSAGE_INVISIBLETIME.response, response.extFields);
  if (!decoded.ok) throw new Error(`bad change response header: ${decoded.reason}`);
  const { popTime, invisibleTime: changed, reviveQid } = decoded.header;
  const handle = [message.offset, popTime, changed, reviveQid, message.retry, brokerName, message.queueId, message.offset].join(' ');
  return { response, message: { ...message, handle, popTime } };
}

/**
 * Long-polls until every body in `wanted` was popped (or the deadline
 * passes); returns everything popped on the way, wanted or not, unacked.
 */
async function popUntil(group: string, topic: string, wanted: readonly string[], invisibleTime: number, timeoutMs = 15_000): Promise<Popped[]> {
  const popped: Popped[] = [];
  const deadline = Date.now() + timeoutMs;
  const missing = () => wanted.filter((body) => !popped.some((message) => message.body === body));
  while (missing().length > 0) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${missing().join(', ')} (popped: ${popped.map((m) => m.body).join(', ')})`);
    const answer = await pop(group, topic, { invisibleTime, pollTime: Math.min(left, 3000) });
    if (answer.code !== ResponseCode.POLLING_TIMEOUT) expect(answer.code).toBe(ResponseCode.SUCCESS);
    popped.push(...answer.messages);
  }
  return popped;
}

/** Waits until two revive rounds began after `time`: anything expired by then has been revived. */
async function reviveRoundsAfter(time: number): Promise<void> {
  await waitFor(() => Date.now() > time, 20_000, 'the invisible time to pass');
  const rounds = broker.advanced.pop.tickCount;
  await waitFor(() => broker.advanced.pop.tickCount >= rounds + 2, 10_000, 'two revive rounds');
}

async function sendBodies(topic: string, bodies: readonly string[], queueId = 0): Promise<void> {
  for (const body of bodies) expect((await send(client, broker.address, sendRequest({ topic, body, queueId, tags: 'T' }))).code).toBe(ResponseCode.SUCCESS);
}

function bodiesOf(messages: readonly Popped[]): string[] {
  return messages.map((message) => message.body);
}

describe('POP consumption', () => {
  it('answers records with the pop time, offsets and revive queue a receipt handle is built from, and hides them for the invisible time', async () => {
    const group = 'CG_pop_basic';
    const topic = 'TopicPopBasic';
    await sendBodies(topic, ['m0', 'm1', 'm2']);
    const before = Date.now();
    const first = await pop(group, topic, { invisibleTime: 20_000, maxMsgNums: 2 });
    expect(first.code).toBe(ResponseCode.SUCCESS);
    expect(bodiesOf(first.messages)).toEqual(['m0', 'm1']);
    const header = first.header!;
    expect(header.popTime).toBeGreaterThanOrEqual(before);
    expect(header.popTime).toBeLessThanOrEqual(Date.now());
    expect(header.invisibleTime).toBe(20_000);
    expect(header.reviveQid).toBeGreaterThanOrEqual(0);
    expect(header.reviveQid).toBeLessThan(8);
    expect(header.restNum).toBe(1);
    expect(header.startOffsetInfo).toBe('0 0 0');
    expect(header.msgOffsetInfo).toBe('0 0 0,1');
    // orderCountInfo is only for orderly pops.
    expect(header.orderCountInfo).toBeUndefined();
    expect(first.messages.map((message) => message.handle)).toEqual([
      `0 ${header.popTime} 20000 ${header.reviveQid} 0 ${brokerName} 0 0`,
      `0 ${header.popTime} 20000 ${header.reviveQid} 0 ${brokerName} 0 1`,
    ]);

    // Within the invisible time a second pop gets only what was not popped yet.
    const second = await pop(group, topic, { invisibleTime: 20_000 });
    expect(second.code).toBe(ResponseCode.SUCCESS);
    expect(bodiesOf(second.messages)).toEqual(['m2']);
    expect(second.header!.startOffsetInfo).toBe('0 0 2');
    expect(second.header!.msgOffsetInfo).toBe('0 0 2');
    const third = await pop(group, topic, { invisibleTime: 20_000 });
    expect(third.code).toBe(ResponseCode.POLLING_TIMEOUT);
    expect(third.messages).toEqual([]);

    await ackAll(group, [...first.messages, ...second.messages]);
  });

  it('never delivers an acked message again, neither after its invisible time nor after a restart', async () => {
    const group = 'CG_pop_ack';
    const topic = 'TopicPopAck';
    await sendBodies(topic, ['acked', 'control']);
    const popped = await pop(group, topic, { invisibleTime: 1000 });
    expect(bodiesOf(popped.messages)).toEqual(['acked', 'control']);
    const [acked] = popped.messages;
    expect((await ack(group, acked!)).code).toBe(ResponseCode.SUCCESS);
    // The same handle acks nothing a second time.
    const again = await ack(group, acked!);
    expect(again.code).toBe(ResponseCode.NO_MESSAGE);

    // The control message shares the batch and its invisible time; once it is back, so would the acked one be.
    const back = await popUntil(group, topic, ['control'], 5000);
    expect(bodiesOf(back)).toEqual(['control']);
    expect(back[0]!.record.reconsumeTimes).toBe(1);
    await ackAll(group, back);

    await broker.restart();
    await reviveRoundsAfter(Date.now());
    const afterRestart = await pop(group, topic, { invisibleTime: 5000 });
    expect(afterRestart.code).toBe(ResponseCode.POLLING_TIMEOUT);
  });

  it('CHANGE_MESSAGE_INVISIBLETIME shortens and extends invisibility with a new receipt handle, and the old handle is stale', async () => {
    const group = 'CG_pop_change';
    const topic = 'TopicPopChange';
    await sendBodies(topic, ['shortened']);
    const long = await pop(group, topic, { invisibleTime: 60_000 });
    expect(bodiesOf(long.messages)).toEqual(['shortened']);
    await sendBodies(topic, ['extended', 'control']);
    const short = await pop(group, topic, { invisibleTime: 1000 });
    expect(bodiesOf(short.messages)).toEqual(['extended', 'control']);
    const shortened = long.messages[0]!;
    const [extended, control] = short.messages as [Popped, Popped];

    const extension = await changeInvisibleTime(group, extended, 60_000);
    expect(extension.response.code).toBe(ResponseCode.SUCCESS);
    expect(Number(extension.response.extFields!.invisibleTime)).toBe(60_000);
    expect(extension.message.handle).not.toBe(extended.handle);
    const shortening = await changeInvisibleTime(group, shortened, 200);
    expect(shortening.response.code).toBe(ResponseCode.SUCCESS);
    expect(Number(shortening.response.extFields!.invisibleTime)).toBe(200);
    expect(Number(shortening.response.extFields!.popTime)).toBeGreaterThanOrEqual(shortened.popTime);

    for (const stale of [extended, shortened]) {
      const refused = await ack(group, stale);
      expect(refused.code).toBe(ResponseCode.NO_MESSAGE);
      expect(refused.remark).toContain('stale');
    }
    const staleChange = await changeInvisibleTime(group, extended, 100);
    expect(staleChange.response.code).toBe(ResponseCode.NO_MESSAGE);
    expect(staleChange.response.remark).toContain('stale');

    // The shortened message returns long before its first 60 s; the control returns after its 1 s, the extended one does not.
    const back = await popUntil(group, topic, ['shortened', 'control'], 60_000);
    expect(bodiesOf(back).sort()).toEqual(['control', 'shortened']);
    expect(back.every((message) => message.record.reconsumeTimes === 1)).toBe(true);
    expect(back.find((message) => message.body === 'control')!.popTime).toBeGreaterThanOrEqual(control.popTime + 1000);
    const nothingMore = await pop(group, topic, { invisibleTime: 60_000 });
    expect(nothingMore.code).toBe(ResponseCode.POLLING_TIMEOUT);

    // The new handle of the extended message still acks it.
    expect((await ack(group, extension.message)).code).toBe(ResponseCode.SUCCESS);
    await ackAll(group, back);
  });

  it('revives a message not acked within its invisible time and pops it again with its reconsume count increased', async () => {
    const group = 'CG_pop_revive';
    const topic = 'TopicPopRevive';
    await sendBodies(topic, ['revive me']);
    const first = await pop(group, topic, { invisibleTime: 1000 });
    expect(bodiesOf(first.messages)).toEqual(['revive me']);
    const original = first.messages[0]!;
    expect(original.record.reconsumeTimes).toBe(0);
    const uniqueKey = findProperty(original.record.properties, 'UNIQ_KEY');
    expect((await pop(group, topic, { invisibleTime: 1000 })).code).toBe(ResponseCode.POLLING_TIMEOUT);

    const [again] = await popUntil(group, topic, ['revive me'], 60_000);
    expect(again!.popTime).toBeGreaterThanOrEqual(original.popTime + 1000);
    expect(again!.record.reconsumeTimes).toBe(1);
    // The retry goes out under its original topic with the same message id, its handle in POP_CK.
    expect(again!.record.topic).toBe(topic);
    expect(findProperty(again!.record.properties, 'UNIQ_KEY')).toBe(uniqueKey);
    expect(findProperty(again!.record.properties, 'RETRY_TOPIC')).toBe(topic);
    expect(findProperty(again!.record.properties, 'TAGS')).toBe('T');
    expect(findProperty(again!.record.properties, 'POP_CK')).toBe(again!.handle);
    expect(again!.retry).toBe(1);
    expect(again!.ackTopic).toBe(`%RETRY%${group}_${topic}`);

    // An ACK on the original topic does not fit the retried message; on the retry topic it does.
    expect((await ack(group, { ...again!, ackTopic: topic })).code).toBe(ResponseCode.NO_MESSAGE);
    expect((await ack(group, again!)).code).toBe(ResponseCode.SUCCESS);
    await reviveRoundsAfter(again!.popTime + 1000);
    expect((await pop(group, topic, { invisibleTime: 1000 })).code).toBe(ResponseCode.POLLING_TIMEOUT);
  });

  it('moves a message to %DLQ%<group> after the group retryMaxTimes and pops it no more', async () => {
    const group = 'CG_pop_dlq';
    const topic = 'TopicPopDlq';
    const retryMaxTimes = 2;
    const config = encodeSubscriptionGroupConfig({ ...defaultSubscriptionGroupConfig(group), retryMaxTimes });
    const created = await client.invokeSync(broker.address, createRequest(UPDATE_AND_CREATE_SUBSCRIPTIONGROUP.code, {}, new TextEncoder().encode(config)), 5000);
    expect(created.code).toBe(ResponseCode.SUCCESS);
    await sendBodies(topic, ['doomed']);

    const deliveries: Popped[] = [];
    for (let attempt = 0; attempt <= retryMaxTimes; attempt++) {
      const popped = await popUntil(group, topic, ['doomed'], 300);
      expect(bodiesOf(popped)).toEqual(['doomed']);
      deliveries.push(popped[0]!);
    }
    expect(deliveries.map((message) => message.record.reconsumeTimes)).toEqual([0, 1, 2]);

    let dead: MessageRecord | undefined;
    await waitFor(async () => {
      dead = (await pullAll(client, broker.address, dlqTopic(group), 0))[0];
      return dead !== undefined;
    }, 15_000, 'the dead letter');
    expect(text(dead!.body)).toBe('doomed');
    expect(dead!.reconsumeTimes).toBe(retryMaxTimes + 1);
    expect(findProperty(dead!.properties, 'RETRY_TOPIC')).toBe(topic);
    expect(findProperty(dead!.properties, 'UNIQ_KEY')).toBe(findProperty(deliveries[0]!.record.properties, 'UNIQ_KEY'));

    await reviveRoundsAfter(deliveries[retryMaxTimes]!.popTime + 300);
    expect((await pop(group, topic, { invisibleTime: 300 })).code).toBe(ResponseCode.POLLING_TIMEOUT);
    expect(await pullAll(client, broker.address, dlqTopic(group), 0)).toHaveLength(1);
  });

  it('keeps in-flight messages across a restart: un-acked ones come back after their invisible time, acked ones never', async () => {
    const group = 'CG_pop_restart';
    const topic = 'TopicPopRestart';
    const invisibleTime = 2500;
    await sendBodies(topic, ['acked before', 'acked after', 'lost 1', 'lost 2']);
    const popped = await pop(group, topic, { invisibleTime });
    expect(bodiesOf(popped.messages)).toEqual(['acked before', 'acked after', 'lost 1', 'lost 2']);
    const [ackedBefore, ackedAfter] = popped.messages as [Popped, Popped];
    expect((await ack(group, ackedBefore)).code).toBe(ResponseCode.SUCCESS);

    await broker.restart();
    // The broker still knows the in-flight message and its handle.
    expect((await ack(group, ackedAfter)).code).toBe(ResponseCode.SUCCESS);
    const back = await popUntil(group, topic, ['lost 1', 'lost 2'], 60_000);
    expect(bodiesOf(back).sort()).toEqual(['lost 1', 'lost 2']);
    for (const message of back) {
      expect(message.record.reconsumeTimes).toBe(1);
      expect(message.popTime).toBeGreaterThanOrEqual(popped.header!.popTime + invisibleTime);
    }
    await ackAll(group, back);
    await reviveRoundsAfter(popped.header!.popTime + invisibleTime);
    expect((await pop(group, topic, { invisibleTime })).code).toBe(ResponseCode.POLLING_TIMEOUT);
  });

  it('holds a pop with nothing to read and answers it when a message arrives', async () => {
    const group = 'CG_pop_long_poll';
    const topic = 'TopicPopLongPoll';
    await sendBodies(topic, ['before the group']);
    // A RocketMQ 5 push consumer starts a new group at the end of the queue (initMode MAX).
    const held = pop(group, topic, { invisibleTime: 5000, pollTime: 60_000, initMode: 1, timeoutMs: 30_000 });
    await waitFor(() => broker.advanced.popPolling.size > 0, 10_000, 'the pop to be held');
    await sendBodies(topic, ['arrived'], 1);
    // Answered on arrival: waiting for the 60 s poll time would outlast the 30 s request timeout.
    const answer = await held;
    expect(answer.code).toBe(ResponseCode.SUCCESS);
    expect(bodiesOf(answer.messages)).toEqual(['arrived']);
    await ackAll(group, answer.messages);

    const empty = await pop(group, topic, { invisibleTime: 5000, pollTime: 300, initMode: 1 });
    expect(empty.code).toBe(ResponseCode.POLLING_TIMEOUT);
  });

  it('refuses an ACK with a malformed or unknown receipt handle with a code and a remark naming the fault', async () => {
    const group = 'CG_pop_bad';
    const topic = 'TopicPopBad';
    await sendBodies(topic, ['never popped', 'popped']);
    const popped = await pop(group, topic, { invisibleTime: 60_000, maxMsgNums: 1 });
    expect(bodiesOf(popped.messages)).toEqual(['never popped']);
    const message = popped.messages[0]!;
    const now = Date.now();
    const cases: Array<{ fields: Partial<Record<string, string | number>>; code: number; remark: string }> = [
      { fields: { extraInfo: 'not-a-receipt-handle' }, code: ResponseCode.MESSAGE_ILLEGAL, remark: 'extraInfo' },
      { fields: { extraInfo: `0 ${now} 60000 x 0 ${brokerName} 0 0` }, code: ResponseCode.MESSAGE_ILLEGAL, remark: 'not a number' },
      { fields: { extraInfo: `0  ${now} 60000 0 0 ${brokerName} 0 0` }, code: ResponseCode.MESSAGE_ILLEGAL, remark: 'not a number' },
      { fields: { extraInfo: `0 ${now} 60000 0 7 ${brokerName} 0 0` }, code: ResponseCode.MESSAGE_ILLEGAL, remark: 'retry flag' },
      // Well formed, but the message at offset 1 was never popped.
      { fields: { extraInfo: `1 ${now} 60000 0 0 ${brokerName} 0 1`, offset: 1 }, code: ResponseCode.NO_MESSAGE, remark: 'not in flight' },
      // The popped message, but not the pop time it was handed out with.
      { fields: { extraInfo: message.handle.replace(String(message.popTime), String(message.popTime - 1)) }, code: ResponseCode.NO_MESSAGE, remark: 'stale' },
      { fields: { offset: 7 }, code: ResponseCode.NO_MESSAGE, remark: 'outside' },
      { fields: { queueId: 99 }, code: ResponseCode.MESSAGE_ILLEGAL, remark: 'queueId 99' },
      { fields: { topic: 'TopicPopNoSuchTopic' }, code: ResponseCode.TOPIC_NOT_EXIST, remark: 'TopicPopNoSuchTopic' },
    ];
    for (const { fields, code, remark } of cases) {
      const header = { consumerGroup: group, topic, queueId: 0, extraInfo: message.handle, offset: message.offset, ...fields };
      const extFields = Object.fromEntries(Object.entries(header).map(([key, value]) => [key, String(value)]));
      const response = await client.invokeSync(broker.address, createRequest(ACK_MESSAGE.code, extFields), 5000);
      expect({ fields, code: response.code }).toEqual({ fields, code });
      expect(response.remark).toContain(remark);
    }
    const withoutHandle = await client.invokeSync(broker.address, createRequest(ACK_MESSAGE.code, { consumerGroup: group, topic, queueId: '0', offset: '0' }), 5000);
    expect(withoutHandle.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(withoutHandle.remark).toContain('extraInfo');
    const badChange = await changeInvisibleTime(group, { ...message, handle: 'not-a-receipt-handle' }, 1000);
    expect(badChange.response.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(badChange.response.remark).toContain('extraInfo');

    // None of that touched the message: its real handle still acks it.
    expect((await ack(group, message)).code).toBe(ResponseCode.SUCCESS);
  });
});
