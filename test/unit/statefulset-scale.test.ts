import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { StatefulSetAction, StatefulSetSnapshot } from '../../src/controllers/statefulset/plan.ts';
import { plan, slowStartBatch } from '../../src/controllers/statefulset/plan.ts';
import {
  makePod,
  makePvc,
  makeSet,
  nameOf,
  now,
  podRef,
  podWork,
  revisionOf,
  setRef,
  snapshot,
  steady,
  summarize,
  withPods,
} from './statefulset-fixtures.ts';

interface Row {
  readonly name: string;
  readonly snapshot: StatefulSetSnapshot;
  readonly now: number;
  readonly expected: readonly string[];
}

function runRows(rows: readonly Row[], view: (actions: ReturnType<typeof plan>) => string[] = podWork): void {
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(view(plan(row.snapshot, row.now)), row.expected);
    });
  }
}

const fresh = makeSet({ claims: ['www'] });
const freshRev = revisionOf(fresh, 1);
const r = nameOf(freshRev);

describe('MyStatefulSet planner: OrderedReady scaling', () => {
  const { set, rev, pods } = steady({ claims: ['www'] });
  const r1 = nameOf(rev);
  const claims = [0, 1, 2].map((o) => makePvc(`www-web-${o}`));
  runRows([
    {
      name: 'creates the revision, then web-0 with its claim first, and stops',
      snapshot: snapshot(fresh, [], []),
      now,
      expected: [`createRevision ${r} #1`, 'createPvc www-web-0', `createPod web-0 @${r}`],
    },
    {
      name: 'creates web-1 only once web-0 is Running and Ready',
      snapshot: snapshot(fresh, [makePod(fresh, 0, r)], [freshRev], [makePvc('www-web-0')]),
      now,
      expected: ['createPvc www-web-1', `createPod web-1 @${r}`],
    },
    {
      name: 'reuses an existing claim when creating a pod',
      snapshot: snapshot(fresh, [makePod(fresh, 0, r)], [freshRev], [makePvc('www-web-0'), makePvc('www-web-1')]),
      now,
      expected: [`createPod web-1 @${r}`],
    },
    {
      name: 'halts at a pod that is Running but not Ready',
      snapshot: snapshot(fresh, [makePod(fresh, 0, r, { state: 'running' })], [freshRev], [makePvc('www-web-0')]),
      now,
      expected: [],
    },
    {
      name: 'halts at a terminating pod',
      snapshot: snapshot(fresh, [makePod(fresh, 0, r, { state: 'terminating-ready' })], [freshRev], [makePvc('www-web-0')]),
      now,
      expected: [],
    },
    {
      name: 'halts at a Ready pod that is not yet available (minReadySeconds)',
      snapshot: snapshot(
        makeSet({ claims: ['www'], minReadySeconds: 30 }),
        [makePod(fresh, 0, r, { readyAt: new Date(now - 10_000).toISOString() })],
        [freshRev],
        [makePvc('www-web-0')],
      ),
      now,
      expected: [],
    },
    {
      name: 'recreates the missing claim of a Pending pod',
      snapshot: snapshot(fresh, [makePod(fresh, 0, r, { state: 'pending' })], [freshRev], []),
      now,
      expected: ['createPvc www-web-0'],
    },
    {
      name: 'deletes a Failed pod and stops',
      snapshot: snapshot(set, withPods(pods, makePod(set, 1, r1, { state: 'failed' })), [rev], claims),
      now,
      expected: ['deletePod web-1 (terminal)'],
    },
    {
      name: 'deletes a Succeeded pod too',
      snapshot: snapshot(set, [makePod(set, 0, r1, { state: 'succeeded' })], [rev], claims),
      now,
      expected: ['deletePod web-0 (terminal)'],
    },
    {
      name: 'waits for a Failed pod already being deleted',
      snapshot: snapshot(set, [makePod(set, 0, r1, { state: 'failed', deleting: true }), makePod(set, 1, r1)], [rev], claims),
      now,
      expected: [],
    },
    {
      name: 'recreates a deleted Failed pod at once, without backoff',
      snapshot: snapshot(set, pods.filter((p) => nameOf(p) !== 'web-1'), [rev], claims),
      now,
      expected: [`createPod web-1 @${r1}`],
    },
    {
      name: 'repairs a pod whose pod-name label was changed',
      snapshot: snapshot(
        set,
        pods.map((p) =>
          nameOf(p) === 'web-1'
            ? { ...p, metadata: { ...p.metadata, labels: { ...p.metadata.labels, 'statefulset.kubernetes.io/pod-name': 'x' } } }
            : p,
        ),
        [rev],
        claims,
      ),
      now,
      expected: ['updatePod web-1'],
    },
    {
      name: 'does not create a pod whose claim is being deleted (FailedCreate via pvcTerminating)',
      snapshot: snapshot(fresh, [], [freshRev], [makePvc('www-web-0', [], '2025-01-01T00:09:00Z')]),
      now,
      expected: ['pvcTerminating www-web-0'],
    },
    {
      name: 'waits while a claim is still owned by an earlier pod of the same name (whenScaled Delete)',
      snapshot: snapshot(
        makeSet({ claims: ['www'], persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } }),
        [],
        [freshRev],
        [makePvc('www-web-0', [podRef('web-0', 'uid-old')])],
      ),
      now,
      expected: [],
    },
  ]);

  describe('scale down', () => {
    const down = (replicas: number) => ({ ...set, spec: { ...set.spec, replicas } });
    runRows([
      {
        name: 'deletes the highest ordinal first, one per sync',
        snapshot: snapshot(down(1), pods, [rev], claims),
        now,
        expected: ['deletePod web-2 (scaleDown)'],
      },
      {
        name: 'waits for a terminating condemned pod before deleting the next',
        snapshot: snapshot(down(1), withPods(pods, makePod(set, 2, r1, { state: 'terminating' })), [rev], claims),
        now,
        expected: [],
      },
      {
        name: 'deletes an unhealthy condemned pod when it is the first unhealthy pod',
        snapshot: snapshot(down(1), withPods(pods, makePod(set, 2, r1, { state: 'running' })), [rev], claims),
        now,
        expected: ['deletePod web-2 (scaleDown)'],
      },
      {
        name: 'halts on an unhealthy condemned pod that is not the first unhealthy pod',
        snapshot: snapshot(
          down(1),
          withPods(pods, makePod(set, 1, r1, { state: 'running' }), makePod(set, 2, r1, { state: 'running' })),
          [rev],
          claims,
        ),
        now,
        expected: [],
      },
      {
        name: 'deletes a healthy condemned pod above an unhealthy one',
        snapshot: snapshot(down(1), withPods(pods, makePod(set, 1, r1, { state: 'running' })), [rev], claims),
        now,
        expected: ['deletePod web-2 (scaleDown)'],
      },
      {
        name: 'does not scale down while a replica is unhealthy',
        snapshot: snapshot(down(1), withPods(pods, makePod(set, 0, r1, { state: 'running' })), [rev], claims),
        now,
        expected: [],
      },
      {
        name: 'fixes a condemned pod’s claim references before deleting it (whenScaled Delete)',
        snapshot: snapshot(
          { ...down(2), spec: { ...down(2).spec, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } } },
          pods,
          [rev],
          claims,
        ),
        now,
        expected: ['patchPvcOwnerRefs www-web-2 [Pod/web-2]', 'deletePod web-2 (scaleDown)'],
      },
    ]);
  });

  describe('PVC retention on replicas', () => {
    const whenDeleted = { ...set, spec: { ...set.spec, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' as const } } };
    runRows([
      {
        name: 'adds the set as owner of each claim through a pod update (whenDeleted Delete)',
        snapshot: snapshot(whenDeleted, pods, [rev], [makePvc('www-web-0'), makePvc('www-web-1', [setRef()]), makePvc('www-web-2', [setRef()])]),
        now,
        expected: ['patchPvcOwnerRefs www-web-0 [MyStatefulSet/web]', 'updatePod web-0'],
      },
      {
        name: 'warns ConflictingController and removes our reference next to another controller',
        snapshot: snapshot(
          whenDeleted,
          pods,
          [rev],
          [
            makePvc('www-web-0', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'uid-x', controller: true }, setRef()]),
            makePvc('www-web-1', [setRef()]),
            makePvc('www-web-2', [setRef()]),
          ],
        ),
        now,
        expected: ['event Warning ConflictingController', 'patchPvcOwnerRefs www-web-0 [ConfigMap/x]', 'updatePod web-0'],
      },
      {
        name: 'leaves a claim with a stale set reference untouched',
        snapshot: snapshot(
          whenDeleted,
          pods,
          [rev],
          [makePvc('www-web-0', [setRef('uid-old')]), makePvc('www-web-1', [setRef()]), makePvc('www-web-2', [setRef()])],
        ),
        now,
        expected: [],
      },
    ]);
  });
});

