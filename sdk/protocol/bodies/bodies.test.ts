// Golden tests: each fixture is verified Java output quoted in the wire reference;
// decoding it and encoding the result must give the same text back.
import { describe, expect, it } from 'vitest';
import { decodeConsumeStats, decodeResetOffsetBody, decodeSubscriptionGroupConfig, decodeTopicStatsTable, encodeConsumeStats, encodeResetOffsetBody, encodeSubscriptionGroupConfig, encodeTopicStatsTable, defaultSubscriptionGroupConfig } from './admin.ts';
import { decodeHeartbeatData, encodeHeartbeatData, javaStringHashCode } from './heartbeat.ts';
import { BodyDecodeError } from './read.ts';
import { decodeInflatedRegisterBrokerBody, decodeRegisterBrokerBody, parseTopicConfigText } from './register-broker.ts';
import { decodeClusterInfo, decodeTopicRouteData, encodeClusterInfo, encodeTopicRouteData } from './route.ts';
import { decodeConsumerIdList, decodeKVTable, decodeLockBatchRequestBody, encodeConsumerIdList, encodeKVTable, encodeLockBatchRequestBody, encodeLockBatchResponseBody } from './small.ts';

const heartbeatJson = '{"clientID":"192.168.0.2@12345#1234567890","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"CG_demo","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1700000000001,"tagsSet":[],"topic":"%RETRY%CG_demo"},{"classFilterMode":false,"codeSet":[2598919,2598920],"expressionType":"TAG","subString":"TagA || TagB","subVersion":1700000000000,"tagsSet":["TagA","TagB"],"topic":"TopicTest"}],"unitMode":false}],"heartbeatFingerprint":0,"producerDataSet":[{"groupName":"PG_demo"}],"withoutSub":false}';
const routeStandard = '{"brokerDatas":[{"brokerAddrs":{"0":"192.168.0.10:10911","1":"192.168.0.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}';
const routeDefault = '{"brokerDatas":[{"brokerAddrs":{0:"192.168.0.10:10911",1:"192.168.0.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}';
const clusterInfo = '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"192.168.0.10:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}';
const topicStats = '{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}:{"lastUpdateTimestamp":1700000000000,"maxOffset":10,"minOffset":0}},"topicPutTps":0.0}';
const consumeStats = '{"consumeTps":1.5,"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}:{"brokerOffset":10,"consumerOffset":7,"lastTimestamp":1700000000000,"pullOffset":0}}}';
const resetOffset = '{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}:5}}';
const subscriptionGroup = '{"attributes":{},"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"consumeMessageOrderly":false,"consumeTimeoutMinute":15,"groupName":"CG_demo","groupRetryPolicy":{"type":"CUSTOMIZED"},"groupSysFlag":0,"notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}';
const lockRequest = '{"clientId":"192.168.0.2@12345","consumerGroup":"CG_demo","mqSet":[{"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}],"onlyThisBroker":false}';
const registerBroker = '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"stateVersion":0,"timestamp":1700000000000},"mappingDataVersion":{"counter":0,"stateVersion":0,"timestamp":1700000000000},"topicConfigTable":{"TopicTest":{"attributes":{},"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4}},"topicQueueMappingDetailMap":{},"topicQueueMappingInfoMap":{}}}';

describe('HeartbeatData', () => {
  it('round-trips the reference heartbeat', () => {
    const heartbeat = decodeHeartbeatData(heartbeatJson);
    expect(heartbeat.consumerDataSet[0]!.subscriptionDataSet[1]!.tagsSet).toEqual(['TagA', 'TagB']);
    expect(encodeHeartbeatData(heartbeat)).toBe(heartbeatJson);
  });

  it('computes tag codes as Java String.hashCode', () => {
    expect(javaStringHashCode('TagA')).toBe(2598919);
    expect(javaStringHashCode('TagB')).toBe(2598920);
  });
});

describe('TopicRouteData', () => {
  it('reads both forms to the same route', () => {
    const route = decodeTopicRouteData(routeDefault);
    expect(route.brokerDatas[0]!.brokerAddrs).toEqual(new Map([[0, '192.168.0.10:10911'], [1, '192.168.0.11:10911']]));
    expect(decodeTopicRouteData(routeStandard)).toEqual(route);
  });

  it('writes the standard form for new clients and the default form for old ones', () => {
    const route = decodeTopicRouteData(routeStandard);
    expect(encodeTopicRouteData(route, { standard: true })).toBe(routeStandard);
    expect(encodeTopicRouteData(route, { standard: false })).toBe(routeDefault);
  });

  it('reads topicSynFlag from clients up to 4.8 and can write it for them', () => {
    const legacy = routeDefault.replace('topicSysFlag":0', 'topicSynFlag":1');
    expect(decodeTopicRouteData(legacy).queueDatas[0]!.topicSysFlag).toBe(1);
    expect(encodeTopicRouteData(decodeTopicRouteData(routeDefault), { standard: false, legacyTopicSynFlag: true })).toContain('"topicSynFlag":0,"topicSysFlag":0');
  });

  it('raises a BodyDecodeError for a body that is not JSON', () => {
    expect(() => decodeTopicRouteData('{"brokerDatas":[')).toThrow(BodyDecodeError);
    expect(() => decodeTopicRouteData('[]')).toThrow(BodyDecodeError);
  });
});

