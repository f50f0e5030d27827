import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { javaStringHashCode, javaStringHashCodeOfRange } from './java-hash.ts';

/** Java's definition, one code unit at a time. */
function reference(text: string, seed = 0): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

describe('javaStringHashCode', () => {
  it('matches Java for tags, index keys, the empty string and non-ASCII text', () => {
    expect(javaStringHashCode('TagA')).toBe(2598919);
    expect(javaStringHashCode('A')).toBe(65);
    expect(javaStringHashCode('T1#key')).toBe(-1843717319);
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('é')).toBe(233);
    expect(javaStringHashCode('\u{1F600}')).toBe(1772899);
    // A 32-character unique id, hashed four code units per step.
    expect(javaStringHashCode('7F0000010E6818B4AAC21B4F3A2D0000')).toBe(reference('7F0000010E6818B4AAC21B4F3A2D0000'));
  });

  it('continues from a seed as if the strings were joined', () => {
    expect(javaStringHashCode('key', javaStringHashCode('T1#'))).toBe(-1843717319);
    expect(javaStringHashCode('#key', javaStringHashCode('T1'))).toBe(javaStringHashCode('T1#key'));
    expect(javaStringHashCode('', 12345)).toBe(12345);
  });

  it('equals the one-unit-at-a-time definition for any text, range and seed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 70 }), fc.nat(), fc.nat(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (text, a, b, seed) => {
        const start = text.length ? a % text.length : 0;
        const end = start + (text.length ? b % (text.length - start + 1) : 0);
        expect(javaStringHashCode(text, seed)).toBe(reference(text, seed));
        expect(javaStringHashCodeOfRange(text, start, end, seed)).toBe(reference(text.slice(start, end), seed));
      }),
      { numRuns: 2000 },
    );
  });
});
