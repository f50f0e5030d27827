/** The result of one bench run, as a table for people and one JSON object for scripts. */
import type { LatencyHistogram } from './latency-histogram.ts';
import type { BenchFlags, BenchKind } from './bench-flags.ts';

export interface BenchSummary {
  kind: BenchKind;
  topic: string;
  messages: number;
  errors: number;
  seconds: number;
  msgsPerSec: number;
  /** Body bytes per second, in 10^6 bytes. */
  mbPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
  /** What the latency measures: a send's round trip, or receive time minus born time. */
  latency: 'send' | 'end-to-end';
  size: number;
  inflight: number;
  producers: number;
  consumers: number;
  batch: number;
  flushMode: string | null;
  rate: number | null;
  firstError: string | null;
}

export function summarize(kind: BenchKind, flags: BenchFlags, counts: { messages: number; errors: number; firstError?: string }, elapsedMs: number, latency: LatencyHistogram): BenchSummary {
  const seconds = elapsedMs / 1000;
  const percentiles = latency.summary();
  return {
    kind,
    topic: flags.topic,
    messages: counts.messages,
    errors: counts.errors,
    seconds: round(seconds, 3),
    msgsPerSec: seconds > 0 ? round(counts.messages / seconds, 1) : 0,
    mbPerSec: seconds > 0 ? round((counts.messages * flags.size) / seconds / 1e6, 3) : 0,
    p50Ms: roundOrNull(percentiles.p50Ms),
    p99Ms: roundOrNull(percentiles.p99Ms),
    p999Ms: roundOrNull(percentiles.p999Ms),
    maxMs: roundOrNull(percentiles.maxMs),
    meanMs: roundOrNull(percentiles.meanMs),
    latency: kind === 'produce' ? 'send' : 'end-to-end',
    size: flags.size,
    inflight: flags.inflight,
    producers: flags.producers,
    consumers: flags.consumers,
    batch: flags.batch,
    flushMode: flags.flushMode ?? null,
    rate: kind === 'e2e' ? (flags.rate ?? null) : null,
    firstError: counts.firstError ?? null,
  };
}

export function formatSummary(summary: BenchSummary): string {
  const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(3)} ms`);
  const setup = [
    `${summary.producers} producer${summary.producers === 1 ? '' : 's'}`,
    `${summary.consumers} consumer${summary.consumers === 1 ? '' : 's'}`,
    `inflight ${summary.inflight}`,
    `batch ${summary.batch}`,
    ...(summary.rate !== null ? [`rate ${summary.rate}/s`] : []),
    ...(summary.flushMode ? [summary.flushMode] : []),
  ].join(', ');
  return [
    `bench ${summary.kind}: ${summary.messages} messages of ${summary.size} bytes in ${summary.seconds.toFixed(2)} s on ${summary.topic} (${setup})`,
    `  throughput  ${summary.msgsPerSec.toFixed(0)} msg/s  ${summary.mbPerSec.toFixed(2)} MB/s`,
    `  latency     (${summary.latency}) p50 ${ms(summary.p50Ms)}  p99 ${ms(summary.p99Ms)}  p99.9 ${ms(summary.p999Ms)}  max ${ms(summary.maxMs)}`,
    `  errors      ${summary.errors}${summary.firstError ? ` (first: ${summary.firstError})` : ''}`,
  ].join('\n');
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value, 3);
}
