// MyDaemonSet rollout control in its status, as the planner decides it: the Progressing condition
// and its deadline, status.stableRevision, and the automatic rollback (start, in force, revision
// gone, stale) — docs/rollout-control.md.
import assert from 'node:assert/strict';
import type { ControllerRevision } from '../../src/api/core.ts';
import type { MyDaemonSet, MyDaemonSetSpec, MyDaemonSetStatus, RolloutCondition } from '../../src/api/workloads.ts';
import type { DaemonSetAction, DaemonSetSnapshot, DaemonSetStatusFields } from '../../src/controllers/daemonset/plan.ts';
import { plan } from '../../src/controllers/daemonset/plan.ts';
import { nextRolloutConditions } from '../../src/controllers/daemonset/rollout-conditions.ts';
import type { PodOptions } from './daemonset-fixtures.ts';
import { daemonSet, describeAction, hashOf, iso, node, nodes, pod, podActions, ready, revisionOf, snapshot, t0, template } from './daemonset-fixtures.ts';

const stableRev = revisionOf(daemonSet(), 1, template('agent:1'));
const failedRev = revisionOf(daemonSet(), 2, template('agent:2'));
const stableName = stableRev.metadata.name ?? '';
const failedName = failedRev.metadata.name ?? '';
const stableReady: PodOptions = { hash: hashOf(stableRev), ...ready };
const failedReady: PodOptions = { hash: hashOf(failedRev), ...ready };
const failedNotReady: PodOptions = { hash: hashOf(failedRev) };

const minute = 60_000;
const at = (ms: number): string => iso(ms);

function progressing(status: RolloutCondition['status'], reason: string, lastUpdate: number, message = 'm', transition = lastUpdate): RolloutCondition {
  return { type: 'Progressing', status, lastUpdateTime: at(lastUpdate), lastTransitionTime: at(transition), reason, message };
}

/** Counts of 3 nodes: n1 running an unavailable pod of the new revision, n2 and n3 old available ones. */
const stuckCounts: MyDaemonSetStatus = {
  observedGeneration: 2,
  desiredNumberScheduled: 3,
  currentNumberScheduled: 3,
  numberMisscheduled: 0,
  numberReady: 2,
  updatedNumberScheduled: 1,
  numberAvailable: 2,
  numberUnavailable: 1,
};

function ds(spec: Partial<MyDaemonSetSpec>, status: MyDaemonSetStatus, generation = 2): MyDaemonSet {
  return daemonSet({ generation, spec: { template: template('agent:2'), ...spec }, status });
}

function threeNodes(target: MyDaemonSet, n1: PodOptions, revisions: readonly ControllerRevision[] = [stableRev, failedRev]): DaemonSetSnapshot {
  return snapshot({
    ds: target,
    revisions,
    nodes: nodes('n1', 'n2', 'n3'),
    pods: [pod('n1-pod', 'n1', n1), pod('n2-pod', 'n2', stableReady), pod('n3-pod', 'n3', stableReady)],
  });
}

const writeStatusOf = (actions: readonly DaemonSetAction[]): DaemonSetStatusFields | undefined =>
  actions.flatMap((a) => (a.kind === 'writeStatus' ? [a.status] : []))[0];

/** The conditions after the plan's writeRolloutConditions, applied to the cached ones; undefined: no write. */
function conditionsAfter(target: MyDaemonSet, actions: readonly DaemonSetAction[]): readonly RolloutCondition[] | undefined {
  const write = actions.find((a) => a.kind === 'writeRolloutConditions');
  if (write?.kind !== 'writeRolloutConditions') return undefined;
  return nextRolloutConditions(target.status?.conditions, write.update).conditions;
}

const requeues = (actions: readonly DaemonSetAction[]): string[] =>
  actions.filter((a) => a.kind === 'requeueAfter').map(describeAction);

const autoRollback = { progressDeadlineSeconds: 600, autoRollback: true };

