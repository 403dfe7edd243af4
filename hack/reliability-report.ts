// The table of fault-injection runs in docs/reliability.md, rendered from the run records the
// suites write (test/e2e/support/reliability.ts writeRunRecord) into docs/reliability/runs/.
// `npm run test:chaos` runs it after its suites; by hand:
//
//   node hack/reliability-report.ts            rewrite the table between the markers
//   node hack/reliability-report.ts --check    exit 1 if the table is not the one the records give
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './cluster.ts';

export const docFile = path.join(repoRoot, 'docs', 'reliability.md');
const runsDir = path.join(repoRoot, 'docs', 'reliability', 'runs');
const begin = '<!-- runs:begin (hack/reliability-report.ts) -->';
const end = '<!-- runs:end -->';

interface Spread {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

interface RunRecord {
  readonly name: string;
  readonly date: string;
  readonly commit?: string;
  readonly note?: string;
  readonly seed?: number;
  readonly kinds: readonly string[];
  readonly nodes: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly violations: number;
  readonly firstViolations?: readonly string[];
  /** SIGKILL suites: per restart, spawn → holding the Lease again. */
  readonly toLeadingMs?: Spread;
  /** Failover suite: per kill of the leader, kill → the standby leading. */
  readonly takeoverMs?: Spread;
  /** Failover suite: writes the audit log shows a standby made (must be 0). */
  readonly standbyWrites?: number;
  /** API server suite: per restart, kill → /readyz and the control plane's leases renewed. */
  readonly apiServerDownMs?: Spread;
  readonly killFreeRolloutMs?: Readonly<Record<string, number>>;
  readonly completedAfterLastRestartMs?: Readonly<Record<string, number>>;
  /** Fuzz suite: what became of the objects. */
  readonly fuzz?: {
    readonly refusedAtApply: number;
    readonly accepted: number;
    readonly settledByStatus: number;
    readonly explainedByFailure: number;
    readonly unexplained: number;
  };
  /** Conflict storm: other clients' writes missing at the end (must be 0). */
  readonly lostWrites?: number;
}

const short: Readonly<Record<string, string>> = { MyDaemonSet: 'mds', MyStatefulSet: 'msts', MyDeployment: 'mdeploy', MyReplicaSet: 'mrs' };

function row(file: string, r: RunRecord): string {
  const faults = Object.entries(r.faults)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const spreadCell = (s: Spread | undefined): string => (s === undefined ? '—' : `${s.p50} / ${s.p95} / ${s.max}`);
  const notes = [
    r.note,
    r.takeoverMs === undefined ? undefined : 'kill → standby leading',
    r.standbyWrites === undefined ? undefined : `${r.standbyWrites} standby writes in the audit log`,
    r.fuzz === undefined
      ? undefined
      : `${r.fuzz.refusedAtApply} refused at apply time, ${r.fuzz.settledByStatus} settled by their status, ${r.fuzz.explainedByFailure} explained by a failure condition or Warning, ${r.fuzz.unexplained} unexplained`,
    r.lostWrites === undefined ? undefined : `${r.lostWrites} of their writes lost`,
    r.apiServerDownMs === undefined ? undefined : `API server down ${spreadCell(r.apiServerDownMs)} ms`,
    r.seed === undefined ? undefined : `seed ${r.seed}`,
  ];
  const completeIn = (k: string): string => {
    const after = r.completedAfterLastRestartMs?.[k];
    const free = r.killFreeRolloutMs?.[k];
    return `${short[k] ?? k} ${after ?? '?'}${free === undefined ? '' : ` (${free})`}`;
  };
  const complete = r.completedAfterLastRestartMs === undefined ? '—' : r.kinds.map(completeIn).join(', ');
  const cells = [
    `[${r.date.slice(0, 16).replace('T', ' ')}](reliability/runs/${file})`,
    r.commit ?? '',
    `\`${r.name}\``,
    r.kinds.map((k) => short[k] ?? k).join(', '),
    String(r.nodes),
    faults,
    r.violations === 0 ? '0' : `**${r.violations}**`,
    spreadCell(r.toLeadingMs ?? r.takeoverMs),
    complete,
    notes.filter((n) => n !== undefined).join('; '),
  ];
  return `| ${cells.join(' | ')} |`;
}

export function renderTable(): string {
  const records = readdirSync(runsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: f, record: JSON.parse(readFileSync(path.join(runsDir, f), 'utf8')) as RunRecord }))
    .sort((a, b) => a.record.date.localeCompare(b.record.date) || a.file.localeCompare(b.file));
  const header = [
    '| run (UTC) | commit | suite | kinds | nodes | faults | violations | leading again p50 / p95 / max (ms) | complete after the last fault, ms (fault-free rollout) | notes |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  return [...header, ...records.map(({ file, record }) => row(file, record))].join('\n');
}

/** docs/reliability.md with the table rendered from the records. */
export function renderedDoc(doc: string): string {
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${docFile} lacks the markers ${begin} … ${end}`);
  return `${doc.slice(0, from + begin.length)}\n${renderTable()}\n${doc.slice(to)}`;
}

function main(): number {
  const doc = readFileSync(docFile, 'utf8');
  const next = renderedDoc(doc);
  if (process.argv.includes('--check')) {
    if (next === doc) return 0;
    console.error(`${path.relative(repoRoot, docFile)}: the runs table differs from docs/reliability/runs/; run node hack/reliability-report.ts`);
    return 1;
  }
  writeFileSync(docFile, next);
  console.error(`[reliability] ${path.relative(repoRoot, docFile)}: table rendered from ${path.relative(repoRoot, runsDir)}`);
  return 0;
}

if (import.meta.main) process.exit(main());
