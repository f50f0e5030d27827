/**
 * Framing (wire §1.1), kept apart from sockets: bytes in, whole commands or a
 * reason for rejecting the stream out.
 *
 *   length int32 (bytes after itself) | type int8 | headerLen uint24 | header | body
 *
 * A frame that fits inside one received chunk is decoded in place: its body is
 * a view of that chunk, not a copy. Only a frame split across chunks is
 * assembled, into a buffer of exactly its size.
 */
import { SerializeType, type RemotingCommand } from './command.ts';
import { FrameError } from './errors.ts';
import { binaryHeaderBound, decodeBinaryHeader, encodeBinaryHeader, encodeBinaryHeaderInto } from './header-binary.ts';
import { decodeJsonHeader, encodeJsonHeader, encodeJsonHeaderInto, jsonHeaderBound } from './header-json.ts';
import { frameSizeMaxBytes, headerSizeMaxBytes } from './limits.ts';
import { allocateUninitialized } from '../util/bytes.ts';

export interface FrameLimits {
  /** Largest frame, length prefix included. */
  frameSizeMaxBytes: number;
  headerSizeMaxBytes: number;
}

export const defaultFrameLimits: FrameLimits = { frameSizeMaxBytes, headerSizeMaxBytes };

const EMPTY = new Uint8Array(0);

export function encodeHeader(command: RemotingCommand): Uint8Array {
  return command.serializeType === SerializeType.ROCKETMQ ? encodeBinaryHeader(command) : encodeJsonHeader(command);
}

/**
 * Frame heads (length prefix, header word and header, in either encoding)
 * are cut from a shared slab instead of each getting its own buffer: a fresh
 * ArrayBuffer per frame costs more than encoding the header. A head is never written again once handed out,
 * so the socket may hold it as long as it likes; a full slab is dropped and
 * freed when the last head cut from it is.
 */
const headSlabBytes = 64 * 1024;
let headSlab = new Uint8Array(headSlabBytes);
let headSlabUsed = 0;

/** Room for a head of at most `maxBytes`; `commitHead` says how much of it was used. */
function reserveHead(maxBytes: number): Uint8Array {
  if (maxBytes > headSlabBytes / 8) return new Uint8Array(maxBytes);
  if (headSlabUsed + maxBytes > headSlabBytes) {
    headSlab = new Uint8Array(headSlabBytes);
    headSlabUsed = 0;
  }
  return headSlab.subarray(headSlabUsed, headSlabUsed + maxBytes);
}

function commitHead(reserved: Uint8Array, usedBytes: number): Uint8Array {
  // Keep the next head 8-byte aligned; a head that did not come from the slab changes nothing.
  if (reserved.buffer === headSlab.buffer) headSlabUsed += (usedBytes + 7) & ~7;
  return reserved.subarray(0, usedBytes);
}

/**
 * Encodes a command as [prefix + header, body?]. The body is never copied, so
 * a large pull body goes to the socket as it is (one writev with the prefix).
 */
export function encodeFrameParts(command: RemotingCommand): Uint8Array[] {
  const body = command.body ?? EMPTY;
  let head: Uint8Array;
  let headerLength: number;
  if (command.serializeType === SerializeType.ROCKETMQ) {
    const reserved = reserveHead(8 + binaryHeaderBound(command));
    headerLength = encodeBinaryHeaderInto(command, reserved, 8);
    head = commitHead(reserved, 8 + headerLength);
  } else {
    const reserved = reserveHead(8 + jsonHeaderBound(command));
    headerLength = encodeJsonHeaderInto(command, reserved, 8);
    head = commitHead(reserved, 8 + headerLength);
  }
  const length = 4 + headerLength + body.length;
  head[0] = length >>> 24;
  head[1] = length >>> 16;
  head[2] = length >>> 8;
  head[3] = length;
  head[4] = command.serializeType;
  head[5] = headerLength >>> 16;
  head[6] = headerLength >>> 8;
  head[7] = headerLength;
  return body.length === 0 ? [head] : [head, body];
}

/** Encodes a command as one contiguous frame. */
export function encodeFrame(command: RemotingCommand): Uint8Array {
  const parts = encodeFrameParts(command);
  if (parts.length === 1) return parts[0]!;
  const frame = new Uint8Array(parts[0]!.length + parts[1]!.length);
  frame.set(parts[0]!, 0);
  frame.set(parts[1]!, parts[0]!.length);
  return frame;
}

/**
 * Decodes the bytes after a frame's length prefix. Throws FrameError when
 * the header word or header is malformed.
 */
