import assert from 'node:assert/strict';
import type { MyDaemonSet, RolloutCondition } from '../../src/api/workloads.ts';
import {
  activeRollback,
  countsProgressed,
  findCondition,
  removeCondition,
  setCondition,
  staleRollback,
  startRollback,
  updateProgressing,
  type RolloutObservation,
} from '../../src/controllers/shared/rollout-control.ts';
import { formatMetaV1Time } from '../../src/runtime/time.ts';

const t0 = Date.parse('2026-12-06T10:00:00Z');
const at = (seconds: number): number => t0 + seconds * 1000;

const observation: RolloutObservation = {
  paused: false,
  deadlineSeconds: 10,
  complete: false,
  progressed: false,
  subject: 'MyDaemonSet "agent"',
  revision: 'agent-7f9c',
};

function progressing(reason: string, status: RolloutCondition['status'], seconds: number): RolloutCondition {
  const time = formatMetaV1Time(at(seconds));
  return { type: 'Progressing', status, reason, message: 'm', lastUpdateTime: time, lastTransitionTime: time };
}

function daemonSet(generation: number, rollbackGeneration?: number): MyDaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'ns', generation },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { containers: [] } } },
    ...(rollbackGeneration === undefined
      ? {}
      : {
          status: {
            rollback: { generation: rollbackGeneration, revision: 'agent-1', revisionNumber: 1, failedRevision: 'agent-2', failedRevisionNumber: 2 },
          },
        }),
  };
}