describe('MyDaemonSet Progressing condition', () => {
  it('starts a new rollout True/RolloutProgressing, keeping other conditions, with a requeue at the deadline', () => {
    const custom: RolloutCondition = { type: 'Custom', status: 'True' };
    const target = ds({ progressDeadlineSeconds: 600 }, { ...stuckCounts, observedGeneration: 1, conditions: [custom] });
    const actions = plan(threeNodes(target, failedNotReady), t0);
    assert.deepEqual(conditionsAfter(target, actions), [
      custom,
      progressing('True', 'RolloutProgressing', t0, `MyDaemonSet "agent" is progressing: rolling out revision ${failedName}`),
    ]);
    assert.deepEqual(requeues(actions), ['requeueAfter 601000 progressDeadline']);
  });

  it('keeps Progressing without a deadline when progressDeadlineSeconds is unset: no requeue', () => {
    const target = ds({}, { ...stuckCounts, observedGeneration: 1 });
    const actions = plan(threeNodes(target, failedNotReady), t0);
    assert.equal(conditionsAfter(target, actions)?.[0]?.reason, 'RolloutProgressing');
    assert.deepEqual(requeues(actions), []);
  });

  it('writes nothing when nothing moved before the deadline, and looks again when it expires', () => {
    const target = ds({ progressDeadlineSeconds: 600 }, { ...stuckCounts, conditions: [progressing('True', 'RolloutProgressing', t0 - 5 * minute)] });
    const actions = plan(threeNodes(target, failedNotReady), t0);
    assert.deepEqual(actions.map(describeAction), ['requeueAfter 301000 progressDeadline']);
  });

  it('moves lastUpdateTime on progress and keeps lastTransitionTime', () => {
    const since = t0 - 20 * minute;
    const target = ds({ progressDeadlineSeconds: 600 }, { ...stuckCounts, conditions: [progressing('True', 'RolloutProgressing', t0 - 5 * minute, 'm', since)] });
    // n1's new pod turned Ready: more ready, more available.
    const actions = plan(threeNodes(target, failedReady), t0);
    const [condition] = conditionsAfter(target, actions) ?? [];
    assert.equal(condition?.lastUpdateTime, at(t0));
    assert.equal(condition?.lastTransitionTime, at(since));
  });

  it('turns False/ProgressDeadlineExceeded once the deadline passed without progress; without autoRollback nothing else', () => {
    const target = ds({ progressDeadlineSeconds: 600 }, { ...stuckCounts, stableRevision: stableName, conditions: [progressing('True', 'RolloutProgressing', t0 - 11 * minute)] });
    const actions = plan(threeNodes(target, failedNotReady), t0);
    assert.deepEqual(conditionsAfter(target, actions), [
      progressing('False', 'ProgressDeadlineExceeded', t0, `MyDaemonSet "agent" has not progressed for 600 s rolling out revision ${failedName}`),
    ]);
    assert.equal(writeStatusOf(actions), undefined);
    assert.deepEqual(podActions(actions), []);
  });

  it('says True/RolloutComplete once every pod is updated and available', () => {
    const target = ds({ progressDeadlineSeconds: 600 }, { ...stuckCounts, conditions: [progressing('True', 'RolloutProgressing', t0 - minute)] });
    const s = snapshot({ ds: target, revisions: [stableRev, failedRev], nodes: nodes('n1', 'n2'), pods: [pod('a', 'n1', failedReady), pod('b', 'n2', failedReady)] });
    const actions = plan(s, t0);
    assert.deepEqual(conditionsAfter(target, actions), [
      progressing('True', 'RolloutComplete', t0, `MyDaemonSet "agent" has successfully rolled out revision ${failedName}`, t0 - minute),
    ]);
    assert.deepEqual(requeues(actions), []);
  });

  it('is not complete while a node still runs an old pod beside the new one', () => {
    const surge = { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const target = ds({ updateStrategy: surge }, { ...stuckCounts, conditions: [progressing('True', 'RolloutProgressing', t0 - minute)] });
    const s = snapshot({
      ds: target,
      revisions: [stableRev, failedRev],
      nodes: nodes('n1', 'n2'),
      pods: [pod('a', 'n1', failedReady), pod('b-old', 'n2', stableReady), pod('b-new', 'n2', { hash: hashOf(failedRev) })],
    });
    assert.notEqual(conditionsAfter(target, plan(s, t0))?.[0]?.reason, 'RolloutComplete');
  });

  it('is complete for a partition once the nodes it lets through are updated, without making that revision stable', () => {
    const partition = { type: 'RollingUpdate' as const, rollingUpdate: { partition: 1 } };
    const target = ds({ updateStrategy: partition }, { ...stuckCounts, stableRevision: stableName, conditions: [progressing('True', 'RolloutProgressing', t0 - minute)] });
    const actions = plan(threeNodes(target, failedReady), t0);
    // n1 is updated, n2 would be next, n3 is kept: not complete yet (without a deadline the
    // progressing condition is left as it is: no write).
    assert.equal((conditionsAfter(target, actions) ?? target.status?.conditions)?.[0]?.reason, 'RolloutProgressing');
    const done = snapshot({ ...threeNodes(target, failedReady), pods: [pod('a', 'n1', failedReady), pod('b', 'n2', failedReady), pod('c', 'n3', stableReady)] });
    const doneActions = plan(done, t0);
    assert.equal(conditionsAfter(target, doneActions)?.[0]?.reason, 'RolloutComplete');
    assert.equal(writeStatusOf(doneActions)?.stableRevision, undefined);
  });

  it('is complete for a selector canary once every matching node is updated', () => {
    const canary = { type: 'RollingUpdate' as const, rollingUpdate: { selector: { matchLabels: { pool: 'canary' } } } };
    const target = ds({ updateStrategy: canary }, { ...stuckCounts, conditions: [progressing('True', 'RolloutProgressing', t0 - minute)] });
    const s = snapshot({
      ds: target,
      revisions: [stableRev, failedRev],
      nodes: [node('n1', { labels: { pool: 'canary' } }), node('n2')],
      pods: [pod('a', 'n1', failedReady), pod('b', 'n2', stableReady)],
    });
    assert.equal(conditionsAfter(target, plan(s, t0))?.[0]?.reason, 'RolloutComplete');
  });

  it('with OnDelete is complete only when every pod is updated', () => {
    const target = ds({ updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 2 } } }, { ...stuckCounts, conditions: [progressing('True', 'RolloutProgressing', t0 - minute)] });
    assert.equal((conditionsAfter(target, plan(threeNodes(target, failedReady), t0)) ?? target.status?.conditions)?.[0]?.reason, 'RolloutProgressing');
  });

  it('says Unknown/RolloutPaused while paused, with no deadline running', () => {
    const target = ds({ paused: true, progressDeadlineSeconds: 60 }, { ...stuckCounts, conditions: [progressing('True', 'RolloutProgressing', t0 - 11 * minute)] });
    const actions = plan(threeNodes(target, failedNotReady), t0);
    assert.deepEqual(conditionsAfter(target, actions), [progressing('Unknown', 'RolloutPaused', t0, 'MyDaemonSet "agent" is paused')]);
    assert.deepEqual(requeues(actions), []);
  });

  it('restarts the clock on resume', () => {
    const target = ds({ progressDeadlineSeconds: 60 }, { ...stuckCounts, conditions: [progressing('Unknown', 'RolloutPaused', t0 - 11 * minute)] });
    const actions = plan(threeNodes(target, failedNotReady), t0);
    assert.equal(conditionsAfter(target, actions)?.[0]?.lastUpdateTime, at(t0));
    assert.deepEqual(requeues(actions), ['requeueAfter 61000 progressDeadline']);
  });

  it('is not evaluated while expectations are unsatisfied', () => {
    const target = ds({ progressDeadlineSeconds: 60 }, { ...stuckCounts, observedGeneration: 1 });
    const actions = plan({ ...threeNodes(target, failedNotReady), expectationsSatisfied: false }, t0);
    assert.deepEqual(actions.map((a) => a.kind), ['writeStatus']);
  });
});

