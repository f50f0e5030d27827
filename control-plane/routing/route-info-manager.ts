/**
 * Routing: which brokers serve which topics, as RocketMQ's RouteInfoManager
 * keeps it, written as plain logic over a RouteState so that the same code
 * serves the standalone process (memory) and a fleet (Redis). It knows nothing
 * of sockets: the NameServer endpoint maps connections to brokers and tells it
 * when one closes.
 *
 * Changes run one at a time within a process (the tables are read, changed
 * and written back), reads run freely, as under the Java read-write lock.
 */
import { PermName } from '../../sdk/protocol/flags.ts';
import { createLogger, type Logger } from '../../sdk/util/log.ts';
import { defaultBrokerExpiryMs } from '../settings.ts';
import { KVConfigManager, NAMESPACE_ORDER_TOPIC_CONFIG } from './kv-config.ts';
import {
  MASTER_ID,
  lowestBrokerId,
  registerBroker,
  sameDataVersion,
  type RegisterBrokerInput,
  type RegisterBrokerResult,
} from './register-broker.ts';
import type { BrokerData, DataVersion, QueueData, RouteState } from './route-state.ts';

export interface TopicRouteData {
  /** `brokerName:queueNum;...` from the ORDER_TOPIC_CONFIG namespace, when set for the topic. */
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  /** brokerAddr → filter server addresses; empty unless a broker announced some. */
  filterServerTable: Record<string, string[]>;
}

export interface ClusterInfo {
  brokerAddrTable: Record<string, BrokerData>;
  clusterAddrTable: Record<string, string[]>;
}

export interface BrokerIdentity {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
}

export interface RouteInfoManagerOptions {
  /** Milliseconds since the epoch; tests pass their own clock to drive expiry. */
  clock?: () => number;
  /** Expiry of a broker that asked for none, RocketMQ's 120 s. */
  brokerExpiryMs?: number;
  log?: Logger;
}

export class RouteInfoManager {
  readonly state: RouteState;
  readonly kvConfig: KVConfigManager;
  private readonly clock: () => number;
  private readonly brokerExpiryMs: number;
  private readonly log: Logger;
  private exclusiveTail: Promise<unknown> = Promise.resolve();

  constructor(state: RouteState, options: RouteInfoManagerOptions = {}) {
    this.state = state;
    this.kvConfig = new KVConfigManager(state);
    this.clock = options.clock ?? Date.now;
    this.brokerExpiryMs = options.brokerExpiryMs ?? defaultBrokerExpiryMs;
    this.log = options.log ?? createLogger('routing');
  }

  registerBroker(input: RegisterBrokerInput): Promise<RegisterBrokerResult> {
    return this.exclusive(async () => {
      const result = await registerBroker(this.state, input, this.clock(), this.brokerExpiryMs);
      if (result.status !== 'REGISTERED') this.log.warn('registration ignored', { ...identityOf(input), status: result.status });
      return result;
    });
  }

  /** Forgets one broker address; its brokerName goes when no address is left, and with it its queue data. */
  unregisterBroker(identity: BrokerIdentity): Promise<void> {
    return this.exclusive(() => this.unregister(identity));
  }

