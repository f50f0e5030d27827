// Runs one workload against one target in this fresh process and prints one
// JSON line (a ChildReport) on stdout; everything else goes to stderr.
//
//   node --import tsx test/bench/child.ts <target> '<workload-json>'
import { access } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchTarget, ChildReport, Workload } from './targets/target.ts';

const targetsDirectory = fileURLToPath(new URL('./targets/', import.meta.url));
const targetNamePattern = /^[a-z0-9-]+$/;

/** Loads test/bench/targets/<name>.ts; undefined when there is no such target module. */
export async function loadTarget(name: string): Promise<BenchTarget | undefined> {
  if (!targetNamePattern.test(name)) return undefined;
  const path = `${targetsDirectory}${name}.ts`;
  try {
    await access(path);
  } catch {
    return undefined;
  }
  const module = (await import(pathToFileURL(path).href)) as { target?: BenchTarget; default?: BenchTarget };
  return module.target ?? module.default;
}

export async function runChild(targetName: string, workload: Workload): Promise<ChildReport> {
  const target = await loadTarget(targetName);
  if (target === undefined) return { status: 'skipped', reason: `${targetName}: target not available` };
  const available = await target.available();
  if (available !== true) return { status: 'skipped', reason: available === false ? 'not available' : available };
  const unsupported = target.unsupported?.(workload);
  if (unsupported !== undefined) return { status: 'unsupported', reason: unsupported };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= target.stop?.() ?? Promise.resolve());
  // The parent sends SIGTERM on timeout; stop private servers before leaving.
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));
  try {
    await target.start?.();
    const summary =
      workload.kind === 'publish'
        ? await target.publish(workload)
        : workload.kind === 'consume-backlog'
          ? await target.consumeBacklog(workload)
          : await target.endToEnd(workload);
    return { status: 'ok', summary };
  } catch (error) {
    return { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await stop().catch((error: unknown) => console.error(`${targetName}: stop failed:`, error));
  }
}

async function main(): Promise<void> {
  const [targetName, workloadJson] = process.argv.slice(2);
  if (targetName === undefined || workloadJson === undefined) {
    console.error('usage: node --import tsx test/bench/child.ts <target> <workload-json>');
    process.exitCode = 2;
    return;
  }
  const workload = JSON.parse(workloadJson) as Workload;
  const invalid = invalidField(workload);
  const report: ChildReport =
    invalid === undefined ? await runChild(targetName, workload) : { status: 'failed', reason: `workload field ${invalid} is invalid` };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // Client libraries may keep timers or sockets alive; the report is out, so leave.
  process.exit(0);
}

/** The first numeric workload field that is missing or out of range, so a bad argument fails instead of hanging. */
function invalidField(workload: Workload): string | undefined {
  const positive = ['messageBytes', 'inFlightMax', 'producers', 'batchSize', 'backlogMessages'] as const;
  for (const field of positive) {
    if (!Number.isInteger(workload[field]) || workload[field] < 1) return field;
  }
  const nonNegative = ['durationSeconds', 'warmupSeconds', 'offeredRatePerSecond'] as const;
  for (const field of nonNegative) {
    if (typeof workload[field] !== 'number' || !(workload[field] >= 0)) return field;
  }
  if (workload.batchSize > workload.inFlightMax) return 'batchSize';
  return undefined;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
