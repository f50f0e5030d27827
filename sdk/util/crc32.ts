/**
 * CRC-32 (IEEE 802.3, polynomial 0xEDB88320 reflected), the checksum of
 * `java.util.zip.CRC32`, computed eight bytes at a time with eight lookup
 * tables (slicing-by-8). RocketMQ stores the body CRC masked to 31 bits.
 */

const TABLES = buildTables();

function buildTables(): Int32Array {
  const tables = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n]!;
    for (let t = 1; t < 8; t++) {
      c = tables[c & 0xff]! ^ (c >>> 8);
      tables[t * 256 + n] = c;
    }
  }
  return tables;
}

/** A platform CRC-32 (zlib's, vectorised in native code) where the runtime has one; same results as `crc32Portable`. */
type NativeCrc32 = (data: Uint8Array, value?: number) => number;
const nativeCrc32: NativeCrc32 | undefined = findNativeCrc32();
/** Whether this runtime has the platform CRC-32 (`node:zlib` `crc32`, Node ≥ 20.15). */
export const hasNativeCrc32 = nativeCrc32 !== undefined;

function findNativeCrc32(): NativeCrc32 | undefined {
  // Node ≥ 20.16 exposes built-ins without an import, so this module stays loadable on any runtime.
  const runtime = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const zlib = runtime?.getBuiltinModule?.('node:zlib') as { crc32?: NativeCrc32 } | undefined;
  return typeof zlib?.crc32 === 'function' ? zlib.crc32 : undefined;
}

/**
 * Below this many bytes the table loop beats the native call, whose argument
 * checks cost about as much as 200 bytes of table lookups (Node 20, x64).
 */
const nativeCrc32BytesMin = 256;

/**
 * Continues a CRC-32 over `bytes[start, end)`. Start a fresh checksum with
 * `crc = 0`. Returns an unsigned 32-bit value.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  if (nativeCrc32 !== undefined && end - start >= nativeCrc32BytesMin) {
    return nativeCrc32(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), crc) >>> 0;
  }
  return crc32Portable(bytes, start, end, crc);
}

/** The table-driven CRC-32 in plain TypeScript, for runtimes without a native one and for short inputs. */
export function crc32Portable(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  const t = TABLES;
  let c = ~crc;
  let i = start;
  const fastEnd = end - 8;
  while (i <= fastEnd) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = t[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** RocketMQ's BODYCRC: the CRC-32 with the sign bit cleared (`& 0x7FFFFFFF`). */
export function crc32Masked(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32(bytes, start, end) & 0x7fffffff;
}
