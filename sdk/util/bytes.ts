/**
 * Byte arrays that are filled completely right after they are allocated
 * (a frame assembled from socket reads, an encoded batch body) need not be
 * zeroed first. Node's `Buffer.allocUnsafe` skips the zeroing, which for
 * tens of KiB costs about as much as filling them; a Buffer is a Uint8Array.
 * Looked up, never required, so this module loads on any runtime, where
 * `new Uint8Array` does the job.
 */
type AllocUnsafe = (size: number) => Uint8Array;
const nativeAllocUnsafe = (globalThis as { Buffer?: { allocUnsafe?: AllocUnsafe } }).Buffer?.allocUnsafe;

/** Below this, `Buffer.allocUnsafe` takes a slice of a shared pool, which would keep the whole pool alive as long as the result. */
const uninitializedBytesMin = 4096;

/** A new byte array of `length` whose contents are unspecified: the caller writes every byte before reading any. */
export function allocateUninitialized(length: number): Uint8Array {
  if (nativeAllocUnsafe !== undefined && length >= uninitializedBytesMin) return nativeAllocUnsafe(length);
  return new Uint8Array(length);
}
