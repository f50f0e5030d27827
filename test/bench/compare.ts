// `npm run bench -- compare`: Apogee against Redis Streams, NATS JetStream
// and RabbitMQ. Every (target, workload) variant runs in a fresh child
// process; rounds alternate the order of the targets; each figure is the
// median of the rounds with its min and max, and its ratio to the baseline
// (Apogee, or the first available target until Apogee has a target).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadTarget } from './child.ts';
import { describeCpuSplit } from './cpu-split.ts';
import { settleMachine } from './settle.ts';
import { formatRoundsCell, formatTable, summarizeRounds, type RoundsSummary } from './stats.ts';
import type { BenchSummary, BenchTarget, ChildReport, Workload } from './targets/target.ts';
import { defaultSettings, quickSettings, standardWorkloads, type WorkloadSettings } from './workloads.ts';

export const description = 'Apogee vs Redis Streams, NATS JetStream and RabbitMQ: publish, backlog consume, end-to-end latency';

/** Apogee first: it is the baseline column. */
const targetNames = ['apogee', 'redis', 'nats', 'rabbitmq'] as const;

/** A child gets its measured time plus this much for start-up, filling a backlog and draining. */
const childTimeoutSlackMs = 120_000;

const targetMissing = 'target not available';

const childPath = fileURLToPath(new URL('./child.ts', import.meta.url));

interface Options {
  rounds: number;
  settings: WorkloadSettings;
  only: string[] | undefined;
  /** `--workloads a,b`: run only the workloads whose name contains one of these. */
  workloads?: string[];
  jsonPath: string | undefined;
  /** `--client-semi-space <MiB>`: V8 young-generation size of every client child, the same for all targets. */
  clientSemiSpaceMib: number | undefined;
  /**
   * `--client-old-space <MiB>`: V8's initial old-generation size of every client child, the same for all targets.
   * On a small heap V8 keeps starting mark-compacts (its old-generation room stays below the young generation's size);
   * a larger initial old generation leaves room, so the latency rows can be compared without them.
   */
  clientOldSpaceMib?: number;
  /** `--settle <s>`: before each run, `sync` and wait up to this long for idle CPUs; 0 turns it off. */
  settleSeconds: number;
}

interface TargetEntry {
  name: string;
  target?: BenchTarget;
  status: 'available' | 'skipped';
  reason?: string;
  version?: string;
}

interface Cell {
  target: string;
  workload: string;
  status: 'ok' | 'n/a' | 'failed';
  reason?: string;
  rounds: BenchSummary[];
}

const usage = `npm run bench -- compare [--rounds 3] [--duration 5] [--only nats,redis] [--workloads e2e,128B] [--json out.json] [--client-semi-space 64] [--client-old-space 64] [--settle 30] [--quick]`;

export async function run(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (typeof options === 'string') {
    console.error(`${options}\nusage: ${usage}`);
    return 2;
  }
  const targets = await discoverTargets(options.only);
  for (const entry of targets) {
    console.error(`${entry.name}: ${entry.status === 'available' ? (entry.version ?? 'version unknown') : skippedText(entry)}`);
  }
  const available = targets.filter((entry) => entry.status === 'available');
  const plan = planWorkloads(available, options.settings, options.workloads);
  const workloads = plan.workloads;
  const clientNodeFlags = clientHeapFlags(options);
  // APOGEE_BENCH_CLIENT_PROFILE=<dir> runs every client child under `node --cpu-prof` for a profile of the client side.
  const clientProfileDir = process.env.APOGEE_BENCH_CLIENT_PROFILE;
  if (clientProfileDir) clientNodeFlags.push('--cpu-prof', '--cpu-prof-dir', clientProfileDir);
  const cells = await runRounds(available, plan, options.rounds, clientNodeFlags, options.settleSeconds);
  const baseline = available[0]?.name;
  const baselineNote =
    baseline === 'apogee' || baseline === undefined ? undefined : `baseline: ${baseline} (Apogee's target is not available yet)`;
  const machine = machineInfo();
  console.log(renderReport(targets, workloads, cells, baseline, baselineNote, machine, options));
  if (options.jsonPath !== undefined) {
    const document = { command: `npm run bench -- compare ${argv.join(' ')}`.trim(), machine, options, baseline, targets: targets.map(describeTarget), workloads, cells: [...cells.values()].map(withFigures) };
    await writeFile(options.jsonPath, `${JSON.stringify(document, null, 2)}\n`);
    console.error(`wrote ${options.jsonPath}`);
  }
  return [...cells.values()].some((cell) => cell.status === 'failed') ? 1 : 0;
}

