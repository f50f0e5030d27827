/**
 * Reading single properties out of the encoded properties text (wire §12.1)
 * without splitting it into a map: the store needs `TAGS`, `KEYS`, `UNIQ_KEY`
 * and `WAIT` of every message, so this stays allocation-light.
 */

/** Value of property `name`, or undefined. A later duplicate wins, as in Java. */
export function findProperty(properties: string, name: string): string | undefined {
  let found: string | undefined;
  let from = 0;
  while (true) {
    const at = properties.indexOf(name, from);
    if (at < 0) return found;
    from = at + 1;
    const separator = at + name.length;
    if ((at === 0 || properties.charCodeAt(at - 1) === 2) && properties.charCodeAt(separator) === 1) {
      let end = properties.indexOf('\u0002', separator + 1);
      if (end < 0) end = properties.length;
      if (end > separator + 1) found = properties.slice(separator + 1, end);
    }
  }
}

/** True when the message asks not to wait for the flush (`WAIT` = `false`). */
export function isWaitFalse(properties: string): boolean {
  return properties.includes('WAIT\u0001false') && findProperty(properties, 'WAIT') === 'false';
}
