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
  const remark = command.remark ? textEncoder.encode(command.remark) : undefined;
  const entries: Uint8Array[] = [];
  let extLength = 0;
  if (command.extFields) {
    for (const key in command.extFields) {
      const value = command.extFields[key];
      if (value === undefined || value === null) continue;
      const keyBytes = textEncoder.encode(key);
      const valueBytes = textEncoder.encode(String(value));
      entries.push(keyBytes, valueBytes);
      extLength += 2 + keyBytes.length + 4 + valueBytes.length;
    }
  }
  const bytes = new Uint8Array(FIXED_BYTES + (remark?.length ?? 0) + extLength);
  const view = new DataView(bytes.buffer);
  view.setInt16(0, command.code);
  view.setInt8(2, languageCode(command.language));
  view.setInt16(3, command.version);
  view.setInt32(5, command.opaque);
  view.setInt32(9, command.flag);
  let position = 13;
  view.setInt32(position, remark?.length ?? 0);
  position += 4;
  if (remark) {
    bytes.set(remark, position);
    position += remark.length;
  }
  view.setInt32(position, extLength);
  position += 4;
  for (let index = 0; index < entries.length; index += 2) {
    const keyBytes = entries[index]!;
    const valueBytes = entries[index + 1]!;
    view.setInt16(position, keyBytes.length);
    bytes.set(keyBytes, position + 2);
    position += 2 + keyBytes.length;
    view.setInt32(position, valueBytes.length);
    bytes.set(valueBytes, position + 4);
    position += 4 + valueBytes.length;
  }
  return bytes;
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
