/**
 * Small bodies: KVTable, TopicList, GroupList, GetConsumerListByGroupResponseBody
 * and the LOCK_BATCH_MQ / UNLOCK_BATCH_MQ bodies. Mirrors RocketMQ's body.KVTable,
 * TopicList, GroupList, GetConsumerListByGroupResponseBody, LockBatchRequestBody,
 * LockBatchResponseBody and UnlockBatchRequestBody.
 */
import { encodeFastjson } from '../fastjson.ts';
import { messageQueueBean, readMessageQueue, type MessageQueue } from './message-queue.ts';
import { parseBodyObject, readArray, readBoolean, readEntries, readString, readStrings } from './read.ts';

export function decodeKVTable(body: Uint8Array | string): Map<string, string> {
  const object = parseBodyObject(body, 'KVTable');
  return new Map(readEntries(object, 'table').map(([key, value]) => [key, typeof value === 'string' ? value : String(value)]));
}

export function encodeKVTable(table: ReadonlyMap<string, string>): string {
  return encodeFastjson({ table });
}

export interface TopicList {
  topicList: string[];
  brokerAddr?: string;
}

export function decodeTopicList(body: Uint8Array | string): TopicList {
  const object = parseBodyObject(body, 'TopicList');
  const list: TopicList = { topicList: readStrings(object, 'topicList') };
  const brokerAddr = readString(object, 'brokerAddr');
  if (brokerAddr !== undefined) list.brokerAddr = brokerAddr;
  return list;
}

export function encodeTopicList(list: TopicList): string {
  return encodeFastjson({ brokerAddr: list.brokerAddr, topicList: list.topicList });
}

export function decodeGroupList(body: Uint8Array | string): string[] {
  return readStrings(parseBodyObject(body, 'GroupList'), 'groupList');
}

export function encodeGroupList(groups: readonly string[]): string {
  return encodeFastjson({ groupList: groups });
}

/** `{"consumerIdList":[…]}`: the client ids of a group. */
export function decodeConsumerIdList(body: Uint8Array | string): string[] {
  return readStrings(parseBodyObject(body, 'GetConsumerListByGroupResponseBody'), 'consumerIdList');
}

export function encodeConsumerIdList(consumerIdList: readonly string[]): string {
  return encodeFastjson({ consumerIdList });
}

/** LockBatchRequestBody and UnlockBatchRequestBody have the same four members. */
export interface LockBatchRequestBody {
  consumerGroup: string;
  clientId: string;
  onlyThisBroker: boolean;
  mqSet: MessageQueue[];
}

export function decodeLockBatchRequestBody(body: Uint8Array | string): LockBatchRequestBody {
  const object = parseBodyObject(body, 'LockBatchRequestBody');
  return {
    consumerGroup: readString(object, 'consumerGroup') ?? '',
    clientId: readString(object, 'clientId') ?? '',
    onlyThisBroker: readBoolean(object, 'onlyThisBroker'),
    mqSet: readArray(object, 'mqSet').map((queue) => readMessageQueue(queue, 'MessageQueue')),
  };
}

export function encodeLockBatchRequestBody(request: LockBatchRequestBody): string {
  return encodeFastjson({ ...request, mqSet: request.mqSet.map(messageQueueBean) });
}

/** The queues now locked by the requester. */
export function decodeLockBatchResponseBody(body: Uint8Array | string): MessageQueue[] {
  return readArray(parseBodyObject(body, 'LockBatchResponseBody'), 'lockOKMQSet').map((queue) => readMessageQueue(queue, 'MessageQueue'));
}

export function encodeLockBatchResponseBody(lockOKMQSet: readonly MessageQueue[]): string {
  return encodeFastjson({ lockOKMQSet: lockOKMQSet.map(messageQueueBean) });
}
