// spec.autoRollback on a MyStatefulSet (docs/rollout-control.md "Progress deadline and automatic
// rollback"): when the rollback starts, how the sync plans while it is in force (the rollback
// revision's template, the forced rollback of stuck pods), and how a new generation ends it.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { AutomaticRollback, MyStatefulSet, MyStatefulSetSpec, RolloutCondition } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import { truncateHistory } from '../../src/controllers/statefulset/revisions.ts';
import type { PodState, SetOptions } from './statefulset-fixtures.ts';
import {
  conditionLines,
  conditionsAfter,
  flatActions,
  makePod,
  makeSet,
  nameOf,
  now,
  podWork,
  revisionOf,
  secondsBefore,
  snapshot,
  statusWrite,
  summarize,
} from './statefulset-fixtures.ts';

const rev1 = revisionOf(makeSet({ image: 'nginx:1' }), 1);
const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
const r1 = nameOf(rev1);
const r2 = nameOf(rev2);
const nowTime = '2025-01-01T00:10:00Z';
const rolledBackMessage = `rolled back from revision 2 (${r2}) to revision 1 (${r1}): no progress for 600 s`;

function progressing(secondsAgo: number): RolloutCondition {
  return {
    type: 'Progressing',
    status: 'True',
    lastUpdateTime: secondsBefore(secondsAgo),
    lastTransitionTime: secondsBefore(secondsAgo),
    reason: 'RolloutProgressing',
    message: `MyStatefulSet "web" is progressing: rolling out revision ${r2}`,
  };
}

const exceeded: RolloutCondition = {
  type: 'Progressing',
  status: 'False',
  lastUpdateTime: secondsBefore(60),
  lastTransitionTime: secondsBefore(60),
  reason: 'ProgressDeadlineExceeded',
  message: `MyStatefulSet "web" has not progressed for 600 s rolling out revision ${r2}`,
};

const rolledBack: RolloutCondition = {
  type: 'RolledBack',
  status: 'True',
  lastUpdateTime: secondsBefore(60),
  lastTransitionTime: secondsBefore(60),
  reason: 'ProgressDeadlineExceeded',
  message: rolledBackMessage,
};

const rollback: AutomaticRollback = { generation: 1, revision: r1, revisionNumber: 1, failedRevision: r2, failedRevisionNumber: 2 };

/**
 * nginx:2 (r2) rolling out over r1, the stable revision, with autoRollback and a 600 s deadline;
 * the status is what the last sync wrote for stuckPods.
 */
function failing(conditions: readonly RolloutCondition[], options: SetOptions = {}): MyStatefulSet {
  return makeSet({
    image: 'nginx:2',
    progressDeadlineSeconds: 600,
    autoRollback: true,
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
      conditions,
      ...options.status,
    },
  });
}

/** The same set with the rollback to r1 in force. */
function rollingBack(options: SetOptions = {}): MyStatefulSet {
  return failing([exceeded, rolledBack], { ...options, status: { rollback, ...options.status } });
}

function podsAt(set: MyStatefulSet, revisions: readonly string[], states: readonly (PodState | undefined)[] = []): Pod[] {
  return revisions.map((revision, i) => makePod(set, i, revision, { state: states[i] ?? 'ready' }));
}

const stuckPods = (set: MyStatefulSet): Pod[] => podsAt(set, [r1, r1, r2], ['ready', 'ready', 'running']);

function withSpec(set: MyStatefulSet, spec: Partial<MyStatefulSetSpec>): MyStatefulSet {
  return { ...set, spec: { ...set.spec, ...spec } };
}

