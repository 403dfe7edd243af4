import assert from 'node:assert/strict';
import type { MyDaemonSetStatus } from '../../src/api/workloads.ts';
import type { DaemonSetSnapshot } from '../../src/controllers/daemonset/plan.ts';
import { plan } from '../../src/controllers/daemonset/plan.ts';
import type { DaemonSetStatusCounts, DaemonSetStatusFields } from '../../src/controllers/daemonset/status.ts';
import { countsOf, finalDaemonSetStatus } from '../../src/controllers/daemonset/status.ts';
import { daemonSet, describeAction, hashOf, iso, node, nodes, pod, ready, revisionOf, snapshot, t0, template } from './daemonset-fixtures.ts';

const ds = daemonSet();
const rev = revisionOf(ds, 1);
const hash = hashOf(rev);
const current = { hash, ...ready };

const settled: MyDaemonSetStatus = {
  observedGeneration: 1,
  desiredNumberScheduled: 2,
  currentNumberScheduled: 2,
  numberMisscheduled: 0,
  numberReady: 2,
  updatedNumberScheduled: 2,
  numberAvailable: 2,
  numberUnavailable: 0,
  conditions: [{ type: 'Custom', status: 'True' }],
  stableRevision: rev.metadata.name,
};

const statusKinds = new Set(['writeStatus', 'requeueAfter']);

interface Row {
  readonly name: string;
  readonly snapshot: DaemonSetSnapshot;
  readonly now: number;
  /** writeStatus as desired/current/misscheduled/ready/updated/available/unavailable [gen], and requeues. */
  readonly expected: readonly string[];
}

const tainted = (name: string): ReturnType<typeof node> => node(name, { taints: [{ key: 'x', effect: 'NoSchedule' }] });

const rows: readonly Row[] = [
  {
    name: 'counts desired, current, ready, updated, available and unavailable per node',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1', 'n2', 'n3', 'n4'),
      pods: [pod('p1', 'n1', current), pod('p2', 'n2', { hash }), pod('p3', 'n3', { hash: 'old', ...ready })],
    }),
    now: t0,
    expected: ['writeStatus 4/3/0/2/2/2/2 gen 1'],
  },
  {
    name: 'counts a node that should not run the pod but holds one as misscheduled',
    snapshot: snapshot({ ds, revisions: [rev], nodes: [node('n1'), tainted('n2'), tainted('n3')], pods: [pod('p1', 'n1', current), pod('p2', 'n2', current)] }),
    now: t0,
    expected: ['writeStatus 1/1/1/1/1/1/0 gen 1'],
  },
  {
    name: 'counts unbound and terminating pods as scheduled',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1', 'n2'),
      pods: [pod('p1', 'n1', { hash, unbound: true }), pod('p2', 'n2', { ...current, deleting: true })],
    }),
    now: t0,
    expected: ['writeStatus 2/2/0/1/2/1/1 gen 1'],
  },
  {
    name: 'ignores terminal pods being deleted',
    snapshot: snapshot({ ds, revisions: [rev], nodes: nodes('n1'), pods: [pod('p1', 'n1', { hash, phase: 'Failed', deleting: true })] }),
    now: t0,
    expected: ['writeStatus 1/0/0/0/0/0/1 gen 1'],
  },
  {
    name: 'judges a node by its first pod only (bound, then oldest)',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('older-not-ready', 'n1', { hash: 'old', created: t0 - 9000 }), pod('newer-ready', 'n1', { ...current, created: t0 - 1000 })],
    }),
    now: t0,
    expected: ['writeStatus 1/1/0/0/0/0/1 gen 1'],
  },
  {
    name: 'does not write an unchanged status',
    snapshot: snapshot({ ds: daemonSet({ status: settled }), revisions: [rev], nodes: nodes('n1', 'n2'), pods: [pod('p1', 'n1', current), pod('p2', 'n2', current)] }),
    now: t0,
    expected: [],
  },
  {
    name: 'writes unchanged counts to record a new generation',
    snapshot: snapshot({
      ds: daemonSet({ generation: 2, status: settled }),
      revisions: [rev],
      nodes: nodes('n1', 'n2'),
      pods: [pod('p1', 'n1', current), pod('p2', 'n2', current)],
    }),
    now: t0,
    expected: ['writeStatus 2/2/0/2/2/2/0 gen 2'],
  },
  {
    name: 'with expectations unsatisfied writes the counts without observedGeneration',
    snapshot: snapshot({
      ds: daemonSet({ generation: 2, status: settled }),
      revisions: [rev],
      nodes: nodes('n1', 'n2', 'n3'),
      pods: [pod('p1', 'n1', current), pod('p2', 'n2', current)],
      expectationsSatisfied: false,
    }),
    now: t0,
    expected: ['writeStatus 3/2/0/2/2/2/1'],
  },
  {
    name: 'requeues when a Ready pod becomes available: minReadySeconds after it turned Ready, plus a second of skew',
    snapshot: snapshot({
      ds: daemonSet({ spec: { minReadySeconds: 30 } }),
      revisions: [rev],
      nodes: nodes('n1', 'n2'),
      pods: [pod('p1', 'n1', current), pod('p2', 'n2', { hash, readySince: t0 - 10_000 })],
    }),
    now: t0,
    expected: ['writeStatus 2/2/0/2/2/1/1 gen 1', 'requeueAfter 21000 minReadySeconds'],
  },
  {
    name: 'requeues for a surge pod that is not yet available beside the available pod its node is counted by',
    snapshot: snapshot({
      ds: daemonSet({ spec: { minReadySeconds: 30 } }),
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash, readySince: t0 - 600_000 }), pod('p2', 'n1', { hash, readySince: t0 - 10_000 })],
    }),
    now: t0,
    expected: ['writeStatus 1/1/0/1/1/1/0 gen 1 stable agent-5b4d7948c4', 'requeueAfter 21000 minReadySeconds'],
  },
  {
    name: 'counts a pod available exactly minReadySeconds after it turned Ready',
    snapshot: snapshot({
      ds: daemonSet({ spec: { minReadySeconds: 10 } }),
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash, readySince: t0 - 10_000 })],
    }),
    now: t0,
    expected: [`writeStatus 1/1/0/1/1/1/0 gen 1 stable ${rev.metadata.name ?? ''}`],
  },
  {
    name: 'counts pods updated by the hash of the current revision',
    snapshot: snapshot({
      ds: daemonSet({ spec: { template: template('agent:2') } }),
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', current)],
    }),
    now: t0,
    expected: ['writeStatus 1/1/0/1/0/1/0 gen 1'],
  },
];

