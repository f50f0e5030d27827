/**
 * The durability promise of SYNC_FLUSH: a message the broker acknowledged
 * survives the broker process being killed (SIGKILL) at any moment.
 *
 * A standalone process runs with --flush-disk-type SYNC_FLUSH. A producer in
 * another process sends to several queues with sends always in flight and
 * prints every acknowledgement. After a number of acknowledgements drawn from
 * a seeded generator the test kills the standalone, starts it again on the same
 * data directory and reads every queue back from offset 0 with raw
 * PULL_MESSAGE requests. Three kills in a row, each checked on restart.
 *
 * The seed is fixed so a failure reproduces; APOGEE_DURABILITY_SEED changes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOffsetMessageId } from '../sdk/protocol/message-id.ts';
import { findProperty } from '../sdk/protocol/message-properties.ts';
import { RemotingClient } from '../sdk/remoting/client.ts';
import { silentLogger } from '../sdk/util/log.ts';
import { spawnTs, type Child } from './helpers/child.ts';
import {
  bodyIdProperty,
  durabilityBody,
  isAckLine,
  parseAck,
  parseBodyId,
  seededRandom,
  type AckLine,
} from './helpers/compat-durability.ts';
import { createTopic, readQueue, waitFor, type StoredRecord } from './helpers/compat-remoting.ts';
import { startStandalone, type Standalone } from './helpers/standalone.ts';

const seed = Number(process.env.APOGEE_DURABILITY_SEED ?? 20_261_125);
const topic = 'DurabilityTopic';
const queues = 4;
const kills = 3;
/** Acknowledgements before a kill are drawn from [killAfterAcksMin, killAfterAcksMin + killAfterAcksSpread). */
const killAfterAcksMin = 40;
const killAfterAcksSpread = 360;
/** Sends the producer keeps in flight, so the kill always lands while some are unanswered. */
const producerWindow = 16;
const producerTimeoutMs = 20_000;

const dataDirs: string[] = [];
const children: Child[] = [];
let server: Standalone | undefined;

