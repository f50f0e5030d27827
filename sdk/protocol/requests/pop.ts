/**
 * Pop family (5.x): POP_MESSAGE (200050), ACK_MESSAGE (200051), PEEK_MESSAGE (200052),
 * CHANGE_MESSAGE_INVISIBLETIME (200053), NOTIFICATION (200054), POLLING_INFO (200055),
 * BATCH_ACK_MESSAGE (200151).
 * Mirrors RocketMQ's PopMessageRequestHeader, PopMessageResponseHeader,
 * AckMessageRequestHeader, PeekMessageRequestHeader, ChangeInvisibleTimeRequestHeader,
 * ChangeInvisibleTimeResponseHeader, NotificationRequestHeader,
 * NotificationResponseHeader, PollingInfoRequestHeader and PollingInfoResponseHeader.
 *
 * These codes do not fit the binary header's int16 code field (200050 would
 * arrive as 3442), so every client that pops sends JSON headers.
 */
import {
  emptyHeader,
  int,
  long,
  optionalString,
  primitiveBoolean,
  string,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';

/** Most messages one POP_MESSAGE may ask for; more is INVALID_PARAMETER. */
export const popMessagesMax = 32;

/** `reviveQid` of an orderly pop. */
export const orderlyPopReviveQueueId = 999;

export const PopMessageRequestHeader = {
  consumerGroup: string,
  topic: string,
  /** −1: any queue of the topic. */
  queueId: int,
  maxMsgNums: int,
  /** Ms the popped messages stay invisible. */
  invisibleTime: long,
  /** Ms to long-poll when nothing is available. */
  pollTime: long,
  /** Client time in ms; a request already past its poll time is answered POLLING_TIMEOUT. */
  bornTime: long,
  /** Start for a group without offset: 0 = MIN, 1 = MAX (ConsumeInitMode). */
  initMode: int,
  expType: optionalString,
  exp: optionalString,
  /** Boxed in Java but always sent, `false` unless set. */
  order: primitiveBoolean,
  attemptId: optionalString,
} as const satisfies HeaderSchema;

export const PopMessageResponseHeader = {
  popTime: long,
  invisibleTime: long,
  reviveQid: int,
  restNum: long,
  /** `retry queueId startOffset` entries joined with `;`. */
  startOffsetInfo: optionalString,
  /** `retry queueId off1,off2,…` entries joined with `;`. */
  msgOffsetInfo: optionalString,
  orderCountInfo: optionalString,
} as const satisfies HeaderSchema;

export const AckMessageRequestHeader = {
  consumerGroup: string,
  /** The real topic the message was popped from (the pop retry topic for retried messages). */
  topic: string,
  queueId: int,
  /** The receipt handle (`POP_CK`). */
  extraInfo: string,
  /** The message's queue offset. */
  offset: long,
} as const satisfies HeaderSchema;

export const ChangeInvisibleTimeRequestHeader = {
  ...AckMessageRequestHeader,
  invisibleTime: long,
} as const satisfies HeaderSchema;

/** The client builds the new receipt handle from these. */
export const ChangeInvisibleTimeResponseHeader = {
  popTime: long,
  invisibleTime: long,
  reviveQid: int,
} as const satisfies HeaderSchema;

export const PeekMessageRequestHeader = {
  topic: string,
  queueId: int,
  maxMsgNums: int,
  consumerGroup: string,
} as const satisfies HeaderSchema;

export const NotificationRequestHeader = {
  consumerGroup: string,
  topic: string,
  queueId: int,
  pollTime: long,
  bornTime: long,
  order: primitiveBoolean,
  attemptId: optionalString,
} as const satisfies HeaderSchema;

export const NotificationResponseHeader = {
  hasMsg: { type: 'boolean', required: true },
  pollingFull: primitiveBoolean,
} as const satisfies HeaderSchema;

export const PollingInfoRequestHeader = {
  consumerGroup: string,
  topic: string,
  queueId: int,
} as const satisfies HeaderSchema;

export const PollingInfoResponseHeader = { pollingNum: int } as const satisfies HeaderSchema;

export const POP_MESSAGE = {
  code: 200050,
  name: 'POP_MESSAGE',
  request: PopMessageRequestHeader,
  response: PopMessageResponseHeader,
} as const satisfies RequestDefinition;

export const ACK_MESSAGE = {
  code: 200051,
  name: 'ACK_MESSAGE',
  request: AckMessageRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

/** Answers with the pop response header and stored records. */
export const PEEK_MESSAGE = {
  code: 200052,
  name: 'PEEK_MESSAGE',
  request: PeekMessageRequestHeader,
  response: PopMessageResponseHeader,
} as const satisfies RequestDefinition;

export const CHANGE_MESSAGE_INVISIBLETIME = {
  code: 200053,
  name: 'CHANGE_MESSAGE_INVISIBLETIME',
  request: ChangeInvisibleTimeRequestHeader,
  response: ChangeInvisibleTimeResponseHeader,
} as const satisfies RequestDefinition;

export const NOTIFICATION = {
  code: 200054,
  name: 'NOTIFICATION',
  request: NotificationRequestHeader,
  response: NotificationResponseHeader,
} as const satisfies RequestDefinition;

export const POLLING_INFO = {
  code: 200055,
  name: 'POLLING_INFO',
  request: PollingInfoRequestHeader,
  response: PollingInfoResponseHeader,
} as const satisfies RequestDefinition;

/** No header: the acks travel in a BatchAckMessageRequestBody. */
export const BATCH_ACK_MESSAGE = {
  code: 200151,
  name: 'BATCH_ACK_MESSAGE',
  request: emptyHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;
