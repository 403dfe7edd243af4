// Order statistics for the benchmark's latency lists, so every table means the same by p50 and p95.
// Pure.

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly mean: number;
  readonly max: number;
}

/**
 * Nearest-rank percentile (`q` in 0..1): the smallest value with at least q of the values at or
 * below it. An actual observation, never an interpolation, so a p95 of 20 samples is a sample.
 */
export function percentile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** p50, p95, mean and max of `values`; undefined when there are none. */
export function summarize(values: readonly number[]): LatencySummary | undefined {
  const p50 = percentile(values, 0.5);
  const p95 = percentile(values, 0.95);
  if (p50 === undefined || p95 === undefined) return undefined;
  return {
    count: values.length,
    p50,
    p95,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    // reduce, not Math.max(...values): a 5000-node step has more values than a call takes arguments.
    max: values.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}