describe('rollout control (shared)', () => {
  describe('condition lists', () => {
    it('keep a condition with the same status and reason as it is, and the transition time across reasons of one status', () => {
      const first = progressing('RolloutProgressing', 'True', 0);
      const list = [{ type: 'Other', status: 'True' as const }, first];
      assert.equal(setCondition(list, progressing('RolloutProgressing', 'True', 5)), list);
      const complete = setCondition(list, progressing('RolloutComplete', 'True', 7));
      assert.equal(findCondition(complete, 'Progressing')?.lastTransitionTime, first.lastTransitionTime);
      assert.equal(findCondition(complete, 'Progressing')?.lastUpdateTime, formatMetaV1Time(at(7)));
      assert.deepEqual(complete[0], { type: 'Other', status: 'True' }, 'conditions of other types are kept');
      assert.deepEqual(removeCondition(complete, 'Progressing'), [{ type: 'Other', status: 'True' }]);
    });
  });

  describe('countsProgressed (upstream DeploymentProgressing)', () => {
    const before = { total: 5, updated: 2, ready: 4, available: 4 };
    it('sees more updated, fewer old, more ready or more available pods as progress', () => {
      assert.equal(countsProgressed(before, { ...before, updated: 3 }), true);
      assert.equal(countsProgressed(before, { ...before, total: 4 }), true);
      assert.equal(countsProgressed(before, { ...before, ready: 5 }), true);
      assert.equal(countsProgressed(before, { ...before, available: 5 }), true);
    });
    it('does not see equal or worse counts as progress', () => {
      assert.equal(countsProgressed(before, before), false);
      assert.equal(countsProgressed(before, { ...before, ready: 3, available: 3 }), false);
      assert.equal(countsProgressed(before, { ...before, total: 6 }), false);
    });
  });

  describe('updateProgressing', () => {
    it('starts a rollout as True/RolloutProgressing and asks to look again just after the deadline', () => {
      const update = updateProgressing(undefined, observation, at(0));
      const c = findCondition(update.conditions, 'Progressing');
      assert.equal(c?.status, 'True');
      assert.equal(c?.reason, 'RolloutProgressing');
      assert.equal(update.deadlineExceeded, false);
      assert.equal(update.requeueAfterMs, 11_000);
    });

    it('turns False/ProgressDeadlineExceeded once the deadline passed without progress, and only once', () => {
      const start = [progressing('RolloutProgressing', 'True', 0)];
      const before = updateProgressing(start, observation, at(10));
      assert.equal(before.deadlineExceeded, false);
      assert.equal(before.conditions, start, 'unchanged');
      const after = updateProgressing(start, observation, at(11));
      assert.equal(after.deadlineExceeded, true);
      assert.equal(findCondition(after.conditions, 'Progressing')?.status, 'False');
      assert.equal(findCondition(after.conditions, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
      assert.match(findCondition(after.conditions, 'Progressing')?.message ?? '', /not progressed for 10 s/);
      const again = updateProgressing(after.conditions, observation, at(30));
      assert.equal(again.deadlineExceeded, false);
      assert.equal(again.requeueAfterMs, undefined);
    });

    it('moves the clock on progress, keeping the transition time', () => {
      const start = [progressing('RolloutProgressing', 'True', 0)];
      const update = updateProgressing(start, { ...observation, progressed: true }, at(8));
      const c = findCondition(update.conditions, 'Progressing');
      assert.equal(c?.lastUpdateTime, formatMetaV1Time(at(8)));
      assert.equal(c?.lastTransitionTime, formatMetaV1Time(at(0)));
      assert.equal(updateProgressing(update.conditions, observation, at(15)).deadlineExceeded, false);
    });

    it('turns a timed-out rollout True again when it progresses', () => {
      const update = updateProgressing([progressing('ProgressDeadlineExceeded', 'False', 0)], { ...observation, progressed: true }, at(40));
      assert.equal(findCondition(update.conditions, 'Progressing')?.reason, 'RolloutProgressing');
    });

    it('without a deadline, leaves a progressing condition as it is on progress (no write per step)', () => {
      const start = [progressing('RolloutProgressing', 'True', 0)];
      const update = updateProgressing(start, { ...observation, deadlineSeconds: undefined, progressed: true }, at(8));
      assert.equal(update.conditions, start);
      const paused = [progressing('RolloutPaused', 'Unknown', 0)];
      const resumed = updateProgressing(paused, { ...observation, deadlineSeconds: undefined }, at(8));
      assert.equal(findCondition(resumed.conditions, 'Progressing')?.reason, 'RolloutProgressing', 'a resume still says so');
    });

    it('runs no deadline without progressDeadlineSeconds', () => {
      const update = updateProgressing([progressing('RolloutProgressing', 'True', 0)], { ...observation, deadlineSeconds: undefined }, at(3600));
      assert.equal(update.deadlineExceeded, false);
      assert.equal(update.requeueAfterMs, undefined);
    });

    it('reports a pause as Unknown/RolloutPaused, runs no deadline then, and restarts the clock on resume', () => {
      const paused = updateProgressing([progressing('RolloutProgressing', 'True', 0)], { ...observation, paused: true }, at(60));
      const c = findCondition(paused.conditions, 'Progressing');
      assert.equal(c?.status, 'Unknown');
      assert.equal(c?.reason, 'RolloutPaused');
      assert.equal(paused.requeueAfterMs, undefined);
      const resumed = updateProgressing(paused.conditions, observation, at(600));
      assert.equal(findCondition(resumed.conditions, 'Progressing')?.reason, 'RolloutProgressing');
      assert.equal(findCondition(resumed.conditions, 'Progressing')?.lastUpdateTime, formatMetaV1Time(at(600)));
      assert.equal(resumed.deadlineExceeded, false);
    });

    it('reports completion as True/RolloutComplete, keeps it when a pod is lost later, and a new rollout after it progresses from now', () => {
      const done = updateProgressing([progressing('RolloutProgressing', 'True', 0)], { ...observation, complete: true }, at(5));
      assert.equal(findCondition(done.conditions, 'Progressing')?.reason, 'RolloutComplete');
      const lost = updateProgressing(done.conditions, observation, at(400));
      assert.equal(lost.conditions, done.conditions, 'a pod lost after completion keeps RolloutComplete (upstream DeploymentTimedOut)');
      assert.equal(lost.requeueAfterMs, undefined);
      const next = updateProgressing(done.conditions, { ...observation, progressed: true }, at(500));
      assert.equal(findCondition(next.conditions, 'Progressing')?.reason, 'RolloutProgressing');
      assert.equal(findCondition(next.conditions, 'Progressing')?.lastUpdateTime, formatMetaV1Time(at(500)));
    });
  });

  describe('automatic rollback', () => {
    const failed = { name: 'agent-2', number: 2 };
    const stable = { name: 'agent-1', number: 1 };
    const input = { autoRollback: true, deadlineExceeded: true, deadlineSeconds: 10, failed, stable, now: at(0) };

    it('starts when the deadline is exceeded with autoRollback and a stable revision, naming both revisions', () => {
      const start = startRollback({ ...input, obj: daemonSet(4) });
      assert.deepEqual(start?.rollback, { generation: 4, revision: 'agent-1', revisionNumber: 1, failedRevision: 'agent-2', failedRevisionNumber: 2 });
      assert.equal(start?.condition.type, 'RolledBack');
      assert.equal(start?.condition.status, 'True');
      assert.equal(start?.condition.reason, 'ProgressDeadlineExceeded');
      assert.equal(start?.message, 'rolled back from revision 2 (agent-2) to revision 1 (agent-1): no progress for 10 s');
    });

    it('does not start without autoRollback, without a deadline exceeded now, without another stable revision, or twice in a generation', () => {
      assert.equal(startRollback({ ...input, obj: daemonSet(4), autoRollback: false }), undefined);
      assert.equal(startRollback({ ...input, obj: daemonSet(4), deadlineExceeded: false }), undefined);
      assert.equal(startRollback({ ...input, obj: daemonSet(4), stable: undefined }), undefined);
      assert.equal(startRollback({ ...input, obj: daemonSet(4), stable: failed }), undefined);
      assert.equal(startRollback({ ...input, obj: daemonSet(4, 4) }), undefined);
      assert.notEqual(startRollback({ ...input, obj: daemonSet(5, 4) }), undefined, 'a rollback of an older generation does not count');
    });

    it('is in force for the generation it was recorded for, and stale after a spec change', () => {
      assert.equal(activeRollback(daemonSet(4, 4))?.revision, 'agent-1');
      assert.equal(staleRollback(daemonSet(4, 4)), false);
      assert.equal(activeRollback(daemonSet(5, 4)), undefined);
      assert.equal(staleRollback(daemonSet(5, 4)), true);
      assert.equal(staleRollback(daemonSet(5)), false);
    });
  });
});
