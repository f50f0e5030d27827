/**
 * ACK_MESSAGE (200051): acknowledge a popped message by its receipt handle.
 * Mirrors RocketMQ 5's AckMessageProcessor. The header names the topic the
 * message was popped from (the pop retry topic for a retried message), its
 * queue and offset; the handle must be the current one: after
 * CHANGE_MESSAGE_INVISIBLETIME the old handle acks nothing (NO_MESSAGE).
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { ACK_MESSAGE } from '../../../sdk/protocol/requests/pop.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import { parseExtraInfo } from '../pop/receipt-handle.ts';
import type { AdvancedServices } from './advanced.ts';

export function ackMessageProcessor(services: AdvancedServices): RequestProcessor {
  return withHeader(ACK_MESSAGE, (header, request) => {
    const parsed = parseExtraInfo(header.extraInfo);
    if (!parsed.ok) return createResponse(request, ResponseCode.MESSAGE_ILLEGAL, parsed.reason);
    const found = services.pop.findByHandle(header.consumerGroup, header.topic, header.queueId, header.offset, parsed.handle);
    if (!found.ok) return createResponse(request, ResponseCode[found.code], found.reason);
    services.pop.ack(found.ck);
    return createResponse(request, ResponseCode.SUCCESS);
  });
}
