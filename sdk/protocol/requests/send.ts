/**
 * Send family: SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320),
 * SEND_REPLY_MESSAGE (324), SEND_REPLY_MESSAGE_V2 (325).
 * Mirrors RocketMQ's SendMessageRequestHeader, SendMessageRequestHeaderV2 and
 * SendMessageResponseHeader.
 *
 * V2 carries the same fields as V1 under one-letter keys to save header bytes;
 * servers convert V2 to V1 field for field and work on V1 only.
 */
import {
  decodeHeader,
  int,
  long,
  optionalBoolean,
  optionalInt,
  optionalString,
  string,
  type HeaderDecodeResult,
  type HeaderOf,
  type HeaderSchema,
  type RequestDefinition,
} from '../fields.ts';
import { decodeByName, GENERIC, intText, longText, optionalBooleanText, optionalIntText, optionalText } from './field-readers.ts';

export const SendMessageRequestHeader = {
  producerGroup: string,
  topic: string,
  /** Template topic for auto-creation, normally `TBW102`. */
  defaultTopic: string,
  defaultTopicQueueNums: int,
  /** Negative: the broker picks a random writable queue. */
  queueId: int,
  sysFlag: int,
  bornTimestamp: long,
  flag: int,
  properties: optionalString,
  reconsumeTimes: optionalInt,
  /** 4.9 declares it primitive and always sends it; 5.x may leave it out. */
  unitMode: optionalBoolean,
  maxReconsumeTimes: optionalInt,
  /** True for SEND_BATCH_MESSAGE; 4.9 always sends it. */
  batch: optionalBoolean,
  /** Inherited `brokerName` of 5.x RpcRequestHeader. */
  bname: optionalString,
} as const satisfies HeaderSchema;

export const SendMessageRequestHeaderV2 = {
  a: string,
  b: string,
  c: string,
  d: int,
  e: int,
  f: int,
  g: long,
  h: int,
  i: optionalString,
  j: optionalInt,
  k: optionalBoolean,
  l: optionalInt,
  m: optionalBoolean,
  n: optionalString,
} as const satisfies HeaderSchema;

/** Each V2 letter and the V1 field it stands for. */
export const sendMessageV2Keys = {
  a: 'producerGroup',
  b: 'topic',
  c: 'defaultTopic',
  d: 'defaultTopicQueueNums',
  e: 'queueId',
  f: 'sysFlag',
  g: 'bornTimestamp',
  h: 'flag',
  i: 'properties',
  j: 'reconsumeTimes',
  k: 'unitMode',
  l: 'maxReconsumeTimes',
  m: 'batch',
  n: 'bname',
} as const satisfies Record<keyof typeof SendMessageRequestHeaderV2, keyof typeof SendMessageRequestHeader>;

export type SendMessageRequest = HeaderOf<typeof SendMessageRequestHeader>;
export type SendMessageRequestV2 = HeaderOf<typeof SendMessageRequestHeaderV2>;

/** The V1 header a V2 header stands for; absent optional fields stay absent. */
export function sendMessageHeaderV1FromV2(v2: SendMessageRequestV2): SendMessageRequest {
  const v1: SendMessageRequest = {
    producerGroup: v2.a,
    topic: v2.b,
    defaultTopic: v2.c,
    defaultTopicQueueNums: v2.d,
    queueId: v2.e,
    sysFlag: v2.f,
    bornTimestamp: v2.g,
    flag: v2.h,
  };
  if (v2.i !== undefined) v1.properties = v2.i;
  if (v2.j !== undefined) v1.reconsumeTimes = v2.j;
  if (v2.k !== undefined) v1.unitMode = v2.k;
  if (v2.l !== undefined) v1.maxReconsumeTimes = v2.l;
  if (v2.m !== undefined) v1.batch = v2.m;
  if (v2.n !== undefined) v1.bname = v2.n;
  return v1;
}

/**
 * Decodes a SEND_MESSAGE_V2 or SEND_BATCH_MESSAGE header straight to the V1
 * header, exactly as `decodeHeader(SendMessageRequestHeaderV2, …)` followed by
 * `sendMessageHeaderV1FromV2` would. Every send pays for its header, and the
 * generic decoder's loads and stores by computed key were about a sixth of a
 * broker's time on single sends: the common case (every field text, numbers
 * in range) reads the one-letter keys by name here, and anything else takes
 * the generic path, so failures and their messages stay the same.
 */
export function decodeSendMessageHeaderV2(
  extFields: Readonly<Record<string, string>> | undefined,
): HeaderDecodeResult<typeof SendMessageRequestHeader> {
  const header = extFields === undefined ? undefined : sendHeaderV2Fast(extFields);
  if (header !== undefined) return { ok: true, header };
  const decoded = decodeHeader(SendMessageRequestHeaderV2, extFields);
  return decoded.ok ? { ok: true, header: sendMessageHeaderV1FromV2(decoded.header) } : decoded;
}