  /**
   * The route of a topic, or undefined when no live broker serves it. For a
   * broker group whose master is gone and which allows an acting master, the
   * lowest-id slave is presented under id 0 so that clients keep reading.
   */
  async pickupTopicRouteData(topic: string): Promise<TopicRouteData | undefined> {
    const byBroker = await this.state.getTopicQueueDatas(topic);
    if (!byBroker) return undefined;
    const queueDatas = Object.values(byBroker);
    const brokerDatas: BrokerData[] = [];
    const filterServerTable: Record<string, string[]> = {};
    for (const brokerName of Object.keys(byBroker)) {
      const broker = await this.state.getBroker(brokerName);
      if (!broker) continue;
      brokerDatas.push(broker);
      for (const addr of Object.values(broker.brokerAddrs)) {
        const servers = await this.state.getFilterServers(broker.cluster, addr);
        if (servers) filterServerTable[addr] = servers;
      }
    }
    if (queueDatas.length === 0 || brokerDatas.length === 0) return undefined;
    for (const broker of brokerDatas) presentActingMaster(broker, queueDatas);
    const route: TopicRouteData = { queueDatas, brokerDatas, filterServerTable };
    const orderTopicConf = await this.state.getKVConfig(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
    if (orderTopicConf !== undefined) route.orderTopicConf = orderTopicConf;
    return route;
  }

  async getAllClusterInfo(): Promise<ClusterInfo> {
    const brokerAddrTable: Record<string, BrokerData> = {};
    for (const broker of await this.state.listBrokers()) brokerAddrTable[broker.brokerName] = broker;
    return { brokerAddrTable, clusterAddrTable: await this.state.listClusters() };
  }

  getAllTopicList(): Promise<string[]> {
    return this.state.listTopics();
  }

  /** Topics served by any broker of the cluster; an unknown cluster has none. */
  async getTopicsByCluster(clusterName: string): Promise<string[]> {
    const members = (await this.state.listClusters())[clusterName] ?? [];
    const topics = new Set<string>();
    for (const brokerName of members) for (const topic of await this.state.listTopicsOfBroker(brokerName)) topics.add(topic);
    return [...topics];
  }

  /** Topics whose TopicSysFlag has the given bit (unit topics, unit-sub topics). */
  async getTopicsWithSysFlag(flag: number): Promise<string[]> {
    const topics: string[] = [];
    for (const topic of await this.state.listTopics()) {
      const first = Object.values((await this.state.getTopicQueueDatas(topic)) ?? {})[0];
      if (first && (first.topicSysFlag & flag) !== 0) topics.push(topic);
    }
    return topics;
  }

  /** Removes the broker's write permission from all its topics; returns how many topics changed. */
  wipeWritePermOfBroker(brokerName: string): Promise<number> {
    return this.exclusive(() => this.updatePermOfBroker(brokerName, (perm) => perm & ~PermName.PERM_WRITE));
  }

  /** Sets the broker's topics back to read and write; returns how many topics changed. */
  addWritePermOfBroker(brokerName: string): Promise<number> {
    return this.exclusive(() => this.updatePermOfBroker(brokerName, () => PermName.PERM_READ | PermName.PERM_WRITE));
  }

  /** Removes a topic from every broker, or from the brokers of one cluster. */
  deleteTopic(topic: string, clusterName?: string): Promise<void> {
    return this.exclusive(async () => {
      const byBroker = await this.state.getTopicQueueDatas(topic);
      if (!byBroker) return;
      const members = clusterName ? new Set((await this.state.listClusters())[clusterName] ?? []) : undefined;
      for (const brokerName of Object.keys(byBroker)) {
        if (!members || members.has(brokerName)) await this.state.deleteQueueDatasOfBroker(brokerName, [topic]);
      }
    });
  }

  /**
   * QUERY_DATA_VERSION: whether the broker's topic set differs from what was
   * registered, plus what was registered. Counts as a sign of life.
   */
  queryDataVersion(clusterName: string, brokerAddr: string, dataVersion: DataVersion | undefined) {
    return this.exclusive(async () => {
      const live = await this.state.getBrokerLive(clusterName, brokerAddr);
      const changed = !live || !dataVersion || !sameDataVersion(live.dataVersion, dataVersion);
      if (live) await this.state.putBrokerLive({ ...live, lastUpdateTimestamp: this.clock() });
      return { changed, registered: live?.dataVersion };
    });
  }

  /**
   * Unregisters every broker whose last registration is older than its
   * timeout, and returns them so that the endpoint can close their channels.
   */
  scanNotActiveBroker(): Promise<Array<{ clusterName: string; brokerAddr: string }>> {
    return this.exclusive(async () => {
      const now = this.clock();
      const expired: Array<{ clusterName: string; brokerAddr: string }> = [];
      for (const live of await this.state.listBrokerLive()) {
        if (live.lastUpdateTimestamp + live.heartbeatTimeoutMillis >= now) continue;
        this.log.warn('broker expired', { clusterName: live.clusterName, brokerAddr: live.brokerAddr, timeoutMs: live.heartbeatTimeoutMillis });
        expired.push({ clusterName: live.clusterName, brokerAddr: live.brokerAddr });
        await this.forgetAddress(live.clusterName, live.brokerAddr);
      }
      return expired;
    });
  }

  /** The broker's channel closed: forget it now rather than at expiry. */
  onChannelDestroy(clusterName: string, brokerAddr: string): Promise<void> {
    return this.exclusive(() => this.forgetAddress(clusterName, brokerAddr));
  }

  private async forgetAddress(clusterName: string, brokerAddr: string): Promise<void> {
    const identity = await this.findIdentity(clusterName, brokerAddr);
    if (identity) await this.unregister(identity);
    else await this.state.deleteBrokerLive(clusterName, brokerAddr);
  }

  private async findIdentity(clusterName: string, brokerAddr: string): Promise<BrokerIdentity | undefined> {
    for (const broker of await this.state.listBrokers()) {
      if (broker.cluster !== clusterName) continue;
      for (const [id, addr] of Object.entries(broker.brokerAddrs)) {
        if (addr === brokerAddr) return { clusterName, brokerAddr, brokerName: broker.brokerName, brokerId: Number(id) };
      }
    }
    return undefined;
  }

  private async unregister(identity: BrokerIdentity): Promise<void> {
    const { clusterName, brokerAddr, brokerName } = identity;
    await this.state.deleteBrokerLive(clusterName, brokerAddr);
    await this.state.putFilterServers(clusterName, brokerAddr, []);
    const broker = await this.state.getBroker(brokerName);
    if (!broker) return;
    for (const [id, addr] of Object.entries(broker.brokerAddrs)) if (addr === brokerAddr) delete broker.brokerAddrs[Number(id)];
    if (Object.keys(broker.brokerAddrs).length === 0) {
      this.log.info('broker group gone', { clusterName, brokerName });
      await this.state.deleteBroker(brokerName);
      await this.state.removeClusterMember(clusterName, brokerName);
      await this.state.deleteQueueDatasOfBroker(brokerName);
      return;
    }
    await this.state.putBroker(broker);
    // Without a master, an acting-master group stays readable but stops taking writes.
    if (broker.enableActingMaster && (lowestBrokerId(broker) ?? 0) > MASTER_ID) {
      await this.updatePermOfBroker(brokerName, (perm) => perm & ~PermName.PERM_WRITE);
    }
  }

  private async updatePermOfBroker(brokerName: string, update: (perm: number) => number): Promise<number> {
    const entries: Array<{ topic: string; queueData: QueueData }> = [];
    for (const topic of await this.state.listTopicsOfBroker(brokerName)) {
      const queueData = (await this.state.getTopicQueueDatas(topic))?.[brokerName];
      if (!queueData) continue;
      queueData.perm = update(queueData.perm);
      entries.push({ topic, queueData });
    }
    await this.state.putQueueDatas(brokerName, entries);
    return entries.length;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.exclusiveTail.then(work);
    this.exclusiveTail = result.catch(() => undefined);
    return result;
  }
}

function identityOf(input: BrokerIdentity): BrokerIdentity {
  return { clusterName: input.clusterName, brokerAddr: input.brokerAddr, brokerName: input.brokerName, brokerId: input.brokerId };
}

function presentActingMaster(broker: BrokerData, queueDatas: readonly QueueData[]): void {
  if (!broker.enableActingMaster || broker.brokerAddrs[MASTER_ID] !== undefined) return;
  const lowest = lowestBrokerId(broker);
  if (lowest === undefined) return;
  const queueData = queueDatas.find((candidate) => candidate.brokerName === broker.brokerName);
  if (!queueData || (queueData.perm & PermName.PERM_WRITE) !== 0) return;
  broker.brokerAddrs[MASTER_ID] = broker.brokerAddrs[lowest]!;
  delete broker.brokerAddrs[lowest];
}
