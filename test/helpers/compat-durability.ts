/**
 * What the durability producer (durability-producer.ts, a child process) and
 * the durability test share: the body each message carries, derived from its
 * id alone so the test can rebuild it byte for byte, and the line the producer
 * prints for each acknowledged send.
 */

/** Smallest body the producer sends; the id prefix always fits. */
export const durabilityBodyMinBytes = 48;

/**
 * Largest body the producer sends. Below the 4 KiB compression threshold of
 * RocketMQ clients, so the stored body is the sent body; big enough that one
 * record spans several disk sectors and a torn write is possible.
 */
export const durabilityBodyMaxBytes = 3000;

/** The property that names a message's body id (besides KEYS). */
export const bodyIdProperty = 'bodyId';

/** Id of the `sequence`-th message of a producer round, e.g. `r2-000017`. */
export function bodyIdOf(round: number, sequence: number): string {
  return `r${round}-${String(sequence).padStart(6, '0')}`;
}

export function parseBodyId(bodyId: string): { round: number; sequence: number } | undefined {
  const match = /^r(\d+)-(\d{6})$/.exec(bodyId);
  return match ? { round: Number(match[1]), sequence: Number(match[2]) } : undefined;
}

/** 32-bit FNV-1a of a string, the seed of a body's bytes. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A small seeded generator (mulberry32): the same seed gives the same numbers in every process. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The body of message `bodyId`: the id and a colon, then bytes of every value
 * 0..255 from a generator seeded by the id, for a length between the minimum
 * and the maximum that also depends on the id.
 */
export function durabilityBody(bodyId: string): Uint8Array {
  const random = seededRandom(fnv1a(bodyId));
  const length = durabilityBodyMinBytes + Math.floor(random() * (durabilityBodyMaxBytes - durabilityBodyMinBytes + 1));
  const body = new Uint8Array(length);
  const prefix = new TextEncoder().encode(`${bodyId}:`);
  body.set(prefix);
  for (let i = prefix.length; i < length; i++) body[i] = Math.floor(random() * 256);
  return body;
}

export interface AckLine {
  queueId: number;
  queueOffset: number;
  msgId: string;
  bodyId: string;
}

/** The line the producer prints once the broker answered SUCCESS to a send. */
export function formatAck(ack: AckLine): string {
  return `ack queueId=${ack.queueId} queueOffset=${ack.queueOffset} msgId=${ack.msgId} bodyId=${ack.bodyId}`;
}

const ackPattern = /^ack queueId=(\d+) queueOffset=(\d+) msgId=([0-9A-F]+) bodyId=(\S+)$/;

export function parseAck(line: string): AckLine | undefined {
  const match = ackPattern.exec(line);
  if (!match) return undefined;
  return { queueId: Number(match[1]), queueOffset: Number(match[2]), msgId: match[3]!, bodyId: match[4]! };
}

export function isAckLine(line: string): boolean {
  return line.startsWith('ack ');
}
