import assert from 'node:assert/strict';
import type { SideResult } from '../../bench/measure.ts';
import type { RawResult } from '../../bench/raw-limit.ts';
import type { RunResult, ScenarioResult } from '../../bench/result.ts';
import type { ScenarioName } from '../../bench/scenarios.ts';
import { scenarioTitles } from '../../bench/scenarios.ts';
import { pickRun, summaryMarkdown, summaryRows } from '../../bench/summary.ts';

const MiB = 2 ** 20;

const side = (wallSeconds: number, writesPerPod: number, p95?: number): SideResult => ({
  wallSeconds,
  podsPerSecond: 1000 / wallSeconds,
  settled: true,
  writes: writesPerPod * 1000,
  writesPerPod,
  clientRequests: {},
  apiserverRequests: {},
  apiserverWrites: 0,
  podChurn: { added: 0, deleted: 0, deletedAfterGrace: 0 },
  timeline: {},
  kcmIdlePerSecond: {},
  ...(p95 !== undefined ? { statusLag: { count: 10, p50: p95 / 2, p95, mean: p95 / 2, max: p95, unresolved: 0, alreadyShown: 0 } } : {}),
});

const unbound = (wallSeconds: number): RawResult => ({ pods: 1000, placement: 'unbound', wallSeconds, podsPerSecond: 1000 / wallSeconds, createSeconds: 1, concurrency: 64, errors: 0 });

const scenario = (name: ScenarioName, builtin: SideResult, ours: SideResult, pods: number, rawUnbound?: RawResult): ScenarioResult => ({
  name,
  title: scenarioTitles[name],
  pods,
  builtin,
  ours,
  ...(rawUnbound ? { rawUnbound } : {}),
});

function run(nodes: number, qps: number, scenarios: readonly ScenarioResult[], rss?: number, kcmRss?: number): RunResult {
  return {
    schema: 1,
    date: '2026-12-10T10:00:00.000Z',
    smoke: false,
    nodes,
    qps,
    burst: qps === 0 ? 0 : 30,
    machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 8, kernel: '6', loadAverage: { start: 1, end: 1 } },
    versions: {},
    controlPlane: { kubeControllerManagerFlags: [], kubeSchedulerFlags: [], staleControllerConsistencyDaemonSet: true, staleControllerConsistencyStatefulSet: true },
    counts: { daemonSetPods: nodes, maxUnavailable: 50, statefulSetParallel: 500, statefulSetOrdered: 50 },
    operator: { starts: [], ...(rss !== undefined ? { rssCachedBytes: rss * MiB } : {}) },
    ...(kcmRss !== undefined ? { kubeControllerManager: { rssCachedBytes: kcmRss * MiB } } : {}),
    scenarios,
    errors: [],
  };
}

const q20 = run(1000, 20, [
  scenario('ds-rollout', side(99.9, 2.02), side(101, 2.01), 1000),
  scenario('sts-rolling-update', side(98.8, 4.03), side(50, 2.2, 900), 500),
]);
const unlimited = run(
  1000,
  0,
  [
    scenario('ds-create', side(10.4, 1.12, 400), side(9.35, 1.16, 1200), 1000, unbound(6)),
    scenario('sts-parallel-create', side(5.09, 1.25), side(4.81, 1.2), 500, unbound(4.5)),
    scenario('sts-ordered-create', side(1.23, 3.5), side(1.52, 3.24), 50),
  ],
  140,
  260,
);
const big = run(5000, 0, [scenario('ds-create', side(59, 1.03), side(60, 1.09), 5000)], 482, 700);

