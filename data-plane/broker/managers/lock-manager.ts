/**
 * Queue locks for orderly consumption (RocketMQ's RebalanceLockManager): one
 * client of a consumer group owns a queue at a time. A lock is granted when
 * the queue is free, already held by the same client, or its holder let it
 * expire: `lockMaxLiveTimeMs` after its last renewal (orderly consumers renew
 * every 20 s). Locks live in memory only, as in RocketMQ: after a restart
 * every queue is free and the owners lock again on their next renewal.
 */
import type { MessageQueue } from '../../../sdk/protocol/bodies/message-queue.ts';

/** RocketMQ `rocketmq.broker.rebalance.lockMaxLiveTime`: a lock not renewed for this long is free. */
export const lockMaxLiveTimeMsDefault = 60_000;

interface LockEntry {
  clientId: string;
  lastUpdateTimestamp: number;
}

function queueKey(queue: MessageQueue): string {
  return `${queue.topic}\u0001${queue.brokerName}\u0001${queue.queueId}`;
}

export class RebalanceLockManager {
  private readonly groups = new Map<string, Map<string, LockEntry>>();

  constructor(
    private readonly lockMaxLiveTimeMs = lockMaxLiveTimeMsDefault,
    private readonly now: () => number = Date.now,
  ) {}

  /** Locks what it can for `clientId` and returns the queues it now holds among those asked for. */
  tryLockBatch(group: string, queues: readonly MessageQueue[], clientId: string): MessageQueue[] {
    const now = this.now();
    let locks = this.groups.get(group);
    if (!locks) {
      locks = new Map();
      this.groups.set(group, locks);
    }
    const held: MessageQueue[] = [];
    for (const queue of queues) {
      const key = queueKey(queue);
      const entry = locks.get(key);
      if (!entry || entry.clientId === clientId || this.isExpired(entry, now)) {
        locks.set(key, { clientId, lastUpdateTimestamp: now });
        held.push(queue);
      }
    }
    return held;
  }

  /** Releases the queues `clientId` holds; locks of other clients stay. */
  unlockBatch(group: string, queues: readonly MessageQueue[], clientId: string): void {
    const locks = this.groups.get(group);
    if (!locks) return;
    for (const queue of queues) {
      const key = queueKey(queue);
      if (locks.get(key)?.clientId === clientId) locks.delete(key);
    }
    if (locks.size === 0) this.groups.delete(group);
  }

  /** True when `clientId` holds an unexpired lock on the queue. */
  isLockedBy(group: string, queue: MessageQueue, clientId: string): boolean {
    const entry = this.groups.get(group)?.get(queueKey(queue));
    return entry !== undefined && entry.clientId === clientId && !this.isExpired(entry, this.now());
  }

  /** True when any client of the group holds an unexpired lock (5.x sends its retries straight to the DLQ then). */
  hasLiveLocks(group: string): boolean {
    const now = this.now();
    for (const entry of this.groups.get(group)?.values() ?? []) if (!this.isExpired(entry, now)) return true;
    return false;
  }

  private isExpired(entry: LockEntry, now: number): boolean {
    return now - entry.lastUpdateTimestamp > this.lockMaxLiveTimeMs;
  }
}
