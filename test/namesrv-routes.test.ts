/**
 * The name server over real sockets. A broker registers with a
 * RegisterBrokerBody and clients look routes up, all through RemotingClient
 * and the wire protocol only; the answers are checked as text, the way Java
 * and Go clients parse them. Expiry uses a clock the test moves by hand.
 */
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NameServer } from '../control-plane/namesrv/name-server.ts';
import { createRequest } from '../sdk/protocol/command.ts';
import { parseFastjson } from '../sdk/protocol/fastjson.ts';
import { RequestCode } from '../sdk/protocol/requests/index.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { silentLogger } from '../sdk/util/log.ts';
import {
  bodyText,
  brokerHeader,
  eventually,
  newClient,
  registerBrokerBodyCompressed,
  registerBrokerBodyJson,
  registerRequest,
  requestTimeoutMs,
} from './helpers/namesrv.ts';

let clock: { now: number };
let nameServer: NameServer;
let address: string;
let client: RemotingClient;

beforeEach(async () => {
  clock = { now: 1_700_000_000_000 };
  nameServer = await NameServer.start({ port: 0, host: '127.0.0.1', log: silentLogger, clock: () => clock.now, brokerScanIntervalMs: 0 });
  address = `127.0.0.1:${nameServer.port}`;
  client = newClient();
});

afterEach(async () => {
  await client.close();
  await nameServer.close();
});

function call(code: number, extFields?: Record<string, string>, version?: number) {
  const request = createRequest(code, extFields);
  if (version !== undefined) request.version = version;
  return client.invokeSync(address, request, requestTimeoutMs);
}

async function registerMaster(topics = [{ name: 'TopicTest' }]) {
  const response = await client.invokeSync(address, registerRequest(brokerHeader(), registerBrokerBodyJson(topics)), requestTimeoutMs);
  expect(response.code).toBe(ResponseCode.SUCCESS);
  return response;
}

