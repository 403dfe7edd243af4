// The Progressing condition and status.stableRevision of a MyStatefulSet (docs/rollout-control.md
// "Conditions", "Progress deadline and automatic rollback").
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyStatefulSet, RolloutCondition } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import type { PodState, SetOptions } from './statefulset-fixtures.ts';
import {
  completeCondition,
  conditionLines,
  conditionsAfter,
  makePod,
  makeSet,
  nameOf,
  now,
  podWork,
  requeues,
  revisionOf,
  secondsBefore,
  snapshot,
  statusWrite,
} from './statefulset-fixtures.ts';

const rev1 = revisionOf(makeSet({ image: 'nginx:1' }), 1);
const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
const r1 = nameOf(rev1);
const r2 = nameOf(rev2);
const nowTime = '2025-01-01T00:10:00Z';

/** Progressing True/RolloutProgressing for r2, last progress `secondsAgo` before now. */
function progressing(secondsAgo: number): RolloutCondition {
  return {
    type: 'Progressing',
    status: 'True',
    lastUpdateTime: secondsBefore(secondsAgo),
    lastTransitionTime: secondsBefore(secondsAgo + 60),
    reason: 'RolloutProgressing',
    message: `MyStatefulSet "web" is progressing: rolling out revision ${r2}`,
  };
}

/**
 * A rollout of r2 (nginx:2) stuck at web-2, which runs r2 and is not Ready; the status is what
 * the last sync wrote for these pods, so nothing but the conditions can change.
 */
function stuck(conditions: readonly RolloutCondition[] | undefined, options: SetOptions = {}): MyStatefulSet {
  return makeSet({
    image: 'nginx:2',
    progressDeadlineSeconds: 600,
    ...options,
    status: {
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 2,
      availableReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 1,
      currentRevision: r1,
      updateRevision: r2,
      collisionCount: 0,
      selector: 'app=web',
      stableRevision: r1,
      ...(conditions !== undefined ? { conditions } : {}),
      ...options.status,
    },
  });
}

function podsAt(set: MyStatefulSet, revisions: readonly string[], states: readonly (PodState | undefined)[] = [], readyAt?: string): Pod[] {
  return revisions.map((revision, i) => makePod(set, i, revision, { state: states[i] ?? 'ready', ...(readyAt !== undefined ? { readyAt } : {}) }));
}

const stuckPods = (set: MyStatefulSet): Pod[] => podsAt(set, [r1, r1, r2], ['ready', 'ready', 'running']);

