/**
 * Messages as the client sees them: `Message` is what a producer sends,
 * `MessageExt` what a consumer receives (decoded from a stored record, body
 * inflated, id taken from `UNIQ_KEY`), and `MessageQueue` names one queue of
 * one broker.
 */
import {
  MessageConst,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
  decodePropertiesRecord,
  encodeProperties,
  findProperty,
  reservedPropertyNames,
} from '../protocol/message-properties.ts';
import { isCompressed } from '../protocol/flags.ts';
import { createOffsetMessageId } from '../protocol/message-id.ts';
import { decodeMessageRecord, type HostPort, type MessageRecord } from '../protocol/message-record.ts';
import { inflateBody } from './producer/compression.ts';

/** What a producer sends. */
export interface Message {
  topic: string;
  /** Text is sent as UTF-8. */
  body: Uint8Array | string;
  /** One tag; consumers filter on it (`TagA || TagB`). */
  tags?: string;
  /** Business keys, indexed by the broker for lookup by key. */
  keys?: string | readonly string[];
  /** User properties. Names RocketMQ reserves (TAGS, KEYS, DELAY, ...) are refused. */
  properties?: Readonly<Record<string, string>>;
  /** Delay level 1..18 of the broker's `messageDelayLevel` table (1s 5s 10s 30s 1m ...). */
  delayLevel?: number;
  /** Deliver after this many ms (5.x timer: `TIMER_DELAY_MS`). */
  delayMs?: number;
  /** Deliver at this epoch time in ms (5.x timer: `TIMER_DELIVER_MS`). */
  deliverAt?: number;
  /** A user int stored with the record. */
  flag?: number;
}

export interface MessageQueue {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

/** Keys already made, per queue object (its fields are read-only): the pull and consume paths ask for the same queue's key on every pull. */
const queueKeys = new WeakMap<MessageQueue, string>();

/** A stable map key for a queue: the same text for equal queues, whichever object holds them. */
export function queueKey(queue: MessageQueue): string {
  let key = queueKeys.get(queue);
  if (key === undefined) {
    key = `${queue.topic}@${queue.brokerName}@${queue.queueId}`;
    queueKeys.set(queue, key);
  }
  return key;
}

/** RocketMQ's `MessageQueue.toString()`, which consistent-hash allocation hashes. */
export function queueText(queue: MessageQueue): string {
  return `MessageQueue [topic=${queue.topic}, brokerName=${queue.brokerName}, queueId=${queue.queueId}]`;
}

export function compareQueues(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

export function bodyBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? textEncoder.encode(body) : body;
}

/** A received message. */
export class MessageExt {
  /** The client id (`UNIQ_KEY`) when present, else the offset id. */
  readonly msgId: string;
  /** The topic the message belongs to: a retried message shows its original topic. */
  topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly body: Uint8Array;
  /** The properties as stored: `name\u0001value\u0002` pairs. */
  readonly propertiesText: string;
  /** Decoded from `propertiesText` when first read: most consumers read none but the tags. */
  #properties: Record<string, string> | undefined;
  /** Deliveries before this one; orderly consumers count local retries here too. */
  reconsumeTimes: number;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly bornHost: HostPort;
  readonly storeHost: HostPort;
  readonly sysFlag: number;
  readonly flag: number;
  readonly preparedTransactionOffset: number;
  /** The topic the record was pulled from (`%RETRY%group` for retries). */
  readonly storedTopic: string;

  constructor(record: MessageRecord, brokerName: string, body: Uint8Array, sysFlag: number) {
    this.msgId = findProperty(record.properties, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX) ?? createOffsetMessageId(record.storeHost, record.physicalOffset);
    this.topic = record.topic;
    this.storedTopic = record.topic;
    this.brokerName = brokerName;
    this.queueId = record.queueId;
    this.queueOffset = record.queueOffset;
    this.commitLogOffset = record.physicalOffset;
    this.body = body;
    this.propertiesText = record.properties;
    this.reconsumeTimes = record.reconsumeTimes;
    this.bornTimestamp = record.bornTimestamp;
    this.storeTimestamp = record.storeTimestamp;
    this.bornHost = record.bornHost;
    this.storeHost = record.storeHost;
    this.sysFlag = sysFlag;
    this.flag = record.flag;
    this.preparedTransactionOffset = record.preparedTransactionOffset;
  }

