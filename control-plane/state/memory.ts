/**
 * RouteState in process memory, for the standalone process and for tests.
 * With a snapshot path it also survives restarts: every change schedules one
 * write of the whole state as JSON (coalesced, so a registration that touches
 * hundreds of topics costs one write), written to a temporary file and renamed
 * so that a crash leaves either the old or the new snapshot, never half of one.
 * Restored brokers keep their last registration time, so a broker that does
 * not come back expires as it would have without the restart.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BrokerData, BrokerLiveInfo, QueueData, RouteState } from '../routing/route-state.ts';
import { createLogger, type Logger } from '../../sdk/util/log.ts';

export interface MemoryRouteStateOptions {
  /** Where to keep the JSON snapshot; none keeps the state in memory only. */
  snapshotPath?: string;
  /** How long changes may gather before one snapshot write. */
  snapshotDelayMs?: number;
  log?: Logger;
}

/** Version of the snapshot layout, so a future layout can tell an old file apart. */
const SNAPSHOT_FORMAT = 1;

interface Snapshot {
  format: number;
  brokers: BrokerData[];
  brokerLive: BrokerLiveInfo[];
  clusters: Record<string, string[]>;
  topics: Record<string, Record<string, QueueData>>;
  filterServers: Record<string, string[]>;
  kvConfig: Record<string, Record<string, string>>;
}

const copy = <T>(value: T): T => structuredClone(value);
const liveKey = (clusterName: string, brokerAddr: string) => `${clusterName}\u0000${brokerAddr}`;

export class MemoryRouteState implements RouteState {
  private readonly brokers = new Map<string, BrokerData>();
  private readonly brokerLive = new Map<string, BrokerLiveInfo>();
  private readonly clusters = new Map<string, Set<string>>();
  private readonly topics = new Map<string, Map<string, QueueData>>();
  private readonly filterServers = new Map<string, string[]>();
  private readonly kvConfig = new Map<string, Map<string, string>>();
  private readonly options: MemoryRouteStateOptions;
  private readonly log: Logger;
  private snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  private snapshotWriting: Promise<void> = Promise.resolve();

  constructor(options: MemoryRouteStateOptions = {}) {
    this.options = options;
    this.log = options.log ?? createLogger('route-state');
  }

  /**
   * Opens a state, loading the snapshot when there is one. A missing file is
   * a fresh start; an unreadable or damaged one is logged and treated as a fresh
   * start too, since brokers re-register within 30 s and rebuild the routes.
   */
  static async open(options: MemoryRouteStateOptions = {}): Promise<MemoryRouteState> {
    const state = new MemoryRouteState(options);
    if (options.snapshotPath) await state.load(options.snapshotPath);
    return state;
  }

  async getBroker(brokerName: string) {
    const broker = this.brokers.get(brokerName);
    return broker && copy(broker);
  }

  async putBroker(broker: BrokerData) {
    this.brokers.set(broker.brokerName, copy(broker));
    this.changed();
  }

  async deleteBroker(brokerName: string) {
    if (this.brokers.delete(brokerName)) this.changed();
  }

  async listBrokers() {
    return [...this.brokers.values()].map(copy);
  }

  async getBrokerLive(clusterName: string, brokerAddr: string) {
    const info = this.brokerLive.get(liveKey(clusterName, brokerAddr));
    return info && copy(info);
  }

  async putBrokerLive(info: BrokerLiveInfo) {
    this.brokerLive.set(liveKey(info.clusterName, info.brokerAddr), copy(info));
    this.changed();
  }

  async deleteBrokerLive(clusterName: string, brokerAddr: string) {
    const deleted = this.brokerLive.delete(liveKey(clusterName, brokerAddr));
    if (deleted) this.changed();
    return deleted;
  }

  async listBrokerLive() {
    return [...this.brokerLive.values()].map(copy);
  }

  async addClusterMember(clusterName: string, brokerName: string) {
    let members = this.clusters.get(clusterName);
    if (!members) this.clusters.set(clusterName, (members = new Set()));
    if (members.has(brokerName)) return;
    members.add(brokerName);
    this.changed();
  }

  async removeClusterMember(clusterName: string, brokerName: string) {
    const members = this.clusters.get(clusterName);
    if (!members?.delete(brokerName)) return;
    if (members.size === 0) this.clusters.delete(clusterName);
    this.changed();
  }

  async listClusters() {
    const clusters: Record<string, string[]> = {};
    for (const [name, members] of this.clusters) clusters[name] = [...members];
    return clusters;
  }

  async getTopicQueueDatas(topic: string) {
    const byBroker = this.topics.get(topic);
    return byBroker && copy(Object.fromEntries(byBroker));
  }

  async putQueueDatas(brokerName: string, entries: ReadonlyArray<{ topic: string; queueData: QueueData }>) {
    for (const { topic, queueData } of entries) {
      let byBroker = this.topics.get(topic);
      if (!byBroker) this.topics.set(topic, (byBroker = new Map()));
      byBroker.set(brokerName, copy(queueData));
    }
    if (entries.length > 0) this.changed();
  }

