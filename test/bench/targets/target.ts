// The seam between the benchmark harness and one broker. Each broker (Apogee,
// Redis Streams, NATS JetStream, RabbitMQ) is a module in this folder that
// exports `target: BenchTarget`; the harness runs every workload against it in
// a fresh child process (see ../child.ts) and compares the summaries.

import type { CpuSplit } from '../cpu-split.ts';

export type WorkloadKind = 'publish' | 'consume-backlog' | 'end-to-end';

/**
 * One variant to measure. Every field is set, so a target reads what it needs
 * and ignores the rest; `options` carries target-specific knobs of the extra
 * variants a target declares (for example Apogee's `{ flush: 'sync' }`).
 */
export interface Workload {
  /** Unique row name in the comparison, e.g. `publish 1KiB 4p b32`. */
  name: string;
  kind: WorkloadKind;
  messageBytes: number;
  /** Measured time for publish and end-to-end, after the warm-up. */
  durationSeconds: number;
  /** Time spent sending before measuring starts (not counted). */
  warmupSeconds: number;
  /** Messages written before a consume-backlog run starts its clock. */
  backlogMessages: number;
  /** Unacknowledged messages allowed per producer connection. */
  inFlightMax: number;
  /** Producer connections, each with its own window of `inFlightMax`. */
  producers: number;
  /** Messages per send call; 1 means no batching. */
  batchSize: number;
  /** Total offered rate for end-to-end runs; 0 means as fast as the window allows. */
  offeredRatePerSecond: number;
  options: Readonly<Record<string, string | number | boolean>>;
}

/**
 * What one run measured; the same shape `apogee bench --json` prints.
 * Latency is send->acknowledge for publish runs and send->receive for
 * end-to-end runs; consume-backlog runs report no latency (null).
 */
export interface BenchSummary {
  target: string;
  workload: string;
  messages: number;
  errors: number;
  seconds: number;
  msgsPerSec: number;
  mbPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  /** Publish and e2e runs on Linux: where the whole machine's CPU time went in the measured window (compare only). */
  machineCpu?: CpuSplit;
  /** How the target ran this workload, when it differs from the obvious. */
  notes?: string[];
}

export interface BenchTarget {
  name: string;
  /** true when the broker can be used, otherwise the reason it cannot (false: no reason known). */
  available(): Promise<boolean | string>;
  /** Server version for the record, when the target can tell. */
  version?(): Promise<string>;
  /** Called once per child process before the run, e.g. to start a private server. */
  start?(): Promise<void>;
  /** Called once per child process after the run, also after a failure. */
  stop?(): Promise<void>;
  /** Why this target cannot run `workload` (shown as "n/a"), or undefined when it can. */
  unsupported?(workload: Workload): string | undefined;
  /** Target-only variants, built from a standard workload of the same kind. */
  extraWorkloads?(template: Workload): Workload[];
  publish(workload: Workload): Promise<BenchSummary>;
  consumeBacklog(workload: Workload): Promise<BenchSummary>;
  endToEnd(workload: Workload): Promise<BenchSummary>;
}

/** What a child process prints as its one JSON line. */
export type ChildReport =
  | { status: 'ok'; summary: BenchSummary }
  | { status: 'skipped' | 'unsupported' | 'failed'; reason: string };
