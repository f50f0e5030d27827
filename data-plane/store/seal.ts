/**
 * Sealing: filling in the BODYCRC of records just before their bytes are
 * handed to the OS. Appends leave the field at zero; `CommitLog.writePending`
 * seals the range it writes itself, or the writer thread seals a range it was
 * given, so the checksum (a third of a 1 KiB append) is computed on whichever
 * thread copies the bytes. Nothing reads a record before it is written: the
 * queues learn of it afterwards.
 *
 * `sealRecords` is also the writer thread's code (log-writer.ts puts its
 * source text into the thread), so its body is plain JavaScript that uses its
 * parameters and nothing else.
 */

/** A CRC-32 of `bytes` as `java.util.zip.CRC32` gives it (unsigned). */
export type Crc32Function = (bytes: Uint8Array) => number;

/**
 * Writes the masked body CRC of every record in `bytes[start, end)`, which
 * begins at a record boundary and holds whole records; an 8-byte blank
 * marker (the end of a segment) is stepped over.
 */
export function sealRecords(bytes: Uint8Array, view: DataView, start: number, end: number, crc32: Crc32Function): void {
  // Offsets (store doc §3): MAGICCODE +4, BODYCRC +8, SYSFLAG +36, then born host at +48,
  // and BODYLENGTH 28 bytes after the born host, whose length and the store host's follow the sysFlag.
  const blankMagic = 0xcbd43194 | 0;
  let at = start;
  while (at < end) {
    const size = view.getInt32(at);
    if (size <= 0) break; // not a record: never loop on it
    if (view.getInt32(at + 4) === blankMagic) {
      at += 8;
      continue;
    }
    const sysFlag = view.getInt32(at + 36);
    const bodyLengthAt = at + 76 + (sysFlag & 0x10 ? 16 : 4) + (sysFlag & 0x20 ? 16 : 4);
    const bodyAt = bodyLengthAt + 4;
    view.setInt32(at + 8, crc32(bytes.subarray(bodyAt, bodyAt + view.getInt32(bodyLengthAt))) & 0x7fffffff);
    at += size;
  }
}