describe('MyStatefulSet planner: Parallel (burst) scaling', () => {
  const parallel = makeSet({ claims: ['www'], podManagementPolicy: 'Parallel', replicas: 4 });
  const { set, rev, pods } = steady({ podManagementPolicy: 'Parallel', replicas: 4 });
  runRows([
    {
      name: 'creates every missing pod, each after its claim, without waiting',
      snapshot: snapshot(parallel, [makePod(parallel, 1, r, { state: 'pending' })], [freshRev], [makePvc('www-web-1')]),
      now,
      expected: [
        'createPvc www-web-0',
        `createPod web-0 @${r}`,
        'createPvc www-web-2',
        `createPod web-2 @${r}`,
        'createPvc www-web-3',
        `createPod web-3 @${r}`,
      ],
    },
    {
      name: 'stops after the slow-start batch in which a unit is known to fail',
      snapshot: snapshot(parallel, [], [freshRev], [makePvc('www-web-1', [], '2025-01-01T00:09:00Z')]),
      now,
      expected: ['createPvc www-web-0', `createPod web-0 @${r}`, 'pvcTerminating www-web-1', 'createPvc www-web-2', `createPod web-2 @${r}`],
    },
    {
      name: 'deletes every non-terminating condemned pod at once, ignoring health',
      snapshot: snapshot(
        { ...set, spec: { ...set.spec, replicas: 1 } },
        withPods(pods, makePod(set, 1, nameOf(rev), { state: 'running' }), makePod(set, 2, nameOf(rev), { state: 'terminating' })),
        [rev],
      ),
      now,
      expected: ['deletePod web-3 (scaleDown)', 'deletePod web-1 (scaleDown)'],
    },
  ]);

  it('numbers slow-start batches 1, 2, 4, … capped at 500 positions', () => {
    assert.deepEqual([0, 1, 2, 3, 6, 7, 14, 15].map(slowStartBatch), [0, 1, 1, 2, 2, 3, 3, 4]);
    assert.equal(slowStartBatch(510), 8); // positions 255..510 are the 256-wide batch 8
    assert.equal(slowStartBatch(511), 9); // then batches of 500
    assert.equal(slowStartBatch(1010), 9);
    assert.equal(slowStartBatch(1011), 10);
  });
});