afterAll(async () => {
  for (const child of children) await child.stop('SIGKILL');
  await server?.stop('SIGKILL');
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

interface QueueContents {
  queueId: number;
  records: StoredRecord[];
  maxOffset: number;
}

/** Reads every queue of the topic back and checks what must hold for any store, acknowledged or not. */
async function readAndCheckStore(broker: string): Promise<QueueContents[]> {
  const client = new RemotingClient({ log: silentLogger });
  try {
    const contents: QueueContents[] = [];
    for (let queueId = 0; queueId < queues; queueId++) {
      const readBack = await readQueue(client, broker, topic, queueId, 'CG_durability_reader');
      contents.push({ queueId, records: readBack.records, maxOffset: readBack.maxOffset });
    }
    return contents;
  } finally {
    await client.close();
  }
}

function checkQueues(contents: readonly QueueContents[], acks: ReadonlyMap<string, AckLine>): void {
  const seen = new Map<string, string>();
  for (const { queueId, records, maxOffset } of contents) {
    expect(maxOffset, `queue ${queueId}: maxOffset is the number of records read`).toBe(records.length);
    let previous: { round: number; sequence: number } | undefined;
    records.forEach(({ record }, index) => {
      const where = `queue ${queueId} offset ${index}`;
      expect(record.queueOffset, `${where}: queue offsets run 0, 1, 2, ... with no gap`).toBe(index);
      expect(record.queueId, where).toBe(queueId);
      expect(record.topic, where).toBe(topic);
      const bodyId = findProperty(record.properties, bodyIdProperty) ?? '';
      const parsed = parseBodyId(bodyId);
      expect(parsed, `${where}: a body id in properties ${JSON.stringify(record.properties)}`).toBeDefined();
      expect(findProperty(record.properties, 'KEYS'), where).toBe(bodyId);
      expect(parsed!.sequence % queues, `${where}: ${bodyId} was sent to queue ${parsed!.sequence % queues}`).toBe(queueId);
      expect(Buffer.from(record.body).equals(Buffer.from(durabilityBody(bodyId))), `${where}: body of ${bodyId} byte for byte`).toBe(true);
      expect(seen.get(bodyId), `${where}: ${bodyId} stored once`).toBeUndefined();
      seen.set(bodyId, where);
      if (previous) {
        const inOrder = parsed!.round > previous.round || (parsed!.round === previous.round && parsed!.sequence > previous.sequence);
        expect(inOrder, `${where}: ${bodyId} comes after r${previous.round}-${previous.sequence} in send order`).toBe(true);
      }
      previous = parsed;
    });
  }
  for (const ack of acks.values()) {
    const queue = contents.find((entry) => entry.queueId === ack.queueId);
    const stored = queue?.records[ack.queueOffset];
    const where = `acknowledged ${ack.bodyId} at queue ${ack.queueId} offset ${ack.queueOffset}`;
    expect(stored, `${where}: present after restart`).toBeDefined();
    expect(findProperty(stored!.record.properties, bodyIdProperty), where).toBe(ack.bodyId);
    expect(createOffsetMessageId(stored!.record.storeHost, stored!.record.physicalOffset), `${where}: msgId of the acknowledgement`).toBe(ack.msgId);
  }
}

/** Runs one producer round against `broker` and kills the standalone after `killAfterAcks` acknowledgements. */
async function produceAndKill(round: number, killAfterAcks: number): Promise<AckLine[]> {
  const producer = spawnTs('test/helpers/durability-producer.ts', [
    '--broker',
    server!.broker,
    '--topic',
    topic,
    '--queues',
    String(queues),
    '--round',
    String(round),
    '--window',
    String(producerWindow),
  ]);
  children.push(producer);
  const ackCount = () => producer.lines.filter(isAckLine).length;
  await waitFor(
    () => ackCount() >= killAfterAcks || producer.process.exitCode !== null,
    producerTimeoutMs,
    () => `${killAfterAcks} acknowledgements in round ${round} (have ${ackCount()})`,
  );
  expect(producer.process.exitCode, `round ${round}: producer still sending when the broker is killed (lines: ${producer.lines.slice(-3).join(' | ')})`).toBeNull();
  await server!.stop('SIGKILL');
  expect(server!.process.signalCode).toBe('SIGKILL');
  server = undefined;
  await producer.waitForLine(/^done acked=\d+ failed=\d+$/, producerTimeoutMs);
  const exit = await producer.exited;
  expect(exit.code).toBe(0);
  const acks = producer.lines.filter(isAckLine).map((line) => parseAck(line));
  for (const [index, ack] of acks.entries()) expect(ack, `round ${round} line ${index} parses`).toBeDefined();
  return acks as AckLine[];
}

describe('durability of a standalone process with SYNC_FLUSH', () => {
  it(`keeps every acknowledged message, whole, once and in order, across ${kills} SIGKILL restarts (seed ${seed})`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'apogee-durability-'));
    dataDirs.push(dataDir);
    const random = seededRandom(seed);
    const flags = ['--flush-disk-type', 'SYNC_FLUSH'];
    server = await startStandalone({ dataDir, args: flags });
    const admin = new RemotingClient({ log: silentLogger });
    try {
      await createTopic(admin, server.broker, topic, queues);
    } finally {
      await admin.close();
    }

    const acks = new Map<string, AckLine>();
    let storedBefore = 0;
    for (let round = 1; round <= kills; round++) {
      const killAfterAcks = killAfterAcksMin + Math.floor(random() * killAfterAcksSpread);
      const roundAcks = await produceAndKill(round, killAfterAcks);
      expect(roundAcks.length).toBeGreaterThanOrEqual(killAfterAcks);
      for (const ack of roundAcks) {
        expect(acks.has(ack.bodyId), `${ack.bodyId} acknowledged once`).toBe(false);
        acks.set(ack.bodyId, ack);
      }

      server = await startStandalone({ dataDir, args: flags });
      const contents = await readAndCheckStore(server.broker);
      checkQueues(contents, acks);
      const stored = contents.reduce((sum, queue) => sum + queue.records.length, 0);
      expect(stored, `round ${round}: at least every acknowledged message is stored`).toBeGreaterThanOrEqual(acks.size);
      expect(stored, `round ${round}: the store grew`).toBeGreaterThan(storedBefore);
      storedBefore = stored;
    }

    await server.stop();
    expect(server.process.exitCode, 'SIGTERM stops the standalone cleanly').toBe(0);
    server = undefined;
  });
});