/** The V1 header when every field is well formed; undefined sends the caller down the generic path. */
function sendHeaderV2Fast(ext: Readonly<Record<string, unknown>>): SendMessageRequest | undefined {
  const a = ext.a;
  const b = ext.b;
  const c = ext.c;
  if (typeof a !== 'string' || typeof b !== 'string' || typeof c !== 'string') return undefined;
  const d = intText(ext.d);
  const e = intText(ext.e);
  const f = intText(ext.f);
  const g = longText(ext.g);
  const h = intText(ext.h);
  if (d === undefined || e === undefined || f === undefined || g === undefined || h === undefined) return undefined;
  const header: SendMessageRequest = {
    producerGroup: a,
    topic: b,
    defaultTopic: c,
    defaultTopicQueueNums: d,
    queueId: e,
    sysFlag: f,
    bornTimestamp: g,
    flag: h,
  };
  const i = optionalText(ext.i);
  const j = optionalIntText(ext.j);
  const k = optionalBooleanText(ext.k);
  const l = optionalIntText(ext.l);
  const m = optionalBooleanText(ext.m);
  const n = optionalText(ext.n);
  if (i === GENERIC || j === GENERIC || k === GENERIC || l === GENERIC || m === GENERIC || n === GENERIC) return undefined;
  if (i !== undefined) header.properties = i;
  if (j !== undefined) header.reconsumeTimes = j;
  if (k !== undefined) header.unitMode = k;
  if (l !== undefined) header.maxReconsumeTimes = l;
  if (m !== undefined) header.batch = m;
  if (n !== undefined) header.bname = n;
  return header;
}

/** The V2 header for a V1 header, as a client that sends SEND_MESSAGE_V2 builds it. */
export function sendMessageHeaderV2FromV1(v1: SendMessageRequest): SendMessageRequestV2 {
  const v2: SendMessageRequestV2 = {
    a: v1.producerGroup,
    b: v1.topic,
    c: v1.defaultTopic,
    d: v1.defaultTopicQueueNums,
    e: v1.queueId,
    f: v1.sysFlag,
    g: v1.bornTimestamp,
    h: v1.flag,
  };
  if (v1.properties !== undefined) v2.i = v1.properties;
  if (v1.reconsumeTimes !== undefined) v2.j = v1.reconsumeTimes;
  if (v1.unitMode !== undefined) v2.k = v1.unitMode;
  if (v1.maxReconsumeTimes !== undefined) v2.l = v1.maxReconsumeTimes;
  if (v1.batch !== undefined) v2.m = v1.batch;
  if (v1.bname !== undefined) v2.n = v1.bname;
  return v2;
}

/**
 * The send answer. Java clients also read `MSG_REGION` and `TRACE_ON` from the
 * response's extFields without a null check, so a send response always carries
 * an extFields map (see `MessageConst.PROPERTY_MSG_REGION`).
 */
export const SendMessageResponseHeader = {
  /** Offset message id of the stored record; for a batch, all ids joined with `,`. */
  msgId: string,
  queueId: int,
  queueOffset: long,
  transactionId: optionalString,
  batchUniqId: optionalString,
  recallHandle: optionalString,
} as const satisfies HeaderSchema;

/**
 * Decodes a send answer's header exactly as `decodeHeader(SendMessageResponseHeader, …)`
 * would, reading its keys by name when every field is well formed (a
 * producer decodes one per message), the generic decoder otherwise.
 */
export function decodeSendMessageResponseHeader(
  extFields: Readonly<Record<string, string>> | undefined,
): HeaderDecodeResult<typeof SendMessageResponseHeader> {
  return decodeByName(SendMessageResponseHeader, extFields, sendResponseHeaderFast);
}

function sendResponseHeaderFast(ext: Readonly<Record<string, unknown>>): HeaderOf<typeof SendMessageResponseHeader> | undefined {
  const msgId = ext.msgId;
  if (typeof msgId !== 'string') return undefined;
  const queueId = intText(ext.queueId);
  const queueOffset = longText(ext.queueOffset);
  if (queueId === undefined || queueOffset === undefined) return undefined;
  const header: HeaderOf<typeof SendMessageResponseHeader> = { msgId, queueId, queueOffset };
  const transactionId = optionalText(ext.transactionId);
  const batchUniqId = optionalText(ext.batchUniqId);
  const recallHandle = optionalText(ext.recallHandle);
  if (transactionId === GENERIC || batchUniqId === GENERIC || recallHandle === GENERIC) return undefined;
  if (transactionId !== undefined) header.transactionId = transactionId;
  if (batchUniqId !== undefined) header.batchUniqId = batchUniqId;
  if (recallHandle !== undefined) header.recallHandle = recallHandle;
  return header;
}

export const SEND_MESSAGE = {
  code: 10,
  name: 'SEND_MESSAGE',
  request: SendMessageRequestHeader,
  response: SendMessageResponseHeader,
} as const satisfies RequestDefinition;

export const SEND_MESSAGE_V2 = {
  code: 310,
  name: 'SEND_MESSAGE_V2',
  request: SendMessageRequestHeaderV2,
  response: SendMessageResponseHeader,
} as const satisfies RequestDefinition;

/** Header `m` is true; the body is the batch encoding of batch-body.ts. */
export const SEND_BATCH_MESSAGE = {
  code: 320,
  name: 'SEND_BATCH_MESSAGE',
  request: SendMessageRequestHeaderV2,
  response: SendMessageResponseHeader,
} as const satisfies RequestDefinition;

/** Reply messages carry the property `MSG_TYPE=reply`. */
export const SEND_REPLY_MESSAGE = {
  code: 324,
  name: 'SEND_REPLY_MESSAGE',
  request: SendMessageRequestHeader,
  response: SendMessageResponseHeader,
} as const satisfies RequestDefinition;

export const SEND_REPLY_MESSAGE_V2 = {
  code: 325,
  name: 'SEND_REPLY_MESSAGE_V2',
  request: SendMessageRequestHeaderV2,
  response: SendMessageResponseHeader,
} as const satisfies RequestDefinition;
