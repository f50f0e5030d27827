/**
 * Administration (RocketMQ's DefaultMQAdminExt, the parts people use):
 * topics and groups (create, update, delete, list, describe), consumer
 * progress and lag, connections of a group, message lookup by id and key,
 * resetting a group's offsets to a time, and broker runtime stats.
 *
 * @example
 * const admin = new Admin({ namesrvAddr: '127.0.0.1:9876' });
 * await admin.start();
 * await admin.createTopic({ topic: 'orders', queues: 8 });
 * console.log(await admin.consumerProgress('CG_orders'));
 * await admin.shutdown();
 */
import { readSubscriptionGroupConfig } from '../protocol/bodies/admin.ts';
import { ObjectKeyedMap, type JsonValue } from '../protocol/fastjson.ts';
import { permReadWrite } from '../protocol/flags.ts';
import { decodeOffsetMessageId, decodeUniqueId } from '../protocol/message-id.ts';
import * as adminBroker from '../protocol/requests/admin-broker.ts';
import * as adminGroup from '../protocol/requests/admin-group.ts';
import * as adminTopic from '../protocol/requests/admin-topic.ts';
import * as namesrv from '../protocol/requests/namesrv.ts';
import { TopicValidator } from '../protocol/topic-names.ts';
import { call, getMaxOffset, getMinOffset, jsonBody, parseBody, queryMessage, viewMessageById } from './broker-calls.ts';
import { ClientInstance } from './client-instance.ts';
import type { ClientOptions } from './client-config.ts';
import { ClientError } from './errors.ts';
import type { MessageExt, MessageQueue } from './message.ts';
import { asArray, asObject, parseBrokerData, subscribeQueues, type BrokerData, type TopicRouteData } from './route.ts';

export interface ClusterInfo {
  brokers: BrokerData[];
  clusters: Map<string, string[]>;
}

export interface TopicDescription {
  topic: string;
  route: TopicRouteData;
  queues: Array<MessageQueue & { minOffset: number; maxOffset: number }>;
}

export interface QueueProgress {
  queue: MessageQueue;
  brokerOffset: number;
  consumerOffset: number;
  lag: number;
  lastTimestamp: number;
}

export interface GroupConfig {
  groupName: string;
  consumeEnable?: boolean;
  consumeBroadcastEnable?: boolean;
  consumeMessageOrderly?: boolean;
  retryQueueNums?: number;
  retryMaxTimes?: number;
  notifyConsumerIdsChangedEnable?: boolean;
}

export class Admin {
  readonly client: ClientInstance;
  private readonly ownsClient: boolean;

  constructor(options: ClientOptions & { client?: ClientInstance }) {
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new ClientInstance(options);
  }

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  private get timeoutMs(): number {
    return this.client.requestTimeoutMs;
  }

  async clusterInfo(): Promise<ClusterInfo> {
    const response = await this.client.invokeNamesrv((address) => call(this.client, address, namesrv.GET_BROKER_CLUSTER_INFO, {}, this.timeoutMs));
    const root = asObject(parseBody(response));
    const table = asObject(root.brokerAddrTable);
    const brokers = Object.values(table).map(parseBrokerData);
    for (const broker of brokers) this.client.rememberBroker(broker.brokerName, broker.brokerAddrs);
    const clusters = new Map<string, string[]>();
    for (const [cluster, names] of Object.entries(asObject(root.clusterAddrTable))) clusters.set(cluster, asArray(names).map(String));
    return { brokers, clusters };
  }

  /** Master addresses of a cluster's brokers (every cluster when none is named). */
  private async masters(cluster?: string): Promise<Array<{ brokerName: string; address: string }>> {
    const info = await this.clusterInfo();
    const names = cluster === undefined ? undefined : new Set(info.clusters.get(cluster) ?? []);
    const result: Array<{ brokerName: string; address: string }> = [];
    for (const broker of info.brokers) {
      const address = broker.brokerAddrs.get(0);
      if (address !== undefined && (names === undefined || names.has(broker.brokerName))) result.push({ brokerName: broker.brokerName, address });
    }
    if (result.length === 0) throw new ClientError('BROKER_NOT_FOUND', `no master broker${cluster ? ` in cluster ${cluster}` : ''}`);
    return result;
  }

