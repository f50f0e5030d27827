/**
 * Which queue a send goes to. Round robin over the topic's writable queues,
 * skipping brokers that recently failed or answered slowly (latency fault
 * avoidance, RocketMQ's LatencyFaultToleranceImpl with 5.x's table), and on a
 * retry preferring a broker other than the one that just failed.
 */
import { javaStringHashCode } from '../../util/java-hash.ts';
import type { MessageQueue } from '../message.ts';

/** Latency steps (ms) and how long a broker is avoided after a send that slow (RocketMQ 5.x values). */
export const latencyStepsMs = [50, 100, 550, 1800, 3000, 5000, 15000] as const;
export const notAvailableDurationsMs = [0, 0, 2000, 5000, 6000, 10000, 30000] as const;
/** A failed send counts as this latency, so the broker is avoided for 10 s. */
export const isolationLatencyMs = 10000;

/** How long to avoid a broker after a send that took `latencyMs`. */
export function notAvailableDuration(latencyMs: number): number {
  for (let i = latencyStepsMs.length - 1; i >= 0; i--) if (latencyMs >= latencyStepsMs[i]!) return notAvailableDurationsMs[i]!;
  return 0;
}

/** Brokers to avoid, by name, until a time. */
export class LatencyFaultTolerance {
  private readonly availableAfter = new Map<string, number>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Records a send's outcome. Cheap when nothing is wrong: no entry is created for a fast send. */
  update(brokerName: string, latencyMs: number, isolation: boolean): void {
    const duration = notAvailableDuration(isolation ? isolationLatencyMs : latencyMs);
    if (duration === 0) {
      if (this.availableAfter.size !== 0) this.availableAfter.delete(brokerName);
      return;
    }
    this.availableAfter.set(brokerName, this.now() + duration);
  }

  isAvailable(brokerName: string): boolean {
    if (this.availableAfter.size === 0) return true;
    const until = this.availableAfter.get(brokerName);
    return until === undefined || this.now() >= until;
  }

  get faultCount(): number {
    return this.availableAfter.size;
  }

  /** The avoided broker that becomes available first: used when every broker is avoided. */
  leastBad(): string | undefined {
    let best: string | undefined;
    let bestUntil = Infinity;
    for (const [name, until] of this.availableAfter) if (until < bestUntil) [best, bestUntil] = [name, until];
    return best;
  }
}

/** The writable queues of one topic and the round-robin position. */
export class TopicPublishInfo {
  readonly queues: readonly MessageQueue[];
  private index: number;

  constructor(queues: readonly MessageQueue[]) {
    this.queues = queues;
    this.index = Math.floor(Math.random() * 1024);
  }

  /**
   * The next queue. Skips brokers the fault table avoids and, on a retry,
   * the broker that just failed; falls back to plain round robin when every
   * queue is excluded.
   */
  select(faults: LatencyFaultTolerance | undefined, lastBrokerName?: string): MessageQueue | undefined {
    const queues = this.queues;
    const count = queues.length;
    if (count === 0) return undefined;
    if ((faults === undefined || faults.faultCount === 0) && lastBrokerName === undefined) {
      return queues[(this.index++ & 0x7fffffff) % count];
    }
    for (let attempt = 0; attempt < count; attempt++) {
      const queue = queues[(this.index++ & 0x7fffffff) % count]!;
      if (queue.brokerName === lastBrokerName) continue;
      if (faults !== undefined && !faults.isAvailable(queue.brokerName)) continue;
      return queue;
    }
    for (let attempt = 0; attempt < count; attempt++) {
      const queue = queues[(this.index++ & 0x7fffffff) % count]!;
      if (queue.brokerName !== lastBrokerName) return queue;
    }
    return queues[(this.index++ & 0x7fffffff) % count];
  }
}

/** Picks a queue for a message from the topic's writable queues (ordered messages). */
export type QueueSelector<A = unknown> = (queues: readonly MessageQueue[], argument: A) => MessageQueue;

/**
 * The selector ordered producers use: the same sharding key always goes to the
 * same queue while the queue count stays the same. Hashes like Java's
 * `String.hashCode()` so mixed Java/TS producers agree.
 */
export function selectByShardingKey(queues: readonly MessageQueue[], shardingKey: string | number): MessageQueue {
  const hash = typeof shardingKey === 'number' ? shardingKey | 0 : javaStringHashCode(shardingKey);
  return queues[Math.abs(hash % queues.length)]!;
}
