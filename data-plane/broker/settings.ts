/**
 * Broker settings: every knob with its unit, default and reason, and
 * `resolveBrokerSettings`, which layers them as users expect: command-line
 * flags win over APOGEE_* environment variables, which win over the JSON
 * config file, which wins over the defaults below. Peer-visible limits default
 * to the values in sdk/protocol/limits.ts.
 */
import { readFile } from 'node:fs/promises';
import { hostname, homedir, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import {
  batchMessagesMax,
  connectionIdleTimeoutMs,
  frameSizeMaxBytes,
  messageSizeMaxBytes,
  propertiesSizeMaxBytes,
  topicLengthMax,
  topicQueuesMax,
} from '../../sdk/protocol/limits.ts';
import type { FlushDiskType, WriterThreadMode } from '../store/message-store.ts';
import {
  deleteWhenHourDefault,
  diskCleanForciblyRatioDefault,
  diskCleanRatioDefault,
  diskRefuseRatioDefault,
  fileReservedTimeHoursDefault,
  flushIntervalMsDefault,
  syncFlushTimeoutMsDefault,
} from '../store/settings.ts';
import { defaultAdvancedSettings, type AdvancedSettings } from './advanced-settings.ts';
import { parseDelayLevels } from './schedule/delay-levels.ts';

export type BrokerRole = 'ASYNC_MASTER' | 'SYNC_MASTER' | 'SLAVE';

/** The broker's own settings and those of the advanced message types (advanced-settings.ts). */
export interface BrokerSettings extends AdvancedSettings {
  /** RocketMQ `brokerClusterName`. */
  clusterName: string;
  /** Brokers with the same name form one master/slave set. Default: the host name, as RocketMQ. */
  brokerName: string;
  /** 0 is the master, 1 and up are slaves. */
  brokerId: number;
  /** Address clients dial; goes into records, offset message ids and the name server registration. */
  brokerIP: string;
  /** 0 picks a free port (tests). */
  listenPort: number;
  /** Also serve on the VIP port (`listenPort - 2`), for clients of RocketMQ ≤ 4.3 that still use it. */
  vipChannelEnabled: boolean;
  /** HA port announced in registrations (`haServerAddr`). Default: listenPort + 1. */
  haListenPort: number;
  /** Root of the store (`commitlog/`, `consumequeue/`, `index/`) and of `config/`. */
  dataDir: string;
  flushDiskType: FlushDiskType;
  brokerRole: BrokerRole;
  /** Name servers (`host:port`) to register with; empty = standalone, no registration. */
  namesrvAddr: string[];
  /** PermName bits of the whole broker: 6 = read and write. */
  brokerPermission: number;
  /** Create unknown topics on first send from the `TBW102` template. */
  autoCreateTopicEnable: boolean;
  /** Create unknown consumer groups on first heartbeat or pull. */
  autoCreateSubscriptionGroup: boolean;
  /** Queues of the `TBW102` template, hence the most an auto-created topic gets. */
  defaultTopicQueueNums: number;
  /** Echoed to producers in every send response (`MSG_REGION`). */
  regionId: string;
  /** Echoed to producers in every send response (`TRACE_ON`). */
  traceOn: boolean;

  /** Largest message body accepted, bytes (RocketMQ `maxMessageSize`). */
  messageSizeMaxBytes: number;
  /** Largest encoded properties string, UTF-8 bytes (stored as a signed short). */
  propertiesSizeMaxBytes: number;
  /** Longest topic name, characters. */
  topicLengthMax: number;
  /** Most messages in one SEND_BATCH_MESSAGE. */
  batchMessagesMax: number;
  /** Most queues an admin may give a topic. */
  topicQueuesMax: number;
  /**
   * Most messages one pull returns (RocketMQ `maxTransferCountOnMessageInMemory`,
   * 32 there). Ours is higher so a consumer that raises its pullBatchSize gets
   * what it asked for; `pullBytesMax` still bounds every answer, and clients
   * ask for 32 unless told otherwise.
   */
  pullMessagesMax: number;
  /** Most record bytes one pull returns (RocketMQ `maxTransferBytesOnMessageInMemory`). */
  pullBytesMax: number;
  /** Most results of a QUERY_MESSAGE by unique key (RocketMQ `defaultQueryMaxNum`). */
  queryMessagesMax: number;

  /** Hold pulls that find nothing (RocketMQ `longPollingEnable`); off = hold `shortPollingTimeMs` only. */
  longPollingEnable: boolean;
  /** Hold time of a pull when long polling is off, ms. */
  shortPollingTimeMs: number;
  /** Period of the held-pull recheck that catches arrivals and expiries the listener missed, ms. */
  longPollingRecheckIntervalMs: number;
  /** Held pulls at once; past it a pull that finds nothing is answered SYSTEM_BUSY (client backs off 3 s). */
  heldPullsMax: number;

  /** A client channel without a heartbeat for this long is dropped (RocketMQ `channelExpiredTimeout`), ms. */
  channelExpiredTimeoutMs: number;
  /** How often client channels are scanned for expiry, ms. */
  clientScanIntervalMs: number;
  /** Idle time after which a connection is closed, ms. */
  serverIdleTimeoutMs: number;
  /** Re-registration period with the name servers (RocketMQ `registerNameServerPeriod`), ms. */
  registerNameServerPeriodMs: number;
  /** Timeout of one REGISTER_BROKER / UNREGISTER_BROKER call, ms. */
  registerBrokerTimeoutMs: number;
  /** Consumer offsets are written to disk this often when they changed (RocketMQ `flushConsumerOffsetInterval`), ms. */
  flushConsumerOffsetIntervalMs: number;
  /** Timeout of broker → client calls (notify, reset offset), ms. */
  clientCallTimeoutMs: number;

  /** CommitLog segment size, bytes; undefined = the store's default. Tests use small segments. */
  commitLogSegmentBytes?: number;
  /** Build the IndexFile (query by key and unique id). */
  messageIndexEnable: boolean;
  /** Who copies appended CommitLog bytes into the OS: `auto` (short writes on the event loop, long ones on the writer thread), `always` the writer thread, `never` the event loop. */
  commitLogWriterThread: WriterThreadMode;

  /** ASYNC_FLUSH: how often the CommitLog is fdatasync'ed (RocketMQ `flushIntervalCommitLog`), ms. */
  flushIntervalMs: number;
  /** SYNC_FLUSH: a put not on disk after this long is answered FLUSH_DISK_TIMEOUT (RocketMQ `syncFlushTimeout`), ms. */
  syncFlushTimeoutMs: number;
  /** CommitLog segments older than this are deleted (RocketMQ `fileReservedTime`), hours. */
  fileReservedTimeHours: number;
  /** Hour of the day (0-23, local time) at which expired segments are deleted (RocketMQ `deleteWhen`). */
  deleteWhenHour: number;
  /** Disk usage ratio (0..1) past which expired segments are deleted at any hour. */
  diskCleanRatio: number;
  /** Disk usage ratio past which the oldest segments are deleted even before they expire. */
  diskCleanForciblyRatio: number;
  /** Disk usage ratio past which puts are refused (SERVICE_NOT_AVAILABLE) instead of filling the disk. */
  diskRefuseRatio: number;
}

/** Room a send frame needs besides the body: length prefix, header word and the send header. */
const frameOverheadBytes = 64 * 1024;

export function defaultBrokerSettings(): BrokerSettings {
  return {
    clusterName: 'DefaultCluster',
    brokerName: hostname(),
    brokerId: 0,
    brokerIP: firstLanAddress(),
    listenPort: 10911,
    vipChannelEnabled: false,
    haListenPort: 10912,
    dataDir: join(homedir(), '.apogee', 'broker'),
    flushDiskType: 'ASYNC_FLUSH',
    brokerRole: 'ASYNC_MASTER',
    namesrvAddr: [],
    brokerPermission: 6,
    autoCreateTopicEnable: true,
    autoCreateSubscriptionGroup: true,
    defaultTopicQueueNums: 4,
    regionId: 'DefaultRegion',
    traceOn: true,
    messageSizeMaxBytes,
    propertiesSizeMaxBytes,
    topicLengthMax,
    batchMessagesMax,
    topicQueuesMax,
    pullMessagesMax: 1024,
    pullBytesMax: 256 * 1024,
    queryMessagesMax: 32,
    longPollingEnable: true,
    shortPollingTimeMs: 1000,
    longPollingRecheckIntervalMs: 1000,
    heldPullsMax: 100_000,
    channelExpiredTimeoutMs: 120_000,
    clientScanIntervalMs: 10_000,
    serverIdleTimeoutMs: connectionIdleTimeoutMs,
    registerNameServerPeriodMs: 30_000,
    registerBrokerTimeoutMs: 6000,
    flushConsumerOffsetIntervalMs: 5000,
    clientCallTimeoutMs: 5000,
    messageIndexEnable: true,
    commitLogWriterThread: 'auto',
    flushIntervalMs: flushIntervalMsDefault,
    syncFlushTimeoutMs: syncFlushTimeoutMsDefault,
    fileReservedTimeHours: fileReservedTimeHoursDefault,
    deleteWhenHour: deleteWhenHourDefault,
    diskCleanRatio: diskCleanRatioDefault,
    diskCleanForciblyRatio: diskCleanForciblyRatioDefault,
    diskRefuseRatio: diskRefuseRatioDefault,
    ...defaultAdvancedSettings(),
  };
}

/** A setting that could not be read: names the setting, where it came from and why. */
export class BrokerSettingsError extends Error {
  readonly setting: string;
  readonly source: string;

  constructor(setting: string, source: string, reason: string) {
    super(`invalid broker setting ${setting} (from ${source}): ${reason}`);
    this.name = 'BrokerSettingsError';
    this.setting = setting;
    this.source = source;
  }
}

type Kind = 'string' | 'int' | 'ratio' | 'boolean' | 'list' | 'flushDiskType' | 'brokerRole' | 'writerThread';

/** Each setting that flags, variables and files may set, and how to read it. */
const settingKinds: { readonly [K in keyof BrokerSettings]-?: Kind } = {
  clusterName: 'string',
  brokerName: 'string',
  brokerId: 'int',
  brokerIP: 'string',
  listenPort: 'int',
  vipChannelEnabled: 'boolean',
  haListenPort: 'int',
  dataDir: 'string',
  flushDiskType: 'flushDiskType',
  brokerRole: 'brokerRole',
  namesrvAddr: 'list',
  brokerPermission: 'int',
  autoCreateTopicEnable: 'boolean',
  autoCreateSubscriptionGroup: 'boolean',
  defaultTopicQueueNums: 'int',
  regionId: 'string',
  traceOn: 'boolean',
  messageSizeMaxBytes: 'int',
  propertiesSizeMaxBytes: 'int',
  topicLengthMax: 'int',
  batchMessagesMax: 'int',
  topicQueuesMax: 'int',
  pullMessagesMax: 'int',
  pullBytesMax: 'int',
  queryMessagesMax: 'int',
  longPollingEnable: 'boolean',
  shortPollingTimeMs: 'int',
  longPollingRecheckIntervalMs: 'int',
  heldPullsMax: 'int',
  channelExpiredTimeoutMs: 'int',
  clientScanIntervalMs: 'int',
  serverIdleTimeoutMs: 'int',
  registerNameServerPeriodMs: 'int',
  registerBrokerTimeoutMs: 'int',
  flushConsumerOffsetIntervalMs: 'int',
  clientCallTimeoutMs: 'int',
  commitLogSegmentBytes: 'int',
  messageIndexEnable: 'boolean',
  commitLogWriterThread: 'writerThread',
  flushIntervalMs: 'int',
  syncFlushTimeoutMs: 'int',
  fileReservedTimeHours: 'int',
  deleteWhenHour: 'int',
  diskCleanRatio: 'ratio',
  diskCleanForciblyRatio: 'ratio',
  diskRefuseRatio: 'ratio',
  messageDelayLevel: 'string',
  timerMaxDelayMs: 'int',
  scheduleTickIntervalMs: 'int',
  timerTickIntervalMs: 'int',
  transactionCheckIntervalMs: 'int',
  transactionTimeoutMs: 'int',
  transactionCheckMax: 'int',
  lockMaxLiveTimeMs: 'int',
  popReviveIntervalMs: 'int',
  popPollingMax: 'int',
  dlqPerm: 'int',
};

/** The contract names of DESIGN.md plus the broker's own flags: flag → setting. */
const flagNames: Readonly<Record<string, keyof BrokerSettings>> = {
  'data-dir': 'dataDir',
  'broker-port': 'listenPort',
  namesrv: 'namesrvAddr',
  'flush-disk-type': 'flushDiskType',
  'broker-role': 'brokerRole',
  'cluster-name': 'clusterName',
  'broker-name': 'brokerName',
  'broker-id': 'brokerId',
  'broker-ip': 'brokerIP',
};

/** Environment variable → setting. */
const envNames: Readonly<Record<string, keyof BrokerSettings>> = {
  APOGEE_DATA_DIR: 'dataDir',
  APOGEE_BROKER_PORT: 'listenPort',
  APOGEE_NAMESRV: 'namesrvAddr',
  APOGEE_FLUSH_DISK_TYPE: 'flushDiskType',
  APOGEE_BROKER_ROLE: 'brokerRole',
  APOGEE_CLUSTER_NAME: 'clusterName',
  APOGEE_BROKER_NAME: 'brokerName',
  APOGEE_BROKER_ID: 'brokerId',
  APOGEE_BROKER_IP: 'brokerIP',
};

/** RocketMQ's broker.conf names accepted in the config file beside ours. */
const rocketmqAliases: Readonly<Record<string, keyof BrokerSettings>> = {
  brokerClusterName: 'clusterName',
  storePathRootDir: 'dataDir',
  maxMessageSize: 'messageSizeMaxBytes',
  channelExpiredTimeout: 'channelExpiredTimeoutMs',
  registerNameServerPeriod: 'registerNameServerPeriodMs',
  flushConsumerOffsetInterval: 'flushConsumerOffsetIntervalMs',
  shortPollingTimeMills: 'shortPollingTimeMs',
  defaultQueryMaxNum: 'queryMessagesMax',
  transactionCheckInterval: 'transactionCheckIntervalMs',
  transactionTimeOut: 'transactionTimeoutMs',
  maxPopPollingSize: 'popPollingMax',
  flushIntervalCommitLog: 'flushIntervalMs',
  syncFlushTimeout: 'syncFlushTimeoutMs',
  fileReservedTime: 'fileReservedTimeHours',
};

export interface ResolveBrokerSettingsInput {
  /** Parsed command-line flags by name without dashes: `{ 'data-dir': '/x', 'broker-port': '0', config: 'b.json' }`. */
  flags?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Environment; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Path of a JSON config file; `--config` wins over it. */
  configFile?: string;
}

/**
 * Layers the settings: flags > APOGEE_* variables > config file > defaults,
 * then checks them together. Throws BrokerSettingsError naming the setting.
 *
 * @example
 * const settings = await resolveBrokerSettings({ flags: { 'broker-port': '0', 'data-dir': dir } });
 * const broker = await Broker.start(settings);
 */
export async function resolveBrokerSettings(input: ResolveBrokerSettingsInput = {}): Promise<BrokerSettings> {
  const settings = defaultBrokerSettings();
  const flags = input.flags ?? {};
  const env = input.env ?? process.env;
  const configPath = flags.config !== undefined ? String(flags.config) : input.configFile;
  let haPortSet = false;
  if (configPath !== undefined) haPortSet = applyConfigFile(settings, configPath, await readConfigText(configPath));
  for (const [name, setting] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') assign(settings, setting, value, `environment variable ${name}`);
  }
  for (const [name, value] of Object.entries(flags)) {
    if (name === 'config' || value === undefined) continue;
    const setting = flagNames[name];
    if (setting !== undefined) assign(settings, setting, value, `flag --${name}`);
  }
  if (!haPortSet) settings.haListenPort = settings.listenPort === 0 ? 0 : settings.listenPort + 1;
  validateBrokerSettings(settings);
  return settings;
}

/** Checks how the settings relate; throws BrokerSettingsError on the first fault. */
export function validateBrokerSettings(settings: BrokerSettings): void {
  const fail = (setting: string, reason: string) => {
    throw new BrokerSettingsError(setting, 'resolved settings', reason);
  };
  if (settings.clusterName === '') fail('clusterName', 'must not be empty');
  if (settings.brokerName === '') fail('brokerName', 'must not be empty');
  if (settings.dataDir === '') fail('dataDir', 'must not be empty');
  if (settings.brokerId < 0) fail('brokerId', 'must be 0 (master) or above (slave)');
  if (settings.listenPort < 0 || settings.listenPort > 65535) fail('listenPort', 'must be 0..65535');
  if (settings.vipChannelEnabled && settings.listenPort !== 0 && settings.listenPort < 3) fail('listenPort', 'the VIP port listenPort - 2 must be a valid port');
  if (settings.brokerPermission < 0 || settings.brokerPermission > 7) fail('brokerPermission', 'must be PermName bits 0..7');
  if (settings.defaultTopicQueueNums < 1 || settings.defaultTopicQueueNums > settings.topicQueuesMax) {
    fail('defaultTopicQueueNums', `must be 1..topicQueuesMax (${settings.topicQueuesMax})`);
  }
  if (settings.messageSizeMaxBytes < 1 || settings.messageSizeMaxBytes > frameSizeMaxBytes - frameOverheadBytes) {
    fail('messageSizeMaxBytes', `must be 1..${frameSizeMaxBytes - frameOverheadBytes}: a larger body and its header do not fit in a ${frameSizeMaxBytes}-byte frame`);
  }
  if (settings.propertiesSizeMaxBytes < 1 || settings.propertiesSizeMaxBytes > propertiesSizeMaxBytes) {
    fail('propertiesSizeMaxBytes', `must be 1..${propertiesSizeMaxBytes}: the record stores the length as a signed short`);
  }
  if (settings.topicLengthMax < 1 || settings.topicLengthMax > 127) fail('topicLengthMax', 'must be 1..127: a v1 record stores the topic length in one byte');
  if (settings.batchMessagesMax < 1) fail('batchMessagesMax', 'must be at least 1');
  if (settings.pullMessagesMax < 1) fail('pullMessagesMax', 'must be at least 1');
  if (settings.pullBytesMax < 1) fail('pullBytesMax', 'must be at least 1');
  if (settings.heldPullsMax < 0) fail('heldPullsMax', 'must not be negative');
  for (const name of ['shortPollingTimeMs', 'longPollingRecheckIntervalMs', 'channelExpiredTimeoutMs', 'clientScanIntervalMs',
    'registerNameServerPeriodMs', 'registerBrokerTimeoutMs', 'flushConsumerOffsetIntervalMs', 'clientCallTimeoutMs',
    'timerMaxDelayMs', 'scheduleTickIntervalMs', 'timerTickIntervalMs', 'transactionCheckIntervalMs', 'transactionTimeoutMs',
    'lockMaxLiveTimeMs', 'popReviveIntervalMs', 'flushIntervalMs', 'syncFlushTimeoutMs'] as const) {
    if (settings[name] < 1) fail(name, 'must be at least 1 ms');
  }
  if (settings.fileReservedTimeHours < 1) fail('fileReservedTimeHours', 'must be at least 1 hour');
  if (settings.deleteWhenHour < 0 || settings.deleteWhenHour > 23) fail('deleteWhenHour', 'must be an hour of the day, 0..23');
  if (!(settings.diskCleanRatio <= settings.diskCleanForciblyRatio && settings.diskCleanForciblyRatio <= settings.diskRefuseRatio)) {
    fail('diskCleanRatio', 'the disk ratios must rise: diskCleanRatio ≤ diskCleanForciblyRatio ≤ diskRefuseRatio');
  }
  if (settings.transactionCheckMax < 1) fail('transactionCheckMax', 'must be at least 1');
  if (settings.popPollingMax < 0) fail('popPollingMax', 'must not be negative');
  if (settings.dlqPerm < 0 || settings.dlqPerm > 7) fail('dlqPerm', 'must be PermName bits 0..7');
  const levels = parseDelayLevels(settings.messageDelayLevel);
  if (!levels.ok) fail('messageDelayLevel', levels.reason);
  for (const address of settings.namesrvAddr) {
    if (!/^[^:\s]+:\d{1,5}$/.test(address) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(address)) {
      fail('namesrvAddr', `${JSON.stringify(address)} is not host:port`);
    }
  }
}

async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new BrokerSettingsError('config', path, `cannot read the config file: ${(error as Error).message}`);
  }
}

