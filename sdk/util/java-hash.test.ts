import { describe, expect, it } from 'vitest';
import { javaStringHashCode } from './java-hash.ts';

describe('javaStringHashCode', () => {
  it('matches Java for tags, index keys, the empty string and non-ASCII text', () => {
    expect(javaStringHashCode('TagA')).toBe(2598919);
    expect(javaStringHashCode('A')).toBe(65);
    expect(javaStringHashCode('T1#key')).toBe(-1843717319);
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('é')).toBe(233);
    expect(javaStringHashCode('\u{1F600}')).toBe(1772899);
  });

  it('continues from a seed as if the strings were joined', () => {
    expect(javaStringHashCode('key', javaStringHashCode('T1#'))).toBe(-1843717319);
    expect(javaStringHashCode('#key', javaStringHashCode('T1'))).toBe(javaStringHashCode('T1#key'));
    expect(javaStringHashCode('', 12345)).toBe(12345);
  });
});
