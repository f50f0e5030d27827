/**
 * Topic configs (RocketMQ's TopicConfigManager): queue counts and permission
 * of every topic this broker serves, the system topics it creates at start,
 * and auto-creation on first send from the `TBW102` template. Persisted to
 * `config/topics.json` in RocketMQ's TopicConfigSerializeWrapper shape.
 */
import { join } from 'node:path';
import { PermName, isInherited, permReadWrite } from '../../../sdk/protocol/flags.ts';
import { TopicValidator, replyTopic } from '../../../sdk/protocol/topic-names.ts';
import type { Logger } from '../../../sdk/util/log.ts';
import type { BrokerSettings } from '../settings.ts';
import { DataVersion, PersistQueue, readConfigFile } from './config-file.ts';

export type TopicFilterType = 'SINGLE_TAG' | 'MULTI_TAG';

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: TopicFilterType;
  topicSysFlag: number;
  order: boolean;
  attributes: Record<string, string>;
}

/** Queue count of a topic created without one (RocketMQ TopicConfig defaults). */
const defaultQueueNums = 16;

export function createTopicConfig(topicName: string, fields: Partial<Omit<TopicConfig, 'topicName'>> = {}): TopicConfig {
  return {
    topicName,
    readQueueNums: fields.readQueueNums ?? defaultQueueNums,
    writeQueueNums: fields.writeQueueNums ?? defaultQueueNums,
    perm: fields.perm ?? permReadWrite,
    topicFilterType: fields.topicFilterType ?? 'SINGLE_TAG',
    topicSysFlag: fields.topicSysFlag ?? 0,
    order: fields.order ?? false,
    attributes: fields.attributes ?? {},
  };
}

/** A TopicConfig with its keys in fastjson's sorted order. */
export function topicConfigJson(config: TopicConfig): Record<string, unknown> {
  return {
    attributes: config.attributes,
    order: config.order,
    perm: config.perm,
    readQueueNums: config.readQueueNums,
    topicFilterType: config.topicFilterType,
    topicName: config.topicName,
    topicSysFlag: config.topicSysFlag,
    writeQueueNums: config.writeQueueNums,
  };
}

export class TopicConfigManager {
  readonly dataVersion = new DataVersion();
  private readonly table = new Map<string, TopicConfig>();
  private readonly settings: BrokerSettings;
  private readonly persistQueue: PersistQueue;
  private readonly changeListeners: Array<() => void> = [];

  private constructor(settings: BrokerSettings, log: Logger) {
    this.settings = settings;
    this.persistQueue = new PersistQueue(
      join(settings.dataDir, 'config', 'topics.json'),
      () => this.encode(),
      (error) => log.error('persisting topics.json failed', { error }),
    );
  }

  static async load(settings: BrokerSettings, log: Logger): Promise<TopicConfigManager> {
    const manager = new TopicConfigManager(settings, log);
    manager.createSystemTopics();
    const stored = (await readConfigFile(join(settings.dataDir, 'config', 'topics.json'))) as
      | { dataVersion?: unknown; topicConfigTable?: Record<string, Partial<TopicConfig>> }
      | undefined;
    if (stored) {
      manager.dataVersion.assign(stored.dataVersion);
      for (const [name, value] of Object.entries(stored.topicConfigTable ?? {})) {
        manager.table.set(name, createTopicConfig(name, value));
      }
    }
    return manager;
  }

  get(topic: string): TopicConfig | undefined {
    return this.table.get(topic);
  }

  all(): IterableIterator<TopicConfig> {
    return this.table.values();
  }

  get size(): number {
    return this.table.size;
  }

  /** Called after every change (the broker re-registers with its name servers). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * Creates `topic` on its first send from the template `defaultTopic`: only
   * when the template exists and carries PERM_INHERIT; the new topic gets
   * min(asked, template's write queues) queues and the template's perm without
   * INHERIT. Undefined when the template does not allow it.
   */
  createTopicInSendMessageMethod(topic: string, defaultTopic: string, queueNums: number, topicSysFlag: number): TopicConfig | undefined {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const template = this.table.get(defaultTopic);
    if (!template || !isInherited(template.perm)) return undefined;
    if (defaultTopic === TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC && !this.settings.autoCreateTopicEnable) return undefined;
    const queues = Math.max(1, Math.min(queueNums, template.writeQueueNums));
    return this.put(
      createTopicConfig(topic, {
        readQueueNums: queues,
        writeQueueNums: queues,
        perm: template.perm & ~PermName.PERM_INHERIT,
        topicSysFlag,
      }),
    );
  }

  /** Creates a retry or DLQ topic on demand (heartbeat, send-back). */
  createTopicIfAbsent(topic: string, queueNums: number, perm: number, topicSysFlag = 0): TopicConfig {
    return this.table.get(topic) ?? this.put(createTopicConfig(topic, { readQueueNums: queueNums, writeQueueNums: queueNums, perm, topicSysFlag }));
  }

  /** Creates or replaces a topic config (UPDATE_AND_CREATE_TOPIC). */
  update(config: TopicConfig): TopicConfig {
    return this.put(config);
  }

  delete(topic: string): boolean {
    if (!this.table.delete(topic)) return false;
    this.changed();
    return true;
  }

  /** The topics wrapper as RocketMQ writes it (topics.json, GET_ALL_TOPIC_CONFIG, registration). */
  wrapperJson(): { dataVersion: ReturnType<DataVersion['toJSON']>; topicConfigTable: Record<string, Record<string, unknown>> } {
    const topicConfigTable: Record<string, Record<string, unknown>> = {};
    for (const config of this.table.values()) topicConfigTable[config.topicName] = topicConfigJson(config);
    return { dataVersion: this.dataVersion.toJSON(), topicConfigTable };
  }

  encode(): string {
    return JSON.stringify(this.wrapperJson());
  }

  persist(): Promise<void> {
    return this.persistQueue.flush();
  }

  private put(config: TopicConfig): TopicConfig {
    this.table.set(config.topicName, config);
    this.changed();
    return config;
  }

  private changed(): void {
    this.dataVersion.next();
    void this.persistQueue.persist();
    for (const listener of this.changeListeners) listener();
  }

  /** The topics RocketMQ's broker creates at start (store doc §16), those that apply to a 4.x data path. */
  private createSystemTopics(): void {
    const s = this.settings;
    const system = (name: string, queues: number, perm: number) =>
      this.table.set(name, createTopicConfig(name, { readQueueNums: queues, writeQueueNums: queues, perm }));
    system(TopicValidator.RMQ_SYS_SELF_TEST_TOPIC, 1, permReadWrite);
    if (s.autoCreateTopicEnable) {
      system(TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC, s.defaultTopicQueueNums, PermName.PERM_INHERIT | permReadWrite);
    }
    system(TopicValidator.RMQ_SYS_BENCHMARK_TOPIC, 1024, permReadWrite);
    system(s.clusterName, 16, PermName.PERM_INHERIT | permReadWrite);
    system(s.brokerName, 1, PermName.PERM_INHERIT | permReadWrite);
    system(TopicValidator.RMQ_SYS_OFFSET_MOVED_EVENT, 1, permReadWrite);
    system(TopicValidator.RMQ_SYS_SCHEDULE_TOPIC, 18, permReadWrite);
    system(replyTopic(s.clusterName), 1, permReadWrite);
    system(TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC, 1, permReadWrite);
    system(TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC, 1, permReadWrite);
  }
}
