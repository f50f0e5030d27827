/**
 * The producer (RocketMQ's DefaultMQProducer): looks up the topic's route
 * once, then sends with SEND_MESSAGE_V2, choosing queues round robin with
 * latency fault avoidance and retrying on another broker (2 retries by
 * default) within the send timeout (3 s by default).
 *
 * The send path is one map lookup for the route, one counter for the queue,
 * one header object and one request: no per-send route lookups or timers.
 * Back-pressure comes from the connection: past its in-flight bound, sends
 * wait for a free slot instead of piling up.
 *
 * @example
 * const producer = new Producer({ namesrvAddr: '127.0.0.1:9876', group: 'PG_orders' });
 * await producer.start();
 * const result = await producer.send({ topic: 'orders', body: 'hello', tags: 'created', keys: ['order-1'] });
 * console.log(result.status, result.msgId);
 * await producer.shutdown();
 */
import { createRequest, type RemotingCommand } from '../../protocol/command.ts';
import { encodeBatchBody, type BatchEntry } from '../../protocol/batch-body.ts';
import { messageSizeMaxBytes, batchMessagesMax } from '../../protocol/limits.ts';
import { MessageConst } from '../../protocol/message-properties.ts';
import { utf8Length } from '../../protocol/message-record.ts';
import { RequestCode } from '../../protocol/requests/index.ts';
import { decodeSendMessageResponseHeader } from '../../protocol/requests/send.ts';
import { ResponseCode, sendRetryResponseCodes } from '../../protocol/response-codes.ts';
import { TopicValidator } from '../../protocol/topic-names.ts';
import { ClientInstance } from '../client-instance.ts';
import type { ClientOptions } from '../client-config.ts';
import { brokerError } from '../errors.ts';
import { ClientError, isRetriable } from '../errors.ts';
import { bodyBytes, pair, userPropertiesText, type Message, type MessageQueue } from '../message.ts';
import { publishQueues, type TopicRouteData } from '../route.ts';
import { compressBody, compressBodyOverBytesDefault } from './compression.ts';
import { LatencyFaultTolerance, TopicPublishInfo, selectByShardingKey, type QueueSelector } from './queue-selection.ts';

export interface ProducerOptions extends ClientOptions {
  /** Producer group (RocketMQ `producerGroup`). */
  group: string;
  /** Whole-send budget, retries included. Default 3000 ms. */
  sendTimeoutMs?: number;
  /** Extra attempts on another broker after a retriable failure. Default 2. */
  retryTimesWhenSendFailed?: number;
  /** Bodies at least this large are zlib-compressed. Default 4096 bytes. */
  compressBodyOverBytes?: number;
  /** Largest body accepted. Default 4 MiB, the broker's limit. */
  maxMessageSizeBytes?: number;
  /** Avoid brokers that failed or answered slowly. Default true. */
  sendLatencyFaultEnable?: boolean;
  /** Queues asked for when the broker auto-creates a topic from `TBW102`. Default 4. */
  defaultTopicQueueNums?: number;
  /** Share a client instance (connections, heartbeats) with other client objects. */
  client?: ClientInstance;
  /** A consumer's helper producer: not announced in heartbeats. */
  internal?: boolean;
}

export type SendStatus = 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE';

export interface SendResult {
  status: SendStatus;
  /** The client-generated id (`UNIQ_KEY`); for a batch, all ids joined with `,`. */
  msgId: string;
  /** The broker's offset id(s) of the stored record(s). */
  offsetMsgId: string;
  queue: MessageQueue;
  queueOffset: number;
  transactionId: string | undefined;
}

