/**
 * One typed function per request code the client sends. Headers are encoded
 * with the schema tables of sdk/protocol/requests; a non-success answer turns
 * into a typed error (code, retriable, cause) unless the caller lists it as an
 * expected outcome, in which case it comes back as a value.
 */
import { createRequest, type RemotingCommand } from '../protocol/command.ts';
import { decodeHeader, encodeHeader, type HeaderOf, type RequestDefinition } from '../protocol/fields.ts';
import { encodeFastjson, parseFastjson, type JsonValue } from '../protocol/fastjson.ts';
import * as consumer from '../protocol/requests/consumer.ts';
import * as lock from '../protocol/requests/lock.ts';
import * as namesrv from '../protocol/requests/namesrv.ts';
import * as offsets from '../protocol/requests/offsets.ts';
import * as pull from '../protocol/requests/pull.ts';
import * as query from '../protocol/requests/query.ts';
import * as transaction from '../protocol/requests/transaction.ts';
import { ResponseCode } from '../protocol/response-codes.ts';
import { brokerError } from './errors.ts';
import { decodeMessages, type MessageExt, type MessageQueue } from './message.ts';
import { asArray, asObject, parseTopicRouteData, type TopicRouteData } from './route.ts';

/** What broker calls need from a client: a way to send a request and await its answer. */
export interface Invoker {
  invoke(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
  invokeOneway(address: string, request: RemotingCommand, timeoutMs: number): Promise<void>;
}

const textEncoder = new TextEncoder();

/** Sends `definition` with `header` and returns the answer, throwing for codes outside `accept`. */
export async function call<D extends RequestDefinition>(
  invoker: Invoker,
  address: string,
  definition: D,
  header: HeaderOf<D['request']>,
  timeoutMs: number,
  body?: Uint8Array,
  accept: readonly number[] = [ResponseCode.SUCCESS],
): Promise<RemotingCommand> {
  const request = createRequest(definition.code, encodeHeader(definition.request, header), body);
  const response = await invoker.invoke(address, request, timeoutMs);
  if (!accept.includes(response.code)) throw brokerError(response.code, response.remark, address, definition.name);
  return response;
}

export function jsonBody(value: Parameters<typeof encodeFastjson>[0]): Uint8Array {
  return textEncoder.encode(encodeFastjson(value));
}

export function parseBody(response: RemotingCommand): JsonValue {
  return response.body && response.body.length > 0 ? parseFastjson(response.body) : null;
}

function responseHeader<D extends RequestDefinition>(definition: D, response: RemotingCommand, address: string): HeaderOf<D['response']> {
  const decoded = decodeHeader(definition.response, response.extFields);
  if (!decoded.ok) throw brokerError(ResponseCode.SYSTEM_ERROR, `bad ${definition.name} response: ${decoded.reason}`, address, definition.name);
  return decoded.header as HeaderOf<D['response']>;
}

// Name server.

/** The route of a topic, or undefined when the name server knows none. */
export async function getRouteInfoByTopic(invoker: Invoker, address: string, topic: string, timeoutMs: number): Promise<TopicRouteData | undefined> {
  const response = await call(invoker, address, namesrv.GET_ROUTEINFO_BY_TOPIC, { topic, acceptStandardJsonOnly: true }, timeoutMs, undefined, [
    ResponseCode.SUCCESS,
    ResponseCode.TOPIC_NOT_EXIST,
  ]);
  if (response.code === ResponseCode.TOPIC_NOT_EXIST || !response.body) return undefined;
  return parseTopicRouteData(response.body);
}

// Offsets.

/** The group's stored offset for a queue, or undefined when the broker has none. */
export async function queryConsumerOffset(invoker: Invoker, address: string, group: string, queue: MessageQueue, timeoutMs: number): Promise<number | undefined> {
  const definition = offsets.QUERY_CONSUMER_OFFSET;
  // setZeroIfNotFound=false: a new group gets QUERY_NOT_FOUND and starts where consumeFromWhere says,
  // instead of RocketMQ 4's offset 0 whenever the queue's first message is still in memory.
  const request = { consumerGroup: group, topic: queue.topic, queueId: queue.queueId, setZeroIfNotFound: false };
  const response = await call(invoker, address, definition, request, timeoutMs, undefined, [
    ResponseCode.SUCCESS,
    ResponseCode.QUERY_NOT_FOUND,
  ]);
  if (response.code === ResponseCode.QUERY_NOT_FOUND) return undefined;
  return responseHeader(definition, response, address).offset;
}

export async function updateConsumerOffset(invoker: Invoker, address: string, group: string, queue: MessageQueue, commitOffset: number, timeoutMs: number): Promise<void> {
  await call(invoker, address, offsets.UPDATE_CONSUMER_OFFSET, { consumerGroup: group, topic: queue.topic, queueId: queue.queueId, commitOffset }, timeoutMs);
}

export async function getMaxOffset(invoker: Invoker, address: string, queue: MessageQueue, timeoutMs: number): Promise<number> {
  const response = await call(invoker, address, offsets.GET_MAX_OFFSET, { topic: queue.topic, queueId: queue.queueId }, timeoutMs);
  return responseHeader(offsets.GET_MAX_OFFSET, response, address).offset;
}

export async function getMinOffset(invoker: Invoker, address: string, queue: MessageQueue, timeoutMs: number): Promise<number> {
  const response = await call(invoker, address, offsets.GET_MIN_OFFSET, { topic: queue.topic, queueId: queue.queueId }, timeoutMs);
  return responseHeader(offsets.GET_MIN_OFFSET, response, address).offset;
}

export async function searchOffsetByTimestamp(invoker: Invoker, address: string, queue: MessageQueue, timestamp: number, timeoutMs: number): Promise<number> {
  const response = await call(invoker, address, offsets.SEARCH_OFFSET_BY_TIMESTAMP, { topic: queue.topic, queueId: queue.queueId, timestamp }, timeoutMs);
  return responseHeader(offsets.SEARCH_OFFSET_BY_TIMESTAMP, response, address).offset;
}

// Pull.

export type PullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';

export interface PullResult {
  status: PullStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  suggestWhichBrokerId: number;
  messages: MessageExt[];
}

const pullStatusByCode = new Map<number, PullStatus>([
  [ResponseCode.SUCCESS, 'FOUND'],
  [ResponseCode.PULL_NOT_FOUND, 'NO_NEW_MSG'],
  [ResponseCode.PULL_RETRY_IMMEDIATELY, 'NO_MATCHED_MSG'],
  [ResponseCode.PULL_OFFSET_MOVED, 'OFFSET_ILLEGAL'],
]);
const pullAccepted = [...pullStatusByCode.keys()];

export type PullRequestHeader = HeaderOf<typeof pull.PullMessageRequestHeader>;

/** One pull; the four pull outcomes are values, anything else throws. */
export async function pullMessage(invoker: Invoker, address: string, brokerName: string, header: PullRequestHeader, timeoutMs: number, lite = false): Promise<PullResult> {
  const definition = lite ? pull.LITE_PULL_MESSAGE : pull.PULL_MESSAGE;
  const response = await call(invoker, address, definition, header, timeoutMs, undefined, pullAccepted);
  const answer = pull.decodePullMessageResponseHeader(response.extFields);
  if (!answer.ok) throw brokerError(ResponseCode.SYSTEM_ERROR, `bad ${definition.name} response: ${answer.reason}`, address, definition.name);
  const decoded = answer.header;
  const status = pullStatusByCode.get(response.code)!;
  const messages = status === 'FOUND' && response.body ? decodeMessages(response.body, brokerName) : [];
  return {
    status,
    nextBeginOffset: decoded.nextBeginOffset,
    minOffset: decoded.minOffset,
    maxOffset: decoded.maxOffset,
    suggestWhichBrokerId: decoded.suggestWhichBrokerId,
    messages,
  };
}

// Client registration.

export async function heartbeat(invoker: Invoker, address: string, heartbeatData: Parameters<typeof encodeFastjson>[0], timeoutMs: number): Promise<void> {
  await call(invoker, address, consumer.HEART_BEAT, {}, timeoutMs, jsonBody(heartbeatData));
}

export async function unregisterClient(
  invoker: Invoker,
  address: string,
  header: HeaderOf<typeof consumer.UnregisterClientRequestHeader>,
  timeoutMs: number,
): Promise<void> {
  await call(invoker, address, consumer.UNREGISTER_CLIENT, header, timeoutMs);
}

/** Client ids of a consumer group's members as one broker knows them; empty when it knows none. */
export async function getConsumerListByGroup(invoker: Invoker, address: string, group: string, timeoutMs: number): Promise<string[]> {
  const response = await call(invoker, address, consumer.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: group }, timeoutMs, undefined, [
    ResponseCode.SUCCESS,
    ResponseCode.SYSTEM_ERROR,
  ]);
  if (response.code !== ResponseCode.SUCCESS) return [];
  return asArray(asObject(parseBody(response)).consumerIdList).map(String);
}

