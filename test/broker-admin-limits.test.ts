/**
 * Admin codes, queries by key and id, limits at and past their edge, and
 * name server registration, end to end over real sockets. Registration is
 * observed by a small RemotingServer standing in for a name server that
 * records REGISTER_BROKER and UNREGISTER_BROKER requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequest, createResponse, type RemotingCommand } from '../sdk/protocol/command.ts';
import { encodeBatchBody } from '../sdk/protocol/batch-body.ts';
import { decodeConsumeStats, decodeTopicStatsTable } from '../sdk/protocol/bodies/admin.ts';
import { decodeRegisterBrokerBody } from '../sdk/protocol/bodies/register-broker.ts';
import { parseFastjson } from '../sdk/protocol/fastjson.ts';
import { encodeHeader } from '../sdk/protocol/fields.ts';
import { decodeOffsetMessageId } from '../sdk/protocol/message-id.ts';
import { encodeProperties } from '../sdk/protocol/message-properties.ts';
import { UPDATE_AND_CREATE_TOPIC } from '../sdk/protocol/requests/admin-topic.ts';
import { RequestCode } from '../sdk/protocol/requests/index.ts';
import { SEND_BATCH_MESSAGE } from '../sdk/protocol/requests/send.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { RemotingServer } from '../sdk/remoting/server.ts';
import { silentLogger } from '../sdk/util/log.ts';
import { newClient, records, sendRequest, startTestBroker, text, uniqueKey, waitFor, type BrokerUnderTest } from './helpers/broker-harness.ts';

let broker: BrokerUnderTest;
let client: RemotingClient;
const registrations: RemotingCommand[] = [];
const unregistrations: RemotingCommand[] = [];
let namesrv: RemotingServer;

beforeAll(async () => {
  namesrv = new RemotingServer({ port: 0, log: silentLogger });
  namesrv.registerProcessor(RequestCode.REGISTER_BROKER, (request) => {
    registrations.push(request);
    return createResponse(request, ResponseCode.SUCCESS);
  });
  namesrv.registerProcessor(RequestCode.UNREGISTER_BROKER, (request) => {
    unregistrations.push(request);
    return createResponse(request, ResponseCode.SUCCESS);
  });
  const namesrvPort = await namesrv.listen();
  broker = await startTestBroker({ namesrvAddr: [`127.0.0.1:${namesrvPort}`], registerNameServerPeriodMs: 60_000 });
  client = newClient();
});

afterAll(async () => {
  await client.close();
  await broker.close();
  await namesrv.close();
});

const send = (options: Parameters<typeof sendRequest>[0]) => client.invokeSync(broker.address, sendRequest(options), 5000);
const ask = (code: number, extFields: Record<string, string> = {}, body?: Uint8Array) => client.invokeSync(broker.address, createRequest(code, extFields, body), 5000);

describe('name server registration', () => {
  it('registers at start with every topic config, and again soon after a topic is created', async () => {
    expect(registrations.length).toBeGreaterThanOrEqual(1);
    const first = registrations[0]!;
    expect(first.extFields).toMatchObject({ brokerName: 'broker-a', clusterName: 'DefaultCluster', brokerAddr: broker.address, brokerId: '0' });
    expect(decodeRegisterBrokerBody(first.body!).topicConfigSerializeWrapper.topicConfigTable.has('TBW102')).toBe(true);
    const header = encodeHeader(UPDATE_AND_CREATE_TOPIC.request, {
      topic: 'AdminTopic', defaultTopic: 'TBW102', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicFilterType: 'SINGLE_TAG', order: false,
    });
    expect((await ask(RequestCode.UPDATE_AND_CREATE_TOPIC, header)).code).toBe(ResponseCode.SUCCESS);
    await waitFor(
      () => registrations.some((r) => decodeRegisterBrokerBody(r.body!).topicConfigSerializeWrapper.topicConfigTable.get('AdminTopic')?.writeQueueNums === 2),
      10_000,
      'a registration carrying AdminTopic',
    );
  });
});

describe('admin', () => {
  it('lists topic configs and topic stats, and deletes a topic', async () => {
    await send({ topic: 'AdminTopic', body: 'x', queueId: 1 });
    const all = await ask(RequestCode.GET_ALL_TOPIC_CONFIG);
    const table = (parseFastjson(all.body!) as { topicConfigTable: Record<string, { readQueueNums: number }> }).topicConfigTable;
    expect(table.AdminTopic!.readQueueNums).toBe(2);
    const stats = decodeTopicStatsTable((await ask(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'AdminTopic' })).body!);
    expect(stats.offsetTable.map(([queue, offset]) => [queue.queueId, offset.maxOffset])).toEqual([[0, 0], [1, 1]]);
    expect((await ask(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'AdminTopic' })).code).toBe(ResponseCode.SUCCESS);
    expect((await ask(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'AdminTopic' })).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('creates, lists and deletes a subscription group', async () => {
    const body = new TextEncoder().encode(JSON.stringify({ groupName: 'CG_admin', retryMaxTimes: 3, consumeEnable: true }));
    expect((await ask(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, body)).code).toBe(ResponseCode.SUCCESS);
    const listed = parseFastjson((await ask(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body!) as { subscriptionGroupTable: Record<string, { retryMaxTimes: number }> };
    expect(listed.subscriptionGroupTable.CG_admin!.retryMaxTimes).toBe(3);
    expect((await ask(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: 'CG_admin', cleanOffset: 'true' })).code).toBe(ResponseCode.SUCCESS);
    const after = parseFastjson((await ask(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body!) as { subscriptionGroupTable: Record<string, unknown> };
    expect(after.subscriptionGroupTable.CG_admin).toBeUndefined();
  });

  it('reports consume lag per queue and resets a group to a timestamp', async () => {
    for (let i = 0; i < 5; i++) await send({ topic: 'Lag', body: `m${i}`, queueId: 0 });
    await ask(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'CG_lag', topic: 'Lag', queueId: '0', commitOffset: '2' });
    const stats = decodeConsumeStats((await ask(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'CG_lag', topic: 'Lag' })).body!);
    const queue0 = stats.offsetTable.find(([queue]) => queue.queueId === 0)![1];
    expect(queue0.brokerOffset - queue0.consumerOffset).toBe(3);
    const reset = await ask(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, { group: 'CG_lag', topic: 'Lag', timestamp: '0', isForce: 'true' });
    expect(reset.code).toBe(ResponseCode.SUCCESS);
    const offset = await ask(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'CG_lag', topic: 'Lag', queueId: '0' });
    expect(offset.extFields!.offset).toBe('0');
  });

  it('reports in runtime info what writing the CommitLog into the OS cost, counting every acknowledged byte', async () => {
    const runtime = async () => (parseFastjson((await ask(RequestCode.GET_BROKER_RUNTIME_INFO)).body!) as { table: Record<string, string> }).table;
    const before = await runtime();
    const body = 'x'.repeat(64 * 1024);
    expect((await send({ topic: 'WriteCost', body })).code).toBe(ResponseCode.SUCCESS);
    const after = await runtime();
    // Answered only once in the OS: the record (body and all) is counted, by whichever thread wrote it.
    expect(Number(after.commitLogWriteBytes) - Number(before.commitLogWriteBytes)).toBeGreaterThan(body.length);
    const writes = (table: Record<string, string>) => Number(table.commitLogInlineWrites) + Number(table.commitLogThreadWrites);
    expect(writes(after)).toBeGreaterThan(writes(before));
    expect(Number(after.commitLogWriteMs)).toBeGreaterThan(Number(before.commitLogWriteMs));
    expect(Number(after.commitLogWriteMsPerMiB)).toBeGreaterThan(0);
  });

  it('answers runtime info and broker config, and REQUEST_CODE_NOT_SUPPORTED naming an unknown code', async () => {
    const runtime = parseFastjson((await ask(RequestCode.GET_BROKER_RUNTIME_INFO)).body!) as { table: Record<string, string> };
    expect(Number(runtime.table.msgPutTotalTodayNow)).toBeGreaterThan(0);
    expect(text((await ask(RequestCode.GET_BROKER_CONFIG)).body!)).toContain('brokerName=broker-a');
    const unknown = await ask(RequestCode.CLONE_GROUP_OFFSET);
    expect(unknown.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(unknown.remark).toContain(String(RequestCode.CLONE_GROUP_OFFSET));
  });
});

describe('queries', () => {
  it('finds a message by key and by its offset message id', async () => {
    const sent = await send({ topic: 'Query', body: 'findme', keys: 'order-1 order-2' });
    const found = await ask(RequestCode.QUERY_MESSAGE, { topic: 'Query', key: 'order-2', maxNum: '32', beginTimestamp: '0', endTimestamp: String(Date.now() + 1000) });
    expect(found.code).toBe(ResponseCode.SUCCESS);
    expect(records(found).map((record) => text(record.body))).toEqual(['findme']);
    const missing = await ask(RequestCode.QUERY_MESSAGE, { topic: 'Query', key: 'nope', maxNum: '32', beginTimestamp: '0', endTimestamp: String(Date.now() + 1000) });
    expect(missing.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    const physicalOffset = decodeOffsetMessageId(sent.extFields!.msgId!)!.physicalOffset;
    const viewed = await ask(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(physicalOffset) });
    expect(records(viewed).map((record) => text(record.body))).toEqual(['findme']);
    expect((await ask(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(physicalOffset + 3) })).code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});

describe('limits', () => {
  const max = 4 * 1024 * 1024;

  it('stores a body of exactly messageSizeMaxBytes and refuses one byte more with MESSAGE_ILLEGAL', async () => {
    expect((await send({ topic: 'Limits', body: new Uint8Array(max) })).code).toBe(ResponseCode.SUCCESS);
    expect((await send({ topic: 'Limits', body: new Uint8Array(max + 1) })).code).toBe(ResponseCode.MESSAGE_ILLEGAL);
  });

  it('accepts a 127-character topic and refuses 128 characters', async () => {
    expect((await send({ topic: 'T'.repeat(127), body: 'x' })).code).toBe(ResponseCode.SUCCESS);
    const tooLong = await send({ topic: 'T'.repeat(128), body: 'x' });
    expect(tooLong.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(tooLong.remark).toContain('127');
  });

  it('stores properties of exactly 32767 bytes (with the CLUSTER property the broker adds) and refuses one byte more', async () => {
    const cluster = encodeProperties({ CLUSTER: 'DefaultCluster' }).length;
    const prefix = encodeProperties({ UNIQ_KEY: uniqueKey() });
    const fill = (total: number) => prefix + encodeProperties({ pad: 'p'.repeat(total - cluster - prefix.length - 'pad'.length - 2) });
    expect((await send({ topic: 'Limits', body: 'x', rawProperties: fill(32767) })).code).toBe(ResponseCode.SUCCESS);
    expect((await send({ topic: 'Limits', body: 'x', rawProperties: fill(32768) })).code).toBe(ResponseCode.MESSAGE_ILLEGAL);
  });

  it('stores batch properties of exactly 32767 bytes (batch, entry and CLUSTER together) as sent, and refuses one byte more', async () => {
    const batchProperties = encodeProperties({ origin: 'batch' });
    const cluster = encodeProperties({ CLUSTER: 'DefaultCluster' });
    // The entry's own properties lack their last separator: the broker puts one before CLUSTER.
    const own = (total: number, key: string) => {
      const head = `KEYS\u0001${key}\u0002pad\u0001`;
      return head + 'p'.repeat(total - batchProperties.length - head.length - 1 - cluster.length);
    };
    const sendBatch = (properties: string) => {
      const body = encodeBatchBody([{ flag: 0, body: new Uint8Array([7]), properties }]);
      const header = encodeHeader(SEND_BATCH_MESSAGE.request, { a: 'PG', b: 'LimitsBatchProps', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0, i: batchProperties, m: true });
      return client.invokeSync(broker.address, createRequest(SEND_BATCH_MESSAGE.code, header, body), 10_000);
    };
    expect((await sendBatch(own(32767, 'edge'))).code).toBe(ResponseCode.SUCCESS);
    const tooLong = await sendBatch(own(32768, 'past'));
    expect(tooLong.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect(tooLong.remark).toContain('propertiesSizeMaxBytes');
    const found = await ask(RequestCode.QUERY_MESSAGE, { topic: 'LimitsBatchProps', key: 'edge', maxNum: '32', beginTimestamp: '0', endTimestamp: String(Date.now() + 1000) });
    const stored = records(found);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.properties).toBe(`${batchProperties}${own(32767, 'edge')}\u0002${cluster}`);
    expect(new TextEncoder().encode(stored[0]!.properties).length).toBe(32767);
  });

  it('accepts a batch of batchMessagesMax messages and refuses one more', async () => {
    const batch = (count: number) => {
      const body = encodeBatchBody(Array.from({ length: count }, () => ({ flag: 0, body: new Uint8Array([1]), properties: encodeProperties({ UNIQ_KEY: uniqueKey() }) })));
      const header = encodeHeader(SEND_BATCH_MESSAGE.request, { a: 'PG', b: 'LimitsBatch', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0, m: true });
      return client.invokeSync(broker.address, createRequest(SEND_BATCH_MESSAGE.code, header, body), 10_000);
    };
    expect((await batch(1024)).code).toBe(ResponseCode.SUCCESS);
    expect((await batch(1025)).code).toBe(ResponseCode.MESSAGE_ILLEGAL);
  });

  it('accepts the last queue id of a topic and refuses the next one', async () => {
    expect((await send({ topic: 'LimitsQueues', body: 'x', queueId: 3 })).code).toBe(ResponseCode.SUCCESS);
    const past = await send({ topic: 'LimitsQueues', body: 'x', queueId: 4 });
    expect(past.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(past.remark).toContain('queueId[4] is illegal');
  });
});

describe('close', () => {
  it('unregisters from the name server on close', async () => {
    await broker.broker.close();
    expect(unregistrations).toHaveLength(1);
    expect(unregistrations[0]!.extFields).toMatchObject({ brokerName: 'broker-a', brokerAddr: broker.address });
  });
});
