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
  fetchAllSubscriptionGroups(): Promise<readonly GroupSettings[]>;
  examineConsumeStats(group: string, topic?: string): Promise<QueueLag[]>;
  examineConsumerConnections(group: string): Promise<readonly { clientId: string; clientAddr: string; language: string; version: number }[]>;
  viewMessage(id: string, topic?: string): Promise<MessageExt | undefined>;
  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): Promise<MessageExt[]>;
  /** Resolves with the new offset of each queue. */
  resetOffsetByTimestamp(group: string, topic: string, timestamp: number): Promise<{ brokerName: string; queueId: number; offset: number }[]>;
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
  return admin as unknown as CliAdmin;
}
