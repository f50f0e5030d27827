// The store reads single properties out of the encoded text. These compare it
// with a plain reference, on text built from property names, separators and
// values, duplicates and broken pairs included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findProperty, propertyValueEnd, propertyValueStart, scanProperties } from './properties.ts';

/** The last non-empty value of `name` among the well-formed `name\u0001value` pairs. */
function reference(properties: string, name: string): string | undefined {
  let found: string | undefined;
  for (const pair of properties.split('\u0002')) {
    const separator = pair.indexOf('\u0001');
    if (separator >= 0 && pair.slice(0, separator) === name && separator + 1 < pair.length) found = pair.slice(separator + 1);
  }
  return found;
}

const piece = fc.constantFrom(
  'TAGS', 'KEYS', 'UNIQ_KEY', 'WAIT', 'XTAGS', 'TAG', 'false', 'a b', '\u0001', '\u0002', 'é', '',
  'DELAY', 'XDELAY', 'TRAN_MSG', 'TIMER_DELAY_SEC', '__STARTDELIVERTIME', '3',
);
const text = fc.array(piece, { maxLength: 14 }).map((pieces) => pieces.join(''));

describe('store properties', () => {
  it('findProperty gives the last non-empty value of a well-formed pair, and the range functions point at it', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('TAGS', 'KEYS', 'UNIQ_KEY', 'WAIT'), (properties, name) => {
        const expected = reference(properties, name);
        expect(findProperty(properties, name)).toBe(expected);
        const start = propertyValueStart(properties, name);
        if (expected === undefined) expect(start).toBe(-1);
        else expect(properties.slice(start, propertyValueEnd(properties, start))).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('scanProperties finds in one pass what findProperty finds name by name', () => {
    const redirecting = (properties: string): boolean =>
      properties.split('\u0002').some((pair) => {
        const separator = pair.indexOf('\u0001');
        if (separator < 0 || separator + 1 >= pair.length) return false;
        const name = pair.slice(0, separator);
        return name === 'DELAY' || name === 'TRAN_MSG' || name === '__STARTDELIVERTIME' || name.startsWith('TIMER_');
      });
    fc.assert(
      fc.property(text, (properties) => {
        const ranges = scanProperties(properties);
        const valueAt = (start: number, end: number): string | undefined => (start < 0 ? undefined : properties.slice(start, end));
        expect(valueAt(ranges.tagsStart, ranges.tagsEnd)).toBe(reference(properties, 'TAGS'));
        expect(valueAt(ranges.keysStart, ranges.keysEnd)).toBe(reference(properties, 'KEYS'));
        expect(valueAt(ranges.uniqueKeyStart, ranges.uniqueKeyEnd)).toBe(reference(properties, 'UNIQ_KEY'));
        expect(ranges.waitFalse).toBe(reference(properties, 'WAIT') === 'false');
        expect(ranges.mayRedirect).toBe(redirecting(properties));
      }),
      { numRuns: 5000 },
    );
  });

  it('scanProperties reads only a prefix when what follows is the cluster property, with the same ranges', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('DefaultCluster', 'TAGS', ''), (prefix, cluster) => {
        // The broker appends CLUSTER, after a separator when the text lacks its last one.
        const pair = `CLUSTER\u0001${cluster}\u0002`;
        const properties = prefix + (prefix.length > 0 && !prefix.endsWith('\u0002') ? '\u0002' + pair : pair);
        const whole = scanProperties(properties);
        const read = scanProperties(properties, prefix);
        expect(read.text).toBe(properties);
        expect(read.source).toBe(prefix);
        const { text: _text, source: _source, ...ranges } = read;
        const { text: _wholeText, source: _wholeSource, ...wholeRanges } = whole;
        expect(ranges).toEqual(wholeRanges);
        if (read.uniqueKeyStart >= 0) expect(read.source.slice(read.uniqueKeyStart, read.uniqueKeyEnd)).toBe(reference(properties, 'UNIQ_KEY'));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads values at the start, in the middle and at an unterminated end', () => {
    const properties = 'TAGS\u0001A\u0002UNIQ_KEY\u0001ID1\u0002KEYS\u0001k1 k2';
    expect(findProperty(properties, 'TAGS')).toBe('A');
    expect(findProperty(properties, 'UNIQ_KEY')).toBe('ID1');
    expect(findProperty(properties, 'KEYS')).toBe('k1 k2');
    expect(findProperty('XTAGS\u0001A\u0002', 'TAGS')).toBeUndefined();
    expect(scanProperties('WAIT\u0001false\u0002').waitFalse).toBe(true);
    expect(scanProperties('WAIT\u0001false\u0002WAIT\u0001true\u0002').waitFalse).toBe(false);
    expect(scanProperties('WAIT\u0001falsey\u0002').waitFalse).toBe(false);
    expect(scanProperties('UNIQ_KEY\u0001ID1\u0002TIMER_DELAY_SEC\u00015\u0002').mayRedirect).toBe(true);
    expect(scanProperties('UNIQ_KEY\u0001TIMER_DELAY_SEC\u0002XDELAY\u00011\u0002').mayRedirect).toBe(false);
  });
});
