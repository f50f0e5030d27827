/**
 * Topic administration (admin tool → broker): UPDATE_AND_CREATE_TOPIC (17),
 * GET_ALL_TOPIC_CONFIG (21), GET_TOPIC_STATS_INFO (202), DELETE_TOPIC_IN_BROKER (215),
 * QUERY_TOPIC_CONSUME_BY_WHO (300), GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305),
 * GET_TOPIC_CONFIG (351, 5.x), UPDATE_AND_CREATE_STATIC_TOPIC (513, 5.x).
 * Mirrors RocketMQ's CreateTopicRequestHeader, DeleteTopicRequestHeader,
 * GetTopicStatsInfoRequestHeader, QueryTopicConsumeByWhoRequestHeader and
 * GetTopicConfigRequestHeader. GET_ALL_TOPIC_CONFIG's 5.x paging header fields are
 * left out: a broker that ignores them answers with the whole table, as 4.9 does.
 */
import {
  emptyHeader,
  int,
  optionalBoolean,
  optionalInt,
  optionalString,
  string,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';

export const CreateTopicRequestHeader = {
  topic: string,
  /** Any value is accepted (clients send `TBW102`). */
  defaultTopic: string,
  readQueueNums: int,
  writeQueueNums: int,
  /** PermName bits (flags.ts). */
  perm: int,
  /** `SINGLE_TAG` or `MULTI_TAG`. */
  topicFilterType: string,
  topicSysFlag: optionalInt,
  order: { type: 'boolean', required: true },
  /** 5.x: `+key=value,…`. */
  attributes: optionalString,
  force: optionalBoolean,
} as const satisfies HeaderSchema;

export const DeleteTopicRequestHeader = { topic: string } as const satisfies HeaderSchema;
export const GetTopicStatsInfoRequestHeader = { topic: string } as const satisfies HeaderSchema;
export const QueryTopicConsumeByWhoRequestHeader = { topic: string } as const satisfies HeaderSchema;
export const GetTopicConfigRequestHeader = { topic: string } as const satisfies HeaderSchema;

export const UPDATE_AND_CREATE_TOPIC = {
  code: 17,
  name: 'UPDATE_AND_CREATE_TOPIC',
  request: CreateTopicRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with the topics wrapper JSON (TopicConfigSerializeWrapper). */
export const GET_ALL_TOPIC_CONFIG = {
  code: 21,
  name: 'GET_ALL_TOPIC_CONFIG',
  request: emptyHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with a TopicStatsTable (object-keyed map). */
export const GET_TOPIC_STATS_INFO = {
  code: 202,
  name: 'GET_TOPIC_STATS_INFO',
  request: GetTopicStatsInfoRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const DELETE_TOPIC_IN_BROKER = {
  code: 215,
  name: 'DELETE_TOPIC_IN_BROKER',
  request: DeleteTopicRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with a GroupList body. */
export const QUERY_TOPIC_CONSUME_BY_WHO = {
  code: 300,
  name: 'QUERY_TOPIC_CONSUME_BY_WHO',
  request: QueryTopicConsumeByWhoRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with a TopicList body. */
export const GET_SYSTEM_TOPIC_LIST_FROM_BROKER = {
  code: 305,
  name: 'GET_SYSTEM_TOPIC_LIST_FROM_BROKER',
  request: emptyHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const GET_TOPIC_CONFIG = {
  code: 351,
  name: 'GET_TOPIC_CONFIG',
  request: GetTopicConfigRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const UPDATE_AND_CREATE_STATIC_TOPIC = {
  code: 513,
  name: 'UPDATE_AND_CREATE_STATIC_TOPIC',
  request: CreateTopicRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;
