/**
 * Transactions over real sockets. A producer connection heartbeats its
 * producer group and answers CHECK_TRANSACTION_STATE like a Java
 * TransactionListener. Four half messages: one committed, one rolled back,
 * one left open and committed when the broker checks back, one never
 * answered, which the broker discards after transactionCheckMax checks.
 * Check rounds run every 150 ms and leave half messages younger than 1 s
 * alone; the test waits on conditions with deadlines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeartbeatData } from '../sdk/protocol/bodies/heartbeat.ts';
import { createRequest, markOneway, type RemotingCommand } from '../sdk/protocol/command.ts';
import { decodeHeader, encodeHeader } from '../sdk/protocol/fields.ts';
import { decodeMessageRecord } from '../sdk/protocol/message-record.ts';
import { findProperty } from '../sdk/protocol/message-properties.ts';
import { HEART_BEAT } from '../sdk/protocol/requests/consumer.ts';
import { CHECK_TRANSACTION_STATE, END_TRANSACTION } from '../sdk/protocol/requests/transaction.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { newClient, sendRequest, uniqueKey, waitFor } from './helpers/broker-harness.ts';
import { pullAll, send, startAdvancedBroker, type AdvancedBroker, type SendResult } from './message-types-helpers.ts';

const producerGroup = 'PG_tx';
const topic = 'TopicTx';
const checkMax = 2;

let broker: AdvancedBroker;
let producer: RemotingClient;
const checks = new Map<string, number>();
const commitOnCheck = new Set<string>();

beforeAll(async () => {
  broker = await startAdvancedBroker({ transactionCheckIntervalMs: 150, transactionTimeoutMs: 1000, transactionCheckMax: checkMax });
  producer = newClient();
  producer.registerProcessor(CHECK_TRANSACTION_STATE.code, (request) => {
    const decoded = decodeHeader(CHECK_TRANSACTION_STATE.request, request.extFields);
    const record = request.body ? decodeMessageRecord(request.body) : undefined;
    const key = record ? findProperty(record.properties, 'UNIQ_KEY') : undefined;
    if (!decoded.ok || !key) return undefined;
    checks.set(key, (checks.get(key) ?? 0) + 1);
    // The half message comes back under its real topic.
    expect(record!.topic).toBe(topic);
    if (commitOnCheck.has(key)) {
      void endTransaction({ queueOffset: decoded.header.tranStateTableOffset, commitLogOffset: decoded.header.commitLogOffset }, key, 8, true);
    }
    return undefined;
  });
  const heartbeat = encodeHeartbeatData({ clientID: '127.0.0.1@tx-producer', producerDataSet: [{ groupName: producerGroup }], consumerDataSet: [] });
  const response = await producer.invokeSync(broker.address, createRequest(HEART_BEAT.code, {}, new TextEncoder().encode(heartbeat)), 5000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
});

afterAll(async () => {
  await producer.close();
  await broker.close();
});

async function sendHalf(key: string): Promise<SendResult> {
  const request = sendRequest({ topic, body: key, uniqKey: key, producerGroup, version: 'V1', properties: { TRAN_MSG: 'true', PGROUP: producerGroup } });
  request.extFields = { ...request.extFields!, sysFlag: '4' };
  const sent = await send(producer, broker.address, request);
  expect(sent.code).toBe(ResponseCode.SUCCESS);
  return sent;
}

function endTransaction(half: { queueOffset: number; commitLogOffset: number }, key: string, commitOrRollback: number, fromTransactionCheck = false): Promise<void> {
  const header = encodeHeader(END_TRANSACTION.request, {
    producerGroup, tranStateTableOffset: half.queueOffset, commitLogOffset: half.commitLogOffset,
    commitOrRollback, fromTransactionCheck, msgId: key, transactionId: key,
  });
  return producer.invokeOneway(broker.address, markOneway(createRequest(END_TRANSACTION.code, header)), 5000);
}

async function visibleKeys(): Promise<string[]> {
  return (await pullAll(producer, broker.address, topic, 0)).map((record) => findProperty(record.properties, 'UNIQ_KEY')!);
}

describe('transactional messages', () => {
  it('commits, rolls back, resolves by check-back and discards the unanswered after the max checks', async () => {
    const committed = uniqueKey();
    const rolledBack = uniqueKey();
    const checkedBack = uniqueKey();
    const unanswered = uniqueKey();
    commitOnCheck.add(checkedBack);
    const halves = new Map<string, SendResult>();
    for (const key of [committed, rolledBack, checkedBack, unanswered]) halves.set(key, await sendHalf(key));
    // Half messages are invisible to consumers of the real topic.
    expect(await visibleKeys()).toEqual([]);

    await endTransaction(halves.get(committed)!, committed, 8);
    await endTransaction(halves.get(rolledBack)!, rolledBack, 12);
    await waitFor(async () => (await visibleKeys()).includes(committed), 10_000, 'the committed message');
    const records = await pullAll(producer, broker.address, topic, 0);
    const commit = records.find((record) => findProperty(record.properties, 'UNIQ_KEY') === committed)!;
    expect(commit.sysFlag & 0xc).toBe(8);
    expect(commit.preparedTransactionOffset).toBe(halves.get(committed)!.commitLogOffset);
    expect(findProperty(commit.properties, 'TRAN_MSG')).toBeUndefined();
    expect(findProperty(commit.properties, 'REAL_TOPIC')).toBeUndefined();

    await waitFor(() => broker.advanced.transactions.isResolved(halves.get(rolledBack)!.queueOffset), 10_000, 'the rollback');
    // A transaction may be checked before its END arrives, never after.
    const checksAtEnd = { committed: checks.get(committed) ?? 0, rolledBack: checks.get(rolledBack) ?? 0 };
    await waitFor(async () => (await visibleKeys()).includes(checkedBack), 10_000, 'the message committed on check-back');
    await waitFor(() => broker.advanced.transactionCheck.discarded >= 1, 10_000, 'the unanswered half message to be discarded');
    expect(checks.get(unanswered)).toBe(checkMax);
    expect(checks.get(committed) ?? 0).toBe(checksAtEnd.committed);
    expect(checks.get(rolledBack) ?? 0).toBe(checksAtEnd.rolledBack);

    // Further rounds neither check the discarded message again nor deliver the rolled-back one.
    const rounds = broker.advanced.transactionCheck;
    const discardedBefore = rounds.discarded;
    await rounds.checkRound();
    await rounds.checkRound();
    expect(rounds.discarded).toBe(discardedBefore);
    expect(checks.get(unanswered)).toBe(checkMax);
    expect((await visibleKeys()).sort()).toEqual([committed, checkedBack].sort());
  });

  it('ignores a second commit of the same half message and refuses a wrong producer group', async () => {
    const key = uniqueKey();
    const half = await sendHalf(key);
    await endTransaction(half, key, 8);
    await endTransaction(half, key, 8);
    await waitFor(async () => (await visibleKeys()).includes(key), 10_000, 'the committed message');
    const outcome = await broker.advanced.transactions.endTransaction({
      producerGroup: 'PG_other', tranStateTableOffset: half.queueOffset, commitLogOffset: half.commitLogOffset, commitOrRollback: 8,
    });
    expect(outcome.ok).toBe(false);
    expect((await visibleKeys()).filter((visible) => visible === key)).toHaveLength(1);
  });

  it('answers a synchronous END_TRANSACTION for an unknown offset with SYSTEM_ERROR', async () => {
    const header = encodeHeader(END_TRANSACTION.request, {
      producerGroup, tranStateTableOffset: 0, commitLogOffset: 123_456_789, commitOrRollback: 8, msgId: 'X',
    });
    const response: RemotingCommand = await producer.invokeSync(broker.address, createRequest(END_TRANSACTION.code, header), 5000);
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toContain('no half message');
  });
});
