/**
 * The NameServer endpoint: RocketMQ's name server protocol on a remoting
 * server (default port 9876), serving routes from a RouteInfoManager over any
 * RouteState. It also keeps brokers honest: a broker whose connection closes
 * is forgotten at once, and a scan forgets (and disconnects) brokers that have
 * not registered within their expiry.
 */
import { RemotingServer } from '../../sdk/remoting/server.ts';
import { createLogger, type Logger } from '../../sdk/util/log.ts';
import { RouteInfoManager } from '../routing/route-info-manager.ts';
import type { RouteState } from '../routing/route-state.ts';
import {
  defaultBrokerExpiryMs,
  defaultBrokerScanIntervalMs,
  defaultNamesrvPort,
  defaultRegisterBodyInflatedMaxBytes,
} from '../settings.ts';
import { MemoryRouteState } from '../state/memory.ts';
import { BrokerChannels } from './broker-channels.ts';
import { namesrvProcessors } from './processors/index.ts';

export interface NameServerOptions {
  /** 0 picks a free port; defaults to 9876. */
  port?: number;
  host?: string;
  /** Defaults to a fresh in-memory state, which the server closes with itself. */
  state?: RouteState;
  log?: Logger;
  /** Milliseconds since the epoch; tests drive expiry with their own clock. */
  clock?: () => number;
  brokerExpiryMs?: number;
  /** 0 disables the periodic scan (tests then call `scanNotActiveBroker()`). */
  brokerScanIntervalMs?: number;
  registerBodyInflatedMaxBytes?: number;
}

export class NameServer {
  readonly routing: RouteInfoManager;
  private readonly server: RemotingServer;
  private readonly channels = new BrokerChannels();
  private readonly ownsState: boolean;
  private readonly log: Logger;
  private scanTimer: ReturnType<typeof setInterval> | undefined;
  private scanning: Promise<unknown> = Promise.resolve();

  private constructor(options: NameServerOptions, state: RouteState) {
    this.log = options.log ?? createLogger('namesrv');
    this.ownsState = options.state === undefined;
    this.routing = new RouteInfoManager(state, {
      clock: options.clock,
      brokerExpiryMs: options.brokerExpiryMs ?? defaultBrokerExpiryMs,
      log: this.log,
    });
    this.server = new RemotingServer({
      port: options.port ?? defaultNamesrvPort,
      host: options.host,
      log: this.log,
      listener: { onClose: (connection) => this.onConnectionClosed(connection) },
    });
    const context = {
      routing: this.routing,
      channels: this.channels,
      registerBodyInflatedMaxBytes: options.registerBodyInflatedMaxBytes ?? defaultRegisterBodyInflatedMaxBytes,
      log: this.log,
    };
    for (const [code, processor] of namesrvProcessors(context)) this.server.registerProcessor(code, processor);
  }

  /**
   * Starts a name server and resolves once it listens.
   *
   * @example
   * const nameServer = await NameServer.start({ port: 0 });
   * console.log(`clients use 127.0.0.1:${nameServer.port}`);
   * await nameServer.close();
   */
  static async start(options: NameServerOptions = {}): Promise<NameServer> {
    const nameServer = new NameServer(options, options.state ?? new MemoryRouteState({ log: options.log }));
    await nameServer.server.listen();
    const interval = options.brokerScanIntervalMs ?? defaultBrokerScanIntervalMs;
    if (interval > 0) {
      nameServer.scanTimer = setInterval(() => void nameServer.scanNotActiveBroker(), interval);
      nameServer.scanTimer.unref();
    }
    nameServer.log.info('name server listening', { port: nameServer.port });
    return nameServer;
  }

  get port(): number {
    return this.server.port;
  }

  /** Open connections of brokers, clients and admin tools. */
  get connectionCount(): number {
    return this.server.connections.size;
  }

  /** Forgets brokers past their expiry and closes their connections. Never rejects. */
  scanNotActiveBroker(): Promise<void> {
    const scan = this.scanning.then(async () => {
      try {
        for (const broker of await this.routing.scanNotActiveBroker()) {
          this.channels.unbind(broker)?.close('broker registration expired');
        }
      } catch (error) {
        this.log.error('broker expiry scan failed', { error });
      }
    });
    this.scanning = scan;
    return scan;
  }

  async close(): Promise<void> {
    if (this.scanTimer) clearInterval(this.scanTimer);
    this.scanTimer = undefined;
    await this.server.close();
    await this.scanning;
    if (this.ownsState) await this.routing.state.close();
  }

  private onConnectionClosed(connection: Parameters<BrokerChannels['release']>[0]): void {
    for (const broker of this.channels.release(connection)) {
      this.log.info('broker channel closed; unregistering', { ...broker });
      this.routing.onChannelDestroy(broker.clusterName, broker.brokerAddr).catch((error: unknown) => {
        this.log.error('unregistering a closed broker failed', { ...broker, error });
      });
    }
  }
}
