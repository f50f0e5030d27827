/**
 * Consumer offsets (RocketMQ's ConsumerOffsetManager): the next message each
 * group will consume, per topic and queue, keyed `topic@group` as RocketMQ
 * keys them. Commits only touch memory; the table is written to
 * `config/consumerOffset.json` every `flushConsumerOffsetIntervalMs` when it
 * changed, and on close. The file uses fastjson's unquoted numeric keys.
 */
import { join } from 'node:path';
import type { Logger } from '../../../sdk/util/log.ts';
import type { BrokerSettings } from '../settings.ts';
import { DataVersion, PersistQueue, readConfigFile } from './config-file.ts';

const TOPIC_GROUP_SEPARATOR = '@';

export class ConsumerOffsetManager {
  readonly dataVersion = new DataVersion();
  /** `topic@group` → queueId → offset. */
  private readonly table = new Map<string, Map<number, number>>();
  private readonly persistQueue: PersistQueue;
  private dirty = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  private constructor(settings: BrokerSettings, log: Logger) {
    this.persistQueue = new PersistQueue(
      join(settings.dataDir, 'config', 'consumerOffset.json'),
      () => this.encode(),
      (error) => log.error('persisting consumerOffset.json failed', { error }),
    );
  }

  static async load(settings: BrokerSettings, log: Logger): Promise<ConsumerOffsetManager> {
    const manager = new ConsumerOffsetManager(settings, log);
    const stored = (await readConfigFile(join(settings.dataDir, 'config', 'consumerOffset.json'))) as
      | { dataVersion?: unknown; offsetTable?: Record<string, Record<string, number>> }
      | undefined;
    if (stored) {
      manager.dataVersion.assign(stored.dataVersion);
      for (const [key, queues] of Object.entries(stored.offsetTable ?? {})) {
        if (!key.includes(TOPIC_GROUP_SEPARATOR) || typeof queues !== 'object' || queues === null) continue;
        const offsets = new Map<number, number>();
        for (const [queueId, offset] of Object.entries(queues)) {
          if (Number.isInteger(Number(queueId)) && typeof offset === 'number') offsets.set(Number(queueId), offset);
        }
        manager.table.set(key, offsets);
      }
    }
    manager.timer = setInterval(() => void manager.persistIfDirty(), settings.flushConsumerOffsetIntervalMs);
    manager.timer.unref();
    return manager;
  }

  commitOffset(group: string, topic: string, queueId: number, offset: number): void {
    const key = topic + TOPIC_GROUP_SEPARATOR + group;
    let offsets = this.table.get(key);
    if (!offsets) {
      offsets = new Map();
      this.table.set(key, offsets);
    }
    offsets.set(queueId, offset);
    this.dirty = true;
  }

  /** The committed offset, or -1 when the group never committed one for this queue. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.table.get(topic + TOPIC_GROUP_SEPARATOR + group)?.get(queueId) ?? -1;
  }

  /** Every queue's offset of a group on a topic. */
  queryOffsets(group: string, topic: string): ReadonlyMap<number, number> | undefined {
    return this.table.get(topic + TOPIC_GROUP_SEPARATOR + group);
  }

  /** Topics a group has offsets for. */
  whichTopicByConsumer(group: string): string[] {
    const topics: string[] = [];
    for (const key of this.table.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(at + 1) === group) topics.push(key.slice(0, at));
    }
    return topics;
  }

  /** Groups with offsets on a topic. */
  whichGroupByTopic(topic: string): string[] {
    const groups: string[] = [];
    for (const key of this.table.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(0, at) === topic) groups.push(key.slice(at + 1));
    }
    return groups;
  }

  removeGroup(group: string): void {
    for (const key of [...this.table.keys()]) {
      if (key.slice(key.lastIndexOf(TOPIC_GROUP_SEPARATOR) + 1) === group) this.table.delete(key);
    }
    this.dirty = true;
  }

  removeTopic(topic: string): void {
    for (const key of [...this.table.keys()]) {
      if (key.slice(0, key.lastIndexOf(TOPIC_GROUP_SEPARATOR)) === topic) this.table.delete(key);
    }
    this.dirty = true;
  }

  /**
   * The wrapper as RocketMQ writes it: `offsetTable` with unquoted queue ids,
   * the derived `groupTopicMap`, and `dataVersion`, keys sorted.
   */
  encode(): string {
    const groupTopics = new Map<string, string[]>();
    let offsetTable = '';
    for (const [key, offsets] of this.table) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      const group = key.slice(at + 1);
      let topics = groupTopics.get(group);
      if (!topics) groupTopics.set(group, (topics = []));
      topics.push(key.slice(0, at));
      let queues = '';
      for (const [queueId, offset] of offsets) queues += `${queues === '' ? '' : ','}${queueId}:${offset}`;
      offsetTable += `${offsetTable === '' ? '' : ','}${JSON.stringify(key)}:{${queues}}`;
    }
    const groupTopicMap = JSON.stringify(Object.fromEntries(groupTopics));
    return `{"dataVersion":${JSON.stringify(this.dataVersion)},"groupTopicMap":${groupTopicMap},"offsetTable":{${offsetTable}}}`;
  }

  async persistIfDirty(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    this.dataVersion.next();
    await this.persistQueue.persist();
  }

  /** Stops the periodic write and writes the table one last time. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.dirty = false;
    this.dataVersion.next();
    await this.persistQueue.flush();
  }
}
