import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyStatefulSet, MyStatefulSetSpec } from '../../src/api/workloads.ts';
import type { StatefulSetSnapshot } from '../../src/controllers/statefulset/plan.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import type { PodState, SetOptions } from './statefulset-fixtures.ts';
import { flatActions, makePod, makeSet, nameOf, now, podWork, revisionOf, snapshot, summarize, writtenStatus } from './statefulset-fixtures.ts';

interface Row {
  readonly name: string;
  readonly snapshot: StatefulSetSnapshot;
  readonly now: number;
  readonly expected: readonly string[];
}

function runRows(rows: readonly Row[]): void {
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(podWork(plan(row.snapshot, row.now)), row.expected);
    });
  }
}

// Three templates: v1 (the running one), v2 (the rollout target), v3 (another change).
const rev1 = revisionOf(makeSet({ image: 'nginx:1' }), 1);
const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
const r1 = nameOf(rev1);
const r2 = nameOf(rev2);

/** A set at `image` whose status says current = `current`, update = `update`. */
function rolling(image: string, current: string, update: string, options: SetOptions = {}): MyStatefulSet {
  return makeSet({ image, ...options, status: { observedGeneration: 1, currentRevision: current, updateRevision: update, ...options.status } });
}

/** Pods web-<i> labelled with revisions[i] in state states[i] (default ready). */
function podsAt(set: MyStatefulSet, revisions: readonly string[], states: readonly (PodState | undefined)[] = []): Pod[] {
  const start = set.spec.ordinals?.start ?? 0;
  return revisions.map((revision, i) => makePod(set, start + i, revision, { state: states[i] ?? 'ready' }));
}

function withStrategy(set: MyStatefulSet, updateStrategy: MyStatefulSetSpec['updateStrategy'], extra: Partial<MyStatefulSetSpec> = {}): MyStatefulSet {
  return { ...set, spec: { ...set.spec, ...extra, updateStrategy } };
}

describe('MyStatefulSet planner: RollingUpdate (legacy path, maxUnavailable unset)', () => {
  const v2 = rolling('nginx:2', r1, r2);
  runRows([
    {
      name: 'creates the new revision and deletes the highest outdated pod first',
      snapshot: snapshot(rolling('nginx:2', r1, r1), podsAt(v2, [r1, r1, r1]), [rev1]),
      now,
      expected: [`createRevision ${r2} #2`, 'deletePod web-2 (update)'],
    },
    {
      name: 'recreates the deleted pod at the update revision',
      snapshot: snapshot(v2, podsAt(v2, [r1, r1]), [rev1, rev2]),
      now,
      expected: [`createPod web-2 @${r2}`],
    },
    {
      name: 'waits for the updated pod to become Ready',
      snapshot: snapshot(v2, podsAt(v2, [r1, r1, r2], ['ready', 'ready', 'running']), [rev1, rev2]),
      now,
      expected: [],
    },
    {
      name: 'moves on to the next lower ordinal once it is Ready',
      snapshot: snapshot(v2, podsAt(v2, [r1, r1, r2]), [rev1, rev2]),
      now,
      expected: ['deletePod web-1 (update)'],
    },
    {
      name: 'stops at an unavailable updated pod above the next target (Parallel, so step 1 does not block)',
      snapshot: snapshot(withStrategy(v2, undefined, { podManagementPolicy: 'Parallel' }), podsAt(v2, [r1, r1, r2], ['ready', 'ready', 'running']), [rev1, rev2]),
      now,
      expected: [],
    },
    {
      name: 'does not delete a terminating outdated pod again, and waits for it',
      snapshot: snapshot(withStrategy(v2, undefined, { podManagementPolicy: 'Parallel' }), podsAt(v2, [r1, r1, r1], ['ready', 'ready', 'terminating-ready']), [rev1, rev2]),
      now,
      expected: [],
    },
  ]);

  describe('partition', () => {
    const canary = withStrategy(v2, { type: 'RollingUpdate', rollingUpdate: { partition: 2 } });
    runRows([
      { name: 'canary: updates only indices at or above the partition', snapshot: snapshot(canary, podsAt(v2, [r1, r1, r1]), [rev1, rev2]), now, expected: ['deletePod web-2 (update)'] },
      { name: 'canary: stops at the partition', snapshot: snapshot(canary, podsAt(v2, [r1, r1, r2]), [rev1, rev2]), now, expected: [] },
      {
        name: 'phased: lowering the partition updates the next index',
        snapshot: snapshot(withStrategy(v2, { rollingUpdate: { partition: 1 } }), podsAt(v2, [r1, r1, r2]), [rev1, rev2]),
        now,
        expected: ['deletePod web-1 (update)'],
      },
      {
        name: 'partition ≥ replicas updates nothing',
        snapshot: snapshot(withStrategy(v2, { rollingUpdate: { partition: 3 } }), podsAt(v2, [r1, r1, r1]), [rev1, rev2]),
        now,
        expected: [],
      },
      {
        name: 'a pod below the partition is recreated at the current revision',
        snapshot: snapshot(canary, podsAt(v2, [r1, r1, r2]).slice(1), [rev1, rev2]),
        now,
        expected: [`createPod web-0 @${r1}`],
      },
      {
        name: 'partition counts indices from ordinals.start',
        snapshot: snapshot(
          withStrategy(rolling('nginx:2', r1, r2, { ordinals: { start: 5 } }), { rollingUpdate: { partition: 2 } }),
          podsAt(rolling('nginx:2', r1, r2, { ordinals: { start: 5 } }), [r1, r1, r1]),
          [rev1, rev2],
        ),
        now,
        expected: ['deletePod web-7 (update)'],
      },
    ]);
  });
});