/** Applies a JSON config file; returns whether it set haListenPort. */
function applyConfigFile(settings: BrokerSettings, path: string, text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BrokerSettingsError('config', path, `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BrokerSettingsError('config', path, 'the file must hold one JSON object');
  }
  let haPortSet = false;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const setting = key in settingKinds ? (key as keyof BrokerSettings) : rocketmqAliases[key];
    if (setting === undefined) throw new BrokerSettingsError(key, path, 'unknown setting');
    if (setting === 'haListenPort') haPortSet = true;
    assign(settings, setting, value, `config file ${path}`);
  }
  return haPortSet;
}

function assign(settings: BrokerSettings, setting: keyof BrokerSettings, raw: unknown, source: string): void {
  const target = settings as unknown as Record<string, unknown>;
  const fail = (reason: string) => {
    throw new BrokerSettingsError(setting, source, reason);
  };
  switch (settingKinds[setting]) {
    case 'string':
      if (typeof raw !== 'string' || raw.trim() === '') fail('expected a non-empty string');
      target[setting] = (raw as string).trim();
      return;
    case 'int': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isSafeInteger(value)) fail(`expected an integer, got ${JSON.stringify(raw)}`);
      target[setting] = value;
      return;
    }
    case 'ratio': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
      if (!(value > 0 && value <= 1)) fail(`expected a ratio in (0, 1], got ${JSON.stringify(raw)}`);
      target[setting] = value;
      return;
    }
    case 'boolean':
      if (typeof raw === 'boolean') target[setting] = raw;
      else if (raw === 'true' || raw === 'false') target[setting] = raw === 'true';
      else fail(`expected true or false, got ${JSON.stringify(raw)}`);
      return;
    case 'list': {
      const items = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[;,]/) : fail('expected host:port list');
      target[setting] = (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
      return;
    }
    case 'flushDiskType':
      if (raw !== 'ASYNC_FLUSH' && raw !== 'SYNC_FLUSH') fail(`expected ASYNC_FLUSH or SYNC_FLUSH, got ${JSON.stringify(raw)}`);
      target[setting] = raw;
      return;
    case 'writerThread':
      if (raw !== 'auto' && raw !== 'always' && raw !== 'never') fail(`expected auto, always or never, got ${JSON.stringify(raw)}`);
      target[setting] = raw;
      return;
    case 'brokerRole':
      if (raw !== 'ASYNC_MASTER' && raw !== 'SYNC_MASTER' && raw !== 'SLAVE') fail(`expected ASYNC_MASTER, SYNC_MASTER or SLAVE, got ${JSON.stringify(raw)}`);
      target[setting] = raw;
      return;
  }
}

/** The first non-internal IPv4 address, as RocketMQ picks its default `brokerIP1`. */
function firstLanAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}
