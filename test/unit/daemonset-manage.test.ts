import assert from 'node:assert/strict';
import type { DaemonSetSnapshot, FailedPodBackoff } from '../../src/controllers/daemonset/plan.ts';
import { plan } from '../../src/controllers/daemonset/plan.ts';
import { failedPodBackoffOf } from '../../src/controllers/daemonset/failed-pod-backoff.ts';
import { daemonSet, describeAction, hashOf, iso, node, nodes, pod, ready, revisionOf, snapshot, t0, template } from './daemonset-fixtures.ts';

const ds = daemonSet();
const rev = revisionOf(ds, 1);
const hash = hashOf(rev);
const current = { hash, ...ready };
const surgeDs = daemonSet({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } });
const oldHash = 'oldhash';

const backoffKey = (nodeName: string): string => `ds-uid/0/${nodeName}`;
const backoff = (entries: Record<string, FailedPodBackoff>): ReadonlyMap<string, FailedPodBackoff> => new Map(Object.entries(entries));

interface Row {
  readonly name: string;
  readonly snapshot: DaemonSetSnapshot;
  readonly now: number;
  /** The plan without history and status actions. */
  readonly expected: readonly string[];
}

const excluded = new Set(['createRevision', 'writeStatus', 'writeRolloutConditions']);

