/**
 * All ConsumeQueues, by topic then queue id, as found under
 * `consumequeue/<topic>/<queueId>/`. The append path looks queues up here for
 * every message, so each topic also caches its UTF-8 bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { utf8Bytes } from '../../sdk/protocol/message-record.ts';
import { ConsumeQueue } from './consume-queue.ts';

export interface TopicQueues {
  topicBytes: Uint8Array;
  queues: (ConsumeQueue | undefined)[];
}

export class QueueTable {
  readonly topics = new Map<string, TopicQueues>();

  constructor(
    readonly dir: string,
    readonly unitsPerFile: number,
  ) {}

  load(): void {
    let topics: string[];
    try {
      topics = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const topic of topics) {
      let queueDirs: string[];
      try {
        queueDirs = fs.readdirSync(path.join(this.dir, topic));
      } catch {
        continue;
      }
      for (const name of queueDirs) {
        if (!/^\d+$/.test(name)) continue;
        this.queue(topic, Number(name)).load();
      }
    }
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.topics.get(topic)?.queues[queueId];
  }

  /** The queue, created (in memory; its directory on first write) when missing. */
  queue(topic: string, queueId: number): ConsumeQueue {
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { topicBytes: utf8Bytes(topic), queues: [] };
      this.topics.set(topic, entry);
    }
    let queue = entry.queues[queueId];
    if (!queue) {
      queue = new ConsumeQueue(topic, queueId, path.join(this.dir, topic, String(queueId)), this.unitsPerFile);
      entry.queues[queueId] = queue;
    }
    return queue;
  }

  topicEntry(topic: string): TopicQueues {
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { topicBytes: utf8Bytes(topic), queues: [] };
      this.topics.set(topic, entry);
    }
    return entry;
  }

  *all(): IterableIterator<ConsumeQueue> {
    for (const entry of this.topics.values()) for (const queue of entry.queues) if (queue) yield queue;
  }

  deleteTopic(topic: string): boolean {
    const entry = this.topics.get(topic);
    if (!entry) return false;
    for (const queue of entry.queues) queue?.destroy();
    fs.rmSync(path.join(this.dir, topic), { recursive: true, force: true });
    this.topics.delete(topic);
    return true;
  }

  close(): void {
    for (const queue of this.all()) queue.close();
  }
}
