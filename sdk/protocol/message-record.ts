/**
 * The CommitLog record (store doc §3), the unit the broker writes to disk and
 * serves back unchanged in PULL/POP/QUERY/VIEW bodies. All integers are
 * big-endian. Layout for an IPv4 born host, IPv4 store host, magic v1:
 *
 *    0 TOTALSIZE 4 | 4 MAGICCODE 4 | 8 BODYCRC 4 | 12 QUEUEID 4 | 16 FLAG 4
 *   20 QUEUEOFFSET 8 | 28 PHYSICALOFFSET 8 | 36 SYSFLAG 4 | 40 BORNTIMESTAMP 8
 *   48 BORNHOST 4+4 | 56 STORETIMESTAMP 8 | 64 STOREHOSTADDRESS 4+4
 *   72 RECONSUMETIMES 4 | 76 PREPAREDTRANSACTIONOFFSET 8 | 84 BODYLENGTH 4
 *   88 BODY B | TOPICLENGTH 1 (v1) or 2 (v2) | TOPIC T | PROPERTIESLENGTH 2 | PROPERTIES P
 *
 * An IPv6 host (sysFlag 0x10 born, 0x20 store) takes 16 + 4 bytes instead of
 * 4 + 4 and shifts every later field. Web-standard only: the SDK decodes pull
 * bodies with this file.
 */
import { crc32Masked } from '../util/crc32.ts';
import { decodeUtf8, encodeUtf8Into } from '../util/utf8.ts';
import { decodeHostAddress } from './message-id.ts';

/** MAGICCODE of a v1 record (topic length in one byte). */
export const MESSAGE_MAGIC_CODE_V1 = 0xdaa320a7 | 0;
/** MAGICCODE of a v2 record (5.x, topic length in two bytes, used for topics over 127 bytes). */
export const MESSAGE_MAGIC_CODE_V2 = 0xdaa320ab | 0;
/** MAGICCODE of the marker that fills the end of a CommitLog segment. */
export const BLANK_MAGIC_CODE = 0xcbd43194 | 0;
/** Smallest space a blank marker needs: TOTALSIZE and MAGICCODE. */
export const BLANK_MARKER_SIZE = 8;

export const MessageSysFlag = {
  COMPRESSED_FLAG: 0x1,
  MULTI_TAGS_FLAG: 0x2,
  TRANSACTION_NOT_TYPE: 0x0,
  TRANSACTION_PREPARED_TYPE: 0x4,
  TRANSACTION_COMMIT_TYPE: 0x8,
  TRANSACTION_ROLLBACK_TYPE: 0xc,
  BORNHOST_V6_FLAG: 0x10,
  STOREHOSTADDRESS_V6_FLAG: 0x20,
  NEED_UNWRAP_FLAG: 0x40,
  INNER_BATCH_FLAG: 0x80,
} as const;

/** The transaction type bits (0x0 NOT, 0x4 PREPARED, 0x8 COMMIT, 0xC ROLLBACK). */
export function transactionType(sysFlag: number): number {
  return sysFlag & 0xc;
}

/** Fields the writer chooses; the encoder derives sizes, CRC and host flags. */
export interface MessageRecordInput {
  queueId: number;
  flag: number;
  queueOffset: number;
  physicalOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  /** 4 (IPv4) or 16 (IPv6) bytes. */
  bornHost: Uint8Array;
  bornPort: number;
  storeTimestamp: number;
  storeHost: Uint8Array;
  storePort: number;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  body: Uint8Array;
  /** UTF-8 bytes of the topic (a writer encodes each topic once). */
  topic: Uint8Array;
  /** Encoded properties text (wire §12.1). */
  properties: string;
  /** UTF-8 length of `properties`, when the caller already knows it. */
  propertiesLength?: number;
  /**
   * The bytes of `properties`, when the caller received them: copied instead
   * of encoding the text (`propertiesLength` is then their `propertiesBytesLength`).
   */
  propertiesBytes?: PropertiesBytes;
  /** Masked body CRC, when the caller already computed it. */
  bodyCrc?: number;
}

