/**
 * Where a consumer starts in a queue it just got: its group's stored offset
 * when there is one, else by `consumeFromWhere` (RocketMQ's
 * computePullFromWhere): the queue's end, its start, or the first message
 * stored at or after a timestamp. Retry topics always start at their start.
 */
import { RETRY_GROUP_TOPIC_PREFIX } from '../../protocol/topic-names.ts';
import { getMaxOffset, searchOffsetByTimestamp } from '../broker-calls.ts';
import type { ClientInstance } from '../client-instance.ts';
import { ClientError } from '../errors.ts';
import type { MessageQueue } from '../message.ts';
import type { OffsetStore } from './offset-store.ts';

export type ConsumeFromWhere = 'CONSUME_FROM_LAST_OFFSET' | 'CONSUME_FROM_FIRST_OFFSET' | 'CONSUME_FROM_TIMESTAMP';

export async function computeStartOffset(
  client: ClientInstance,
  offsetStore: OffsetStore,
  queue: MessageQueue,
  consumeFromWhere: ConsumeFromWhere,
  consumeTimestamp: number,
): Promise<number> {
  const stored = await offsetStore.fetchOffset(queue);
  if (stored !== undefined && stored >= 0) return stored;
  const address = client.brokerAddress(queue.brokerName);
  if (address === undefined) throw new ClientError('BROKER_NOT_FOUND', `no address for broker ${queue.brokerName}`, { retriable: true });
  if (queue.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return 0;
  switch (consumeFromWhere) {
    case 'CONSUME_FROM_FIRST_OFFSET':
      return 0;
    case 'CONSUME_FROM_TIMESTAMP':
      return searchOffsetByTimestamp(client, address, queue, consumeTimestamp, client.requestTimeoutMs);
    case 'CONSUME_FROM_LAST_OFFSET':
      return getMaxOffset(client, address, queue, client.requestTimeoutMs);
  }
}
