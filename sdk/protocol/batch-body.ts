/**
 * The SEND_BATCH_MESSAGE body: per-message entries back to back, each
 *
 *   totalSize int32 | magic int32 (0) | bodyCRC int32 (0) | flag int32 |
 *   bodyLen int32 | body | propertiesLen int16 | properties (UTF-8)
 *
 * with `totalSize = 22 + bodyLen + propertiesLen`. Magic and CRC are written as
 * zero and ignored: the broker computes the CRC when it stores each entry.
 * Decoding hands out views into the request body, not copies.
 */
import { allocateUninitialized } from '../util/bytes.ts';
import { decodeUtf8, encodeUtf8Into } from '../util/utf8.ts';
import { batchMessagesMax, propertiesSizeMaxBytes } from './limits.ts';
import { utf8Length } from './message-record.ts';

export interface BatchEntry {
  readonly flag: number;
  readonly body: Uint8Array;
  /** The encoded properties string (message-properties.ts), with the message's own `UNIQ_KEY`. */
  readonly properties: string;
  /** UTF-8 length of `properties`, when the caller already knows it (saves a scan of the text). */
  readonly propertiesLength?: number;
  /** Set by `decodeBatchBody`, with `propertiesLength`: where the properties' bytes start in the decoded body. */
  readonly propertiesStart?: number;
}

export type BatchDecodeResult =
  | { ok: true; messages: BatchEntry[] }
  | { ok: false; reason: string; offset: number };

/** Bytes of an entry besides its body and properties. */
export const batchEntryOverheadBytes = 22;


/** Encodes a batch. Throws RangeError when a properties string is over 32767 UTF-8 bytes. */
export function encodeBatchBody(messages: readonly BatchEntry[]): Uint8Array {
  // Properties are measured first and written straight into the body: no intermediate copy per message.
  const propertiesLengths = new Array<number>(messages.length);
  let size = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const propertiesLength = message.propertiesLength ?? utf8Length(message.properties);
    if (propertiesLength > propertiesSizeMaxBytes) {
      throw new RangeError(`batch message ${i}: properties are ${propertiesLength} bytes, over propertiesSizeMaxBytes ${propertiesSizeMaxBytes}`);
    }
    propertiesLengths[i] = propertiesLength;
    size += batchEntryOverheadBytes + message.body.length + propertiesLength;
  }
  // Every byte is written below.
  const out = allocateUninitialized(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    const propertiesLength = propertiesLengths[i]!;
    view.setInt32(at, batchEntryOverheadBytes + message.body.length + propertiesLength);
    view.setInt32(at + 4, 0);
    view.setInt32(at + 8, 0);
    view.setInt32(at + 12, message.flag);
    view.setInt32(at + 16, message.body.length);
    out.set(message.body, at + 20);
    at += 20 + message.body.length;
    view.setInt16(at, propertiesLength);
    if (propertiesLength > 0 && encodeUtf8Into(message.properties, out, at + 2, propertiesLength) !== propertiesLength) {
      throw new RangeError(`batch message ${i}: properties are not ${propertiesLength} bytes of UTF-8`);
    }
    at += 2 + propertiesLength;
  }
  return out;
}

/**
 * Decodes a batch body. Every length is checked against the bytes that are
 * left, so a bad body yields a reason and the offset of the entry at fault,
 * never an exception. More than `batchMessagesMax` entries is refused.
 */
export function decodeBatchBody(body: Uint8Array): BatchDecodeResult {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const messages: BatchEntry[] = [];
  let at = 0;
  while (at < body.length) {
    if (messages.length === batchMessagesMax) {
      return { ok: false, reason: `more than batchMessagesMax ${batchMessagesMax} messages`, offset: at };
    }
    if (body.length - at < batchEntryOverheadBytes) {
      return { ok: false, reason: `truncated entry: ${body.length - at} bytes left, an entry needs at least ${batchEntryOverheadBytes}`, offset: at };
    }
    const totalSize = view.getInt32(at);
    const flag = view.getInt32(at + 12);
    const bodyLength = view.getInt32(at + 16);
    if (bodyLength < 0 || bodyLength > body.length - at - batchEntryOverheadBytes) {
      return { ok: false, reason: `bodyLen ${bodyLength} does not fit in the batch`, offset: at };
    }
    const propertiesAt = at + 20 + bodyLength;
    const propertiesLength = view.getInt16(propertiesAt);
    if (propertiesLength < 0 || propertiesLength > body.length - propertiesAt - 2) {
      return { ok: false, reason: `propertiesLen ${propertiesLength} does not fit in the batch`, offset: at };
    }
    if (totalSize !== batchEntryOverheadBytes + bodyLength + propertiesLength) {
      return { ok: false, reason: `totalSize ${totalSize} disagrees with bodyLen ${bodyLength} and propertiesLen ${propertiesLength}`, offset: at };
    }
    messages.push({
      flag,
      // A plain view, not `subarray`: on a Node Buffer that builds another Buffer through its constructor.
      body: new Uint8Array(body.buffer, body.byteOffset + at + 20, bodyLength),
      properties: propertiesLength === 0 ? '' : decodeUtf8(body, propertiesAt + 2, propertiesAt + 2 + propertiesLength),
      propertiesLength,
      propertiesStart: propertiesAt + 2,
    });
    at += totalSize;
  }
  return { ok: true, messages };
}
