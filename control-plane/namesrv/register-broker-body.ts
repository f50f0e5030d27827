/**
 * Reads a REGISTER_BROKER body into what the routing needs: the broker's
 * DataVersion, its topic configs and its filter servers. The body's grammar
 * lives in sdk/protocol/bodies/register-broker.ts; this file adds what a
 * server must: inflating the compressed form (`compressed=true`, a zlib
 * stream) under a bound, so a hostile stream cannot fill memory, and turning
 * any failure into a value, which the endpoint answers as SYSTEM_ERROR the way
 * a Java name server answers a body it cannot decode.
 */
import { inflateSync } from 'node:zlib';
import {
  decodeInflatedRegisterBrokerBody,
  decodeRegisterBrokerBody as decodeJsonBody,
  type RegisterBrokerBody,
} from '../../sdk/protocol/bodies/register-broker.ts';
import type { TopicConfigEntry } from '../routing/register-broker.ts';
import type { DataVersion } from '../routing/route-state.ts';

export interface RegisterBrokerBodyContent {
  dataVersion: DataVersion;
  topicConfigs: TopicConfigEntry[];
  filterServerList: string[];
}

export type RegisterBrokerBodyResult = { ok: true; body: RegisterBrokerBodyContent } | { ok: false; reason: string };

/** A registration without a body: no topics and a zero DataVersion, as Java fills in. */
function emptyBody(): RegisterBrokerBodyContent {
  return { dataVersion: { counter: 0, timestamp: 0, stateVersion: 0 }, topicConfigs: [], filterServerList: [] };
}

export function decodeRegisterBrokerBody(
  body: Uint8Array | undefined,
  compressed: boolean,
  inflatedSizeMaxBytes: number,
): RegisterBrokerBodyResult {
  if (!body || body.length === 0) return { ok: true, body: emptyBody() };
  try {
    const decoded = compressed
      ? decodeInflatedRegisterBrokerBody(inflateSync(body, { maxOutputLength: inflatedSizeMaxBytes }))
      : decodeJsonBody(body);
    return { ok: true, body: toContent(decoded) };
  } catch (error) {
    return { ok: false, reason: `Failed to decode RegisterBrokerBody: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function toContent(decoded: RegisterBrokerBody): RegisterBrokerBodyContent {
  const wrapper = decoded.topicConfigSerializeWrapper;
  const topicConfigs: TopicConfigEntry[] = [];
  for (const config of wrapper.topicConfigTable.values()) {
    topicConfigs.push({
      topicName: config.topicName,
      readQueueNums: config.readQueueNums,
      writeQueueNums: config.writeQueueNums,
      perm: config.perm,
      topicSysFlag: config.topicSysFlag,
    });
  }
  const { counter, timestamp, stateVersion } = wrapper.dataVersion;
  return { dataVersion: { counter, timestamp, stateVersion: stateVersion ?? 0 }, topicConfigs, filterServerList: decoded.filterServerList };
}
