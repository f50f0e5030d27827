import { describe, expect, it } from 'vitest';
import { decodeUniqueId, UniqueIdGenerator } from '../protocol/message-id.ts';
import { decodeProperties } from '../protocol/message-properties.ts';
import { encodeMessageRecord, recordSize } from '../protocol/message-record.ts';
import { decodeMessages, userPropertiesText } from './message.ts';

describe('client message ids', () => {
  it('are 32 hex characters, unique, and carry the client IP and time', () => {
    const generator = new UniqueIdGenerator({ ip: new Uint8Array([10, 0, 0, 2]), pid: 7 });
    const ids = new Set(Array.from({ length: 1000 }, () => generator.next()));
    expect(ids.size).toBe(1000);
    const [first] = ids;
    expect(first).toMatch(/^[0-9A-F]{32}$/);
    const parts = decodeUniqueId(first!)!;
    expect(parts.address).toBe('10.0.0.2');
    expect(parts.pid).toBe(7);
    expect(Math.abs(parts.createdTimestamp - Date.now())).toBeLessThan(5000);
  });
});

describe('userPropertiesText', () => {
  it('encodes tags, keys, delay and user properties', () => {
    const text = userPropertiesText({ topic: 'T', body: 'x', tags: 'A', keys: ['k1', 'k2'], delayLevel: 3, properties: { color: 'red' } });
    expect(Object.fromEntries(decodeProperties(text))).toEqual({ color: 'red', TAGS: 'A', KEYS: 'k1 k2', DELAY: '3' });
  });

  it('encodes delivery times for the 5.x timer', () => {
    const text = userPropertiesText({ topic: 'T', body: 'x', deliverAt: 1_700_000_000_000, delayMs: 1500 });
    expect(Object.fromEntries(decodeProperties(text))).toEqual({ TIMER_DELIVER_MS: '1700000000000', TIMER_DELAY_MS: '1500' });
  });

  it('refuses property names RocketMQ reserves', () => {
    expect(() => userPropertiesText({ topic: 'T', body: 'x', properties: { UNIQ_KEY: 'x' } })).toThrow(/reserved/);
  });
});

describe('received messages', () => {
  const pulled = (properties: string) => {
    const input = {
      queueId: 1, flag: 0, queueOffset: 7, physicalOffset: 4096, sysFlag: 0, bornTimestamp: 1, bornHost: new Uint8Array([127, 0, 0, 1]), bornPort: 5000,
      storeTimestamp: 2, storeHost: new Uint8Array([10, 0, 0, 1]), storePort: 10911, reconsumeTimes: 0, preparedTransactionOffset: 0,
      body: new TextEncoder().encode('hello'), topic: new TextEncoder().encode('T'), properties,
    };
    const target = new Uint8Array(recordSize(5, 1, new TextEncoder().encode(properties).length, 4, 4));
    encodeMessageRecord(target, 0, input);
    return decodeMessages(target, 'broker-a')[0]!;
  };

  it('decode their properties when first read, the last of a duplicate name winning, as msgId and tags do', () => {
    const message = pulled('TAGS\u0001A\u0002UNIQ_KEY\u0001first\u0002KEYS\u0001k1 k2\u0002UNIQ_KEY\u0001ID1\u0002TAGS\u0001B\u0002');
    expect(message.msgId).toBe('ID1');
    expect(message.tags).toBe('B');
    expect(message.properties).toEqual({ TAGS: 'B', UNIQ_KEY: 'ID1', KEYS: 'k1 k2' });
    expect(message.properties).toBe(message.properties);
    expect(message.tags).toBe('B');
    expect(message.keys).toEqual(['k1', 'k2']);
  });

  it('fall back to the offset id without UNIQ_KEY and show decoded properties in JSON', () => {
    const message = pulled('TAGS\u0001A\u0002');
    expect(message.msgId).toBe(message.offsetMsgId);
    const json = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
    expect(json).toMatchObject({ msgId: message.msgId, topic: 'T', queueId: 1, queueOffset: 7, properties: { TAGS: 'A' } });
    expect(json).not.toHaveProperty('propertiesText');
  });
});
