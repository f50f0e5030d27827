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
import { languageCode, languageName } from './language.ts';

const FIXED_BYTES = 21;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeBinaryHeader(command: RemotingCommand): Uint8Array {
  // Size for the worst case (3 bytes per UTF-16 unit), write once, trim.
  const remark = command.remark ?? '';
  let bound = FIXED_BYTES + remark.length * 3;
  const extFields = command.extFields;
  if (extFields) {
    for (const key in extFields) {
      const value = extFields[key];
      if (value !== undefined && value !== null) bound += 6 + (key.length + String(value).length) * 3;
    }
  }
  const bytes = new Uint8Array(bound);
  const view = new DataView(bytes.buffer);
  view.setInt16(0, command.code);
  view.setInt8(2, languageCode(command.language));
  view.setInt16(3, command.version);
  view.setInt32(5, command.opaque);
  view.setInt32(9, command.flag);
  const remarkLength = writeUtf8(bytes, 17, remark);
  view.setInt32(13, remarkLength);
  const extLengthAt = 17 + remarkLength;
  let position = extLengthAt + 4;
  if (extFields) {
    for (const key in extFields) {
      const value = extFields[key];
      if (value === undefined || value === null) continue;
      const keyLength = writeUtf8(bytes, position + 2, key);
      view.setInt16(position, keyLength);
      position += 2 + keyLength;
      const valueLength = writeUtf8(bytes, position + 4, String(value));
      view.setInt32(position, valueLength);
      position += 4 + valueLength;
    }
  }
  view.setInt32(extLengthAt, position - extLengthAt - 4);
  return bytes.subarray(0, position);
}

/** Writes a string as UTF-8 at `offset`, ASCII by hand (the common case), the rest by TextEncoder. */
function writeUtf8(target: Uint8Array, offset: number, text: string): number {
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0x80) return index + textEncoder.encodeInto(text.slice(index), target.subarray(offset + index)).written;
    target[offset + index] = unit;
  }
  return length;
}

/** Decodes a binary header. Throws only FrameError; the caller closes the connection. */
export function decodeBinaryHeader(bytes: Uint8Array): RemotingCommand {
  if (bytes.length < FIXED_BYTES) {
    throw new FrameError('HEADER_BINARY_INVALID', `binary header has ${bytes.length} bytes, fewer than the fixed ${FIXED_BYTES}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const command: RemotingCommand = {
    code: view.getInt16(0),
    language: languageName(view.getInt8(2)),
    version: view.getInt16(3),
    opaque: view.getInt32(5),
    flag: view.getInt32(9),
    serializeType: SerializeType.ROCKETMQ,
  };
  let position = 13;
  const remarkLength = view.getInt32(position);
  position += 4;
  checkSpan(bytes, position, remarkLength, 'remark');
  if (remarkLength > 0) command.remark = textDecoder.decode(bytes.subarray(position, position + remarkLength));
  position += remarkLength;
  checkSpan(bytes, position, 4, 'extLen');
  const extLength = view.getInt32(position);
  position += 4;
  checkSpan(bytes, position, extLength, 'extFields');
  const end = position + extLength;
  if (extLength > 0) {
    const extFields: Record<string, string> = {};
    while (position < end) {
      checkSpan(bytes, position, 2, 'key length', end);
      const keyLength = view.getInt16(position);
      position += 2;
      checkSpan(bytes, position, keyLength, 'key', end);
      const key = textDecoder.decode(bytes.subarray(position, position + keyLength));
      position += keyLength;
      checkSpan(bytes, position, 4, 'value length', end);
      const valueLength = view.getInt32(position);
      position += 4;
      checkSpan(bytes, position, valueLength, 'value', end);
      if (keyLength > 0 && valueLength > 0) {
        extFields[key] = textDecoder.decode(bytes.subarray(position, position + valueLength));
      }
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
