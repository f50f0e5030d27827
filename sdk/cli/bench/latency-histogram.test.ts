import { describe, expect, it } from 'vitest';
import { LatencyHistogram, latencyHistogramBucketCount } from './latency-histogram.ts';

describe('LatencyHistogram', () => {
  it('reports null percentiles when nothing was recorded', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.summary()).toEqual({ count: 0, p50Ms: null, p99Ms: null, p999Ms: null, maxMs: null, meanMs: null });
  });

  it('reads each percentile within 1.6 % above the nearest-rank sample', () => {
    const histogram = new LatencyHistogram();
    const samples: number[] = [];
    for (let index = 1; index <= 10_000; index++) {
      const latencyMs = (index * 7919) % 50_000 / 100 + 0.001;
      samples.push(latencyMs);
      histogram.record(latencyMs);
    }
    samples.sort((left, right) => left - right);
    for (const quantile of [0.5, 0.99, 0.999]) {
      const exact = samples[Math.ceil(quantile * samples.length) - 1]!;
      const reported = histogram.percentileMs(quantile)!;
      expect(reported).toBeGreaterThanOrEqual(exact);
      expect(reported).toBeLessThanOrEqual(exact * (1 + 1 / 64) + 0.001);
    }
    expect(histogram.summary().maxMs).toBe(samples.at(-1));
  });

  it('keeps the exact maximum and never reports a percentile above it', () => {
    const histogram = new LatencyHistogram();
    histogram.record(3.3333);
    expect(histogram.percentileMs(0.5)).toBe(3.3333);
    expect(histogram.summary().maxMs).toBe(3.3333);
  });

  it('counts negative latencies as zero and huge ones in the last bucket', () => {
    const histogram = new LatencyHistogram();
    histogram.record(-5);
    histogram.record(1e12);
    expect(histogram.count).toBe(2);
    expect(histogram.percentileMs(0.5)).toBeLessThanOrEqual(0.001);
    expect(histogram.summary().maxMs).toBe(1e12);
    expect(latencyHistogramBucketCount).toBe(128 + 30 * 64);
  });

  it('merges another histogram sample for sample', () => {
    const left = new LatencyHistogram();
    const right = new LatencyHistogram();
    left.record(1);
    right.record(100);
    right.record(200);
    left.merge(right);
    expect(left.count).toBe(3);
    expect(left.summary().maxMs).toBe(200);
    expect(left.percentileMs(0.5)).toBeGreaterThanOrEqual(100);
    expect(left.percentileMs(0.5)).toBeLessThan(102);
  });
});
