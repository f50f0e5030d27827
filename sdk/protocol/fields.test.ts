import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHeader, int, long, optionalInt } from './fields.ts';

const schema = { count: int, total: long, maybe: optionalInt } as const;

describe('decodeHeader integer fields', () => {
  it('reads signs and leading zeros as Java does, and refuses what is not a decimal integer', () => {
    expect(decodeHeader(schema, { count: '-12', total: '+007' })).toEqual({ ok: true, header: { count: -12, total: 7 } });
    for (const bad of ['', '-', '+', '1x', ' 1', '1.5', '0x10', '١٢']) {
      const decoded = decodeHeader(schema, { count: bad, total: '1' });
      expect(decoded.ok, JSON.stringify(bad)).toBe(false);
    }
    expect(decodeHeader(schema, { count: '1', total: '1', maybe: 'nope' })).toEqual({ ok: true, header: { count: 1, total: 1 } });
  });

  it('bounds int to 32 bits and long to safe integers, at and past each edge', () => {
    expect(decodeHeader(schema, { count: '2147483647', total: '9007199254740991' }).ok).toBe(true);
    expect(decodeHeader(schema, { count: '-2147483648', total: '-9007199254740991' }).ok).toBe(true);
    expect(decodeHeader(schema, { count: '2147483648', total: '1' })).toMatchObject({ ok: false, field: 'count' });
    expect(decodeHeader(schema, { count: '1', total: '9007199254740993' })).toMatchObject({ ok: false, field: 'total' });
  });

  it('agrees with Number() on any integer text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), fc.constantFrom('', '+', '-'), fc.nat({ max: 3 }), (value, sign, zeros) => {
        const digits = '0'.repeat(zeros) + String(Math.abs(value));
        const text = (value < 0 ? '-' : sign) + digits;
        const decoded = decodeHeader(schema, { count: text, total: text });
        expect(decoded).toEqual({ ok: true, header: { count: Number(text), total: Number(text) } });
      }),
    );
  });
});
