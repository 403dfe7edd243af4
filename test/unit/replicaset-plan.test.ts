// The MyReplicaSet planner, table-driven: snapshot and `now` in, actions out. No fakes.
import assert from 'node:assert/strict';
import type { ReplicaSetAction, ReplicaSetSnapshot } from '../../src/controllers/replicaset/plan.ts';
import { plan } from '../../src/controllers/replicaset/plan.ts';
import { appLabels, iso, pod, readyPods, replicaSet, snapshot, t0, template } from './replicaset-fixtures.ts';

/** What a plan comes to, in a comparable shape. */
interface Summary {
  readonly creates: number;
  readonly deletes: readonly string[];
  readonly status: Record<string, unknown> | undefined;
  readonly requeueAfterMs: number | undefined;
}

function summarize(actions: readonly ReplicaSetAction[]): Summary {
  let creates = 0;
  const deletes: string[] = [];
  let status: Record<string, unknown> | undefined;
  let requeueAfterMs: number | undefined;
  for (const action of actions) {
    switch (action.kind) {
      case 'createPod':
        creates++;
        break;
      case 'deletePod':
        deletes.push(action.pod.metadata.name ?? '');
        break;
      case 'writeStatus':
        status = { ...action.status };
        break;
      case 'requeueAfter':
        requeueAfterMs = action.afterMs;
        break;
      default: {
        const unexpected: never = action;
        throw new Error(`unexpected action ${JSON.stringify(unexpected)}`);
      }
    }
  }
  return { creates, deletes, status, requeueAfterMs };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const counts = (replicas: number, ready = replicas, available = ready, terminating = 0): Record<string, unknown> => ({
  replicas,
  fullyLabeledReplicas: replicas,
  readyReplicas: ready,
  availableReplicas: available,
  terminatingReplicas: terminating,
  selector: 'app=web',
  observedGeneration: 1,
});

const steadyStatus = { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, terminatingReplicas: 0, selector: 'app=web', observedGeneration: 1 };
const terminating = (name: string): ReturnType<typeof pod> => pod(name, { node: 'n1', deletionTimestamp: iso(t0 - 1000) });

interface Row {
  readonly name: string;
  readonly snapshot: ReplicaSetSnapshot;
  readonly now?: number;
  /** `deletes`: the pods deleted, in order, or only how many. */
  readonly expected: Omit<Summary, 'deletes'> & { readonly deletes: readonly string[] | number };
}

const rows: readonly Row[] = [
  {
    name: 'creates every missing replica of a new set and writes the first status',
    snapshot: snapshot(),
    expected: { creates: 3, deletes: [], status: counts(0), requeueAfterMs: undefined },
  },
  {
    name: 'creates at most 500 pods in one sync (BurstReplicas)',
    snapshot: snapshot({ rs: replicaSet({ spec: { replicas: 1200 } }) }),
    expected: { creates: 500, deletes: [], status: counts(0), requeueAfterMs: undefined },
  },
  {
    name: 'defaults spec.replicas to 1',
    snapshot: snapshot({ rs: replicaSet({ spec: { replicas: undefined } }) }),
    expected: { creates: 1, deletes: [], status: counts(0), requeueAfterMs: undefined },
  },
  {
    name: 'deletes the surplus, ranked: the unscheduled pod, then the not-Ready one; the status counts them terminating at once',
    snapshot: snapshot({
      activePods: [...readyPods(3), pod('pending', { phase: 'Pending' }), pod('unready', { node: 'n1', notReady: true })],
    }),
    expected: { creates: 0, deletes: ['pending', 'unready'], status: counts(3, 3, 3, 2), requeueAfterMs: undefined },
  },
  {
    name: 'deletes at most 500 pods in one sync',
    snapshot: snapshot({ rs: replicaSet({ spec: { replicas: 0 } }), activePods: readyPods(700) }),
    expected: {
      creates: 0,
      deletes: 500,
      status: counts(200, 200, 200, 500),
      requeueAfterMs: undefined,
    },
  },
  {
    name: 'with expectations pending: no creates or deletes, but the status is still written',
    snapshot: snapshot({ expectationsSatisfied: false, activePods: readyPods(1) }),
    expected: { creates: 0, deletes: [], status: counts(1), requeueAfterMs: undefined },
  },
  {
    name: 'while the set is being deleted: no creates, only the status',
    snapshot: snapshot({ rs: replicaSet({ deletionTimestamp: iso(t0) }), activePods: readyPods(1) }),
    expected: { creates: 0, deletes: [], status: counts(1), requeueAfterMs: undefined },
  },
  {
    name: 'does nothing at all when the status is current and the replicas are there',
    snapshot: snapshot({ rs: replicaSet({ status: steadyStatus }), activePods: readyPods(3) }),
    expected: { creates: 0, deletes: [], status: undefined, requeueAfterMs: undefined },
  },
  {
    name: 'writes an unchanged status when the generation moved on (observedGeneration)',
    snapshot: snapshot({ rs: replicaSet({ generation: 2, status: steadyStatus }), activePods: readyPods(3) }),
    expected: { creates: 0, deletes: [], status: { ...counts(3), observedGeneration: 2 }, requeueAfterMs: undefined },
  },
  {
    name: 'counts terminating pods apart and replaces them',
    snapshot: snapshot({ activePods: readyPods(2), terminatingPods: [terminating('old')] }),
    expected: { creates: 1, deletes: [], status: counts(2, 2, 2, 1), requeueAfterMs: undefined },
  },
  {
    name: 'with minReadySeconds: requeues for when the earliest Ready pod becomes available',
    snapshot: snapshot({
      rs: replicaSet({ spec: { minReadySeconds: 30 } }),
      activePods: [
        pod('p1', { node: 'n1', readySince: t0 - 10_000 }),
        pod('p2', { node: 'n1', readySince: t0 - 20_000 }),
        pod('p3', { node: 'n1', readySince: t0 - 60_000 }),
      ],
    }),
    expected: { creates: 0, deletes: [], status: counts(3, 3, 1), requeueAfterMs: 10_000 },
  },
  {
    name: 'with minReadySeconds and no Ready time to go by: requeues after minReadySeconds',
    snapshot: snapshot({
      rs: replicaSet({ spec: { minReadySeconds: 30, replicas: 1 } }),
      activePods: [{ ...pod('p1', { node: 'n1' }), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }],
    }),
    expected: { creates: 0, deletes: [], status: counts(1, 1, 0), requeueAfterMs: 30_000 },
  },
  {
    name: 'with minReadySeconds and every Ready pod available: no requeue',
    snapshot: snapshot({ rs: replicaSet({ spec: { minReadySeconds: 30 } }), activePods: readyPods(3) }),
    expected: { creates: 0, deletes: [], status: counts(3), requeueAfterMs: undefined },
  },
];

describe('MyReplicaSet planner', () => {
  for (const row of rows) {
    it(row.name, () => {
      const actions = plan(deepFreeze(row.snapshot), row.now ?? t0);
      const got = summarize(actions);
      const expected = row.expected;
      assert.equal(got.creates, expected.creates);
      if (typeof expected.deletes === 'number') assert.equal(got.deletes.length, expected.deletes);
      else assert.deepEqual(got.deletes, expected.deletes);
      assert.deepEqual(got.status, expected.status);
      assert.equal(got.requeueAfterMs, expected.requeueAfterMs);
    });
  }

  it('orders pod changes first, then the status write, then the requeue', () => {
    const actions = plan(snapshot({ rs: replicaSet({ spec: { minReadySeconds: 30, replicas: 2 } }), activePods: [pod('p1', { node: 'n1', readySince: t0 - 1000 })] }), t0);
    assert.deepEqual(
      actions.map((a) => a.kind),
      ['createPod', 'writeStatus', 'requeueAfter'],
    );
  });

  it('creates every pod from the template, with generateName and a controller reference', () => {
    const rs = replicaSet({ spec: { replicas: 2, template: { metadata: { labels: { ...appLabels, tier: 'front' }, annotations: { a: 'b' } }, spec: template().spec } } });
    const creates = plan(snapshot({ rs }), t0).filter((a) => a.kind === 'createPod');
    assert.equal(creates.length, 2);
    for (const action of creates) {
      assert.equal(action.pod.metadata.generateName, 'web-');
      assert.deepEqual(action.pod.metadata.labels, { app: 'web', tier: 'front' });
      assert.deepEqual(action.pod.metadata.annotations, { a: 'b' });
      assert.deepEqual(action.pod.metadata.ownerReferences, [
        { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true },
      ]);
    }
  });

  it('still plans creates for a template without labels (the executor refuses them, as upstream)', () => {
    const rs = replicaSet({ spec: { replicas: 1, template: { spec: template().spec } } });
    const creates = plan(snapshot({ rs }), t0).filter((a) => a.kind === 'createPod');
    assert.equal(creates.length, 1);
  });

  it('counts the related pods of sibling sets on the same node when choosing what to delete', () => {
    // p1 on n1, p2 on n2; a sibling set's pods crowd n2, so p2 goes.
    const activePods = [pod('p1', { node: 'n1', readySince: t0 - 600_000 }), pod('p2', { node: 'n2', readySince: t0 - 600_000 })];
    const sibling = [pod('s1', { node: 'n2', owner: null }), pod('s2', { node: 'n2', owner: null })];
    const actions = plan(snapshot({ rs: replicaSet({ spec: { replicas: 1 } }), activePods, relatedPods: [...activePods, ...sibling] }), t0);
    assert.deepEqual(
      actions.filter((a) => a.kind === 'deletePod').map((a) => a.pod.metadata.name),
      ['p2'],
    );
  });
});
