import { describe, expect, it } from 'vitest';
import { MessageSysFlag } from '../../protocol/flags.ts';
import { compressBody, compressBodyOverBytesDefault, inflateBody } from './compression.ts';

describe('body compression', () => {
  const body = new TextEncoder().encode('x'.repeat(compressBodyOverBytesDefault));

  it('compresses a body at the 4 KiB threshold and sets COMPRESSED_FLAG with the ZLIB type', () => {
    const compressed = compressBody(body);
    expect(compressed.sysFlagBits).toBe(MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_ZLIB_TYPE);
    expect(compressed.body.length).toBeLessThan(body.length);
    // A zlib stream with header (RFC 1950), as Java's Deflater writes.
    expect(compressed.body[0]).toBe(0x78);
  });

  it('leaves a body just under the threshold alone', () => {
    const small = body.subarray(0, compressBodyOverBytesDefault - 1);
    expect(compressBody(small)).toEqual({ body: small, sysFlagBits: 0 });
  });

  it('round trips and clears COMPRESSED_FLAG on the way in', () => {
    const compressed = compressBody(body);
    const inflated = inflateBody(compressed.body, compressed.sysFlagBits);
    expect(inflated.ok && inflated.body).toEqual(body);
    expect(inflated.ok && inflated.sysFlag).toBe(MessageSysFlag.COMPRESSION_ZLIB_TYPE);
  });

  it('inflates bodies of older clients that set no type bits', () => {
    const compressed = compressBody(body);
    const inflated = inflateBody(compressed.body, MessageSysFlag.COMPRESSED_FLAG);
    expect(inflated.ok && inflated.body).toEqual(body);
  });

  it('reports a damaged body instead of throwing', () => {
    const inflated = inflateBody(new Uint8Array([1, 2, 3]), MessageSysFlag.COMPRESSED_FLAG);
    expect(inflated.ok).toBe(false);
  });

  it('reports LZ4 bodies as unsupported', () => {
    expect(inflateBody(body, MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_LZ4_TYPE).ok).toBe(false);
  });
});