  /** The message's properties by name (a duplicate name keeps its last value). */
  get properties(): Record<string, string> {
    return (this.#properties ??= decodePropertiesRecord(this.propertiesText));
  }

  /** What JSON shows of a message: its fields with the properties decoded. */
  toJSON(): Record<string, unknown> {
    const { propertiesText: _text, ...fields } = this;
    return { ...fields, properties: this.properties };
  }

  /** The broker's id of the stored record (store host and CommitLog offset), made when first asked for. */
  get offsetMsgId(): string {
    return createOffsetMessageId(this.storeHost, this.commitLogOffset);
  }

  get tags(): string | undefined {
    return this.#properties ? this.#properties[MessageConst.PROPERTY_TAGS] : findProperty(this.propertiesText, MessageConst.PROPERTY_TAGS);
  }

  get keys(): string[] {
    const keys = this.properties[MessageConst.PROPERTY_KEYS];
    return keys ? keys.split(MessageConst.KEY_SEPARATOR).filter((key) => key.length > 0) : [];
  }

  /** The body as UTF-8 text. */
  get text(): string {
    return textDecoder.decode(this.body);
  }

  get transactionId(): string | undefined {
    return this.properties[MessageConst.PROPERTY_TRANSACTION_ID] ?? this.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
  }

  get queue(): MessageQueue {
    return { topic: this.topic, brokerName: this.brokerName, queueId: this.queueId };
  }
}

/**
 * Decodes the records of a PULL/QUERY/VIEW body. A record whose body cannot
 * be inflated is kept with its stored bytes, so its offset still advances.
 */
export function decodeMessages(body: Uint8Array, brokerName: string): MessageExt[] {
  const messages: MessageExt[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let offset = 0;
  while (offset < body.length) {
    const record = decodeMessageRecord(body, offset, false, view);
    if (!record) break;
    offset += record.totalSize;
    let messageBody = record.body;
    let sysFlag = record.sysFlag;
    if (isCompressed(sysFlag)) {
      // A body that cannot be inflated is delivered as stored, compressed flag and all.
      const inflated = inflateBody(messageBody, sysFlag);
      if (inflated.ok) ({ body: messageBody, sysFlag } = inflated);
    }
    messages.push(new MessageExt(record, brokerName, messageBody, sysFlag));
  }
  return messages;
}

/** The properties string of a message (without `UNIQ_KEY`, which the caller adds). Throws on reserved names. */
export function userPropertiesText(message: Message): string {
  let text = '';
  if (message.properties) {
    for (const name in message.properties) {
      if (reservedPropertyNames.has(name)) throw new TypeError(`property ${name} is reserved by RocketMQ`);
    }
    text = encodeProperties(message.properties);
  }
  if (message.tags !== undefined && message.tags !== '') text += pair(MessageConst.PROPERTY_TAGS, message.tags);
  if (message.keys !== undefined) {
    const keys = typeof message.keys === 'string' ? message.keys : message.keys.join(MessageConst.KEY_SEPARATOR);
    if (keys !== '') text += pair(MessageConst.PROPERTY_KEYS, keys);
  }
  if (message.delayLevel !== undefined && message.delayLevel > 0) text += pair(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(message.delayLevel));
  if (message.delayMs !== undefined) text += pair(MessageConst.PROPERTY_TIMER_DELAY_MS, String(Math.max(0, Math.floor(message.delayMs))));
  if (message.deliverAt !== undefined) text += pair(MessageConst.PROPERTY_TIMER_DELIVER_MS, String(Math.floor(message.deliverAt)));
  return text;
}

/** One encoded property pair (wire §12.1). */
export function pair(name: string, value: string): string {
  return name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
}
