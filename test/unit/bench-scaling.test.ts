import assert from 'node:assert/strict';
import { lineChart, logAxis, niceMax } from '../../bench/line-svg.ts';
import type { SideResult } from '../../bench/measure.ts';
import type { RunResult, ScenarioResult } from '../../bench/result.ts';
import { scalingChart, scalingRuns } from '../../bench/scaling.ts';
import { scenarioTitles } from '../../bench/scenarios.ts';

const side = (wallSeconds: number, pods: number): SideResult => ({
  wallSeconds,
  podsPerSecond: pods / wallSeconds,
  settled: true,
  writes: pods,
  writesPerPod: 1,
  clientRequests: {},
  apiserverRequests: {},
  apiserverWrites: pods,
  podChurn: { added: pods, deleted: 0, deletedAfterGrace: 0 },
  timeline: {},
  kcmIdlePerSecond: {},
});

const base: Omit<RunResult, 'nodes' | 'qps' | 'scenarios' | 'operator'> = {
  schema: 1,
  date: '2026-12-01T10:00:00.000Z',
  smoke: false,
  burst: 0,
  machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 8, kernel: '6', loadAverage: { start: 1, end: 1 } },
  versions: {},
  controlPlane: { kubeControllerManagerFlags: [], kubeSchedulerFlags: [], staleControllerConsistencyDaemonSet: true, staleControllerConsistencyStatefulSet: true },
  counts: { daemonSetPods: 0, maxUnavailable: 10, statefulSetParallel: 500, statefulSetOrdered: 50 },
  errors: [],
};

function dsRun(nodes: number, qps: number, builtin: number, ours: number, unbound: number | undefined, rssMiB: number, kcmMiB?: number): RunResult {
  const s: ScenarioResult = {
    name: 'ds-create',
    title: scenarioTitles['ds-create'],
    pods: nodes,
    builtin: side(builtin, nodes),
    ours: side(ours, nodes),
    ...(unbound !== undefined ? { rawUnbound: { pods: nodes, placement: 'daemon', wallSeconds: unbound, podsPerSecond: nodes / unbound, createSeconds: 1, concurrency: 64, errors: 0 } } : {}),
  };
  return {
    ...base,
    scenarios: [s],
    nodes,
    qps,
    operator: { starts: [], rssCachedBytes: rssMiB * 2 ** 20 },
    ...(kcmMiB !== undefined ? { kubeControllerManager: { rssCachedBytes: kcmMiB * 2 ** 20 } } : {}),
  };
}

const wellFormed = (svg: string): void => {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
};

describe('scalingChart (bench/scaling.ts)', () => {
  const runs = [dsRun(100, 0, 1, 1.1, 0.6, 190, 120), dsRun(1000, 0, 10.4, 9.4, 6, 341, 260), dsRun(5000, 0, 59, 60, 48, 482, 700), dsRun(1000, 20, 50, 50, 6, 244, 250)];

  for (const n of [1, 2, 3]) {
    it(`renders with ${n} node count(s), a point per value`, () => {
      const svg = scalingChart(runs.slice(0, n));
      wellFormed(svg);
      // ds-create: three series; RSS: two.
      assert.equal((svg.match(/<circle /g) ?? []).length, n * 5);
      for (const r of runs.slice(0, n)) assert.ok(svg.includes(`>${r.nodes}</text>`), String(r.nodes));
    });
  }

  it('takes the unthrottled runs only, by node count', () => {
    assert.deepEqual(
      scalingRuns(runs).map((r) => [r.nodes, r.qps]),
      [
        [100, 0],
        [1000, 0],
        [5000, 0],
      ],
    );
    const svg = scalingChart(runs);
    assert.ok(svg.includes('>341 MiB<'));
    assert.ok(!svg.includes('>244 MiB<'), 'the QPS 20 run RSS is not drawn');
  });

  it('leaves out what a run did not measure (older runs: no unbound raw loop, no kube-controller-manager RSS)', () => {
    const svg = scalingChart([dsRun(100, 0, 1, 1.1, undefined, 190), dsRun(1000, 0, 10, 9, 6, 341, 260)]);
    wellFormed(svg);
    assert.equal((svg.match(/<circle /g) ?? []).length, 2 + 2 + 1 + 1 + 2);
  });

  it('renders with no runs at all', () => {
    wellFormed(scalingChart([]));
  });
});

describe('lineChart, niceMax and logAxis (bench/line-svg.ts)', () => {
  it('rounds the axis up to 1, 2, 2.5 or 5 × 10^k', () => {
    assert.deepEqual([0, 0.7, 3, 9.4, 60, 260, 700].map(niceMax), [1, 1, 5, 10, 100, 500, 1000]);
    assert.equal(niceMax(21), 25);
  });

  it('breaks a line at a missing value instead of joining across it', () => {
    const svg = lineChart({ title: 't', xTitle: 'x', xLabels: ['a', 'b', 'c'], panels: [{ title: 'p', unit: 's', series: [{ name: 's', color: '#000', values: [1, undefined, 3] }] }] });
    assert.equal((svg.match(/<polyline /g) ?? []).length, 0);
    assert.equal((svg.match(/<circle /g) ?? []).length, 2);
  });

  it('spans whole decades on a log axis, ticks at 1, 2 and 5', () => {
    const axis = logAxis([0.7, 9.4, 61], 0, 300);
    assert.deepEqual(axis.ticks, [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]);
    assert.equal(axis.at(0.1), 300);
    assert.equal(axis.at(100), 0);
    assert.equal(axis.at(0), undefined);
  });

  it('prints every value in the table under the plot, "–" where missing', () => {
    const svg = lineChart({ title: 't', xTitle: 'x', xLabels: ['a', 'b'], panels: [{ title: 'p', unit: 's', scale: 'log', series: [{ name: 'one', color: '#000', values: [1.5, undefined] }] }] });
    assert.ok(svg.includes('>1.50 s<'));
    assert.ok(svg.includes('>–<'));
    assert.ok(svg.includes('s (log scale)'));
  });

  it('escapes text', () => {
    const svg = lineChart({ title: 'a < b & c', xTitle: 'x', xLabels: ['1'], panels: [] });
    assert.ok(svg.includes('a &lt; b &amp; c'));
  });
});
