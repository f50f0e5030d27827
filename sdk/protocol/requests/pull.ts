/**
 * Pull family: PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361, 5.x).
 * Mirrors RocketMQ's PullMessageRequestHeader and PullMessageResponseHeader.
 *
 * The request's `sysFlag` holds PullSysFlag bits (flags.ts). The response header
 * goes with every pull outcome (SUCCESS, PULL_NOT_FOUND, PULL_RETRY_IMMEDIATELY,
 * PULL_OFFSET_MOVED): the Java client decodes it for all four.
 */
import {
  int,
  long,
  optionalInt,
  optionalLong,
  optionalString,
  string,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';

export const PullMessageRequestHeader = {
  consumerGroup: string,
  topic: string,
  queueId: int,
  /** Consume-queue offset to read from. */
  queueOffset: long,
  maxMsgNums: int,
  sysFlag: int,
  /** Consumer's current offset, stored only with FLAG_COMMIT_OFFSET. */
  commitOffset: long,
  /** Long-poll hold time; the Java push consumer asks for 15000. */
  suspendTimeoutMillis: long,
  /** Sent with FLAG_SUBSCRIPTION. */
  subscription: optionalString,
  subVersion: long,
  /** `TAG` (default) or `SQL92`. */
  expressionType: optionalString,
  maxMsgBytes: optionalInt,
  requestSource: optionalInt,
  /** Spelled this way in RocketMQ. */
  proxyFrowardClientId: optionalString,
} as const satisfies HeaderSchema;

export const PullMessageResponseHeader = {
  /** Broker id to pull from next; 0 is the master. */
  suggestWhichBrokerId: long,
  nextBeginOffset: long,
  minOffset: long,
  /** One past the last message. */
  maxOffset: long,
  offsetDelta: optionalLong,
  topicSysFlag: optionalInt,
  groupSysFlag: optionalInt,
  forbiddenType: optionalInt,
} as const satisfies HeaderSchema;

export const PULL_MESSAGE = {
  code: 11,
  name: 'PULL_MESSAGE',
  request: PullMessageRequestHeader,
  response: PullMessageResponseHeader,
} as const satisfies RequestDefinition;

/** Sent by lite pull consumers (PullSysFlag FLAG_LITE_PULL_MESSAGE); served like PULL_MESSAGE. */
export const LITE_PULL_MESSAGE = {
  code: 361,
  name: 'LITE_PULL_MESSAGE',
  request: PullMessageRequestHeader,
  response: PullMessageResponseHeader,
} as const satisfies RequestDefinition;
