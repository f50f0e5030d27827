/**
 * Helpers for the name server end-to-end tests: they speak only the wire
 * protocol, through a RemotingClient, the way a broker or a client would.
 */
import { deflateSync } from 'node:zlib';
import { createRequest, type RemotingCommand } from '../../sdk/protocol/command.ts';
import { encodeFastjson } from '../../sdk/protocol/fastjson.ts';
import { encodeHeader, type HeaderOf } from '../../sdk/protocol/fields.ts';
import { REGISTER_BROKER } from '../../sdk/protocol/requests/namesrv.ts';
import { RemotingClient } from '../../sdk/remoting/client.ts';
import { crc32Masked } from '../../sdk/util/crc32.ts';
import { silentLogger } from '../../sdk/util/log.ts';

export const requestTimeoutMs = 5_000;

export interface TopicSpec {
  name: string;
  queues?: number;
  perm?: number;
}

export type RegisterHeader = HeaderOf<typeof REGISTER_BROKER.request>;

export function brokerHeader(overrides: Partial<RegisterHeader> = {}): RegisterHeader {
  return {
    brokerName: 'broker-a',
    brokerAddr: '127.0.0.1:10911',
    clusterName: 'DefaultCluster',
    haServerAddr: '127.0.0.1:10912',
    brokerId: 0,
    compressed: false,
    bodyCrc32: 0,
    ...overrides,
  };
}

/** A RegisterBrokerBody as a 4.9 Java broker writes it (fastjson, keys sorted). */
export function registerBrokerBodyJson(topics: readonly TopicSpec[], counter = 1): Uint8Array {
  const topicConfigTable = new Map(
    topics.map((topic) => [
      topic.name,
      {
        order: false,
        perm: topic.perm ?? 6,
        readQueueNums: topic.queues ?? 4,
        topicFilterType: 'SINGLE_TAG',
        topicName: topic.name,
        topicSysFlag: 0,
        writeQueueNums: topic.queues ?? 4,
      },
    ]),
  );
  const body = {
    filterServerList: [],
    topicConfigSerializeWrapper: { dataVersion: { counter, timestamp: 1_700_000_000_000 }, topicConfigTable },
  };
  return new TextEncoder().encode(encodeFastjson(body));
}

/** The compressed form (`compressed=true`): zlib over length-prefixed parts. */
export function registerBrokerBodyCompressed(topics: readonly TopicSpec[], counter = 1): Uint8Array {
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  const int = (value: number) => {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setInt32(0, value);
    parts.push(bytes);
  };
  const part = (text: string) => {
    const bytes = encoder.encode(text);
    int(bytes.length);
    parts.push(bytes);
  };
  part(`{"counter":${counter},"timestamp":1700000000000}`);
  int(topics.length);
  for (const topic of topics) part(`${topic.name} ${topic.queues ?? 4} ${topic.queues ?? 4} ${topic.perm ?? 6} SINGLE_TAG`);
  part('[]');
  return deflateSync(Buffer.concat(parts), { level: 9 });
}

export function registerRequest(header: RegisterHeader, body: Uint8Array, withCrc = true): RemotingCommand {
  const fields = encodeHeader(REGISTER_BROKER.request, { ...header, bodyCrc32: withCrc ? crc32Masked(body) : 0 });
  return createRequest(REGISTER_BROKER.code, fields, body);
}

export function newClient(): RemotingClient {
  return new RemotingClient({ log: silentLogger });
}

export function bodyText(response: RemotingCommand): string {
  return new TextDecoder().decode(response.body ?? new Uint8Array(0));
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