describe('MyStatefulSet planner: ordinals.start', () => {
  const atStart = (start: number | undefined, replicas = 2) => makeSet({ replicas, ...(start !== undefined ? { ordinals: { start } } : {}) });
  const rev = revisionOf(atStart(undefined), 1);
  const r1 = nameOf(rev);
  const podsAt = (set: ReturnType<typeof atStart>, ordinals: number[]) => ordinals.map((o) => makePod(set, o, r1));
  runRows([
    { name: 'creates the first pod at ordinals.start', snapshot: snapshot(atStart(3), [], [rev]), now, expected: [`createPod web-3 @${r1}`] },
    {
      name: 'on an increase, creates the new first ordinal before condemning the old ones',
      snapshot: snapshot(atStart(1), podsAt(atStart(0), [0, 1]), [rev]),
      now,
      expected: [`createPod web-2 @${r1}`],
    },
    {
      name: 'on an increase, once the new range is Ready, deletes the old ordinals',
      snapshot: snapshot(atStart(1), podsAt(atStart(0), [0, 1, 2]), [rev]),
      now,
      expected: ['deletePod web-0 (scaleDown)'],
    },
    {
      name: 'on a decrease, creates the lower ordinal first',
      snapshot: snapshot(atStart(0), podsAt(atStart(2), [2, 3]), [rev]),
      now,
      expected: [`createPod web-0 @${r1}`],
    },
    {
      name: 'on a decrease, deletes the highest old ordinal once the new range is Ready',
      snapshot: snapshot(atStart(0), podsAt(atStart(2), [0, 1, 2, 3]), [rev]),
      now,
      expected: ['deletePod web-3 (scaleDown)'],
    },
    {
      name: 'removing ordinals.start behaves as start 0',
      snapshot: snapshot(atStart(undefined), podsAt(atStart(1), [1, 2]), [rev]),
      now,
      expected: [`createPod web-0 @${r1}`],
    },
  ]);
});

