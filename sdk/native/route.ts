/**
 * Topic routes as the client uses them. The name server answers
 * GET_ROUTEINFO_BY_TOPIC with TopicRouteData (wire §10.2); from it a producer
 * takes the writable queues of brokers that have a master (id 0) and a
 * consumer the readable queues, and both learn broker addresses.
 */
import { isReadable, isWriteable } from '../protocol/flags.ts';
import { ObjectKeyedMap, parseFastjson, type JsonValue } from '../protocol/fastjson.ts';
import type { MessageQueue } from './message.ts';

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** Broker id → `host:port`; id 0 is the master. */
  brokerAddrs: Map<number, string>;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
}

/** Reads a route body in either fastjson form (quoted or unquoted broker ids). */
export function parseTopicRouteData(body: Uint8Array): TopicRouteData {
  const parsed = parseFastjson(body);
  const root = asObject(parsed);
  const queueDatas = asArray(root.queueDatas).map((value) => {
    const item = asObject(value);
    return {
      brokerName: String(item.brokerName ?? ''),
      readQueueNums: Number(item.readQueueNums ?? 0),
      writeQueueNums: Number(item.writeQueueNums ?? 0),
      perm: Number(item.perm ?? 0),
      topicSysFlag: Number(item.topicSysFlag ?? item.topicSynFlag ?? 0),
    };
  });
  const brokerDatas = asArray(root.brokerDatas).map((value) => parseBrokerData(value));
  const route: TopicRouteData = { queueDatas, brokerDatas };
  if (typeof root.orderTopicConf === 'string') route.orderTopicConf = root.orderTopicConf;
  return route;
}

export function parseBrokerData(value: JsonValue): BrokerData {
  const item = asObject(value);
  const brokerAddrs = new Map<number, string>();
  const addresses = asObject(item.brokerAddrs ?? null);
  for (const id in addresses) brokerAddrs.set(Number(id), String(addresses[id]));
  return { cluster: String(item.cluster ?? ''), brokerName: String(item.brokerName ?? ''), brokerAddrs };
}

/**
 * The queues a producer may write to, ordered as Java orders them: brokers by
 * name, queue ids ascending. Only brokers with a live master count.
 */
export function publishQueues(topic: string, route: TopicRouteData): MessageQueue[] {
  const queues: MessageQueue[] = [];
  const masters = new Set(route.brokerDatas.filter((broker) => broker.brokerAddrs.has(0)).map((broker) => broker.brokerName));
  const sorted = [...route.queueDatas].sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
  for (const queueData of sorted) {
    if (!isWriteable(queueData.perm) || !masters.has(queueData.brokerName)) continue;
    for (let queueId = 0; queueId < queueData.writeQueueNums; queueId++) queues.push({ topic, brokerName: queueData.brokerName, queueId });
  }
  return queues;
}

/** The queues a consumer may read from. */
export function subscribeQueues(topic: string, route: TopicRouteData): MessageQueue[] {
  const queues: MessageQueue[] = [];
  for (const queueData of route.queueDatas) {
    if (!isReadable(queueData.perm)) continue;
    for (let queueId = 0; queueId < queueData.readQueueNums; queueId++) queues.push({ topic, brokerName: queueData.brokerName, queueId });
  }
  return queues;
}

/** A cheap fingerprint to tell whether a refreshed route changed. */
export function routeFingerprint(route: TopicRouteData): string {
  const queues = route.queueDatas.map((q) => `${q.brokerName}:${q.readQueueNums}:${q.writeQueueNums}:${q.perm}`).sort();
  const brokers = route.brokerDatas.map((b) => `${b.brokerName}=${[...b.brokerAddrs].map(([id, address]) => `${id}@${address}`).sort().join('|')}`).sort();
  return `${queues.join(',')};${brokers.join(',')}`;
}

export function asObject(value: JsonValue | undefined): Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ObjectKeyedMap)
    ? (value as Record<string, JsonValue>)
    : {};
}

export function asArray(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}