/**
 * A properties text together with the bytes it was decoded from, in three
 * pieces: a prefix and a suffix shared by many messages (a batch's own
 * properties, the broker's cluster property) around a range of a received
 * buffer (one batch entry's properties). Lets a record take the bytes as they
 * came instead of encoding the text again.
 */
export interface PropertiesBytes {
  /** The text these bytes stand for; the bytes are valid only while a message still carries this very text. */
  readonly text: string;
  readonly prefix: Uint8Array;
  readonly source: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly suffix: Uint8Array;
}

/** Bytes in all three pieces. */
export function propertiesBytesLength(bytes: PropertiesBytes): number {
  return bytes.prefix.length + (bytes.end - bytes.start) + bytes.suffix.length;
}

/** A host and port; decoded ones are frozen, since records decoded one after another share them. */
export interface HostPort {
  readonly address: string;
  readonly port: number;
}

export interface MessageRecord {
  totalSize: number;
  magic: number;
  bodyCrc: number;
  queueId: number;
  flag: number;
  queueOffset: number;
  physicalOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: HostPort;
  storeTimestamp: number;
  storeHost: HostPort;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  /** A view into the decoded bytes, not a copy. */
  body: Uint8Array;
  topic: string;
  properties: string;
}

const textEncoder = new TextEncoder();

/** Bytes `text` takes in UTF-8 (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let length = text.length;
  // Topics and properties are nearly always ASCII: one native scan settles it.
  if (!nonAscii.test(text)) return length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 2;
      i++;
    } else length += 2;
  }
  return length;
}

// eslint-disable-next-line no-control-regex -- ASCII includes the control characters
const nonAscii = /[^\u0000-\u007f]/;

/** TOTALSIZE of a record (store doc §3.1 formula). */
export function recordSize(
  bodyLength: number,
  topicLength: number,
  propertiesLength: number,
  bornHostLength = 4,
  storeHostLength = 4,
): number {
  const topicLengthSize = topicLength > 127 ? 2 : 1;
  return 68 + (bornHostLength + 4) + (storeHostLength + 4) + 4 + bodyLength + topicLengthSize + topicLength + 2 + propertiesLength;
}

function setInt64(view: DataView, position: number, value: number): void {
  const high = Math.floor(value / 0x100000000);
  view.setInt32(position, high);
  view.setUint32(position + 4, value - high * 0x100000000);
}

function getInt64(view: DataView, position: number): number {
  return view.getInt32(position) * 0x100000000 + view.getUint32(position + 4);
}

/**
 * Copies `source` into `target` at `at` and returns the offset after it. Hosts
 * and most topics are a few bytes, where a loop beats `set`'s native call.
 */
function copyShort(source: Uint8Array, target: Uint8Array, at: number): number {
  const length = source.length;
  if (length > 32) target.set(source, at);
  else for (let i = 0; i < length; i++) target[at + i] = source[i]!;
  return at + length;
}

function copyPropertiesBytes(bytes: PropertiesBytes, target: Uint8Array, at: number): void {
  at = copyShort(bytes.prefix, target, at);
  const source = bytes.source;
  const end = bytes.end;
  for (let i = bytes.start; i < end; i++) target[at++] = source[i]!;
  copyShort(bytes.suffix, target, at);
}

/**
 * `set` copies into memory shared with another thread (the store's write
 * buffer is a SharedArrayBuffer) with relaxed atomic stores, about five times
 * slower than into plain memory (140 against 25 ns per KiB, Node 20, x64).
 * Node's `Buffer#fill` with a byte-array value is a plain memcpy on any
 * Uint8Array, at about 60 ns per KiB plus a call that costs more than `set`
 * for short bodies. Looked up, never required, so this module loads anywhere.
 */
type NativeFill = (this: Uint8Array, value: Uint8Array, start: number, end: number) => unknown;
const nativeFill = (globalThis as { Buffer?: { prototype: { fill?: NativeFill } } }).Buffer?.prototype.fill;
const sharedCopyWithFillBytesMin = 512;

