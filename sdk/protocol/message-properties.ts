/**
 * Message properties: RocketMQ's property names (MessageConst) and the one
 * string they travel in, in the send header (`properties` / `i`) and inside
 * stored records: `name \u0001 value \u0002` per pair, the last pair terminated
 * too. Decoding runs for every message a broker stores or a client receives,
 * so it walks the string with indexOf instead of splitting it.
 */

export const NAME_VALUE_SEPARATOR = '\u0001';
export const PROPERTY_SEPARATOR = '\u0002';

/** Property names, under RocketMQ's MessageConst constant names. */
export const MessageConst = {
  KEY_SEPARATOR: ' ',
  PROPERTY_KEYS: 'KEYS',
  PROPERTY_TAGS: 'TAGS',
  PROPERTY_WAIT_STORE_MSG_OK: 'WAIT',
  PROPERTY_DELAY_TIME_LEVEL: 'DELAY',
  PROPERTY_RETRY_TOPIC: 'RETRY_TOPIC',
  PROPERTY_REAL_TOPIC: 'REAL_TOPIC',
  PROPERTY_REAL_QUEUE_ID: 'REAL_QID',
  PROPERTY_TRANSACTION_PREPARED: 'TRAN_MSG',
  PROPERTY_PRODUCER_GROUP: 'PGROUP',
  PROPERTY_MIN_OFFSET: 'MIN_OFFSET',
  PROPERTY_MAX_OFFSET: 'MAX_OFFSET',
  PROPERTY_BUYER_ID: 'BUYER_ID',
  PROPERTY_ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  PROPERTY_TRANSFER_FLAG: 'TRANSFER_FLAG',
  PROPERTY_CORRECTION_FLAG: 'CORRECTION_FLAG',
  PROPERTY_MQ2_FLAG: 'MQ2_FLAG',
  PROPERTY_RECONSUME_TIME: 'RECONSUME_TIME',
  PROPERTY_MSG_REGION: 'MSG_REGION',
  PROPERTY_TRACE_SWITCH: 'TRACE_ON',
  PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX: 'UNIQ_KEY',
  PROPERTY_EXTEND_UNIQ_INFO: 'EXTEND_UNIQ_INFO',
  PROPERTY_MAX_RECONSUME_TIMES: 'MAX_RECONSUME_TIMES',
  PROPERTY_CONSUME_START_TIMESTAMP: 'CONSUME_START_TIME',
  PROPERTY_INNER_NUM: 'INNER_NUM',
  PROPERTY_INNER_BASE: 'INNER_BASE',
  DUP_INFO: 'DUP_INFO',
  PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS: 'CHECK_IMMUNITY_TIME_IN_SECONDS',
  PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET: 'TRAN_PREPARED_QUEUE_OFFSET',
  PROPERTY_TRANSACTION_ID: '__transactionId__',
  PROPERTY_TRANSACTION_CHECK_TIMES: 'TRANSACTION_CHECK_TIMES',
  PROPERTY_INSTANCE_ID: 'INSTANCE_ID',
  PROPERTY_CORRELATION_ID: 'CORRELATION_ID',
  PROPERTY_MESSAGE_REPLY_TO_CLIENT: 'REPLY_TO_CLIENT',
  PROPERTY_MESSAGE_TTL: 'TTL',
  PROPERTY_REPLY_MESSAGE_ARRIVE_TIME: 'ARRIVE_TIME',
  PROPERTY_PUSH_REPLY_TIME: 'PUSH_REPLY_TIME',
  PROPERTY_CLUSTER: 'CLUSTER',
  PROPERTY_MESSAGE_TYPE: 'MSG_TYPE',
  PROPERTY_POP_CK: 'POP_CK',
  PROPERTY_POP_CK_OFFSET: 'POP_CK_OFFSET',
  PROPERTY_FIRST_POP_TIME: '1ST_POP_TIME',
  PROPERTY_SHARDING_KEY: '__SHARDINGKEY',
  PROPERTY_FORWARD_QUEUE_ID: 'PROPERTY_FORWARD_QUEUE_ID',
  PROPERTY_REDIRECT: 'REDIRECT',
  PROPERTY_INNER_MULTI_DISPATCH: 'INNER_MULTI_DISPATCH',
  PROPERTY_INNER_MULTI_QUEUE_OFFSET: 'INNER_MULTI_QUEUE_OFFSET',
  PROPERTY_TRACE_CONTEXT: 'TRACE_CONTEXT',
  PROPERTY_TIMER_DELAY_SEC: 'TIMER_DELAY_SEC',
  PROPERTY_TIMER_DELAY_MS: 'TIMER_DELAY_MS',
  PROPERTY_TIMER_DELIVER_MS: 'TIMER_DELIVER_MS',
  /** Absolute delivery time in ms set by Aliyun ONS clients such as ali-ons (`setStartDeliverTime`). */
  PROPERTY_START_DELIVER_TIME: '__STARTDELIVERTIME',
  PROPERTY_TIMER_ENQUEUE_MS: 'TIMER_ENQUEUE_MS',
  PROPERTY_TIMER_DEQUEUE_MS: 'TIMER_DEQUEUE_MS',
  PROPERTY_TIMER_ROLL_TIMES: 'TIMER_ROLL_TIMES',
  PROPERTY_TIMER_OUT_MS: 'TIMER_OUT_MS',
  PROPERTY_TIMER_DEL_UNIQKEY: 'TIMER_DEL_UNIQKEY',
  PROPERTY_TIMER_DELAY_LEVEL: 'TIMER_DELAY_LEVEL',
  PROPERTY_BORN_HOST: '__BORNHOST',
  PROPERTY_BORN_TIMESTAMP: 'BORN_TIMESTAMP',
  PROPERTY_DLQ_ORIGIN_TOPIC: 'DLQ_ORIGIN_TOPIC',
  PROPERTY_DLQ_ORIGIN_MESSAGE_ID: 'DLQ_ORIGIN_MESSAGE_ID',
  PROPERTY_CRC32: '__CRC32#',
  /** Properties under this prefix are never stored. */
  PROPERTY_TRANSIENT_PREFIX: '__RMQ.TRANSIENT.',
  PROPERTY_TRANSIENT_TOPIC_SYS_FLAG: '__RMQ.TRANSIENT.TOPIC_SYS_FLAG',
  PROPERTY_TRANSIENT_GROUP_SYS_FLAG: '__RMQ.TRANSIENT.GROUP_SYS_FLAG',
} as const;

