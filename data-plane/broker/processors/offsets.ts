/**
 * Offset family: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15),
 * SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30), GET_MIN_OFFSET (31),
 * GET_EARLIEST_MSG_STORETIME (32).
 * Mirrors RocketMQ's ConsumerManageProcessor (first two) and the offset
 * lookups of AdminBrokerProcessor.
 */
import { createResponse } from '../../../sdk/protocol/command.ts';
import {
  GET_EARLIEST_MSG_STORETIME,
  GET_MAX_OFFSET,
  GET_MIN_OFFSET,
  QUERY_CONSUMER_OFFSET,
  SEARCH_OFFSET_BY_TIMESTAMP,
  UPDATE_CONSUMER_OFFSET,
} from '../../../sdk/protocol/requests/offsets.ts';
import { ResponseCode } from '../../../sdk/protocol/response-codes.ts';
import { withHeader, type RequestProcessor } from '../../../sdk/remoting/server.ts';
import type { BrokerContext } from '../broker-context.ts';

/** Share of the machine's memory RocketMQ assumes the page cache keeps (`accessMessageInMemoryMaxRatio`, 40 %). */
const MESSAGE_IN_MEMORY_RATIO = 0.4;

export function queryConsumerOffsetProcessor(broker: BrokerContext, memoryBytes: number): RequestProcessor {
  return withHeader(QUERY_CONSUMER_OFFSET, (header, request) => {
    const offset = broker.consumerOffsets.queryOffset(header.consumerGroup, header.topic, header.queueId);
    if (offset >= 0) return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: String(offset) });
    // A group with no offset starts at 0 while the queue still holds its first
    // message in memory, as RocketMQ answers; otherwise the client decides
    // from its consumeFromWhere.
    const minOffset = broker.store.getMinOffsetInQueue(header.topic, header.queueId);
    if (header.setZeroIfNotFound !== false && minOffset <= 0 && firstMessageInMemory(broker, header.topic, header.queueId, memoryBytes)) {
      return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: '0' });
    }
    return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'Not found, maybe this group consumer boot first');
  });
}

export function updateConsumerOffsetProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(UPDATE_CONSUMER_OFFSET, (header, request) => {
    if (broker.settings.brokerRole === 'SLAVE') return createResponse(request, ResponseCode.SLAVE_NOT_AVAILABLE, 'a slave does not take offsets');
    broker.consumerOffsets.commitOffset(header.consumerGroup, header.topic, header.queueId, header.commitOffset);
    return createResponse(request, ResponseCode.SUCCESS);
  });
}

export function getMaxOffsetProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(GET_MAX_OFFSET, (header, request) =>
    createResponse(request, ResponseCode.SUCCESS, undefined, { offset: String(broker.store.getMaxOffsetInQueue(header.topic, header.queueId)) }),
  );
}

export function getMinOffsetProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(GET_MIN_OFFSET, (header, request) =>
    createResponse(request, ResponseCode.SUCCESS, undefined, { offset: String(broker.store.getMinOffsetInQueue(header.topic, header.queueId)) }),
  );
}

export function searchOffsetByTimestampProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(SEARCH_OFFSET_BY_TIMESTAMP, (header, request) => {
    const offset = broker.store.getOffsetInQueueByTime(header.topic, header.queueId, header.timestamp);
    return createResponse(request, ResponseCode.SUCCESS, undefined, { offset: String(offset) });
  });
}

export function getEarliestMsgStoretimeProcessor(broker: BrokerContext): RequestProcessor {
  return withHeader(GET_EARLIEST_MSG_STORETIME, (header, request) => {
    const timestamp = broker.store.getEarliestMessageTime(header.topic, header.queueId);
    return createResponse(request, ResponseCode.SUCCESS, undefined, { timestamp: String(timestamp) });
  });
}

/** Whether message 0 of the queue lies within the part of the CommitLog the page cache is assumed to hold. */
function firstMessageInMemory(broker: BrokerContext, topic: string, queueId: number, memoryBytes: number): boolean {
  const first = broker.store.getMessage(topic, queueId, 0, 1);
  const record = first.records[0];
  if (!record) return true;
  const physicalOffset = new DataView(record.buffer, record.byteOffset, record.byteLength).getBigInt64(28);
  return broker.store.getMaxPhyOffset() - Number(physicalOffset) <= memoryBytes * MESSAGE_IN_MEMORY_RATIO;
}
