import { describe, expect, it } from 'vitest';
import { decodeUniqueId, UniqueIdGenerator } from '../protocol/message-id.ts';
import { decodeProperties } from '../protocol/message-properties.ts';
import { userPropertiesText } from './message.ts';

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
