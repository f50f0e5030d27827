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

const textEncoder = new TextEncoder();

/** Node's Buffer writes UTF-8 in native code at an offset, without a view object. */
type NativeUtf8Write = Uint8Array & { utf8Write?: (text: string, offset: number, length: number) => number };

/**
 * Writes `text` as UTF-8 into `target` at `offset`, within `length` bytes
 * (the caller measured it), and returns the bytes written.
 */
export function encodeUtf8Into(text: string, target: Uint8Array, offset: number, length: number): number {
  const native = (target as NativeUtf8Write).utf8Write;
  if (native !== undefined) return native.call(target, text, offset, length);
  return textEncoder.encodeInto(text, target.subarray(offset, offset + length)).written;
}
