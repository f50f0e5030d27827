/**
 * The compact ROCKETMQ header (serialization type 1, wire §4):
 *
 *   code int16 | language int8 | version int16 | opaque int32 | flag int32
 *   | remarkLen int32 | remark | extLen int32 | { keyLen int16 | key | valueLen int32 | value }*
 *
 * Code and version are signed 16-bit. A zero-length string reads as absent.
 * Duplicate map keys are allowed; the last one wins.
 */
import { SerializeType, type RemotingCommand } from './command.ts';
import { FrameError } from './errors.ts';
import { decodeUtf8, encodeUtf8Into } from '../util/utf8.ts';
import { languageCode, languageName } from './language.ts';

const FIXED_BYTES = 21;
const textEncoder = new TextEncoder();

/** Upper bound of a command's binary header: 3 bytes per UTF-16 unit covers any string. */
export function binaryHeaderBound(command: RemotingCommand): number {
  let bound = FIXED_BYTES + (command.remark?.length ?? 0) * 3;
  const extFields = command.extFields;
  if (extFields) {
    for (const key in extFields) {
      const value = extFields[key];
      if (value !== undefined && value !== null) bound += 6 + (key.length + (typeof value === 'string' ? value.length : String(value).length)) * 3;
    }
  }
  return bound;
}

export function encodeBinaryHeader(command: RemotingCommand): Uint8Array {
  const bytes = new Uint8Array(binaryHeaderBound(command));
  return bytes.subarray(0, encodeBinaryHeaderInto(command, bytes, 0));
}

/**
 * Writes the binary header at `offset` of `target`, which must have
 * `binaryHeaderBound(command)` bytes there; returns the bytes written.
 */
export function encodeBinaryHeaderInto(command: RemotingCommand, target: Uint8Array, offset: number): number {
  writeInt16(target, offset, command.code);
  target[offset + 2] = languageCode(command.language);
  writeInt16(target, offset + 3, command.version);
  writeInt32(target, offset + 5, command.opaque);
  writeInt32(target, offset + 9, command.flag);
  const remarkLength = command.remark ? writeUtf8(target, offset + 17, command.remark) : 0;
  writeInt32(target, offset + 13, remarkLength);
  const extLengthAt = offset + 17 + remarkLength;
  let position = extLengthAt + 4;
  const extFields = command.extFields;
  if (extFields) {
    for (const key in extFields) {
      const value = extFields[key];
      if (value === undefined || value === null) continue;
      const keyLength = writeUtf8(target, position + 2, key);
      writeInt16(target, position, keyLength);
      position += 2 + keyLength;
      const valueLength = writeUtf8(target, position + 4, typeof value === 'string' ? value : String(value));
      writeInt32(target, position, valueLength);
      position += 4 + valueLength;
    }
  }
  writeInt32(target, extLengthAt, position - extLengthAt - 4);
  return position - offset;
}

function writeInt16(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 8;
  target[offset + 1] = value;
}

function writeInt32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = value >>> 16;
  target[offset + 2] = value >>> 8;
  target[offset + 3] = value;
}

function readInt16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16)) >> 16;
}

function readInt32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

/**
 * From this many UTF-16 units on, the runtime's native UTF-8 writer beats the
 * loop below; a batch answer's comma-joined offset ids run to about 1 KB.
 */
const nativeWriteUnitsMin = 96;

/** Writes a string as UTF-8 at `offset`: short ASCII by hand (the common case), long text natively, the rest by TextEncoder. */
function writeUtf8(target: Uint8Array, offset: number, text: string): number {
  const length = text.length;
  // The caller sized `target` for 3 bytes per unit (binaryHeaderBound).
  if (length >= nativeWriteUnitsMin) return encodeUtf8Into(text, target, offset, Math.min(length * 3, target.length - offset));
  for (let index = 0; index < length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0x80) return index + textEncoder.encodeInto(text.slice(index), target.subarray(offset + index)).written;
    target[offset + index] = unit;
  }
  return length;
}

/** Strings this short are built by hand when they are ASCII; TextDecoder's call costs more than that. */
const shortTextBytesMax = 64;

/** One reusable char-code array per short length, so reading a string allocates only the string. */
const scratchByLength: number[][] = Array.from({ length: shortTextBytesMax + 1 }, (_, length) => new Array<number>(length).fill(0));

/** UTF-8 text of `bytes[start, end)`, invalid sequences replaced as TextDecoder does. */
function readUtf8(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= shortTextBytesMax) {
    const codes = scratchByLength[length]!;
    let index = 0;
    for (; index < length; index++) {
      const byte = bytes[start + index]!;
      if (byte >= 0x80) break;
      codes[index] = byte;
    }
    if (index === length) return length === 1 ? String.fromCharCode(codes[0]!) : String.fromCharCode.apply(null, codes);
  }
  return decodeUtf8(bytes, start, end);
}

