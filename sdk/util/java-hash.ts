/**
 * Java's `String.hashCode()`: `h = 31*h + c` over UTF-16 code units with
 * 32-bit wrap-around. RocketMQ uses it for ConsumeQueue tags codes and
 * IndexFile key hashes, so it must match Java exactly. `seed` continues a
 * hash: `javaStringHashCode(b, javaStringHashCode(a))` is the hash of `a + b`.
 */
export function javaStringHashCode(text: string, seed = 0): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}
