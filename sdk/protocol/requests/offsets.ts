/**
 * Offset family: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15),
 * SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30), GET_MIN_OFFSET (31),
 * GET_EARLIEST_MSG_STORETIME (32).
 * Mirrors RocketMQ's QueryConsumerOffsetRequestHeader/ResponseHeader,
 * UpdateConsumerOffsetRequestHeader/ResponseHeader, SearchOffsetRequestHeader/ResponseHeader,
 * GetMaxOffsetRequestHeader/ResponseHeader, GetMinOffsetRequestHeader/ResponseHeader and
 * GetEarliestMsgStoretimeRequestHeader/ResponseHeader.
 */
import {
  emptyHeader,
  int,
  long,
  optionalBoolean,
  optionalString,
  primitiveBooleanTrue,
  string,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';

export const QueryConsumerOffsetRequestHeader = {
  consumerGroup: string,
  topic: string,
  queueId: int,
  /** 5.x: `false` means never answer 0 for an unknown offset. */
  setZeroIfNotFound: optionalBoolean,
} as const satisfies HeaderSchema;

export const QueryConsumerOffsetResponseHeader = { offset: long } as const satisfies HeaderSchema;

export const UpdateConsumerOffsetRequestHeader = {
  consumerGroup: string,
  topic: string,
  queueId: int,
  /** The next message to consume. */
  commitOffset: long,
} as const satisfies HeaderSchema;

export const UpdateConsumerOffsetResponseHeader = emptyHeader;

export const SearchOffsetRequestHeader = {
  topic: string,
  queueId: int,
  /** Store time in ms. */
  timestamp: long,
  /** 5.x: `LOWER` (default) or `UPPER`, case-insensitive. */
  boundaryType: optionalString,
} as const satisfies HeaderSchema;

export const SearchOffsetResponseHeader = { offset: long } as const satisfies HeaderSchema;

export const GetMaxOffsetRequestHeader = {
  topic: string,
  queueId: int,
  /** 5.x primitive boolean, always sent, `true` unless set. */
  committed: primitiveBooleanTrue,
} as const satisfies HeaderSchema;

export const GetMaxOffsetResponseHeader = { offset: long } as const satisfies HeaderSchema;

export const GetMinOffsetRequestHeader = { topic: string, queueId: int } as const satisfies HeaderSchema;

export const GetMinOffsetResponseHeader = { offset: long } as const satisfies HeaderSchema;

export const GetEarliestMsgStoretimeRequestHeader = { topic: string, queueId: int } as const satisfies HeaderSchema;

/** Store time of the first message in the queue, −1 when there is none. */
export const GetEarliestMsgStoretimeResponseHeader = { timestamp: long } as const satisfies HeaderSchema;

export const QUERY_CONSUMER_OFFSET = {
  code: 14,
  name: 'QUERY_CONSUMER_OFFSET',
  request: QueryConsumerOffsetRequestHeader,
  response: QueryConsumerOffsetResponseHeader,
} as const satisfies RequestDefinition;

/** Oneway from the Java push consumer, sync from some admin paths. */
export const UPDATE_CONSUMER_OFFSET = {
  code: 15,
  name: 'UPDATE_CONSUMER_OFFSET',
  request: UpdateConsumerOffsetRequestHeader,
  response: UpdateConsumerOffsetResponseHeader,
} as const satisfies RequestDefinition;

export const SEARCH_OFFSET_BY_TIMESTAMP = {
  code: 29,
  name: 'SEARCH_OFFSET_BY_TIMESTAMP',
  request: SearchOffsetRequestHeader,
  response: SearchOffsetResponseHeader,
} as const satisfies RequestDefinition;

export const GET_MAX_OFFSET = {
  code: 30,
  name: 'GET_MAX_OFFSET',
  request: GetMaxOffsetRequestHeader,
  response: GetMaxOffsetResponseHeader,
} as const satisfies RequestDefinition;

export const GET_MIN_OFFSET = {
  code: 31,
  name: 'GET_MIN_OFFSET',
  request: GetMinOffsetRequestHeader,
  response: GetMinOffsetResponseHeader,
} as const satisfies RequestDefinition;

export const GET_EARLIEST_MSG_STORETIME = {
  code: 32,
  name: 'GET_EARLIEST_MSG_STORETIME',
  request: GetEarliestMsgStoretimeRequestHeader,
  response: GetEarliestMsgStoretimeResponseHeader,
} as const satisfies RequestDefinition;
