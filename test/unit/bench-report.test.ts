import assert from 'node:assert/strict';
import type { Sample } from '../../hack/prom-text.ts';
import type { SideResult } from '../../bench/measure.ts';
import { queueSyncs } from '../../bench/measure.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chart, lagCell, latestRuns, loadResults, markdown, orderedReactionLine, replaceBetween, scenarioHeader, scenarioRow, syncsCell } from '../../bench/report.ts';
import type { RawResult } from '../../bench/raw-limit.ts';
import { scalingChart } from '../../bench/scaling.ts';
import type { RunResult, ScenarioResult } from '../../bench/result.ts';
import type { ScenarioName } from '../../bench/scenarios.ts';
import { scenarioTitles } from '../../bench/scenarios.ts';

const sample = (name: string, queue: string, value: number): Sample => ({ name, labels: { name: queue }, value });

describe('queueSyncs (bench/measure.ts)', () => {
  const delta: readonly Sample[] = [
    sample('workqueue_work_duration_seconds_count', 'deployment', 12),
    sample('workqueue_work_duration_seconds_sum', 'deployment', 0.5),
    sample('workqueue_retries_total', 'deployment', 1),
    sample('workqueue_work_duration_seconds_count', 'replicaset', 300),
    sample('workqueue_work_duration_seconds_sum', 'replicaset', 4),
    sample('workqueue_retries_total', 'replicaset', 2),
    // Another controller in the same process (kube-controller-manager runs them all): left out.
    sample('workqueue_work_duration_seconds_count', 'daemonset', 7),
    sample('workqueue_retries_total', 'daemonset', 3),
  ];

  it('counts one queue alone, with no per-queue split', () => {
    assert.deepEqual(queueSyncs(delta, ['daemonset']), { total: { count: 7, seconds: 0, retries: 3 } });
  });

  it('sums a Deployment step over its deployment and replicaset queues, and keeps each', () => {
    assert.deepEqual(queueSyncs(delta, ['deployment', 'replicaset']), {
      total: { count: 312, seconds: 4.5, retries: 3 },
      byQueue: { deployment: { count: 12, seconds: 0.5, retries: 1 }, replicaset: { count: 300, seconds: 4, retries: 2 } },
    });
  });
});

const side = (wallSeconds: number, writes: number, extra: Partial<SideResult> = {}): SideResult => ({
  wallSeconds,
  podsPerSecond: 500 / wallSeconds,
  settled: true,
  writes,
  writesPerPod: writes / 500,
  clientRequests: { POST: writes },
  apiserverRequests: { 'POST pods': writes },
  apiserverWrites: writes,
  podChurn: { added: 500, deleted: 0, deletedAfterGrace: 0 },
  timeline: {},
  kcmIdlePerSecond: {},
  syncs: { count: 10, seconds: 1, retries: 0 },
  ...extra,
});

const scenario = (name: ScenarioName, builtin: SideResult, ours: SideResult): ScenarioResult => ({
  name,
  title: scenarioTitles[name],
  pods: 500,
  builtin,
  ours,
});

function runWith(scenarios: readonly ScenarioResult[]): RunResult {
  return {
    schema: 1,
    date: '2026-12-01T10:00:00.000Z',
    smoke: false,
    nodes: 100,
    qps: 20,
    burst: 30,
    machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 8, kernel: '6', loadAverage: { start: 1, end: 1 } },
    versions: { kubernetes: 'v1.36.3' },
    controlPlane: {
      kubeControllerManagerFlags: [],
      kubeSchedulerFlags: [],
      staleControllerConsistencyDaemonSet: true,
      staleControllerConsistencyStatefulSet: true,
      staleControllerConsistencyReplicaSet: true,
    },
    counts: { daemonSetPods: 100, maxUnavailable: 10, statefulSetParallel: 500, statefulSetOrdered: 50, deploymentReplicas: 500 },
    operator: { starts: [] },
    scenarios,
    errors: [],
  };
}

