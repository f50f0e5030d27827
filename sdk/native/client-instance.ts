/**
 * One client instance per client id (RocketMQ's MQClientInstance): the route
 * cache and its 30 s refresh, the broker address table, heartbeats to every
 * broker every 30 s, the shared connections, and the processors for requests
 * brokers send us (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE,
 * RESET_CONSUMER_CLIENT_OFFSET).
 * Producers and consumers register here as members.
 */
import { networkInterfaces } from 'node:os';
import { decodeResetOffsetBody } from '../protocol/bodies/admin.ts';
import type { RemotingCommand } from '../protocol/command.ts';
import { createResponse, SerializeType } from '../protocol/command.ts';
import { decodeHeader } from '../protocol/fields.ts';
import { encodeHostAddress, UniqueIdGenerator } from '../protocol/message-id.ts';
import * as adminGroupRequests from '../protocol/requests/admin-group.ts';
import * as consumerRequests from '../protocol/requests/consumer.ts';
import { RequestCode } from '../protocol/requests/index.ts';
import * as transactionRequests from '../protocol/requests/transaction.ts';
import { ResponseCode } from '../protocol/response-codes.ts';
import type { Connection } from '../remoting/connection.ts';
import { RemotingClient } from '../remoting/client.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { signCommand } from './acl.ts';
import { getRouteInfoByTopic, heartbeat, unregisterClient, type Invoker } from './broker-calls.ts';
import { clientDefaults, namesrvList, type ClientOptions } from './client-config.ts';
import { ClientError } from './errors.ts';
import { decodeMessages, type MessageExt, type MessageQueue } from './message.ts';
import { routeFingerprint, type TopicRouteData } from './route.ts';

/** A producer as the instance sees it. */
export interface ProducerMember {
  readonly group: string;
  topics(): Iterable<string>;
  onRouteChanged(topic: string, route: TopicRouteData): void;
  checkTransactionState?(brokerAddress: string, header: CheckTransactionStateHeader, message: MessageExt, connection: Connection): void;
}

/** A consumer as the instance sees it. */
export interface ConsumerMember {
  readonly group: string;
  topics(): Iterable<string>;
  /** This consumer's entry of the heartbeat's `consumerDataSet`. */
  consumerData(): Record<string, unknown>;
  onRouteChanged(topic: string, route: TopicRouteData): void;
  /** A broker said the group's membership changed. */
  requestRebalance(): void;
  /** An admin moved the group's committed offsets of `topic` (RESET_CONSUMER_CLIENT_OFFSET): consume from them. */
  resetOffset?(topic: string, offsets: ReadonlyArray<readonly [MessageQueue, number]>): Promise<void>;
}

export type CheckTransactionStateHeader = {
  tranStateTableOffset: number;
  commitLogOffset: number;
  msgId?: string;
  transactionId?: string;
  offsetMsgId?: string;
  topic?: string;
};

let instanceCounter = 0;

export class ClientInstance implements Invoker {
  readonly clientId: string;
  readonly clientIp: string;
  readonly options: ClientOptions;
  readonly log: Logger;
  readonly requestTimeoutMs: number;
  /** Header serialization of every request this client sends; brokers answer in the same one. */
  readonly serializeType: SerializeType;
  readonly uniqueIds: UniqueIdGenerator;
  readonly remoting: RemotingClient;
  private readonly namesrvAddresses: string[];
  private namesrvIndex = 0;
  private readonly routes = new Map<string, TopicRouteData>();
  private readonly routeFingerprints = new Map<string, string>();
  /** brokerName → (brokerId → address). */
  private readonly brokerAddresses = new Map<string, Map<number, string>>();
  private readonly live = new Map<string, Connection>();
  private readonly producers = new Map<string, ProducerMember>();
  private readonly consumers = new Map<string, ConsumerMember>();
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private started = false;
  private closed = false;

