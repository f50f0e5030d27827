/**
 * The name server's answer bodies, written by the shared encoders in
 * sdk/protocol/bodies from the routing's records. The only work here is the
 * change of shape: routing state keeps plain records (what a store such as
 * Redis holds), the encoders take Java-like Maps, and `brokerAddrs` goes out
 * sorted by brokerId as a Java HashMap of small Long keys iterates.
 */
import { encodeClusterInfo as encodeClusterInfoText, encodeTopicRouteData as encodeRouteText, type BrokerData as WireBrokerData } from '../../sdk/protocol/bodies/route.ts';
import { encodeKVTable as encodeKVTableText, encodeTopicList as encodeTopicListText } from '../../sdk/protocol/bodies/small.ts';
import type { ClusterInfo, TopicRouteData } from '../routing/route-info-manager.ts';
import type { BrokerData } from '../routing/route-state.ts';

const textEncoder = new TextEncoder();

/** `standard`: quoted numeric keys, for requesters from V4_9_4 on or that asked for standard JSON. */
export function encodeTopicRouteData(route: TopicRouteData, standard: boolean): Uint8Array {
  const wire = {
    orderTopicConf: route.orderTopicConf,
    queueDatas: route.queueDatas,
    brokerDatas: route.brokerDatas.map(toWireBrokerData),
    filterServerTable: new Map(Object.entries(route.filterServerTable)),
  };
  return textEncoder.encode(encodeRouteText(wire, { standard }));
}

export function encodeClusterInfo(info: ClusterInfo): Uint8Array {
  const brokerAddrTable = new Map(Object.entries(info.brokerAddrTable).map(([name, broker]) => [name, toWireBrokerData(broker)] as const));
  return textEncoder.encode(encodeClusterInfoText({ brokerAddrTable, clusterAddrTable: new Map(Object.entries(info.clusterAddrTable)) }));
}

export function encodeTopicList(topics: readonly string[]): Uint8Array {
  return textEncoder.encode(encodeTopicListText({ topicList: [...topics] }));
}

export function encodeKVTable(table: Readonly<Record<string, string>>): Uint8Array {
  return textEncoder.encode(encodeKVTableText(new Map(Object.entries(table))));
}

function toWireBrokerData(broker: BrokerData): WireBrokerData {
  const ids = Object.keys(broker.brokerAddrs).map(Number).sort((a, b) => a - b);
  return {
    cluster: broker.cluster,
    brokerName: broker.brokerName,
    brokerAddrs: new Map(ids.map((id) => [id, broker.brokerAddrs[id]!] as const)),
    enableActingMaster: broker.enableActingMaster,
    zoneName: broker.zoneName,
  };
}
