import { describe, expect, it } from 'vitest';
import type { MessageQueue } from '../message.ts';
import { LatencyFaultTolerance, TopicPublishInfo, notAvailableDuration, selectByShardingKey } from './queue-selection.ts';

const queues: MessageQueue[] = [
  { topic: 'T', brokerName: 'a', queueId: 0 },
  { topic: 'T', brokerName: 'a', queueId: 1 },
  { topic: 'T', brokerName: 'b', queueId: 0 },
  { topic: 'T', brokerName: 'b', queueId: 1 },
];

describe('TopicPublishInfo.select', () => {
  it('visits every queue round robin', () => {
    const info = new TopicPublishInfo(queues);
    const seen = new Set(Array.from({ length: 4 }, () => info.select(undefined)).map((queue) => `${queue!.brokerName}${queue!.queueId}`));
    expect(seen.size).toBe(4);
  });

  it('avoids the broker that just failed on a retry', () => {
    const info = new TopicPublishInfo(queues);
    for (let i = 0; i < 10; i++) expect(info.select(undefined, 'a')!.brokerName).toBe('b');
  });

  it('avoids a broker the fault table isolates, until its time is up', () => {
    let now = 1_000_000;
    const faults = new LatencyFaultTolerance(() => now);
    faults.update('a', 0, true);
    const info = new TopicPublishInfo(queues);
    for (let i = 0; i < 10; i++) expect(info.select(faults)!.brokerName).toBe('b');
    now += 10_001;
    const brokers = new Set(Array.from({ length: 8 }, () => info.select(faults)!.brokerName));
    expect(brokers).toEqual(new Set(['a', 'b']));
  });

  it('still picks a queue when every broker is isolated', () => {
    const faults = new LatencyFaultTolerance(() => 0);
    faults.update('a', 0, true);
    faults.update('b', 0, true);
    expect(new TopicPublishInfo(queues).select(faults)).toBeDefined();
  });

  it('has no queue for a topic without writable queues', () => {
    expect(new TopicPublishInfo([]).select(undefined)).toBeUndefined();
  });
});

describe('latency fault durations', () => {
  it('does not avoid a broker that answered within 100 ms, and avoids a slow one', () => {
    expect(notAvailableDuration(99)).toBe(0);
    expect(notAvailableDuration(550)).toBe(2000);
    expect(notAvailableDuration(15000)).toBe(30000);
  });

  it('forgets a broker after a fast send', () => {
    const faults = new LatencyFaultTolerance(() => 0);
    faults.update('a', 3000, false);
    expect(faults.isAvailable('a')).toBe(false);
    faults.update('a', 10, false);
    expect(faults.isAvailable('a')).toBe(true);
  });
});

describe('selectByShardingKey', () => {
  it('sends one key to one queue, spread as Java’s String.hashCode spreads it', () => {
    expect(selectByShardingKey(queues, 'order-1')).toBe(selectByShardingKey(queues, 'order-1'));
    // "a".hashCode() = 97; 97 % 4 = 1
    expect(selectByShardingKey(queues, 'a')).toBe(queues[1]);
    expect(selectByShardingKey(queues, -7)).toBe(queues[3]);
  });
});
