/**
 * Reading single properties out of the encoded properties text (wire §12.1)
 * without splitting it into a map: the store needs `TAGS`, `KEYS`, `UNIQ_KEY`
 * and `WAIT` of every message, so this stays allocation-light.
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

/** True when the message asks not to wait for the flush (`WAIT` = `false`). */
export function isWaitFalse(properties: string): boolean {
  return properties.includes('WAIT\u0001false') && findProperty(properties, 'WAIT') === 'false';
}
