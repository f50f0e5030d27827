/**
 * Helpers shared by the message-types end-to-end tests: a test broker with
 * short advanced settings (delay, timers, retry, transactions,
 * locks, SQL92, POP), restartable on the same data dir, and small request
 * builders for the codes a RocketMQ client sends.
 */
import type { AdvancedServices, AdvancedSettings } from '../data-plane/broker/processors/advanced.ts';
import type { BrokerSettings } from '../data-plane/broker/settings.ts';
import { createRequest, type RemotingCommand } from '../sdk/protocol/command.ts';
import { decodeHeader, encodeHeader } from '../sdk/protocol/fields.ts';
import { SEND_MESSAGE } from '../sdk/protocol/requests/send.ts';
import { decodeOffsetMessageId } from '../sdk/protocol/message-id.ts';
import { ResponseCode } from '../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../sdk/remoting/client.ts';
import { pullRequest, records, startTestBroker, type BrokerUnderTest } from './helpers/broker-harness.ts';
import type { MessageRecord } from '../sdk/protocol/message-record.ts';

export interface AdvancedBroker {
  test: BrokerUnderTest;
  /** The broker's advanced services, renewed by each restart. */
  readonly advanced: AdvancedServices;
  readonly address: string;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A test broker whose advanced settings (short delay levels, fast ticks) come from `settings`. */
export async function startAdvancedBroker(settings: Partial<AdvancedSettings>, brokerOverrides: Partial<BrokerSettings> = {}): Promise<AdvancedBroker> {
  const test = await startTestBroker({ ...settings, ...brokerOverrides });
  return {
    test,
    get advanced() {
      return test.broker.advanced;
    },
    get address() {
      return test.address;
    },
    restart: () => test.restart(),
    close: () => test.close(),
  };
}

export interface SendResult {
  code: number;
  remark?: string;
  queueId: number;
  queueOffset: number;
  msgId: string;
  commitLogOffset: number;
}

/** Sends and decodes the answer's queue, queue offset and offset message id. */
export async function send(client: RemotingClient, address: string, request: RemotingCommand): Promise<SendResult> {
  const response = await client.invokeSync(address, request, 5000);
  const decoded = decodeHeader(SEND_MESSAGE.response, response.extFields);
  const header = decoded.ok ? decoded.header : undefined;
  const msgId = header?.msgId ?? '';
  return {
    code: response.code,
    remark: response.remark,
    queueId: header?.queueId ?? -1,
    queueOffset: header?.queueOffset ?? -1,
    msgId,
    commitLogOffset: decodeOffsetMessageId(msgId)?.physicalOffset ?? -1,
  };
}

/** Every record of a queue from `offset`, read with plain pulls. */
export async function pullAll(client: RemotingClient, address: string, topic: string, queueId: number, offset = 0, group = 'CG_reader'): Promise<MessageRecord[]> {
  const found: MessageRecord[] = [];
  let next = offset;
  while (true) {
    const response = await client.invokeSync(address, pullRequest({ topic, consumerGroup: group, queueId, queueOffset: next }), 5000);
    if (response.code !== ResponseCode.SUCCESS) return found;
    const batch = records(response);
    if (batch.length === 0) return found;
    found.push(...batch);
    next = batch[batch.length - 1]!.queueOffset + 1;
  }
}

/** Builds a request with a header from a schema table. */
export function request<S extends Parameters<typeof encodeHeader>[0]>(code: number, schema: S, header: Parameters<typeof encodeHeader<S>>[1], body?: Uint8Array): RemotingCommand {
  return createRequest(code, encodeHeader(schema, header), body);
}