/**
 * Header keys repeat in every frame (`msgId`, `queueId`, `a`, `b`, …), and
 * so do most values (a producer's group and topic, `TBW102`, queue ids, `0`,
 * `false`): a direct-mapped cache of short strings hands back the string made
 * last time for the same bytes, which for a key also spares the engine
 * interning it again as a property name. A slot holds the last string that
 * hashed to it, so strings seen once (timestamps) only displace each other,
 * and the cache never grows. Keys and values have a table each, so the many
 * values cannot push out the few keys.
 */
const cacheSlots = 1024;
const cachedValueBytesMax = 24;
const keyCache: (string | undefined)[] = new Array<string | undefined>(cacheSlots).fill(undefined);
const valueCache: (string | undefined)[] = new Array<string | undefined>(cacheSlots).fill(undefined);

function readKey(bytes: Uint8Array, start: number, end: number): string {
  return end - start > shortTextBytesMax ? readUtf8(bytes, start, end) : readCached(keyCache, bytes, start, end);
}

function readValue(bytes: Uint8Array, start: number, end: number): string {
  return end - start > cachedValueBytesMax ? readUtf8(bytes, start, end) : readCached(valueCache, bytes, start, end);
}

function readCached(cache: (string | undefined)[], bytes: Uint8Array, start: number, end: number): string {
  let hash = end - start;
  for (let index = start; index < end; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01000193);
  const slot = (hash ^ (hash >>> 16)) & (cacheSlots - 1);
  const cached = cache[slot];
  if (cached !== undefined && sameAscii(cached, bytes, start, end)) return cached;
  const text = readUtf8(bytes, start, end);
  cache[slot] = text;
  return text;
}

/**
 * Whether `text` is ASCII and is what `bytes[start, end)` spell. A string
 * with other characters never matches: "é" (c3 a9 in UTF-8) has the char
 * code e9, which would otherwise match the lone byte e9, invalid UTF-8.
 */
function sameAscii(text: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x80 || code !== bytes[start + index]) return false;
  }
  return true;
}

/** Decodes a binary header. Throws only FrameError; the caller closes the connection. */
export function decodeBinaryHeader(bytes: Uint8Array): RemotingCommand {
  if (bytes.length < FIXED_BYTES) {
    throw new FrameError('HEADER_BINARY_INVALID', `binary header has ${bytes.length} bytes, fewer than the fixed ${FIXED_BYTES}`);
  }
  const command: RemotingCommand = {
    code: readInt16(bytes, 0),
    language: languageName((bytes[2]! << 24) >> 24),
    version: readInt16(bytes, 3),
    opaque: readInt32(bytes, 5),
    flag: readInt32(bytes, 9),
    serializeType: SerializeType.ROCKETMQ,
  };
  let position = 13;
  const remarkLength = readInt32(bytes, position);
  position += 4;
  checkSpan(bytes, position, remarkLength, 'remark');
  if (remarkLength > 0) command.remark = readUtf8(bytes, position, position + remarkLength);
  position += remarkLength;
  checkSpan(bytes, position, 4, 'extLen');
  const extLength = readInt32(bytes, position);
  position += 4;
  checkSpan(bytes, position, extLength, 'extFields');
  const end = position + extLength;
  if (extLength > 0) {
    const extFields: Record<string, string> = {};
    while (position < end) {
      checkSpan(bytes, position, 2, 'key length', end);
      const keyLength = readInt16(bytes, position);
      position += 2;
      checkSpan(bytes, position, keyLength, 'key', end);
      const key = readKey(bytes, position, position + keyLength);
      position += keyLength;
      checkSpan(bytes, position, 4, 'value length', end);
      const valueLength = readInt32(bytes, position);
      position += 4;
      checkSpan(bytes, position, valueLength, 'value', end);
      if (keyLength > 0 && valueLength > 0) extFields[key] = readValue(bytes, position, position + valueLength);
      position += valueLength;
    }
    command.extFields = extFields;
  }
  if (end !== bytes.length) {
    throw new FrameError('HEADER_BINARY_INVALID', `binary header has ${bytes.length - end} bytes after its map`);
  }
  return command;
}

function checkSpan(bytes: Uint8Array, position: number, length: number, what: string, limit = bytes.length): void {
  if (length < 0 || position + length > limit) {
    throw new FrameError('HEADER_BINARY_INVALID', `${what} of ${length} bytes at ${position} overruns the header (${limit} bytes)`);
  }
}