  // Topics.

  /** Creates or updates a topic on every master of the cluster. */
  async createTopic(options: { topic: string; queues?: number; readQueueNums?: number; writeQueueNums?: number; perm?: number; order?: boolean; cluster?: string }): Promise<void> {
    const header = {
      topic: options.topic,
      defaultTopic: TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC,
      readQueueNums: options.readQueueNums ?? options.queues ?? 8,
      writeQueueNums: options.writeQueueNums ?? options.queues ?? 8,
      perm: options.perm ?? permReadWrite,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: options.order ?? false,
    };
    for (const { address } of await this.masters(options.cluster)) await call(this.client, address, adminTopic.UPDATE_AND_CREATE_TOPIC, header, this.timeoutMs);
  }

  /** Deletes a topic from every master and from the name server. */
  async deleteTopic(topic: string, cluster?: string): Promise<void> {
    for (const { address } of await this.masters(cluster)) await call(this.client, address, adminTopic.DELETE_TOPIC_IN_BROKER, { topic }, this.timeoutMs);
    await this.client.invokeNamesrv((address) => call(this.client, address, namesrv.DELETE_TOPIC_IN_NAMESRV, { topic }, this.timeoutMs));
  }

  async listTopics(): Promise<string[]> {
    const response = await this.client.invokeNamesrv((address) => call(this.client, address, namesrv.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, {}, this.timeoutMs));
    return asArray(asObject(parseBody(response)).topicList).map(String).sort();
  }

  /** The topic's route and each queue's min and max offsets. */
  async describeTopic(topic: string): Promise<TopicDescription> {
    const route = await this.client.updateRoute(topic);
    if (!route) throw new ClientError('ROUTE_NOT_FOUND', `topic ${topic} does not exist`);
    const queues = await Promise.all(
      subscribeQueues(topic, route).map(async (queue) => {
        const address = this.brokerAddress(queue.brokerName);
        const [minOffset, maxOffset] = await Promise.all([getMinOffset(this.client, address, queue, this.timeoutMs), getMaxOffset(this.client, address, queue, this.timeoutMs)]);
        return { ...queue, minOffset, maxOffset };
      }),
    );
    return { topic, route, queues };
  }

  // Groups.

  async createGroup(config: GroupConfig, cluster?: string): Promise<void> {
    const body = jsonBody({
      brokerId: 0,
      consumeBroadcastEnable: config.consumeBroadcastEnable ?? true,
      consumeEnable: config.consumeEnable ?? true,
      consumeFromMinEnable: true,
      consumeMessageOrderly: config.consumeMessageOrderly ?? false,
      groupName: config.groupName,
      notifyConsumerIdsChangedEnable: config.notifyConsumerIdsChangedEnable ?? true,
      retryMaxTimes: config.retryMaxTimes ?? 16,
      retryQueueNums: config.retryQueueNums ?? 1,
      whichBrokerWhenConsumeSlowly: 1,
    });
    for (const { address } of await this.masters(cluster)) await call(this.client, address, adminGroup.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, this.timeoutMs, body);
  }

  async deleteGroup(group: string, options: { cleanOffset?: boolean; cluster?: string } = {}): Promise<void> {
    for (const { address } of await this.masters(options.cluster)) {
      await call(this.client, address, adminGroup.DELETE_SUBSCRIPTIONGROUP, { groupName: group, cleanOffset: options.cleanOffset ?? false }, this.timeoutMs);
    }
  }

  async listGroups(cluster?: string): Promise<string[]> {
    return (await this.groupConfigs(cluster)).map((config) => config.groupName);
  }