describe('MyStatefulSet planner: OnDelete', () => {
  const onDelete = withStrategy(rolling('nginx:2', r1, r2), { type: 'OnDelete' });
  runRows([
    { name: 'never deletes outdated pods', snapshot: snapshot(onDelete, podsAt(onDelete, [r1, r1, r1]), [rev1, rev2]), now, expected: [] },
    {
      name: 'recreates a deleted pod at the update revision, whatever its index',
      snapshot: snapshot(onDelete, podsAt(onDelete, [r1, r1, r1]).slice(1), [rev1, rev2]),
      now,
      expected: [`createPod web-0 @${r2}`],
    },
  ]);
  it('never advances currentRevision, even with every pod updated (the update revision is stable then)', () => {
    const status = writtenStatus(plan(snapshot(onDelete, podsAt(onDelete, [r2, r2, r2]), [rev1, rev2]), now));
    assert.deepEqual(status, {
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 0,
      updatedReplicas: 3,
      currentRevision: r1,
      updateRevision: r2,
      collisionCount: 0,
      selector: 'app=web',
      stableRevision: r2,
    });
  });
});

describe('MyStatefulSet planner: maxUnavailable (gate-on path)', () => {
  const five = (maxUnavailable: number | string, extra: Partial<MyStatefulSetSpec> = {}, partition?: number) =>
    withStrategy(rolling('nginx:2', r1, r2), { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, ...(partition !== undefined ? { partition } : {}) } }, { replicas: 5, ...extra });
  const all = (set: MyStatefulSet, states: readonly (PodState | undefined)[] = []) => podsAt(set, [r1, r1, r1, r1, r1], states);
  runRows([
    { name: 'deletes up to maxUnavailable outdated pods at once, highest first', snapshot: snapshot(five(2), all(five(2)), [rev1, rev2]), now, expected: ['deletePod web-4 (update)', 'deletePod web-3 (update)'] },
    { name: 'rounds a percentage down (50% of 5 → 2)', snapshot: snapshot(five('50%'), all(five('50%')), [rev1, rev2]), now, expected: ['deletePod web-4 (update)', 'deletePod web-3 (update)'] },
    { name: 'rounds a percentage down but never below 1 (10% of 5 → 1)', snapshot: snapshot(five('10%'), all(five('10%')), [rev1, rev2]), now, expected: ['deletePod web-4 (update)'] },
    {
      name: 'counts unavailable pods below the partition against the budget',
      snapshot: snapshot(five(2, { podManagementPolicy: 'Parallel' }, 3), all(five(2), ['running']), [rev1, rev2]),
      now,
      expected: ['deletePod web-4 (update)'],
    },
    {
      name: 'does nothing when unavailable pods already fill the budget',
      snapshot: snapshot(five(2, { podManagementPolicy: 'Parallel' }), all(five(2), ['running', 'running']), [rev1, rev2]),
      now,
      expected: [],
    },
    {
      name: 'fails the sync on a malformed maxUnavailable',
      snapshot: snapshot(five('two'), all(five('two')), [rev1, rev2]),
      now,
      expected: ['syncError'],
    },
  ]);
  it('subtracts each update deletion from currentReplicas', () => {
    const status = writtenStatus(plan(snapshot(five(2), all(five(2)), [rev1, rev2]), now));
    assert.equal((status as { currentReplicas: number }).currentReplicas, 3);
  });
});

