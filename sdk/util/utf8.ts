/**
 * UTF-8 decoding of a byte range, invalid sequences replaced with U+FFFD as
 * TextDecoder does. Where Node's Buffer exists, it decodes in native code
 * straight from the range of any Uint8Array, without a view object or a
 * TextDecoder call; elsewhere TextDecoder does it. Both give the same string.
 */

const textDecoder = new TextDecoder();

/**
 * Node's Buffer decodes UTF-8 in native code from a range, without a view
 * object, and its method works on any Uint8Array: frames assembled from
 * several socket reads are plain Uint8Arrays, and TextDecoder on a subarray
 * costs about twice as much for short text. Looked up, never required, so the
 * module loads on any runtime.
 */
type NativeUtf8Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeUtf8Slice = (globalThis as { Buffer?: { prototype: { utf8Slice?: NativeUtf8Slice } } }).Buffer?.prototype.utf8Slice;

export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (nativeUtf8Slice !== undefined) return nativeUtf8Slice.call(bytes, start, end);
  return decodeUtf8Portable(bytes, start, end);
}

/** `decodeUtf8` through TextDecoder, for runtimes without Node's Buffer. */
export function decodeUtf8Portable(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return textDecoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}

const textEncoder = new TextEncoder();

/**
 * Node's Buffer writes UTF-8 in native code at an offset, without a view
 * object, and its method works on any Uint8Array. Looked up, never required.
 */
type NativeUtf8Write = (this: Uint8Array, text: string, offset: number, length: number) => number;
const nativeUtf8Write = (globalThis as { Buffer?: { prototype: { utf8Write?: NativeUtf8Write } } }).Buffer?.prototype.utf8Write;

/**
 * Writes `text` as UTF-8 into `target` at `offset`, within `length` bytes
 * (the caller measured it with `utf8Length`), and returns the bytes written.
 * Lone surrogates become U+FFFD either way.
 */
export function encodeUtf8Into(text: string, target: Uint8Array, offset: number, length: number): number {
  if (nativeUtf8Write !== undefined) return nativeUtf8Write.call(target, text, offset, length);
  return encodeUtf8IntoPortable(text, target, offset, length);
}

/** `encodeUtf8Into` through TextEncoder, for runtimes without Node's Buffer. */
export function encodeUtf8IntoPortable(text: string, target: Uint8Array, offset: number, length: number): number {
  return textEncoder.encodeInto(text, target.subarray(offset, offset + length)).written;
}
