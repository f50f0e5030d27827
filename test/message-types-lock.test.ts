/**
 * Orderly-consumption locks over real sockets: two consumers of one group
 * send LOCK_BATCH_MQ for the same queues; only the owner gets them, the
 * other gets a queue once the owner unlocks it or stops renewing past the
 * lock's live time (1 s here). Expiry is awaited by polling with a
 * deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLockBatchResponseBody, encodeLockBatchRequestBody } from '../sdk/protocol/bodies/small.ts';
import type { MessageQueue } from '../sdk/protocol/bodies/message-queue.ts';
import { createRequest } from '../sdk/protocol/command.ts';
import { LOCK_BATCH_MQ, UNLOCK_BATCH_MQ } from '../sdk/protocol/requests/lock.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { newClient, waitFor } from './helpers/broker-harness.ts';
import { startAdvancedBroker, type AdvancedBroker } from './message-types-helpers.ts';

let broker: AdvancedBroker;
let first: RemotingClient;
let second: RemotingClient;

beforeAll(async () => {
  broker = await startAdvancedBroker({ lockMaxLiveTimeMs: 1000 });
  first = newClient();
  second = newClient();
});

afterAll(async () => {
  await Promise.all([first.close(), second.close()]);
  await broker.close();
});

const queues: MessageQueue[] = [0, 1].map((queueId) => ({ topic: 'TopicOrderly', brokerName: 'broker-a', queueId }));

async function lock(client: RemotingClient, clientId: string, mqSet: MessageQueue[]): Promise<number[]> {
  const body = new TextEncoder().encode(encodeLockBatchRequestBody({ consumerGroup: 'CG_orderly', clientId, onlyThisBroker: true, mqSet }));
  const response = await client.invokeSync(broker.address, createRequest(LOCK_BATCH_MQ.code, {}, body), 5000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
  return decodeLockBatchResponseBody(response.body!).map((queue) => queue.queueId).sort();
}

async function unlock(client: RemotingClient, clientId: string, mqSet: MessageQueue[]): Promise<void> {
  const body = new TextEncoder().encode(encodeLockBatchRequestBody({ consumerGroup: 'CG_orderly', clientId, onlyThisBroker: true, mqSet }));
  const response = await client.invokeSync(broker.address, createRequest(UNLOCK_BATCH_MQ.code, {}, body), 5000);
  expect(response.code).toBe(ResponseCode.SUCCESS);
}

describe('queue locks', () => {
  it('lets only the owner of a queue lock it until it unlocks or its lock expires', async () => {
    expect(await lock(first, 'c1', queues)).toEqual([0, 1]);
    expect(await lock(second, 'c2', queues)).toEqual([]);
    // Renewal by the owner keeps both queues.
    expect(await lock(first, 'c1', queues)).toEqual([0, 1]);
    await unlock(first, 'c1', [queues[0]!]);
    expect(await lock(second, 'c2', queues)).toEqual([0]);
    expect(await lock(first, 'c1', queues)).toEqual([1]);
    // c1 stops renewing queue 1; after the live time c2 takes it.
    await waitFor(async () => (await lock(second, 'c2', [queues[1]!])).length === 1, 10_000, 'the expired lock');
    expect(await lock(first, 'c1', [queues[1]!])).toEqual([]);
  });

  it('answers a body without a client id with SYSTEM_ERROR', async () => {
    const body = new TextEncoder().encode(encodeLockBatchRequestBody({ consumerGroup: 'CG_orderly', clientId: '', onlyThisBroker: true, mqSet: queues }));
    const response = await first.invokeSync(broker.address, createRequest(LOCK_BATCH_MQ.code, {}, body), 5000);
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR);
  });
});