const M = MessageConst;

/**
 * Names the Java client refuses as user properties (MessageConst.STRING_HASH_SET):
 * the system sets them.
 */
export const reservedPropertyNames: ReadonlySet<string> = new Set([
  M.PROPERTY_KEYS, M.PROPERTY_TAGS, M.PROPERTY_WAIT_STORE_MSG_OK, M.PROPERTY_DELAY_TIME_LEVEL,
  M.PROPERTY_RETRY_TOPIC, M.PROPERTY_REAL_TOPIC, M.PROPERTY_REAL_QUEUE_ID, M.PROPERTY_TRANSACTION_PREPARED,
  M.PROPERTY_PRODUCER_GROUP, M.PROPERTY_MIN_OFFSET, M.PROPERTY_MAX_OFFSET, M.PROPERTY_BUYER_ID,
  M.PROPERTY_ORIGIN_MESSAGE_ID, M.PROPERTY_TRANSFER_FLAG, M.PROPERTY_CORRECTION_FLAG, M.PROPERTY_MQ2_FLAG,
  M.PROPERTY_RECONSUME_TIME, M.PROPERTY_MSG_REGION, M.PROPERTY_TRACE_SWITCH,
  M.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, M.PROPERTY_EXTEND_UNIQ_INFO, M.PROPERTY_MAX_RECONSUME_TIMES,
  M.PROPERTY_CONSUME_START_TIMESTAMP, M.DUP_INFO, M.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET,
  M.PROPERTY_INSTANCE_ID, M.PROPERTY_CORRELATION_ID, M.PROPERTY_MESSAGE_REPLY_TO_CLIENT, M.PROPERTY_MESSAGE_TTL,
  M.PROPERTY_REPLY_MESSAGE_ARRIVE_TIME, M.PROPERTY_PUSH_REPLY_TIME, M.PROPERTY_CLUSTER, M.PROPERTY_MESSAGE_TYPE,
  M.PROPERTY_POP_CK, M.PROPERTY_POP_CK_OFFSET, M.PROPERTY_FIRST_POP_TIME, M.PROPERTY_INNER_MULTI_QUEUE_OFFSET,
  M.PROPERTY_TIMER_DELAY_SEC, M.PROPERTY_TIMER_DELAY_MS, M.PROPERTY_TIMER_DELIVER_MS, M.PROPERTY_TIMER_ENQUEUE_MS,
  M.PROPERTY_TIMER_DEQUEUE_MS, M.PROPERTY_TIMER_ROLL_TIMES, M.PROPERTY_TIMER_OUT_MS, M.PROPERTY_TIMER_DEL_UNIQKEY,
  M.PROPERTY_TIMER_DELAY_LEVEL, M.PROPERTY_BORN_HOST, M.PROPERTY_BORN_TIMESTAMP, M.PROPERTY_DLQ_ORIGIN_TOPIC,
  M.PROPERTY_DLQ_ORIGIN_MESSAGE_ID, M.PROPERTY_CRC32,
]);