describe('name server routes over the wire', () => {
  it('answers a route in standard JSON to a 4.9.4+ client, with the key names and types a Java client reads', async () => {
    await registerMaster();
    const response = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' });
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(bodyText(response)).toBe(
      '{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],' +
        '"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}',
    );
    const route = JSON.parse(bodyText(response));
    expect(typeof route.queueDatas[0].readQueueNums).toBe('number');
    expect(typeof route.brokerDatas[0].enableActingMaster).toBe('boolean');
  });

  it('answers the fastjson form, numeric keys unquoted, to older clients such as the Go client (version 317)', async () => {
    await registerMaster();
    const response = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' }, 317);
    expect(bodyText(response)).toContain('"brokerAddrs":{0:"127.0.0.1:10911"}');
    const standard = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest', acceptStandardJsonOnly: 'true' }, 317);
    expect(bodyText(standard)).toContain('"brokerAddrs":{"0":"127.0.0.1:10911"}');
  });

  it('answers TOPIC_NOT_EXIST with RocketMQ remark for a topic no broker serves', async () => {
    await registerMaster();
    const response = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'NoSuchTopic' });
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(response.remark).toBe('No topic route info in name server for the topic: NoSuchTopic');
  });

  it('answers a request without its required header field with SYSTEM_ERROR naming the field', async () => {
    const response = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, {});
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(response.remark).toContain('topic');
  });

  it('accepts a compressed registration body and refuses a body whose crc32 does not match', async () => {
    const body = registerBrokerBodyCompressed([{ name: 'Zipped', queues: 8 }]);
    const ok = await client.invokeSync(address, registerRequest(brokerHeader({ compressed: true }), body), requestTimeoutMs);
    expect(ok.code).toBe(ResponseCode.SUCCESS);
    const route = JSON.parse(bodyText(await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Zipped' })));
    expect(route.queueDatas[0]).toMatchObject({ readQueueNums: 8, writeQueueNums: 8, perm: 6 });

    const request = registerRequest(brokerHeader(), registerBrokerBodyJson([{ name: 'Other' }]));
    request.extFields!.bodyCrc32 = '12345';
    const refused = await client.invokeSync(address, request, requestTimeoutMs);
    expect(refused.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(refused.remark).toBe('crc32 not match');
  });

  it('gives a slave its master address and returns the ORDER_TOPIC_CONFIG namespace to registering brokers', async () => {
    await registerMaster();
    await call(RequestCode.PUT_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'TopicTest', value: 'broker-a:4' });
    const slave = registerRequest(brokerHeader({ brokerId: 1, brokerAddr: '127.0.0.2:10911' }), registerBrokerBodyJson([{ name: 'TopicTest' }]));
    const response = await client.invokeSync(address, slave, requestTimeoutMs);
    expect(response.extFields).toMatchObject({ masterAddr: '127.0.0.1:10911', haServerAddr: '127.0.0.1:10912' });
    expect(bodyText(response)).toBe('{"table":{"TopicTest":"broker-a:4"}}');
    const route = JSON.parse(bodyText(await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' })));
    expect(route.orderTopicConf).toBe('broker-a:4');
    expect(route.brokerDatas[0].brokerAddrs).toEqual({ 0: '127.0.0.1:10911', 1: '127.0.0.2:10911' });
  });

  it('answers cluster info in fastjson form and lists all topics and the topics of a cluster', async () => {
    await registerMaster([{ name: 'A' }, { name: 'B' }]);
    const info = bodyText(await call(RequestCode.GET_BROKER_CLUSTER_INFO));
    expect(info).toBe(
      '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}},' +
        '"clusterAddrTable":{"DefaultCluster":["broker-a"]}}',
    );
    expect(parseFastjson(info)).toBeTruthy();
    const all = JSON.parse(bodyText(await call(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)));
    expect(all.topicList.sort()).toEqual(['A', 'B']);
    const byCluster = JSON.parse(bodyText(await call(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'DefaultCluster' })));
    expect(byCluster.topicList.sort()).toEqual(['A', 'B']);
    const none = JSON.parse(bodyText(await call(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'Nope' })));
    expect(none).toEqual({ topicList: [] });
  });

  it('puts, gets, lists and deletes KV config', async () => {
    expect((await call(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' })).code).toBe(ResponseCode.SUCCESS);
    const got = await call(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' });
    expect(got.code).toBe(ResponseCode.SUCCESS);
    expect(got.extFields?.value).toBe('v');
    expect(bodyText(await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ns' }))).toBe('{"table":{"k":"v"}}');
    await call(RequestCode.DELETE_KV_CONFIG, { namespace: 'ns', key: 'k' });
    const missing = await call(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' });
    expect(missing.code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect(missing.remark).toBe('No config item, Namespace: ns Key: k');
    expect((await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'never' })).code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });

  it('wipes and adds the write perm of a broker, answering how many topics changed', async () => {
    await registerMaster([{ name: 'A' }, { name: 'B' }]);
    const wiped = await call(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    expect(wiped.extFields?.wipeTopicCount).toBe('2');
    expect(JSON.parse(bodyText(await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'A' }))).queueDatas[0].perm).toBe(4);
    const added = await call(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    expect(added.extFields?.addTopicCount).toBe('2');
    expect(JSON.parse(bodyText(await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'A' }))).queueDatas[0].perm).toBe(6);
  });

  it('unregisters a broker on UNREGISTER_BROKER', async () => {
    await registerMaster();
    const fields = { brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', clusterName: 'DefaultCluster', brokerId: '0' };
    expect((await call(RequestCode.UNREGISTER_BROKER, fields)).code).toBe(ResponseCode.SUCCESS);
    expect((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' })).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('answers REQUEST_CODE_NOT_SUPPORTED for a code it does not serve', async () => {
    const response = await call(RequestCode.SEND_MESSAGE);
    expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });
});

describe('name server broker liveness', () => {
  it('forgets a broker 120 s after its last registration and closes its connection', async () => {
    const broker = newClient();
    try {
      const connection = await broker.connection(address);
      await broker.invokeSync(address, registerRequest(brokerHeader(), registerBrokerBodyJson([{ name: 'TopicTest' }])), requestTimeoutMs);
      clock.now += 120_000;
      await nameServer.scanNotActiveBroker();
      expect((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' })).code).toBe(ResponseCode.SUCCESS);
      clock.now += 1;
      await nameServer.scanNotActiveBroker();
      expect((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' })).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
      await eventually(async () => connection.closed);
    } finally {
      await broker.close();
    }
  });

  it('forgets a broker as soon as its connection closes, but not when an older connection of it closes', async () => {
    const first = newClient();
    const second = newClient();
    const register = (owner: RemotingClient) =>
      owner.invokeSync(address, registerRequest(brokerHeader(), registerBrokerBodyJson([{ name: 'TopicTest' }])), requestTimeoutMs);
    await register(first);
    await register(second);
    expect(nameServer.connectionCount).toBe(2);
    await first.close();
    // The close of the superseded connection must not unregister the broker.
    await eventually(async () => nameServer.connectionCount === 1);
    expect((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' })).code).toBe(ResponseCode.SUCCESS);

    await second.close();
    await eventually(async () => (await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' })).code === ResponseCode.TOPIC_NOT_EXIST);
  });

  it('closes only the connection that sent a malformed frame', async () => {
    await registerMaster();
    const socket = connect({ host: '127.0.0.1', port: nameServer.port });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    // A frame announcing serialization type 9, which does not exist.
    socket.write(Buffer.from([0, 0, 0, 8, 9, 0, 0, 2, 0x7b, 0x7d, 0, 0]));
    await closed;
    const response = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' });
    expect(response.code).toBe(ResponseCode.SUCCESS);
  });
});
