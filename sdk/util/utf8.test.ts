import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../protocol/message-record.ts';
import { decodeUtf8, decodeUtf8Portable, encodeUtf8Into, encodeUtf8IntoPortable } from './utf8.ts';

describe('UTF-8 helpers', () => {
  it('write at an offset exactly what TextEncoder makes of any string, lone surrogates included, into Buffers and plain arrays', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(16), (text, offset) => {
        const expected = new TextEncoder().encode(text);
        const length = utf8Length(text);
        expect(length).toBe(expected.length);
        for (const target of [new Uint8Array(offset + length + 4), Buffer.alloc(offset + length + 4)]) {
          for (const write of [encodeUtf8Into, encodeUtf8IntoPortable]) {
            target.fill(0xee);
            expect(write(text, target, offset, length)).toBe(length);
            expect([...target.subarray(offset, offset + length)]).toEqual([...expected]);
            // Nothing outside the range is touched.
            expect(target.subarray(0, offset).every((byte) => byte === 0xee)).toBe(true);
            expect(target.subarray(offset + length).every((byte) => byte === 0xee)).toBe(true);
          }
        }
      }),
    );
  });

  it('decode a range of a Buffer and of a plain array to the same string TextDecoder gives', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }).map((text) => new TextEncoder().encode(text))), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length ? a % bytes.length : 0;
        const end = start + (bytes.length ? b % (bytes.length - start + 1) : 0);
        const expected = new TextDecoder().decode(bytes.subarray(start, end));
        expect(decodeUtf8(bytes, start, end)).toBe(expected);
        expect(decodeUtf8(Buffer.from(bytes), start, end)).toBe(expected);
        expect(decodeUtf8Portable(bytes, start, end)).toBe(expected);
        // A view that starts inside its ArrayBuffer, as frames cut from a socket read are.
        const padded = new Uint8Array(bytes.length + 3);
        padded.set(bytes, 3);
        expect(decodeUtf8(padded.subarray(3), start, end)).toBe(expected);
      }),
    );
  });
});
