// Before each measured run the comparison lets the machine settle: dirty
// pages left by the previous run (several GiB after a publish workload) are
// written out with `sync`, then it waits until the CPUs have been mostly idle
// for two windows in a row. Without this, whichever system ran right after a
// heavy workload paid for the previous system's writeback and file deletion:
// e2e p99 of every system was 2-4x worse at the end of a full run than in a
// run of the e2e workload alone.
import { spawnSync } from 'node:child_process';
import { parseCpuTicks, readCpuTimes as readCpuTicks, type CpuTimes as CpuTicks } from './cpu-split.ts';

/** CPU time counters of the whole machine, in clock ticks. */
export interface CpuTimes {
  idle: number;
  total: number;
}

export interface SettleOutcome {
  waitedMs: number;
  /** Idle share of the last window, 0..1; undefined where /proc/stat cannot be read. */
  idle: number | undefined;
  settled: boolean;
}

const windowMs = 250;
const idleShareMin = 0.9;
const quietWindowsNeeded = 2;

/**
 * The aggregate `cpu` line of /proc/stat as idle (idle + iowait) and total
 * ticks; undefined when the text has no such line.
 *
 * @example
 * parseCpuTimes('cpu  10 0 5 80 5 0 0 0 0 0\n') // { idle: 85, total: 100 }
 */
export function parseCpuTimes(text: string): CpuTimes | undefined {
  const ticks = parseCpuTicks(text);
  return ticks && idleAndTotal(ticks);
}

function idleAndTotal(ticks: CpuTicks): CpuTimes {
  return { idle: ticks.idle + ticks.iowait, total: ticks.user + ticks.system + ticks.idle + ticks.iowait + ticks.irq + ticks.softirq + ticks.steal };
}

/** Idle share between two readings; 1 when no tick passed. */
export function idleShare(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  return total <= 0 ? 1 : (after.idle - before.idle) / total;
}

function readCpuTimes(): CpuTimes | undefined {
  const ticks = readCpuTicks();
  return ticks && idleAndTotal(ticks);
}

/** Writes out dirty pages, then waits (at most `maxMs`) for two quiet windows in a row. */
export async function settleMachine(maxMs: number): Promise<SettleOutcome> {
  const started = performance.now();
  spawnSync('sync', { stdio: 'ignore' });
  let previous = readCpuTimes();
  if (previous === undefined) return { waitedMs: performance.now() - started, idle: undefined, settled: false };
  let quiet = 0;
  let idle = 0;
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const current = readCpuTimes()!;
    idle = idleShare(previous, current);
    previous = current;
    quiet = idle >= idleShareMin ? quiet + 1 : 0;
    if (quiet >= quietWindowsNeeded) return { waitedMs: performance.now() - started, idle, settled: true };
  }
  return { waitedMs: performance.now() - started, idle, settled: false };
}
