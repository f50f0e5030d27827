/**
 * A latency histogram of fixed size: log-linear buckets (one microsecond wide
 * up to 128 µs, then each power of two split into 64 equal parts), so
 * recording costs a few arithmetic operations and no allocation, memory does
 * not grow with the run, and a percentile reads at most 1/64 (1.6 %) above the
 * true sample.
 * Sub-microsecond samples count as the first bucket; samples past the range
 * land in the last bucket, and the exact maximum is kept aside.
 */

/** Width of the linear range in µs; each later power of two gets half as many buckets. */
const subBucketBits = 7;
const subBuckets = 1 << subBucketBits;
const halfSubBuckets = subBuckets / 2;

/**
 * Powers of two covered above the first linear range: 2^(7+30) µs is about
 * 38 hours, far past any latency a benchmark can meaningfully report.
 */
const magnitudes = 30;

export const latencyHistogramBucketCount = subBuckets + magnitudes * halfSubBuckets;

export interface LatencyPercentiles {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(latencyHistogramBucketCount);
  private total = 0;
  private sumMs = 0;
  private maxMs = 0;

  /** Records one latency in milliseconds; negative values (clock skew) count as 0. */
  record(latencyMs: number): void {
    const valueMs = latencyMs > 0 ? latencyMs : 0;
    this.counts[bucketOf(valueMs * 1000)]! += 1;
    this.total += 1;
    this.sumMs += valueMs;
    if (valueMs > this.maxMs) this.maxMs = valueMs;
  }

  /** Adds another histogram's samples, for merging per-worker histograms. */
  merge(other: LatencyHistogram): void {
    for (let index = 0; index < latencyHistogramBucketCount; index++) this.counts[index]! += other.counts[index]!;
    this.total += other.total;
    this.sumMs += other.sumMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  get count(): number {
    return this.total;
  }

  /**
   * The smallest bucket value with at least `quantile` of the samples at or
   * below it (nearest rank), never above the true maximum. Null when empty.
   */
  percentileMs(quantile: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(quantile * this.total));
    let seen = 0;
    for (let index = 0; index < latencyHistogramBucketCount; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) return Math.min(upperMicrosOf(index) / 1000, this.maxMs);
    }
    return this.maxMs;
  }

  summary(): LatencyPercentiles {
    return {
      count: this.total,
      p50Ms: this.percentileMs(0.5),
      p99Ms: this.percentileMs(0.99),
      p999Ms: this.percentileMs(0.999),
      maxMs: this.total === 0 ? null : this.maxMs,
      meanMs: this.total === 0 ? null : this.sumMs / this.total,
    };
  }
}

/** Bucket index of a value in microseconds. Values below `subBuckets` µs map one to one. */
function bucketOf(micros: number): number {
  const value = Math.floor(micros);
  if (value < subBuckets) return value;
  const magnitude = Math.floor(Math.log2(value)) - subBucketBits + 1;
  if (magnitude > magnitudes) return latencyHistogramBucketCount - 1;
  const offset = Math.min(halfSubBuckets - 1, Math.max(0, Math.floor(value / 2 ** magnitude) - halfSubBuckets));
  return subBuckets + (magnitude - 1) * halfSubBuckets + offset;
}

/** The largest microsecond value that falls into a bucket. */
function upperMicrosOf(index: number): number {
  if (index < subBuckets) return index + 1;
  const magnitude = Math.floor((index - subBuckets) / halfSubBuckets) + 1;
  const offset = (index - subBuckets) % halfSubBuckets;
  return (offset + halfSubBuckets + 1) * 2 ** magnitude;
}