  async deleteQueueDatasOfBroker(brokerName: string, topics?: readonly string[]) {
    let removed = false;
    for (const topic of topics ?? [...this.topics.keys()]) {
      const byBroker = this.topics.get(topic);
      if (!byBroker?.delete(brokerName)) continue;
      removed = true;
      if (byBroker.size === 0) this.topics.delete(topic);
    }
    if (removed) this.changed();
  }

  async listTopicsOfBroker(brokerName: string) {
    const topics: string[] = [];
    for (const [topic, byBroker] of this.topics) if (byBroker.has(brokerName)) topics.push(topic);
    return topics;
  }

  async listTopics() {
    return [...this.topics.keys()];
  }

  async getFilterServers(clusterName: string, brokerAddr: string) {
    const servers = this.filterServers.get(liveKey(clusterName, brokerAddr));
    return servers && [...servers];
  }

  async putFilterServers(clusterName: string, brokerAddr: string, servers: readonly string[]) {
    const key = liveKey(clusterName, brokerAddr);
    if (servers.length === 0) {
      if (this.filterServers.delete(key)) this.changed();
    } else {
      this.filterServers.set(key, [...servers]);
      this.changed();
    }
  }

  async putKVConfig(namespace: string, key: string, value: string) {
    let table = this.kvConfig.get(namespace);
    if (!table) this.kvConfig.set(namespace, (table = new Map()));
    table.set(key, value);
    this.changed();
  }

  async getKVConfig(namespace: string, key: string) {
    return this.kvConfig.get(namespace)?.get(key);
  }

  async deleteKVConfig(namespace: string, key: string) {
    // RocketMQ keeps the namespace, empty, after its last key goes.
    if (this.kvConfig.get(namespace)?.delete(key)) this.changed();
  }

  async getKVTable(namespace: string) {
    const table = this.kvConfig.get(namespace);
    return table && Object.fromEntries(table);
  }

  async close() {
    await this.flush();
  }

  /** Waits for any scheduled snapshot to reach the disk. */
  async flush(): Promise<void> {
    if (this.snapshotTimer) {
      clearTimeout(this.snapshotTimer);
      this.snapshotTimer = undefined;
      this.writeSnapshot();
    }
    await this.snapshotWriting;
  }

  private changed(): void {
    if (!this.options.snapshotPath || this.snapshotTimer) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      this.writeSnapshot();
    }, this.options.snapshotDelayMs ?? 100);
    this.snapshotTimer.unref?.();
  }

  private writeSnapshot(): void {
    const path = this.options.snapshotPath!;
    const text = JSON.stringify(this.toSnapshot());
    // Writes are chained so two snapshots never race on the temporary file.
    this.snapshotWriting = this.snapshotWriting.then(async () => {
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(`${path}.tmp`, text);
        await rename(`${path}.tmp`, path);
      } catch (error) {
        this.log.error('route snapshot write failed', { path, error });
      }
    });
  }

  private toSnapshot(): Snapshot {
    const topics: Snapshot['topics'] = {};
    for (const [topic, byBroker] of this.topics) topics[topic] = Object.fromEntries(byBroker);
    const kvConfig: Snapshot['kvConfig'] = {};
    for (const [namespace, table] of this.kvConfig) kvConfig[namespace] = Object.fromEntries(table);
    const clusters: Snapshot['clusters'] = {};
    for (const [name, members] of this.clusters) clusters[name] = [...members];
    return {
      format: SNAPSHOT_FORMAT,
      brokers: [...this.brokers.values()],
      brokerLive: [...this.brokerLive.values()],
      clusters,
      topics,
      filterServers: Object.fromEntries(this.filterServers),
      kvConfig,
    };
  }

  private async load(path: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.error('route snapshot unreadable', { path, error });
      return;
    }
    try {
      const snapshot = JSON.parse(text) as Snapshot;
      if (snapshot.format !== SNAPSHOT_FORMAT) throw new Error(`unknown snapshot format ${String(snapshot.format)}`);
      for (const broker of snapshot.brokers) this.brokers.set(broker.brokerName, broker);
      for (const info of snapshot.brokerLive) this.brokerLive.set(liveKey(info.clusterName, info.brokerAddr), info);
      for (const [name, members] of Object.entries(snapshot.clusters)) this.clusters.set(name, new Set(members));
      for (const [topic, byBroker] of Object.entries(snapshot.topics)) this.topics.set(topic, new Map(Object.entries(byBroker)));
      for (const [key, servers] of Object.entries(snapshot.filterServers)) this.filterServers.set(key, servers);
      for (const [namespace, table] of Object.entries(snapshot.kvConfig)) this.kvConfig.set(namespace, new Map(Object.entries(table)));
    } catch (error) {
      this.log.error('route snapshot damaged; starting empty', { path, error });
      this.brokers.clear();
      this.brokerLive.clear();
      this.clusters.clear();
      this.topics.clear();
      this.filterServers.clear();
      this.kvConfig.clear();
    }
  }
}
