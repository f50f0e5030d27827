import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32, crc32Masked, crc32Portable } from './crc32.ts';

// Bit-by-bit reference, slow but obviously right.
function referenceCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
  it('masks the body CRC of "hi" to 0x58932AAC as RocketMQ stores it', () => {
    expect(crc32Masked(new TextEncoder().encode('hi'))).toBe(0x58932aac);
  });
  it('of empty input is 0', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
  it('agrees with a bit-by-bit reference on any input and any sub-range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length ? a % bytes.length : 0;
        const end = start + (bytes.length ? b % (bytes.length - start + 1) : 0);
        expect(crc32(bytes, start, end)).toBe(referenceCrc32(bytes.subarray(start, end)));
      }),
    );
  });
  it('gives the same value from the portable tables as from the native path, also continued', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 2000 }), fc.nat(), (bytes, split) => {
        const at = split % bytes.length;
        expect(crc32Portable(bytes)).toBe(referenceCrc32(bytes));
        expect(crc32(bytes)).toBe(crc32Portable(bytes));
        expect(crc32(bytes, at, bytes.length, crc32(bytes, 0, at))).toBe(crc32Portable(bytes));
      }),
    );
  });
  it('can be continued across chunks', () => {
    const bytes = new TextEncoder().encode('the quick brown fox jumps over the lazy dog');
    expect(crc32(bytes, 10, bytes.length, crc32(bytes, 0, 10))).toBe(crc32(bytes));
  });
});