describe('MyStatefulSet planner: automatic rollback starts', () => {
  it('records the rollback, RolledBack True and the Warning when the deadline passes', () => {
    const set = failing([progressing(601)]);
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    const write = statusWrite(actions);
    assert.deepEqual(write?.status.rollback, rollback);
    assert.deepEqual(write?.eventsAfterWrite, [{ kind: 'event', type: 'Warning', reason: 'RolledBack', message: rolledBackMessage }]);
    const conditions = conditionsAfter(set, actions);
    assert.deepEqual(conditionLines(conditions), ['Progressing=False/ProgressDeadlineExceeded', 'RolledBack=True/ProgressDeadlineExceeded']);
    assert.deepEqual(conditions[1], { ...rolledBack, lastUpdateTime: nowTime, lastTransitionTime: nowTime });
    // This sync still runs the spec's template; the next one, seeing status.rollback, runs r1's.
    assert.deepEqual(podWork(actions), []);
  });

  it('starts it on a later sync when the write that should have recorded it failed', () => {
    const set = failing([exceeded, rolledBack]);
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    assert.deepEqual(statusWrite(actions)?.status.rollback, rollback);
    assert.equal(statusWrite(actions)?.eventsAfterWrite.length, 1);
    assert.equal(
      actions.some((a) => a.kind === 'rolloutConditions'),
      false,
      'the conditions already say so',
    );
  });

  const noStart: readonly { readonly name: string; readonly set: MyStatefulSet }[] = [
    { name: 'without spec.autoRollback', set: failing([progressing(601)], { autoRollback: false }) },
    { name: 'without a stable revision (a first rollout has nothing to go back to)', set: failing([progressing(601)], { status: { stableRevision: undefined } }) },
    { name: 'when the stable revision is gone from the history', set: failing([progressing(601)], { status: { stableRevision: 'web-gone' } }) },
    { name: 'when the failing revision is the stable one', set: failing([progressing(601)], { status: { stableRevision: r2 } }) },
    { name: 'before the deadline', set: failing([progressing(599)]) },
  ];
  for (const row of noStart) {
    it(`does not start ${row.name}`, () => {
      const actions = plan(snapshot(row.set, stuckPods(row.set), [rev1, rev2]), now);
      assert.equal(statusWrite(actions), undefined);
      assert.equal(
        conditionsAfter(row.set, actions).some((c) => c.type === 'RolledBack'),
        false,
      );
    });
  }
});