  constructor(options: ClientOptions) {
    this.options = options;
    this.serializeType = options.serializeType === 'JSON' ? SerializeType.JSON : SerializeType.ROCKETMQ;
    this.log = options.log ?? createLogger('native-client');
    this.requestTimeoutMs = options.requestTimeoutMs ?? clientDefaults.requestTimeoutMs;
    this.namesrvAddresses = namesrvList(options.namesrvAddr);
    if (this.namesrvAddresses.length === 0) throw new ClientError('INVALID_ARGUMENT', 'namesrvAddr lists no name server');
    this.clientIp = options.clientIp ?? localIpv4();
    const instanceName = options.instanceName ?? `${process.pid}#${Date.now().toString(36)}${(instanceCounter++).toString(36)}`;
    this.clientId = `${this.clientIp}@${instanceName}`;
    this.uniqueIds = new UniqueIdGenerator({ ip: encodeHostAddress(this.clientIp) ?? new Uint8Array([127, 0, 0, 1]), pid: process.pid });
    this.remoting = new RemotingClient({
      log: this.log,
      maxInFlightPerConnection: options.maxInFlightPerConnection ?? clientDefaults.maxInFlightPerConnection,
    });
    this.remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (request) => this.onNotifyConsumerIdsChanged(request));
    this.remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (request, connection) => this.onCheckTransactionState(request, connection));
    this.remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, (request, connection) => this.onResetConsumerClientOffset(request, connection));
  }

  /** Starts the periodic route refresh and heartbeat; idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const routeEvery = this.options.pollNameServerIntervalMs ?? clientDefaults.pollNameServerIntervalMs;
    const heartbeatEvery = this.options.heartbeatBrokerIntervalMs ?? clientDefaults.heartbeatBrokerIntervalMs;
    this.timers.push(setInterval(() => void this.refreshAllRoutes(), routeEvery));
    this.timers.push(setInterval(() => void this.sendHeartbeatToAllBrokers().catch(() => undefined), heartbeatEvery));
    for (const timer of this.timers) timer.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.remoting.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // Members.

  registerProducer(member: ProducerMember): void {
    if (this.producers.has(member.group)) throw new ClientError('INVALID_ARGUMENT', `producer group ${member.group} is already registered on client ${this.clientId}`);
    this.producers.set(member.group, member);
  }

  registerConsumer(member: ConsumerMember): void {
    if (this.consumers.has(member.group)) throw new ClientError('INVALID_ARGUMENT', `consumer group ${member.group} is already registered on client ${this.clientId}`);
    this.consumers.set(member.group, member);
  }

  /** Removes a member and tells every broker (UNREGISTER_CLIENT). */
  async unregister(kind: 'producer' | 'consumer', group: string): Promise<void> {
    (kind === 'producer' ? this.producers : this.consumers).delete(group);
    const header = kind === 'producer' ? { clientID: this.clientId, producerGroup: group } : { clientID: this.clientId, consumerGroup: group };
    await Promise.all(
      this.allBrokerAddresses().map((address) => unregisterClient(this, address, header, this.requestTimeoutMs).catch((error: unknown) => {
        this.log.debug('unregister failed', { address, group, error });
      })),
    );
  }

  // Requests.

  /** Sends a request; signs it first when credentials are set. Reuses the live connection without a turn of the loop. */
  invoke(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    request.serializeType = this.serializeType;
    if (this.options.credentials) signCommand(request, this.options.credentials);
    const connection = this.live.get(address);
    if (connection !== undefined && !connection.closed) return connection.invoke(request, timeoutMs);
    return this.invokeSlow(address, request, timeoutMs);
  }

  async invokeOneway(address: string, request: RemotingCommand, timeoutMs: number): Promise<void> {
    request.serializeType = this.serializeType;
    if (this.options.credentials) signCommand(request, this.options.credentials);
    const connection = await this.connection(address, timeoutMs);
    await connection.invokeOneway(request, timeoutMs);
  }

  /** Answers a broker's request on the connection it came from (END_TRANSACTION after a check). */
  async sendOnConnection(connection: Connection, request: RemotingCommand): Promise<void> {
    request.serializeType = this.serializeType;
    if (this.options.credentials) signCommand(request, this.options.credentials);
    await connection.invokeOneway(request, this.requestTimeoutMs);
  }

  private async invokeSlow(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const started = Date.now();
    const connection = await this.connection(address, timeoutMs);
    return connection.invoke(request, Math.max(1, timeoutMs - (Date.now() - started)));
  }

  private async connection(address: string, timeoutMs: number): Promise<Connection> {
    const cached = this.live.get(address);
    if (cached !== undefined && !cached.closed) return cached;
    const connection = await this.remoting.connection(address, timeoutMs);
    this.live.set(address, connection);
    return connection;
  }

  /** Tries each name server in turn, starting with the last one that answered. */
  async invokeNamesrv<T>(call: (address: string) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.namesrvAddresses.length; attempt++) {
      const index = (this.namesrvIndex + attempt) % this.namesrvAddresses.length;
      try {
        const result = await call(this.namesrvAddresses[index]!);
        this.namesrvIndex = index;
        return result;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  get namesrvAddress(): string {
    return this.namesrvAddresses[this.namesrvIndex]!;
  }

  // Routes.

  route(topic: string): TopicRouteData | undefined {
    return this.routes.get(topic);
  }

  /**
   * Fetches a topic's route and, when it changed, records broker addresses
   * and tells every member. Returns undefined for a topic the name server does
   * not know.
   */
  async updateRoute(topic: string): Promise<TopicRouteData | undefined> {
    const route = await this.invokeNamesrv((address) => getRouteInfoByTopic(this, address, topic, this.requestTimeoutMs));
    if (!route) return undefined;
    const fingerprint = routeFingerprint(route);
    if (this.routeFingerprints.get(topic) === fingerprint) return this.routes.get(topic);
    this.routes.set(topic, route);
    this.routeFingerprints.set(topic, fingerprint);
    const known = new Set(this.allBrokerAddresses());
    for (const broker of route.brokerDatas) this.brokerAddresses.set(broker.brokerName, new Map(broker.brokerAddrs));
    for (const producer of this.producers.values()) producer.onRouteChanged(topic, route);
    for (const consumer of this.consumers.values()) consumer.onRouteChanged(topic, route);
    // A broker seen for the first time learns who we are before we pull from it or ask it about our group.
    if (this.allBrokerAddresses().some((address) => !known.has(address))) await this.sendHeartbeatToAllBrokers().catch(() => undefined);
    return route;
  }

  async refreshAllRoutes(): Promise<void> {
    const topics = new Set<string>();
    for (const member of [...this.producers.values(), ...this.consumers.values()]) for (const topic of member.topics()) topics.add(topic);
    for (const topic of topics) {
      if (this.closed) return;
      await this.updateRoute(topic).catch((error: unknown) => this.log.debug('route refresh failed', { topic, error }));
    }
  }

  /** The master address of a broker, or any address when `onlyMaster` is false and the master is gone. */
  brokerAddress(brokerName: string, onlyMaster = true): string | undefined {
    const addresses = this.brokerAddresses.get(brokerName);
    if (!addresses) return undefined;
    const master = addresses.get(0);
    if (master !== undefined || onlyMaster) return master;
    return addresses.values().next().value;
  }

  brokerNames(): string[] {
    return [...this.brokerAddresses.keys()];
  }

  allBrokerAddresses(onlyMasters = false): string[] {
    const result = new Set<string>();
    for (const addresses of this.brokerAddresses.values()) {
      for (const [id, address] of addresses) if (!onlyMasters || id === 0) result.add(address);
    }
    return [...result];
  }

  /** Records addresses learnt outside a topic route (cluster info). */
  rememberBroker(brokerName: string, addresses: ReadonlyMap<number, string>): void {
    this.brokerAddresses.set(brokerName, new Map(addresses));
  }

  // Heartbeats.

  heartbeatData(): Record<string, unknown> {
    return {
      clientID: this.clientId,
      consumerDataSet: [...this.consumers.values()].map((consumer) => consumer.consumerData()),
      heartbeatFingerprint: 0,
      producerDataSet: [...this.producers.keys()].map((groupName) => ({ groupName })),
      withoutSub: false,
    };
  }

  /**
   * Sends the heartbeat to every broker: masters only when this client has no
   * consumers (consumers may read from slaves). Fails when no broker took it.
   */
  async sendHeartbeatToAllBrokers(): Promise<void> {
    if (this.producers.size === 0 && this.consumers.size === 0) return;
    const data = this.heartbeatData();
    const addresses = this.allBrokerAddresses(this.consumers.size === 0);
    const results = await Promise.allSettled(addresses.map((address) => heartbeat(this, address, data as never, this.requestTimeoutMs)));
    const failures = results.filter((result) => result.status === 'rejected');
    for (const failure of failures) this.log.debug('heartbeat failed', { error: (failure as PromiseRejectedResult).reason });
    if (addresses.length > 0 && failures.length === addresses.length) throw (failures[0] as PromiseRejectedResult).reason;
  }

  // Broker → client requests.

  private onNotifyConsumerIdsChanged(request: RemotingCommand): undefined {
    const decoded = decodeHeader(consumerRequests.NotifyConsumerIdsChangedRequestHeader, request.extFields);
    if (decoded.ok) this.consumers.get(decoded.header.consumerGroup)?.requestRebalance();
    return undefined;
  }

  private onResetConsumerClientOffset(request: RemotingCommand, connection: Connection): undefined {
    const decoded = decodeHeader(adminGroupRequests.ResetOffsetRequestHeader, request.extFields);
    let offsets: Array<[MessageQueue, number]>;
    try {
      offsets = request.body ? decodeResetOffsetBody(request.body) : [];
    } catch (error) {
      this.log.warn('RESET_CONSUMER_CLIENT_OFFSET ignored: malformed body', { peer: connection.remoteAddress, error });
      return undefined;
    }
    if (!decoded.ok) {
      this.log.warn('RESET_CONSUMER_CLIENT_OFFSET ignored: malformed header', { peer: connection.remoteAddress, reason: decoded.reason });
      return undefined;
    }
    const { group, topic } = decoded.header;
    const consumer = this.consumers.get(group);
    if (!consumer?.resetOffset) return undefined;
    this.log.info('offsets reset by an admin', { group, topic, queues: offsets.length });
    void consumer.resetOffset(topic, offsets).catch((error: unknown) => this.log.warn('resetting offsets failed', { group, topic, error }));
    return undefined;
  }

  private onCheckTransactionState(request: RemotingCommand, connection: Connection): RemotingCommand | undefined {
    const decoded = decodeHeader(transactionRequests.CheckTransactionStateRequestHeader, request.extFields);
    const message = request.body ? decodeMessages(request.body, '')[0] : undefined;
    if (!decoded.ok || !message) {
      this.log.warn('CHECK_TRANSACTION_STATE ignored: malformed', { peer: connection.remoteAddress });
      return (request.flag & 0x2) === 0 ? createResponse(request, ResponseCode.SYSTEM_ERROR, 'malformed check') : undefined;
    }
    const group = message.properties.PGROUP;
    const producer = group === undefined ? undefined : this.producers.get(group);
    if (!producer?.checkTransactionState) {
      this.log.debug('CHECK_TRANSACTION_STATE for a group without a transaction producer here', { group });
      return undefined;
    }
    producer.checkTransactionState(connection.remoteAddress, decoded.header, message, connection);
    return undefined;
  }
}

/** The first non-internal IPv4 address, else 127.0.0.1. */
export function localIpv4(): string {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return '127.0.0.1';
}