/** The V8 heap flags every client child gets, whatever its target. */
function clientHeapFlags(options: Options): string[] {
  const flags: string[] = [];
  if (options.clientSemiSpaceMib !== undefined) flags.push(`--max-semi-space-size=${options.clientSemiSpaceMib}`);
  if (options.clientOldSpaceMib !== undefined) flags.push(`--initial-old-space-size=${options.clientOldSpaceMib}`);
  return flags;
}

function parseOptions(argv: string[]): Options | string {
  const options: Options = { rounds: 3, settings: { ...defaultSettings }, only: undefined, jsonPath: undefined, clientSemiSpaceMib: undefined, settleSeconds: 30 };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = argv[index + 1];
    if (flag === '--quick') {
      options.settings = { ...quickSettings };
      options.rounds = 1;
      continue;
    }
    if (value === undefined) return `${flag} needs a value`;
    index += 1;
    if (flag === '--rounds' && Number.isInteger(Number(value)) && Number(value) >= 1) options.rounds = Number(value);
    else if (flag === '--duration' && Number(value) > 0) options.settings.durationSeconds = Number(value);
    else if (flag === '--backlog' && Number.isInteger(Number(value)) && Number(value) >= 1) options.settings.backlogMessages = Number(value);
    else if (flag === '--workloads') options.workloads = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
    else if (flag === '--only') options.only = value.split(',').map((name) => name.trim());
    else if (flag === '--json') options.jsonPath = value;
    else if (flag === '--settle' && Number(value) >= 0) options.settleSeconds = Number(value);
    else if (flag === '--client-semi-space' && Number.isInteger(Number(value)) && Number(value) >= 1) options.clientSemiSpaceMib = Number(value);
    else if (flag === '--client-old-space' && Number.isInteger(Number(value)) && Number(value) >= 1) options.clientOldSpaceMib = Number(value);
    else return `unknown flag or bad value: ${flag} ${value}`;
  }
  return options;
}

async function discoverTargets(only: string[] | undefined): Promise<TargetEntry[]> {
  const entries: TargetEntry[] = [];
  for (const name of targetNames) {
    if (only !== undefined && !only.includes(name)) continue;
    const target = await loadTarget(name);
    if (target === undefined) {
      entries.push({ name, status: 'skipped', reason: targetMissing });
      continue;
    }
    const available = await target.available().catch((error: unknown) => String(error));
    if (available !== true) {
      entries.push({ name, target, status: 'skipped', reason: available === false ? 'not available' : available });
      continue;
    }
    const version = await target.version?.().catch(() => undefined);
    entries.push({ name, target, status: 'available', version });
  }
  return entries;
}

interface WorkloadPlan {
  workloads: Workload[];
  /** Extra variants and the one target that declared each. */
  ownerOf: Map<string, string>;
}

/** The standard workloads followed by every target's extra variants (e.g. Apogee's SYNC_FLUSH publish). */
function planWorkloads(targets: readonly TargetEntry[], settings: WorkloadSettings, only?: readonly string[]): WorkloadPlan {
  const wanted = (workload: Workload): boolean => only === undefined || only.some((part) => workload.name.includes(part));
  const workloads = standardWorkloads(settings).filter(wanted);
  const ownerOf = new Map<string, string>();
  const names = new Set(workloads.map((workload) => workload.name));
  for (const entry of targets) {
    for (const template of standardWorkloads(settings)) {
      for (const extra of entry.target?.extraWorkloads?.(template) ?? []) {
        if (names.has(extra.name) || !wanted(extra)) continue;
        names.add(extra.name);
        ownerOf.set(extra.name, entry.name);
        workloads.push(extra);
      }
    }
  }
  return { workloads, ownerOf };
}

