/**
 * The administration calls the CLI makes, and `openAdmin`, which binds them to
 * the SDK's Admin (sdk/native/admin.ts) for the --namesrv in the flags. The
 * interface lists exactly what the commands need, so the commands read the
 * same whatever the Admin's own naming.
 */
import type { MessageExt } from '../native/message.ts';
import { createLogger } from '../util/log.ts';
import type { ClientFlags } from './options.ts';

export interface TopicSettings {
  topic: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  order: boolean;
}

export interface QueueStats {
  brokerName: string;
  queueId: number;
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

export interface QueueLag {
  topic: string;
  brokerName: string;
  queueId: number;
  brokerOffset: number;
  consumerOffset: number;
  lag: number;
}

export interface GroupSettings {
  group: string;
  retryMaxTimes?: number;
  broadcast?: boolean;
  consumeEnable?: boolean;
}

export interface CliAdmin {
  fetchAllTopicList(): Promise<readonly string[]>;
  examineTopicConfig(topic: string): Promise<TopicSettings | undefined>;
  examineTopicStats(topic: string): Promise<QueueStats[]>;
  /** Resolves with the addresses of the brokers that took the topic. */
  createTopic(settings: TopicSettings, clusterName?: string): Promise<string[]>;
  deleteTopic(topic: string, clusterName?: string): Promise<void>;
  createSubscriptionGroup(settings: GroupSettings, clusterName?: string): Promise<string[]>;
  deleteSubscriptionGroup(group: string, clusterName?: string): Promise<void>;
  /** By group name, in order. */
  fetchAllSubscriptionGroups(): Promise<readonly GroupSettings[]>;
  examineConsumeStats(group: string, topic?: string): Promise<QueueLag[]>;
  examineConsumerConnections(group: string): Promise<readonly { clientId: string; clientAddr: string; language: string; version: number }[]>;
  /** An offset id is read from the broker it names; a unique id is looked up in `topic`'s index. */
  viewMessage(id: string, topic?: string): Promise<MessageExt | undefined>;
  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): Promise<MessageExt[]>;
  /** Resolves with the new offset of each queue. */
  resetOffsetByTimestamp(group: string, topic: string, timestamp: number): Promise<{ brokerName: string; queueId: number; offset: number }[]>;
  /** Each master's runtime info (GET_BROKER_RUNTIME_INFO), by broker name. */
  brokerRuntimeStats(): Promise<Map<string, Record<string, string>>>;
  close(): Promise<void>;
}

export async function openAdmin(flags: ClientFlags): Promise<CliAdmin> {
  const { Admin } = await import('../native/admin.ts');
  const admin = new Admin({
    namesrvAddr: flags.namesrv,
    requestTimeoutMs: flags.timeout,
    log: createLogger('admin', process.env.APOGEE_LOG_LEVEL ? undefined : 'error'),
  });
  await admin.start();
  const brokerNames = async (cluster?: string) => {
    const info = await admin.clusterInfo();
    return info.brokers.filter((broker) => cluster === undefined || broker.cluster === cluster).map((broker) => broker.brokerName);
  };
  return {
    fetchAllTopicList: () => admin.listTopics(),
    async examineTopicConfig(topic) {
      const queueData = (await admin.describeTopic(topic)).route.queueDatas[0];
      if (!queueData) return undefined;
      return { topic, readQueueNums: queueData.readQueueNums, writeQueueNums: queueData.writeQueueNums, perm: queueData.perm, order: false };
    },
    async examineTopicStats(topic) {
      const description = await admin.describeTopic(topic);
      return description.queues.map((queue) => ({ brokerName: queue.brokerName, queueId: queue.queueId, minOffset: queue.minOffset, maxOffset: queue.maxOffset, lastUpdateTimestamp: 0 }));
    },
    async createTopic(settings, clusterName) {
      await admin.createTopic({ ...settings, ...(clusterName ? { cluster: clusterName } : {}) });
      return brokerNames(clusterName);
    },
    deleteTopic: (topic, clusterName) => admin.deleteTopic(topic, clusterName),
    async createSubscriptionGroup(settings, clusterName) {
      await admin.createGroup(
        { groupName: settings.group, retryMaxTimes: settings.retryMaxTimes, consumeBroadcastEnable: settings.broadcast, consumeEnable: settings.consumeEnable },
        clusterName,
      );
      return brokerNames(clusterName);
    },
    deleteSubscriptionGroup: (group, clusterName) => admin.deleteGroup(group, { cleanOffset: true, ...(clusterName ? { cluster: clusterName } : {}) }),
    fetchAllSubscriptionGroups: async () =>
      (await admin.groupConfigs()).map((config) => ({
        group: config.groupName,
        retryMaxTimes: config.retryMaxTimes,
        broadcast: config.consumeBroadcastEnable,
        consumeEnable: config.consumeEnable,
      })),
    async examineConsumeStats(group, topic) {
      return (await admin.consumerProgress(group, topic)).map((progress) => ({
        topic: progress.queue.topic,
        brokerName: progress.queue.brokerName,
        queueId: progress.queue.queueId,
        brokerOffset: progress.brokerOffset,
        consumerOffset: progress.consumerOffset,
        lag: progress.lag,
      }));
    },
    async examineConsumerConnections(group) {
      const { connections } = await admin.consumerConnections(group);
      return connections.map((connection) => ({
        clientId: String(connection.clientId ?? ''),
        clientAddr: String(connection.clientAddr ?? ''),
        language: String(connection.language ?? ''),
        version: Number(connection.version ?? 0),
      }));
    },
    viewMessage: (id, topic) => admin.viewMessage(topic, id),
    queryMessage: (topic, key, maxNum, begin, end) => admin.queryMessagesByKey(topic, key, { maxNum, begin, end }),
    async resetOffsetByTimestamp(group, topic, timestamp) {
      const offsets = await admin.resetOffsetByTimestamp(group, topic, timestamp);
      return [...offsets].map(([queue, offset]) => {
        const separator = queue.lastIndexOf(':');
        return { brokerName: queue.slice(0, separator), queueId: Number(queue.slice(separator + 1)), offset };
      });
    },
    brokerRuntimeStats: () => admin.brokerRuntimeStats(),
    close: () => admin.shutdown(),
  };
}
