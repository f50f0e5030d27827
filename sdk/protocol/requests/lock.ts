/**
 * Lock family: LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42, sync or oneway).
 * Mirrors RocketMQ's LockBatchMqRequestHeader and UnlockBatchMqRequestHeader (5.x,
 * both empty; 4.9 sends no header). The queues travel in the JSON bodies
 * LockBatchRequestBody, LockBatchResponseBody and UnlockBatchRequestBody (bodies.ts).
 */
import { emptyHeader, type RequestDefinition } from '../fields.ts';

export const LockBatchMqRequestHeader = emptyHeader;
export const UnlockBatchMqRequestHeader = emptyHeader;

export const LOCK_BATCH_MQ = {
  code: 41,
  name: 'LOCK_BATCH_MQ',
  request: LockBatchMqRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;

export const UNLOCK_BATCH_MQ = {
  code: 42,
  name: 'UNLOCK_BATCH_MQ',
  request: UnlockBatchMqRequestHeader,
  response: emptyHeader,
} as const satisfies RequestDefinition;
