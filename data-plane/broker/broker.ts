/**
 * The broker: RocketMQ's data path over one store. `Broker.start` listens,
 * opens the store (whose records carry the address it listens on), loads the
 * managers, registers the processor table and joins the name servers;
 * `close` leaves them, stops accepting, and flushes and persists everything.
 *
 * @example
 * const broker = await Broker.start(await resolveBrokerSettings({ flags: { 'broker-port': '0', 'data-dir': dir } }));
 * console.log(broker.port);
 * await broker.close();
 */
import { mkdir } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { createRequest, createResponse } from '../../sdk/protocol/command.ts';
import { NOTIFY_CONSUMER_IDS_CHANGED } from '../../sdk/protocol/requests/consumer.ts';
import { ResponseCode } from '../../sdk/protocol/response-codes.ts';
import type { Connection } from '../../sdk/remoting/connection.ts';
import { RemotingServer, type RequestProcessor } from '../../sdk/remoting/server.ts';
import { createLogger, type Logger } from '../../sdk/util/log.ts';
import { MessageStore, type HostAddress } from '../store/message-store.ts';
import type { BrokerContext, BrokerStats } from './broker-context.ts';
import { ConsumerManager, type ClientChannelInfo } from './client/consumer-manager.ts';
import { ProducerManager } from './client/producer-manager.ts';
import { PullRequestHoldService } from './long-polling.ts';
import { ConsumerOffsetManager } from './managers/consumer-offset-manager.ts';
import { SubscriptionGroupManager } from './managers/subscription-group-manager.ts';
import { TopicConfigManager } from './managers/topic-config-manager.ts';
import { FilterRegistry } from './message-filter.ts';
import { NameServerRegistration } from './namesrv-registration.ts';
import { registerAdvanced, type AdvancedServices } from './processors/advanced.ts';
import { brokerProcessors } from './processors/index.ts';
import type { MessageRewriter } from './send-rewriter.ts';
import type { BrokerSettings } from './settings.ts';

export interface BrokerStartOptions {
  log?: Logger;
}

export class Broker {
  /** The port clients dial (the bound one when `listenPort` was 0). */
  readonly port: number;
  /** The VIP port, when `vipChannelEnabled`; else undefined. */
  readonly vipPort: number | undefined;
  readonly store: MessageStore;
  readonly settings: BrokerSettings;
  /** What processors work with; features that plug in (rewriters, filters, processors) reach the broker through it. */
  readonly context: BrokerContext;
  /** Delay levels, timers, transactions, locks, POP and their services. */
  readonly advanced: AdvancedServices;
  private readonly servers: RemotingServer[];
  private readonly registration: NameServerRegistration;
  private readonly scanTimer: ReturnType<typeof setInterval>;
  private closing: Promise<void> | undefined;

  private constructor(fields: {
    port: number;
    vipPort: number | undefined;
    context: BrokerContext;
    advanced: AdvancedServices;
    servers: RemotingServer[];
    registration: NameServerRegistration;
    scanTimer: ReturnType<typeof setInterval>;
  }) {
    this.port = fields.port;
    this.vipPort = fields.vipPort;
    this.context = fields.context;
    this.advanced = fields.advanced;
    this.store = fields.context.store;
    this.settings = fields.context.settings;
    this.servers = fields.servers;
    this.registration = fields.registration;
    this.scanTimer = fields.scanTimer;
  }

  static async start(settings: BrokerSettings, options: BrokerStartOptions = {}): Promise<Broker> {
    const log = options.log ?? createLogger('broker');
    await mkdir(settings.dataDir, { recursive: true });
    const gate = new StartGate();
    const connectionEvents = new ConnectionEvents();
    const server = createServer(settings, settings.listenPort, log, gate, connectionEvents);
    const port = await server.listen();
    let store: MessageStore | undefined;
    let advanced: AdvancedServices | undefined;
    const servers = [server];
    try {
      const storeHost: HostAddress = { address: settings.brokerIP, port };
      store = await MessageStore.open({
        dataDir: settings.dataDir,
        flushDiskType: settings.flushDiskType,
        storeHost,
        commitLogSegmentBytes: settings.commitLogSegmentBytes,
        messageIndexEnable: settings.messageIndexEnable,
        commitLogWriterThread: settings.commitLogWriterThread,
        messageSizeMaxBytes: settings.messageSizeMaxBytes,
        propertiesSizeMaxBytes: settings.propertiesSizeMaxBytes,
        flushIntervalMs: settings.flushIntervalMs,
        syncFlushTimeoutMs: settings.syncFlushTimeoutMs,
        fileReservedTimeHours: settings.fileReservedTimeHours,
        deleteWhenHour: settings.deleteWhenHour,
        diskCleanRatio: settings.diskCleanRatio,
        diskCleanForciblyRatio: settings.diskCleanForciblyRatio,
        diskRefuseRatio: settings.diskRefuseRatio,
        log: { info: (message) => log.info(message), warn: (message) => log.warn(message), error: (message) => log.error(message) },
      });
      const context = await createContext(settings, log, store, storeHost, port);
      connectionEvents.onClose = (connection) => forgetConnection(context, connection);
      const table = brokerProcessors(context, { memoryBytes: totalmem() });
      for (const [code, processor] of table) server.registerProcessor(code, processor);
      let vipPort: number | undefined;
      if (settings.vipChannelEnabled) {
        const vip = createServer(settings, settings.listenPort === 0 ? 0 : settings.listenPort - 2, log, gate, connectionEvents);
        for (const [code, processor] of table) vip.registerProcessor(code, processor);
        vipPort = await vip.listen();
        servers.push(vip);
      }
      advanced = await registerAdvanced(context, { registerProcessor: (code, processor) => servers.forEach((each) => each.registerProcessor(code, processor)) });
      context.longPolling.start();
      const scanTimer = setInterval(() => scanNotActiveChannels(context), settings.clientScanIntervalMs);
      scanTimer.unref();
      const registration = new NameServerRegistration({
        settings,
        topics: context.topicConfigs,
        log,
        brokerAddr: context.brokerAddr,
        haServerAddr: `${settings.brokerIP}:${settings.haListenPort}`,
      });
      gate.open = true;
      await registration.start();
      log.info('broker started', { brokerName: settings.brokerName, address: context.brokerAddr, dataDir: settings.dataDir, vipPort });
      return new Broker({ port, vipPort, context, advanced, servers, registration, scanTimer });
    } catch (error) {
      for (const started of servers) await started.close();
      await advanced?.close();
      await store?.close();
      throw error;
    }
  }

