/**
 * Query family: QUERY_MESSAGE (12) and VIEW_MESSAGE_BY_ID (33).
 * Mirrors RocketMQ's QueryMessageProcessor.
 *
 * Both answer with stored records, unchanged. The IndexFile matches keys by
 * hash, so QUERY_MESSAGE may return messages whose key only collides; the
 * client filters by the real key, as RocketMQ clients do.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import { QUERY_MESSAGE, VIEW_MESSAGE_BY_ID, uniqueKeyQueryField } from '../../../sdk/protocol/requests/query.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { BrokerContext } from '../broker-context.ts';

/** Most records one QUERY_MESSAGE by key returns (RocketMQ `maxMsgsNumBatch`). */
const queryMessagesBatchMax = 64;

export function queryMessageProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(QUERY_MESSAGE, (header, request) => {
    // A lookup by unique key ignores the client's maxNum (RocketMQ uses defaultQueryMaxNum).
    const byUniqueKey = request.extFields?.[uniqueKeyQueryField] === 'true';
    const maxNum = byUniqueKey ? broker.settings.queryMessagesMax : Math.min(Math.max(header.maxNum, 1), queryMessagesBatchMax);
    const result = broker.store.queryMessage(header.topic, header.key, maxNum, header.beginTimestamp, header.endTimestamp);
    const extFields = {
      indexLastUpdateTimestamp: String(result.indexLastUpdateTimestamp),
      indexLastUpdatePhyoffset: String(result.indexLastUpdatePhyoffset),
    };
    if (result.records.length === 0) {
      return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'can not find message, maybe time range not correct', extFields);
    }
    return createResponse(request, ResponseCode.SUCCESS, undefined, extFields, concat(result.records));
  });
}

export function viewMessageByIdProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(VIEW_MESSAGE_BY_ID, (header, request) => {
    const found = broker.store.lookMessageByOffset(header.offset);
    if (!found) return createResponse(request, ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${header.offset}`);
    return createResponse(request, ResponseCode.SUCCESS, undefined, undefined, found.raw);
  });
}

function concat(records: readonly Uint8Array[]): Uint8Array {
  if (records.length === 1) return records[0]!;
  let size = 0;
  for (const record of records) size += record.length;
  const body = new Uint8Array(size);
  let at = 0;
  for (const record of records) {
    body.set(record, at);
    at += record.length;
  }
  return body;
}