describe('MyStatefulSet planner: Progressing', () => {
  it('starts at True/RolloutProgressing with the clock at now, and requeues for the deadline', () => {
    const set = stuck(undefined);
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    const conditions = conditionsAfter(set, actions);
    assert.deepEqual(conditions, [
      {
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: nowTime,
        lastTransitionTime: nowTime,
        reason: 'RolloutProgressing',
        message: `MyStatefulSet "web" is progressing: rolling out revision ${r2}`,
      },
    ]);
    assert.deepEqual(requeues(actions), ['progressDeadline 601000']);
    assert.equal(statusWrite(actions), undefined, 'the counts did not change');
  });

  it('writes nothing while a stuck rollout is within its deadline, and requeues for when it passes', () => {
    const set = stuck([progressing(100)]);
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    assert.deepEqual(actions, [{ kind: 'requeueAfter', afterMs: 501_000, reason: 'progressDeadline' }]);
  });

  it('turns False/ProgressDeadlineExceeded once the deadline passed without progress', () => {
    const set = stuck([progressing(601)]);
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    const [condition] = conditionsAfter(set, actions);
    assert.equal(`${condition?.status}/${condition?.reason}`, 'False/ProgressDeadlineExceeded');
    assert.equal(condition?.message, `MyStatefulSet "web" has not progressed for 600 s rolling out revision ${r2}`);
    assert.equal(condition?.lastTransitionTime, nowTime);
    assert.deepEqual(requeues(actions), []);
    assert.equal(statusWrite(actions), undefined, 'no rollback without spec.autoRollback');
  });

  it('runs no deadline when progressDeadlineSeconds is unset', () => {
    const set = stuck([progressing(100_000)], { progressDeadlineSeconds: undefined });
    assert.deepEqual(plan(snapshot(set, stuckPods(set), [rev1, rev2]), now), []);
  });

  it('moves lastUpdateTime to now on progress (a pod became Ready), keeping lastTransitionTime', () => {
    const set = stuck([progressing(500)]);
    const actions = plan(snapshot(set, podsAt(set, [r1, r1, r2]), [rev1, rev2]), now);
    const [condition] = conditionsAfter(set, actions);
    assert.equal(`${condition?.status}/${condition?.reason}`, 'True/RolloutProgressing');
    assert.equal(condition?.lastUpdateTime, nowTime);
    assert.equal(condition?.lastTransitionTime, secondsBefore(560));
    assert.deepEqual(podWork(actions), ['deletePod web-1 (update)']);
  });

  it('counts a new generation observed as progress, even with the same counts', () => {
    const set = stuck([progressing(601)], { generation: 2 });
    const [condition] = conditionsAfter(set, plan(snapshot(set, stuckPods(set), [rev1, rev2]), now));
    assert.equal(`${condition?.status}/${condition?.reason}`, 'True/RolloutProgressing');
    assert.equal(condition?.lastUpdateTime, nowTime);
  });

  it('turns True again when a rollout past its deadline progresses after all', () => {
    const exceeded: RolloutCondition = { ...progressing(700), status: 'False', reason: 'ProgressDeadlineExceeded' };
    const set = stuck([exceeded]);
    const [condition] = conditionsAfter(set, plan(snapshot(set, podsAt(set, [r1, r1, r2]), [rev1, rev2]), now));
    assert.equal(`${condition?.status}/${condition?.reason}`, 'True/RolloutProgressing');
    assert.equal(condition?.lastTransitionTime, nowTime);
  });

  it('says True/RolloutComplete once every pod is updated and available, and records the stable revision', () => {
    const set = stuck([progressing(10)]);
    const actions = plan(snapshot(set, podsAt(set, [r2, r2, r2]), [rev1, rev2]), now);
    const [condition] = conditionsAfter(set, actions);
    assert.equal(`${condition?.status}/${condition?.reason}`, 'True/RolloutComplete');
    assert.equal(condition?.message, `MyStatefulSet "web" has successfully rolled out revision ${r2}`);
    assert.equal(statusWrite(actions)?.status.stableRevision, r2);
    assert.equal(statusWrite(actions)?.status.currentRevision, r2);
    assert.deepEqual(requeues(actions), []);
  });

  it('counts a partitioned rollout as complete, without making its revision stable', () => {
    const set = stuck([progressing(10)], { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const actions = plan(snapshot(set, podsAt(set, [r1, r1, r2]), [rev1, rev2]), now);
    assert.deepEqual(conditionLines(conditionsAfter(set, actions)), ['Progressing=True/RolloutComplete']);
    assert.equal(statusWrite(actions)?.status.stableRevision, undefined);
    assert.equal(statusWrite(actions)?.status.currentRevision, r1);
  });

  it('clamps the partition to the replicas: a partition above them is complete with no pod updated', () => {
    const set = stuck([progressing(10)], { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 5 } } });
    const actions = plan(snapshot(set, podsAt(set, [r1, r1, r1]), [rev1, rev2]), now);
    assert.deepEqual(conditionLines(conditionsAfter(set, actions)), ['Progressing=True/RolloutComplete']);
  });

  it('is not complete while updated pods are Ready but not yet available (minReadySeconds)', () => {
    const set = stuck([progressing(10)], { minReadySeconds: 30 });
    const actions = plan(snapshot(set, podsAt(set, [r2, r2, r2], [], secondsBefore(10)), [rev1, rev2]), now);
    assert.deepEqual(conditionLines(conditionsAfter(set, actions)), ['Progressing=True/RolloutProgressing']);
    // completeRollingUpdate makes r2 current (Ready is enough), but it is not stable yet.
    assert.equal(statusWrite(actions)?.status.currentRevision, r2);
    assert.equal(statusWrite(actions)?.status.stableRevision, undefined);
  });

  it('under OnDelete: complete and stable once every pod runs the update revision, though currentRevision stays', () => {
    const set = stuck([progressing(10)], { updateStrategy: { type: 'OnDelete' } });
    const done = plan(snapshot(set, podsAt(set, [r2, r2, r2]), [rev1, rev2]), now);
    assert.deepEqual(conditionLines(conditionsAfter(set, done)), ['Progressing=True/RolloutComplete']);
    assert.equal(statusWrite(done)?.status.currentRevision, r1);
    assert.equal(statusWrite(done)?.status.stableRevision, r2);
    const halfway = plan(snapshot(set, podsAt(set, [r1, r2, r2]), [rev1, rev2]), now);
    assert.deepEqual(conditionLines(conditionsAfter(set, halfway)), ['Progressing=True/RolloutProgressing']);
  });

  it('does not make a revision stable while paused, even with every pod on it', () => {
    const set = stuck([progressing(10)], { paused: true });
    const actions = plan(snapshot(set, podsAt(set, [r2, r2, r2]), [rev1, rev2]), now);
    assert.equal(statusWrite(actions)?.status.stableRevision, undefined);
    assert.deepEqual(conditionLines(conditionsAfter(set, actions)), ['Progressing=Unknown/RolloutPaused']);
  });

  it('does not write stableRevision again when it already names the revision', () => {
    const set = stuck([completeCondition(r2)], {
      status: { currentRevision: r2, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, stableRevision: r2 },
    });
    assert.deepEqual(plan(snapshot(set, podsAt(set, [r2, r2, r2]), [rev1, rev2]), now), []);
  });

  it('writes stableRevision even when the counts did not change', () => {
    const set = stuck([completeCondition(r2)], {
      status: { currentRevision: r2, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, stableRevision: r1 },
    });
    const actions = plan(snapshot(set, podsAt(set, [r2, r2, r2]), [rev1, rev2]), now);
    assert.deepEqual(
      actions.map((a) => a.kind),
      ['writeStatus'],
    );
    assert.equal(statusWrite(actions)?.status.stableRevision, r2);
  });

  it('keeps the conditions of other types, in their place', () => {
    const foreign = { type: 'Example', status: 'True' as const, reason: 'SetByAnotherClient' };
    const set = stuck([foreign, progressing(601)]);
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    assert.deepEqual(conditionLines(conditionsAfter(set, actions)), ['Example=True/SetByAnotherClient', 'Progressing=False/ProgressDeadlineExceeded']);
  });

  it('leaves the conditions alone for a set being deleted', () => {
    const set = stuck([progressing(601)], { deletionTimestamp: '2025-01-01T00:09:00Z' });
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    assert.deepEqual(
      actions.filter((a) => a.kind === 'rolloutConditions' || a.kind === 'requeueAfter'),
      [],
    );
  });
});