export async function consumerSendMsgBack(
  invoker: Invoker,
  address: string,
  header: HeaderOf<typeof consumer.ConsumerSendMsgBackRequestHeader>,
  timeoutMs: number,
): Promise<void> {
  await call(invoker, address, consumer.CONSUMER_SEND_MSG_BACK, header, timeoutMs);
}

// Transactions.

export type EndTransactionHeader = HeaderOf<typeof transaction.EndTransactionRequestHeader>;

export function endTransactionRequest(header: EndTransactionHeader): RemotingCommand {
  return createRequest(transaction.END_TRANSACTION.code, encodeHeader(transaction.END_TRANSACTION.request, header));
}

export async function endTransaction(invoker: Invoker, address: string, header: EndTransactionHeader, timeoutMs: number): Promise<void> {
  await invoker.invokeOneway(address, endTransactionRequest(header), timeoutMs);
}

// Orderly locks.

function lockBody(group: string, clientId: string, queues: readonly MessageQueue[]) {
  return jsonBody({
    clientId,
    consumerGroup: group,
    mqSet: queues.map((queue) => ({ brokerName: queue.brokerName, queueId: queue.queueId, topic: queue.topic })),
    onlyThisBroker: false,
  });
}

/** Locks queues for this client; answers the queues it now holds. */
export async function lockBatchMq(invoker: Invoker, address: string, group: string, clientId: string, queues: readonly MessageQueue[], timeoutMs: number): Promise<MessageQueue[]> {
  const response = await call(invoker, address, lock.LOCK_BATCH_MQ, {}, timeoutMs, lockBody(group, clientId, queues));
  return asArray(asObject(parseBody(response)).lockOKMQSet).map((value) => {
    const item = asObject(value);
    return { topic: String(item.topic), brokerName: String(item.brokerName), queueId: Number(item.queueId) };
  });
}

