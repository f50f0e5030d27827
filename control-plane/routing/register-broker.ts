/**
 * A broker registration (REGISTER_BROKER, every 30 s per broker): joins the
 * broker to its cluster, records its address under its brokerId, turns the
 * master's topic configs into QueueData and stamps its liveness. These are the
 * rules of RocketMQ's RouteInfoManager.registerBroker, restated:
 *
 * - one address has one brokerId: a slave promoted to master registers its
 *   address under 0 and the old id entry for that address goes away;
 * - when a different address already holds the brokerId and its live entry
 *   has a newer stateVersion, the registration is ignored (a stale broker
 *   must not take the id back);
 * - only the master (id 0) publishes queue data, or, for 5.x brokers, the
 *   lowest-id slave while no master is there (acting master, read-only);
 * - topic configs are (re)written on the first registration and whenever the
 *   broker's DataVersion changed; otherwise only topics missing this broker are
 *   added, so a write perm wiped by an admin stays wiped until the broker's
 *   topic set changes.
 */
import { PermName } from '../../sdk/protocol/flags.ts';
import type { BrokerData, DataVersion, QueueData, RouteState } from './route-state.ts';

/** A topic as the broker announces it in its RegisterBrokerBody. */
export interface TopicConfigEntry {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface RegisterBrokerInput {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  zoneName?: string;
  /** 5.x brokers may ask for their own expiry. */
  heartbeatTimeoutMillis?: number;
  /** Absent for 4.9 brokers, which know nothing of acting masters. */
  enableActingMaster?: boolean;
  dataVersion: DataVersion;
  topicConfigs: readonly TopicConfigEntry[];
  /** Absent leaves the broker's filter servers as they are; empty removes them. */
  filterServerList?: readonly string[];
}

export type RegisterBrokerStatus = 'REGISTERED' | 'IGNORED_STALE_STATE_VERSION';

export interface RegisterBrokerResult {
  status: RegisterBrokerStatus;
  /** For a slave: its master's HA address and remoting address, when the master is live. */
  haServerAddr?: string;
  masterAddr?: string;
}

export const MASTER_ID = 0;

export async function registerBroker(
  state: RouteState,
  input: RegisterBrokerInput,
  nowMs: number,
  defaultHeartbeatTimeoutMs: number,
): Promise<RegisterBrokerResult> {
  const { clusterName, brokerAddr, brokerName, brokerId } = input;
  await state.addClusterMember(clusterName, brokerName);

  const existing = await state.getBroker(brokerName);
  const broker: BrokerData = existing ?? { cluster: clusterName, brokerName, brokerAddrs: {}, enableActingMaster: false };
  broker.enableActingMaster = input.enableActingMaster === true;
  if (input.zoneName === undefined) delete broker.zoneName;
  else broker.zoneName = input.zoneName;

  removeOtherIdsOfAddress(broker, brokerAddr, brokerId);
  const previousAddr = broker.brokerAddrs[brokerId];
  if (previousAddr !== undefined && previousAddr !== brokerAddr) {
    const holder = await state.getBrokerLive(clusterName, previousAddr);
    if (holder && holder.dataVersion.stateVersion > input.dataVersion.stateVersion) {
      await state.deleteBrokerLive(clusterName, brokerAddr);
      return { status: 'IGNORED_STALE_STATE_VERSION' };
    }
  }

  const previousLive = await state.getBrokerLive(clusterName, brokerAddr);
  const registerFirst = existing === undefined || !previousAddr;
  broker.brokerAddrs[brokerId] = brokerAddr;
  await state.putBroker(broker);

  const isMaster = brokerId === MASTER_ID;
  const isPrimeSlave = input.enableActingMaster !== undefined && !isMaster && brokerId === lowestBrokerId(broker);
  if (isMaster || isPrimeSlave) {
    const versionChanged = !previousLive || !sameDataVersion(previousLive.dataVersion, input.dataVersion);
    await publishTopics(state, input, registerFirst || versionChanged, isPrimeSlave && broker.enableActingMaster);
  }

  await state.putBrokerLive({
    clusterName,
    brokerAddr,
    lastUpdateTimestamp: nowMs,
    heartbeatTimeoutMillis: input.heartbeatTimeoutMillis ?? defaultHeartbeatTimeoutMs,
    dataVersion: { ...input.dataVersion },
    haServerAddr: input.haServerAddr,
  });
  if (input.filterServerList) await state.putFilterServers(clusterName, brokerAddr, input.filterServerList);

  if (isMaster) return { status: 'REGISTERED' };
  return { status: 'REGISTERED', ...(await masterOf(state, broker)) };
}

export function sameDataVersion(a: DataVersion, b: DataVersion): boolean {
  return a.counter === b.counter && a.timestamp === b.timestamp && a.stateVersion === b.stateVersion;
}

export function lowestBrokerId(broker: BrokerData): number | undefined {
  let lowest: number | undefined;
  for (const key of Object.keys(broker.brokerAddrs)) {
    const id = Number(key);
    if (lowest === undefined || id < lowest) lowest = id;
  }
  return lowest;
}

function removeOtherIdsOfAddress(broker: BrokerData, brokerAddr: string, brokerId: number): void {
  for (const [key, addr] of Object.entries(broker.brokerAddrs)) {
    if (addr === brokerAddr && Number(key) !== brokerId) delete broker.brokerAddrs[Number(key)];
  }
}

async function publishTopics(
  state: RouteState,
  input: RegisterBrokerInput,
  rewriteAll: boolean,
  readOnly: boolean,
): Promise<void> {
  let configs = input.topicConfigs;
  if (!rewriteAll) {
    const known = new Set(await state.listTopicsOfBroker(input.brokerName));
    configs = configs.filter((config) => !known.has(config.topicName));
  }
  if (configs.length === 0) return;
  const entries = configs.map((config) => ({ topic: config.topicName, queueData: toQueueData(input.brokerName, config, readOnly) }));
  await state.putQueueDatas(input.brokerName, entries);
}

function toQueueData(brokerName: string, config: TopicConfigEntry, readOnly: boolean): QueueData {
  return {
    brokerName,
    readQueueNums: config.readQueueNums,
    writeQueueNums: config.writeQueueNums,
    // An acting master serves reads only: producers must not write to a slave.
    perm: readOnly ? config.perm & ~PermName.PERM_WRITE : config.perm,
    topicSysFlag: config.topicSysFlag,
  };
}

async function masterOf(state: RouteState, broker: BrokerData): Promise<{ haServerAddr?: string; masterAddr?: string }> {
  const masterAddr = broker.brokerAddrs[MASTER_ID];
  if (masterAddr === undefined) return {};
  const masterLive = await state.getBrokerLive(broker.cluster, masterAddr);
  return masterLive ? { haServerAddr: masterLive.haServerAddr, masterAddr } : {};
}
