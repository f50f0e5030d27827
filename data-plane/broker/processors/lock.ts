/**
 * LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42): queue locks of orderly
 * consumers. Mirrors RocketMQ's AdminBrokerProcessor.lockBatchMQ and
 * unlockBatchMQ for one broker (the set of brokers of a name is one here).
 * The lock answer lists the queues the requester now holds.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { decodeLockBatchRequestBody, encodeLockBatchResponseBody, type LockBatchRequestBody } from '../../../sdk/protocol/bodies/small.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import type { RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { RemotingCommand } from '../../../sdk/protocol/command.ts';
import type { AdvancedServices } from './advanced.ts';

const textEncoder = new TextEncoder();

function readBody(request: RemotingCommand, what: string): LockBatchRequestBody | RemotingCommand {
  try {
    const body = decodeLockBatchRequestBody(request.body ?? '{}');
    if (body.consumerGroup === '' || body.clientId === '') {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `${what}: consumerGroup and clientId are required`);
    }
    return body;
  } catch (error) {
    return createResponse(request, ResponseCode.SYSTEM_ERROR, `${what}: bad body: ${(error as Error).message}`);
  }
}

export function lockBatchMqProcessor(services: AdvancedServices): RequestProcessor {
  return (request) => {
    const body = readBody(request, 'LOCK_BATCH_MQ');
    if ('opaque' in body) return body;
    const locked = services.locks.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, textEncoder.encode(encodeLockBatchResponseBody(locked)));
  };
}

export function unlockBatchMqProcessor(services: AdvancedServices): RequestProcessor {
  return (request) => {
    const body = readBody(request, 'UNLOCK_BATCH_MQ');
    if ('opaque' in body) return body;
    services.locks.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return createResponse(request, ResponseCode.SUCCESS);
  };
}
