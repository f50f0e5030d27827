/**
 * Message ids (wire §12.9), both uppercase hex:
 *
 * - the offset message id: store host IP (4 or 16 bytes) + port (int32) +
 *   CommitLog physical offset (int64), 32 or 56 hex characters;
 * - the unique (client) id kept in the `UNIQ_KEY` property: client IP +
 *   low 16 bits of the pid + a per-process random int + ms since the start of
 *   the month (int32) + a counter (int16), 32 or 56 hex characters.
 *
 * Also home of the host address codec the CommitLog record shares: an IPv4
 * address is 4 bytes, an IPv6 one 16; IPv4-mapped IPv6 is unmapped first, as
 * Java does.
 */

const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = '';
  for (let i = start; i < end; i++) text += HEX_PAIRS[bytes[i]!];
  return text;
}

export function hexToBytes(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Parses IPv4 or IPv6 text into 4 or 16 bytes; undefined when it is neither. */
export function encodeHostAddress(address: string): Uint8Array | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1]!;
  if (address.includes(':')) return encodeIPv6(address.startsWith('[') ? address.slice(1, -1) : address);
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function encodeIPv6(address: string): Uint8Array | undefined {
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    for (const group of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[i * 2] = all[i]! >>> 8;
    bytes[i * 2 + 1] = all[i]! & 0xff;
  }
  return bytes;
}

/** IPv4 addresses already turned into text, by their 32-bit value; cleared when it reaches `ipv4TextsMax`. */
const ipv4Texts = new Map<number, string>();
const ipv4TextsMax = 1024;

/** Formats 4 or 16 address bytes as dotted IPv4 or full (uncompressed) IPv6 text. */
export function decodeHostAddress(bytes: Uint8Array, start = 0, length = bytes.length - start): string {
  if (length === 4) {
    // Every record carries two addresses and a consumer sees few distinct ones: reuse their text.
    const key = ((bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!) >>> 0;
    let text = ipv4Texts.get(key);
    if (text === undefined) {
      text = `${bytes[start]}.${bytes[start + 1]}.${bytes[start + 2]}.${bytes[start + 3]}`;
      if (ipv4Texts.size >= ipv4TextsMax) ipv4Texts.clear();
      ipv4Texts.set(key, text);
    }
    return text;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[start + i]! << 8) | bytes[start + i + 1]!).toString(16));
  return groups.join(':');
}

/**
 * Builds the hex prefix (store host IP + port) shared by every offset
 * message id of one store host, so an id costs one string concatenation.
 */
export function offsetMessageIdPrefix(hostBytes: Uint8Array, port: number): string {
  const portBytes = new Uint8Array([port >>> 24, (port >>> 16) & 0xff, (port >>> 8) & 0xff, port & 0xff]);
  return bytesToHex(hostBytes) + bytesToHex(portBytes);
}

/** Appends a physical offset as 16 hex characters to a prefix from `offsetMessageIdPrefix`. */
export function offsetMessageIdFromPrefix(prefix: string, physicalOffset: number): string {
  const high = Math.floor(physicalOffset / 0x100000000);
  const low = physicalOffset - high * 0x100000000;
  return prefix + hex32(high) + hex32(low);
}

/** Upper-case hex of every byte value, so a 32-bit word is four lookups (this runs for every stored message). */
const hexOfByte: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).toUpperCase().padStart(2, '0'));

function hex32(word: number): string {
  return hexOfByte[(word >>> 24) & 0xff]! + hexOfByte[(word >>> 16) & 0xff]! + hexOfByte[(word >>> 8) & 0xff]! + hexOfByte[word & 0xff]!;
}

/**
 * The offset message id of a record.
 *
 * @example createOffsetMessageId({ address: '10.0.0.1', port: 10911 }, 4096) === '0A00000100002A9F0000000000001000'
 */
export function createOffsetMessageId(storeHost: { address: string; port: number }, physicalOffset: number): string {
  const bytes = encodeHostAddress(storeHost.address) ?? new Uint8Array(4);
  return offsetMessageIdFromPrefix(offsetMessageIdPrefix(bytes, storeHost.port), physicalOffset);
}

