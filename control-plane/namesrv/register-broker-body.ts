/**
 * Reads a REGISTER_BROKER body (RocketMQ's RegisterBrokerBody) into what the
 * routing needs: the broker's DataVersion, its topic configs and its filter
 * servers. Two encodings arrive (wire §10.3):
 *
 * - plain: fastjson of `{"filterServerList":[…],"topicConfigSerializeWrapper":
 *   {"dataVersion":{…},"topicConfigTable":{"<topic>":{TopicConfig}}}}`;
 * - compressed (`compressed=true`): a zlib stream of big-endian int32-length
 *   prefixed parts: DataVersion JSON, a topic count and that many TopicConfig
 *   texts (`name readQueueNums writeQueueNums perm filterType [attributes]`,
 *   which carry neither topicSysFlag nor order), then the filter server list
 *   JSON; 5.x brokers append static-topic mappings, which are not used here.
 *
 * Outcomes are values: a body that cannot be read yields a reason, which the
 * endpoint answers as SYSTEM_ERROR, as a Java name server does.
 */
import { inflateSync } from 'node:zlib';
import { ObjectKeyedMap, parseFastjson, type JsonObject, type JsonValue } from '../../sdk/protocol/fastjson.ts';
import type { TopicConfigEntry } from '../routing/register-broker.ts';
import type { DataVersion } from '../routing/route-state.ts';

export interface RegisterBrokerBodyContent {
  dataVersion: DataVersion;
  topicConfigs: TopicConfigEntry[];
  filterServerList: string[];
}

export type RegisterBrokerBodyResult = { ok: true; body: RegisterBrokerBodyContent } | { ok: false; reason: string };

/** A registration without a body: no topics and a zero DataVersion, as Java fills in. */
export const emptyRegisterBrokerBody: RegisterBrokerBodyContent = {
  dataVersion: { counter: 0, timestamp: 0, stateVersion: 0 },
  topicConfigs: [],
  filterServerList: [],
};

const textDecoder = new TextDecoder('utf-8');

export function decodeRegisterBrokerBody(
  body: Uint8Array | undefined,
  compressed: boolean,
  inflatedSizeMaxBytes: number,
): RegisterBrokerBodyResult {
  if (!body || body.length === 0) return { ok: true, body: structuredClone(emptyRegisterBrokerBody) };
  try {
    return compressed ? decodeCompressed(body, inflatedSizeMaxBytes) : decodeJson(body);
  } catch (error) {
    return { ok: false, reason: `Failed to decode RegisterBrokerBody: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function decodeJson(body: Uint8Array): RegisterBrokerBodyResult {
  const root = asObject(parseFastjson(body));
  if (!root) return { ok: false, reason: 'Failed to decode RegisterBrokerBody: not a JSON object' };
  const wrapper = asObject(root.topicConfigSerializeWrapper);
  const dataVersion = toDataVersion(wrapper?.dataVersion);
  const topicConfigs: TopicConfigEntry[] = [];
  const table = asObject(wrapper?.topicConfigTable);
  for (const [name, value] of Object.entries(table ?? {})) {
    const config = asObject(value);
    if (!config) continue;
    topicConfigs.push({
      topicName: typeof config.topicName === 'string' ? config.topicName : name,
      readQueueNums: toInt(config.readQueueNums, 0),
      writeQueueNums: toInt(config.writeQueueNums, 0),
      perm: toInt(config.perm, 6),
      topicSysFlag: toInt(config.topicSysFlag, 0),
    });
  }
  return { ok: true, body: { dataVersion, topicConfigs, filterServerList: toStringList(root.filterServerList) } };
}

function decodeCompressed(body: Uint8Array, inflatedSizeMaxBytes: number): RegisterBrokerBodyResult {
  const data = inflateSync(body, { maxOutputLength: inflatedSizeMaxBytes });
  const reader = new PartReader(data);
  const dataVersion = toDataVersion(parseFastjson(reader.part()));
  const count = reader.int();
  if (count < 0) return { ok: false, reason: `Failed to decode RegisterBrokerBody: negative topic count ${count}` };
  const topicConfigs: TopicConfigEntry[] = [];
  for (let index = 0; index < count; index++) {
    const config = parseTopicConfigText(textDecoder.decode(reader.part()));
    if (config) topicConfigs.push(config);
  }
  let filterServerList: string[] = [];
  if (reader.remaining >= 4) {
    // Java logs and ignores an unreadable filter server list.
    try {
      filterServerList = toStringList(parseFastjson(reader.part()));
    } catch {
      filterServerList = [];
    }
  }
  return { ok: true, body: { dataVersion, topicConfigs, filterServerList } };
}

/** `TopicConfig.encode()` text; fewer than five fields is not a topic config (Java skips it too). */
export function parseTopicConfigText(text: string): TopicConfigEntry | undefined {
  const fields = text.split(' ');
  if (fields.length < 5) return undefined;
  const numbers = [fields[1], fields[2], fields[3]].map((field) => (/^[+-]?\d+$/.test(field!) ? Number(field) : NaN));
  if (numbers.some((value) => !Number.isSafeInteger(value))) throw new Error(`bad topic config text ${JSON.stringify(text.slice(0, 64))}`);
  return { topicName: fields[0]!, readQueueNums: numbers[0]!, writeQueueNums: numbers[1]!, perm: numbers[2]!, topicSysFlag: 0 };
}

class PartReader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.at;
  }

  int(): number {
    if (this.remaining < 4) throw new Error('truncated: expected a length');
    const value = this.view.getInt32(this.at);
    this.at += 4;
    return value;
  }

  part(): Uint8Array {
    const length = this.int();
    if (length < 0 || length > this.remaining) throw new Error(`truncated: part of ${length} bytes with ${this.remaining} left`);
    const part = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return part;
  }
}

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof ObjectKeyedMap) ? value : undefined;
}

function toInt(value: JsonValue | undefined, fallback: number): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value)) return Number(value);
  return fallback;
}

function toDataVersion(value: JsonValue | undefined): DataVersion {
  const object = asObject(value);
  return {
    counter: toLong(object?.counter),
    timestamp: toLong(object?.timestamp),
    stateVersion: toLong(object?.stateVersion),
  };
}

function toLong(value: JsonValue | undefined): number {
  if (typeof value === 'bigint') return Number(value);
  return toInt(value, 0);
}

function toStringList(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
