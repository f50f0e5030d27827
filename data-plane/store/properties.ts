/**
 * Reading single properties out of the encoded properties text (wire §12.1)
 * without splitting it into a map: the store needs `TAGS`, `KEYS`, `UNIQ_KEY`
 * and `WAIT` of every message, so this stays allocation-light, and
 * `scanProperties` finds all four in one pass.
 */

/** Value of property `name`, or undefined. A later duplicate wins, as in Java. */
export function findProperty(properties: string, name: string): string | undefined {
  const start = propertyValueStart(properties, name);
  return start < 0 ? undefined : properties.slice(start, propertyValueEnd(properties, start));
}

/**
 * Where the value `findProperty` would return starts in `properties`, or -1
 * when there is none; it ends at `propertyValueEnd`. Lets the store hash a
 * value in place instead of slicing it out first.
 */
export function propertyValueStart(properties: string, name: string): number {
  let found = -1;
  let from = 0;
  while (true) {
    const at = properties.indexOf(name, from);
    if (at < 0) return found;
    from = at + 1;
    const separator = at + name.length;
    if ((at === 0 || properties.charCodeAt(at - 1) === 2) && properties.charCodeAt(separator) === 1) {
      const end = propertyValueEnd(properties, separator + 1);
      if (end > separator + 1) found = separator + 1;
    }
  }
}

/** The end (exclusive) of the value starting at `start`: the next `\u0002`, or the end of the text. */
export function propertyValueEnd(properties: string, start: number): number {
  const end = properties.indexOf('\u0002', start);
  return end < 0 ? properties.length : end;
}

/**
 * Where the values that every put reads lie in one properties text, found in
 * one pass over its name/value pairs instead of one search of the whole text
 * per name. Ranges are `[start, end)` in `text`, -1 when absent; as with
 * `findProperty`, a later non-empty duplicate wins. Valid while the
 * message's properties are still `text`.
 */
export interface PropertyRanges {
  readonly text: string;
  /**
   * The text the ranges index into: `text` itself, or a prefix of it that
   * holds every pair read here (`scanProperties`' `prefix`). Hash and slice
   * values from this one: a prefix kept flat saves flattening `text` when it
   * was built by concatenation.
   */
  readonly source: string;
  tagsStart: number;
  tagsEnd: number;
  keysStart: number;
  keysEnd: number;
  uniqueKeyStart: number;
  uniqueKeyEnd: number;
  /** `WAIT` is `false`: the put does not wait for a SYNC_FLUSH. */
  waitFalse: boolean;
  /**
   * A property that can send the message elsewhere is present: `DELAY`, a
   * `TIMER_` name, `__STARTDELIVERTIME` or `TRAN_MSG`. Without one, the
   * delay, timer and transaction rewrites leave the message alone.
   */
  mayRedirect: boolean;
}

/**
 * One pass over `text`'s pairs; see `PropertyRanges`. With `prefix` (a prefix
 * of `text` after which come only pairs that none of the ranges is about,
 * such as the cluster property the broker appends), only `prefix` is read.
 */
export function scanProperties(text: string, prefix: string = text): PropertyRanges {
  const ranges: PropertyRanges = {
    text, source: prefix, tagsStart: -1, tagsEnd: -1, keysStart: -1, keysEnd: -1, uniqueKeyStart: -1, uniqueKeyEnd: -1, waitFalse: false, mayRedirect: false,
  };
  // Only the prefix is read; `text` is kept for the identity checks (`propertyRangesOf`).
  const length = prefix.length;
  let at = 0;
  // The next separator at or after `at`, searched for again only once passed: pairs without one
  // must not make every pair search up to a far-off separator (quadratic on hostile text).
  let separator = prefix.indexOf('\u0001');
  while (at < length && separator >= 0) {
    let end = prefix.indexOf('\u0002', at);
    if (end < 0) end = length;
    if (separator < at) separator = prefix.indexOf('\u0001', at);
    // A pair is `name\u0001value`; text without a separator before the next pair's start names nothing.
    if (separator >= 0 && separator < end && end > separator + 1) classify(ranges, prefix, at, separator, end);
    at = end + 1;
  }
  return ranges;
}

function classify(ranges: PropertyRanges, text: string, at: number, separator: number, end: number): void {
  const value = separator + 1;
  switch (separator - at) {
    case 4:
      if (text.startsWith('TAGS', at)) {
        ranges.tagsStart = value;
        ranges.tagsEnd = end;
      } else if (text.startsWith('KEYS', at)) {
        ranges.keysStart = value;
        ranges.keysEnd = end;
      } else if (text.startsWith('WAIT', at)) ranges.waitFalse = end - value === 5 && text.startsWith('false', value);
      return;
    case 8:
      if (text.startsWith('UNIQ_KEY', at)) {
        ranges.uniqueKeyStart = value;
        ranges.uniqueKeyEnd = end;
      } else if (text.startsWith('TRAN_MSG', at)) ranges.mayRedirect = true;
      return;
    case 5:
      if (text.startsWith('DELAY', at)) ranges.mayRedirect = true;
      return;
    default:
      if (text.startsWith('TIMER_', at) || (separator - at === 18 && text.startsWith('__STARTDELIVERTIME', at))) ranges.mayRedirect = true;
  }
}

/**
 * The message's ranges when they still describe its properties, else a fresh
 * scan, kept on the message for the next reader (the rewriters, then the store).
 */
export function propertyRangesOf(message: { properties: string; propertyRanges?: PropertyRanges }): PropertyRanges {
  const ranges = message.propertyRanges;
  if (ranges !== undefined && ranges.text === message.properties) return ranges;
  return (message.propertyRanges = scanProperties(message.properties));
}