const rows: readonly Row[] = [
  {
    name: 'creates a pod on an eligible node that has none',
    snapshot: snapshot({ ds, revisions: [rev], nodes: nodes('n1', 'n2'), pods: [pod('p1', 'n1', current)] }),
    now: t0,
    expected: ['createPod n2'],
  },
  {
    name: 'creates nothing on a node with an untolerated NoSchedule taint, and keeps its pod',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: [node('n1', { taints: [{ key: 'x', effect: 'NoSchedule' }] }), node('n2', { taints: [{ key: 'x', effect: 'NoSchedule' }] })],
      pods: [pod('p1', 'n1', current)],
    }),
    now: t0,
    expected: [],
  },
  {
    name: 'deletes the pods of a node that must not keep them',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: [node('n1', { taints: [{ key: 'x', effect: 'NoExecute' }] })],
      pods: [pod('p1', 'n1', current), pod('p2', 'n1', { ...current, deleting: true })],
    }),
    now: t0,
    expected: ['deletePod p1 nodeNotEligible'],
  },
  {
    name: 'deletes a pod whose node lost the selected label',
    snapshot: snapshot({
      ds: daemonSet({ spec: { template: template('agent:1', { nodeSelector: { role: 'agent' } }) } }),
      revisions: [revisionOf(ds, 1, template('agent:1', { nodeSelector: { role: 'agent' } }))],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', current)],
    }),
    now: t0,
    expected: ['deletePod p1 nodeNotEligible'],
  },
  {
    name: 'deletes a failed pod with a Warning, starts its node backoff at 1 s, and does not replace it yet',
    snapshot: snapshot({ ds, revisions: [rev], nodes: nodes('n1'), pods: [pod('p1', 'n1', { hash, phase: 'Failed' })] }),
    now: t0,
    expected: ['recordFailedBackoff ds-uid/0/n1 1000', 'event Warning FailedDaemonPod', 'deletePod p1 failedPod'],
  },
  {
    name: 'leaves a failed pod alone while its node is in backoff, and requeues after the delay',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash, phase: 'Failed' })],
      failedPodBackoff: backoff({ [backoffKey('n1')]: { delayMs: 4000, lastUpdateMs: t0 - 1000 } }),
    }),
    now: t0,
    expected: ['requeueAfter 4000 failedPodBackoff'],
  },
  {
    name: 'doubles the backoff when the next failed pod is deleted',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash, phase: 'Failed' })],
      failedPodBackoff: backoff({ [backoffKey('n1')]: { delayMs: 4000, lastUpdateMs: t0 - 4000 } }),
    }),
    now: t0,
    expected: ['recordFailedBackoff ds-uid/0/n1 8000', 'event Warning FailedDaemonPod', 'deletePod p1 failedPod'],
  },
  {
    name: 'caps the backoff at 15 minutes',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash, phase: 'Failed' })],
      failedPodBackoff: backoff({ [backoffKey('n1')]: { delayMs: 600_000, lastUpdateMs: t0 - 600_000 } }),
    }),
    now: t0,
    expected: ['recordFailedBackoff ds-uid/0/n1 900000', 'event Warning FailedDaemonPod', 'deletePod p1 failedPod'],
  },
  {
    name: 'restarts the backoff at 1 s after 30 idle minutes',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash, phase: 'Failed' })],
      failedPodBackoff: backoff({ [backoffKey('n1')]: { delayMs: 900_000, lastUpdateMs: t0 - 1_800_001 } }),
    }),
    now: t0,
    expected: ['recordFailedBackoff ds-uid/0/n1 1000', 'event Warning FailedDaemonPod', 'deletePod p1 failedPod'],
  },
  {
    name: 'deletes only one of two failed pods on a node per backoff window',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash, phase: 'Failed', created: t0 - 2000 }), pod('p2', 'n1', { hash, phase: 'Failed', created: t0 - 1000 })],
    }),
    now: t0,
    expected: ['recordFailedBackoff ds-uid/0/n1 1000', 'event Warning FailedDaemonPod', 'requeueAfter 1000 failedPodBackoff', 'deletePod p1 failedPod'],
  },
  {
    name: 'keys the backoff by the observed generation',
    snapshot: snapshot({
      ds: daemonSet({ generation: 3, status: { observedGeneration: 2 } }),
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash, phase: 'Failed' })],
      failedPodBackoff: backoff({ [backoffKey('n1')]: { delayMs: 4000, lastUpdateMs: t0 - 1000 } }),
    }),
    now: t0,
    expected: ['recordFailedBackoff ds-uid/2/n1 1000', 'event Warning FailedDaemonPod', 'deletePod p1 failedPod'],
  },
  {
    name: 'deletes a succeeded pod with a Normal event',
    snapshot: snapshot({ ds, revisions: [rev], nodes: nodes('n1'), pods: [pod('p1', 'n1', { hash, phase: 'Succeeded' })] }),
    now: t0,
    expected: ['event Normal SucceededDaemonPod', 'deletePod p1 succeededPod'],
  },
  {
    name: 'of duplicate pods keeps the bound one first, then the oldest, and deletes the rest',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [
        pod('unbound-oldest', 'n1', { ...current, unbound: true, created: t0 - 9000 }),
        pod('bound-newer', 'n1', { ...current, created: t0 - 1000 }),
        pod('bound-older', 'n1', { ...current, created: t0 - 5000 }),
      ],
    }),
    now: t0,
    expected: ['deletePod bound-newer excessPod', 'deletePod unbound-oldest excessPod'],
  },
  {
    name: 'breaks creation-time ties between duplicates by name',
    snapshot: snapshot({ ds, revisions: [rev], nodes: nodes('n1'), pods: [pod('b', 'n1', current), pod('a', 'n1', current)] }),
    now: t0,
    expected: ['deletePod b excessPod'],
  },
  {
    name: 'does not replace a pod that is still terminating',
    snapshot: snapshot({ ds, revisions: [rev], nodes: nodes('n1'), pods: [pod('p1', 'n1', { ...current, deleting: true })] }),
    now: t0,
    expected: [],
  },
  {
    name: 'replaces a terminal pod that is being deleted at once',
    snapshot: snapshot({ ds, revisions: [rev], nodes: nodes('n1'), pods: [pod('p1', 'n1', { hash, phase: 'Failed', deleting: true })] }),
    now: t0,
    expected: ['createPod n1'],
  },
  {
    name: 'deletes unbound pods of a node that no longer exists, not bound ones',
    snapshot: snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', current), pod('gone-unbound', 'gone', { hash, unbound: true }), pod('gone-bound', 'gone2', current)],
    }),
    now: t0,
    expected: ['deletePod gone-unbound nodeMissing'],
  },
  {
    name: 'while surging, keeps a new pod that is not yet available beside the ready old one',
    snapshot: snapshot({
      ds: surgeDs,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('old', 'n1', { hash: oldHash, ...ready }), pod('new', 'n1', { hash })],
    }),
    now: t0,
    expected: [],
  },
  {
    name: 'while surging, deletes the old pod once the new one is available',
    snapshot: snapshot({
      ds: surgeDs,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('old', 'n1', { hash: oldHash, ...ready }), pod('new', 'n1', current)],
    }),
    now: t0,
    expected: ['deletePod old replacedBySurgePod'],
  },
  {
    name: 'while surging, deletes an old pod that is no longer Ready',
    snapshot: snapshot({
      ds: surgeDs,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [pod('old', 'n1', { hash: oldHash }), pod('new', 'n1', { hash })],
    }),
    now: t0,
    expected: ['deletePod old replacedBySurgePod'],
  },
  {
    name: 'while surging, keeps the oldest new and oldest old pod and deletes the others',
    snapshot: snapshot({
      ds: surgeDs,
      revisions: [rev],
      nodes: nodes('n1'),
      pods: [
        pod('old1', 'n1', { hash: oldHash, ...ready, created: t0 - 9000 }),
        pod('old2', 'n1', { hash: oldHash, ...ready, created: t0 - 8000 }),
        pod('new1', 'n1', { hash, created: t0 - 7000 }),
        pod('new2', 'n1', { hash, created: t0 - 6000 }),
      ],
    }),
    now: t0,
    expected: ['deletePod old2 excessPod', 'deletePod new2 excessPod'],
  },
  {
    name: 'while surging, creates a pod beside one that is terminating',
    snapshot: snapshot({ ds: surgeDs, revisions: [rev], nodes: nodes('n1'), pods: [pod('p1', 'n1', { ...current, deleting: true })] }),
    now: t0,
    expected: ['createPod n1'],
  },
];

