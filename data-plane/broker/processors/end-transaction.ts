/**
 * END_TRANSACTION (37, oneway from Java producers): commit or roll back a
 * half message. Mirrors RocketMQ's EndTransactionProcessor; the work is in
 * TransactionalMessageService.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { END_TRANSACTION } from '../../../sdk/protocol/requests/transaction.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { BrokerContext } from '../broker-context.ts';
import type { AdvancedServices } from './advanced.ts';

export function endTransactionProcessor(broker: BrokerContext, services: AdvancedServices): RequestProcessor {
  return withHeader(END_TRANSACTION, async (header, request, connection) => {
    const outcome = await services.transactions.endTransaction(header);
    if (outcome.ok) return createResponse(request, ResponseCode.SUCCESS);
    broker.log.warn('END_TRANSACTION refused', { peer: connection.remoteAddress, msgId: header.msgId, reason: outcome.reason });
    return createResponse(request, ResponseCode[outcome.code], outcome.reason);
  });
}
