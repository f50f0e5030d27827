/**
 * Delay levels (RocketMQ `messageDelayLevel`): a space-separated list of
 * durations, `1s 5s 10s 30s 1m …`, with units s, m, h and d (and ms, so
 * tests can use short levels). Level n (1-based) waits the n-th duration; the
 * number of entries is the highest level.
 */

export const messageDelayLevelDefault = '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h';

/** Most levels a table may have: SCHEDULE_TOPIC_XXXX has one queue per level. */
export const delayLevelsMax = 64;

const unitMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type DelayLevelTable = readonly number[];

export type DelayLevelParse = { ok: true; table: DelayLevelTable } | { ok: false; reason: string };

/** Parses a level list into milliseconds per level (index 0 = level 1). */
export function parseDelayLevels(text: string): DelayLevelParse {
  const entries = text.trim().split(/\s+/).filter((entry) => entry !== '');
  if (entries.length === 0) return { ok: false, reason: 'messageDelayLevel is empty' };
  if (entries.length > delayLevelsMax) return { ok: false, reason: `messageDelayLevel has ${entries.length} levels, more than ${delayLevelsMax}` };
  const table: number[] = [];
  for (const entry of entries) {
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(entry);
    if (!match) return { ok: false, reason: `messageDelayLevel entry ${JSON.stringify(entry)} is not a number followed by ms, s, m, h or d` };
    table.push(Number(match[1]) * unitMs[match[2]!]!);
  }
  return { ok: true, table };
}

/** Parses a level list known to be valid; throws on a bad one (configuration errors stop start-up). */
export function delayLevelTable(text: string): DelayLevelTable {
  const parsed = parseDelayLevels(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.table;
}

/** Delay of a level, with levels above the highest capped to it as RocketMQ does. */
export function delayOfLevel(table: DelayLevelTable, level: number): number {
  return table[Math.min(Math.max(level, 1), table.length) - 1]!;
}