describe('the report with the Deployment scenarios (bench/report.ts)', () => {
  const byQueue = { deployment: { count: 12, seconds: 0.5, retries: 1 }, replicaset: { count: 300, seconds: 4, retries: 2 } };
  const run = runWith([
    scenario('deploy-create', side(25, 525), side(26, 530)),
    scenario('deploy-rolling-update', side(55, 1100, { syncsByQueue: byQueue }), side(60, 1150)),
    scenario('deploy-delete', side(25, 500), side(25, 500)),
  ]);
  const md = markdown([run]);

  it('renders a row per Deployment scenario with R replaced by the replica count', () => {
    assert.match(md, /^\| Deployment 0 → 500 Ready \| 25\.0 s \(20\/s\) \| 26\.0 s \(19\/s\) \| 1\.04× \|/m);
    assert.match(md, /^\| Deployment rolling update of 500 \(maxSurge 25%, maxUnavailable 25%\) \| 55\.0 s \(9\/s\) \| 60\.0 s \(8\/s\) \| 1\.09× \|/m);
    assert.match(md, /^\| Deployment delete \(cascade\) of 500 → no pods left \|/m);
  });

  it('lists each Deployment scenario in the ours / built-in summary', () => {
    for (const name of ['deploy-create', 'deploy-rolling-update', 'deploy-delete']) assert.match(md, new RegExp(`^\\| ${name} \\| `, 'm'));
  });

  it('labels the chart groups with the replica count', () => {
    const svg = chart([run]);
    for (const label of ['Deployment 0 → 500', 'Deployment rolling update (500)', 'Deployment delete (500 pods)']) assert.ok(svg.includes(label), label);
  });

  it('shows syncs per queue when a step drove several, else the one count', () => {
    assert.equal(syncsCell({ syncs: { count: 312, seconds: 4.5, retries: 3 }, syncsByQueue: byQueue }), 'deployment 12 (1), replicaset 300 (2)');
    assert.equal(syncsCell({ syncs: { count: 10, seconds: 1, retries: 0 } }), '10 (0)');
    assert.equal(syncsCell({}), '–');
    assert.match(md, /\| deploy-rolling-update \| built-in \| 55\.0 \| deployment 12 \(1\), replicaset 300 \(2\) \|/);
  });
});

describe('latestRuns with a run of some kinds only (bench/report.ts)', () => {
  const at = (run: RunResult, date: string, extra: Partial<RunResult> = {}): RunResult => ({ ...run, date, ...extra });
  const b = side(25, 525);
  const full = at(
    runWith([scenario('ds-create', b, b), scenario('sts-parallel-create', b, b), scenario('deploy-create', side(30, 600), side(31, 600))]),
    '2026-11-25T20:41:00.000Z',
    { operator: { starts: [], rssCachedBytes: 2 ** 27 } },
  );
  const deployOnly = at(
    runWith([scenario('deploy-create', b, b), scenario('deploy-rolling-update', b, b), scenario('deploy-delete', b, b)]),
    '2026-12-01T10:00:00.000Z',
  );

  it('keeps the other kinds from the earlier run, in the chain order, and the newest of each scenario', () => {
    const [run, ...rest] = latestRuns([full, deployOnly]);
    assert.equal(rest.length, 0);
    assert.equal(run?.date, deployOnly.date);
    assert.deepEqual(
      run?.scenarios.map((s) => s.name),
      ['ds-create', 'sts-parallel-create', 'deploy-create', 'deploy-rolling-update', 'deploy-delete'],
    );
    assert.equal(run?.scenarios.find((s) => s.name === 'deploy-create')?.builtin?.wallSeconds, 25);
    assert.deepEqual(run?.earlier, [{ date: full.date, names: ['ds-create', 'sts-parallel-create'] }]);
    assert.equal(run?.operator.rssCachedBytes, 2 ** 27);
  });

  it('says which rows come from the earlier run', () => {
    assert.match(markdown(latestRuns([full, deployOnly])), /^Rows ds-create, sts-parallel-create: from the earlier run of 2026-11-25 20:41 UTC/m);
  });

  it('leaves a run that covered every earlier scenario as it is', () => {
    const subset = at(runWith([scenario('deploy-create', b, b)]), '2026-11-20T00:00:00.000Z');
    assert.deepEqual(latestRuns([subset, full]), [full]);
  });

  it('does not mix node counts or QPS settings', () => {
    const other = at(deployOnly, '2026-12-01T11:00:00.000Z', { qps: 0 });
    const runs = latestRuns([full, other]);
    assert.deepEqual(
      runs.map((r) => [r.qps, r.scenarios.length, r.earlier]),
      [
        [20, 3, undefined],
        [0, 3, undefined],
      ],
    );
  });
});

const raw = (wallSeconds: number, placement: RawResult['placement']): RawResult => ({
  pods: 500,
  ...(placement ? { placement } : {}),
  wallSeconds,
  podsPerSecond: 500 / wallSeconds,
  createSeconds: 1,
  concurrency: 64,
  errors: 0,
});

