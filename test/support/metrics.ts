// Reads one series from the shared registry, so tests assert on what /metrics would show.
import { registry } from '../../src/runtime/metrics/registry.ts';

/** The value of the series of `name` whose labels include `labels`; 0 when it has none yet. */
export async function metricValue(name: string, labels: Readonly<Record<string, string>>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const series = values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return series?.value ?? 0;
}

/** Whether `name` has a series whose labels include `labels` (initialized series count). */
export async function hasSeries(name: string, labels: Readonly<Record<string, string>>): Promise<boolean> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return false;
  const { values } = await metric.get();
  return values.some((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
}

let counter = 0;
/** A name no other test has used, so shared-registry series start at zero. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** `_count` or `_sum` of a histogram series whose labels include `labels`. */
export async function histogramValue(
  name: string,
  part: 'count' | 'sum',
  labels: Readonly<Record<string, string>>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const series = values.find(
    (v) => metricNameOf(v) === `${name}_${part}` && Object.entries(labels).every(([k, want]) => v.labels[k] === want),
  );
  return series?.value ?? 0;
}

/** Upper bounds (`le`) of a histogram's buckets, without +Inf. */
export async function histogramBuckets(name: string): Promise<readonly number[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const bounds = values
    .filter((v) => metricNameOf(v) === `${name}_bucket`)
    .map((v) => v.labels.le)
    .filter((le): le is number => typeof le === 'number');
  return [...new Set(bounds)];
}

/** Histogram values carry `metricName` (`_bucket`, `_sum`, `_count`), which prom-client's `get()` type omits. */
function metricNameOf(value: object): string | undefined {
  return 'metricName' in value && typeof value.metricName === 'string' ? value.metricName : undefined;
}
