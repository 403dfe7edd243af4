// Prometheus text exposition, read just far enough for the benchmark: counters and gauges of the
// families it asks for, and the difference between two scrapes of the same endpoint.
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

/** Samples of the named families only (a histogram's `_sum`/`_count` are families of their own). */
export function parsePrometheusText(text: string, families: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace >= 0 && brace < space ? brace : space;
    if (nameEnd <= 0) continue;
    const name = line.slice(0, nameEnd);
    if (!families.has(name)) continue;
    let labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (brace === nameEnd) {
      const close = line.lastIndexOf('}');
      labels = parseLabels(line.slice(brace + 1, close));
      rest = line.slice(close + 1);
    }
    const value = Number(rest.trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) samples.push({ name, labels, value });
  }
  return samples;
}

function parseLabels(body: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const key = m[1];
    const value = m[2];
    if (key !== undefined && value !== undefined) labels[key] = value.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

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

export function total(groups: Readonly<Record<string, number>>): number {
  return Object.values(groups).reduce((a, b) => a + b, 0);
}
