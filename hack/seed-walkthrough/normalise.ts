// Makes a command's output the same on every run against a fresh demo cluster, so the generated
// docs/seed-walkthrough.md can be checked in and compared byte for byte. Pure: the names it needs
// from the cluster (hashes, pod owners) come in as NameFacts.
//
// What varies from run to run and what replaces it:
//   - generated pod-name suffixes (`nginx-deployment-7c44479997-fc7j4`)   → `-<id>`
//   - pod-template-hash and ControllerRevision hashes                     → `<hash-1>`, `<hash-2>`, …
//     numbered per section in the order they first show up (several at once: in the order the
//     walkthrough made their objects), so the numbers do not depend on the hash values, which
//     change whenever the hashed template does
//   - the AGE column of every table                                        → `<age>`
//   - RFC 3339 times, UIDs, describe's Resource Version, IPv4 addresses    → `<time>`, `<uid>`, …
//   - the zone label copied from the node a pod was scheduled to           → `<zone>`
//   - the Events section of `kubectl describe` (ages, counts, and how the rolling steps batch)
// Tables are parsed on kubectl's column layout, their cells rewritten, re-aligned as kubectl's
// tabwriter does, and their rows sorted, since kubectl sorts by the real (random) names.
//
// upstream: cli-runtime pkg/printers/tabwriter.go (minwidth 6, padding 3), k8s.io/apimachinery
// pkg/util/rand (generated names use the alphabet "bcdfghjklmnpqrstvwxz2456789").

/** A hash the cluster holds, with the key that orders hashes that show up at the same step. */
export interface KnownHash {
  readonly hash: string;
  /** namespace/owner, revision and name of the object carrying it: never the hash itself. */
  readonly order: string;
}

/** What normalisation needs to know about names in the cluster. */
export interface NameFacts {
  readonly hashes: readonly KnownHash[];
  /** Objects whose pods get generated names: MyReplicaSets and MyDaemonSets. */
  readonly podOwners: readonly string[];
  /** Local paths that must not show (the work folder, the kubeconfig copy), with their stand-ins. */
  readonly paths?: readonly { readonly path: string; readonly placeholder: string }[];
}

const generatedSuffix = '[bcdfghjklmnpqrstvwxz2456789]{5}';
export const eventsPlaceholder = '<omitted: event ages, counts and batching vary from run to run>';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The numbers hashes stand for, kept for one section. After every command the section `observe`s
 * the hashes in the cluster, remembering the step that first saw each; a hash gets the next number
 * the first time it shows in an output, and several new ones in one output are numbered by the
 * step that saw them first, then by their object. So the numbers follow the order the walkthrough
 * made the objects in, whatever the hash values are and however kubectl sorted them.
 */
export class HashPlaceholders {
  private readonly firstSeen = new Map<string, string>();
  private readonly numbers = new Map<string, number>();

  /** Records the hashes the cluster holds after step `step` (0: before the first command). */
  observe(hashes: readonly KnownHash[], step: number): void {
    for (const { hash, order } of [...hashes].sort((a, b) => compare(a.order, b.order))) {
      if (!this.firstSeen.has(hash)) this.firstSeen.set(hash, `${String(step).padStart(4, '0')}|${order}`);
    }
  }

  /** Numbers the observed hashes that occur in `text` and have no number yet. */
  numberNew(text: string): void {
    const fresh = [...this.firstSeen].filter(([hash]) => !this.numbers.has(hash) && hashPattern(hash).test(text));
    for (const [hash] of fresh.sort(([, a], [, b]) => compare(a, b))) this.numbers.set(hash, this.numbers.size + 1);
  }

  replace(text: string): string {
    // Longest first, so a hash that contains another is not half replaced.
    const hashes = [...this.numbers].sort(([a], [b]) => b.length - a.length);
    return hashes.reduce((out, [hash, n]) => out.replace(hashPattern(hash, 'g'), `<hash-${n}>`), text);
  }
}