describe('MyDaemonSet manage', () => {
  for (const row of rows) {
    it(row.name, () => {
      const actions = plan(row.snapshot, row.now)
        .filter((action) => !excluded.has(action.kind))
        .map(describeAction)
        .filter((line) => !line.startsWith('requeueAfter') || !line.endsWith('minReadySeconds'));
      assert.deepEqual(actions, row.expected);
    });
  }

  it('creates at most 250 pods per sync', () => {
    const many = Array.from({ length: 300 }, (_, i) => node(`n${String(i).padStart(3, '0')}`));
    const actions = plan(snapshot({ ds, revisions: [rev], nodes: many }), t0);
    const creates = actions.filter((action) => action.kind === 'createPod');
    assert.equal(creates.length, 250);
    assert.deepEqual(
      creates.slice(0, 2).map(describeAction),
      ['createPod n000', 'createPod n001'],
      'in node-name order',
    );
  });

  it('deletes at most 250 pods per sync, and then runs no rolling update', () => {
    const tainted = Array.from({ length: 300 }, (_, i) => node(`n${i}`, { taints: [{ key: 'x', effect: 'NoExecute' }] }));
    const pods = tainted.map((n, i) => pod(`p${i}`, n.metadata.name ?? '', current));
    const actions = plan(snapshot({ ds, revisions: [rev], nodes: tainted, pods }), t0);
    assert.equal(actions.filter((action) => action.kind === 'deletePod').length, 250);
  });

  it('binds each created pod to its node and labels it with the current hash', () => {
    const actions = plan(snapshot({ ds, revisions: [rev], nodes: nodes('n1') }), t0);
    const create = actions.find((action) => action.kind === 'createPod');
    assert.ok(create?.kind === 'createPod');
    assert.equal(create.pod.metadata.labels?.['controller-revision-hash'], hash);
    assert.deepEqual(create.pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
    });
  });

  it('with an empty selector only warns SelectingAll', () => {
    const selectsAll = daemonSet({ spec: { selector: {} } });
    assert.deepEqual(plan(snapshot({ ds: selectsAll, nodes: nodes('n1') }), t0).map(describeAction), ['event Warning SelectingAll']);
  });

  it('does nothing, not even a status write, while the MyDaemonSet is being deleted', () => {
    const deleting = daemonSet({ deletionTimestamp: iso(t0) });
    assert.deepEqual(plan(snapshot({ ds: deleting, nodes: nodes('n1') }), t0), []);
  });

  it("words the Events about terminal pods as upstream's podsShouldBeOnNode", () => {
    const snap = snapshot({
      ds,
      revisions: [rev],
      nodes: nodes('n1', 'n2'),
      pods: [pod('p1', 'n1', { hash, phase: 'Failed' }), pod('p2', 'n2', { hash, phase: 'Succeeded' })],
    });
    const events = plan(snap, t0).flatMap((action) => (action.kind === 'event' ? [[action.type, action.reason, action.message]] : []));
    assert.deepEqual(events, [
      ['Warning', 'FailedDaemonPod', 'Found failed daemon pod ns/p1 on node n1, will try to kill it'],
      ['Normal', 'SucceededDaemonPod', 'Found succeeded daemon pod ns/p2 on node n2, will try to delete it'],
    ]);
  });
});

describe('MyDaemonSet failed-pod backoff as the planner sees it', () => {
  const live = new Map<string, FailedPodBackoff>([
    [backoffKey('n1'), { delayMs: 4000, lastUpdateMs: t0 - 1000 }],
    ['ds-uid/1/n1', { delayMs: 8000, lastUpdateMs: t0 }],
    ['other-uid/0/n1', { delayMs: 2000, lastUpdateMs: t0 }],
  ]);

  it("is a copy of this MyDaemonSet's entries for its observed generation", () => {
    const view = failedPodBackoffOf(live, ds);
    assert.deepEqual([...view], [[backoffKey('n1'), { delayMs: 4000, lastUpdateMs: t0 - 1000 }]]);
    assert.notEqual(view, live);
  });

  it('does not change when the live entries do after planning, nor does planning change them', () => {
    const entries = new Map(live);
    const view = failedPodBackoffOf(entries, ds);
    const snap = snapshot({ ds, revisions: [rev], nodes: nodes('n1'), pods: [pod('p1', 'n1', { hash, phase: 'Failed' })], failedPodBackoff: view });
    const before = new Map(entries);
    assert.deepEqual(plan(snap, t0).map(describeAction), ['requeueAfter 4000 failedPodBackoff', 'writeStatus 1/1/0/0/1/0/1 gen 1', 'writeRolloutConditions']);
    assert.deepEqual(entries, before, 'the planner wrote nothing');
    entries.set(backoffKey('n1'), { delayMs: 8000, lastUpdateMs: t0 });
    assert.deepEqual(view.get(backoffKey('n1')), { delayMs: 4000, lastUpdateMs: t0 - 1000 });
  });
});
