/**
 * Where the machine's CPU time went over a window, from Linux's /proc/stat:
 * the shares of user, system, softirq, iowait and idle time across all CPUs.
 * On a machine this small the kernel's share (loopback TCP, the page cache)
 * matters as much as either process's own work; elsewhere there is no
 * reading and the split is left out.
 */
import fs from 'node:fs';

/** Cumulative CPU ticks of all CPUs, as /proc/stat's first line gives them. */
export interface CpuTimes {
  user: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** Percentages of the window's ticks, rounded to whole numbers. */
export interface CpuSplit {
  user: number;
  system: number;
  softirq: number;
  iowait: number;
  idle: number;
  steal: number;
}

/**
 * The aggregate `cpu` line of /proc/stat, wherever it stands in `text`;
 * undefined when there is none or it is broken. Fields past the fourth may be
 * missing (older kernels) and count as 0.
 */
export function parseCpuTicks(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (line === undefined) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 4 || fields.some((value) => !Number.isFinite(value))) return undefined;
  const tick = (index: number): number => fields[index] ?? 0;
  // user nice system idle iowait irq softirq steal; guest times are already inside user and nice.
  return { user: tick(0) + tick(1), system: tick(2), idle: tick(3), iowait: tick(4), irq: tick(5), softirq: tick(6), steal: tick(7) };
}

export function readCpuTimes(): CpuTimes | undefined {
  try {
    return parseCpuTicks(fs.readFileSync('/proc/stat', 'latin1'));
  } catch {
    return undefined;
  }
}

export function cpuSplit(from: CpuTimes, to: CpuTimes): CpuSplit | undefined {
  const delta = (key: keyof CpuTimes): number => to[key] - from[key];
  const total = delta('user') + delta('system') + delta('idle') + delta('iowait') + delta('irq') + delta('softirq') + delta('steal');
  if (!(total > 0)) return undefined;
  const share = (ticks: number): number => Math.round((100 * ticks) / total);
  return {
    user: share(delta('user')),
    system: share(delta('system') + delta('irq')),
    softirq: share(delta('softirq')),
    iowait: share(delta('iowait')),
    idle: share(delta('idle')),
    steal: share(delta('steal')),
  };
}

export function describeCpuSplit(split: CpuSplit): string {
  const steal = split.steal > 0 ? ` steal ${split.steal}%` : '';
  return `cpu user ${split.user}% sys ${split.system}% softirq ${split.softirq}% iowait ${split.iowait}% idle ${split.idle}%${steal}`;
}
