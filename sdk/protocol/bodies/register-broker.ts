/**
 * RegisterBrokerBody (REGISTER_BROKER) and the TopicConfigSerializeWrapper it
 * carries, which GET_ALL_TOPIC_CONFIG also answers with. Mirrors RocketMQ's
 * body.RegisterBrokerBody, TopicConfigSerializeWrapper, DataVersion and
 * common TopicConfig.
 *
 * The compressed form (header `compressed=true`) is a zlib stream, which needs
 * a deflate implementation outside web-standard synchronous APIs: its decoder
 * here takes the already-inflated bytes (`decodeInflatedRegisterBrokerBody`),
 * and the caller inflates with whatever its platform offers.
 */
import { encodeFastjson, parseFastjson, type JsonObject } from '../fastjson.ts';
import { BodyDecodeError, isObject, parseBodyObject, readBoolean, readEntries, readNumber, readString, readStrings, asObject } from './read.ts';

export interface DataVersion {
  counter: number;
  /** 5.x. */
  stateVersion?: number;
  timestamp: number;
}

export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  /** `SINGLE_TAG` or `MULTI_TAG`. */
  topicFilterType: string;
  topicSysFlag: number;
  order: boolean;
  /** 5.x. */
  attributes?: Record<string, string>;
}

export interface TopicConfigSerializeWrapper {
  dataVersion: DataVersion;
  topicConfigTable: Map<string, TopicConfig>;
}

export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  filterServerList: string[];
}

export function readDataVersion(value: unknown): DataVersion {
  const object = isObject(value as never) ? (value as JsonObject) : ({} as JsonObject);
  const version: DataVersion = { counter: readNumber(object, 'counter'), timestamp: readNumber(object, 'timestamp') };
  if (object.stateVersion !== undefined) version.stateVersion = readNumber(object, 'stateVersion');
  return version;
}

export function readTopicConfig(value: unknown, name: string): TopicConfig {
  const object = asObject(value as never, 'TopicConfig');
  const config: TopicConfig = {
    topicName: readString(object, 'topicName') ?? name,
    readQueueNums: readNumber(object, 'readQueueNums', 16),
    writeQueueNums: readNumber(object, 'writeQueueNums', 16),
    perm: readNumber(object, 'perm', 6),
    topicFilterType: readString(object, 'topicFilterType') ?? 'SINGLE_TAG',
    topicSysFlag: readNumber(object, 'topicSysFlag'),
    order: readBoolean(object, 'order'),
  };
  if (isObject(object.attributes)) {
    config.attributes = Object.fromEntries(readEntries(object, 'attributes').map(([k, v]) => [k, String(v)]));
  }
  return config;
}

export function readTopicConfigSerializeWrapper(object: JsonObject): TopicConfigSerializeWrapper {
  const topicConfigTable = new Map<string, TopicConfig>();
  for (const [name, config] of readEntries(object, 'topicConfigTable')) topicConfigTable.set(name, readTopicConfig(config, name));
  return { dataVersion: readDataVersion(object.dataVersion), topicConfigTable };
}

export function decodeTopicConfigSerializeWrapper(body: Uint8Array | string): TopicConfigSerializeWrapper {
  return readTopicConfigSerializeWrapper(parseBodyObject(body, 'TopicConfigSerializeWrapper'));
}

export function topicConfigBean(config: TopicConfig) {
  return { ...config };
}

export function encodeTopicConfigSerializeWrapper(wrapper: TopicConfigSerializeWrapper): string {
  const topicConfigTable = new Map([...wrapper.topicConfigTable].map(([name, config]) => [name, topicConfigBean(config)] as const));
  return encodeFastjson({ dataVersion: { ...wrapper.dataVersion }, topicConfigTable });
}

/** The uncompressed JSON form. */
export function decodeRegisterBrokerBody(body: Uint8Array | string): RegisterBrokerBody {
  const object = parseBodyObject(body, 'RegisterBrokerBody');
  const wrapper = isObject(object.topicConfigSerializeWrapper) ? object.topicConfigSerializeWrapper : ({} as JsonObject);
  return { topicConfigSerializeWrapper: readTopicConfigSerializeWrapper(wrapper), filterServerList: readStrings(object, 'filterServerList') };
}

export function encodeRegisterBrokerBody(body: RegisterBrokerBody): string {
  const wrapper = body.topicConfigSerializeWrapper;
  const topicConfigTable = new Map([...wrapper.topicConfigTable].map(([name, config]) => [name, topicConfigBean(config)] as const));
  return encodeFastjson({
    filterServerList: body.filterServerList,
    topicConfigSerializeWrapper: { dataVersion: { ...wrapper.dataVersion }, topicConfigTable },
  });
}

const textDecoder = new TextDecoder();

/**
 * Reads the inflated bytes of a compressed RegisterBrokerBody: int32-length
 * prefixed DataVersion JSON, a topic count, one `TopicConfig.encode()` text per
 * topic (`name read write perm filterType [attributesJson]`), the filter
 * server list JSON and, from 5.x brokers, queue-mapping entries (skipped).
 */
export function decodeInflatedRegisterBrokerBody(bytes: Uint8Array): RegisterBrokerBody {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const readChunk = (what: string): string => {
    if (bytes.length - at < 4) throw new BodyDecodeError(`compressed RegisterBrokerBody: truncated before ${what}`);
    const length = view.getInt32(at);
    if (length < 0 || length > bytes.length - at - 4) throw new BodyDecodeError(`compressed RegisterBrokerBody: ${what} length ${length} does not fit`);
    const text = textDecoder.decode(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
    return text;
  };
  const dataVersion = readDataVersion(safeParse(readChunk('dataVersion')));
  if (bytes.length - at < 4) throw new BodyDecodeError('compressed RegisterBrokerBody: truncated before the topic count');
  const count = view.getInt32(at);
  at += 4;
  if (count < 0) throw new BodyDecodeError(`compressed RegisterBrokerBody: topic count ${count}`);
  const topicConfigTable = new Map<string, TopicConfig>();
  for (let i = 0; i < count; i++) {
    const config = parseTopicConfigText(readChunk(`topic config ${i}`));
    topicConfigTable.set(config.topicName, config);
  }
  const filters = safeParse(readChunk('filterServerList'));
  const filterServerList = Array.isArray(filters) ? filters.filter((f): f is string => typeof f === 'string') : [];
  return { topicConfigSerializeWrapper: { dataVersion, topicConfigTable }, filterServerList };
}

function safeParse(text: string): unknown {
  try {
    return parseFastjson(text);
  } catch (error) {
    throw new BodyDecodeError('compressed RegisterBrokerBody: bad JSON section', { cause: error });
  }
}

/** `TopicConfig.encode()` text; `topicSysFlag` and `order` are not carried in it. */
export function parseTopicConfigText(text: string): TopicConfig {
  const parts = text.split(' ');
  if (parts.length < 5) throw new BodyDecodeError(`topic config text has ${parts.length} fields, expected at least 5`);
  const config: TopicConfig = {
    topicName: parts[0]!,
    readQueueNums: Number(parts[1]),
    writeQueueNums: Number(parts[2]),
    perm: Number(parts[3]),
    topicFilterType: parts[4]!,
    topicSysFlag: 0,
    order: false,
  };
  if (parts.length > 5) {
    const attributes = safeParse(parts.slice(5).join(' '));
    if (isObject(attributes as never)) config.attributes = Object.fromEntries(Object.entries(attributes as JsonObject).map(([k, v]) => [k, String(v)]));
  }
  return config;
}
