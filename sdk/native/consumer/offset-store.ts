/**
 * Where a consumer group's progress lives: on the broker for clustering
 * (QUERY_CONSUMER_OFFSET / UPDATE_CONSUMER_OFFSET), in a local file for
 * broadcasting, where every member has its own progress. Offsets are the next
 * message to consume. Both keep the latest offsets in memory and persist them
 * every 5 s, when a queue moves away and at shutdown.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { queryConsumerOffset, updateConsumerOffset } from '../broker-calls.ts';
import type { ClientInstance } from '../client-instance.ts';
import { ClientError } from '../errors.ts';
import { queueKey, type MessageQueue } from '../message.ts';

export interface OffsetStore {
  load(): Promise<void>;
  /** The offset kept in memory, or undefined. */
  readOffset(queue: MessageQueue): number | undefined;
  /** The persisted offset (broker or file), or undefined when there is none. */
  fetchOffset(queue: MessageQueue): Promise<number | undefined>;
  updateOffset(queue: MessageQueue, offset: number, increaseOnly: boolean): void;
  persist(queue: MessageQueue): Promise<void>;
  persistAll(queues: Iterable<MessageQueue>): Promise<void>;
  removeOffset(queue: MessageQueue): void;
}

interface Entry {
  queue: MessageQueue;
  offset: number;
  /** The offset last persisted, to skip unchanged ones. */
  persisted: number;
}

abstract class MemoryOffsets {
  protected readonly table = new Map<string, Entry>();

  readOffset(queue: MessageQueue): number | undefined {
    return this.table.get(queueKey(queue))?.offset;
  }

  updateOffset(queue: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = queueKey(queue);
    const entry = this.table.get(key);
    if (!entry) this.table.set(key, { queue, offset, persisted: -1 });
    else if (!increaseOnly || offset > entry.offset) entry.offset = offset;
  }

  removeOffset(queue: MessageQueue): void {
    this.table.delete(queueKey(queue));
  }
}

export class RemoteOffsetStore extends MemoryOffsets implements OffsetStore {
  private readonly client: ClientInstance;
  private readonly group: string;

  constructor(client: ClientInstance, group: string) {
    super();
    this.client = client;
    this.group = group;
  }

  async load(): Promise<void> {}

  async fetchOffset(queue: MessageQueue): Promise<number | undefined> {
    const address = await this.address(queue);
    const offset = await queryConsumerOffset(this.client, address, this.group, queue, this.client.requestTimeoutMs);
    if (offset !== undefined) this.updateOffset(queue, offset, false);
    return offset;
  }

  async persist(queue: MessageQueue): Promise<void> {
    const entry = this.table.get(queueKey(queue));
    if (!entry || entry.offset === entry.persisted) return;
    const offset = entry.offset;
    await updateConsumerOffset(this.client, await this.address(queue), this.group, queue, offset, this.client.requestTimeoutMs);
    entry.persisted = offset;
  }

  async persistAll(queues: Iterable<MessageQueue>): Promise<void> {
    const results = await Promise.allSettled([...queues].map((queue) => this.persist(queue)));
    for (const result of results) if (result.status === 'rejected') this.client.log.debug('offset commit failed', { error: result.reason });
  }

  private async address(queue: MessageQueue): Promise<string> {
    let address = this.client.brokerAddress(queue.brokerName);
    if (address === undefined) {
      await this.client.updateRoute(queue.topic);
      address = this.client.brokerAddress(queue.brokerName);
    }
    if (address === undefined) throw new ClientError('BROKER_NOT_FOUND', `no address for broker ${queue.brokerName}`, { retriable: true });
    return address;
  }
}

/** Offsets in a JSON file, one per consumer (broadcasting). Written to a temporary file and renamed, so a crash leaves the old one. */
export class LocalFileOffsetStore extends MemoryOffsets implements OffsetStore {
  private readonly path: string;
  private readonly stored = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();

  constructor(path: string) {
    super();
    this.path = path;
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return;
    }
    try {
      const parsed = JSON.parse(text) as { offsetTable?: Record<string, number> };
      for (const [key, offset] of Object.entries(parsed.offsetTable ?? {})) if (Number.isSafeInteger(offset)) this.stored.set(key, offset);
    } catch {
      // A damaged file means starting over from consumeFromWhere, as a missing one does.
    }
  }

  async fetchOffset(queue: MessageQueue): Promise<number | undefined> {
    const offset = this.stored.get(queueKey(queue));
    if (offset !== undefined) this.updateOffset(queue, offset, false);
    return offset;
  }

  async persist(queue: MessageQueue): Promise<void> {
    await this.persistAll([queue]);
  }

  async persistAll(queues: Iterable<MessageQueue>): Promise<void> {
    for (const queue of queues) {
      const offset = this.readOffset(queue);
      if (offset !== undefined) this.stored.set(queueKey(queue), offset);
    }
    const text = JSON.stringify({ offsetTable: Object.fromEntries(this.stored) });
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(`${this.path}.tmp`, text);
      await rename(`${this.path}.tmp`, this.path);
    });
    await this.writing;
  }
}