  /** Adds a processor for a code (retry, transaction, lock, POP families), on every port. */
  registerProcessor(code: number, processor: RequestProcessor): void {
    for (const server of this.servers) server.registerProcessor(code, processor);
  }

  /** Adds a send rewriter (delay levels, timers, transaction half messages). */
  addSendRewriter(rewriter: MessageRewriter): void {
    this.context.sendRewriters.push(rewriter);
  }

  /** Leaves the name servers, stops serving, persists the managers and closes the store. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  /** Same as `close`. */
  shutdown(): Promise<void> {
    return this.close();
  }

  private async doClose(): Promise<void> {
    const context = this.context;
    clearInterval(this.scanTimer);
    await this.registration.stop();
    context.longPolling.stop();
    for (const server of this.servers) await server.close();
    await this.advanced.close();
    await Promise.all([context.consumerOffsets.close(), context.topicConfigs.persist(), context.subscriptionGroups.persist()]);
    await context.store.close();
    context.log.info('broker closed', { brokerName: this.settings.brokerName });
  }
}

async function createContext(settings: BrokerSettings, log: Logger, store: MessageStore, storeHost: HostAddress, port: number): Promise<BrokerContext> {
  const [topicConfigs, subscriptionGroups, consumerOffsets] = await Promise.all([
    TopicConfigManager.load(settings, log),
    SubscriptionGroupManager.load(settings, log),
    ConsumerOffsetManager.load(settings, log),
  ]);
  const stats: BrokerStats = { messagesPut: 0, messagesGot: 0, bytesPut: 0 };
  return {
    settings,
    log,
    store,
    topicConfigs,
    subscriptionGroups,
    consumerOffsets,
    consumers: new ConsumerManager((group, remaining) => notifyConsumerIdsChanged(settings, log, group, remaining)),
    producers: new ProducerManager(),
    longPolling: new PullRequestHoldService(store, {
      heldPullsMax: settings.heldPullsMax,
      recheckIntervalMs: settings.longPollingRecheckIntervalMs,
      log,
    }),
    filters: new FilterRegistry(),
    sendRewriters: [],
    stats,
    brokerAddr: `${settings.brokerIP}:${port}`,
    storeHost,
    bootTimestamp: Date.now(),
  };
}

/** Tells every member of a group that its membership changed, so each rebalances now instead of within 20 s. */
function notifyConsumerIdsChanged(settings: BrokerSettings, log: Logger, group: string, members: ClientChannelInfo[]): void {
  for (const member of members) {
    if (member.connection.closed) continue;
    const request = createRequest(NOTIFY_CONSUMER_IDS_CHANGED.code, { consumerGroup: group });
    member.connection.invokeOneway(request, settings.clientCallTimeoutMs).catch((error: unknown) => {
      log.debug('notifying a consumer of a membership change failed', { group, client: member.clientId, error });
    });
  }
}

function forgetConnection(context: BrokerContext, connection: Connection): void {
  context.producers.removeConnection(connection);
  context.consumers.removeConnection(connection, (group) => context.subscriptionGroups.get(group)?.notifyConsumerIdsChangedEnable ?? true);
}

/** Closes client channels whose last heartbeat is older than `channelExpiredTimeoutMs`; closing forgets them. */
function scanNotActiveChannels(context: BrokerContext): void {
  const now = Date.now();
  const expiredMs = context.settings.channelExpiredTimeoutMs;
  const expired = context.consumers.expiredConnections(now, expiredMs);
  for (const connection of context.producers.expiredConnections(now, expiredMs)) expired.add(connection);
  for (const connection of expired) {
    context.log.info('closing a client channel without heartbeat', { peer: connection.remoteAddress, expiredMs });
    connection.close('channel expired');
  }
}

/** Answers SYSTEM_BUSY until the broker finished starting (the port is bound before the store is open). */
class StartGate {
  open = false;
}

/** Routes connection closes to the broker once its tables exist. */
class ConnectionEvents {
  onClose: ((connection: Connection) => void) | undefined;
}

function createServer(settings: BrokerSettings, port: number, log: Logger, gate: StartGate, events: ConnectionEvents): RemotingServer {
  const server = new RemotingServer({
    port,
    log,
    idleTimeoutMs: settings.serverIdleTimeoutMs,
    listener: { onClose: (connection) => events.onClose?.(connection) },
  });
  server.addHook({
    before: (request) => (gate.open ? undefined : createResponse(request, ResponseCode.SYSTEM_BUSY, '[broker starting] try again later')),
  });
  return server;
}