const hasSharedArrayBuffer = typeof SharedArrayBuffer === 'function';

/** Copies a body into `target` at `at`; only a long one is worth asking whether `target` is shared memory. */
function copyBody(source: Uint8Array, target: Uint8Array, at: number): void {
  if (source.length >= sharedCopyWithFillBytesMin && nativeFill !== undefined && hasSharedArrayBuffer && target.buffer instanceof SharedArrayBuffer) {
    nativeFill.call(target, source, at, at + source.length);
  } else target.set(source, at);
}

/**
 * Encodes one record into `target` at `offset` and returns its size. The
 * caller makes sure it fits (`recordSize`). The host bits of `sysFlag` are set
 * from the host byte lengths; topics over 127 bytes get the v2 magic.
 * Pass `view` (a DataView over all of `target`) to save one allocation.
 */
export function encodeMessageRecord(
  target: Uint8Array,
  offset: number,
  input: MessageRecordInput,
  view: DataView = new DataView(target.buffer, target.byteOffset, target.byteLength),
): number {
  const body = input.body;
  const topic = input.topic;
  const propertiesBytes = input.propertiesBytes;
  const propertiesLength = input.propertiesLength ?? (propertiesBytes !== undefined ? propertiesBytesLength(propertiesBytes) : utf8Length(input.properties));
  const bornV6 = input.bornHost.length === 16;
  const storeV6 = input.storeHost.length === 16;
  const size = recordSize(body.length, topic.length, propertiesLength, input.bornHost.length, input.storeHost.length);
  const sysFlag = (input.sysFlag & ~0x30) | (bornV6 ? 0x10 : 0) | (storeV6 ? 0x20 : 0);
  let p = offset;
  view.setInt32(p, size);
  view.setInt32(p + 4, topic.length > 127 ? MESSAGE_MAGIC_CODE_V2 : MESSAGE_MAGIC_CODE_V1);
  view.setInt32(p + 8, input.bodyCrc ?? crc32Masked(body));
  view.setInt32(p + 12, input.queueId);
  view.setInt32(p + 16, input.flag);
  setInt64(view, p + 20, input.queueOffset);
  setInt64(view, p + 28, input.physicalOffset);
  view.setInt32(p + 36, sysFlag);
  setInt64(view, p + 40, input.bornTimestamp);
  p += 48;
  p = copyShort(input.bornHost, target, p);
  view.setInt32(p, input.bornPort);
  setInt64(view, p + 4, input.storeTimestamp);
  p += 12;
  p = copyShort(input.storeHost, target, p);
  view.setInt32(p, input.storePort);
  view.setInt32(p + 4, input.reconsumeTimes);
  setInt64(view, p + 8, input.preparedTransactionOffset);
  view.setInt32(p + 16, body.length);
  p += 20;
  copyBody(body, target, p);
  p += body.length;
  if (topic.length > 127) {
    view.setInt16(p, topic.length);
    p += 2;
  } else target[p++] = topic.length;
  p = copyShort(topic, target, p);
  view.setInt16(p, propertiesLength);
  p += 2;
  if (propertiesBytes !== undefined) copyPropertiesBytes(propertiesBytes, target, p);
  else if (propertiesLength > 0) encodeUtf8Into(input.properties, target, p, propertiesLength);
  return size;
}

/**
 * What is at `offset`: a record's size (> 0), a blank marker as the negated
 * space it fills (< 0), or 0 when the bytes are not a whole valid record
 * within `end` (zeros, a torn tail, a bad length or a CRC mismatch).
 */
