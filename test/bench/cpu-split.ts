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

export function readCpuTimes(): CpuTimes | undefined {
  let text: string;
  try {
    text = fs.readFileSync('/proc/stat', 'latin1');
  } catch {
    return undefined;
  }
  const fields = text.slice(0, text.indexOf('\n')).trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 9) return undefined;
  const tick = (index: number): number => Number(fields[index]);
  // user nice system idle iowait irq softirq steal
  return { user: tick(1) + tick(2), system: tick(3), idle: tick(4), iowait: tick(5), irq: tick(6), softirq: tick(7), steal: tick(8) };
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
