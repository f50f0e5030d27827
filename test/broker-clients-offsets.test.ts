/**
 * Clients and offsets end to end over real sockets: heartbeats register
 * consumer groups, a second member's heartbeat makes the broker push
 * NOTIFY_CONSUMER_IDS_CHANGED to the first, heartbeat subscriptions drive
 * pulls, and committed offsets survive a broker restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequest, type RemotingCommand } from '../sdk/protocol/command.ts';
import { encodeHeartbeatData } from '../sdk/protocol/bodies/heartbeat.ts';
import { encodeHeader } from '../sdk/protocol/fields.ts';
import { buildPullSysFlag } from '../sdk/protocol/flags.ts';
import { RequestCode } from '../sdk/protocol/requests/index.ts';
import { QUERY_CONSUMER_OFFSET, UPDATE_CONSUMER_OFFSET } from '../sdk/protocol/requests/offsets.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import { javaStringHashCode } from '../sdk/util/java-hash.ts';
import { newClient, pullRequest, records, sendRequest, startTestBroker, text, waitFor, type BrokerUnderTest } from './helpers/broker-harness.ts';

let broker: BrokerUnderTest;

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  await broker.close();
});

function heartbeat(clientID: string, group: string, topic: string, subString = '*', subVersion = 1): RemotingCommand {
  const tags = subString === '*' ? [] : subString.split('||').map((tag) => tag.trim());
  return createRequest(
    RequestCode.HEART_BEAT,
    {},
    new TextEncoder().encode(
      encodeHeartbeatData({
        clientID,
        producerDataSet: [{ groupName: 'CLIENT_INNER_PRODUCER' }],
        consumerDataSet: [
          {
            groupName: group,
            consumeType: 'CONSUME_PASSIVELY',
            messageModel: 'CLUSTERING',
            consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
            unitMode: false,
            subscriptionDataSet: [
              { topic, subString, tagsSet: tags, codeSet: tags.map(javaStringHashCode), subVersion, expressionType: 'TAG', classFilterMode: false },
            ],
          },
        ],
      }),
    ),
  );
}

describe('consumer groups', () => {
  it('notifies the first consumer when a second one joins its group, and lists both', async () => {
    const first = newClient();
    const second = newClient();
    const notified: string[] = [];
    first.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (request) => {
      notified.push(request.extFields?.consumerGroup ?? '');
      return undefined;
    });
    try {
      expect((await first.invokeSync(broker.address, heartbeat('10.0.0.1@first', 'CG_members', 'Members'), 5000)).code).toBe(ResponseCode.SUCCESS);
      await waitFor(() => notified.length === 1, 10_000, 'the first member to be told of itself');
      expect((await second.invokeSync(broker.address, heartbeat('10.0.0.2@second', 'CG_members', 'Members'), 5000)).code).toBe(ResponseCode.SUCCESS);
      await waitFor(() => notified.length === 2, 10_000, 'NOTIFY_CONSUMER_IDS_CHANGED after the second member joined');
      expect(notified).toEqual(['CG_members', 'CG_members']);

      const list = await first.invokeSync(broker.address, createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG_members' }), 5000);
      expect(list.code).toBe(ResponseCode.SUCCESS);
      expect(JSON.parse(text(list.body!)).consumerIdList.sort()).toEqual(['10.0.0.1@first', '10.0.0.2@second']);

      await second.close();
      await waitFor(() => notified.length === 3, 10_000, 'a notification after the second member left');
      const after = await first.invokeSync(broker.address, createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG_members' }), 5000);
      expect(JSON.parse(text(after.body!)).consumerIdList).toEqual(['10.0.0.1@first']);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('answers GET_CONSUMER_LIST_BY_GROUP for an unknown group with SYSTEM_ERROR naming the group', async () => {
    const client = newClient();
    const response = await client.invokeSync(broker.address, createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG_nobody' }), 5000);
    await client.close();
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toContain('CG_nobody');
  });

  it('filters a pull without subscription by the tags of the group heartbeat and checks its version', async () => {
    const client = newClient();
    try {
      await client.invokeSync(broker.address, sendRequest({ topic: 'HeartbeatTags', body: 'a', tags: 'A' }), 5000);
      await client.invokeSync(broker.address, sendRequest({ topic: 'HeartbeatTags', body: 'b', tags: 'B' }), 5000);
      await client.invokeSync(broker.address, heartbeat('10.0.0.3@tags', 'CG_hb_tags', 'HeartbeatTags', 'B', 5), 5000);
      const sysFlag = buildPullSysFlag({ commitOffset: false, suspend: false, subscription: false });
      const pulled = await client.invokeSync(
        broker.address,
        pullRequest({ topic: 'HeartbeatTags', consumerGroup: 'CG_hb_tags', queueId: 0, queueOffset: 0, sysFlag, subVersion: 5 }),
        5000,
      );
      expect(pulled.code).toBe(ResponseCode.SUCCESS);
      expect(records(pulled).map((record) => text(record.body))).toEqual(['b']);
      const newer = await client.invokeSync(
        broker.address,
        pullRequest({ topic: 'HeartbeatTags', consumerGroup: 'CG_hb_tags', queueId: 0, queueOffset: 0, sysFlag, subVersion: 6 }),
        5000,
      );
      expect(newer.code).toBe(ResponseCode.SUBSCRIPTION_NOT_LATEST);
    } finally {
      await client.close();
    }
  });
});

describe('consumer offsets', () => {
  it('reads back committed offsets after a restart, from UPDATE_CONSUMER_OFFSET and from the pull commit flag', async () => {
    let client = newClient();
    await client.invokeSync(broker.address, sendRequest({ topic: 'Offsets', body: 'x', queueId: 1 }), 5000);
    const update = createRequest(
      UPDATE_CONSUMER_OFFSET.code,
      encodeHeader(UPDATE_CONSUMER_OFFSET.request, { consumerGroup: 'CG_offsets', topic: 'Offsets', queueId: 0, commitOffset: 42 }),
    );
    expect((await client.invokeSync(broker.address, update, 5000)).code).toBe(ResponseCode.SUCCESS);
    const pullWithCommit = pullRequest({
      topic: 'Offsets', consumerGroup: 'CG_offsets', queueId: 1, queueOffset: 0, commitOffset: 7,
      sysFlag: buildPullSysFlag({ commitOffset: true, suspend: false, subscription: true }),
    });
    expect((await client.invokeSync(broker.address, pullWithCommit, 5000)).code).toBe(ResponseCode.SUCCESS);
    await client.close();

    await broker.restart();
    client = newClient();
    const query = (queueId: number) =>
      client.invokeSync(
        broker.address,
        createRequest(QUERY_CONSUMER_OFFSET.code, encodeHeader(QUERY_CONSUMER_OFFSET.request, { consumerGroup: 'CG_offsets', topic: 'Offsets', queueId })),
        5000,
      );
    expect((await query(0)).extFields!.offset).toBe('42');
    expect((await query(1)).extFields!.offset).toBe('7');
    const pulled = await client.invokeSync(broker.address, pullRequest({ topic: 'Offsets', consumerGroup: 'CG_other', queueId: 1, queueOffset: 0 }), 5000);
    expect(records(pulled).map((record) => text(record.body))).toEqual(['x']);
    await client.close();
  });

  it('answers QUERY_NOT_FOUND for a group without an offset when the client asks not to get 0', async () => {
    const client = newClient();
    const header = { consumerGroup: 'CG_new', topic: 'Offsets', queueId: 0 };
    const strict = await client.invokeSync(
      broker.address,
      createRequest(QUERY_CONSUMER_OFFSET.code, encodeHeader(QUERY_CONSUMER_OFFSET.request, { ...header, setZeroIfNotFound: false })),
      5000,
    );
    expect(strict.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    // Without that flag RocketMQ starts a new group at 0 while the queue's first message is still in memory.
    const lenient = await client.invokeSync(broker.address, createRequest(QUERY_CONSUMER_OFFSET.code, encodeHeader(QUERY_CONSUMER_OFFSET.request, header)), 5000);
    expect(lenient.code).toBe(ResponseCode.SUCCESS);
    expect(lenient.extFields!.offset).toBe('0');
    await client.close();
  });

  it('answers max, min, earliest store time and search by timestamp for a queue', async () => {
    const client = newClient();
    const before = Date.now() - 1;
    for (let i = 0; i < 3; i++) await client.invokeSync(broker.address, sendRequest({ topic: 'Lookups', body: `m${i}` }), 5000);
    const ask = async (code: number, extra: Record<string, string> = {}) =>
      (await client.invokeSync(broker.address, createRequest(code, { topic: 'Lookups', queueId: '0', ...extra }), 5000)).extFields!;
    expect((await ask(RequestCode.GET_MAX_OFFSET)).offset).toBe('3');
    expect((await ask(RequestCode.GET_MIN_OFFSET)).offset).toBe('0');
    expect(Number((await ask(RequestCode.GET_EARLIEST_MSG_STORETIME)).timestamp)).toBeGreaterThanOrEqual(before);
    expect((await ask(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { timestamp: String(before) })).offset).toBe('0');
    expect((await ask(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { timestamp: String(Date.now() + 60_000) })).offset).toBe('3');
    await client.close();
  });
});
