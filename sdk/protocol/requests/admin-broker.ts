/**
 * Broker runtime and maintenance (admin → broker): UPDATE_BROKER_CONFIG (25),
 * GET_BROKER_CONFIG (26), TRIGGER_DELETE_FILES (27), GET_BROKER_RUNTIME_INFO (28),
 * CLEAN_EXPIRED_CONSUMEQUEUE (306), CLEAN_UNUSED_TOPIC (316), DELETE_EXPIRED_COMMITLOG (329).
 * Mirrors RocketMQ's GetBrokerConfigResponseHeader; the others carry no header.
 *
 * Config bodies are Java properties text; the runtime info answer is a KVTable.
 */
import { emptyHeader, string, type HeaderSchema, type RequestDefinition } from '../fields.ts';

export const GetBrokerConfigResponseHeader = { version: string } as const satisfies HeaderSchema;

function headerless<const C extends number, const N extends string>(code: C, name: N) {
  return { code, name, request: emptyHeader, response: emptyHeader } as const satisfies RequestDefinition;
}

export const UPDATE_BROKER_CONFIG = headerless(25, 'UPDATE_BROKER_CONFIG');

export const GET_BROKER_CONFIG = {
  code: 26,
  name: 'GET_BROKER_CONFIG',
  request: emptyHeader,
  response: GetBrokerConfigResponseHeader,
} as const satisfies RequestDefinition;

export const TRIGGER_DELETE_FILES = headerless(27, 'TRIGGER_DELETE_FILES');
/** Answers with a KVTable (`brokerVersionDesc`, `brokerVersion`, `commitLogMaxOffset`, …). */
export const GET_BROKER_RUNTIME_INFO = headerless(28, 'GET_BROKER_RUNTIME_INFO');
export const CLEAN_EXPIRED_CONSUMEQUEUE = headerless(306, 'CLEAN_EXPIRED_CONSUMEQUEUE');
export const CLEAN_UNUSED_TOPIC = headerless(316, 'CLEAN_UNUSED_TOPIC');
export const DELETE_EXPIRED_COMMITLOG = headerless(329, 'DELETE_EXPIRED_COMMITLOG');
