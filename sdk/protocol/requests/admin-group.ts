/**
 * Group and consumer administration: GET_ALL_CONSUMER_OFFSET (43), GET_ALL_DELAY_OFFSET (45),
 * UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200), GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201),
 * GET_CONSUMER_CONNECTION_LIST (203), GET_PRODUCER_CONNECTION_LIST (204),
 * DELETE_SUBSCRIPTIONGROUP (207), GET_CONSUME_STATS (208),
 * RESET_CONSUMER_CLIENT_OFFSET (220, broker → client), GET_CONSUMER_STATUS_FROM_CLIENT
 * (221, broker → client), INVOKE_BROKER_TO_RESET_OFFSET (222),
 * INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223), QUERY_CONSUME_TIME_SPAN (303),
 * GET_SUBSCRIPTIONGROUP_CONFIG (352, 5.x).
 * Mirrors RocketMQ's GetConsumerConnectionListRequestHeader,
 * GetProducerConnectionListRequestHeader, DeleteSubscriptionGroupRequestHeader,
 * GetConsumeStatsRequestHeader, ResetOffsetRequestHeader, GetConsumerStatusRequestHeader,
 * QueryConsumeTimeSpanRequestHeader and GetSubscriptionGroupConfigRequestHeader.
 */
import {
  emptyHeader,
  long,
  optionalLong,
  optionalString,
  primitiveBoolean,
  string,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';

export const GetConsumerConnectionListRequestHeader = { consumerGroup: string } as const satisfies HeaderSchema;
export const GetProducerConnectionListRequestHeader = { producerGroup: string } as const satisfies HeaderSchema;
export const GetSubscriptionGroupConfigRequestHeader = { group: string } as const satisfies HeaderSchema;

export const DeleteSubscriptionGroupRequestHeader = {
  groupName: string,
  cleanOffset: primitiveBoolean,
} as const satisfies HeaderSchema;

export const GetConsumeStatsRequestHeader = {
  consumerGroup: string,
  /** Empty or absent: every topic of the group. */
  topic: optionalString,
  /** 5.x. */
  topicList: optionalString,
} as const satisfies HeaderSchema;

export const ResetOffsetRequestHeader = {
  group: string,
  topic: string,
  /** −1 (the default) resets every queue. */
  queueId: { type: 'int', required: false, primitiveDefault: -1 },
  offset: optionalLong,
  timestamp: long,
  isForce: { type: 'boolean', required: true },
} as const satisfies HeaderSchema;

export const GetConsumerStatusRequestHeader = {
  topic: string,
  group: string,
  clientAddr: optionalString,
} as const satisfies HeaderSchema;

export const QueryConsumeTimeSpanRequestHeader = { topic: string, group: string } as const satisfies HeaderSchema;

function headerless<const C extends number, const N extends string>(code: C, name: N) {
  return { code, name, request: emptyHeader, response: emptyHeader } as const satisfies RequestDefinition;
}

/** Answers with the consumerOffset wrapper JSON (unquoted numeric keys). */
export const GET_ALL_CONSUMER_OFFSET = headerless(43, 'GET_ALL_CONSUMER_OFFSET');
/** Answers with the delayOffset JSON text. */
export const GET_ALL_DELAY_OFFSET = headerless(45, 'GET_ALL_DELAY_OFFSET');
/** The body is a SubscriptionGroupConfig. */
export const UPDATE_AND_CREATE_SUBSCRIPTIONGROUP = headerless(200, 'UPDATE_AND_CREATE_SUBSCRIPTIONGROUP');
export const GET_ALL_SUBSCRIPTIONGROUP_CONFIG = headerless(201, 'GET_ALL_SUBSCRIPTIONGROUP_CONFIG');

export const GET_CONSUMER_CONNECTION_LIST = {
  code: 203,
  name: 'GET_CONSUMER_CONNECTION_LIST',
  request: GetConsumerConnectionListRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_PRODUCER_CONNECTION_LIST = {
  code: 204,
  name: 'GET_PRODUCER_CONNECTION_LIST',
  request: GetProducerConnectionListRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const DELETE_SUBSCRIPTIONGROUP = {
  code: 207,
  name: 'DELETE_SUBSCRIPTIONGROUP',
  request: DeleteSubscriptionGroupRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with ConsumeStats (object-keyed map). */
export const GET_CONSUME_STATS = {
  code: 208,
  name: 'GET_CONSUME_STATS',
  request: GetConsumeStatsRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Broker → client; the body is a ResetOffsetBody. */
export const RESET_CONSUMER_CLIENT_OFFSET = {
  code: 220,
  name: 'RESET_CONSUMER_CLIENT_OFFSET',
  request: ResetOffsetRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_CONSUMER_STATUS_FROM_CLIENT = {
  code: 221,
  name: 'GET_CONSUMER_STATUS_FROM_CLIENT',
  request: GetConsumerStatusRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with a ResetOffsetBody (object-keyed map). */
export const INVOKE_BROKER_TO_RESET_OFFSET = {
  code: 222,
  name: 'INVOKE_BROKER_TO_RESET_OFFSET',
  request: ResetOffsetRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const INVOKE_BROKER_TO_GET_CONSUMER_STATUS = {
  code: 223,
  name: 'INVOKE_BROKER_TO_GET_CONSUMER_STATUS',
  request: GetConsumerStatusRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const QUERY_CONSUME_TIME_SPAN = {
  code: 303,
  name: 'QUERY_CONSUME_TIME_SPAN',
  request: QueryConsumeTimeSpanRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_SUBSCRIPTIONGROUP_CONFIG = {
  code: 352,
  name: 'GET_SUBSCRIPTIONGROUP_CONFIG',
  request: GetSubscriptionGroupConfigRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;