export function inspectRecord(bytes: Uint8Array, offset: number, end: number, checkCrc: boolean, view?: DataView): number {
  if (offset + BLANK_MARKER_SIZE > end) return 0;
  view ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getInt32(offset);
  const magic = view.getInt32(offset + 4);
  if (magic === BLANK_MAGIC_CODE) return size >= BLANK_MARKER_SIZE ? -size : 0;
  if (magic !== MESSAGE_MAGIC_CODE_V1 && magic !== MESSAGE_MAGIC_CODE_V2) return 0;
  if (size < 91 || offset + size > end) return 0;
  const sysFlag = view.getInt32(offset + 36);
  const bornLength = sysFlag & 0x10 ? 20 : 8;
  const storeLength = sysFlag & 0x20 ? 20 : 8;
  const bodyLengthAt = offset + 48 + bornLength + 8 + storeLength + 12;
  if (bodyLengthAt + 4 > offset + size) return 0;
  const bodyLength = view.getInt32(bodyLengthAt);
  const bodyAt = bodyLengthAt + 4;
  if (bodyLength < 0 || bodyAt + bodyLength > offset + size) return 0;
  let p = bodyAt + bodyLength;
  let topicLength: number;
  if (magic === MESSAGE_MAGIC_CODE_V2) {
    if (p + 2 > offset + size) return 0;
    topicLength = view.getInt16(p);
    p += 2;
  } else topicLength = bytes[p++]!;
  if (topicLength < 0 || p + topicLength + 2 > offset + size) return 0;
  p += topicLength;
  const propertiesLength = view.getInt16(p);
  if (propertiesLength < 0 || p + 2 + propertiesLength !== offset + size) return 0;
  if (checkCrc && crc32Masked(bytes, bodyAt, bodyAt + bodyLength) !== view.getInt32(offset + 8)) return 0;
  return size;
}

/**
 * A stricter check for crash recovery on records the caller itself wrote:
 * the body CRC does not cover the topic and properties, so a record whose
 * tail was never written (zeros) would otherwise pass. Encoded properties end
 * with `\u0002` (wire §12.1) and topics hold no NUL, which a zeroed tail breaks.
 * Call after `inspectRecord` accepted the record.
 */
export function hasWholeTail(bytes: Uint8Array, offset: number, size: number, view?: DataView): boolean {
  view ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sysFlag = view.getInt32(offset + 36);
  const bodyLengthAt = offset + 48 + (sysFlag & 0x10 ? 20 : 8) + 8 + (sysFlag & 0x20 ? 20 : 8) + 12;
  let p = bodyLengthAt + 4 + view.getInt32(bodyLengthAt);
  let topicLength: number;
  if (view.getInt32(offset + 4) === MESSAGE_MAGIC_CODE_V2) {
    topicLength = view.getInt16(p);
    p += 2;
  } else topicLength = bytes[p++]!;
  if (topicLength === 0) return false;
  for (let i = p; i < p + topicLength; i++) if (bytes[i] === 0) return false;
  const propertiesLength = view.getInt16(p + topicLength);
  return propertiesLength === 0 || bytes[offset + size - 1] === 2;
}

/**
 * Decodes the record at `offset`. Returns undefined unless it is a whole,
 * well-formed record (CRC checked only with `checkCrc`). Pass `view` (a
 * DataView over all of `bytes`) when decoding several records of one buffer.
 */