export interface OffsetMessageId {
  address: string;
  port: number;
  physicalOffset: number;
}

/** Decodes an offset message id: 32 hex characters are IPv4, 56 are IPv6. */
export function decodeOffsetMessageId(id: string): OffsetMessageId | undefined {
  if (id.length !== 32 && id.length !== 56) return undefined;
  const bytes = hexToBytes(id);
  if (!bytes) return undefined;
  const ipLength = id.length === 32 ? 4 : 16;
  const view = new DataView(bytes.buffer);
  const physicalOffset = view.getUint32(ipLength + 4) * 0x100000000 + view.getUint32(ipLength + 8);
  return { address: decodeHostAddress(bytes, 0, ipLength), port: view.getInt32(ipLength), physicalOffset };
}

/** Start of the month containing `time`, in the local time zone, as Java's MessageClientIDSetter computes it. */
function monthStart(time: number, monthsBack = 0): number {
  const date = new Date(time);
  return new Date(date.getFullYear(), date.getMonth() - monthsBack, 1, 0, 0, 0, 0).getTime();
}

export interface UniqueIdGeneratorOptions {
  /** Client IP, 4 or 16 bytes. Default: 127.0.0.1 (a fixed stand-in, as Java uses when none is found). */
  ip?: Uint8Array;
  pid?: number;
  /** Per-process constant (Java: the class loader's hash). Default: random. */
  processHash?: number;
  now?: () => number;
}

/** Generates `UNIQ_KEY` values; one instance per process. */
export class UniqueIdGenerator {
  private readonly prefix: string;
  private readonly now: () => number;
  private counter = 0;
  private startTime = 0;
  private nextStartTime = 0;

  constructor(options: UniqueIdGeneratorOptions = {}) {
    const ip = options.ip ?? new Uint8Array([127, 0, 0, 1]);
    const fixed = new Uint8Array(ip.length + 6);
    fixed.set(ip);
    const view = new DataView(fixed.buffer);
    view.setUint16(ip.length, (options.pid ?? 0) & 0xffff);
    view.setInt32(ip.length + 2, options.processHash ?? (Math.random() * 0x100000000) | 0);
    this.prefix = bytesToHex(fixed);
    this.now = options.now ?? Date.now;
  }

  next(): string {
    const current = this.now();
    if (current >= this.nextStartTime) {
      this.startTime = monthStart(current);
      this.nextStartTime = monthStart(current, -1);
    }
    let diff = current - this.startTime;
    if (diff < 0 && diff > -1_000_000) diff = 0;
    const counter = this.counter;
    this.counter = (counter + 1) & 0xffff;
    const time = (diff | 0) >>> 0;
    return this.prefix + hex32(time) + hexOfByte[counter >>> 8]! + hexOfByte[counter & 0xff]!;
  }
}

export interface UniqueIdParts {
  address: string;
  pid: number;
  processHash: number;
  /** Approximate creation time: month start + the stored ms (previous month if that lies in the future). */
  createdTimestamp: number;
  counter: number;
}

export function decodeUniqueId(id: string, now: number = Date.now()): UniqueIdParts | undefined {
  if (id.length !== 32 && id.length !== 56) return undefined;
  const bytes = hexToBytes(id);
  if (!bytes) return undefined;
  const ipLength = id.length === 32 ? 4 : 16;
  const view = new DataView(bytes.buffer);
  // Read unsigned, as Java's getNearlyTimeFromID does (it widens the 4 bytes into a long).
  const diff = view.getUint32(ipLength + 6);
  let createdTimestamp = monthStart(now) + diff;
  if (createdTimestamp >= now) createdTimestamp = monthStart(now, 1) + diff;
  return {
    address: decodeHostAddress(bytes, 0, ipLength),
    pid: view.getUint16(ipLength),
    processHash: view.getInt32(ipLength + 2),
    createdTimestamp,
    counter: view.getUint16(ipLength + 10),
  };
}
