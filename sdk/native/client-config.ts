/**
 * Options shared by every native client object (producer, consumers, admin).
 * Defaults follow RocketMQ's ClientConfig (wire §15).
 */
import type { Logger } from '../util/log.ts';

export interface Credentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
}

export interface ClientOptions {
  /** Name server addresses, `host:port`, as a list or `;`-separated text. */
  namesrvAddr: string | readonly string[];
  /** Part of the client id; unique per client object unless set. Objects with the same name share nothing. */
  instanceName?: string;
  /** The IP announced in the client id and message ids. Default: the first non-internal IPv4 address. */
  clientIp?: string;
  /** AccessKey/SecretKey: every request is signed (ACL 1.0). */
  credentials?: Credentials;
  /** Time allowed for control requests (route, heartbeat, offsets, admin). Default 3000 ms. */
  requestTimeoutMs?: number;
  /** Route refresh period (RocketMQ `pollNameServerInterval`). Default 30 s. */
  pollNameServerIntervalMs?: number;
  /** Heartbeat period to every broker (RocketMQ `heartbeatBrokerInterval`). Default 30 s. */
  heartbeatBrokerIntervalMs?: number;
  /**
   * Header serialization of requests: 'ROCKETMQ' (the compact binary form,
   * cheaper to encode and decode on both sides; every RocketMQ broker and
   * NameServer reads it) or 'JSON' (what Java clients send by default).
   * Default 'ROCKETMQ'.
   */
  serializeType?: 'ROCKETMQ' | 'JSON';
  /** Requests awaiting answers per connection; past it, new requests wait. Default 4096. */
  maxInFlightPerConnection?: number;
  log?: Logger;
}

export const clientDefaults = {
  requestTimeoutMs: 3000,
  pollNameServerIntervalMs: 30_000,
  heartbeatBrokerIntervalMs: 30_000,
  maxInFlightPerConnection: 4096,
} as const;

export function namesrvList(namesrvAddr: string | readonly string[]): string[] {
  const list = typeof namesrvAddr === 'string' ? namesrvAddr.split(/[;,]/) : [...namesrvAddr];
  return list.map((address) => address.trim()).filter((address) => address.length > 0);
}
