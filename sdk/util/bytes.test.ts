import { describe, expect, it } from 'vitest';
import { allocateUninitialized } from './bytes.ts';

describe('allocateUninitialized', () => {
  it('gives byte arrays of the asked length, each with its own memory, small and large', () => {
    for (const length of [0, 1, 4095, 4096, 100_000]) {
      const a = allocateUninitialized(length);
      const b = allocateUninitialized(length);
      expect(a).toBeInstanceOf(Uint8Array);
      expect(a.length).toBe(length);
      if (length === 0) continue;
      a.fill(1);
      b.fill(2);
      expect(a.every((byte) => byte === 1)).toBe(true);
      // Large ones are not slices of a shared pool: the array is all its buffer holds.
      if (length >= 4096) expect(a.buffer.byteLength).toBe(length);
    }
  });
});
