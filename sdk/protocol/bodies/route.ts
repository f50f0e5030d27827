/**
 * Route bodies: TopicRouteData (GET_ROUTEINFO_BY_TOPIC, REGISTER_TOPIC_IN_NAMESRV)
 * and ClusterInfo (GET_BROKER_CLUSTER_INFO), with the BrokerData and QueueData
 * they share. Mirrors RocketMQ's route.TopicRouteData, QueueData, BrokerData and
 * body.ClusterInfo.
 *
 * `brokerAddrs` is a Map<Long, String> in Java, which fastjson writes with
 * unquoted keys. Route answers go out in that default form to old clients
 * (the Go client parses the unquoted text itself) and in standard JSON to
 * clients from V4_9_4 on; ClusterInfo is always in the default form.
 */
import { encodeFastjson, type JsonValue } from '../fastjson.ts';
import { asObject, isObject, parseBodyObject, readArray, readBoolean, readEntries, readNumber, readString } from './read.ts';

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  /** PermName bits. */
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** Broker id (0 = master) → `ip:port`. */
  brokerAddrs: Map<number, string>;
  enableActingMaster?: boolean;
  zoneName?: string;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  /** Legacy filter servers: broker address → server addresses; normally empty. */
  filterServerTable: Map<string, string[]>;
}

export interface ClusterInfo {
  brokerAddrTable: Map<string, BrokerData>;
  clusterAddrTable: Map<string, string[]>;
}

function readQueueData(value: JsonValue): QueueData {
  const object = asObject(value, 'QueueData');
  return {
    brokerName: readString(object, 'brokerName') ?? '',
    readQueueNums: readNumber(object, 'readQueueNums'),
    writeQueueNums: readNumber(object, 'writeQueueNums'),
    perm: readNumber(object, 'perm'),
    // Clients up to 4.8 spell it topicSynFlag.
    topicSysFlag: readNumber(object, 'topicSysFlag', readNumber(object, 'topicSynFlag')),
  };
}

export function readBrokerData(value: JsonValue): BrokerData {
  const object = asObject(value, 'BrokerData');
  const brokerAddrs = new Map<number, string>();
  for (const [id, addr] of readEntries(object, 'brokerAddrs')) {
    if (typeof addr === 'string' && /^-?\d+$/.test(id)) brokerAddrs.set(Number(id), addr);
  }
  const broker: BrokerData = { cluster: readString(object, 'cluster') ?? '', brokerName: readString(object, 'brokerName') ?? '', brokerAddrs };
  if (object.enableActingMaster !== undefined) broker.enableActingMaster = readBoolean(object, 'enableActingMaster');
  const zoneName = readString(object, 'zoneName');
  if (zoneName !== undefined) broker.zoneName = zoneName;
  return broker;
}

export function decodeTopicRouteData(body: Uint8Array | string): TopicRouteData {
  const object = parseBodyObject(body, 'TopicRouteData');
  const filterServerTable = new Map<string, string[]>();
  for (const [addr, servers] of readEntries(object, 'filterServerTable')) {
    filterServerTable.set(addr, Array.isArray(servers) ? servers.filter((s): s is string => typeof s === 'string') : []);
  }
  const route: TopicRouteData = {
    queueDatas: readArray(object, 'queueDatas').map(readQueueData),
    brokerDatas: readArray(object, 'brokerDatas').map(readBrokerData),
    filterServerTable,
  };
  const orderTopicConf = readString(object, 'orderTopicConf');
  if (orderTopicConf !== undefined) route.orderTopicConf = orderTopicConf;
  return route;
}

/** The BrokerData bean; `brokerAddrs` stays a Map so its keys come out as Java longs. */
export function brokerDataBean(broker: BrokerData) {
  return {
    brokerAddrs: broker.brokerAddrs,
    brokerName: broker.brokerName,
    cluster: broker.cluster,
    enableActingMaster: broker.enableActingMaster ?? false,
    zoneName: broker.zoneName,
  };
}

export interface RouteEncodeOptions {
  /** Standard JSON (quoted keys) for requesters from V4_9_4 on or that asked for it. */
  readonly standard: boolean;
  /** Also write `topicSynFlag`, the name clients up to 4.8 read. */
  readonly legacyTopicSynFlag?: boolean;
}

export function encodeTopicRouteData(route: TopicRouteData, options: RouteEncodeOptions): string {
  const bean = {
    brokerDatas: route.brokerDatas.map(brokerDataBean),
    filterServerTable: route.filterServerTable,
    orderTopicConf: route.orderTopicConf,
    queueDatas: route.queueDatas.map((queue) => ({
      brokerName: queue.brokerName,
      perm: queue.perm,
      readQueueNums: queue.readQueueNums,
      topicSynFlag: options.legacyTopicSynFlag ? queue.topicSysFlag : undefined,
      topicSysFlag: queue.topicSysFlag,
      writeQueueNums: queue.writeQueueNums,
    })),
  };
  return encodeFastjson(bean, { standard: options.standard });
}

export function decodeClusterInfo(body: Uint8Array | string): ClusterInfo {
  const object = parseBodyObject(body, 'ClusterInfo');
  const brokerAddrTable = new Map<string, BrokerData>();
  for (const [name, broker] of readEntries(object, 'brokerAddrTable')) {
    if (isObject(broker)) brokerAddrTable.set(name, readBrokerData(broker));
  }
  const clusterAddrTable = new Map<string, string[]>();
  for (const [cluster, names] of readEntries(object, 'clusterAddrTable')) {
    clusterAddrTable.set(cluster, Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : []);
  }
  return { brokerAddrTable, clusterAddrTable };
}

/** Always fastjson's default form, as the Java name server writes it. */
export function encodeClusterInfo(info: ClusterInfo): string {
  const brokerAddrTable = new Map([...info.brokerAddrTable].map(([name, broker]) => [name, brokerDataBean(broker)] as const));
  return encodeFastjson({ brokerAddrTable, clusterAddrTable: info.clusterAddrTable });
}
