/**
 * HeartbeatData, the HEART_BEAT body: a client's producer groups and, per
 * consumer group, how it consumes and what it subscribes to. Mirrors RocketMQ's
 * heartbeat.HeartbeatData, ProducerData, ConsumerData and SubscriptionData.
 * `heartbeatFingerprint` and `withoutSub` are 5.x (heartbeat V2).
 */
import { encodeFastjson } from '../fastjson.ts';
import { parseBodyObject, readArray, readBoolean, readNumber, readString, readStrings, asObject } from './read.ts';

export interface SubscriptionData {
  topic: string;
  /** `*`, tags joined by `||`, or an SQL92 expression. */
  subString: string;
  tagsSet: string[];
  /** Java `String.hashCode()` of each tag. */
  codeSet: number[];
  /** Ms timestamp of the subscription, compared with a pull's `subVersion`. */
  subVersion: number;
  /** `TAG` or `SQL92`. */
  expressionType: string;
  classFilterMode: boolean;
}

export interface ConsumerData {
  groupName: string;
  /** `CONSUME_ACTIVELY` (pull), `CONSUME_PASSIVELY` (push) or `CONSUME_POP`. */
  consumeType: string;
  /** `CLUSTERING` or `BROADCASTING`. */
  messageModel: string;
  consumeFromWhere: string;
  unitMode: boolean;
  subscriptionDataSet: SubscriptionData[];
}

export interface HeartbeatData {
  clientID: string;
  producerDataSet: Array<{ groupName: string }>;
  consumerDataSet: ConsumerData[];
  heartbeatFingerprint?: number;
  withoutSub?: boolean;
}

/** Java's `String.hashCode()`, which clients put in `codeSet` and the consume queue stores per tag. */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

function readSubscription(value: unknown): SubscriptionData {
  const object = asObject(value as never, 'SubscriptionData');
  return {
    topic: readString(object, 'topic') ?? '',
    subString: readString(object, 'subString') ?? '*',
    tagsSet: readStrings(object, 'tagsSet'),
    codeSet: readArray(object, 'codeSet').filter((code): code is number => typeof code === 'number'),
    subVersion: readNumber(object, 'subVersion'),
    expressionType: readString(object, 'expressionType') ?? 'TAG',
    classFilterMode: readBoolean(object, 'classFilterMode'),
  };
}

function readConsumer(value: unknown): ConsumerData {
  const object = asObject(value as never, 'ConsumerData');
  return {
    groupName: readString(object, 'groupName') ?? '',
    consumeType: readString(object, 'consumeType') ?? '',
    messageModel: readString(object, 'messageModel') ?? 'CLUSTERING',
    consumeFromWhere: readString(object, 'consumeFromWhere') ?? '',
    unitMode: readBoolean(object, 'unitMode'),
    subscriptionDataSet: readArray(object, 'subscriptionDataSet').map(readSubscription),
  };
}

export function decodeHeartbeatData(body: Uint8Array | string): HeartbeatData {
  const object = parseBodyObject(body, 'HeartbeatData');
  const heartbeat: HeartbeatData = {
    clientID: readString(object, 'clientID') ?? '',
    producerDataSet: readArray(object, 'producerDataSet').map((p) => ({ groupName: readString(asObject(p, 'ProducerData'), 'groupName') ?? '' })),
    consumerDataSet: readArray(object, 'consumerDataSet').map(readConsumer),
  };
  if (object.heartbeatFingerprint !== undefined) heartbeat.heartbeatFingerprint = readNumber(object, 'heartbeatFingerprint');
  if (object.withoutSub !== undefined) heartbeat.withoutSub = readBoolean(object, 'withoutSub');
  return heartbeat;
}

export function encodeHeartbeatData(heartbeat: HeartbeatData): string {
  return encodeFastjson(heartbeat as never);
}
