/**
 * Java's `String.hashCode()`: `h = 31*h + c` over UTF-16 code units with
 * 32-bit wrap-around. RocketMQ uses it for ConsumeQueue tags codes and
 * IndexFile key hashes, so it must match Java exactly. `seed` continues a
 * hash: `javaStringHashCode(b, javaStringHashCode(a))` is the hash of `a + b`.
 */
export function javaStringHashCode(text: string, seed = 0): number {
  return javaStringHashCodeOfRange(text, 0, text.length, seed);
}

// Powers of 31 modulo 2^32, for four code units per step.
const P2 = 31 * 31;
const P3 = 31 * 31 * 31;
const P4 = 31 * 31 * 31 * 31;

/**
 * The hash of `text.slice(start, end)` without making the slice: the store
 * hashes property values in place in the properties text. Four code units per
 * step (`h = h*31^4 + a*31^3 + b*31^2 + c*31 + d`, all modulo 2^32), so only
 * one multiply per step waits on the one before.
 */
export function javaStringHashCodeOfRange(text: string, start: number, end: number, seed = 0): number {
  let h = seed | 0;
  let i = start;
  for (const fastEnd = end - 4; i <= fastEnd; i += 4) {
    h =
      (Math.imul(P4, h) +
        Math.imul(P3, text.charCodeAt(i)) +
        Math.imul(P2, text.charCodeAt(i + 1)) +
        Math.imul(31, text.charCodeAt(i + 2)) +
        text.charCodeAt(i + 3)) |
      0;
  }
  for (; i < end; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}