describe('the per-run table with the unbound raw loop and the status lag (bench/report.ts)', () => {
  const lag = (p50: number, p95: number, unresolved = 0) => ({ statusLag: { count: 500, p50, p95, mean: p50, max: p95, unresolved, alreadyShown: 0 } });
  const s: ScenarioResult = {
    ...scenario('sts-parallel-create', side(5, 600, lag(40, 120)), side(4, 600, lag(12.5, 1500, 2))),
    raw: raw(2, 'bound'),
    rawUnbound: raw(3.2, 'unbound'),
  };

  it('has a cell per header', () => {
    assert.equal(scenarioRow(s).split(' | ').length, scenarioHeader.length);
  });

  it('shows both raw loops with each side against each', () => {
    const cells = scenarioRow(s).split(' | ');
    const at = (name: string): string | undefined => cells[scenarioHeader.indexOf(name)];
    assert.equal(at('raw limit'), '2.00 s (250/s)');
    assert.equal(at('built-in / raw'), '2.50×');
    assert.equal(at('ours / raw'), '2.00×');
    assert.equal(at('raw unbound'), '3.20 s (156/s)');
    assert.equal(at('built-in / unbound raw'), '1.56×');
    assert.equal(at('ours / unbound raw'), '1.25×');
    assert.equal(at('status lag p50/p95 ms, built-in; ours'), '40/120; 13/1500 (2 never shown)');
  });

  it('leaves the raw cells empty where a scenario has no raw loop, and the lag "–" where none was timed', () => {
    const cells = scenarioRow(scenario('ds-delete', side(5, 500), side(5, 500))).split(' | ');
    assert.deepEqual(cells.slice(4, 10), ['', '', '', '', '', '']);
    assert.equal(cells[10], '–');
    assert.equal(lagCell(undefined), '–');
  });

  it('draws the unbound raw loop in the chart', () => {
    assert.ok(chart([runWith([s])]).includes('raw unbound: 3.20 s'));
  });
});

describe('the run notes: OrderedReady reaction and RSS beside kube-controller-manager (bench/report.ts)', () => {
  const reaction = { count: 49, p50: 12, p95: 30.4, mean: 14.2, max: 40, missing: 0 };
  const ordered = scenario('sts-ordered-create', side(1.2, 170, { orderedReaction: reaction }), side(1.5, 160, { orderedReaction: { ...reaction, p50: 20, missing: 1 } }));
  const run: RunResult = { ...runWith([ordered]), operator: { starts: [], rssCachedBytes: 140 * 2 ** 20 }, kubeControllerManager: { rssCachedBytes: 260 * 2 ** 20 } };

  it('prints the reaction p50/p95/mean per side', () => {
    assert.equal(
      orderedReactionLine(run),
      'OrderedReady reaction (pod i−1 Ready → pod i created, watch events), ms p50/p95/mean: built-in 12/30/14, ours 20/30/14 (1 ordinal not seen).',
    );
    assert.equal(orderedReactionLine(runWith([])), undefined);
  });

  it('prints both RSS figures, "–" for one an older run lacks', () => {
    assert.match(markdown([run]), /^RSS with 100 nodes and 100 pods cached: ours 140 MiB, kube-controller-manager 260 MiB\.$/m);
    assert.match(markdown([runWith([])]), /^RSS with 100 nodes and 100 pods cached: ours –, kube-controller-manager –\.$/m);
  });

  it("keeps kube-controller-manager's RSS with the ds-create row taken from an earlier run", () => {
    const b = side(25, 525);
    const full: RunResult = { ...runWith([scenario('ds-create', b, b)]), date: '2026-11-25T20:41:00.000Z', operator: { starts: [], rssCachedBytes: 1 }, kubeControllerManager: { rssCachedBytes: 2 } };
    const deployOnly: RunResult = { ...runWith([scenario('deploy-create', b, b)]), date: '2026-12-01T10:00:00.000Z' };
    const [merged] = latestRuns([full, deployOnly]);
    assert.deepEqual([merged?.operator.rssCachedBytes, merged?.kubeControllerManager?.rssCachedBytes], [1, 2]);
  });

  it('puts the target table and the scaling chart on top of latest.md, not in the README body', () => {
    const md = markdown([run]);
    assert.ok(md.startsWith('## Targets\n'));
    assert.ok(md.includes('![scaling chart](scaling.svg)'));
    assert.ok(!markdown([run], false).includes('## Targets'));
  });
});

describe('replaceBetween (bench/report.ts)', () => {
  it('replaces what lies between the markers and keeps them', () => {
    assert.equal(replaceBetween('a <!-- s --> old <!-- e --> z', '<!-- s -->', '<!-- e -->', 'new'), 'a <!-- s -->\nnew\n<!-- e --> z');
  });

  it('is undefined without both markers, or with the end first', () => {
    assert.equal(replaceBetween('a <!-- s --> z', '<!-- s -->', '<!-- e -->', 'new'), undefined);
    assert.equal(replaceBetween('<!-- e --> <!-- s -->', '<!-- s -->', '<!-- e -->', 'new'), undefined);
  });
});

describe('older results (JSON of earlier bench versions, without the newer fields)', () => {
  // Two runs once in bench/results (2026-11-25 and 2026-12-06, 100 nodes), kept here when the folder
  // was emptied for one session's runs.
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'bench-results-old');
  const runs = latestRuns(loadResults(dir));

  it('still load and render, with "–" for what they did not measure', () => {
    assert.ok(runs.length > 0);
    const md = markdown(runs);
    assert.match(md, /kube-controller-manager –/);
    assert.doesNotMatch(md, /undefined|NaN/);
    assert.doesNotMatch(chart(runs), /undefined|NaN/);
    assert.doesNotMatch(scalingChart(runs), /undefined|NaN/);
  });
});
