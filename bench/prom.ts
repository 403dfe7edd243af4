// Arithmetic on scraped samples for the benchmark: the difference between two scrapes of the same
// endpoint, and sums grouped by label. Parsing is hack/prom-text.ts.
import type { Labels, Sample } from '../hack/prom-text.ts';

function seriesKey(s: Sample): string {
  return `${s.name}${JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)))}`;
}

/**
 * after − before per series (a series missing before counts from 0). Counters only: a negative
 * difference means the process restarted, and the series then counts from 0 as well.
 */
export function counterDelta(before: readonly Sample[], after: readonly Sample[]): Sample[] {
  const previous = new Map(before.map((s) => [seriesKey(s), s.value]));
  const out: Sample[] = [];
  for (const s of after) {
    const was = previous.get(seriesKey(s)) ?? 0;
    const diff = s.value >= was ? s.value - was : s.value;
    if (diff !== 0) out.push({ ...s, value: diff });
  }
  return out;
}

/** Sum of the samples of `name` whose labels pass `where`, grouped by `key` (one group if omitted). */
export function sumBy(
  samples: readonly Sample[],
  name: string,
  key: (labels: Labels) => string = () => '',
  where: (labels: Labels) => boolean = () => true,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || !where(s.labels)) continue;
    const k = key(s.labels);
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}