describe('MyStatefulSet planner: a set being deleted', () => {
  it('writes only status', () => {
    const { set, rev, pods } = steady();
    const deleting = { ...set, metadata: { ...set.metadata, deletionTimestamp: '2025-01-01T00:09:00Z' }, spec: { ...set.spec, replicas: 5 } };
    const actions = plan(snapshot(deleting, pods.slice(0, 2), [rev]), now);
    assert.deepEqual(summarize(actions), ['writeStatus']);
  });
});

describe('MyStatefulSet planner: what the executor is handed', () => {
  /** Each podStep as `<step>: [indices of batch 1] [indices of batch 2] …`. */
  const batchesOf = (actions: readonly StatefulSetAction[]): string[] =>
    actions.flatMap((a) => (a.kind === 'podStep' ? [`${a.step}: ${a.batches.map((b) => `[${b.map((u) => u.index).join(',')}]`).join(' ')}`] : []));
  const relabelled = (pod: Pod): Pod => ({
    ...pod,
    metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, 'statefulset.kubernetes.io/pod-name': 'x' } },
  });

  it('Parallel: the replicas step in slow-start batches of 1, 2, 4, …', () => {
    const parallel = makeSet({ podManagementPolicy: 'Parallel', replicas: 5 });
    assert.deepEqual(batchesOf(plan(snapshot(parallel, [], [revisionOf(parallel, 1)]), now)), ['replicas: [0] [1,2] [3,4]']);
  });

  it('OrderedReady: one unit per batch, in index order', () => {
    const { set, rev, pods } = steady({ replicas: 3 });
    const broken = pods.map((p) => (nameOf(p) === 'web-2' ? p : relabelled(p)));
    assert.deepEqual(batchesOf(plan(snapshot(set, broken, [rev]), now)), ['replicas: [0] [1]']);
  });

  it('the update step one deletion per batch, highest index first, also under Parallel', () => {
    const options = { replicas: 3, podManagementPolicy: 'Parallel', updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } } as const;
    const { set: old, rev, pods } = steady(options);
    const set = makeSet({ ...options, image: 'nginx:2', status: old.status });
    assert.deepEqual(batchesOf(plan(snapshot(set, pods, [rev, revisionOf(set, 2)]), now)), ['update: [2] [1]']);
  });

  it('groups a unit’s actions by call: a Pending pod’s missing claim, then its repair', () => {
    const parallel = makeSet({ claims: ['www'], podManagementPolicy: 'Parallel', replicas: 1 });
    const prev = revisionOf(parallel, 1);
    const pending = relabelled(makePod(parallel, 0, nameOf(prev), { state: 'pending' }));
    const step = plan(snapshot(parallel, [pending], [prev]), now).find((a) => a.kind === 'podStep');
    assert.deepEqual(
      step?.kind === 'podStep' ? step.batches.flat().flatMap((u) => u.operations.map((o) => `${o.operation} ${o.podName}: ${o.actions.map((a) => a.kind).join(',')}`)) : [],
      ['createMissingClaims web-0: createClaims', 'update web-0: updatePod'],
    );
  });

  it('writes status with currentReplicas for each number of update deletions that go through', () => {
    const options = { replicas: 3, podManagementPolicy: 'Parallel', updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } } as const;
    const { set: old, rev, pods } = steady(options);
    const set = makeSet({ ...options, image: 'nginx:2', status: old.status });
    const write = plan(snapshot(set, pods, [rev, revisionOf(set, 2)]), now).find((a) => a.kind === 'writeStatus');
    assert.deepEqual(write?.kind === 'writeStatus' ? write.currentReplicasAfterUpdateDeletions : undefined, [3, 2, 1]);
    assert.equal(write?.kind === 'writeStatus' ? write.status.currentReplicas : undefined, 1);
  });

  it('lets a later call see the owner references an earlier one patches, changing nothing it was given', () => {
    // Parallel, whenDeleted Delete: the Pending pod's claims call patches the set reference in;
    // the repair that follows sees it and patches nothing again (nor writes the pod).
    const set = makeSet({
      claims: ['www'],
      podManagementPolicy: 'Parallel',
      replicas: 1,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' },
    });
    const prev = revisionOf(set, 1);
    const snap = deepFreeze(snapshot(set, [makePod(set, 0, nameOf(prev), { state: 'pending' })], [prev], [makePvc('www-web-0')]));
    const first = plan(snap, now);
    assert.deepEqual(podWork(first), ['patchPvcOwnerRefs www-web-0 [MyStatefulSet/web]']);
    assert.deepEqual(plan(snap, now), first);
    assert.equal(snap.pvcs[0]?.metadata.ownerReferences, undefined);
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
