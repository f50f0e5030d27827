/**
 * The state the routing logic reads and writes, as a small async interface so
 * that one implementation keeps it in process memory (standalone) and another
 * in Redis (a fleet of stateless control-plane instances) without the logic
 * changing. The tables are RocketMQ's RouteInfoManager tables:
 *
 * - brokers: brokerName → BrokerData (cluster, brokerId → address)
 * - broker live table: (clusterName, brokerAddr) → last registration, timeout, DataVersion
 * - topic queue table: topic → brokerName → QueueData
 * - cluster table: clusterName → brokerNames
 * - filter servers: (clusterName, brokerAddr) → addresses (legacy, normally empty)
 * - KV config: namespace → key → value
 *
 * Every method is async and every record handed in or out is a copy the
 * caller owns: an implementation never shares its objects with callers.
 */

/** RocketMQ's DataVersion: a broker bumps it whenever its topic set changes. */
export interface DataVersion {
  timestamp: number;
  counter: number;
  /** 5.x only; 0 for 4.9 brokers. */
  stateVersion: number;
}

export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** brokerId → `ip:port`; 0 is the master. */
  brokerAddrs: Record<number, string>;
  enableActingMaster: boolean;
  zoneName?: string;
}

export interface BrokerLiveInfo {
  clusterName: string;
  brokerAddr: string;
  lastUpdateTimestamp: number;
  heartbeatTimeoutMillis: number;
  dataVersion: DataVersion;
  haServerAddr: string;
}

export interface RouteState {
  getBroker(brokerName: string): Promise<BrokerData | undefined>;
  putBroker(broker: BrokerData): Promise<void>;
  deleteBroker(brokerName: string): Promise<void>;
  listBrokers(): Promise<BrokerData[]>;

  getBrokerLive(clusterName: string, brokerAddr: string): Promise<BrokerLiveInfo | undefined>;
  putBrokerLive(info: BrokerLiveInfo): Promise<void>;
  /** Returns whether an entry was there. */
  deleteBrokerLive(clusterName: string, brokerAddr: string): Promise<boolean>;
  listBrokerLive(): Promise<BrokerLiveInfo[]>;

  addClusterMember(clusterName: string, brokerName: string): Promise<void>;
  /** Drops the cluster once its last member is gone. */
  removeClusterMember(clusterName: string, brokerName: string): Promise<void>;
  /** clusterName → brokerNames. */
  listClusters(): Promise<Record<string, string[]>>;

  /** brokerName → QueueData for one topic, or undefined when no broker serves it. */
  getTopicQueueDatas(topic: string): Promise<Record<string, QueueData> | undefined>;
  /** Upserts one broker's QueueData for many topics in one call (a registration carries them all). */
  putQueueDatas(brokerName: string, entries: ReadonlyArray<{ topic: string; queueData: QueueData }>): Promise<void>;
  /** Removes one broker's QueueData from the given topics (all topics when omitted); drops topics left empty. */
  deleteQueueDatasOfBroker(brokerName: string, topics?: readonly string[]): Promise<void>;
  /** The topics that have QueueData of this broker. */
  listTopicsOfBroker(brokerName: string): Promise<string[]>;
  listTopics(): Promise<string[]>;

  getFilterServers(clusterName: string, brokerAddr: string): Promise<string[] | undefined>;
  /** An empty list removes the entry. */
  putFilterServers(clusterName: string, brokerAddr: string, servers: readonly string[]): Promise<void>;

  putKVConfig(namespace: string, key: string, value: string): Promise<void>;
  getKVConfig(namespace: string, key: string): Promise<string | undefined>;
  deleteKVConfig(namespace: string, key: string): Promise<void>;
  /** The namespace's table, or undefined when the namespace was never written. */
  getKVTable(namespace: string): Promise<Record<string, string> | undefined>;

  /** Writes anything pending and releases resources. */
  close(): Promise<void>;
}
