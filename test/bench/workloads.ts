// The standard workloads every target is measured on, as data.
import type { Workload, WorkloadKind } from './targets/target.ts';

export interface WorkloadSettings {
  durationSeconds: number;
  warmupSeconds: number;
  backlogMessages: number;
}

/**
 * Default settings: 5 s measured after 1 s of warm-up, and a 200k-message
 * backlog. With about 25 variants across the peers (plus Apogee's), three
 * rounds in fresh processes take roughly 10-15 minutes on a 2-core machine.
 */
export const defaultSettings: WorkloadSettings = { durationSeconds: 5, warmupSeconds: 1, backlogMessages: 200_000 };

/** `--quick`: a smoke run that checks every path, not a measurement. */
export const quickSettings: WorkloadSettings = { durationSeconds: 1, warmupSeconds: 0.5, backlogMessages: 20_000 };

/** Unacknowledged messages per producer, as in the issue: 1,000 in flight. */
export const inFlightMax = 1000;

/** Messages per batch for targets that have batch publish. */
export const batchSize = 32;

/** Offered rate of the end-to-end latency run: fixed, well below every peer's ceiling. */
export const endToEndRatePerSecond = 5000;

/** Message size of the backlog and end-to-end runs. */
export const defaultMessageBytes = 1024;

const publishSizesBytes = [128, 1024] as const;
const producerCounts = [1, 4] as const;
const batchSizes = [1, batchSize] as const;

/** Every standard workload, in the order the table lists them. */
export function standardWorkloads(settings: WorkloadSettings): Workload[] {
  const workloads: Workload[] = [];
  for (const batch of batchSizes) {
    for (const messageBytes of publishSizesBytes) {
      for (const producers of producerCounts) {
        workloads.push(
          workload('publish', settings, {
            name: `publish ${sizeLabel(messageBytes)} ${producers}p${batch > 1 ? ` b${batch}` : ''}`,
            messageBytes,
            producers,
            batchSize: batch,
          }),
        );
      }
    }
  }
  workloads.push(workload('consume-backlog', settings, { name: `consume backlog ${sizeLabel(defaultMessageBytes)}` }));
  workloads.push(
    workload('end-to-end', settings, {
      name: `e2e ${sizeLabel(defaultMessageBytes)} @${endToEndRatePerSecond / 1000}k/s`,
      offeredRatePerSecond: endToEndRatePerSecond,
    }),
  );
  return workloads;
}

/** A workload of `kind` with the standard values, overridden by `fields`. */
export function workload(
  kind: WorkloadKind,
  settings: WorkloadSettings,
  fields: Partial<Workload> & { name: string },
): Workload {
  return {
    kind,
    messageBytes: defaultMessageBytes,
    durationSeconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
    backlogMessages: settings.backlogMessages,
    inFlightMax,
    producers: 1,
    batchSize: 1,
    offeredRatePerSecond: 0,
    options: {},
    ...fields,
  };
}

export function sizeLabel(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024}KiB` : `${bytes}B`;
}