export async function unlockBatchMq(invoker: Invoker, address: string, group: string, clientId: string, queues: readonly MessageQueue[], timeoutMs: number): Promise<void> {
  await call(invoker, address, lock.UNLOCK_BATCH_MQ, {}, timeoutMs, lockBody(group, clientId, queues));
}

// Lookups.

/** Messages whose index entry matches `key` (by hash: the caller filters by the real key). */
export async function queryMessage(
  invoker: Invoker,
  address: string,
  brokerName: string,
  header: HeaderOf<typeof query.QueryMessageRequestHeader>,
  uniqueKey: boolean,
  timeoutMs: number,
): Promise<MessageExt[]> {
  const extFields = encodeHeader(query.QUERY_MESSAGE.request, header);
  if (uniqueKey) extFields[query.uniqueKeyQueryField] = 'true';
  const response = await invoker.invoke(address, createRequest(query.QUERY_MESSAGE.code, extFields), timeoutMs);
  if (response.code === ResponseCode.QUERY_NOT_FOUND) return [];
  if (response.code !== ResponseCode.SUCCESS) throw brokerError(response.code, response.remark, address, 'QUERY_MESSAGE');
  return response.body ? decodeMessages(response.body, brokerName) : [];
}

export async function viewMessageById(invoker: Invoker, address: string, brokerName: string, offset: number, timeoutMs: number): Promise<MessageExt | undefined> {
  const response = await call(invoker, address, query.VIEW_MESSAGE_BY_ID, { offset }, timeoutMs);
  return response.body ? decodeMessages(response.body, brokerName)[0] : undefined;
}
