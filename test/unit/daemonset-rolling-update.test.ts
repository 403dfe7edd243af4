import assert from 'node:assert/strict';
import type { DaemonSetUpdateStrategy, MyDaemonSet } from '../../src/api/workloads.ts';
import type { DaemonSetSnapshot } from '../../src/controllers/daemonset/plan.ts';
import { plan } from '../../src/controllers/daemonset/plan.ts';
import type { RollingUpdateLimits } from '../../src/controllers/daemonset/rolling-update.ts';
import { allowsSurge, rollingUpdateLimits, surgeCount, unavailableCount } from '../../src/controllers/daemonset/rolling-update.ts';
import type { ScaledValue } from '../../src/controllers/shared/int-or-percent.ts';
import type { PodOptions } from './daemonset-fixtures.ts';
import { daemonSet, describeAction, hashOf, node, nodes, pod, podActions, ready, revisionOf, snapshot, t0, template } from './daemonset-fixtures.ts';

const strategy = (rollingUpdate: { maxUnavailable?: number | string; maxSurge?: number | string }): DaemonSetUpdateStrategy => ({
  type: 'RollingUpdate',
  rollingUpdate,
});
const withStrategy = (updateStrategy: DaemonSetUpdateStrategy, minReadySeconds?: number): MyDaemonSet =>
  daemonSet({
    spec: { template: template('agent:2'), updateStrategy, ...(minReadySeconds === undefined ? {} : { minReadySeconds }) },
  });

const oldRev = revisionOf(daemonSet(), 1, template('agent:1'));
const newRev = revisionOf(daemonSet(), 2, template('agent:2'));
const oldHash = hashOf(oldRev);
const newHash = hashOf(newRev);
const oldReady: PodOptions = { hash: oldHash, ...ready };
const newReady: PodOptions = { hash: newHash, ...ready };

/** One pod per node, named after it. */
function onNodes(options: Record<string, PodOptions>): ReturnType<typeof pod>[] {
  return Object.entries(options).map(([nodeName, opts]) => pod(`${nodeName}-pod`, nodeName, opts));
}

function rollout(ds: MyDaemonSet, podOptions: Record<string, PodOptions>, nodeNames = Object.keys(podOptions)): DaemonSetSnapshot {
  return snapshot({ ds, revisions: [oldRev, newRev], nodes: nodes(...nodeNames), pods: onNodes(podOptions) });
}

const maxUnavailable1 = withStrategy(strategy({ maxUnavailable: 1, maxSurge: 0 }));
const maxUnavailable2 = withStrategy(strategy({ maxUnavailable: 2, maxSurge: 0 }));
const surge1 = withStrategy(strategy({ maxUnavailable: 0, maxSurge: 1 }));
const tenNodes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`n${i}`, oldReady]));

interface Row {
  readonly name: string;
  readonly snapshot: DaemonSetSnapshot;
  readonly now: number;
  /** Pod creates and deletes. */
  readonly expected: readonly string[];
}