describe('MyDaemonSet stableRevision', () => {
  const done = (target: MyDaemonSet): DaemonSetSnapshot =>
    snapshot({ ds: target, revisions: [stableRev, failedRev], nodes: nodes('n1', 'n2'), pods: [pod('a', 'n1', failedReady), pod('b', 'n2', failedReady)] });
  const settled: MyDaemonSetStatus = { ...stuckCounts, desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberUnavailable: 0 };

  it('names the current revision once every pod is updated and available', () => {
    const actions = plan(done(ds({}, { ...settled, stableRevision: stableName })), t0);
    assert.equal(writeStatusOf(actions)?.stableRevision, failedName);
  });

  it('is not written again when it already names the current revision', () => {
    const target = ds({}, { ...settled, stableRevision: failedName, conditions: [progressing('True', 'RolloutComplete', t0 - minute)] });
    assert.deepEqual(plan(done(target), t0), []);
  });

  it('is not written while a pod is not updated, not available, or misscheduled, nor while paused', () => {
    const target = ds({}, { ...settled, stableRevision: stableName });
    assert.equal(writeStatusOf(plan(threeNodes(target, failedReady), t0))?.stableRevision, undefined);
    const notAvailable = snapshot({ ...done(target), pods: [pod('a', 'n1', failedReady), pod('b', 'n2', failedNotReady)] });
    assert.equal(writeStatusOf(plan(notAvailable, t0))?.stableRevision, undefined);
    const misscheduled = snapshot({
      ...done(target),
      nodes: [node('n1'), node('n2'), node('n3', { taints: [{ key: 'x', effect: 'NoSchedule' }] })],
      pods: [pod('a', 'n1', failedReady), pod('b', 'n2', failedReady), pod('c', 'n3', failedReady)],
    });
    assert.equal(writeStatusOf(plan(misscheduled, t0))?.stableRevision, undefined);
    assert.equal(writeStatusOf(plan(done(ds({ paused: true }, { ...settled, stableRevision: stableName })), t0))?.stableRevision, undefined);
  });

  it('keeps the revisions status.stableRevision and status.rollback name out of history cleanup', () => {
    const older = [3, 4, 5].map((n) => revisionOf(daemonSet(), n, template(`agent:old-${n}`)));
    const current = revisionOf(daemonSet(), 9, template('agent:2'));
    const rollback = { generation: 1, revision: older[1]?.metadata.name ?? '', revisionNumber: 4, failedRevision: 'x', failedRevisionNumber: 5 };
    const target = daemonSet({ spec: { template: template('agent:2'), revisionHistoryLimit: 0 }, status: { stableRevision: older[0]?.metadata.name, rollback } });
    const s = snapshot({ ds: target, revisions: [...older, current], nodes: nodes('n1'), pods: [pod('a', 'n1', { hash: hashOf(current), ...ready })] });
    const deleted = plan(s, t0).flatMap((a) => (a.kind === 'deleteRevision' ? [a.revision.metadata.name] : []));
    assert.deepEqual(deleted, [older[2]?.metadata.name]);
  });
});

