/**
 * End-to-end helpers for broker tests: a Broker on an ephemeral port over a
 * temp data dir, and a client that speaks only the remoting protocol to it
 * (RemotingClient, header schemas, batch and record codecs), never the
 * broker's own objects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from '../../data-plane/broker/broker.ts';
import { defaultBrokerSettings, type BrokerSettings } from '../../data-plane/broker/settings.ts';
import { createRequest, SerializeType, type RemotingCommand } from '../../sdk/protocol/command.ts';
import { encodeHeader, type HeaderOf } from '../../sdk/protocol/fields.ts';
import { buildPullSysFlag } from '../../sdk/protocol/flags.ts';
import { UniqueIdGenerator } from '../../sdk/protocol/message-id.ts';
import { encodeProperties } from '../../sdk/protocol/message-properties.ts';
import { decodeMessageRecords, type MessageRecord } from '../../sdk/protocol/message-record.ts';
import { PULL_MESSAGE } from '../../sdk/protocol/requests/pull.ts';
import { SEND_MESSAGE, SEND_MESSAGE_V2, sendMessageHeaderV2FromV1, type SendMessageRequest } from '../../sdk/protocol/requests/send.ts';
import { RemotingClient } from '../../sdk/remoting/client.ts';
import { silentLogger } from '../../sdk/util/log.ts';

export interface BrokerUnderTest {
  broker: Broker;
  address: string;
  dataDir: string;
  settings: BrokerSettings;
  /** Closes the broker and starts a new one on the same data dir (and a new port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestBroker(overrides: Partial<BrokerSettings> = {}, dataDir?: string): Promise<BrokerUnderTest> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'apogee-broker-')));
  const settings: BrokerSettings = {
    ...defaultBrokerSettings(),
    brokerName: 'broker-a',
    brokerIP: '127.0.0.1',
    listenPort: 0,
    haListenPort: 0,
    dataDir: dir,
    commitLogSegmentBytes: 16 * 1024 * 1024,
    ...overrides,
  };
  const handle: BrokerUnderTest = {
    broker: await Broker.start(settings, { log: silentLogger }),
    address: '',
    dataDir: dir,
    settings,
    async restart() {
      await handle.broker.close();
      handle.broker = await Broker.start(settings, { log: silentLogger });
      handle.address = `127.0.0.1:${handle.broker.port}`;
    },
    async close() {
      await handle.broker.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  handle.address = `127.0.0.1:${handle.broker.port}`;
  return handle;
}

export function newClient(): RemotingClient {
  return new RemotingClient({ log: silentLogger });
}

export interface SendOptions {
  topic: string;
  body: Uint8Array | string;
  queueId?: number;
  tags?: string;
  keys?: string;
  uniqKey?: string;
  properties?: Record<string, string>;
  /** Raw properties text instead of the above. */
  rawProperties?: string;
  producerGroup?: string;
  version?: 'V1' | 'V2';
  serializeType?: SerializeType;
}

const uniqueIds = new UniqueIdGenerator({ pid: process.pid });

export function uniqueKey(): string {
  return uniqueIds.next();
}

/** Builds a SEND_MESSAGE (V1) or SEND_MESSAGE_V2 request. */
export function sendRequest(options: SendOptions): RemotingCommand {
  const properties =
    options.rawProperties ??
    encodeProperties({
      UNIQ_KEY: options.uniqKey ?? uniqueKey(),
      WAIT: 'true',
      TAGS: options.tags,
      KEYS: options.keys,
      ...options.properties,
    });
  const header: SendMessageRequest = {
    producerGroup: options.producerGroup ?? 'PG_test',
    topic: options.topic,
    defaultTopic: 'TBW102',
    defaultTopicQueueNums: 4,
    queueId: options.queueId ?? 0,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    flag: 0,
    properties,
    reconsumeTimes: 0,
    unitMode: false,
    batch: false,
  };
  const body = typeof options.body === 'string' ? new TextEncoder().encode(options.body) : options.body;
  if (options.version === 'V1') return createRequest(SEND_MESSAGE.code, encodeHeader(SEND_MESSAGE.request, header), body, options.serializeType);
  return createRequest(SEND_MESSAGE_V2.code, encodeHeader(SEND_MESSAGE_V2.request, sendMessageHeaderV2FromV1(header)), body, options.serializeType);
}

export type PullHeader = HeaderOf<typeof PULL_MESSAGE.request>;

export function pullRequest(fields: Partial<PullHeader> & { topic: string; consumerGroup: string; queueId: number; queueOffset: number }): RemotingCommand {
  const header: PullHeader = {
    maxMsgNums: 32,
    sysFlag: buildPullSysFlag({ commitOffset: false, suspend: false, subscription: true }),
    commitOffset: 0,
    suspendTimeoutMillis: 0,
    subscription: '*',
    subVersion: 0,
    expressionType: 'TAG',
    ...fields,
  };
  return createRequest(PULL_MESSAGE.code, encodeHeader(PULL_MESSAGE.request, header));
}

export function records(response: RemotingCommand): MessageRecord[] {
  return response.body ? decodeMessageRecords(response.body, true) : [];
}

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Polls `condition` until it holds or the deadline passes. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