describe('MyDaemonSet status', () => {
  for (const row of rows) {
    it(row.name, () => {
      const actions = plan(row.snapshot, row.now).filter((action) => statusKinds.has(action.kind));
      assert.deepEqual(actions.map(describeAction), row.expected);
    });
  }

  it('with expectations unsatisfied plans history and status only', () => {
    const s = snapshot({ ds: daemonSet({ spec: { template: template('agent:2') } }), revisions: [rev], nodes: nodes('n1', 'n2'), pods: [pod('p1', 'n1', current)], expectationsSatisfied: false });
    assert.deepEqual(
      plan(s, t0).map((action) => action.kind),
      ['createRevision', 'writeStatus'],
    );
  });

  it('returns only the fields it sets: conditions and collisionCount are left to the merge patch', () => {
    const s = snapshot({ ds: daemonSet({ status: { ...settled, collisionCount: 2, numberReady: 0 } }), revisions: [revisionOf(daemonSet({ status: { collisionCount: 2 } }), 1)], nodes: nodes('n1', 'n2'), pods: [pod('p1', 'n1', current), pod('p2', 'n2', current)] });
    const write = plan(s, t0).find((action) => action.kind === 'writeStatus');
    assert.ok(write?.kind === 'writeStatus');
    assert.deepEqual(Object.keys(write.status).sort(), [
      'currentNumberScheduled',
      'desiredNumberScheduled',
      'numberAvailable',
      'numberMisscheduled',
      'numberReady',
      'numberUnavailable',
      'observedGeneration',
      'updatedNumberScheduled',
    ]);
  });

  it('is not written while the MyDaemonSet is being deleted', () => {
    const s = snapshot({ ds: daemonSet({ deletionTimestamp: iso(t0) }), nodes: nodes('n1') });
    assert.deepEqual(plan(s, t0), []);
  });
});

describe('finalDaemonSetStatus (the write that ends a sync the status refresh ran in)', () => {
  const counts = (ready: number): DaemonSetStatusCounts => ({
    desiredNumberScheduled: 100,
    currentNumberScheduled: 100,
    numberMisscheduled: 0,
    numberReady: ready,
    updatedNumberScheduled: 100,
    numberAvailable: ready,
    numberUnavailable: 100 - ready,
  });
  // The first sync planned from no pods: it observes generation 1.
  const own: DaemonSetStatusFields = { ...counts(0), currentNumberScheduled: 0, updatedNumberScheduled: 0, observedGeneration: 1 };
  // What the refresh left stored: 40 Ready, no observedGeneration yet.
  const refreshed = daemonSet({ status: { ...counts(40) } });

  it('keeps the sync\u2019s observedGeneration with the counts the caches hold, at once', () => {
    const final = finalDaemonSetStatus(refreshed, own, false, counts(60));
    assert.notEqual(final, 'shown');
    if (final === 'shown') return;
    assert.deepEqual(final.status, { ...counts(60), observedGeneration: 1 });
    assert.equal(final.mayWait, false);
  });

  it('may wait only when the sync\u2019s own write could and the counts have not settled', () => {
    const observed = daemonSet({ status: { ...counts(40), observedGeneration: 1 } });
    const countsOnly: DaemonSetStatusFields = counts(10);
    assert.deepEqual(finalDaemonSetStatus(observed, countsOnly, true, counts(60)), { status: counts(60), mayWait: true });
    assert.deepEqual(finalDaemonSetStatus(observed, countsOnly, true, counts(100)), { status: counts(100), mayWait: false });
  });

  it('writes nothing when the stored status already says it all', () => {
    const observed = daemonSet({ status: { ...counts(60), observedGeneration: 1 } });
    assert.equal(finalDaemonSetStatus(observed, own, false, counts(60)), 'shown');
    assert.notEqual(finalDaemonSetStatus(refreshed, own, false, counts(40)), 'shown', 'observedGeneration is still to be written');
  });

  it('countsOf reads absent counts as 0', () => {
    assert.deepEqual(countsOf(undefined), { ...counts(0), desiredNumberScheduled: 0, currentNumberScheduled: 0, updatedNumberScheduled: 0, numberUnavailable: 0 });
    assert.deepEqual(countsOf({ ...counts(5), observedGeneration: 3 } as DaemonSetStatusFields), counts(5));
  });
});
