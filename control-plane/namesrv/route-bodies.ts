/**
 * The JSON bodies the name server answers with (wire §10.2, §10.4, §10.7),
 * shaped the way fastjson writes RocketMQ's TopicRouteData, ClusterInfo,
 * TopicList and KVTable: bean keys sorted, absent members left out, and
 * `brokerAddrs` a Java `Map<Long, String>`, so its keys are unquoted in the
 * default form (`{0:"…"}`) and quoted in the standard form the route is sent
 * in to clients from 4.9.4 on. The Go client parses the default form by hand
 * and needs the unquoted keys; every Java client reads either.
 */
import { encodeFastjson, type Encodable } from '../../sdk/protocol/fastjson.ts';
import type { ClusterInfo, TopicRouteData } from '../routing/route-info-manager.ts';
import type { BrokerData, QueueData } from '../routing/route-state.ts';

const textEncoder = new TextEncoder();

export function encodeTopicRouteData(route: TopicRouteData, standard: boolean): Uint8Array {
  const bean = {
    brokerDatas: route.brokerDatas.map(brokerDataBean),
    filterServerTable: new Map(Object.entries(route.filterServerTable)),
    orderTopicConf: route.orderTopicConf,
    queueDatas: route.queueDatas.map(queueDataBean),
  };
  return textEncoder.encode(encodeFastjson(bean, { standard }));
}

/** Always the default form, numeric keys unquoted, as Java sends it. */
export function encodeClusterInfo(info: ClusterInfo): Uint8Array {
  const brokerAddrTable = new Map<string, Encodable>();
  for (const [name, broker] of Object.entries(info.brokerAddrTable)) brokerAddrTable.set(name, brokerDataBean(broker));
  const clusterAddrTable = new Map<string, Encodable>(Object.entries(info.clusterAddrTable));
  return textEncoder.encode(encodeFastjson({ brokerAddrTable, clusterAddrTable }));
}

export function encodeTopicList(topics: readonly string[], brokerAddr?: string): Uint8Array {
  return textEncoder.encode(encodeFastjson({ brokerAddr, topicList: topics }));
}

export function encodeKVTable(table: Readonly<Record<string, string>>): Uint8Array {
  return textEncoder.encode(encodeFastjson({ table: new Map(Object.entries(table)) }));
}

function brokerDataBean(broker: BrokerData) {
  const ids = Object.keys(broker.brokerAddrs).map(Number).sort((a, b) => a - b);
  return {
    brokerAddrs: new Map(ids.map((id) => [id, broker.brokerAddrs[id]!] as const)),
    brokerName: broker.brokerName,
    cluster: broker.cluster,
    enableActingMaster: broker.enableActingMaster,
    zoneName: broker.zoneName,
  };
}

function queueDataBean(queueData: QueueData) {
  return {
    brokerName: queueData.brokerName,
    perm: queueData.perm,
    readQueueNums: queueData.readQueueNums,
    topicSysFlag: queueData.topicSysFlag,
    writeQueueNums: queueData.writeQueueNums,
  };
}