describe('ClusterInfo', () => {
  it('round-trips the reference cluster info in the default form', () => {
    expect(encodeClusterInfo(decodeClusterInfo(clusterInfo))).toBe(clusterInfo);
  });
});

describe('object-keyed admin bodies', () => {
  it('round-trip TopicStatsTable, ConsumeStats and ResetOffsetBody', () => {
    expect(encodeTopicStatsTable(decodeTopicStatsTable(topicStats))).toBe(topicStats);
    expect(encodeConsumeStats(decodeConsumeStats(consumeStats))).toBe(consumeStats);
    const reset = decodeResetOffsetBody(resetOffset);
    expect(reset).toEqual([[{ topic: 'TopicTest', brokerName: 'broker-a', queueId: 0 }, 5]]);
    expect(encodeResetOffsetBody(reset)).toBe(resetOffset);
  });
});

describe('SubscriptionGroupConfig', () => {
  it('round-trips the reference config, which holds the 5.x defaults', () => {
    const config = decodeSubscriptionGroupConfig(subscriptionGroup);
    expect(config).toEqual(defaultSubscriptionGroupConfig('CG_demo'));
    expect(encodeSubscriptionGroupConfig(config)).toBe(subscriptionGroup);
  });

  it('fills 4.9 configs with the defaults', () => {
    expect(decodeSubscriptionGroupConfig('{"groupName":"g","retryMaxTimes":3}')).toMatchObject({ retryMaxTimes: 3, consumeTimeoutMinute: 15 });
  });
});

describe('small bodies', () => {
  it('round-trip lock, consumer list and KVTable bodies', () => {
    expect(encodeLockBatchRequestBody(decodeLockBatchRequestBody(lockRequest))).toBe(lockRequest);
    expect(encodeLockBatchResponseBody([{ topic: 'TopicTest', brokerName: 'broker-a', queueId: 0 }])).toBe('{"lockOKMQSet":[{"brokerName":"broker-a","queueId":0,"topic":"TopicTest"}]}');
    const ids = '{"consumerIdList":["192.168.0.2@12345","192.168.0.3@23456"]}';
    expect(encodeConsumerIdList(decodeConsumerIdList(ids))).toBe(ids);
    expect(encodeKVTable(decodeKVTable('{"table":{"brokerVersionDesc":"V5_3_3"}}'))).toBe('{"table":{"brokerVersionDesc":"V5_3_3"}}');
  });
});

describe('RegisterBrokerBody', () => {
  it('reads the uncompressed 5.x body', () => {
    const body = decodeRegisterBrokerBody(registerBroker);
    expect(body.topicConfigSerializeWrapper.dataVersion).toEqual({ counter: 3, stateVersion: 0, timestamp: 1700000000000 });
    expect(body.topicConfigSerializeWrapper.topicConfigTable.get('TopicTest')).toMatchObject({ readQueueNums: 4, perm: 6, attributes: {} });
  });

  it('reads the inflated compressed form', () => {
    const encoder = new TextEncoder();
    const chunk = (text: string) => {
      const bytes = encoder.encode(text);
      const out = new Uint8Array(4 + bytes.length);
      new DataView(out.buffer).setInt32(0, bytes.length);
      out.set(bytes, 4);
      return out;
    };
    const count = new Uint8Array([0, 0, 0, 1]);
    const parts = [chunk('{"counter":3,"timestamp":1700000000000}'), count, chunk('TopicTest 4 4 6 SINGLE_TAG {}'), chunk('[]')];
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    const body = decodeInflatedRegisterBrokerBody(bytes);
    expect(body.topicConfigSerializeWrapper.topicConfigTable.get('TopicTest')).toEqual(parseTopicConfigText('TopicTest 4 4 6 SINGLE_TAG {}'));
    expect(() => decodeInflatedRegisterBrokerBody(bytes.subarray(0, bytes.length - 1))).toThrow(BodyDecodeError);
  });
});
