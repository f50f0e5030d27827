import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createOffsetMessageId,
  decodeHostAddress,
  decodeOffsetMessageId,
  decodeUniqueId,
  encodeHostAddress,
  UniqueIdGenerator,
} from './message-id.ts';

describe('offset message id', () => {
  it('encodes the verified IPv4 and IPv6 examples', () => {
    expect(createOffsetMessageId({ address: '10.0.0.1', port: 10911 }, 4096)).toBe('0A00000100002A9F0000000000001000');
    expect(createOffsetMessageId({ address: 'fe80::1', port: 10911 }, 4096)).toBe('FE80000000000000000000000000000100002A9F0000000000001000');
  });
  it('unmaps IPv4-mapped IPv6 addresses as Java does', () => {
    expect(createOffsetMessageId({ address: '::ffff:10.0.0.1', port: 10911 }, 4096)).toBe('0A00000100002A9F0000000000001000');
  });
  it('decodes back what it encodes, for any offset up to 2^53', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 65535 }), (offset, port) => {
        expect(decodeOffsetMessageId(createOffsetMessageId({ address: '192.168.1.20', port }, offset))).toEqual({
          address: '192.168.1.20',
          port,
          physicalOffset: offset,
        });
      }),
    );
  });
  it('refuses ids of the wrong length or with non-hex characters', () => {
    expect(decodeOffsetMessageId('0A00000100002A9F000000000000100')).toBeUndefined();
    expect(decodeOffsetMessageId('ZZ00000100002A9F0000000000001000')).toBeUndefined();
  });
});

describe('host address codec', () => {
  it('parses IPv4 and IPv6 and refuses anything else', () => {
    expect(Array.from(encodeHostAddress('1.2.3.4')!)).toEqual([1, 2, 3, 4]);
    expect(encodeHostAddress('::1')!.length).toBe(16);
    expect(decodeHostAddress(encodeHostAddress('2001:db8::1:0')!)).toBe('2001:db8:0:0:0:0:1:0');
    // IPv4 text is remembered by value: the same bytes anywhere give the same text, other bytes other text.
    const record = new Uint8Array([9, 10, 0, 0, 2, 10, 0, 0, 3, 255, 255, 255, 255]);
    expect(decodeHostAddress(record, 1, 4)).toBe('10.0.0.2');
    expect(decodeHostAddress(record, 5, 4)).toBe('10.0.0.3');
    expect(decodeHostAddress(new Uint8Array([10, 0, 0, 2]))).toBe('10.0.0.2');
    expect(decodeHostAddress(record, 9, 4)).toBe('255.255.255.255');
    for (let i = 0; i < 1100; i++) expect(decodeHostAddress(new Uint8Array([192, 168, i >> 8, i & 0xff]))).toBe(`192.168.${i >> 8}.${i & 0xff}`);
    expect(encodeHostAddress('1.2.3.256')).toBeUndefined();
    expect(encodeHostAddress('host.example')).toBeUndefined();
    expect(encodeHostAddress('1::2::3')).toBeUndefined();
  });
});

describe('unique message id (UNIQ_KEY)', () => {
  it('is 32 hex characters for IPv4 and counts up per id', () => {
    const now = new Date(2024, 4, 10, 12, 0, 0).getTime();
    const generator = new UniqueIdGenerator({ ip: new Uint8Array([10, 0, 0, 2]), pid: 0x1234, processHash: 0x0badcafe, now: () => now });
    const first = generator.next();
    const second = generator.next();
    expect(first).toMatch(/^0A00000212340BADCAFE[0-9A-F]{12}$/);
    expect(first.slice(0, 28)).toBe(second.slice(0, 28));
    expect(parseInt(second.slice(28), 16)).toBe(parseInt(first.slice(28), 16) + 1);
    const parts = decodeUniqueId(first, now + 5000)!;
    expect(parts).toEqual({ address: '10.0.0.2', pid: 0x1234, processHash: 0x0badcafe, createdTimestamp: now, counter: 0 });
  });
  it('takes the time from the previous month when this month would put it in the future', () => {
    const created = new Date(2024, 0, 20, 23, 0, 0).getTime();
    const id = new UniqueIdGenerator({ now: () => created }).next();
    const readAt = new Date(2024, 1, 1, 1, 0, 0).getTime();
    expect(decodeUniqueId(id, readAt)!.createdTimestamp).toBe(created);
  });
  it('is 56 hex characters for an IPv6 client', () => {
    expect(new UniqueIdGenerator({ ip: encodeHostAddress('fe80::1') }).next()).toHaveLength(56);
  });
});