/** Why `entry` does not run `workload` (shown as n/a), or undefined. */
function notApplicable(entry: TargetEntry, workload: Workload, plan: WorkloadPlan): string | undefined {
  const owner = plan.ownerOf.get(workload.name);
  if (owner !== undefined && owner !== entry.name) return `n/a: ${owner} only`;
  return entry.target?.unsupported?.(workload);
}

async function runRounds(
  targets: readonly TargetEntry[],
  plan: WorkloadPlan,
  rounds: number,
  clientNodeFlags: readonly string[],
  settleSeconds: number,
): Promise<Map<string, Cell>> {
  const cells = new Map<string, Cell>();
  for (const workload of plan.workloads) {
    for (const entry of targets) {
      const reason = notApplicable(entry, workload, plan);
      const status = reason === undefined ? 'ok' : 'n/a';
      cells.set(key(entry.name, workload.name), { target: entry.name, workload: workload.name, status, reason, rounds: [] });
    }
  }
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const workload of plan.workloads) {
      for (const entry of order) {
        const cell = cells.get(key(entry.name, workload.name))!;
        if (cell.status !== 'ok') continue;
        const settle = settleSeconds > 0 ? await settleMachine(settleSeconds * 1000) : undefined;
        const report = await runChildProcess(entry.name, workload, clientNodeFlags);
        const settled = settle === undefined ? '' : ` (settled ${(settle.waitedMs / 1000).toFixed(1)} s${settle.settled ? '' : ', still busy'})`;
        console.error(`[round ${round + 1}/${rounds}] ${workload.name} ${entry.name}: ${describeReport(report)}${settled}`);
        if (report.status === 'ok') cell.rounds.push(report.summary);
        else if (report.status === 'unsupported') Object.assign(cell, { status: 'n/a', reason: report.reason });
        else Object.assign(cell, { status: 'failed', reason: report.reason });
      }
    }
  }
  return cells;
}

function runChildProcess(targetName: string, workload: Workload, nodeFlags: readonly string[]): Promise<ChildReport> {
  const timeoutMs = (workload.warmupSeconds + workload.durationSeconds) * 1000 + childTimeoutSlackMs;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', childPath, targetName, JSON.stringify(workload)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => resolve({ status: 'failed', reason: error.message }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').reverse().find((candidate) => candidate.startsWith('{'));
      if (line === undefined) {
        resolve({ status: 'failed', reason: signal === 'SIGTERM' ? `timed out after ${timeoutMs} ms` : `child exited with ${code ?? signal} and no report` });
        return;
      }
      try {
        resolve(JSON.parse(line) as ChildReport);
      } catch {
        resolve({ status: 'failed', reason: `unreadable report: ${line.slice(0, 200)}` });
      }
    });
  });
}

function describeReport(report: ChildReport): string {
  if (report.status !== 'ok') return `${report.status}: ${report.reason}`;
  const { msgsPerSec, p50Ms, p99Ms, errors, machineCpu } = report.summary;
  const cpu = machineCpu === undefined ? '' : `, ${describeCpuSplit(machineCpu)}`;
  return `${Math.round(msgsPerSec)} msg/s p50 ${p50Ms ?? '-'} ms p99 ${p99Ms ?? '-'} ms errors ${errors}${cpu}`;
}

const key = (target: string, workload: string): string => `${target}\u0000${workload}`;

type Metric = { label: string; unit: string; pick: (summary: BenchSummary) => number | null };

/** Throughput rows show msg/s; the end-to-end row shows its four latency percentiles. */
function metricsFor(workload: Workload): Metric[] {
  if (workload.kind !== 'end-to-end') return [{ label: '', unit: 'msg/s', pick: (summary) => summary.msgsPerSec }];
  return [
    { label: ' p50', unit: 'ms', pick: (summary) => summary.p50Ms },
    { label: ' p99', unit: 'ms', pick: (summary) => summary.p99Ms },
    { label: ' p99.9', unit: 'ms', pick: (summary) => summary.p999Ms },
    { label: ' max', unit: 'ms', pick: (summary) => summary.maxMs },
  ];
}

function figure(cell: Cell | undefined, metric: Metric): RoundsSummary | null {
  if (cell === undefined || cell.status !== 'ok') return null;
  const values = cell.rounds.map(metric.pick).filter((value): value is number => value !== null);
  return summarizeRounds(values);
}

