// Measurement loops shared by every target, so each target only says how to
// send one batch and how to receive; windows, pacing, warm-up, clocks and
// summaries are the same for all of them.
import { performance } from 'node:perf_hooks';
import { cpuSplit, readCpuTimes, type CpuSplit, type CpuTimes } from '../cpu-split.ts';
import { LatencyRecorder } from '../stats.ts';
import type { BenchSummary, Workload } from './target.ts';

/** Sends `payloads` as one batch (or one message) and settles when the broker acknowledged all of them. */
export type SendBatch = (payloads: readonly Buffer[]) => Promise<unknown>;

/** Called by a target's consumer for every message it receives. */
export type OnPayload = (payload: Uint8Array) => void;

/** Starts a consumer; the returned function stops it. */
export type StartConsumer = (onPayload: OnPayload) => Promise<() => Promise<void>>;

/**
 * After the last send of an end-to-end run, how long to wait for the
 * consumer to catch up. Messages still missing then count as errors.
 */
export const endToEndDrainMs = 10_000;

/** How often the paced sender of an end-to-end run wakes up (the timer floor in Node is about 1 ms). */
const pacingTickMs = 1;

export interface PublishLoopOptions {
  /** One send function per producer connection. */
  lanes: readonly SendBatch[];
  workload: Workload;
  /** Stop after this many messages instead of after the duration (backlog filling). */
  messageLimit?: number;
  /** Stamp each message with its send time for the consumer (end-to-end runs). */
  stampPayloads?: boolean;
}

export interface PublishLoopOutcome {
  /** Messages acknowledged inside the measured window. */
  acknowledged: number;
  errors: number;
  sent: number;
  seconds: number;
  latency: LatencyRecorder;
  /** The machine's CPU split over the measured window (Linux only). */
  machineCpu?: CpuSplit;
}

interface Clock {
  measureFromMs: number;
  measureUntilMs: number;
}

/**
 * Keeps up to `inFlightMax` messages unacknowledged on every lane, optionally
 * paced to `offeredRatePerSecond`, and counts acknowledgements that arrive in
 * the measured window [warm-up end, warm-up end + duration).
 */
export async function runPublishLoop(options: PublishLoopOptions): Promise<PublishLoopOutcome> {
  const { workload } = options;
  const startMs = performance.now();
  const limited = options.messageLimit !== undefined;
  const clock: Clock = limited
    ? { measureFromMs: startMs, measureUntilMs: Number.POSITIVE_INFINITY }
    : {
        measureFromMs: startMs + workload.warmupSeconds * 1000,
        measureUntilMs: startMs + (workload.warmupSeconds + workload.durationSeconds) * 1000,
      };
  const outcome: PublishLoopOutcome = { acknowledged: 0, errors: 0, sent: 0, seconds: 0, latency: new LatencyRecorder() };
  const laneLimit = limited ? Math.ceil(options.messageLimit! / options.lanes.length) : Number.POSITIVE_INFINITY;
  const laneRate = workload.offeredRatePerSecond / options.lanes.length;
  // The machine's CPU times at both ends of the measured window, read by timers on this loop.
  let cpuFrom: CpuTimes | undefined;
  let cpuTo: CpuTimes | undefined;
  const cpuTimers = limited
    ? []
    : [
        setTimeout(() => (cpuFrom = readCpuTimes()), clock.measureFromMs - performance.now()),
        setTimeout(() => (cpuTo = readCpuTimes()), clock.measureUntilMs - performance.now()),
      ];
  await Promise.all(
    options.lanes.map((send) => runLane(send, workload, { clock, outcome, laneLimit, laneRate, stamp: options.stampPayloads === true })),
  );
  for (const timer of cpuTimers) clearTimeout(timer);
  const machineCpu = cpuFrom !== undefined && cpuTo !== undefined ? cpuSplit(cpuFrom, cpuTo) : undefined;
  if (machineCpu !== undefined) outcome.machineCpu = machineCpu;
  const endMs = limited ? performance.now() : Math.min(performance.now(), clock.measureUntilMs);
  outcome.seconds = (endMs - clock.measureFromMs) / 1000;
  return outcome;
}

interface LaneContext {
  clock: Clock;
  outcome: PublishLoopOutcome;
  laneLimit: number;
  laneRate: number;
  stamp: boolean;
}

function runLane(send: SendBatch, workload: Workload, context: LaneContext): Promise<void> {
  const { clock, outcome, laneLimit, laneRate, stamp } = context;
  const batchSize = workload.batchSize;
  // Throughput runs reuse one payload: its content does not matter and a
  // fresh buffer per message would measure the allocator.
  const shared: Buffer[] = new Array<Buffer>(batchSize).fill(Buffer.alloc(workload.messageBytes, 0x61));
  const laneStartMs = performance.now();
  let sent = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  return new Promise<void>((resolve) => {
    const finished = (): boolean => sent >= laneLimit || performance.now() >= clock.measureUntilMs;
    const settle = (count: number, sentAtMs: number, failed: boolean): void => {
      inFlight -= count;
      const nowMs = performance.now();
      if (failed) outcome.errors += count;
      else if (sentAtMs >= clock.measureFromMs && nowMs < clock.measureUntilMs) {
        outcome.acknowledged += count;
        for (let index = 0; index < count; index += 1) outcome.latency.record(nowMs - sentAtMs);
      }
      pump();
    };
    const pump = (): void => {
      if (finished()) {
        if (timer !== undefined) clearInterval(timer);
        timer = undefined;
        if (inFlight === 0) resolve();
        return;
      }
      const allowed = laneRate > 0 ? Math.floor(((performance.now() - laneStartMs) * laneRate) / 1000) - sent : Number.POSITIVE_INFINITY;
      let budget = Math.min(allowed, workload.inFlightMax - inFlight, laneLimit - sent);
      while (budget > 0) {
        const count = Math.min(batchSize, budget);
        const payloads = stamp ? stampedPayloads(count, workload.messageBytes) : count === batchSize ? shared : shared.slice(0, count);
        const sentAtMs = performance.now();
        inFlight += count;
        sent += count;
        outcome.sent += count;
        budget -= count;
        send(payloads).then(
          () => settle(count, sentAtMs, false),
          () => settle(count, sentAtMs, true),
        );
      }
    };
    if (laneRate > 0) timer = setInterval(pump, pacingTickMs);
    pump();
  });
}

