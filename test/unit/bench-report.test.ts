import assert from 'node:assert/strict';
import type { Sample } from '../../hack/prom-text.ts';
import type { SideResult } from '../../bench/measure.ts';
import { queueSyncs } from '../../bench/measure.ts';
import { chart, latestRuns, markdown, syncsCell } from '../../bench/report.ts';
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