export type MessageProperties = Map<string, string>;

/**
 * Decodes a properties string. Matches RocketMQ: pairs whose name or value is
 * empty are dropped, the name ends at the first separator, and a later
 * duplicate name wins.
 *
 * @example decodeProperties('TAGS\u0001A\u0002') // Map { 'TAGS' => 'A' }
 */
export function decodeProperties(text: string): MessageProperties {
  const properties: MessageProperties = new Map();
  forEachProperty(text, (name, value) => properties.set(name, value));
  return properties;
}

/**
 * `decodeProperties` into a plain object, as messages hand properties to
 * users: one object per message instead of a Map and then an object.
 * A later duplicate wins; a `__proto__` name is an own property like any other.
 */
export function decodePropertiesRecord(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  forEachProperty(text, (name, value) => {
    if (name === '__proto__') Object.defineProperty(properties, name, { value, enumerable: true, writable: true, configurable: true });
    else properties[name] = value;
  });
  return properties;
}

/** Calls `visit` for each well-formed pair of a properties string, in order. */
function forEachProperty(text: string, visit: (name: string, value: string) => void): void {
  const length = text.length;
  let start = 0;
  while (start < length) {
    let end = text.indexOf(PROPERTY_SEPARATOR, start);
    if (end === -1) end = length;
    // A pair needs at least one name character, the separator and one value character.
    if (end - start >= 3) {
      const split = text.indexOf(NAME_VALUE_SEPARATOR, start);
      if (split > start && split < end - 1) visit(text.slice(start, split), text.slice(split + 1, end));
    }
    start = end + 1;
  }
}

/**
 * Encodes properties as RocketMQ does; `undefined` values are left out. Names
 * and values must not contain the separators (see `isValidPropertyText`).
 */
export function encodeProperties(properties: ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>>): string {
  let text = '';
  if (properties instanceof Map) {
    for (const [name, value] of properties) {
      if (value === undefined || value === null) continue;
      text += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
    }
    return text;
  }
  const record = properties as Readonly<Record<string, string | undefined>>;
  for (const name in record) {
    const value = record[name];
    if (value === undefined || value === null) continue;
    text += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
  }
  return text;
}

/**
 * The value of one property without decoding the rest: the same answer as
 * `decodeProperties(text).get(name)`, found by searching from the end so that
 * the last duplicate wins.
 */
export function findProperty(text: string, name: string): string | undefined {
  if (!isValidPropertyText(name)) return undefined;
  const needle = name + NAME_VALUE_SEPARATOR;
  let from = text.length;
  while (from >= 0) {
    const at = text.lastIndexOf(needle, from);
    if (at === -1) return undefined;
    // A match counts only at the start of a pair; elsewhere it is inside a value.
    if (at === 0 || text.charCodeAt(at - 1) === 2) {
      const valueStart = at + needle.length;
      let valueEnd = text.indexOf(PROPERTY_SEPARATOR, valueStart);
      if (valueEnd === -1) valueEnd = text.length;
      if (valueEnd > valueStart) return text.slice(valueStart, valueEnd);
    }
    from = at - 1;
  }
  return undefined;
}

/** A name or value that survives a round trip: not empty and free of both separators. */
export function isValidPropertyText(text: string): boolean {
  return text.length > 0 && text.indexOf(NAME_VALUE_SEPARATOR) === -1 && text.indexOf(PROPERTY_SEPARATOR) === -1;
}

/** The business keys of a `KEYS` value, split on single spaces, empty ones dropped. */
export function splitKeys(keys: string): string[] {
  const result: string[] = [];
  let start = 0;
  while (start <= keys.length) {
    let end = keys.indexOf(MessageConst.KEY_SEPARATOR, start);
    if (end === -1) end = keys.length;
    if (end > start) result.push(keys.slice(start, end));
    start = end + 1;
  }
  return result;
}
