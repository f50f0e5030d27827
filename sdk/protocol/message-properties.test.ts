import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProperties, decodePropertiesRecord, encodeProperties, findProperty, isValidPropertyText, reservedPropertyNames, splitKeys } from './message-properties.ts';

// The verified example of the wire reference: a unique key and a tag.
const example = 'UNIQ_KEY\u00010A000002C35018B4AAC2000000000000\u0002TAGS\u0001A\u0002';

describe('properties string', () => {
  it('decodes the reference example', () => {
    expect(decodeProperties(example)).toEqual(new Map([['UNIQ_KEY', '0A000002C35018B4AAC2000000000000'], ['TAGS', 'A']]));
  });

  it('encodes pairs with both separators, the last one terminated too', () => {
    expect(encodeProperties(new Map([['UNIQ_KEY', '0A000002C35018B4AAC2000000000000'], ['TAGS', 'A']]))).toBe(example);
    expect(encodeProperties({ TAGS: 'A', KEYS: undefined })).toBe('TAGS\u0001A\u0002');
  });

  it('drops pairs with an empty name or value and keeps the last duplicate', () => {
    expect(decodeProperties('\u0001x\u0002a\u0001\u0002b\u0001\u0002K\u00011\u0002K\u00012\u0002K\u0001\u0002')).toEqual(new Map([['K', '2']]));
  });

  it('accepts a last pair without its terminator', () => {
    expect(decodeProperties('A\u00011\u0002B\u00012')).toEqual(new Map([['A', '1'], ['B', '2']]));
  });

  it('keeps the text after the first name separator as the value', () => {
    expect(decodeProperties('A\u00011\u00012\u0002')).toEqual(new Map([['A', '1\u00012']]));
  });

  it('round-trips any valid names and values', () => {
    const text = fc.string({ minLength: 1, maxLength: 12 }).filter(isValidPropertyText);
    fc.assert(
      fc.property(fc.dictionary(text, text, { maxKeys: 12 }), (record) => {
        const properties = new Map(Object.entries(record));
        expect(decodeProperties(encodeProperties(properties))).toEqual(properties);
      }),
    );
  });

  it('finds one property exactly as decoding everything does, even in malformed text', () => {
    const alphabet = fc.constantFrom('A', 'B', 'x', '\u0001', '\u0002');
    const text = fc.array(alphabet, { maxLength: 40 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom('A', 'B', 'AB', 'x'), (properties, name) => {
        expect(findProperty(properties, name)).toBe(decodeProperties(properties).get(name));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a property only at the start of a pair', () => {
    expect(findProperty('K\u0001xTAGS\u0001\u0002TAGS\u0001B\u0002', 'TAGS')).toBe('B');
    expect(findProperty(example, 'TAGS')).toBe('A');
    expect(findProperty(example, 'KEYS')).toBeUndefined();
  });
});

describe('property names', () => {
  it('reserve the names the system sets', () => {
    expect(reservedPropertyNames.has('UNIQ_KEY')).toBe(true);
    expect(reservedPropertyNames.has('__transactionId__')).toBe(false);
  });

  it('decodes into a plain object exactly what the Map holds, duplicates, malformed pairs and a __proto__ name included', () => {
    const piece = fc.constantFrom('\u0001', '\u0002', 'K', 'v', '1', '__proto__', 'constructor', 'TAGS');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        const record = decodePropertiesRecord(text);
        const map = decodeProperties(text);
        expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
        // Same keys in the same order as an object built from the Map (integer-like names first, as in any object).
        expect(Object.keys(record)).toEqual(Object.keys(Object.fromEntries(map)));
        expect(Object.keys(record).length).toBe(map.size);
        for (const [name, value] of map) expect(Object.getOwnPropertyDescriptor(record, name)?.value).toBe(value);
      }),
    );
    expect(Object.keys(decodePropertiesRecord('__proto__\u0001x\u0002'))).toEqual(['__proto__']);
  });

  it('split KEYS on single spaces', () => {
    expect(splitKeys('k1 k2  k3')).toEqual(['k1', 'k2', 'k3']);
    expect(splitKeys('')).toEqual([]);
  });
});
