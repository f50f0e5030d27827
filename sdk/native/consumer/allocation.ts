/**
 * Queue allocation strategies for clustering consumers. Every member of a
 * group runs the same strategy over the same sorted lists (all queues, all
 * client ids), so each computes its own share and the shares never overlap.
 * Both strategies give the same answers as RocketMQ's Java implementations,
 * so Java and TypeScript consumers can share a group.
 */
import { createHash } from 'node:crypto';
import { queueText, type MessageQueue } from '../message.ts';

export type AllocateStrategy = (group: string, currentClientId: string, queues: readonly MessageQueue[], clientIds: readonly string[]) => MessageQueue[];

/**
 * RocketMQ's AllocateMessageQueueAveragely: contiguous blocks, the first
 * `queues % clients` members getting one extra queue.
 */
export const allocateAveragely: AllocateStrategy = (_group, currentClientId, queues, clientIds) => {
  const index = clientIds.indexOf(currentClientId);
  if (index < 0 || queues.length === 0) return [];
  const mod = queues.length % clientIds.length;
  const averageSize =
    queues.length <= clientIds.length ? 1 : mod > 0 && index < mod ? Math.floor(queues.length / clientIds.length) + 1 : Math.floor(queues.length / clientIds.length);
  const startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod;
  const range = Math.min(averageSize, queues.length - startIndex);
  const result: MessageQueue[] = [];
  for (let i = 0; i < range; i++) result.push(queues[(startIndex + i) % queues.length]!);
  return result;
};

/** Virtual nodes per client on the hash ring (RocketMQ's default: 10). */
export const consistentHashVirtualNodesDefault = 10;

/** The first 4 bytes of the MD5 of `key` as an unsigned number, as RocketMQ's ConsistentHashRouter hashes. */
export function md5Hash(key: string): number {
  const digest = createHash('md5').update(key, 'utf8').digest();
  return digest.readUInt32BE(0);
}

/**
 * RocketMQ's AllocateMessageQueueConsistentHash: clients sit on a hash ring
 * with `virtualNodes` points each (`clientId-i`); a queue belongs to the
 * first point at or after its own hash. Members joining or leaving move few
 * queues.
 */
export function allocateConsistentHash(virtualNodes = consistentHashVirtualNodesDefault): AllocateStrategy {
  return (_group, currentClientId, queues, clientIds) => {
    if (!clientIds.includes(currentClientId)) return [];
    const ring: Array<[number, string]> = [];
    for (const clientId of clientIds) for (let i = 0; i < virtualNodes; i++) ring.push([md5Hash(`${clientId}-${i}`), clientId]);
    ring.sort((a, b) => a[0] - b[0]);
    const result: MessageQueue[] = [];
    for (const queue of queues) {
      const hash = md5Hash(queueText(queue));
      let low = 0;
      let high = ring.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (ring[middle]![0] < hash) low = middle + 1;
        else high = middle;
      }
      const owner = ring[low === ring.length ? 0 : low]![1];
      if (owner === currentClientId) result.push(queue);
    }
    return result;
  };
}