describe('MyStatefulSet planner: completing and rolling back', () => {
  it('makes the update revision current once every replica is updated and Ready', () => {
    const set = rolling('nginx:2', r1, r2, { status: { currentReplicas: 0, updatedReplicas: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3 } });
    const status = writtenStatus(plan(snapshot(set, podsAt(set, [r2, r2, r2]), [rev1, rev2]), now));
    assert.deepEqual(status, {
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: r2,
      updateRevision: r2,
      collisionCount: 0,
      selector: 'app=web',
      stableRevision: r2,
    });
  });

  it('does not complete while an updated replica is not Ready', () => {
    const set = rolling('nginx:2', r1, r2);
    const status = writtenStatus(plan(snapshot(set, podsAt(set, [r2, r2, r2], ['ready', 'running']), [rev1, rev2]), now));
    assert.equal((status as { currentRevision: string }).currentRevision, r1);
  });

  it('rolls back by renumbering the old revision and updating pods in reverse order', () => {
    const back = rolling('nginx:1', r1, r2);
    const actions = plan(snapshot(back, podsAt(back, [r1, r1, r2]), [rev1, rev2]), now);
    assert.deepEqual(summarize(actions), [`updateRevisionNumber ${r1} #3`, 'deletePod web-2 (update)', 'rolloutConditions', 'writeStatus']);
    assert.deepEqual(writtenStatus(actions), {
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 1,
      updatedReplicas: 2,
      currentRevision: r1,
      updateRevision: r1,
      collisionCount: 0,
      selector: 'app=web',
    });
  });
});