describe('MyStatefulSet planner: automatic rollback in force', () => {
  it('plans with the stable revision template: renumbered as newest, the stuck pod of the failed one replaced', () => {
    const set = rollingBack();
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    assert.deepEqual(podWork(actions), [`updateRevisionNumber ${r1} #3`, 'event Warning AbandonedRevision', 'deletePod web-2 (abandonedRevision)']);
    const event = flatActions(actions).find((a) => a.kind === 'event');
    assert.equal(
      event?.kind === 'event' ? event.message : '',
      `Pod web-2 at revision ${r2}, the revision an automatic rollback left, is not Running and Ready: deleting it to recreate it at ${r1}`,
    );
    const write = statusWrite(actions);
    assert.equal(write?.status.updateRevision, r1);
    assert.equal(write?.status.currentRevision, r1);
    assert.equal(write?.status.rollback, undefined, 'the rollback stays as recorded');
    assert.deepEqual(write?.eventsAfterWrite, []);
  });

  it('recreates the replaced pod at the stable revision', () => {
    const set = rollingBack({ status: { updateRevision: r1, updatedReplicas: 2, currentReplicas: 2, replicas: 2 } });
    const pods = podsAt(set, [r1, r1]);
    assert.deepEqual(podWork(plan(snapshot(set, pods, [{ ...rev1, revision: 3 }, rev2]), now)), [`createPod web-2 @${r1}`]);
  });

  it('rolls Ready pods of the failed revision back as an ordinary rolling update', () => {
    const set = rollingBack();
    const pods = podsAt(set, [r1, r2, r2]);
    assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [`updateRevisionNumber ${r1} #3`, 'deletePod web-2 (update)']);
  });

  it('evaluates Progressing for the rollback: complete once every pod is back', () => {
    const set = rollingBack({ status: { updateRevision: r1, updatedReplicas: 2, currentReplicas: 2, readyReplicas: 2, availableReplicas: 2 } });
    const actions = plan(snapshot(set, podsAt(set, [r1, r1, r1]), [{ ...rev1, revision: 3 }, rev2]), now);
    const conditions = conditionsAfter(set, actions);
    // A condition whose status changes goes last (upstream SetDeploymentCondition).
    assert.deepEqual(conditionLines(conditions), ['RolledBack=True/ProgressDeadlineExceeded', 'Progressing=True/RolloutComplete']);
    assert.equal(conditions[1]?.message, `MyStatefulSet "web" has successfully rolled out revision ${r1}`);
    assert.equal(conditions[0], rolledBack, 'RolledBack stays as it was');
    assert.equal(statusWrite(actions)?.status.stableRevision, undefined, 'r1 is the stable revision already');
  });

  it('does not start a second rollback, nor record the Warning again, when the rollback itself stalls', () => {
    const set = rollingBack({ status: { conditions: [{ ...exceeded, message: 'stalled' }, rolledBack] } });
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    assert.equal(statusWrite(actions)?.status.rollback, undefined);
    assert.deepEqual(statusWrite(actions)?.eventsAfterWrite, []);
  });

  it('puts RolledBack back when the set lacks it (its write failed after the status write)', () => {
    const set = rollingBack({ status: { conditions: [exceeded] } });
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    const conditions = conditionsAfter(set, actions);
    assert.deepEqual(conditions.at(-1), { ...rolledBack, lastUpdateTime: nowTime, lastTransitionTime: nowTime });
  });

  describe('forced rollback of pods of the failed revision that are not Ready', () => {
    // The failed update had completed (Ready, not yet available under minReadySeconds): the
    // failed revision is currentRevision, which the kubernetes#67250 rule alone would wait for.
    const completedFailure = (spec: Partial<MyStatefulSetSpec> = {}): MyStatefulSet =>
      withSpec(rollingBack({ status: { currentRevision: r2, currentReplicas: 3, updatedReplicas: 3 } }), spec);

    it('OrderedReady: replaces the not-Ready pod instead of waiting for it', () => {
      const set = completedFailure();
      const pods = podsAt(set, [r2, r2, r2], ['ready', 'running', 'ready']);
      assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [
        `updateRevisionNumber ${r1} #3`,
        'event Warning AbandonedRevision',
        'deletePod web-1 (abandonedRevision)',
      ]);
    });

    it('OrderedReady: a `kubectl rollout undo` (no automatic rollback) still waits, as upstream', () => {
      const undone = makeSet({
        image: 'nginx:1',
        status: { observedGeneration: 1, currentRevision: r2, updateRevision: r2, currentReplicas: 3, updatedReplicas: 3 },
      });
      const pods = podsAt(undone, [r2, r2, r2], ['ready', 'running', 'ready']);
      assert.deepEqual(podWork(plan(snapshot(undone, pods, [rev1, rev2]), now)), [`updateRevisionNumber ${r1} #3`]);
    });

    it('Parallel without maxUnavailable: replaces it, and the rolling update goes on from the top', () => {
      const set = completedFailure({ podManagementPolicy: 'Parallel' });
      const pods = podsAt(set, [r2, r2, r2], ['ready', 'running', 'ready']);
      assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [
        `updateRevisionNumber ${r1} #3`,
        'event Warning AbandonedRevision',
        'deletePod web-1 (abandonedRevision)',
        'deletePod web-2 (update)',
      ]);
    });

    it('Parallel with maxUnavailable 1: the stuck pod does not use up the budget that would replace it', () => {
      const set = completedFailure({ podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } });
      const pods = podsAt(set, [r2, r2, r2], ['ready', 'ready', 'running']);
      assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [
        `updateRevisionNumber ${r1} #3`,
        'event Warning AbandonedRevision',
        'deletePod web-2 (abandonedRevision)',
      ]);
    });

    it('OrderedReady with maxUnavailable: replaces it too', () => {
      const set = completedFailure({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } });
      const pods = podsAt(set, [r2, r2, r2], ['running', 'ready', 'ready']);
      assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [
        `updateRevisionNumber ${r1} #3`,
        'event Warning AbandonedRevision',
        'deletePod web-0 (abandonedRevision)',
      ]);
    });

    it('Parallel with maxUnavailable, the failed revision not current: the kubernetes#67250 rule replaces it', () => {
      const set = withSpec(rollingBack(), { podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } });
      assert.deepEqual(podWork(plan(snapshot(set, stuckPods(set), [rev1, rev2]), now)), [
        `updateRevisionNumber ${r1} #3`,
        'event Warning AbandonedRevision',
        'deletePod web-2 (abandonedRevision)',
      ]);
    });

    it('leaves a pod below the partition alone: it would come back at the failed revision', () => {
      const set = completedFailure({
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: 2 } },
      });
      const pods = podsAt(set, [r2, r2, r2], ['running', 'ready', 'running']);
      assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [
        `updateRevisionNumber ${r1} #3`,
        'event Warning AbandonedRevision',
        'deletePod web-2 (abandonedRevision)',
      ]);
    });

    it('leaves it alone where a replacement would come back at the failed revision (rollingUpdate block missing)', () => {
      // `type: RollingUpdate` without a rollingUpdate block: upstream recreates indices below
      // status.currentReplicas at currentRevision, here the failed one.
      const set = completedFailure({ updateStrategy: { type: 'RollingUpdate' } });
      const pods = podsAt(set, [r2, r2, r2], ['ready', 'running', 'ready']);
      assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [`updateRevisionNumber ${r1} #3`]);
    });

    it('leaves Ready and terminating pods of the failed revision to the rolling update', () => {
      const set = completedFailure({ podManagementPolicy: 'Parallel' });
      const pods = podsAt(set, [r1, r1, r2], ['ready', 'ready', 'terminating']);
      assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [`updateRevisionNumber ${r1} #3`]);
    });

    it('replaces nothing under OnDelete (the user deletes pods there)', () => {
      const set = completedFailure({ updateStrategy: { type: 'OnDelete' } });
      const pods = podsAt(set, [r2, r2, r2], ['ready', 'running', 'ready']);
      assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [`updateRevisionNumber ${r1} #3`]);
    });
  });

  it('plans with the spec when the rollback revision is gone, with a one-off Warning', () => {
    const set = rollingBack({ status: { rollback: { ...rollback, revision: 'web-gone' } } });
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    assert.deepEqual(summarize(actions), ['eventOnce Warning RollbackRevisionNotFound']);
    const notice = actions[0];
    assert.deepEqual(notice, {
      kind: 'eventOnce',
      notice: 'uid-set-web/1/web-gone',
      event: {
        kind: 'event',
        type: 'Warning',
        reason: 'RollbackRevisionNotFound',
        message: "cannot roll back to revision 1 (web-gone): no such ControllerRevision; running the spec's template until the next change of the spec",
      },
    });
  });

  it('keeps the stable and rollback revisions out of history truncation', () => {
    const rev3 = revisionOf(makeSet({ image: 'nginx:3' }), 3);
    const set = makeSet({
      image: 'nginx:3',
      revisionHistoryLimit: 0,
      status: { currentRevision: nameOf(rev3), updateRevision: nameOf(rev3), stableRevision: r1 },
    });
    const live = { currentRevision: nameOf(rev3), updateRevision: nameOf(rev3), pods: [] };
    assert.deepEqual(truncateHistory(set, [rev1, rev2, rev3], live).map(nameOf), [r2]);
    const back = { ...set, status: { ...set.status, stableRevision: undefined, rollback: { ...rollback, revision: r2 } } };
    assert.deepEqual(truncateHistory(back, [rev1, rev2, rev3], live).map(nameOf), [r1]);
  });
});

describe('MyStatefulSet planner: a new generation ends the rollback', () => {
  const stale = (): MyStatefulSet => rollingBack({ generation: 2 });

  it('clears status.rollback with null and removes RolledBack', () => {
    const set = stale();
    const actions = plan(snapshot(set, stuckPods(set), [rev1, rev2]), now);
    assert.equal(statusWrite(actions)?.status.rollback, null);
    assert.deepEqual(conditionLines(conditionsAfter(set, actions)), ['Progressing=True/RolloutProgressing']);
  });

  it("rolls the spec's template out again, as a new rollout", () => {
    const set = stale();
    const actions = plan(snapshot(set, podsAt(set, [r1, r1, r1]), [rev1, { ...rev2, revision: 2 }]), now);
    assert.equal(statusWrite(actions)?.status.updateRevision, r2);
    assert.deepEqual(podWork(actions), ['deletePod web-2 (update)']);
  });
});