describe('summaryRows (bench/summary.ts)', () => {
  const rows = summaryRows([q20, unlimited, big]);
  const row = (prefix: string) => rows.find((r) => r.scenario.startsWith(prefix));

  it('has the issue rows in order', () => {
    assert.deepEqual(
      rows.map((r) => r.scenario),
      [
        'StatefulSet rolling update of 500, QPS 20',
        'DaemonSet image rollout, QPS 20, 1000 nodes',
        'DaemonSet create, unlimited, 1000 nodes',
        'StatefulSet Parallel 0 → 500, unlimited',
        'StatefulSet OrderedReady 0 → 50, unlimited',
        'operator RSS, 1000 nodes + 1000 pods cached',
        'operator RSS, 5000 nodes + 5000 pods cached',
      ],
    );
  });

  it('judges the rolling update on time and writes together', () => {
    const r = row('StatefulSet rolling update');
    assert.equal(r?.ratio, '0.51×');
    assert.equal(r?.writesPerPod, '4.03; 2.20');
    assert.deepEqual([r?.measured, r?.met], ['0.51×, 2.20 writes per pod', true]);
  });

  it('judges the rollout at QPS 20 on its writes only', () => {
    assert.deepEqual([row('DaemonSet image rollout')?.measured, row('DaemonSet image rollout')?.met], ['2.01 writes per pod', true]);
  });

  it('compares the create scenarios with the unbound raw loop', () => {
    assert.deepEqual([row('DaemonSet create')?.measured, row('DaemonSet create')?.met], ['ours / unbound raw 1.56×', false]);
    assert.deepEqual([row('StatefulSet Parallel')?.measured, row('StatefulSet Parallel')?.met], ['ours / unbound raw 1.07×', true]);
    assert.equal(row('StatefulSet OrderedReady')?.met, false);
  });

  it('puts kube-controller-manager in the built-in column of the RSS rows', () => {
    const r = row('operator RSS, 1000');
    assert.deepEqual([r?.builtin, r?.ours, r?.ratio, r?.met], ['260 MiB', '140 MiB', '0.54×', true]);
    assert.deepEqual([row('operator RSS, 5000')?.ours, row('operator RSS, 5000')?.met], ['482 MiB', false]);
  });

  it('fails the RSS target above kube-controller-manager even under the limit, and leaves it open without its figure', () => {
    assert.equal(summaryRows([run(1000, 0, [scenario('ds-create', side(1, 1), side(1, 1), 1000)], 140, 120)])[5]?.met, false);
    assert.equal(summaryRows([run(1000, 0, [scenario('ds-create', side(1, 1), side(1, 1), 1000)], 140)])[5]?.met, undefined);
  });

  it('renders "–" for every cell of a missing run', () => {
    const empty = summaryRows([]);
    assert.equal(empty.length, 7);
    for (const r of empty) assert.deepEqual([r.builtin, r.ours, r.ratio, r.writesPerPod, r.measured], ['–', '–', '–', '–', undefined]);
  });
});

describe('pickRun (bench/summary.ts)', () => {
  const other = run(100, 20, [scenario('sts-rolling-update', side(1, 1), side(1, 1), 500)]);

  it('takes the run at the node count, else (StatefulSet rows) the largest run at that QPS with the scenario', () => {
    assert.equal(pickRun([other, q20], 20, 1000, 'sts-rolling-update', true), q20);
    assert.equal(pickRun([other], 20, 1000, 'sts-rolling-update', true), other);
    assert.equal(pickRun([other], 20, 1000, 'sts-rolling-update'), undefined);
    assert.equal(pickRun([q20], 0, 1000, 'sts-rolling-update', true), undefined);
  });
});

describe('summaryMarkdown (bench/summary.ts)', () => {
  const md = summaryMarkdown([q20, unlimited, big]);

  it('renders the target table with the issue columns and the verdicts', () => {
    assert.match(md, /^\| scenario \| built-in \| ours \| ours \/ built-in \| writes per pod \(built-in; ours\) \| target \|$/m);
    assert.match(md, /^\| DaemonSet create, unlimited, 1000 nodes \| 10\.4 s \(96\/s\) \| 9\.35 s \(107\/s\) \| 0\.90× \| 1\.12; 1\.16 \| ≤ 1\.2× unbound raw loop: ours \/ unbound raw 1\.56× ✗ \|$/m);
    assert.match(md, /^\| operator RSS, 1000 nodes \+ 1000 pods cached \| 260 MiB \| 140 MiB \| 0\.54× \| – \| ≤ 150 MiB and below kube-controller-manager's: 140 MiB ✓ \|$/m);
  });

  it('lists the status lag p95 per scenario against 1 s', () => {
    assert.match(md, /^\| StatefulSet rolling update, QPS 20 \| – \| 900 \| ✓ \|$/m);
    assert.match(md, /^\| DaemonSet create, unlimited, 1000 nodes \| 400 \| 1200 \| ✗ \|$/m);
    assert.match(md, /^\| StatefulSet Parallel create, unlimited \| – \| – \| – \|$/m);
  });

  it('renders with no runs, every cell "–"', () => {
    const none = summaryMarkdown([]);
    assert.match(none, /^\| StatefulSet rolling update of 500, QPS 20 \| – \| – \| – \| – \| ≤ 0\.6× built-in, ≤ 2\.4 writes per pod \|$/m);
  });
});

describe('summaryRows with a run from before the unbound raw loop (bench/summary.ts)', () => {
  it('says the loop is missing instead of judging', () => {
    const old = run(1000, 0, [scenario('ds-create', side(10, 1), side(9, 1), 1000)]);
    const r = summaryRows([old]).find((x) => x.scenario.startsWith('DaemonSet create'));
    assert.deepEqual([r?.measured, r?.met], ['no unbound raw loop in that run', undefined]);
  });
});