/** Fresh payloads whose first 8 bytes hold the send time (performance.now(), little-endian double). */
function stampedPayloads(count: number, messageBytes: number): Buffer[] {
  const payloads: Buffer[] = [];
  const nowMs = performance.now();
  for (let index = 0; index < count; index += 1) {
    const payload = Buffer.alloc(Math.max(8, messageBytes), 0x61);
    payload.writeDoubleLE(nowMs, 0);
    payloads.push(payload);
  }
  return payloads;
}

/**
 * End-to-end latency at a fixed offered rate: a consumer runs while the
 * producers send stamped messages; latency is receive time minus the stamp,
 * recorded for messages sent inside the measured window.
 */
export async function runEndToEnd(
  target: string,
  workload: Workload,
  lanes: readonly SendBatch[],
  startConsumer: StartConsumer,
): Promise<BenchSummary> {
  const latency = new LatencyRecorder();
  let received = 0;
  let measureFromMs = Number.POSITIVE_INFINITY;
  let measureUntilMs = Number.POSITIVE_INFINITY;
  const onPayload: OnPayload = (payload) => {
    received += 1;
    const sentAtMs = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).readDoubleLE(0);
    if (sentAtMs >= measureFromMs && sentAtMs < measureUntilMs) latency.record(performance.now() - sentAtMs);
  };
  const stopConsumer = await startConsumer(onPayload);
  try {
    const startMs = performance.now();
    measureFromMs = startMs + workload.warmupSeconds * 1000;
    measureUntilMs = measureFromMs + workload.durationSeconds * 1000;
    const outcome = await runPublishLoop({ lanes, workload, stampPayloads: true });
    await waitFor(() => received >= outcome.sent - outcome.errors, endToEndDrainMs);
    const missing = Math.max(0, outcome.sent - outcome.errors - received);
    return summarize(target, workload, {
      messages: latency.size,
      errors: outcome.errors + missing,
      seconds: outcome.seconds,
      latency,
      machineCpu: outcome.machineCpu,
      notes: ['latency = receive time - send time, same process; rate is the offered rate achieved'],
    });
  } finally {
    await stopConsumer();
  }
}

export interface Measured {
  messages: number;
  errors: number;
  seconds: number;
  latency?: LatencyRecorder;
  machineCpu?: CpuSplit | undefined;
  notes?: string[];
}

export function summarize(target: string, workload: Workload, measured: Measured): BenchSummary {
  const seconds = measured.seconds > 0 ? measured.seconds : Number.NaN;
  const latency = measured.latency?.summary();
  const msgsPerSec = measured.messages / seconds;
  const summary: BenchSummary = {
    target,
    workload: workload.name,
    messages: measured.messages,
    errors: measured.errors,
    seconds: round(measured.seconds, 3),
    msgsPerSec: round(msgsPerSec, 1),
    mbPerSec: round((msgsPerSec * workload.messageBytes) / 1e6, 2),
    p50Ms: roundOrNull(latency?.p50Ms),
    p99Ms: roundOrNull(latency?.p99Ms),
    p999Ms: roundOrNull(latency?.p999Ms),
    maxMs: roundOrNull(latency?.maxMs),
  };
  if (measured.machineCpu !== undefined) summary.machineCpu = measured.machineCpu;
  if (measured.notes !== undefined && measured.notes.length > 0) summary.notes = measured.notes;
  return summary;
}

/** The publish summary: acknowledged messages in the window, send->ack latency. */
export function summarizePublish(target: string, workload: Workload, outcome: PublishLoopOutcome, notes?: string[]): BenchSummary {
  return summarize(target, workload, {
    messages: outcome.acknowledged, errors: outcome.errors, seconds: outcome.seconds, latency: outcome.latency, machineCpu: outcome.machineCpu, notes,
  });
}

/** Times `consume` (which resolves once `workload.backlogMessages` were received and acknowledged). */
export async function timeBacklogConsume(
  target: string,
  workload: Workload,
  consume: () => Promise<{ received: number; errors: number }>,
  notes?: string[],
): Promise<BenchSummary> {
  const startMs = performance.now();
  const { received, errors } = await consume();
  const seconds = (performance.now() - startMs) / 1000;
  return summarize(target, workload, { messages: received, errors, seconds, notes });
}

/** Polls `condition` every few milliseconds until it holds or `timeoutMs` passes; says which. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadlineMs = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() >= deadlineMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function roundOrNull(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : round(value, 3);
}