describe('MyStatefulSet planner: stuck rollout recovery (kubernetes#67250, beyond upstream)', () => {
  // The rollout to v2 recreated web-2 at r2, which never became Ready (a crash loop stays Running).
  const rev3 = revisionOf(makeSet({ image: 'nginx:3' }), 3);
  const r3 = nameOf(rev3);
  const stuck = (set: MyStatefulSet) => podsAt(set, [r1, r1, r2], ['ready', 'ready', 'running']);
  /** The template reverted to v1: r1 renumbered as the update revision, r2 abandoned. */
  const reverted = (options: SetOptions = {}) => rolling('nginx:1', r1, r2, options);
  const parallel = (set: MyStatefulSet, rollingUpdate: { maxUnavailable?: number | string; partition?: number } = {}) =>
    withStrategy(set, { type: 'RollingUpdate', rollingUpdate }, { podManagementPolicy: 'Parallel' });
  const replaced = (pod: string) => ['event Warning AbandonedRevision', `deletePod ${pod} (abandonedRevision)`];
  runRows([
    {
      name: 'upstream-compatible: still waits while the broken template is the update target',
      snapshot: snapshot(rolling('nginx:2', r1, r2), stuck(rolling('nginx:2', r1, r2)), [rev1, rev2]),
      now,
      expected: [],
    },
    {
      name: 'reverting the template deletes the not-Ready pod of the abandoned revision, with a Warning first',
      snapshot: snapshot(reverted(), stuck(reverted()), [rev1, rev2]),
      now,
      expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-2')],
    },
    {
      name: 'the next sync recreates it at the reverted (renumbered) revision',
      snapshot: snapshot(rolling('nginx:1', r1, r1), podsAt(rolling('nginx:1', r1, r1), [r1, r1]), [rev2, { ...rev1, revision: 3 }]),
      now,
      expected: [`createPod web-2 @${r1}`],
    },
    {
      name: 'changing the template again also recovers',
      snapshot: snapshot(rolling('nginx:3', r1, r2), stuck(rolling('nginx:3', r1, r2)), [rev1, rev2]),
      now,
      expected: [`createRevision ${r3} #3`, ...replaced('web-2')],
    },
    {
      name: 'a not-Ready pod at currentRevision still blocks, as upstream',
      snapshot: snapshot(rolling('nginx:1', r2, r1), podsAt(rolling('nginx:1', r2, r1), [r2, r2, r2], ['ready', 'running']), [rev2, { ...rev1, revision: 3 }]),
      now,
      expected: [],
    },
    {
      name: 'deletes only one such pod per sync under OrderedReady, the lowest first (it blocks the others)',
      snapshot: snapshot(rolling('nginx:3', r1, r2), podsAt(rolling('nginx:3', r1, r2), [r1, r2, r2], ['ready', 'running', 'running']), [rev1, rev2]),
      now,
      expected: [`createRevision ${r3} #3`, ...replaced('web-1')],
    },
    {
      name: 'recovers Parallel with maxUnavailable 1: the stuck pod is not counted against its own replacement',
      snapshot: snapshot(parallel(reverted(), { maxUnavailable: 1 }), stuck(reverted()), [rev1, rev2]),
      now,
      expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-2')],
    },
    {
      name: 'leaves OnDelete alone',
      snapshot: snapshot(withStrategy(reverted(), { type: 'OnDelete' }), stuck(reverted()), [rev1, rev2]),
      now,
      expected: [`updateRevisionNumber ${r1} #3`],
    },
    {
      name: 'leaves a terminating pod of the abandoned revision alone',
      snapshot: snapshot(reverted(), podsAt(reverted(), [r1, r1, r2], ['ready', 'ready', 'terminating']), [rev1, rev2]),
      now,
      expected: [`updateRevisionNumber ${r1} #3`],
    },
  ]);

  describe('the partition', () => {
    // web-1 was updated to r2 while the partition was lower, then the partition went back up to 2.
    const pinned = (set: MyStatefulSet) => podsAt(set, [r1, r2, r2], ['ready', 'running', 'running']);
    runRows([
      {
        name: 'never touches a stuck pod below the partition: OrderedReady waits for it, as upstream',
        snapshot: snapshot(withStrategy(reverted(), { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }), pinned(reverted()), [rev1, rev2]),
        now,
        expected: [`updateRevisionNumber ${r1} #3`],
      },
      {
        name: 'replaces a stuck pod at the partition',
        snapshot: snapshot(withStrategy(reverted(), { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }), stuck(reverted()), [rev1, rev2]),
        now,
        expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-2')],
      },
      {
        name: 'under Parallel replaces the one above the partition and counts the one below as unavailable',
        snapshot: snapshot(parallel(reverted(), { partition: 2, maxUnavailable: 2 }), pinned(reverted()), [rev1, rev2]),
        now,
        expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-2')],
      },
      {
        name: 'counts the partition in indices from ordinals.start',
        snapshot: snapshot(
          parallel(reverted({ ordinals: { start: 5 }, replicas: 2 }), { partition: 1, maxUnavailable: 2 }),
          podsAt(reverted({ ordinals: { start: 5 } }), [r2, r2], ['running', 'running']),
          [rev1, rev2],
        ),
        now,
        expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-6')],
      },
    ]);
  });

  describe('the Parallel budget', () => {
    const allStuck = (set: MyStatefulSet) => podsAt(set, [r2, r2, r2], ['running', 'running', 'running']);
    runRows([
      {
        name: 'replaces one per sync when maxUnavailable is unset, highest index first, and the update step does not delete it again',
        snapshot: snapshot(withStrategy(reverted(), undefined, { podManagementPolicy: 'Parallel' }), allStuck(reverted()), [rev1, rev2]),
        now,
        expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-2')],
      },
      {
        name: 'replaces up to maxUnavailable at once',
        snapshot: snapshot(parallel(reverted(), { maxUnavailable: 2 }), allStuck(reverted()), [rev1, rev2]),
        now,
        expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-1'), ...replaced('web-2')],
      },
      {
        name: 'rounds a percentage down, never below 1 (50% of 3 → 1)',
        snapshot: snapshot(parallel(reverted(), { maxUnavailable: '50%' }), allStuck(reverted()), [rev1, rev2]),
        now,
        expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-2')],
      },
      {
        name: 'counts pods already unavailable for another reason against the budget',
        snapshot: snapshot(parallel(reverted(), { maxUnavailable: 2 }), podsAt(reverted(), [r1, r2, r2], ['running', 'running', 'running']), [rev1, rev2]),
        now,
        expected: [`updateRevisionNumber ${r1} #3`, ...replaced('web-2')],
      },
      {
        name: 'waits while an earlier replacement is missing or not yet available',
        snapshot: snapshot(
          parallel(rolling('nginx:1', r1, r1), { maxUnavailable: 1 }),
          podsAt(rolling('nginx:1', r1, r1), [r2, r2], ['running', 'running']),
          [rev2, { ...rev1, revision: 3 }],
        ),
        now,
        expected: [`createPod web-2 @${r1}`],
      },
      {
        name: 'shares maxUnavailable with the update step, which skips the pod already being replaced',
        snapshot: snapshot(parallel(rolling('nginx:3', r1, r2), { maxUnavailable: 3 }), stuck(rolling('nginx:3', r1, r2)), [rev1, rev2]),
        now,
        expected: [`createRevision ${r3} #3`, ...replaced('web-2'), 'deletePod web-1 (update)', 'deletePod web-0 (update)'],
      },
    ]);
  });

  describe('the revision label', () => {
    const unlabelled = (pod: Pod): Pod => {
      const { 'controller-revision-hash': _hash, ...labels } = pod.metadata.labels ?? {};
      return { ...pod, metadata: { ...pod.metadata, labels } };
    };
    runRows([
      {
        name: 'leaves a stuck pod without a controller-revision-hash label (adopted) alone',
        snapshot: snapshot(reverted(), stuck(reverted()).map((p) => (nameOf(p) === 'web-2' ? unlabelled(p) : p)), [rev1, rev2]),
        now,
        expected: [`updateRevisionNumber ${r1} #3`],
      },
    ]);
  });

  it('names the pod, its revision and the revisions the set wants in the Warning', () => {
    const afterRevert = flatActions(plan(snapshot(reverted(), stuck(reverted()), [rev1, rev2]), now)).find((a) => a.kind === 'event');
    assert.deepEqual(afterRevert, {
      kind: 'event',
      work: { step: 'replicas', index: 2, operation: 'delete', podName: 'web-2' },
      type: 'Warning',
      reason: 'AbandonedRevision',
      message: `Pod web-2 at revision ${r2}, not the set's revision ${r1}, is not Running and Ready: deleting it to recreate it at ${r1}`,
    });
    const changed = rolling('nginx:3', r1, r2);
    const afterChange = flatActions(plan(snapshot(changed, stuck(changed), [rev1, rev2]), now)).find((a) => a.kind === 'event');
    assert.equal(
      afterChange?.kind === 'event' ? afterChange.message : undefined,
      `Pod web-2 at revision ${r2}, neither the current revision ${r1} nor the update revision ${r3}, is not Running and Ready: deleting it to recreate it at ${r3}`,
    );
  });
});
