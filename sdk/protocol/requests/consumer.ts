/**
 * Consumer family: HEART_BEAT (34), UNREGISTER_CLIENT (35), CONSUMER_SEND_MSG_BACK (36),
 * GET_CONSUMER_LIST_BY_GROUP (38), NOTIFY_CONSUMER_IDS_CHANGED (40, broker → client),
 * GET_CONSUMER_RUNNING_INFO (307), CONSUME_MESSAGE_DIRECTLY (309).
 * Mirrors RocketMQ's HeartbeatRequestHeader, UnregisterClientRequestHeader,
 * ConsumerSendMsgBackRequestHeader, GetConsumerListByGroupRequestHeader,
 * NotifyConsumerIdsChangedRequestHeader, GetConsumerRunningInfoRequestHeader and
 * ConsumeMessageDirectlyResultRequestHeader.
 *
 * HEART_BEAT carries HeartbeatData JSON (bodies.ts); GET_CONSUMER_LIST_BY_GROUP
 * answers with a GetConsumerListByGroupResponseBody. The last two are admin
 * requests that the broker relays to the client that owns the group.
 */
import {
  emptyHeader,
  int,
  long,
  optionalInt,
  optionalString,
  primitiveBoolean,
  string,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';

/** 5.x declares an empty header class; 4.9 sends none. */
export const HeartbeatRequestHeader = emptyHeader;

export const UnregisterClientRequestHeader = {
  clientID: string,
  producerGroup: optionalString,
  consumerGroup: optionalString,
} as const satisfies HeaderSchema;

export const ConsumerSendMsgBackRequestHeader = {
  /** Commit-log offset of the failed message. */
  offset: long,
  group: string,
  /** 0: the broker picks `3 + reconsumeTimes`; below 0: straight to the DLQ. */
  delayLevel: int,
  originMsgId: optionalString,
  originTopic: optionalString,
  unitMode: primitiveBoolean,
  /** Overrides the group's `retryMaxTimes` when present. */
  maxReconsumeTimes: optionalInt,
} as const satisfies HeaderSchema;

export const GetConsumerListByGroupRequestHeader = { consumerGroup: string } as const satisfies HeaderSchema;

export const NotifyConsumerIdsChangedRequestHeader = { consumerGroup: string } as const satisfies HeaderSchema;

export const GetConsumerRunningInfoRequestHeader = {
  consumerGroup: string,
  clientId: string,
  jstackEnable: primitiveBoolean,
} as const satisfies HeaderSchema;

export const ConsumeMessageDirectlyResultRequestHeader = {
  consumerGroup: string,
  clientId: optionalString,
  msgId: optionalString,
  brokerName: optionalString,
  topic: optionalString,
  topicSysFlag: optionalInt,
  groupSysFlag: optionalInt,
} as const satisfies HeaderSchema;

export const HEART_BEAT = {
  code: 34,
  name: 'HEART_BEAT',
  request: HeartbeatRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const UNREGISTER_CLIENT = {
  code: 35,
  name: 'UNREGISTER_CLIENT',
  request: UnregisterClientRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const CONSUMER_SEND_MSG_BACK = {
  code: 36,
  name: 'CONSUMER_SEND_MSG_BACK',
  request: ConsumerSendMsgBackRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_CONSUMER_LIST_BY_GROUP = {
  code: 38,
  name: 'GET_CONSUMER_LIST_BY_GROUP',
  request: GetConsumerListByGroupRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Oneway, broker → every member of the group; triggers an immediate rebalance. */
export const NOTIFY_CONSUMER_IDS_CHANGED = {
  code: 40,
  name: 'NOTIFY_CONSUMER_IDS_CHANGED',
  request: NotifyConsumerIdsChangedRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_CONSUMER_RUNNING_INFO = {
  code: 307,
  name: 'GET_CONSUMER_RUNNING_INFO',
  request: GetConsumerRunningInfoRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Body: one store record; the answer's body is a ConsumeMessageDirectlyResult. */
export const CONSUME_MESSAGE_DIRECTLY = {
  code: 309,
  name: 'CONSUME_MESSAGE_DIRECTLY',
  request: ConsumeMessageDirectlyResultRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;