  /** The subscription group settings the brokers hold, by name; the first broker's copy of each group wins. */
  async groupConfigs(cluster?: string): Promise<Required<GroupConfig>[]> {
    const groups = new Map<string, Required<GroupConfig>>();
    for (const { address } of await this.masters(cluster)) {
      const response = await call(this.client, address, adminGroup.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, {}, this.timeoutMs);
      for (const [name, value] of Object.entries(asObject(asObject(parseBody(response)).subscriptionGroupTable))) {
        if (groups.has(name)) continue;
        const config = readSubscriptionGroupConfig({ ...asObject(value), groupName: name });
        groups.set(name, {
          groupName: name,
          consumeEnable: config.consumeEnable,
          consumeBroadcastEnable: config.consumeBroadcastEnable,
          consumeMessageOrderly: config.consumeMessageOrderly,
          retryQueueNums: config.retryQueueNums,
          retryMaxTimes: config.retryMaxTimes,
          notifyConsumerIdsChangedEnable: config.notifyConsumerIdsChangedEnable,
        });
      }
    }
    return [...groups.values()].sort((a, b) => (a.groupName < b.groupName ? -1 : a.groupName > b.groupName ? 1 : 0));
  }

  /** Per queue: broker offset, committed offset and lag, over every broker of the group's topics. */
  async consumerProgress(group: string, topic?: string): Promise<QueueProgress[]> {
    const progress: QueueProgress[] = [];
    for (const { address } of await this.masters()) {
      const response = await call(this.client, address, adminGroup.GET_CONSUME_STATS, { consumerGroup: group, topic: topic ?? '' }, this.timeoutMs);
      for (const [key, value] of objectKeyedEntries(asObject(parseBody(response)).offsetTable)) {
        const item = asObject(value);
        const brokerOffset = Number(item.brokerOffset ?? 0);
        const consumerOffset = Number(item.consumerOffset ?? 0);
        progress.push({ queue: queueFromJson(key), brokerOffset, consumerOffset, lag: Math.max(0, brokerOffset - consumerOffset), lastTimestamp: Number(item.lastTimestamp ?? 0) });
      }
    }
    return progress.sort((a, b) => (a.queue.topic + a.queue.brokerName).localeCompare(b.queue.topic + b.queue.brokerName) || a.queue.queueId - b.queue.queueId);
  }