export function decodeMessageRecord(
  bytes: Uint8Array,
  offset = 0,
  checkCrc = false,
  view: DataView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
): MessageRecord | undefined {
  const size = inspectRecord(bytes, offset, bytes.length, checkCrc, view);
  if (size <= 0) return undefined;
  const sysFlag = view.getInt32(offset + 36);
  const bornLength = sysFlag & 0x10 ? 16 : 4;
  const storeLength = sysFlag & 0x20 ? 16 : 4;
  let p = offset + 48;
  const bornHost = reuseHost(bornHostSlot, bytes, p, bornLength, view.getInt32(p + bornLength));
  p += bornLength + 4;
  const storeTimestamp = getInt64(view, p);
  p += 8;
  const storeHost = reuseHost(storeHostSlot, bytes, p, storeLength, view.getInt32(p + storeLength));
  p += storeLength + 4;
  const reconsumeTimes = view.getInt32(p);
  const preparedTransactionOffset = getInt64(view, p + 4);
  const bodyLength = view.getInt32(p + 12);
  p += 16;
  const body = bytes.subarray(p, p + bodyLength);
  p += bodyLength;
  const magic = view.getInt32(offset + 4);
  let topicLength: number;
  if (magic === MESSAGE_MAGIC_CODE_V2) {
    topicLength = view.getInt16(p);
    p += 2;
  } else topicLength = bytes[p++]!;
  const topic = reuseTopic(bytes, p, topicLength);
  p += topicLength;
  const propertiesLength = view.getInt16(p);
  p += 2;
  const properties = propertiesLength > 0 ? decodeUtf8(bytes, p, p + propertiesLength) : '';
  return {
    totalSize: size,
    magic,
    bodyCrc: view.getInt32(offset + 8),
    queueId: view.getInt32(offset + 12),
    flag: view.getInt32(offset + 16),
    queueOffset: getInt64(view, offset + 20),
    physicalOffset: getInt64(view, offset + 28),
    sysFlag,
    bornTimestamp: getInt64(view, offset + 40),
    bornHost,
    storeTimestamp,
    storeHost,
    reconsumeTimes,
    preparedTransactionOffset,
    body,
    topic,
    properties,
  };
}

/**
 * The host and topic of the record decoded last. A pull answer's records
 * share their store host and topic and mostly their born host, so a record
 * like the one before it gets the same (frozen) host objects and topic string
 * instead of new ones: for a consumer these were about a quarter of what
 * decoding a record allocated.
 */
interface HostSlot {
  ip: number;
  port: number;
  host: HostPort | undefined;
}
const bornHostSlot: HostSlot = { ip: 0, port: 0, host: undefined };
const storeHostSlot: HostSlot = { ip: 0, port: 0, host: undefined };
let lastTopic = '';
let lastTopicBytes = new Uint8Array(64);
let lastTopicLength = -1;

function reuseHost(slot: HostSlot, bytes: Uint8Array, start: number, length: number, port: number): HostPort {
  if (length !== 4) return Object.freeze({ address: decodeHostAddress(bytes, start, length), port });
  const ip = (bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!;
  if (slot.host !== undefined && slot.ip === ip && slot.port === port) return slot.host;
  const host = Object.freeze({ address: decodeHostAddress(bytes, start, 4), port });
  slot.ip = ip;
  slot.port = port;
  slot.host = host;
  return host;
}

function reuseTopic(bytes: Uint8Array, start: number, length: number): string {
  if (length === lastTopicLength) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (bytes[start + i] !== lastTopicBytes[i]) {
        same = false;
        break;
      }
    }
    if (same) return lastTopic;
  }
  const topic = decodeUtf8(bytes, start, start + length);
  if (length > lastTopicBytes.length) lastTopicBytes = new Uint8Array(length);
  lastTopicBytes.set(bytes.subarray(start, start + length));
  lastTopicLength = length;
  lastTopic = topic;
  return topic;
}

/**
 * Splits a concatenation of records (a PULL body) into views of each record.
 * Stops at the first malformed record; `rest` is how many bytes were left over.
 */
export function splitMessageRecords(bytes: Uint8Array, checkCrc = false): { records: Uint8Array[]; rest: number } {
  const records: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.length) {
    const size = inspectRecord(bytes, offset, bytes.length, checkCrc, view);
    if (size <= 0) break;
    records.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return { records, rest: bytes.length - offset };
}

/** Decodes every record of a PULL body; stops at the first malformed one. */
export function decodeMessageRecords(bytes: Uint8Array, checkCrc = false): MessageRecord[] {
  return splitMessageRecords(bytes, checkCrc).records.map((record) => decodeMessageRecord(record, 0, false)!);
}

/** The store timestamp of a record, without decoding the rest. */
export function recordStoreTimestamp(bytes: Uint8Array, offset = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bornLength = view.getInt32(offset + 36) & 0x10 ? 20 : 8;
  return getInt64(view, offset + 48 + bornLength);
}

/** Encodes UTF-8 text; one shared encoder. */
export function utf8Bytes(text: string): Uint8Array {
  return textEncoder.encode(text);
}