export function decodeFrameContent(content: Uint8Array, limits: FrameLimits = defaultFrameLimits): RemotingCommand {
  if (content.length < 4) throw new FrameError('FRAME_TOO_SMALL', `frame length ${content.length} leaves no room for the header word`);
  const word = ((content[0]! << 24) | (content[1]! << 16) | (content[2]! << 8) | content[3]!) >>> 0;
  const serializeType = word >>> 24;
  const headerLength = word & 0x00ffffff;
  if (headerLength > content.length - 4) {
    throw new FrameError('HEADER_LENGTH_INVALID', `header length ${headerLength} exceeds the ${content.length - 4} bytes left in the frame`);
  }
  if (headerLength > limits.headerSizeMaxBytes) {
    throw new FrameError('HEADER_TOO_LARGE', `header length ${headerLength} exceeds the limit of ${limits.headerSizeMaxBytes}`);
  }
  const headerBytes = content.subarray(4, 4 + headerLength);
  let command: RemotingCommand;
  if (serializeType === SerializeType.JSON) command = decodeJsonHeader(headerBytes);
  else if (serializeType === SerializeType.ROCKETMQ) command = decodeBinaryHeader(headerBytes);
  else throw new FrameError('SERIALIZE_TYPE_UNKNOWN', `serialization type ${serializeType} is neither JSON (0) nor ROCKETMQ (1)`);
  if (content.length > 4 + headerLength) command.body = content.subarray(4 + headerLength);
  return command;
}

/** Decodes one whole frame (length prefix included). */
export function decodeFrame(frame: Uint8Array, limits: FrameLimits = defaultFrameLimits): RemotingCommand {
  const length = readLength(frame, 0, limits);
  if (frame.length !== 4 + length) {
    throw new FrameError('FRAME_TOO_SMALL', `frame declares ${length} bytes after its prefix but ${frame.length - 4} are present`);
  }
  return decodeFrameContent(frame.subarray(4), limits);
}

function readLength(bytes: Uint8Array, offset: number, limits: FrameLimits): number {
  const length = ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) | 0;
  if (length < 4) throw new FrameError('FRAME_TOO_SMALL', `frame length ${length} is below the 4-byte header word`);
  if (length + 4 > limits.frameSizeMaxBytes) {
    throw new FrameError('FRAME_TOO_LARGE', `frame of ${length + 4} bytes exceeds the limit of ${limits.frameSizeMaxBytes}`);
  }
  return length;
}

/**
 * Turns a byte stream into commands. Feed it every chunk in order; it calls
 * `onCommand` for each complete frame and throws FrameError at the first
 * fault, after which the stream cannot be trusted and must be closed.
 */
export class FrameDecoder {
  private readonly limits: FrameLimits;
  /** The first bytes of a length prefix that arrived split. */
  private readonly prefix = new Uint8Array(4);
  private prefixFilled = 0;
  /** A frame's content (after the prefix) being assembled across chunks. */
  private partial: Uint8Array | undefined;
  private partialFilled = 0;

  constructor(limits: FrameLimits = defaultFrameLimits) {
    this.limits = limits;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.prefixFilled + this.partialFilled;
  }

  push(chunk: Uint8Array, onCommand: (command: RemotingCommand) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.partial !== undefined) {
        offset = this.fillPartial(chunk, offset, onCommand);
        continue;
      }
      if (this.prefixFilled > 0 || chunk.length - offset < 4) {
        offset = this.fillPrefix(chunk, offset);
        continue;
      }
      const length = readLength(chunk, offset, this.limits);
      const start = offset + 4;
      if (chunk.length - start >= length) {
        offset = start + length;
        onCommand(decodeFrameContent(chunk.subarray(start, offset), this.limits));
      } else {
        this.startPartial(length);
        offset = start;
      }
    }
  }

  private fillPrefix(chunk: Uint8Array, offset: number): number {
    while (this.prefixFilled < 4 && offset < chunk.length) this.prefix[this.prefixFilled++] = chunk[offset++]!;
    if (this.prefixFilled === 4) {
      this.prefixFilled = 0;
      this.startPartial(readLength(this.prefix, 0, this.limits));
    }
    return offset;
  }

  private startPartial(length: number): void {
    // Every byte is copied in from the socket before the frame is decoded.
    this.partial = allocateUninitialized(length);
    this.partialFilled = 0;
  }

  private fillPartial(chunk: Uint8Array, offset: number, onCommand: (command: RemotingCommand) => void): number {
    const partial = this.partial!;
    const take = Math.min(partial.length - this.partialFilled, chunk.length - offset);
    partial.set(chunk.subarray(offset, offset + take), this.partialFilled);
    this.partialFilled += take;
    if (this.partialFilled === partial.length) {
      this.partial = undefined;
      this.partialFilled = 0;
      onCommand(decodeFrameContent(partial, this.limits));
    }
    return offset + take;
  }
}
