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
  type HeaderDecodeResult,
  type HeaderOf,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';
import { decodeByName, GENERIC, intText, longText, optionalIntText, optionalLongText, optionalText } from './field-readers.ts';

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

/**
 * Decodes a pull request's header exactly as `decodeHeader(PullMessageRequestHeader, …)`
 * would, reading its keys by name when every field is well formed (a broker
 * decodes one per pull), the generic decoder otherwise.
 */
export function decodePullMessageRequestHeader(
  extFields: Readonly<Record<string, string>> | undefined,
): HeaderDecodeResult<typeof PullMessageRequestHeader> {
  return decodeByName(PullMessageRequestHeader, extFields, pullRequestHeaderFast);
}

function pullRequestHeaderFast(ext: Readonly<Record<string, unknown>>): HeaderOf<typeof PullMessageRequestHeader> | undefined {
  const consumerGroup = ext.consumerGroup;
  const topic = ext.topic;
  if (typeof consumerGroup !== 'string' || typeof topic !== 'string') return undefined;
  const queueId = intText(ext.queueId);
  const queueOffset = longText(ext.queueOffset);
  const maxMsgNums = intText(ext.maxMsgNums);
  const sysFlag = intText(ext.sysFlag);
  const commitOffset = longText(ext.commitOffset);
  const suspendTimeoutMillis = longText(ext.suspendTimeoutMillis);
  const subVersion = longText(ext.subVersion);
  if (
    queueId === undefined ||
    queueOffset === undefined ||
    maxMsgNums === undefined ||
    sysFlag === undefined ||
    commitOffset === undefined ||
    suspendTimeoutMillis === undefined ||
    subVersion === undefined
  ) {
    return undefined;
  }
  const header: HeaderOf<typeof PullMessageRequestHeader> = { consumerGroup, topic, queueId, queueOffset, maxMsgNums, sysFlag, commitOffset, suspendTimeoutMillis, subVersion };
  const subscription = optionalText(ext.subscription);
  const expressionType = optionalText(ext.expressionType);
  const maxMsgBytes = optionalIntText(ext.maxMsgBytes);
  const requestSource = optionalIntText(ext.requestSource);
  const proxyFrowardClientId = optionalText(ext.proxyFrowardClientId);
  if (subscription === GENERIC || expressionType === GENERIC || maxMsgBytes === GENERIC || requestSource === GENERIC || proxyFrowardClientId === GENERIC) {
    return undefined;
  }
  if (subscription !== undefined) header.subscription = subscription;
  if (expressionType !== undefined) header.expressionType = expressionType;
  if (maxMsgBytes !== undefined) header.maxMsgBytes = maxMsgBytes;
  if (requestSource !== undefined) header.requestSource = requestSource;
  if (proxyFrowardClientId !== undefined) header.proxyFrowardClientId = proxyFrowardClientId;
  return header;
}

/**
 * Decodes a pull answer's header exactly as `decodeHeader(PullMessageResponseHeader, …)`
 * would, by key name when every field is well formed (a consumer decodes one
 * per pull), the generic decoder otherwise.
 */
export function decodePullMessageResponseHeader(
  extFields: Readonly<Record<string, string>> | undefined,
): HeaderDecodeResult<typeof PullMessageResponseHeader> {
  return decodeByName(PullMessageResponseHeader, extFields, pullResponseHeaderFast);
}

function pullResponseHeaderFast(ext: Readonly<Record<string, unknown>>): HeaderOf<typeof PullMessageResponseHeader> | undefined {
  const suggestWhichBrokerId = longText(ext.suggestWhichBrokerId);
  const nextBeginOffset = longText(ext.nextBeginOffset);
  const minOffset = longText(ext.minOffset);
  const maxOffset = longText(ext.maxOffset);
  if (suggestWhichBrokerId === undefined || nextBeginOffset === undefined || minOffset === undefined || maxOffset === undefined) return undefined;
  const header: HeaderOf<typeof PullMessageResponseHeader> = { suggestWhichBrokerId, nextBeginOffset, minOffset, maxOffset };
  const offsetDelta = optionalLongText(ext.offsetDelta);
  const topicSysFlag = optionalIntText(ext.topicSysFlag);
  const groupSysFlag = optionalIntText(ext.groupSysFlag);
  const forbiddenType = optionalIntText(ext.forbiddenType);
  if (offsetDelta === GENERIC || topicSysFlag === GENERIC || groupSysFlag === GENERIC || forbiddenType === GENERIC) return undefined;
  if (offsetDelta !== undefined) header.offsetDelta = offsetDelta;
  if (topicSysFlag !== undefined) header.topicSysFlag = topicSysFlag;
  if (groupSysFlag !== undefined) header.groupSysFlag = groupSysFlag;
  if (forbiddenType !== undefined) header.forbiddenType = forbiddenType;
  return header;
}