const rows: readonly Row[] = [
  {
    name: 'deletes one available old pod with maxUnavailable 1, in node-name order',
    snapshot: rollout(maxUnavailable1, { n2: oldReady, n1: oldReady, n3: oldReady }),
    now: t0,
    expected: ['deletePod n1-pod outdated'],
  },
  {
    name: 'deletes up to maxUnavailable available old pods',
    snapshot: rollout(maxUnavailable2, { n1: oldReady, n2: oldReady, n3: oldReady }),
    now: t0,
    expected: ['deletePod n1-pod outdated', 'deletePod n2-pod outdated'],
  },
  {
    name: 'deletes unavailable old pods at once, outside the budget, and they use it up',
    snapshot: rollout(maxUnavailable1, { n1: { hash: oldHash }, n2: { hash: oldHash }, n3: oldReady }),
    now: t0,
    expected: ['deletePod n1-pod outdated', 'deletePod n2-pod outdated'],
  },
  {
    name: 'spends what is left of the budget after unavailable old pods on available ones',
    snapshot: rollout(maxUnavailable2, { n1: { hash: oldHash }, n2: oldReady, n3: oldReady }),
    now: t0,
    expected: ['deletePod n1-pod outdated', 'deletePod n2-pod outdated'],
  },
  {
    name: 'counts an unavailable new pod against maxUnavailable',
    snapshot: rollout(maxUnavailable1, { n1: { hash: newHash }, n2: oldReady, n3: oldReady }),
    now: t0,
    expected: [],
  },
  {
    name: 'counts a node whose pod is terminating as unavailable',
    snapshot: rollout(maxUnavailable2, { n1: { ...newReady, deleting: true }, n2: oldReady, n3: oldReady }),
    now: t0,
    expected: ['deletePod n2-pod outdated'],
  },
  {
    name: 'does nothing once every pod is new',
    snapshot: rollout(maxUnavailable1, { n1: newReady, n2: newReady }),
    now: t0,
    expected: [],
  },
  {
    name: 'rounds a percentage up: 15 % of 10 nodes is 2',
    snapshot: rollout(withStrategy(strategy({ maxUnavailable: '15%', maxSurge: 0 })), tenNodes),
    now: t0,
    expected: ['deletePod n0-pod outdated', 'deletePod n1-pod outdated'],
  },
  {
    name: 'allows one unavailable node when both limits are 0',
    snapshot: rollout(withStrategy(strategy({ maxUnavailable: 0, maxSurge: 0 })), { n1: oldReady, n2: oldReady }),
    now: t0,
    expected: ['deletePod n1-pod outdated'],
  },
  {
    name: 'waits while manage is creating or deleting pods',
    snapshot: rollout(maxUnavailable1, { n2: oldReady, n3: oldReady }, ['n1', 'n2', 'n3']),
    now: t0,
    expected: ['createPod n1'],
  },
  {
    name: 'treats a new pod Ready for less than minReadySeconds as unavailable',
    snapshot: rollout(withStrategy(strategy({ maxUnavailable: 1 }), 10), { n1: { hash: newHash, readySince: t0 - 5000 }, n2: oldReady }),
    now: t0,
    expected: [],
  },
  {
    name: 'moves on once the new pod has been Ready for minReadySeconds',
    snapshot: rollout(withStrategy(strategy({ maxUnavailable: 1 }), 10), { n1: { hash: newHash, readySince: t0 - 5000 }, n2: oldReady }),
    now: t0 + 5000,
    expected: ['deletePod n2-pod outdated'],
  },
  {
    name: 'with OnDelete replaces nothing',
    snapshot: rollout(withStrategy({ type: 'OnDelete' }), { n1: oldReady, n2: { hash: oldHash } }),
    now: t0,
    expected: [],
  },
  {
    name: 'with OnDelete still fills empty nodes and removes failed pods',
    snapshot: rollout(withStrategy({ type: 'OnDelete' }), { n1: oldReady, n2: { hash: oldHash, phase: 'Failed' } }, ['n1', 'n2', 'n3']),
    now: t0,
    expected: ['createPod n3', 'deletePod n2-pod failedPod'],
  },
  {
    name: 'surges a new pod beside an available old one, up to maxSurge',
    snapshot: rollout(surge1, { n1: oldReady, n2: oldReady, n3: oldReady }),
    now: t0,
    expected: ['createPod n1'],
  },
  {
    name: 'surges no further while a surged pod is not available',
    snapshot: snapshot({
      ds: surge1,
      revisions: [oldRev, newRev],
      nodes: nodes('n1', 'n2'),
      pods: [pod('n1-old', 'n1', oldReady), pod('n1-new', 'n1', { hash: newHash }), pod('n2-old', 'n2', oldReady)],
    }),
    now: t0,
    expected: [],
  },
  {
    name: 'replaces an unavailable old pod at once, outside the surge budget',
    snapshot: rollout(surge1, { n1: { hash: oldHash }, n2: { hash: oldHash }, n3: oldReady, n4: oldReady }),
    now: t0,
    expected: ['createPod n1', 'createPod n2', 'createPod n3'],
  },
  {
    name: 'surges 20 % of 10 nodes: 2 at a time',
    snapshot: rollout(withStrategy(strategy({ maxUnavailable: 0, maxSurge: '20%' })), tenNodes),
    now: t0,
    expected: ['createPod n0', 'createPod n1'],
  },
  {
    name: 'deletes an available old pod on a node that should no longer run it only while more are available than desired',
    snapshot: snapshot({
      ds: surge1,
      revisions: [oldRev, newRev],
      nodes: [node('n1'), node('n2', { taints: [{ key: 'x', effect: 'NoSchedule' }] })],
      pods: [pod('n1-pod', 'n1', oldReady), pod('n2-pod', 'n2', oldReady)],
    }),
    now: t0,
    expected: ['createPod n1', 'deletePod n2-pod nodeNotEligible'],
  },
  {
    name: 'keeps that old pod while it is needed for availability',
    snapshot: snapshot({
      ds: surge1,
      revisions: [oldRev, newRev],
      nodes: [node('n1'), node('n2', { taints: [{ key: 'x', effect: 'NoSchedule' }] })],
      pods: [pod('n1-pod', 'n1', { hash: oldHash }), pod('n2-pod', 'n2', oldReady)],
    }),
    now: t0,
    expected: ['createPod n1'],
  },
  {
    name: 'deletes an unavailable old pod on a node that should no longer run it instead of surging there',
    snapshot: snapshot({
      ds: surge1,
      revisions: [oldRev, newRev],
      nodes: [node('n1', { taints: [{ key: 'x', effect: 'NoSchedule' }] })],
      pods: [pod('n1-pod', 'n1', { hash: oldHash })],
    }),
    now: t0,
    expected: ['deletePod n1-pod nodeNotEligible'],
  },
];