function hashPattern(hash: string, flags = ''): RegExp {
  return new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(hash)}(?![A-Za-z0-9])`, flags);
}

/** The rewrites that apply anywhere: names, times, ids, addresses. */
export function normaliseText(text: string, facts: NameFacts, hashes: HashPlaceholders): string {
  let out = text;
  for (const { path, placeholder } of facts.paths ?? []) out = out.split(path).join(placeholder);
  // Suffixes before hashes: the owner names still hold their real hashes here.
  for (const owner of [...facts.podOwners].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`(?<![A-Za-z0-9-])(${escapeRegExp(owner)})-${generatedSuffix}(?![A-Za-z0-9-])`, 'g'), '$1-<id>');
  }
  out = hashes.replace(out);
  return out
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g, '<time>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uid>')
    .replace(/^(\s*Resource Version:\s+)\d+$/gm, '$1<resourceVersion>')
    .replace(/(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g, '<ip>')
    .replace(/(topology\.kubernetes\.io\/zone=)[a-z0-9-]+/g, '$1<zone>');
}

/** `kubectl describe`'s Events section (its heading and indented lines) becomes one line. */
export function dropEvents(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inEvents = false;
  for (const line of lines) {
    if (line.startsWith('Events:')) {
      inEvents = true;
      out.push(`Events:  ${eventsPlaceholder}`);
      continue;
    }
    if (inEvents && /^\s/.test(line) && line.trim() !== '') continue;
    inEvents = false;
    out.push(line);
  }
  return out;
}

// ---- tables -------------------------------------------------------------------------------

const headerCell = /^[A-Z][A-Z0-9_-]*(?: [A-Z][A-Z0-9_/-]*)*$/;

/** Column start offsets when `line` is a kubectl table header (cells 3+ spaces apart), else undefined. */
export function headerColumns(line: string): { readonly starts: number[]; readonly names: string[] } | undefined {
  if (line === '' || line.startsWith(' ')) return undefined;
  const starts: number[] = [];
  const names: string[] = [];
  for (const m of line.matchAll(/\S+(?: \S+)*/g)) {
    if (!headerCell.test(m[0])) return undefined;
    starts.push(m.index);
    names.push(m[0]);
  }
  if (names.length < 2) return undefined;
  for (let i = 1; i < starts.length; i++) {
    const prevEnd = (starts[i - 1] ?? 0) + (names[i - 1] ?? '').length;
    if ((starts[i] ?? 0) - prevEnd < 3) return undefined;
  }
  return { starts, names };
}

/** Splits a table row at the header's column starts; throws when a cell does not line up. */
export function splitRow(row: string, starts: readonly number[]): string[] {
  return starts.map((start, i) => {
    if (start > 0 && row.length > start && row[start - 1] !== ' ') {
      throw new Error(`table row does not line up with its header at column ${i}: ${JSON.stringify(row)}`);
    }
    const end = starts[i + 1] ?? row.length;
    return row.slice(start, end).trimEnd();
  });
}

/** Lays rows out as kubectl's tabwriter does: each column max(6, widest cell + 3), the last unpadded. */
export function renderTable(rows: readonly (readonly string[])[]): string[] {
  const columns = rows[0]?.length ?? 0;
  const widths = Array.from({ length: columns }, (_, i) => Math.max(6, ...rows.map((r) => (r[i] ?? '').length + 3)));
  return rows.map((r) => r.map((cell, i) => (i === columns - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('').trimEnd());
}

const ageColumns = new Set(['AGE', 'LAST SEEN']);
/** Tables listing objects, whose row order is kubectl's sort by (random) name. */
const sortedBy = new Set(['NAME', 'NAMESPACE']);

function normaliseTable(lines: readonly string[], facts: NameFacts, hashes: HashPlaceholders): string[] {
  const header = headerColumns(lines[0] ?? '');
  if (!header) return lines.map((l) => normaliseText(l, facts, hashes));
  const rows = lines.slice(1).map((line) =>
    splitRow(line, header.starts).map((cell, i) => (ageColumns.has(header.names[i] ?? '') ? '<age>' : normaliseText(cell, facts, hashes))),
  );
  if (sortedBy.has(header.names[0] ?? '')) {
    rows.sort((a, b) => {
      const x = a.join('\t');
      const y = b.join('\t');
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  return renderTable([header.names, ...rows]);
}

/**
 * The whole output, normalised: Events dropped, each table (a header line and the non-blank lines
 * under it) rebuilt, every other line rewritten by normaliseText. `hashes` numbers the new hashes.
 */
export function normaliseOutput(raw: string, facts: NameFacts, hashes: HashPlaceholders): string {
  hashes.numberNew(raw);
  const lines = dropEvents(raw.replace(/\n+$/, '').split('\n'));
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] ?? '';
    if (headerColumns(line)) {
      let end = i + 1;
      while (end < lines.length && (lines[end] ?? '') !== '') end++;
      out.push(...normaliseTable(lines.slice(i, end), facts, hashes));
      i = end;
    } else {
      out.push(normaliseText(line, facts, hashes));
      i++;
    }
  }
  return out.join('\n');
}
