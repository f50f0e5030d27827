import { describe, expect, it } from 'vitest';
import { cpuSplit, describeCpuSplit, readCpuTimes, type CpuTimes } from './cpu-split.ts';

const times = (values: Partial<CpuTimes>): CpuTimes => ({ user: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, ...values });

describe('cpu split', () => {
  it('shares the ticks of a window out, irq counted as system', () => {
    const from = times({ user: 100, system: 50, idle: 1000 });
    const to = times({ user: 135, system: 90, idle: 1011, iowait: 7, irq: 3, softirq: 4 });
    expect(cpuSplit(from, to)).toEqual({ user: 35, system: 43, softirq: 4, iowait: 7, idle: 11, steal: 0 });
    expect(describeCpuSplit(cpuSplit(from, to)!)).toBe('cpu user 35% sys 43% softirq 4% iowait 7% idle 11%');
  });

  it('gives no split for a window without ticks', () => {
    expect(cpuSplit(times({ user: 5 }), times({ user: 5 }))).toBeUndefined();
  });

  it('reads cumulative times that only grow, where /proc/stat exists', () => {
    const first = readCpuTimes();
    if (process.platform !== 'linux') {
      expect(first).toBeUndefined();
      return;
    }
    const second = readCpuTimes()!;
    for (const key of Object.keys(first!) as (keyof CpuTimes)[]) {
      expect(Number.isFinite(first![key])).toBe(true);
      expect(second[key]).toBeGreaterThanOrEqual(first![key]);
    }
  });
});
