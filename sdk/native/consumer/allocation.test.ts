import { describe, expect, it } from 'vitest';
import { queueKey, type MessageQueue } from '../message.ts';
import { allocateAveragely, allocateConsistentHash, md5Hash } from './allocation.ts';

const queues = (count: number): MessageQueue[] => Array.from({ length: count }, (_, queueId) => ({ topic: 'T', brokerName: 'b', queueId }));
const clients = (count: number) => Array.from({ length: count }, (_, index) => `10.0.0.${index}@1`);

describe('allocateAveragely', () => {
  it('gives contiguous blocks, the first members one extra queue', () => {
    const all = queues(8);
    const ids = clients(3);
    expect(ids.map((id) => allocateAveragely('G', id, all, ids).map((queue) => queue.queueId))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]]);
  });

  it('gives one queue each to the first members when there are more members than queues', () => {
    const ids = clients(5);
    expect(ids.map((id) => allocateAveragely('G', id, queues(3), ids).length)).toEqual([1, 1, 1, 0, 0]);
  });

  it('gives nothing to a client that is not a member', () => {
    expect(allocateAveragely('G', 'stranger', queues(4), clients(2))).toEqual([]);
  });
});

describe('allocateConsistentHash', () => {
  const strategy = allocateConsistentHash();

  it('hashes with the first four MD5 bytes, as RocketMQ does', () => {
    // MD5("a") = 0cc175b9c0f1b6a8...
    expect(md5Hash('a')).toBe(0x0cc175b9);
  });

  it.each([1, 2, 3, 7])('assigns every queue to exactly one of %i members', (memberCount) => {
    const all = queues(16);
    const ids = clients(memberCount);
    const shares = ids.map((id) => strategy('G', id, all, ids).map(queueKey));
    const flat = shares.flat();
    expect(new Set(flat).size).toBe(16);
    expect(flat.length).toBe(16);
  });

  it('moves only the leaving member’s queues when one member leaves', () => {
    const all = queues(32);
    const before = clients(4);
    const after = before.slice(0, 3);
    for (const id of after) {
      const kept = new Set(strategy('G', id, all, before).map(queueKey));
      const now = new Set(strategy('G', id, all, after).map(queueKey));
      for (const key of kept) expect(now.has(key)).toBe(true);
    }
  });
});
