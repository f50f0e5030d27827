/**
 * Admin bodies: the object-keyed maps TopicStatsTable (GET_TOPIC_STATS_INFO),
 * ConsumeStats (GET_CONSUME_STATS) and ResetOffsetBody (INVOKE_BROKER_TO_RESET_OFFSET,
 * RESET_CONSUMER_CLIENT_OFFSET), and SubscriptionGroupConfig
 * (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP). Mirrors RocketMQ's admin.TopicStatsTable,
 * TopicOffset, ConsumeStats, OffsetWrapper, body.ResetOffsetBody and
 * subscription.SubscriptionGroupConfig.
 *
 * fastjson writes a Map<MessageQueue, …> with each key as a JSON object; Java
 * clients need exactly that form to rebuild the keys, so these encoders write
 * it and never standard JSON.
 */
import { JavaDouble, ObjectKeyedMap, encodeFastjson, type JsonObject } from '../fastjson.ts';
import { messageQueueBean, readMessageQueue, type MessageQueue } from './message-queue.ts';
import { asObject, isObject, parseBodyObject, readBoolean, readEntries, readNumber, readObjectKeyedEntries, readString } from './read.ts';

export interface TopicOffset {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface TopicStatsTable {
  offsetTable: Array<[MessageQueue, TopicOffset]>;
  topicPutTps?: number;
}

export interface OffsetWrapper {
  brokerOffset: number;
  consumerOffset: number;
  pullOffset: number;
  lastTimestamp: number;
}

export interface ConsumeStats {
  offsetTable: Array<[MessageQueue, OffsetWrapper]>;
  consumeTps: number;
}

function objectKeyed<T>(entries: ReadonlyArray<readonly [MessageQueue, T]>, bean: (value: T) => unknown): ObjectKeyedMap {
  return new ObjectKeyedMap(entries.map(([queue, value]) => [messageQueueBean(queue), bean(value) as never]));
}

export function decodeTopicStatsTable(body: Uint8Array | string): TopicStatsTable {
  const object = parseBodyObject(body, 'TopicStatsTable');
  const offsetTable = readObjectKeyedEntries(object, 'offsetTable').map(([key, value]) => {
    const offset = asObject(value, 'TopicOffset');
    return [
      readMessageQueue(key, 'MessageQueue'),
      { minOffset: readNumber(offset, 'minOffset'), maxOffset: readNumber(offset, 'maxOffset'), lastUpdateTimestamp: readNumber(offset, 'lastUpdateTimestamp') },
    ] as [MessageQueue, TopicOffset];
  });
  const stats: TopicStatsTable = { offsetTable };
  if (object.topicPutTps !== undefined) stats.topicPutTps = readNumber(object, 'topicPutTps');
  return stats;
}

export function encodeTopicStatsTable(stats: TopicStatsTable): string {
  return encodeFastjson({
    offsetTable: objectKeyed(stats.offsetTable, (offset) => ({ ...offset })),
    topicPutTps: stats.topicPutTps === undefined ? undefined : new JavaDouble(stats.topicPutTps),
  });
}

export function decodeConsumeStats(body: Uint8Array | string): ConsumeStats {
  const object = parseBodyObject(body, 'ConsumeStats');
  const offsetTable = readObjectKeyedEntries(object, 'offsetTable').map(([key, value]) => {
    const offset = asObject(value, 'OffsetWrapper');
    return [
      readMessageQueue(key, 'MessageQueue'),
      {
        brokerOffset: readNumber(offset, 'brokerOffset'),
        consumerOffset: readNumber(offset, 'consumerOffset'),
        pullOffset: readNumber(offset, 'pullOffset'),
        lastTimestamp: readNumber(offset, 'lastTimestamp'),
      },
    ] as [MessageQueue, OffsetWrapper];
  });
  return { offsetTable, consumeTps: readNumber(object, 'consumeTps') };
}

export function encodeConsumeStats(stats: ConsumeStats): string {
  return encodeFastjson({ consumeTps: new JavaDouble(stats.consumeTps), offsetTable: objectKeyed(stats.offsetTable, (offset) => ({ ...offset })) });
}

/** ResetOffsetBody: the offset each queue was reset to. */
export function decodeResetOffsetBody(body: Uint8Array | string): Array<[MessageQueue, number]> {
  const object = parseBodyObject(body, 'ResetOffsetBody');
  return readObjectKeyedEntries(object, 'offsetTable').map(([key, value]) => [
    readMessageQueue(key, 'MessageQueue'),
    typeof value === 'number' ? value : Number(value),
  ]);
}

export function encodeResetOffsetBody(offsetTable: ReadonlyArray<readonly [MessageQueue, number]>): string {
  return encodeFastjson({ offsetTable: objectKeyed(offsetTable, (offset) => offset) });
}

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  groupSysFlag: number;
  consumeTimeoutMinute: number;
  /** 5.x: `{"type":"CUSTOMIZED"}` by default; kept as received. */
  groupRetryPolicy?: JsonObject;
  attributes: Record<string, string>;
}

/** RocketMQ 5.x defaults for a new group. */
export function defaultSubscriptionGroupConfig(groupName: string): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    consumeMessageOrderly: false,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
    groupSysFlag: 0,
    consumeTimeoutMinute: 15,
    groupRetryPolicy: { type: 'CUSTOMIZED' },
    attributes: {},
  };
}

export function readSubscriptionGroupConfig(object: JsonObject): SubscriptionGroupConfig {
  const defaults = defaultSubscriptionGroupConfig(readString(object, 'groupName') ?? '');
  return {
    groupName: defaults.groupName,
    consumeEnable: readBoolean(object, 'consumeEnable', defaults.consumeEnable),
    consumeFromMinEnable: readBoolean(object, 'consumeFromMinEnable', defaults.consumeFromMinEnable),
    consumeBroadcastEnable: readBoolean(object, 'consumeBroadcastEnable', defaults.consumeBroadcastEnable),
    consumeMessageOrderly: readBoolean(object, 'consumeMessageOrderly', defaults.consumeMessageOrderly),
    retryQueueNums: readNumber(object, 'retryQueueNums', defaults.retryQueueNums),
    retryMaxTimes: readNumber(object, 'retryMaxTimes', defaults.retryMaxTimes),
    brokerId: readNumber(object, 'brokerId', defaults.brokerId),
    whichBrokerWhenConsumeSlowly: readNumber(object, 'whichBrokerWhenConsumeSlowly', defaults.whichBrokerWhenConsumeSlowly),
    notifyConsumerIdsChangedEnable: readBoolean(object, 'notifyConsumerIdsChangedEnable', defaults.notifyConsumerIdsChangedEnable),
    groupSysFlag: readNumber(object, 'groupSysFlag', defaults.groupSysFlag),
    consumeTimeoutMinute: readNumber(object, 'consumeTimeoutMinute', defaults.consumeTimeoutMinute),
    groupRetryPolicy: isObject(object.groupRetryPolicy) ? object.groupRetryPolicy : defaults.groupRetryPolicy,
    attributes: Object.fromEntries(readEntries(object, 'attributes').map(([k, v]) => [k, String(v)])),
  };
}

export function decodeSubscriptionGroupConfig(body: Uint8Array | string): SubscriptionGroupConfig {
  return readSubscriptionGroupConfig(parseBodyObject(body, 'SubscriptionGroupConfig'));
}

export function encodeSubscriptionGroupConfig(config: SubscriptionGroupConfig): string {
  return encodeFastjson({ ...config });
}
