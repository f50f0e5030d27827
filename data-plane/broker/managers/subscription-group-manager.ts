/**
 * Subscription groups (RocketMQ's SubscriptionGroupManager): one config per
 * consumer group, auto-created on first heartbeat or pull when
 * `autoCreateSubscriptionGroup` is on. Persisted to
 * `config/subscriptionGroup.json` in RocketMQ's 5.x shape (4.9 readers ignore
 * the extra keys).
 */
import { join } from 'node:path';
import {
  defaultSubscriptionGroupConfig,
  readSubscriptionGroupConfig,
  type SubscriptionGroupConfig,
} from '../../../sdk/protocol/bodies/admin.ts';
import { encodeFastjson, type JsonObject } from '../../../sdk/protocol/fastjson.ts';
import { MixAllGroups } from '../../../sdk/protocol/topic-names.ts';
import type { Logger } from '../../../sdk/util/log.ts';
import type { BrokerSettings } from '../settings.ts';
import { DataVersion, PersistQueue, readConfigFile } from './config-file.ts';

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
    for (const group of systemGroups) manager.table.set(group, defaultSubscriptionGroupConfig(group));
    const stored = (await readConfigFile(join(settings.dataDir, 'config', 'subscriptionGroup.json'))) as
      | { dataVersion?: unknown; subscriptionGroupTable?: Record<string, unknown> }
      | undefined;
    if (stored) {
      manager.dataVersion.assign(stored.dataVersion);
      for (const value of Object.values(stored.subscriptionGroupTable ?? {})) {
        if (typeof value !== 'object' || value === null) continue;
        const config = readSubscriptionGroupConfig(value as JsonObject);
        if (config.groupName !== '') manager.table.set(config.groupName, config);
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
    return this.update(defaultSubscriptionGroupConfig(group));
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

  /** The wrapper as RocketMQ writes it (subscriptionGroup.json, GET_ALL_SUBSCRIPTIONGROUP_CONFIG). */
  encode(): string {
    const subscriptionGroupTable = new Map([...this.table].map(([name, config]) => [name, { ...config }] as const));
    return encodeFastjson({ dataVersion: this.dataVersion.toJSON(), forbiddenTable: {}, subscriptionGroupTable });
  }

  persist(): Promise<void> {
    return this.persistQueue.flush();
  }

  private changed(): void {
    this.dataVersion.next();
    void this.persistQueue.persist();
  }
}
