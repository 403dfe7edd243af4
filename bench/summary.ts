// The target table, from the newest runs (bench/report.ts latestRuns): one row per target,
// each from the run of the node count and QPS the target names, "–" where that run is missing.
// The target cell carries what was measured against it and ✓/✗ where the data decides. At the
// top of latest.md and, through `npm run bench:report -- --readme`, in the README. Pure.
import type { SideResult } from './measure.ts';
import type { RunResult, ScenarioResult } from './result.ts';
import type { ScenarioName } from './scenarios.ts';
import { dash, mib, ms, ratio, time } from './format.ts';

const MiB = 2 ** 20;

export interface SummaryRow {
  readonly scenario: string;
  readonly builtin: string;
  readonly ours: string;
  readonly ratio: string;
  readonly writesPerPod: string;
  readonly target: string;
  /** What was measured against the target, if anything. */
  readonly measured?: string;
  /** Undefined when the data cannot decide. */
  readonly met?: boolean;
}

/**
 * The run at `qps` with `scenario`: at `nodes` exactly, or (`anyNodes`, for the StatefulSet rows,
 * whose pods do not depend on the node count) else the one with the most nodes.
 */
export function pickRun(runs: readonly RunResult[], qps: number, nodes: number, scenario: ScenarioName | undefined, anyNodes = false): RunResult | undefined {
  const has = (r: RunResult): boolean => r.qps === qps && (scenario === undefined || r.scenarios.some((s) => s.name === scenario));
  const exact = runs.find((r) => has(r) && r.nodes === nodes);
  if (exact || !anyNodes) return exact;
  return [...runs].filter(has).sort((a, b) => b.nodes - a.nodes)[0];
}

const wpp = (side: SideResult | undefined): string => (side?.writesPerPod === undefined ? dash : side.writesPerPod.toFixed(2));

function timeRow(s: ScenarioResult | undefined, label: string, target: string, judge?: (s: ScenarioResult) => { measured: string; met?: boolean }): SummaryRow {
  if (!s) return { scenario: label, builtin: dash, ours: dash, ratio: dash, writesPerPod: dash, target };
  const verdict = judge?.(s);
  return {
    scenario: label,
    builtin: time(s.builtin),
    ours: time(s.ours),
    ratio: ratio(s.ours?.wallSeconds, s.builtin?.wallSeconds),
    writesPerPod: `${wpp(s.builtin)}; ${wpp(s.ours)}`,
    target,
    ...(verdict ?? {}),
  };
}

const below = (value: number | undefined, limit: number): boolean | undefined => (value === undefined ? undefined : value <= limit);
const both = (a: boolean | undefined, b: boolean | undefined): boolean | undefined => (a === false || b === false ? false : a === undefined || b === undefined ? undefined : true);
const quotient = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined || b === 0 ? undefined : a / b);

function scenarioOf(run: RunResult | undefined, name: ScenarioName): ScenarioResult | undefined {
  return run?.scenarios.find((s) => s.name === name);
}

/** ≤ `limit` × the unbound raw loop of the same count. */
function vsUnboundRaw(limit: number) {
  return (s: ScenarioResult): { measured: string; met?: boolean } => {
    if (!s.rawUnbound) return { measured: 'no unbound raw loop in that run' };
    const q = quotient(s.ours?.wallSeconds, s.rawUnbound.wallSeconds);
    return { measured: `ours / unbound raw ${ratio(s.ours?.wallSeconds, s.rawUnbound.wallSeconds)}`, met: below(q, limit) };
  };
}

function rssRow(run: RunResult | undefined, nodes: number, limitMiB: number, belowKcm: boolean): SummaryRow {
  const ours = run?.operator.rssCachedBytes;
  const kcm = run?.kubeControllerManager?.rssCachedBytes;
  const target = `≤ ${limitMiB} MiB${belowKcm ? " and below kube-controller-manager's" : ''}`;
  const met = both(below(ours, limitMiB * MiB), belowKcm ? (ours === undefined || kcm === undefined ? undefined : ours < kcm) : true);
  return {
    scenario: `operator RSS, ${nodes} nodes + ${nodes} pods cached`,
    builtin: mib(kcm),
    ours: mib(ours),
    ratio: ratio(ours, kcm),
    writesPerPod: dash,
    target,
    ...(ours !== undefined ? { measured: mib(ours), met } : {}),
  };
}