export interface SendOptions {
  /** Send to this queue (no retry elsewhere). */
  queue?: MessageQueue;
  /** Pick the queue from the topic's queues (no retry elsewhere). */
  selector?: QueueSelector<unknown>;
  selectorArg?: unknown;
  /** Ordered messages: the same key always lands on the same queue. */
  shardingKey?: string | number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type SendCallback = (error: Error | undefined, result: SendResult | undefined) => void;

const statusByCode: ReadonlyMap<number, SendStatus> = new Map([
  [ResponseCode.SUCCESS, 'SEND_OK'],
  [ResponseCode.FLUSH_DISK_TIMEOUT, 'FLUSH_DISK_TIMEOUT'],
  [ResponseCode.FLUSH_SLAVE_TIMEOUT, 'FLUSH_SLAVE_TIMEOUT'],
  [ResponseCode.SLAVE_NOT_AVAILABLE, 'SLAVE_NOT_AVAILABLE'],
]);

/** A message ready for the wire: encoded once, sent as often as retries need. */
export interface PreparedMessage {
  topic: string;
  body: Uint8Array;
  sysFlag: number;
  flag: number;
  properties: string;
  msgId: string;
  code: number;
  batch: boolean;
  /** Retry copies only: header `j` and `l`. */
  reconsumeTimes?: number;
  maxReconsumeTimes?: number;
}

export class Producer {
  readonly group: string;
  readonly client: ClientInstance;
  protected readonly options: ProducerOptions;
  private readonly ownsClient: boolean;
  private readonly publishInfos = new Map<string, TopicPublishInfo>();
  private readonly pendingRoutes = new Map<string, Promise<TopicPublishInfo>>();
  private readonly faults: LatencyFaultTolerance | undefined;
  private readonly sendTimeoutMs: number;
  private readonly retries: number;
  private readonly compressThreshold: number;
  private readonly maxMessageSize: number;
  private readonly defaultTopicQueueNums: string;
  private state: 'created' | 'running' | 'closed' = 'created';

  constructor(options: ProducerOptions) {
    if (!options.group) throw new ClientError('INVALID_ARGUMENT', 'producer group is required');
    this.options = options;
    this.group = options.group;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new ClientInstance(options);
    this.faults = options.sendLatencyFaultEnable === false ? undefined : new LatencyFaultTolerance();
    this.sendTimeoutMs = options.sendTimeoutMs ?? 3000;
    this.retries = options.retryTimesWhenSendFailed ?? 2;
    this.compressThreshold = options.compressBodyOverBytes ?? compressBodyOverBytesDefault;
    this.maxMessageSize = options.maxMessageSizeBytes ?? messageSizeMaxBytes;
    this.defaultTopicQueueNums = String(options.defaultTopicQueueNums ?? 4);
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new ClientError('INVALID_ARGUMENT', `producer ${this.group} was already started`);
    if (this.options.internal) {
      this.state = 'running';
      return;
    }
    this.client.registerProducer({
      group: this.group,
      topics: () => this.publishInfos.keys(),
      onRouteChanged: (topic, route) => this.onRouteChanged(topic, route),
      checkTransactionState: this.checkTransactionState?.bind(this),
    });
    this.client.start();
    this.state = 'running';
  }

  /** Stops the producer: unregisters from every broker and closes the connections it owns. */
  async shutdown(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'closed';
    if (!this.options.internal) await this.client.unregister('producer', this.group);
    if (this.ownsClient) await this.client.close();
  }

