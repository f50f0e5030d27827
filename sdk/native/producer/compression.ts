/**
 * Body compression as the Java producer does it (wire §12.5): a single
 * message whose body is at least `compressBodyOverBytes` is zlib-compressed
 * (RFC 1950, with header) at level 5, and its sysFlag gets COMPRESSED_FLAG plus
 * the ZLIB type bits. Batches are never compressed. Consumers inflate by the
 * type bits; LZ4 and ZSTD bodies from other clients are handed over as stored
 * because Node has no built-in codec for them.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { MessageSysFlag, compressionType, isCompressed } from '../../protocol/flags.ts';

/** RocketMQ's `compressMsgBodyOverHowmuch`: 4 KiB. Smaller bodies gain little and cost CPU. */
export const compressBodyOverBytesDefault = 4096;

/** RocketMQ's default `rocketmq.message.compressLevel`. */
export const compressionLevelDefault = 5;

export interface CompressedBody {
  body: Uint8Array;
  /** Bits to OR into the send header's sysFlag. */
  sysFlagBits: number;
}

/**
 * The body to send and the sysFlag bits to set. Returns the body untouched
 * (bits 0) when it is under the threshold or compression does not shrink it.
 */
export function compressBody(body: Uint8Array, thresholdBytes = compressBodyOverBytesDefault, level = compressionLevelDefault): CompressedBody {
  if (body.length < thresholdBytes) return { body, sysFlagBits: 0 };
  const compressed = deflateSync(body, { level });
  if (compressed.length >= body.length) return { body, sysFlagBits: 0 };
  return {
    body: new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.byteLength),
    sysFlagBits: MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_ZLIB_TYPE,
  };
}

export type InflateResult = { ok: true; body: Uint8Array; sysFlag: number } | { ok: false; reason: string };

/**
 * The original body of a received message and its sysFlag with
 * COMPRESSED_FLAG cleared, as Java consumers present it.
 */
export function inflateBody(body: Uint8Array, sysFlag: number): InflateResult {
  if (!isCompressed(sysFlag)) return { ok: true, body, sysFlag };
  const type = compressionType(sysFlag);
  if (type !== 'ZLIB') return { ok: false, reason: `compression type ${type ?? 'unknown'} is not supported` };
  try {
    const inflated = inflateSync(body);
    return { ok: true, body: new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength), sysFlag: sysFlag & ~MessageSysFlag.COMPRESSED_FLAG };
  } catch (error) {
    return { ok: false, reason: `zlib body could not be inflated: ${(error as Error).message}` };
  }
}
