// The settle step reads the machine's CPU counters from /proc/stat; these
// check the parsing and the idle share against hand-computed lines.
import { describe, expect, it } from 'vitest';
import { idleShare, parseCpuTimes } from './settle.ts';

describe('parseCpuTimes', () => {
  it('counts idle and iowait as idle and sums the first eight fields as the total', () => {
    const text = 'cpu  100 5 50 800 20 3 2 10 7 0\ncpu0 50 2 25 400 10 1 1 5 3 0\nintr 1\n';
    expect(parseCpuTimes(text)).toEqual({ idle: 820, total: 990 });
  });

  it('reads the aggregate line, not a per-CPU one, wherever it stands', () => {
    expect(parseCpuTimes('cpu0 1 1 1 1\ncpu  2 0 2 6\n')).toEqual({ idle: 6, total: 10 });
  });

  it('returns undefined for text without an aggregate line or with a broken one', () => {
    expect(parseCpuTimes('intr 5\nctxt 9\n')).toBeUndefined();
    expect(parseCpuTimes('cpu  1 two 3 4\n')).toBeUndefined();
    expect(parseCpuTimes('cpu  1 2\n')).toBeUndefined();
  });
});

describe('idleShare', () => {
  it('is the idle ticks over all ticks between two readings', () => {
    expect(idleShare({ idle: 100, total: 200 }, { idle: 190, total: 300 })).toBeCloseTo(0.9);
    expect(idleShare({ idle: 100, total: 200 }, { idle: 100, total: 300 })).toBe(0);
  });

  it('is 1 when no tick passed', () => {
    expect(idleShare({ idle: 5, total: 10 }, { idle: 5, total: 10 })).toBe(1);
  });
});
