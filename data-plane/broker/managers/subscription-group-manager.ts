/**
 * Subscription groups (RocketMQ's SubscriptionGroupManager): one config per
 * consumer group, auto-created on first heartbeat or pull when
 * `autoCreateSubscriptionGroup` is on. Persisted to
 * `config/subscriptionGroup.json` in RocketMQ's 5.x shape (4.9 readers ignore
 * the extra keys).
 */
import { join } from 'node:path';
import { MixAllGroups } from '../../../sdk/protocol/topic-names.ts';
import type { Logger } from '../../../sdk/util/log.ts';
import type { BrokerSettings } from '../settings.ts';
import { DataVersion, PersistQueue, readConfigFile } from './config-file.ts';

export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  consumeMessageOrderly: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
  groupSysFlag: number;
  consumeTimeoutMinute: number;
  attributes: Record<string, string>;
  groupRetryPolicy: Record<string, unknown>;
}

export function createSubscriptionGroupConfig(groupName: string, fields: Partial<SubscriptionGroupConfig> = {}): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: fields.consumeEnable ?? true,
    consumeFromMinEnable: fields.consumeFromMinEnable ?? true,
    consumeBroadcastEnable: fields.consumeBroadcastEnable ?? true,
    consumeMessageOrderly: fields.consumeMessageOrderly ?? false,
    retryQueueNums: fields.retryQueueNums ?? 1,
    retryMaxTimes: fields.retryMaxTimes ?? 16,
    brokerId: fields.brokerId ?? 0,
    whichBrokerWhenConsumeSlowly: fields.whichBrokerWhenConsumeSlowly ?? 1,
    notifyConsumerIdsChangedEnable: fields.notifyConsumerIdsChangedEnable ?? true,
    groupSysFlag: fields.groupSysFlag ?? 0,
    consumeTimeoutMinute: fields.consumeTimeoutMinute ?? 15,
    attributes: fields.attributes ?? {},
    groupRetryPolicy: fields.groupRetryPolicy ?? { type: 'CUSTOMIZED' },
  };
}

/** Reads a SubscriptionGroupConfig body; undefined when it has no usable group name. */
export function parseSubscriptionGroupConfig(value: unknown): SubscriptionGroupConfig | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const source = value as Record<string, unknown>;
  if (typeof source.groupName !== 'string' || source.groupName === '') return undefined;
  const fields: Partial<SubscriptionGroupConfig> = {};
  const target = fields as Record<string, unknown>;
  const template = createSubscriptionGroupConfig(source.groupName);
  for (const [key, fallback] of Object.entries(template)) {
    const given = source[key];
    if (given !== undefined && typeof given === typeof fallback) target[key] = given;
  }
  return createSubscriptionGroupConfig(source.groupName, fields);
}

/** A config with its keys in fastjson's sorted order. */
export function subscriptionGroupConfigJson(config: SubscriptionGroupConfig): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(config).sort()) sorted[key] = config[key as keyof SubscriptionGroupConfig];
  return sorted;
}

/** Groups RocketMQ's broker creates at start (store doc §15.3). */
const systemGroups = [
  MixAllGroups.TOOLS_CONSUMER_GROUP,
  MixAllGroups.FILTERSRV_CONSUMER_GROUP,
  MixAllGroups.SELF_TEST_CONSUMER_GROUP,
  'CID_ONS-HTTP-PROXY',
  'CID_ONSAPI_PULL',
  'CID_ONSAPI_PERMISSION',
  'CID_ONSAPI_OWNER',
  MixAllGroups.CID_SYS_RMQ_TRANS,
];

export class SubscriptionGroupManager {
  readonly dataVersion = new DataVersion();
  private readonly table = new Map<string, SubscriptionGroupConfig>();
  private readonly settings: BrokerSettings;
  private readonly persistQueue: PersistQueue;

  private constructor(settings: BrokerSettings, log: Logger) {
    this.settings = settings;
    this.persistQueue = new PersistQueue(
      join(settings.dataDir, 'config', 'subscriptionGroup.json'),
      () => this.encode(),
      (error) => log.error('persisting subscriptionGroup.json failed', { error }),
    );
  }

  static async load(settings: BrokerSettings, log: Logger): Promise<SubscriptionGroupManager> {
    const manager = new SubscriptionGroupManager(settings, log);
    for (const group of systemGroups) manager.table.set(group, createSubscriptionGroupConfig(group));
    const stored = (await readConfigFile(join(settings.dataDir, 'config', 'subscriptionGroup.json'))) as
      | { dataVersion?: unknown; subscriptionGroupTable?: Record<string, unknown> }
      | undefined;
    if (stored) {
      manager.dataVersion.assign(stored.dataVersion);
      for (const value of Object.values(stored.subscriptionGroupTable ?? {})) {
        const config = parseSubscriptionGroupConfig(value);
        if (config) manager.table.set(config.groupName, config);
      }
    }
    return manager;
  }

  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group);
  }

  /** The group's config, created with defaults when auto-creation is on; undefined otherwise. */
  findOrCreate(group: string): SubscriptionGroupConfig | undefined {
    const existing = this.table.get(group);
    if (existing || !this.settings.autoCreateSubscriptionGroup) return existing;
    return this.update(createSubscriptionGroupConfig(group));
  }

  update(config: SubscriptionGroupConfig): SubscriptionGroupConfig {
    this.table.set(config.groupName, config);
    this.changed();
    return config;
  }

  delete(group: string): boolean {
    if (!this.table.delete(group)) return false;
    this.changed();
    return true;
  }

  all(): IterableIterator<SubscriptionGroupConfig> {
    return this.table.values();
  }

  wrapperJson(): Record<string, unknown> {
    const subscriptionGroupTable: Record<string, unknown> = {};
    for (const config of this.table.values()) subscriptionGroupTable[config.groupName] = subscriptionGroupConfigJson(config);
    return { dataVersion: this.dataVersion.toJSON(), forbiddenTable: {}, subscriptionGroupTable };
  }

  encode(): string {
    return JSON.stringify(this.wrapperJson());
  }

  persist(): Promise<void> {
    return this.persistQueue.flush();
  }

  private changed(): void {
    this.dataVersion.next();
    void this.persistQueue.persist();
  }
}