  /** Clients connected as members of a consumer group, with their subscriptions. */
  async consumerConnections(group: string): Promise<{ connections: Array<Record<string, JsonValue>>; messageModel?: string; subscriptions: Record<string, JsonValue> }> {
    const connections: Array<Record<string, JsonValue>> = [];
    let subscriptions: Record<string, JsonValue> = {};
    let messageModel: string | undefined;
    for (const { address } of await this.masters()) {
      const response = await call(this.client, address, adminGroup.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: group }, this.timeoutMs, undefined, [0, 206]);
      if (response.code !== 0) continue;
      const body = asObject(parseBody(response));
      for (const connection of asArray(body.connectionSet)) connections.push(asObject(connection));
      subscriptions = { ...subscriptions, ...asObject(body.subscriptionTable) };
      if (typeof body.messageModel === 'string') messageModel = body.messageModel;
    }
    return { connections, messageModel, subscriptions };
  }

  /** Moves a group's offsets on every queue of a topic to the first message stored at or after `timestamp`. */
  async resetOffsetByTimestamp(group: string, topic: string, timestamp: number, force = true): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    const route = await this.client.updateRoute(topic);
    if (!route) throw new ClientError('ROUTE_NOT_FOUND', `topic ${topic} does not exist`);
    for (const broker of route.brokerDatas) {
      const address = broker.brokerAddrs.get(0);
      if (address === undefined) continue;
      const response = await call(this.client, address, adminGroup.INVOKE_BROKER_TO_RESET_OFFSET, { group, topic, timestamp, isForce: force }, this.timeoutMs);
      for (const [key, value] of objectKeyedEntries(asObject(parseBody(response)).offsetTable)) {
        const queue = queueFromJson(key);
        result.set(`${queue.brokerName}:${queue.queueId}`, Number(value));
      }
    }
    return result;
  }

  // Messages.

  /**
   * A message by id: an offset id (`offsetMsgId`) is read directly from the
   * store host it names; a client id (`msgId`, UNIQ_KEY) is looked up in the
   * topic's index, so it needs the topic.
   */
  async viewMessage(topic: string | undefined, msgId: string): Promise<MessageExt | undefined> {
    const byUnique = topic === undefined ? undefined : await this.queryByUniqueKey(topic, msgId);
    if (byUnique) return byUnique;
    const offsetId = decodeOffsetMessageId(msgId);
    if (!offsetId) return undefined;
    const address = offsetId.address.includes(':') ? `[${offsetId.address}]:${offsetId.port}` : `${offsetId.address}:${offsetId.port}`;
    // Without a topic route the broker's name is not known yet: the cluster table has it.
    if (this.brokerNameOf(address) === '') await this.clusterInfo().catch(() => undefined);
    return viewMessageById(this.client, address, this.brokerNameOf(address), offsetId.physicalOffset, this.timeoutMs).catch(() => undefined);
  }

  /** Messages of a topic carrying `key` in KEYS, stored between `begin` and `end` (ms). */
  async queryMessagesByKey(topic: string, key: string, options: { maxNum?: number; begin?: number; end?: number } = {}): Promise<MessageExt[]> {
    const route = await this.client.updateRoute(topic);
    if (!route) return [];
    const found: MessageExt[] = [];
    for (const broker of route.brokerDatas) {
      const address = broker.brokerAddrs.get(0);
      if (address === undefined) continue;
      const messages = await queryMessage(
        this.client,
        address,
        broker.brokerName,
        { topic, key, maxNum: options.maxNum ?? 64, beginTimestamp: options.begin ?? 0, endTimestamp: options.end ?? Date.now() + 60_000 },
        false,
        this.timeoutMs,
      );
      // The index matches by hash: keep only real matches.
      for (const message of messages) if (message.keys.includes(key)) found.push(message);
    }
    return found;
  }

  private async queryByUniqueKey(topic: string, uniqueKey: string): Promise<MessageExt | undefined> {
    const route = await this.client.updateRoute(topic);
    if (!route) return undefined;
    const created = decodeUniqueId(uniqueKey)?.createdTimestamp;
    for (const broker of route.brokerDatas) {
      const address = broker.brokerAddrs.get(0);
      if (address === undefined) continue;
      const header = {
        topic,
        key: uniqueKey,
        maxNum: 32,
        beginTimestamp: created === undefined ? 0 : created - 60 * 60_000,
        endTimestamp: created === undefined ? Date.now() + 60_000 : Math.max(Date.now(), created) + 60 * 60_000,
      };
      const messages = await queryMessage(this.client, address, broker.brokerName, header, true, this.timeoutMs).catch(() => []);
      const match = messages.find((message) => message.msgId === uniqueKey);
      if (match) return match;
    }
    return undefined;
  }

  // Brokers.

  /** GET_BROKER_RUNTIME_INFO of every master, by broker name. */
  async brokerRuntimeStats(): Promise<Map<string, Record<string, string>>> {
    const stats = new Map<string, Record<string, string>>();
    for (const { brokerName, address } of await this.masters()) {
      const response = await call(this.client, address, adminBroker.GET_BROKER_RUNTIME_INFO, {}, this.timeoutMs);
      const table = asObject(asObject(parseBody(response)).table);
      stats.set(brokerName, Object.fromEntries(Object.entries(table).map(([key, value]) => [key, String(value)])));
    }
    return stats;
  }

  private brokerAddress(brokerName: string): string {
    const address = this.client.brokerAddress(brokerName);
    if (address === undefined) throw new ClientError('BROKER_NOT_FOUND', `no address for broker ${brokerName}`);
    return address;
  }

  private brokerNameOf(address: string): string {
    for (const name of this.client.brokerNames()) if (this.client.brokerAddress(name) === address) return name;
    return '';
  }
}

function objectKeyedEntries(value: JsonValue | undefined): Array<[JsonValue, JsonValue]> {
  if (value instanceof ObjectKeyedMap) return value.entries;
  // A server that writes standard JSON keys them by text; those keys are not MessageQueues.
  return [];
}

function queueFromJson(value: JsonValue): MessageQueue {
  const item = asObject(value);
  return { topic: String(item.topic ?? ''), brokerName: String(item.brokerName ?? ''), queueId: Number(item.queueId ?? 0) };
}
