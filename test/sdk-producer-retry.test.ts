/**
 * The producer's retries against real brokers: a NameServer and two brokers
 * of one cluster serve a topic; once one broker is gone, every send still
 * succeeds on the other (the failed attempt is retried on another broker,
 * and latency fault avoidance keeps later sends off the dead one), and once
 * both are gone a send fails with SEND_FAILED after all its attempts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NameServer } from '../control-plane/namesrv/name-server.ts';
import { Admin } from '../sdk/native/admin.ts';
import { ClientError } from '../sdk/native/errors.ts';
import { Producer } from '../sdk/native/producer/producer.ts';
import { silentLogger } from '../sdk/util/log.ts';
import { startTestBroker, type BrokerUnderTest } from './helpers/broker-harness.ts';
import { waitFor } from './helpers/wait-for.ts';

const topic = 'T_retry';
let nameServer: NameServer;
let brokerA: BrokerUnderTest;
let brokerB: BrokerUnderTest;
let admin: Admin;
let producer: Producer;
const closed = new Set<BrokerUnderTest>();

beforeAll(async () => {
  nameServer = await NameServer.start({ port: 0, host: '127.0.0.1', log: silentLogger });
  const namesrvAddr = `127.0.0.1:${nameServer.port}`;
  brokerA = await startTestBroker({ brokerName: 'broker-a', namesrvAddr: [namesrvAddr] });
  brokerB = await startTestBroker({ brokerName: 'broker-b', namesrvAddr: [namesrvAddr] });
  admin = new Admin({ namesrvAddr, log: silentLogger });
  await waitFor(async () => (await admin.clusterInfo().catch(() => undefined))?.brokers.length === 2, { timeoutMs: 10_000, what: 'both brokers registered' });
  await admin.createTopic({ topic, queues: 2 });
  await waitFor(async () => new Set((await admin.describeTopic(topic).catch(() => undefined))?.queues.map((queue) => queue.brokerName)).size === 2, {
    timeoutMs: 10_000,
    what: `the route of ${topic} on both brokers`,
  });
  producer = new Producer({ namesrvAddr, group: 'PG_retry', log: silentLogger, sendTimeoutMs: 10_000 });
  await producer.start();
});

afterAll(async () => {
  await producer?.shutdown();
  await admin?.shutdown();
  for (const broker of [brokerA, brokerB]) if (broker && !closed.has(broker)) await broker.close();
  await nameServer?.close();
});

describe('producer retries', () => {
  it('sends to both brokers while both are up', async () => {
    const brokers = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const result = await producer.send({ topic, body: `up-${i}` });
      expect(result.status).toBe('SEND_OK');
      brokers.add(result.queue.brokerName);
    }
    expect([...brokers].sort()).toEqual(['broker-a', 'broker-b']);
  });

  it('retries a send whose broker is gone on the other broker, and every send still succeeds', async () => {
    await brokerA.close();
    closed.add(brokerA);
    // The producer's route still lists broker-a: each pick of one of its queues fails to connect and is retried.
    for (let i = 0; i < 8; i++) {
      const result = await producer.send({ topic, body: `after-a-${i}` });
      expect(result.status).toBe('SEND_OK');
      expect(result.queue.brokerName).toBe('broker-b');
    }
  });

  it('fails with SEND_FAILED once no broker can take the message', async () => {
    await brokerB.close();
    closed.add(brokerB);
    const error = await producer.send({ topic, body: 'nowhere' }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('SEND_FAILED');
    expect((error as ClientError).message).toContain('3 attempts');
  });
});
