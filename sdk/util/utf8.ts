/**
 * UTF-8 decoding of a byte range, invalid sequences replaced with U+FFFD as
 * TextDecoder does. Node's Buffer decodes in native code straight from the
 * range, without a view object or a TextDecoder call; on other runtimes (and
 * for plain Uint8Arrays) TextDecoder does it. Both give the same string.
 */

const textDecoder = new TextDecoder();

/** Node's Buffer has this method; it is looked up, never required, so the module loads on any runtime. */
type NativeUtf8 = Uint8Array & { utf8Slice?: (start: number, end: number) => string };

export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const native = (bytes as NativeUtf8).utf8Slice;
  if (native !== undefined) return native.call(bytes, start, end);
  return textDecoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}
