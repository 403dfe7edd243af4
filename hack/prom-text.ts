// Prometheus text exposition format (version 0.0.4, what /metrics serves) read into samples, for
// the tests and the benchmark: one parser, so label values with escaped quotes, commas or braces
// and special values (NaN, ±Inf) are read the same everywhere. Comments (`# HELP`, `# TYPE`) and
// lines that are not samples are skipped: the callers want values, promtool checks the format.
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** As written, so a histogram's `_bucket`, `_sum` and `_count` are names of their own. */
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * The samples of `text`, in order. With `names`, only samples of those names are read: a
 * kube-apiserver scrape has tens of thousands of lines, most of them not wanted.
 */
export function parsePromText(text: string, names?: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = metricName.exec(line)?.[0];
    if (name === undefined || (names !== undefined && !names.has(name))) continue;
    const sample = parseSample(name, line.slice(name.length));
    if (sample) samples.push(sample);
  }
  return samples;
}

/** `{labels} value [timestamp]` after the name; undefined when malformed. */
function parseSample(name: string, rest: string): Sample | undefined {
  let labels: Labels = {};
  let tail = rest.trimStart();
  if (tail.startsWith('{')) {
    const parsed = parseLabels(tail);
    if (!parsed) return undefined;
    labels = parsed.labels;
    tail = tail.slice(parsed.end);
  } else if (tail === rest) {
    return undefined; // the name runs into something that is neither `{` nor a space
  }
  const [valueText, timestamp, extra] = tail.trim().split(/\s+/);
  if (valueText === undefined || extra !== undefined || (timestamp !== undefined && !/^-?\d+(?:\.\d+)?$/.test(timestamp))) return undefined;
  const value = parseValue(valueText);
  return value === undefined ? undefined : { name, labels, value };
}

/** Go's ParseFloat spellings of the special values, as exporters write them (`+Inf`, `NaN`). */
function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  const inf = /^([+-]?)inf(?:inity)?$/i.exec(text);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (text === '' || !/^[+-]?(?:\d|\.\d)/.test(text)) return undefined;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * Reads `{name="value",…}` from the start of `text`; `end` is the index after the `}`. A value is
 * scanned character by character, so `"`, `,` and `}` inside it (escaped or not) never end it.
 */
function parseLabels(text: string): { labels: Labels; end: number } | undefined {
  // Collected as pairs: assigning a `__proto__` label to an object would set its prototype.
  const pairs: [string, string][] = [];
  let i = skipSpaces(text, 1);
  for (;;) {
    if (text[i] === '}') return { labels: Object.fromEntries(pairs), end: i + 1 };
    const key = labelName.exec(text.slice(i))?.[0];
    if (key === undefined) return undefined;
    i = skipSpaces(text, i + key.length);
    if (text[i] !== '=') return undefined;
    i = skipSpaces(text, i + 1);
    if (text[i] !== '"') return undefined;
    let value = '';
    for (i++; i < text.length && text[i] !== '"'; i++) {
      const c = text[i] ?? '';
      if (c !== '\\') {
        value += c;
        continue;
      }
      i++;
      // The format escapes only `\\`, `\"` and `\n`; any other escaped character stands for itself.
      const escaped = text[i] ?? '';
      value += escaped === 'n' ? '\n' : escaped;
    }
    if (i >= text.length) return undefined;
    pairs.push([key, value]);
    i = skipSpaces(text, i + 1);
    if (text[i] === ',') i = skipSpaces(text, i + 1);
    else if (text[i] !== '}') return undefined;
  }
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/**
 * Sum of the values of the samples named `name` whose labels include every pair of `labels`
 * (or pass it, when a function); 0 when none match.
 */
export function sum(samples: readonly Sample[], name: string, labels: Labels | ((labels: Labels) => boolean) = {}): number {
  const matches = typeof labels === 'function' ? labels : (l: Labels) => Object.entries(labels).every(([k, v]) => l[k] === v);
  let total = 0;
  for (const s of samples) if (s.name === name && matches(s.labels)) total += s.value;
  return total;
}
