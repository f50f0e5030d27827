/**
 * The routing logic against the in-memory state, with a clock the test moves
 * by hand, so expiry is exact and needs no waiting.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../sdk/util/log.ts';
import { MemoryRouteState } from '../state/memory.ts';
import type { RegisterBrokerInput, TopicConfigEntry } from './register-broker.ts';
import { RouteInfoManager } from './route-info-manager.ts';

function topic(topicName: string, queues = 4, perm = 6): TopicConfigEntry {
  return { topicName, readQueueNums: queues, writeQueueNums: queues, perm, topicSysFlag: 0 };
}

function registration(overrides: Partial<RegisterBrokerInput> = {}): RegisterBrokerInput {
  return {
    clusterName: 'DefaultCluster',
    brokerName: 'broker-a',
    brokerAddr: '10.0.0.1:10911',
    brokerId: 0,
    haServerAddr: '10.0.0.1:10912',
    dataVersion: { counter: 1, timestamp: 1000, stateVersion: 0 },
    topicConfigs: [topic('TopicTest')],
    ...overrides,
  };
}

function setup() {
  const clock = { now: 1_000_000 };
  const routing = new RouteInfoManager(new MemoryRouteState({ log: silentLogger }), {
    clock: () => clock.now,
    brokerExpiryMs: 120_000,
    log: silentLogger,
  });
  return { clock, routing };
}

describe('RouteInfoManager', () => {
  it('builds a route from a master registration: one QueueData and one BrokerData per broker name', async () => {
    const { routing } = setup();
    const result = await routing.registerBroker(registration());
    expect(result.status).toBe('REGISTERED');
    const route = await routing.pickupTopicRouteData('TopicTest');
    expect(route).toEqual({
      queueDatas: [{ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
      brokerDatas: [{ cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: { 0: '10.0.0.1:10911' }, enableActingMaster: false }],
      filterServerTable: {},
    });
  });

  it('has no route for a topic no broker registered', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration());
    expect(await routing.pickupTopicRouteData('Nope')).toBeUndefined();
  });

  it('lists a slave under its id without letting it publish queue data, and tells it its master', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration());
    const slave = await routing.registerBroker(
      registration({ brokerId: 1, brokerAddr: '10.0.0.2:10911', haServerAddr: '10.0.0.2:10912', topicConfigs: [topic('TopicTest', 8), topic('SlaveOnly')] }),
    );
    expect(slave).toEqual({ status: 'REGISTERED', masterAddr: '10.0.0.1:10911', haServerAddr: '10.0.0.1:10912' });
    const route = await routing.pickupTopicRouteData('TopicTest');
    expect(route?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: '10.0.0.1:10911', 1: '10.0.0.2:10911' });
    expect(route?.queueDatas[0]?.writeQueueNums).toBe(4);
    expect(await routing.pickupTopicRouteData('SlaveOnly')).toBeUndefined();
  });

  it('moves an address to its new id when a slave is promoted to master', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration({ brokerId: 1, brokerAddr: '10.0.0.2:10911' }));
    await routing.registerBroker(registration({ brokerId: 0, brokerAddr: '10.0.0.2:10911' }));
    const info = await routing.getAllClusterInfo();
    expect(info.brokerAddrTable['broker-a']?.brokerAddrs).toEqual({ 0: '10.0.0.2:10911' });
  });

  it('keeps a wiped write perm across registrations with the same DataVersion, and takes new topic configs when it changes', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration({ topicConfigs: [topic('A'), topic('B')] }));
    expect(await routing.wipeWritePermOfBroker('broker-a')).toBe(2);
    await routing.registerBroker(registration({ topicConfigs: [topic('A'), topic('B')] }));
    expect((await routing.pickupTopicRouteData('A'))?.queueDatas[0]?.perm).toBe(4);

    await routing.registerBroker(registration({ dataVersion: { counter: 2, timestamp: 2000, stateVersion: 0 }, topicConfigs: [topic('A'), topic('B')] }));
    expect((await routing.pickupTopicRouteData('A'))?.queueDatas[0]?.perm).toBe(6);
  });

  it('wipes and restores the write perm of every topic of a broker, and counts zero for an unknown broker', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration({ topicConfigs: [topic('A'), topic('B', 4, 4)] }));
    expect(await routing.wipeWritePermOfBroker('broker-a')).toBe(2);
    expect((await routing.pickupTopicRouteData('A'))?.queueDatas[0]?.perm).toBe(4);
    expect(await routing.addWritePermOfBroker('broker-a')).toBe(2);
    expect((await routing.pickupTopicRouteData('B'))?.queueDatas[0]?.perm).toBe(6);
    expect(await routing.wipeWritePermOfBroker('broker-x')).toBe(0);
  });

  it('forgets a broker at its expiry and not a millisecond before', async () => {
    const { clock, routing } = setup();
    await routing.registerBroker(registration());
    clock.now += 120_000;
    expect(await routing.scanNotActiveBroker()).toEqual([]);
    expect(await routing.pickupTopicRouteData('TopicTest')).toBeDefined();
    clock.now += 1;
    expect(await routing.scanNotActiveBroker()).toEqual([{ clusterName: 'DefaultCluster', brokerAddr: '10.0.0.1:10911' }]);
    expect(await routing.pickupTopicRouteData('TopicTest')).toBeUndefined();
    expect(await routing.getAllClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
  });

  it('honours a broker-requested heartbeat timeout', async () => {
    const { clock, routing } = setup();
    await routing.registerBroker(registration({ heartbeatTimeoutMillis: 5_000 }));
    clock.now += 5_001;
    expect(await routing.scanNotActiveBroker()).toHaveLength(1);
  });

  it('keeps a broker alive while it keeps registering', async () => {
    const { clock, routing } = setup();
    for (let round = 0; round < 10; round++) {
      await routing.registerBroker(registration());
      clock.now += 30_000;
      expect(await routing.scanNotActiveBroker()).toEqual([]);
    }
  });

  it('unregisters one address and keeps the broker name while another address remains', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration());
    await routing.registerBroker(registration({ brokerId: 1, brokerAddr: '10.0.0.2:10911' }));
    await routing.unregisterBroker({ clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911', brokerId: 0 });
    const route = await routing.pickupTopicRouteData('TopicTest');
    expect(route?.brokerDatas[0]?.brokerAddrs).toEqual({ 1: '10.0.0.2:10911' });

    await routing.unregisterBroker({ clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '10.0.0.2:10911', brokerId: 1 });
    expect(await routing.pickupTopicRouteData('TopicTest')).toBeUndefined();
    expect(await routing.getAllTopicList()).toEqual([]);
  });

  it('presents the lowest slave as master, read-only, when an acting-master group loses its master', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration({ enableActingMaster: true }));
    await routing.registerBroker(registration({ enableActingMaster: true, brokerId: 1, brokerAddr: '10.0.0.2:10911' }));
    await routing.unregisterBroker({ clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911', brokerId: 0 });
    const route = await routing.pickupTopicRouteData('TopicTest');
    expect(route?.queueDatas[0]?.perm).toBe(4);
    expect(route?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: '10.0.0.2:10911' });
  });

  it('ignores a registration that would take a brokerId from a live broker with a newer stateVersion', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration({ dataVersion: { counter: 1, timestamp: 1, stateVersion: 5 } }));
    const stale = await routing.registerBroker(registration({ brokerAddr: '10.0.0.9:10911', dataVersion: { counter: 1, timestamp: 1, stateVersion: 4 } }));
    expect(stale.status).toBe('IGNORED_STALE_STATE_VERSION');
    expect((await routing.getAllClusterInfo()).brokerAddrTable['broker-a']?.brokerAddrs).toEqual({ 0: '10.0.0.1:10911' });
  });

  it('reports clusters, all topics and the topics of one cluster', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration({ topicConfigs: [topic('A'), topic('Shared')] }));
    await routing.registerBroker(registration({ clusterName: 'Other', brokerName: 'broker-b', brokerAddr: '10.0.1.1:10911', topicConfigs: [topic('B'), topic('Shared')] }));
    const info = await routing.getAllClusterInfo();
    expect(info.clusterAddrTable).toEqual({ DefaultCluster: ['broker-a'], Other: ['broker-b'] });
    expect((await routing.getAllTopicList()).sort()).toEqual(['A', 'B', 'Shared']);
    expect((await routing.getTopicsByCluster('Other')).sort()).toEqual(['B', 'Shared']);
    expect(await routing.getTopicsByCluster('Unknown')).toEqual([]);
    expect((await routing.pickupTopicRouteData('Shared'))?.brokerDatas.map((broker) => broker.brokerName).sort()).toEqual(['broker-a', 'broker-b']);
  });

  it('deletes a topic from one cluster only, or from all', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration({ topicConfigs: [topic('Shared')] }));
    await routing.registerBroker(registration({ clusterName: 'Other', brokerName: 'broker-b', brokerAddr: '10.0.1.1:10911', topicConfigs: [topic('Shared')] }));
    await routing.deleteTopic('Shared', 'Other');
    expect((await routing.pickupTopicRouteData('Shared'))?.queueDatas.map((queueData) => queueData.brokerName)).toEqual(['broker-a']);
    await routing.deleteTopic('Shared');
    expect(await routing.pickupTopicRouteData('Shared')).toBeUndefined();
  });

  it('adds orderTopicConf from the ORDER_TOPIC_CONFIG namespace', async () => {
    const { routing } = setup();
    await routing.registerBroker(registration());
    await routing.kvConfig.putKVConfig('ORDER_TOPIC_CONFIG', 'TopicTest', 'broker-a:4');
    expect((await routing.pickupTopicRouteData('TopicTest'))?.orderTopicConf).toBe('broker-a:4');
  });

  it('puts, gets, lists and deletes KV config by namespace', async () => {
    const { routing } = setup();
    const kv = routing.kvConfig;
    expect(await kv.getKVListByNamespace('ns')).toBeUndefined();
    await kv.putKVConfig('ns', 'a', '1');
    await kv.putKVConfig('ns', 'b', '2');
    await kv.putKVConfig('ns', 'a', '3');
    expect(await kv.getKVConfig('ns', 'a')).toBe('3');
    expect(await kv.getKVListByNamespace('ns')).toEqual({ a: '3', b: '2' });
    await kv.deleteKVConfig('ns', 'a');
    expect(await kv.getKVConfig('ns', 'a')).toBeUndefined();
    await kv.deleteKVConfig('ns', 'b');
    expect(await kv.getKVListByNamespace('ns')).toEqual({});
  });

  it('answers QUERY_DATA_VERSION as changed until the same DataVersion is asked about, and counts it as a sign of life', async () => {
    const { clock, routing } = setup();
    await routing.registerBroker(registration());
    expect((await routing.queryDataVersion('DefaultCluster', '10.0.0.1:10911', { counter: 2, timestamp: 1000, stateVersion: 0 })).changed).toBe(true);
    const same = await routing.queryDataVersion('DefaultCluster', '10.0.0.1:10911', { counter: 1, timestamp: 1000, stateVersion: 0 });
    expect(same).toEqual({ changed: false, registered: { counter: 1, timestamp: 1000, stateVersion: 0 } });
    clock.now += 100_000;
    await routing.queryDataVersion('DefaultCluster', '10.0.0.1:10911', undefined);
    clock.now += 100_000;
    expect(await routing.scanNotActiveBroker()).toEqual([]);
  });
});