describe('MyDaemonSet rolling update', () => {
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(podActions(plan(row.snapshot, row.now)), row.expected);
    });
  }

  it('fails the sync without cleaning history when a surge candidate sits on a vanished node', () => {
    const s = snapshot({ ds: surge1, revisions: [oldRev, newRev], nodes: nodes('n1'), pods: [pod('n1-pod', 'n1', oldReady), pod('gone-pod', 'gone', oldReady)] });
    const lines = plan(s, t0).map(describeAction);
    assert.deepEqual(lines.filter((line) => !line.startsWith('write')), ['syncError couldn\'t get node for nodeName "gone"']);
  });

  it('fails the sync on an invalid percentage', () => {
    const s = rollout(withStrategy(strategy({ maxUnavailable: '1', maxSurge: 0 })), { n1: oldReady });
    const lines = plan(s, t0).map(describeAction);
    assert.ok(lines.at(-1)?.startsWith('syncError couldn\'t get unavailable numbers: invalid value for MaxUnavailable'));
  });
});

describe('rolling update limits', () => {
  interface LimitRow {
    readonly name: string;
    readonly strategy: DaemonSetUpdateStrategy | undefined;
    readonly desired: number;
    readonly expected: RollingUpdateLimits;
  }
  const limitRows: readonly LimitRow[] = [
    { name: 'defaults to maxUnavailable 1, maxSurge 0', strategy: undefined, desired: 5, expected: { kind: 'limits', maxSurge: 0, maxUnavailable: 1 } },
    { name: 'rounds percentages up', strategy: strategy({ maxUnavailable: '10%', maxSurge: 0 }), desired: 11, expected: { kind: 'limits', maxSurge: 0, maxUnavailable: 2 } },
    { name: 'rounds surge percentages up', strategy: strategy({ maxUnavailable: 0, maxSurge: '25%' }), desired: 5, expected: { kind: 'limits', maxSurge: 2, maxUnavailable: 0 } },
    { name: 'keeps both at 0 when no node wants the pod', strategy: strategy({ maxUnavailable: '0%', maxSurge: '10%' }), desired: 0, expected: { kind: 'limits', maxSurge: 0, maxUnavailable: 0 } },
    { name: 'turns both-zero into maxUnavailable 1 when pods are wanted', strategy: strategy({ maxUnavailable: 0, maxSurge: 0 }), desired: 3, expected: { kind: 'limits', maxSurge: 0, maxUnavailable: 1 } },
    { name: 'is all zero for OnDelete with nothing desired', strategy: { type: 'OnDelete' }, desired: 0, expected: { kind: 'limits', maxSurge: 0, maxUnavailable: 0 } },
    {
      name: 'rejects a numeric string',
      strategy: strategy({ maxUnavailable: 0, maxSurge: '2' }),
      desired: 3,
      expected: { kind: 'invalid', message: 'invalid value for MaxSurge: invalid value for IntOrString: invalid type: string is not a percentage' },
    },
  ];
  for (const row of limitRows) {
    it(row.name, () => {
      const ds = daemonSet({ spec: row.strategy === undefined ? {} : { updateStrategy: row.strategy } });
      assert.deepEqual(rollingUpdateLimits(ds, row.desired), row.expected);
    });
  }

  it('scales each limit on its own and tells whether a node may surge', () => {
    const ds = daemonSet({ spec: { updateStrategy: strategy({ maxUnavailable: '50%', maxSurge: '1%' }) } });
    const expected: [ScaledValue, ScaledValue] = [
      { kind: 'value', value: 2 },
      { kind: 'value', value: 1 },
    ];
    assert.deepEqual([unavailableCount(ds, 3), surgeCount(ds, 3)], expected);
    assert.equal(allowsSurge(ds), true);
    assert.equal(allowsSurge(daemonSet()), false);
    assert.equal(allowsSurge(daemonSet({ spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: { maxSurge: 1 } } } })), false);
  });
});
