// Statistics for benchmarks: latency percentiles from raw samples, the
// median/min/max of repeated rounds, and an aligned text table with ratios.

/**
 * Most latency samples one recorder keeps. A five-second run at 1M msg/s is
 * 5M samples; 16M samples is 128 MB of Float64, the most we let one child
 * process spend on bookkeeping. Samples past the cap only raise the count of
 * dropped samples and the maximum, so the percentiles then describe a prefix.
 */
export const latencySamplesMax = 16 * 1024 * 1024;

const initialCapacity = 64 * 1024;

export interface LatencySummary {
  samples: number;
  droppedSamples: number;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

/**
 * Collects latency samples in milliseconds into a growable Float64Array, so a
 * sample costs one store and no allocation, and sorts once at the end.
 *
 * @example
 * const latency = new LatencyRecorder();
 * latency.record(0.42);
 * latency.summary().p99Ms; // 0.42
 */
export class LatencyRecorder {
  private samples = new Float64Array(initialCapacity);
  private count = 0;
  private dropped = 0;
  private maxMs = Number.NEGATIVE_INFINITY;

  record(latencyMs: number): void {
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
    if (this.count === this.samples.length) {
      if (this.count >= latencySamplesMax) {
        this.dropped += 1;
        return;
      }
      const grown = new Float64Array(Math.min(this.count * 2, latencySamplesMax));
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count] = latencyMs;
    this.count += 1;
  }

  get size(): number {
    return this.count + this.dropped;
  }

  summary(): LatencySummary {
    const sorted = this.samples.subarray(0, this.count).sort();
    return {
      samples: this.count,
      droppedSamples: this.dropped,
      p50Ms: percentileOfSorted(sorted, 0.5),
      p99Ms: percentileOfSorted(sorted, 0.99),
      p999Ms: percentileOfSorted(sorted, 0.999),
      maxMs: this.count + this.dropped === 0 ? null : this.maxMs,
    };
  }
}

/**
 * Nearest-rank percentile: the smallest sample with at least `quantile` of
 * all samples at or below it. Returns null for no samples.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, quantile: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(quantile * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? null;
}

export interface RoundsSummary {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

/** Median (mean of the middle two for an even count), min and max of rounds. */
export function summarizeRounds(values: readonly number[]): RoundsSummary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, rounds: sorted.length };
}

/** A figure with three significant digits and a k/M suffix for large values. */
export function formatFigure(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${trimDigits(value / 1e6)}M`;
  if (magnitude >= 1e4) return `${trimDigits(value / 1e3)}k`;
  return trimDigits(value);
}

function trimDigits(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** `value / baseline` as "1.23x"; an empty string when there is nothing to divide by. */
export function formatRatio(value: number, baseline: number | undefined): string {
  if (baseline === undefined || baseline === 0 || !Number.isFinite(value)) return '';
  return `${(value / baseline).toFixed(2)}x`;
}

/** "median [min-max] ratio" for one cell of the comparison table. */
export function formatRoundsCell(rounds: RoundsSummary, baselineMedian: number | undefined): string {
  const range = `[${formatFigure(rounds.min)}-${formatFigure(rounds.max)}]`;
  const ratio = formatRatio(rounds.median, baselineMedian);
  return [formatFigure(rounds.median), range, ratio].filter((part) => part !== '').join(' ');
}

/**
 * Lays rows out as columns padded to their widest cell; the first column is
 * left-aligned (labels) and the others right-aligned (figures).
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const columns = Math.max(...all.map((row) => row.length));
  const widths: number[] = [];
  for (let column = 0; column < columns; column += 1) {
    widths.push(Math.max(...all.map((row) => (row[column] ?? '').length)));
  }
  const line = (row: readonly string[]): string =>
    widths
      .map((width, column) => {
        const cell = row[column] ?? '';
        return column === 0 ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
