/**
 * Raw remoting calls the compatibility and durability tests make to a broker
 * without going through any client library: create a topic, and read a whole
 * queue back from offset 0 with plain PULL_MESSAGE requests. Reading back this
 * way checks exactly what the broker stored, record by record.
 */
import { createRequest } from '../../sdk/protocol/command.ts';
import { decodeHeader, encodeHeader } from '../../sdk/protocol/fields.ts';
import { PullSysFlag } from '../../sdk/protocol/flags.ts';
import { decodeMessageRecord, splitMessageRecords, type MessageRecord } from '../../sdk/protocol/message-record.ts';
import { CreateTopicRequestHeader } from '../../sdk/protocol/requests/admin-topic.ts';
import { RequestCode } from '../../sdk/protocol/requests/index.ts';
import { PullMessageRequestHeader, PullMessageResponseHeader } from '../../sdk/protocol/requests/pull.ts';
import { ResponseCode } from '../../sdk/protocol/response-codes.ts';
import type { RemotingClient } from '../../sdk/remoting/client.ts';

/** Time allowed for one request to the broker in these tests. */
export const compatRequestTimeoutMs = 5000;

/** Messages asked for per PULL_MESSAGE when reading a queue back (RocketMQ's default pull batch). */
export const readBackBatchMessages = 32;

/** Creates (or updates) a readable and writable topic with `queues` queues on one broker. */
export async function createTopic(client: RemotingClient, broker: string, topic: string, queues: number): Promise<void> {
  const extFields = encodeHeader(CreateTopicRequestHeader, {
    topic,
    defaultTopic: 'TBW102',
    readQueueNums: queues,
    writeQueueNums: queues,
    perm: 6,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
  });
  const response = await client.invokeSync(broker, createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, extFields), compatRequestTimeoutMs);
  if (response.code !== ResponseCode.SUCCESS) {
    throw new Error(`UPDATE_AND_CREATE_TOPIC ${topic} (${queues} queues) to ${broker} answered code ${response.code}: ${response.remark ?? ''}`);
  }
}

export interface StoredRecord {
  /** The record's bytes exactly as the broker returned them. */
  bytes: Uint8Array;
  record: MessageRecord;
}

export interface QueueReadBack {
  records: StoredRecord[];
  minOffset: number;
  maxOffset: number;
}

/**
 * Reads every record of one queue, from offset 0 to the end, with PULL_MESSAGE
 * (no long polling, subscription `*` in the request). Each response body must
 * split into whole records whose CRC matches, with nothing left over; anything
 * else is an error naming the queue and offset.
 */
export async function readQueue(client: RemotingClient, broker: string, topic: string, queueId: number, consumerGroup: string): Promise<QueueReadBack> {
  const records: StoredRecord[] = [];
  let offset = 0;
  for (let pulls = 0; pulls < 100_000; pulls++) {
    const extFields = encodeHeader(PullMessageRequestHeader, {
      consumerGroup,
      topic,
      queueId,
      queueOffset: offset,
      maxMsgNums: readBackBatchMessages,
      sysFlag: PullSysFlag.FLAG_SUBSCRIPTION,
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription: '*',
      subVersion: 0,
      expressionType: 'TAG',
    });
    const response = await client.invokeSync(broker, createRequest(RequestCode.PULL_MESSAGE, extFields), compatRequestTimeoutMs);
    const where = `PULL_MESSAGE ${topic}:${queueId} at offset ${offset}`;
    const header = decodeHeader(PullMessageResponseHeader, response.extFields);
    if (!header.ok) throw new Error(`${where}: code ${response.code}, response header ${header.field}: ${header.reason}`);
    const { minOffset, maxOffset } = header.header;
    if (response.code === ResponseCode.PULL_NOT_FOUND) return { records, minOffset, maxOffset };
    if (response.code === ResponseCode.PULL_OFFSET_MOVED && offset >= maxOffset) return { records, minOffset, maxOffset };
    if (response.code !== ResponseCode.SUCCESS) throw new Error(`${where}: code ${response.code} ${response.remark ?? ''}`);
    const body = response.body ?? new Uint8Array(0);
    const split = splitMessageRecords(body, true);
    if (split.rest !== 0 || split.records.length === 0) {
      throw new Error(`${where}: ${body.length}-byte body holds ${split.records.length} whole records with valid CRC and ${split.rest} bytes that are not one`);
    }
    for (const view of split.records) {
      const bytes = view.slice();
      records.push({ bytes, record: decodeMessageRecord(bytes, 0, true)! });
    }
    if (header.header.nextBeginOffset <= offset) throw new Error(`${where}: nextBeginOffset ${header.header.nextBeginOffset} does not move forward`);
    offset = header.header.nextBeginOffset;
  }
  throw new Error(`reading ${topic}:${queueId} did not end`);
}

/** Polls `condition` every few milliseconds until it holds, or fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Waits until the NameServer answers a route for `topic`: a broker announces
 * a new topic to it on its own schedule, and clients that look the route up
 * before then get TOPIC_NOT_EXIST.
 */
export async function waitForRoute(client: RemotingClient, namesrv: string, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() <= deadline) {
    const response = await client.invokeSync(namesrv, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }), compatRequestTimeoutMs);
    if (response.code === ResponseCode.SUCCESS) return;
    last = `code ${response.code} ${response.remark ?? ''}`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`GET_ROUTEINFO_BY_TOPIC ${topic} to ${namesrv} still answers ${last} after ${timeoutMs} ms`);
}