  /**
   * Sends one message and resolves once the broker stored it. Not `async`:
   * with a thousand sends in flight, every promise layer a send holds is
   * memory the garbage collector copies, so bad input becomes a rejected
   * promise by hand instead.
   */
  send(message: Message, options?: SendOptions): Promise<SendResult> {
    try {
      this.assertRunning();
      const prepared = this.prepare(message);
      if (options === undefined) return this.sendWithRetries(prepared, this.sendTimeoutMs, undefined);
      return this.sendWithOptions(prepared, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Like `send`, reporting through a callback (RocketMQ's `send(msg, SendCallback)`). */
  sendAsync(message: Message, callback: SendCallback, options?: SendOptions): void {
    this.send(message, options).then((result) => callback(undefined, result), (error: Error) => callback(error, undefined));
  }

  /** Sends without waiting for the broker; resolves once the request is written. */
  async sendOneway(message: Message, options?: { queue?: MessageQueue; shardingKey?: string | number }): Promise<void> {
    this.assertRunning();
    const prepared = this.prepare(message);
    const info = await this.publishInfo(prepared.topic);
    const queue = options?.queue ?? (options?.shardingKey !== undefined ? selectByShardingKey(info.queues, options.shardingKey) : info.select(this.faults));
    if (!queue) throw new ClientError('NO_AVAILABLE_QUEUE', `topic ${prepared.topic} has no writable queue`, { retriable: true });
    const address = this.brokerAddressOf(queue);
    await this.client.invokeOneway(address, this.request(prepared, queue), this.sendTimeoutMs);
  }

  /** Sends messages of one topic as one SEND_BATCH_MESSAGE; they get consecutive offsets in one queue. */
  async sendBatch(messages: readonly Message[], options?: SendOptions): Promise<SendResult> {
    this.assertRunning();
    const prepared = this.prepareBatch(messages);
    if (options === undefined) return this.sendWithRetries(prepared, this.sendTimeoutMs, undefined);
    return this.sendWithOptions(prepared, options);
  }

  /** Sends an already encoded message with retries (consumers' retry copies). */
  sendPrepared(prepared: PreparedMessage): Promise<SendResult> {
    this.assertRunning();
    return this.sendWithRetries(prepared, this.sendTimeoutMs, undefined);
  }

  /** The writable queues of a topic, for callers that pick queues themselves. */
  async fetchPublishQueues(topic: string): Promise<readonly MessageQueue[]> {
    return (await this.publishInfo(topic)).queues;
  }

  /** Set by the transaction producer; `declare` so no field shadows its method. */
  declare protected checkTransactionState?: NonNullable<Parameters<ClientInstance['registerProducer']>[0]['checkTransactionState']>;

  private async sendWithOptions(prepared: PreparedMessage, options: SendOptions): Promise<SendResult> {
    options.signal?.throwIfAborted();
    const timeoutMs = options.timeoutMs ?? this.sendTimeoutMs;
    let queue = options.queue;
    if (queue === undefined && (options.selector !== undefined || options.shardingKey !== undefined)) {
      const queues = (await this.publishInfo(prepared.topic)).queues;
      if (queues.length === 0) throw new ClientError('NO_AVAILABLE_QUEUE', `topic ${prepared.topic} has no writable queue`, { retriable: true });
      queue = options.selector ? options.selector(queues, options.selectorArg) : selectByShardingKey(queues, options.shardingKey!);
    }
    if (queue === undefined) return this.sendWithRetries(prepared, timeoutMs, options.signal);
    return this.sendToQueue(prepared, queue, timeoutMs);
  }

  /**
   * A send with up to `retries` more attempts on retriable failures, within
   * `timeoutMs` in all. The first attempt, nearly always the only one, is a
   * plain promise chain: an async function would keep its frame alive for
   * every send in flight, and with a thousand in flight that is what the
   * young-generation collector copies at each scavenge.
   */
  protected sendWithRetries(prepared: PreparedMessage, timeoutMs: number, signal: AbortSignal | undefined): Promise<SendResult> {
    const info = this.publishInfos.get(prepared.topic);
    const queue = info !== undefined && signal === undefined ? info.select(this.faults, undefined) : undefined;
    if (queue === undefined) return this.sendWithRetriesFrom(prepared, Date.now(), timeoutMs, signal, 0, undefined, undefined);
    const started = Date.now();
    return this.sendToQueue(prepared, queue, timeoutMs).then(
      (result) => {
        this.faults?.update(queue.brokerName, Date.now() - started, false);
        return result;
      },
      (error: unknown) => {
        this.faults?.update(queue.brokerName, Date.now() - started, true);
        if (!isRetriable(error)) throw error;
        return this.sendWithRetriesFrom(prepared, started, timeoutMs, signal, 1, queue.brokerName, error);
      },
    );
  }

  /** The attempts from `firstAttempt` on, after the failures so far. */
  private async sendWithRetriesFrom(
    prepared: PreparedMessage,
    started: number,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    firstAttempt: number,
    lastBrokerNameSoFar: string | undefined,
    lastErrorSoFar: unknown,
  ): Promise<SendResult> {
    const info = this.publishInfos.get(prepared.topic) ?? (await this.publishInfo(prepared.topic));
    let lastBrokerName = lastBrokerNameSoFar;
    let lastError = lastErrorSoFar;
    for (let attempt = firstAttempt; attempt <= this.retries; attempt++) {
      const remainingMs = timeoutMs - (Date.now() - started);
      if (remainingMs <= 0) break;
      signal?.throwIfAborted();
      const queue = info.select(this.faults, lastBrokerName);
      if (!queue) throw new ClientError('NO_AVAILABLE_QUEUE', `topic ${prepared.topic} has no writable queue`, { retriable: true });
      const attemptStarted = Date.now();
      try {
        const result = await this.sendToQueue(prepared, queue, remainingMs);
        this.faults?.update(queue.brokerName, Date.now() - attemptStarted, false);
        return result;
      } catch (error) {
        this.faults?.update(queue.brokerName, Date.now() - attemptStarted, true);
        lastError = error;
        lastBrokerName = queue.brokerName;
        if (!isRetriable(error)) throw error;
      }
    }
    throw new ClientError('SEND_FAILED', `send to ${prepared.topic} failed after ${this.retries + 1} attempts within ${timeoutMs} ms`, {
      retriable: true,
      cause: lastError,
    });
  }

  private sendToQueue(prepared: PreparedMessage, queue: MessageQueue, timeoutMs: number): Promise<SendResult> {
    try {
      const address = this.brokerAddressOf(queue);
      return this.client.invoke(address, this.request(prepared, queue), timeoutMs).then((response) => this.sendResult(prepared, queue, response, address));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private request(prepared: PreparedMessage, queue: MessageQueue): RemotingCommand {
    // SendMessageRequestHeaderV2, built directly: this runs for every message.
    const extFields: Record<string, string> = {
      a: this.group,
      b: prepared.topic,
      c: TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC,
      d: this.defaultTopicQueueNums,
      e: String(queue.queueId),
      f: String(prepared.sysFlag),
      g: String(Date.now()),
      h: String(prepared.flag),
      i: prepared.properties,
      j: prepared.reconsumeTimes === undefined ? '0' : String(prepared.reconsumeTimes),
    };
    if (prepared.maxReconsumeTimes !== undefined) extFields.l = String(prepared.maxReconsumeTimes);
    if (prepared.batch) extFields.m = 'true';
    return createRequest(prepared.code, extFields, prepared.body);
  }

  private sendResult(prepared: PreparedMessage, queue: MessageQueue, response: RemotingCommand, address: string): SendResult {
    const status = statusByCode.get(response.code);
    if (status === undefined) {
      const error = brokerError(response.code, response.remark, address, `send to ${queue.topic}`);
      if (sendRetryResponseCodes.has(response.code)) throw error;
      throw new ClientError('BROKER_ERROR', error.message, { retriable: false, cause: error, responseCode: response.code });
    }
    const decoded = decodeSendMessageResponseHeader(response.extFields);
    if (!decoded.ok) throw new ClientError('BROKER_ERROR', `send response from ${address} is malformed: ${decoded.reason}`);
    const header = decoded.header;
    return {
      status,
      msgId: prepared.msgId,
      offsetMsgId: header.msgId,
      queue: header.queueId === queue.queueId ? queue : { topic: queue.topic, brokerName: queue.brokerName, queueId: header.queueId },
      queueOffset: header.queueOffset,
      transactionId: header.transactionId,
    };
  }

  protected prepare(message: Message, extraProperties = ''): PreparedMessage {
    const topic = message.topic;
    if (typeof topic !== 'string' || topic.length === 0) throw new ClientError('INVALID_ARGUMENT', 'message topic is required');
    const raw = bodyBytes(message.body);
    if (raw.length === 0) throw new ClientError('INVALID_ARGUMENT', 'message body is empty');
    if (raw.length > this.maxMessageSize) {
      throw new ClientError('MESSAGE_TOO_LARGE', `message body is ${raw.length} bytes, over maxMessageSizeBytes ${this.maxMessageSize}`);
    }
    const { body, sysFlagBits } = compressBody(raw, this.compressThreshold);
    const msgId = this.client.uniqueIds.next();
    let properties: string;
    try {
      properties = userPropertiesText(message) + extraProperties + pair(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, msgId);
    } catch (error) {
      throw new ClientError('INVALID_ARGUMENT', (error as Error).message);
    }
    return { topic, body, sysFlag: sysFlagBits, flag: message.flag ?? 0, properties, msgId, code: RequestCode.SEND_MESSAGE_V2, batch: false };
  }

  private prepareBatch(messages: readonly Message[]): PreparedMessage {
    if (messages.length === 0) throw new ClientError('INVALID_ARGUMENT', 'a batch needs at least one message');
    if (messages.length > batchMessagesMax) throw new ClientError('INVALID_ARGUMENT', `a batch holds at most batchMessagesMax ${batchMessagesMax} messages`);
    const topic = messages[0]!.topic;
    const entries: BatchEntry[] = [];
    const ids: string[] = [];
    for (const message of messages) {
      if (message.topic !== topic) throw new ClientError('INVALID_ARGUMENT', 'every message of a batch must have the same topic');
      if (message.delayLevel || message.delayMs !== undefined || message.deliverAt !== undefined) {
        throw new ClientError('INVALID_ARGUMENT', 'batch messages cannot be delayed');
      }
      const msgId = this.client.uniqueIds.next();
      ids.push(msgId);
      const userProperties = userPropertiesText(message);
      const uniqueKey = pair(MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX, msgId);
      // The unique key is ASCII (a hex id): only the user's part needs measuring.
      const propertiesLength = (userProperties.length === 0 ? 0 : utf8Length(userProperties)) + uniqueKey.length;
      entries.push({ flag: message.flag ?? 0, body: bodyBytes(message.body), properties: userProperties + uniqueKey, propertiesLength });
    }
    const body = encodeBatchBody(entries);
    if (body.length > this.maxMessageSize) throw new ClientError('MESSAGE_TOO_LARGE', `batch is ${body.length} bytes, over maxMessageSizeBytes ${this.maxMessageSize}`);
    return { topic, body, sysFlag: 0, flag: 0, properties: '', msgId: ids.join(','), code: RequestCode.SEND_BATCH_MESSAGE, batch: true };
  }

  /** The topic's writable queues, fetched once; later changes arrive through `onRouteChanged`. */
  protected publishInfo(topic: string): Promise<TopicPublishInfo> {
    const known = this.publishInfos.get(topic);
    if (known) return Promise.resolve(known);
    let pending = this.pendingRoutes.get(topic);
    if (!pending) {
      pending = this.loadPublishInfo(topic).finally(() => this.pendingRoutes.delete(topic));
      this.pendingRoutes.set(topic, pending);
    }
    return pending;
  }

  private async loadPublishInfo(topic: string): Promise<TopicPublishInfo> {
    const route = await this.client.updateRoute(topic);
    if (route) this.onRouteChanged(topic, route);
    const known = this.publishInfos.get(topic);
    if (known && known.queues.length > 0) return known;
    // Unknown topic: send through the template topic's brokers and let them auto-create it, as Java does.
    const template = await this.client.updateRoute(TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC).catch(() => undefined);
    if (template) {
      const queueNums = Number(this.defaultTopicQueueNums);
      const queueDatas = template.queueDatas.map((queueData) => ({ ...queueData, writeQueueNums: Math.min(queueData.writeQueueNums, queueNums) }));
      const info = new TopicPublishInfo(publishQueues(topic, { ...template, queueDatas }));
      if (info.queues.length > 0) {
        this.publishInfos.set(topic, info);
        this.awaitRealRoute(topic);
        return info;
      }
    }
    throw new ClientError('ROUTE_NOT_FOUND', `no route for topic ${topic} on name server ${this.client.namesrvAddress}`, { retriable: true });
  }

  /**
   * A topic sent through the template route gets its own route once the
   * broker registered it; look for it every second for a while instead of
   * waiting for the 30 s refresh.
   */
  private awaitRealRoute(topic: string, attempt = 0): void {
    if (attempt >= 30 || this.state === 'closed') return;
    setTimeout(() => {
      void this.client.updateRoute(topic).then(
        (route) => (route ? this.onRouteChanged(topic, route) : this.awaitRealRoute(topic, attempt + 1)),
        () => this.awaitRealRoute(topic, attempt + 1),
      );
    }, 1000).unref();
  }

  private onRouteChanged(topic: string, route: TopicRouteData): void {
    if (!this.publishInfos.has(topic) && !this.pendingRoutes.has(topic)) return;
    this.publishInfos.set(topic, new TopicPublishInfo(publishQueues(topic, route)));
  }

  private brokerAddressOf(queue: MessageQueue): string {
    const address = this.client.brokerAddress(queue.brokerName);
    if (address === undefined) throw new ClientError('BROKER_NOT_FOUND', `no master address known for broker ${queue.brokerName}`, { retriable: true });
    return address;
  }

  private assertRunning(): void {
    if (this.state !== 'running') {
      throw new ClientError(this.state === 'created' ? 'NOT_STARTED' : 'SHUTDOWN', `producer ${this.group} is ${this.state === 'created' ? 'not started' : 'shut down'}`);
    }
  }
}