/** The target rows; `runs` as latestRuns returns them (newest per node count and QPS). */
export function summaryRows(runs: readonly RunResult[]): SummaryRow[] {
  const rolling = scenarioOf(pickRun(runs, 20, 1000, 'sts-rolling-update', true), 'sts-rolling-update');
  const rollout = scenarioOf(pickRun(runs, 20, 1000, 'ds-rollout'), 'ds-rollout');
  const dsCreate = scenarioOf(pickRun(runs, 0, 1000, 'ds-create'), 'ds-create');
  const parallel = scenarioOf(pickRun(runs, 0, 1000, 'sts-parallel-create', true), 'sts-parallel-create');
  const ordered = scenarioOf(pickRun(runs, 0, 1000, 'sts-ordered-create', true), 'sts-ordered-create');
  const rss1000 = pickRun(runs, 0, 1000, 'ds-create') ?? pickRun(runs, 20, 1000, 'ds-create');
  const rss5000 = pickRun(runs, 0, 5000, 'ds-create') ?? pickRun(runs, 20, 5000, 'ds-create');
  return [
    timeRow(rolling, `StatefulSet rolling update of ${rolling?.pods ?? 500}, QPS 20`, '≤ 0.6× built-in, ≤ 2.4 writes per pod', (s) => ({
      measured: `${ratio(s.ours?.wallSeconds, s.builtin?.wallSeconds)}, ${wpp(s.ours)} writes per pod`,
      met: both(below(quotient(s.ours?.wallSeconds, s.builtin?.wallSeconds), 0.6), below(s.ours?.writesPerPod, 2.4)),
    })),
    // "On the limit": the time is the rate limit's on both sides; only the writes are judged.
    timeRow(rollout, 'DaemonSet image rollout, QPS 20, 1000 nodes', 'on the limit, ≤ 2.02 writes per pod', (s) => ({
      measured: `${wpp(s.ours)} writes per pod`,
      met: below(s.ours?.writesPerPod, 2.02),
    })),
    timeRow(dsCreate, 'DaemonSet create, unlimited, 1000 nodes', '≤ 1.2× unbound raw loop', vsUnboundRaw(1.2)),
    timeRow(parallel, `StatefulSet Parallel 0 → ${parallel?.pods ?? 500}, unlimited`, '≤ 1.2× unbound raw loop', vsUnboundRaw(1.2)),
    timeRow(ordered, `StatefulSet OrderedReady 0 → ${ordered?.pods ?? 50}, unlimited`, '≤ 1.0× built-in', (s) => ({
      measured: ratio(s.ours?.wallSeconds, s.builtin?.wallSeconds),
      met: below(quotient(s.ours?.wallSeconds, s.builtin?.wallSeconds), 1.0),
    })),
    rssRow(rss1000, 1000, 150, true),
    rssRow(rss5000, 5000, 250, false),
  ];
}

function targetCell(row: SummaryRow): string {
  if (row.measured === undefined) return row.target;
  const mark = row.met === undefined ? '' : row.met ? ' ✓' : ' ✗';
  return `${row.target}: ${row.measured}${mark}`;
}

/** Status lag p95 of the scenarios the target rows time (target ≤ 1 s). */
function statusLagTable(runs: readonly RunResult[]): string[] {
  const picks: readonly [string, ScenarioResult | undefined][] = [
    ['StatefulSet rolling update, QPS 20', scenarioOf(pickRun(runs, 20, 1000, 'sts-rolling-update', true), 'sts-rolling-update')],
    ['DaemonSet image rollout, QPS 20, 1000 nodes', scenarioOf(pickRun(runs, 20, 1000, 'ds-rollout'), 'ds-rollout')],
    ['DaemonSet create, unlimited, 1000 nodes', scenarioOf(pickRun(runs, 0, 1000, 'ds-create'), 'ds-create')],
    ['StatefulSet Parallel create, unlimited', scenarioOf(pickRun(runs, 0, 1000, 'sts-parallel-create', true), 'sts-parallel-create')],
    ['StatefulSet OrderedReady create, unlimited', scenarioOf(pickRun(runs, 0, 1000, 'sts-ordered-create', true), 'sts-ordered-create')],
  ];
  const lines = ['| status lag p95, ms | built-in | ours | target ≤ 1 s (ours) |', '|---|---:|---:|---|'];
  for (const [label, s] of picks) {
    const ours = s?.ours?.statusLag?.p95;
    const mark = ours === undefined ? dash : ours <= 1000 ? '✓' : '✗';
    lines.push(`| ${label} | ${ms(s?.builtin?.statusLag?.p95)} | ${ms(ours)} | ${mark} |`);
  }
  return lines;
}

/** The target table and the status-lag table, as markdown. */
export function summaryMarkdown(runs: readonly RunResult[]): string {
  const lines = [
    '| scenario | built-in | ours | ours / built-in | writes per pod (built-in; ours) | target |',
    '|---|---:|---:|---:|---:|---|',
    ...summaryRows(runs).map((r) => `| ${r.scenario} | ${r.builtin} | ${r.ours} | ${r.ratio} | ${r.writesPerPod} | ${targetCell(r)} |`),
    '',
    "RSS rows: the built-in column is kube-controller-manager's whole process (every controller it runs), sampled at the same moment. Rows at QPS 20 come from the 1000-node QPS 20 run, the others from the unlimited runs; the StatefulSet rows fall back to the largest node count run when there is no 1000-node run. The rollout at QPS 20 is judged on its writes only: its time is the rate limit's on both sides.",
    '',
    ...statusLagTable(runs),
  ];
  return lines.join('\n');
}
