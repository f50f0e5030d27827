/**
 * Registration with the name servers (RocketMQ's BrokerOuterAPI): every
 * `registerNameServerPeriodMs`, and soon after the topic set changes, the
 * broker sends REGISTER_BROKER with all its topic configs to every name
 * server; on a clean close it sends UNREGISTER_BROKER. A name server that is
 * down is logged and retried at the next period; it never blocks the broker.
 */
import { createRequest } from '../../sdk/protocol/command.ts';
import { encodeHeader } from '../../sdk/protocol/fields.ts';
import { encodeRegisterBrokerBody, type TopicConfig as TopicConfigBody } from '../../sdk/protocol/bodies/register-broker.ts';
import { REGISTER_BROKER, UNREGISTER_BROKER } from '../../sdk/protocol/requests/namesrv.ts';
import { ResponseCode } from '../../sdk/protocol/response-codes.ts';
import { RemotingClient } from '../../sdk/remoting/client.ts';
import { crc32 } from '../../sdk/util/crc32.ts';
import type { Logger } from '../../sdk/util/log.ts';
import type { TopicConfigManager } from './managers/topic-config-manager.ts';
import type { BrokerSettings } from './settings.ts';

const textEncoder = new TextEncoder();

/** Delay that coalesces a burst of topic changes into one registration, ms. */
const changeRegistrationDelayMs = 200;

export class NameServerRegistration {
  private readonly client: RemotingClient;
  private readonly settings: BrokerSettings;
  private readonly topics: TopicConfigManager;
  private readonly log: Logger;
  private readonly brokerAddr: string;
  private readonly haServerAddr: string;
  private timer: ReturnType<typeof setInterval> | undefined;
  private soon: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(options: { settings: BrokerSettings; topics: TopicConfigManager; log: Logger; brokerAddr: string; haServerAddr: string }) {
    this.settings = options.settings;
    this.topics = options.topics;
    this.log = options.log;
    this.brokerAddr = options.brokerAddr;
    this.haServerAddr = options.haServerAddr;
    this.client = new RemotingClient({ log: options.log, connectTimeoutMs: Math.min(3000, options.settings.registerBrokerTimeoutMs) });
  }

  /** Registers now, then every period. Resolves after the first round, whatever its outcome. */
  async start(): Promise<void> {
    if (this.settings.namesrvAddr.length === 0) return;
    this.topics.onChange(() => this.registerSoon());
    this.timer = setInterval(() => void this.registerAll(), this.settings.registerNameServerPeriodMs);
    this.timer.unref();
    await this.registerAll();
  }

  registerSoon(): void {
    if (this.stopped || this.soon || this.settings.namesrvAddr.length === 0) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.registerAll();
    }, changeRegistrationDelayMs);
    this.soon.unref();
  }

  async registerAll(): Promise<void> {
    if (this.stopped) return;
    const body = textEncoder.encode(this.registerBody());
    const header = encodeHeader(REGISTER_BROKER.request, {
      brokerName: this.settings.brokerName,
      brokerAddr: this.brokerAddr,
      clusterName: this.settings.clusterName,
      haServerAddr: this.haServerAddr,
      brokerId: this.settings.brokerId,
      compressed: false,
      bodyCrc32: crc32(body) & 0x7fffffff,
    });
    await Promise.all(
      this.settings.namesrvAddr.map(async (address) => {
        try {
          const response = await this.client.invokeSync(address, createRequest(REGISTER_BROKER.code, { ...header }, body), this.settings.registerBrokerTimeoutMs);
          if (response.code !== ResponseCode.SUCCESS) this.log.warn('name server refused the registration', { namesrv: address, code: response.code, remark: response.remark });
        } catch (error) {
          this.log.warn('registering with a name server failed', { namesrv: address, error });
        }
      }),
    );
  }

  /** Stops the timer, unregisters from every name server (best effort) and closes the connections. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    const header = encodeHeader(UNREGISTER_BROKER.request, {
      brokerName: this.settings.brokerName,
      brokerAddr: this.brokerAddr,
      clusterName: this.settings.clusterName,
      brokerId: this.settings.brokerId,
    });
    await Promise.all(
      this.settings.namesrvAddr.map(async (address) => {
        try {
          await this.client.invokeSync(address, createRequest(UNREGISTER_BROKER.code, { ...header }), this.settings.registerBrokerTimeoutMs);
        } catch (error) {
          this.log.warn('unregistering from a name server failed', { namesrv: address, error });
        }
      }),
    );
    await this.client.close();
  }

  private registerBody(): string {
    const wrapper = this.topics.wrapperJson();
    const topicConfigTable = new Map<string, TopicConfigBody>();
    for (const config of this.topics.all()) topicConfigTable.set(config.topicName, { ...config });
    return encodeRegisterBrokerBody({ filterServerList: [], topicConfigSerializeWrapper: { dataVersion: wrapper.dataVersion, topicConfigTable } });
  }
}
