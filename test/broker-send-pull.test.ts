/**
 * Send and pull end to end: a real Broker on an ephemeral port over a temp
 * data dir, driven only through the remoting protocol. Covers V1 and V2
 * headers, JSON and binary serialization, batches, tag filtering, long
 * polling (ordered by events: the pull is held until the send, then answered
 * with the message) and the pull status codes at the queue's edges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerializeType, createRequest } from '../sdk/protocol/command.ts';
import { encodeBatchBody } from '../sdk/protocol/batch-body.ts';
import { encodeHeader } from '../sdk/protocol/fields.ts';
import { buildPullSysFlag } from '../sdk/protocol/flags.ts';
import { decodeOffsetMessageId } from '../sdk/protocol/message-id.ts';
import { decodeProperties, encodeProperties } from '../sdk/protocol/message-properties.ts';
import { SEND_BATCH_MESSAGE } from '../sdk/protocol/requests/send.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { newClient, pullRequest, records, sendRequest, startTestBroker, text, uniqueKey, type BrokerUnderTest } from './helpers/broker-harness.ts';

let broker: BrokerUnderTest;
let client: RemotingClient;

beforeAll(async () => {
  broker = await startTestBroker();
  client = newClient();
});

afterAll(async () => {
  await client.close();
  await broker.close();
});

describe('send', () => {
  it('stores a V2 send on the chosen queue and answers msgId, queueId, queueOffset, transactionId and the region ext fields', async () => {
    const uniq = uniqueKey();
    const response = await client.invokeSync(broker.address, sendRequest({ topic: 'SendV2', body: 'hello', queueId: 2, uniqKey: uniq }), 5000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const ext = response.extFields!;
    expect(ext.queueId).toBe('2');
    expect(ext.queueOffset).toBe('0');
    expect(ext.transactionId).toBe(uniq);
    expect(ext.MSG_REGION).toBe('DefaultRegion');
    expect(ext.TRACE_ON).toBe('true');
    const id = decodeOffsetMessageId(ext.msgId!);
    expect(id).toMatchObject({ address: '127.0.0.1', port: broker.broker.port });

    const pulled = await client.invokeSync(broker.address, pullRequest({ topic: 'SendV2', consumerGroup: 'CG_v2', queueId: 2, queueOffset: 0 }), 5000);
    expect(pulled.code).toBe(ResponseCode.SUCCESS);
    const [record] = records(pulled);
    expect(text(record!.body)).toBe('hello');
    const properties = decodeProperties(record!.properties);
    expect(properties.get('UNIQ_KEY')).toBe(uniq);
    expect(properties.get('CLUSTER')).toBe('DefaultCluster');
    expect(record!.physicalOffset).toBe(id!.physicalOffset);
    expect(pulled.extFields).toMatchObject({ nextBeginOffset: '1', minOffset: '0', maxOffset: '1', suggestWhichBrokerId: '0' });
  });

  it('accepts V1 headers and binary (ROCKETMQ) serialization alike, answering in the request serialization', async () => {
    const v1 = await client.invokeSync(broker.address, sendRequest({ topic: 'SendForms', body: 'v1', version: 'V1' }), 5000);
    const binary = await client.invokeSync(
      broker.address,
      sendRequest({ topic: 'SendForms', body: 'binary', serializeType: SerializeType.ROCKETMQ }),
      5000,
    );
    expect(v1.code).toBe(ResponseCode.SUCCESS);
    expect(binary.code).toBe(ResponseCode.SUCCESS);
    expect(binary.serializeType).toBe(SerializeType.ROCKETMQ);
    expect(Number(binary.extFields!.queueOffset)).toBe(Number(v1.extFields!.queueOffset) + 1);
  });

  it('picks a random writable queue when queueId is negative', async () => {
    const queues = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const response = await client.invokeSync(broker.address, sendRequest({ topic: 'RandomQueue', body: `m${i}`, queueId: -1 }), 5000);
      expect(response.code).toBe(ResponseCode.SUCCESS);
      queues.add(response.extFields!.queueId!);
    }
    expect([...queues].every((queueId) => Number(queueId) >= 0 && Number(queueId) < 4)).toBe(true);
    expect(queues.size).toBeGreaterThan(1);
  });

  it('stores a batch as consecutive records, each keeping its own UNIQ_KEY, and answers all offset ids', async () => {
    const keys = [uniqueKey(), uniqueKey(), uniqueKey()];
    const body = encodeBatchBody(keys.map((key, i) => ({ flag: i, body: new TextEncoder().encode(`b${i}`), properties: encodeProperties({ UNIQ_KEY: key, TAGS: 'T' }) })));
    const header = encodeHeader(SEND_BATCH_MESSAGE.request, {
      a: 'PG_batch', b: 'Batch', c: 'TBW102', d: 4, e: 1, f: 0, g: Date.now(), h: 0, i: encodeProperties({ WAIT: 'true' }), m: true,
    });
    const response = await client.invokeSync(broker.address, createRequest(SEND_BATCH_MESSAGE.code, header, body), 5000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.extFields!.msgId!.split(',')).toHaveLength(3);
    expect(response.extFields!.queueOffset).toBe('0');
    const pulled = await client.invokeSync(broker.address, pullRequest({ topic: 'Batch', consumerGroup: 'CG_batch', queueId: 1, queueOffset: 0 }), 5000);
    const got = records(pulled);
    expect(got.map((record) => text(record.body))).toEqual(['b0', 'b1', 'b2']);
    expect(got.map((record) => record.queueOffset)).toEqual([0, 1, 2]);
    expect(got.map((record) => decodeProperties(record.properties).get('UNIQ_KEY'))).toEqual(keys);
    expect(got.map((record) => record.flag)).toEqual([0, 1, 2]);
  });

  it('answers TOPIC_NOT_EXIST when the template topic does not allow auto-creation', async () => {
    const request = sendRequest({ topic: 'NoTemplate', body: 'x' });
    request.extFields!.c = 'NotATemplate';
    const response = await client.invokeSync(broker.address, request, 5000);
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('refuses sends to system topics clients may not write with NO_PERMISSION', async () => {
    const response = await client.invokeSync(broker.address, sendRequest({ topic: 'SCHEDULE_TOPIC_XXXX', body: 'x' }), 5000);
    expect(response.code).toBe(ResponseCode.NO_PERMISSION);
  });
});

describe('pull', () => {
  it('filters by tag hash code with the subscription from the request header', async () => {
    for (const tag of ['TagA', 'TagB', 'TagA', 'TagC']) {
      await client.invokeSync(broker.address, sendRequest({ topic: 'Tags', body: tag, tags: tag }), 5000);
    }
    const pulled = await client.invokeSync(
      broker.address,
      pullRequest({ topic: 'Tags', consumerGroup: 'CG_tags', queueId: 0, queueOffset: 0, subscription: 'TagA || TagC' }),
      5000,
    );
    expect(pulled.code).toBe(ResponseCode.SUCCESS);
    expect(records(pulled).map((record) => text(record.body))).toEqual(['TagA', 'TagA', 'TagC']);
  });

  it('answers PULL_NOT_FOUND at the end of a queue and PULL_OFFSET_MOVED past it, with the corrected offsets', async () => {
    await client.invokeSync(broker.address, sendRequest({ topic: 'Edges', body: 'only' }), 5000);
    const atEnd = await client.invokeSync(broker.address, pullRequest({ topic: 'Edges', consumerGroup: 'CG_edges', queueId: 0, queueOffset: 1 }), 5000);
    expect(atEnd.code).toBe(ResponseCode.PULL_NOT_FOUND);
    expect(atEnd.extFields).toMatchObject({ nextBeginOffset: '1', minOffset: '0', maxOffset: '1' });
    const past = await client.invokeSync(broker.address, pullRequest({ topic: 'Edges', consumerGroup: 'CG_edges', queueId: 0, queueOffset: 9 }), 5000);
    expect(past.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    // RocketMQ corrects an offset past the end to the min offset while that is 0, else to the max.
    expect(past.extFields).toMatchObject({ nextBeginOffset: '0', minOffset: '0', maxOffset: '1' });
    const emptyQueue = await client.invokeSync(broker.address, pullRequest({ topic: 'Edges', consumerGroup: 'CG_edges', queueId: 3, queueOffset: 5 }), 5000);
    expect(emptyQueue.code).toBe(ResponseCode.PULL_OFFSET_MOVED);
    expect(emptyQueue.extFields!.nextBeginOffset).toBe('0');
  });

  it('answers SUBSCRIPTION_NOT_EXIST for a pull without subscription from a group that never sent a heartbeat', async () => {
    const request = pullRequest({
      topic: 'Edges', consumerGroup: 'CG_unknown', queueId: 0, queueOffset: 0,
      sysFlag: buildPullSysFlag({ commitOffset: false, suspend: false, subscription: false }),
    });
    const response = await client.invokeSync(broker.address, request, 5000);
    expect(response.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST);
  });

  it('holds a suspendable pull that finds nothing and answers it with the message once it is sent', async () => {
    await client.invokeSync(broker.address, sendRequest({ topic: 'LongPoll', body: 'first' }), 5000);
    const events: string[] = [];
    const held = client
      .invokeSync(
        broker.address,
        pullRequest({
          topic: 'LongPoll', consumerGroup: 'CG_long', queueId: 0, queueOffset: 1,
          sysFlag: buildPullSysFlag({ commitOffset: false, suspend: true, subscription: true }),
          suspendTimeoutMillis: 20_000,
        }),
        30_000,
      )
      .then((response) => {
        events.push('pull answered');
        return response;
      });
    // The held pull is visible in the runtime info; wait for it instead of sleeping.
    await waitForHeldPulls(1);
    expect(events).toEqual([]);
    events.push('send');
    await client.invokeSync(broker.address, sendRequest({ topic: 'LongPoll', body: 'second' }), 5000);
    const response = await held;
    expect(events).toEqual(['send', 'pull answered']);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(records(response).map((record) => text(record.body))).toEqual(['second']);
  });

  it('keeps a held pull held when the arriving message does not match its tags', async () => {
    await client.invokeSync(broker.address, sendRequest({ topic: 'LongPollTags', body: 'before', tags: 'Other' }), 5000);
    const events: string[] = [];
    const held = client
      .invokeSync(
        broker.address,
        pullRequest({
          topic: 'LongPollTags', consumerGroup: 'CG_long_tags', queueId: 0, queueOffset: 1, subscription: 'Wanted',
          sysFlag: buildPullSysFlag({ commitOffset: false, suspend: true, subscription: true }),
          suspendTimeoutMillis: 20_000,
        }),
        30_000,
      )
      .then((response) => {
        events.push('pull answered');
        return response;
      });
    await waitForHeldPulls(1);
    events.push('send Other');
    await client.invokeSync(broker.address, sendRequest({ topic: 'LongPollTags', body: 'other', tags: 'Other' }), 5000);
    events.push('send Wanted');
    await client.invokeSync(broker.address, sendRequest({ topic: 'LongPollTags', body: 'wanted', tags: 'Wanted' }), 5000);
    const response = await held;
    // Woken by the first send, the re-run would have found only a filtered-out message (PULL_RETRY_IMMEDIATELY).
    expect(events).toEqual(['send Other', 'send Wanted', 'pull answered']);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(records(response).map((record) => text(record.body))).toEqual(['wanted']);
  });
});

async function runtimeHeldPulls(): Promise<number> {
  const response = await client.invokeSync(broker.address, createRequest(28), 5000);
  return Number(JSON.parse(text(response.body!)).table.heldPullRequests);
}

async function waitForHeldPulls(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await runtimeHeldPulls()) < count) {
    if (Date.now() > deadline) throw new Error('the pull was never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