function renderReport(
  targets: readonly TargetEntry[],
  workloads: readonly Workload[],
  cells: Map<string, Cell>,
  baseline: string | undefined,
  baselineNote: string | undefined,
  machine: ReturnType<typeof machineInfo>,
  options: Options,
): string {
  const shown = targets.filter((entry) => entry.status === 'available');
  const heapFlags = clientHeapFlags(options);
  const header = ['workload', 'unit', ...shown.map((entry) => (entry.name === baseline ? `${entry.name} (baseline)` : entry.name))];
  const rows: string[][] = [];
  for (const workload of workloads) {
    for (const metric of metricsFor(workload)) {
      const base = baseline === undefined ? null : figure(cells.get(key(baseline, workload.name)), metric);
      rows.push([
        `${workload.name}${metric.label}`,
        metric.unit,
        ...shown.map((entry) => {
          const cell = cells.get(key(entry.name, workload.name));
          const rounds = figure(cell, metric);
          if (rounds !== null) return formatRoundsCell(rounds, base?.median);
          return cell?.status === 'failed' ? 'failed' : 'n/a';
        }),
      ]);
    }
  }
  const lines = [
    `${machine.date}  ${machine.cpuModel} x${machine.cores}  node ${machine.node}  load ${machine.loadAverage.join(' ')}`,
    `${options.rounds} round(s), ${options.settings.durationSeconds} s measured after ${options.settings.warmupSeconds} s warm-up, backlog ${options.settings.backlogMessages}; cells: median [min-max] ratio to baseline`,
    `client processes: ${heapFlags.length === 0 ? "Node's default V8 heap sizes" : `node ${heapFlags.join(' ')} (every target alike)`}`,
    options.settleSeconds > 0
      ? `before each run: sync, then up to ${options.settleSeconds} s for two 250 ms windows with the CPUs at least 90% idle`
      : 'before each run: no settling (--settle 0)',
    'ratios above 1 mean more msg/s, or more ms (slower) in the latency rows',
    ...(baselineNote === undefined ? [] : [baselineNote]),
    ...targets.filter((entry) => entry.status === 'skipped').map((entry) => `${entry.name}: ${skippedText(entry)}`),
    '',
    formatTable(header, rows),
  ];
  // One line per target and reason: n/a usually repeats for every batch variant.
  const notes = new Set<string>();
  for (const cell of cells.values()) {
    if (cell.status === 'failed') notes.add(`${cell.target} / ${cell.workload}: failed: ${cell.reason}`);
    else if (cell.status === 'n/a' && cell.reason !== undefined) notes.add(`${cell.target}: ${cell.reason}`);
  }
  if (notes.size > 0) lines.push('', ...notes);
  return lines.join('\n');
}

/** A missing target module reads "target not available"; an unreachable broker "skipped: <reason>". */
function skippedText(entry: TargetEntry): string {
  return entry.reason === targetMissing ? targetMissing : `skipped: ${entry.reason}`;
}

function machineInfo(): { date: string; cpuModel: string; cores: number; node: string; os: string; memoryGiB: number; loadAverage: string[] } {
  const processors = cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    node: process.version,
    os: `${process.platform} ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg().map((value) => value.toFixed(2)),
  };
}

function describeTarget(entry: TargetEntry): Omit<TargetEntry, 'target'> {
  const { target: _target, ...rest } = entry;
  return rest;
}

function withFigures(cell: Cell): Cell & { figures: Record<string, RoundsSummary | null> } {
  const pick = { msgsPerSec: (s: BenchSummary) => s.msgsPerSec, mbPerSec: (s: BenchSummary) => s.mbPerSec, p50Ms: (s: BenchSummary) => s.p50Ms, p99Ms: (s: BenchSummary) => s.p99Ms, p999Ms: (s: BenchSummary) => s.p999Ms, maxMs: (s: BenchSummary) => s.maxMs };
  const figures: Record<string, RoundsSummary | null> = {};
  for (const [name, select] of Object.entries(pick)) {
    figures[name] = summarizeRounds(cell.rounds.map(select).filter((value): value is number => value !== null));
  }
  return { ...cell, figures };
}
