// The status side of spec.autoRollback (docs/rollout-control.md): status.stableRevision, the start
// of an automatic rollback when the progress deadline is exceeded, and its end when the MyReplicaSet
// it runs is gone. Which template a rollback runs is rollback-target.ts; a stale rollback (an older
// generation's) is dropped by calculateStatus (status.ts). The Progressing logic stays upstream's
// (rollout-status.ts); the rollback only reads its outcome.
// upstream: nothing built in rolls back on its own; the deadline is
// pkg/controller/deployment/progress.go syncRolloutStatus, the completion
// util/deployment_util.go DeploymentComplete.
import { isBeingDeleted } from '../../api/meta.ts';
import type { AutomaticRollback, MyDeploymentStatus, MyReplicaSet } from '../../api/workloads.ts';
import type { RevisionRef } from '../shared/rollout-control.ts';
import { rolledBackReason, startRollback } from '../shared/rollout-control.ts';
import { revisionOf, rollbackTo } from './annotations.ts';
import { getCondition, progressingType, removeCondition, rolledBackType, setCondition, timedOutReason } from './conditions.ts';
import { replicasOf } from './fenceposts.ts';
import type { Pass } from './pass.ts';
import { recordEvent, writeStatus } from './pass.ts';
import { deploymentComplete } from './progress.ts';
import { rollbackRevisionNotFoundMessage, rollbackRevisionNotFoundReason } from './rollback-target.ts';

/**
 * status.stableRevision: the new RS's name once the rollout is complete in DeploymentComplete's
 * sense (every replica updated and available, none other, this generation observed) and no old RS
 * is still sized above 0 — and neither paused (a paused rollout proves nothing about the template),
 * being deleted, nor waiting on a rollback.to (whose spec write starts another rollout). Kept as
 * it is otherwise.
 */
export function withStableRevision(
  pass: Pass,
  status: MyDeploymentStatus,
  all: readonly MyReplicaSet[],
  newRS: MyReplicaSet | undefined,
): MyDeploymentStatus {
  const { d } = pass;
  if (newRS === undefined || d.spec.paused === true || isBeingDeleted(d) || rollbackTo(d) !== undefined) return status;
  const name = newRS.metadata.name ?? '';
  if (!deploymentComplete(d, status) || all.some((rs) => rs.metadata.name !== name && replicasOf(rs) > 0)) return status;
  return status.stableRevision === name ? status : { ...status, stableRevision: name };
}

export interface StartedRollback {
  /** The status with status.rollback and the RolledBack condition. */
  readonly status: MyDeploymentStatus;
  /** The Warning Event's message (reason RolledBack), to record once the status is written. */
  readonly message: string;
}

/**
 * An automatic rollback starts in the pass whose status turns Progressing to
 * ProgressDeadlineExceeded (not in later ones: the transition is the trigger), with
 * spec.autoRollback, not paused (upstream runs no deadline while paused), and a stable revision
 * whose MyReplicaSet is still owned and is not the failing new RS (startRollback decides the rest:
 * none while one is in force for this generation). `status` is the one this pass computed.
 */
export function automaticRollbackStart(pass: Pass, status: MyDeploymentStatus, newRS: MyReplicaSet | undefined): StartedRollback | undefined {
  const { d } = pass;
  const before = getCondition(d.status, progressingType)?.reason;
  const after = getCondition(status, progressingType)?.reason;
  const deadlineExceeded = before !== timedOutReason && after === timedOutReason;
  if (!deadlineExceeded || newRS === undefined || d.spec.paused === true || rollbackTo(d) !== undefined) return undefined;
  const stableName = d.status?.stableRevision;
  const stableRS = stableName === undefined ? undefined : pass.snapshot.replicaSets.find((rs) => rs.metadata.name === stableName);
  const start = startRollback({
    obj: d,
    autoRollback: d.spec.autoRollback === true,
    deadlineExceeded,
    deadlineSeconds: d.spec.progressDeadlineSeconds,
    failed: revisionRef(newRS),
    stable: stableRS === undefined ? undefined : revisionRef(stableRS),
    now: pass.now,
  });
  if (start === undefined) return undefined;
  return { status: { ...setCondition(status, start.condition), rollback: start.rollback }, message: start.message };
}

/** Records the start's Event; called after its status write is planned (a failed write records none). */
export function recordRollbackStart(pass: Pass, started: StartedRollback): void {
  recordEvent(pass, 'Warning', rolledBackReason, started.message);
}

/** An RS as a revision: its name and its revision annotation (int64 read as a number; 0 if unreadable). */
function revisionRef(rs: MyReplicaSet): RevisionRef {
  return { name: rs.metadata.name ?? '', number: Number(revisionOf(rs) ?? 0n) };
}

/**
 * The rollback's MyReplicaSet is gone (deleted by hand; history cleanup never runs while a
 * rollout is stuck): there is nothing to go back to, so the rollback ends at once — status.rollback
 * and RolledBack are removed, written before anything else in the pass — with one Warning Event,
 * and the pass runs the spec's template. Ending it (rather than leaving it recorded) is what keeps
 * the Event to one: the next pass finds no rollback in force.
 */
export function endMissingRollback(pass: Pass, rollback: AutomaticRollback): void {
  const { rollback: _ended, ...rest } = pass.d.status ?? {};
  writeStatus(pass, removeCondition(rest, rolledBackType));
  recordEvent(pass, 'Warning', rollbackRevisionNotFoundReason, rollbackRevisionNotFoundMessage(rollback));
}