describe('MyDaemonSet automatic rollback', () => {
  const exceeded = [progressing('True', 'RolloutProgressing', t0 - 11 * minute)];
  const rollbackMessage = `rolled back from revision 2 (${failedName}) to revision 1 (${stableName}): no progress for 600 s`;
  const rollbackRecord = { generation: 2, revision: stableName, revisionNumber: 1, failedRevision: failedName, failedRevisionNumber: 2 };

  it('starts when the deadline passes: the status records it, RolledBack True joins Progressing False', () => {
    const target = ds(autoRollback, { ...stuckCounts, stableRevision: stableName, conditions: exceeded });
    const actions = plan(threeNodes(target, failedNotReady), t0);
    assert.deepEqual(writeStatusOf(actions), {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      numberReady: 2,
      updatedNumberScheduled: 1,
      numberAvailable: 2,
      numberUnavailable: 1,
      observedGeneration: 2,
      rollback: rollbackRecord,
    });
    assert.deepEqual(conditionsAfter(target, actions), [
      progressing('False', 'ProgressDeadlineExceeded', t0, `MyDaemonSet "agent" has not progressed for 600 s rolling out revision ${failedName}`),
      { type: 'RolledBack', status: 'True', lastUpdateTime: at(t0), lastTransitionTime: at(t0), reason: 'ProgressDeadlineExceeded', message: rollbackMessage },
    ]);
    assert.deepEqual(podActions(actions), [], 'the swap waits for the next sync, which sees the record');
  });

  it('does not start without a stable revision (a first rollout has nothing to go back to), nor to the failing one itself', () => {
    const noStable = ds(autoRollback, { ...stuckCounts, conditions: exceeded });
    assert.equal(writeStatusOf(plan(threeNodes(noStable, failedNotReady), t0)), undefined);
    const gone = ds(autoRollback, { ...stuckCounts, stableRevision: 'agent-gone', conditions: exceeded });
    assert.equal(writeStatusOf(plan(threeNodes(gone, failedNotReady), t0)), undefined);
    const same = ds(autoRollback, { ...stuckCounts, stableRevision: failedName, conditions: exceeded });
    assert.equal(writeStatusOf(plan(threeNodes(same, failedNotReady), t0)), undefined);
  });

  const inForce = (spec: Partial<MyDaemonSetSpec> = {}, status: Partial<MyDaemonSetStatus> = {}): MyDaemonSet =>
    ds({ ...autoRollback, ...spec }, {
      ...stuckCounts,
      stableRevision: stableName,
      rollback: rollbackRecord,
      conditions: [
        progressing('False', 'ProgressDeadlineExceeded', t0 - minute),
        { type: 'RolledBack', status: 'True', lastUpdateTime: at(t0 - minute), lastTransitionTime: at(t0 - minute), reason: 'ProgressDeadlineExceeded', message: rollbackMessage },
      ],
      ...status,
    });

  it('in force, runs the stable template without writing the spec: renumbers it and replaces the failed pods (an unavailable one at once)', () => {
    const target = inForce();
    const actions = plan(threeNodes(target, failedNotReady), t0);
    assert.deepEqual(
      actions.filter((a) => a.kind === 'updateRevisionNumber' || a.kind === 'deletePod' || a.kind === 'createPod').map(describeAction),
      [`updateRevisionNumber ${stableName} #3`, 'deletePod n1-pod outdated'],
    );
    assert.equal(target.spec.template.spec.containers[0]?.image, 'agent:2', 'the spec is left as it is');
    const conditions = conditionsAfter(target, actions);
    assert.deepEqual(
      conditions?.map((c) => `${c.type} ${c.status} ${c.reason ?? ''} ${c.message ?? ''}`),
      [
        `RolledBack True ProgressDeadlineExceeded ${rollbackMessage}`,
        `Progressing True RolloutProgressing MyDaemonSet "agent" is progressing: rolling out revision ${stableName}`,
      ],
    );
    assert.equal(writeStatusOf(actions)?.rollback, undefined, 'the record stays as it is');
  });

  it('in force, creates pods from the stable template', () => {
    const target = inForce();
    const s = snapshot({ ...threeNodes(target, failedNotReady), pods: [pod('n2-pod', 'n2', stableReady), pod('n3-pod', 'n3', stableReady)] });
    const created = plan(s, t0).flatMap((a) => (a.kind === 'createPod' ? [a.pod.spec.containers[0]?.image] : []));
    assert.deepEqual(created, ['agent:1']);
  });

  it('in force, brings back every failed pod whatever the partition or the selector', () => {
    const canary = { type: 'RollingUpdate' as const, rollingUpdate: { maxUnavailable: 5, partition: 2, selector: { matchLabels: { pool: 'canary' } } } };
    const target = inForce({ updateStrategy: canary });
    const s = snapshot({
      ds: target,
      revisions: [stableRev, failedRev],
      nodes: [node('n1', { labels: { pool: 'canary' } }), node('n2'), node('n3')],
      pods: [pod('n1-pod', 'n1', failedReady), pod('n2-pod', 'n2', failedReady), pod('n3-pod', 'n3', stableReady)],
    });
    assert.deepEqual(podActions(plan(s, t0)), ['deletePod n1-pod outdated', 'deletePod n2-pod outdated']);
  });

  it('in force, says RolloutComplete once every pod is back, and keeps the stable revision', () => {
    const target = inForce({}, { conditions: [progressing('True', 'RolloutProgressing', t0 - minute)] });
    const back = { ...stableRev, revision: 3 };
    const s = snapshot({ ...threeNodes(target, stableReady, [back, failedRev]) });
    const actions = plan(s, t0);
    assert.deepEqual(
      conditionsAfter(target, actions)?.map((c) => `${c.type} ${c.status} ${c.reason ?? ''}`),
      ['Progressing True RolloutComplete', 'RolledBack True ProgressDeadlineExceeded'],
    );
    assert.equal(writeStatusOf(actions)?.stableRevision, undefined);
    assert.equal(writeStatusOf(actions)?.rollback, undefined);
  });

  it('in force, does not start a second time when the rollback itself misses the deadline', () => {
    // Every pod is of the stable revision already (as the status says), n1's does not get Ready.
    const target = inForce({}, { updatedNumberScheduled: 3, conditions: [progressing('True', 'RolloutProgressing', t0 - 11 * minute)] });
    const back = { ...stableRev, revision: 3 };
    const actions = plan(threeNodes(target, { hash: hashOf(stableRev) }, [back, failedRev]), t0);
    assert.equal(writeStatusOf(actions)?.rollback, undefined);
    assert.equal(conditionsAfter(target, actions)?.find((c) => c.type === 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  });

  it('in force, sets RolledBack again should it be missing', () => {
    const target = inForce({}, { conditions: [progressing('False', 'ProgressDeadlineExceeded', t0 - minute)] });
    const actions = plan(threeNodes(target, failedNotReady), t0);
    const write = actions.find((a) => a.kind === 'writeRolloutConditions');
    assert.ok(write?.kind === 'writeRolloutConditions');
    const next = nextRolloutConditions(target.status?.conditions, write.update);
    assert.equal(next.rolledBackAdded?.message, rollbackMessage);
  });

  it('with its revision gone, runs the spec and warns once per generation (the token), not swapping', () => {
    const target = inForce();
    const actions = plan(threeNodes(target, failedNotReady, [failedRev]), t0);
    const warn = actions.find((a) => a.kind === 'warnOnce');
    assert.deepEqual(warn, {
      kind: 'warnOnce',
      reason: 'RollbackRevisionNotFound',
      message: `cannot roll back to revision 1 (${stableName}): no such ControllerRevision; running the spec's template`,
      once: `ds-uid/2/${stableName}`,
    });
    assert.deepEqual(actions.filter((a) => a.kind === 'updateRevisionNumber' || a.kind === 'deletePod'), []);
  });

  it('ends with a new generation: the record is cleared and RolledBack removed', () => {
    const target = inForce({}, { observedGeneration: 2 });
    const next = { ...target, metadata: { ...target.metadata, generation: 3 } };
    const actions = plan(threeNodes(next, failedNotReady), t0);
    assert.equal(writeStatusOf(actions)?.rollback, null);
    assert.deepEqual(
      conditionsAfter(next, actions)?.map((c) => `${c.type} ${c.status} ${c.reason ?? ''}`),
      ['Progressing True RolloutProgressing'],
    );
    assert.deepEqual(podActions(actions), [], 'the spec rolls out again, within maxUnavailable');
  });
});
