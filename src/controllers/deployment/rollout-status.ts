// The status write that ends every rollout pass, with the Progressing estimate and the
// ReplicaFailure copied from the RSes, and the requeue that makes a stuck rollout time out once
// its deadline has passed; ours on top: status.stableRevision and the automatic rollback's start
// (auto-rollback.ts). upstream: pkg/controller/deployment/progress.go (syncRolloutStatus,
// getReplicaFailures, requeueStuckDeployment).
import type { MyDeploymentStatus, DeploymentCondition, MyReplicaSet } from '../../api/workloads.ts';
import { automaticRollbackStart, recordRollbackStart, withStableRevision } from './auto-rollback.ts';
import {
  getCondition,
  newCondition,
  newRSAvailableReason,
  progressingType,
  removeCondition,
  replicaFailureType,
  replicaSetToDeploymentCondition,
  replicaSetUpdatedReason,
  setCondition,
  timedOutReason,
} from './conditions.ts';
import type { Pass } from './pass.ts';
import { writeStatus } from './pass.ts';
import { deploymentComplete, deploymentProgressing, deploymentTimedOut, hasProgressDeadline } from './progress.ts';
import { calculateStatus } from './status.ts';
import { deploymentStatusEqual } from './status-equality.ts';

/**
 * progress.go syncRolloutStatus. Progressing (only with a progress deadline, else removed) is left
 * alone once the rollout completed and all replicas are updated; otherwise the first that holds:
 * complete → NewReplicaSetAvailable; progress since the stored status → ReplicaSetUpdated (always
 * rewritten, so the deadline restarts); deadline passed → ProgressDeadlineExceeded.
 * Unchanged status: no write, but maybe a requeue for the deadline. Then ours: stableRevision
 * on completion, and, in the pass that exceeds the deadline, an automatic rollback's start (its
 * Event after the status write that records it).
 */
export function syncRolloutStatus(pass: Pass, all: readonly MyReplicaSet[], newRS: MyReplicaSet | undefined): void {
  const { d, now } = pass;
  let status = calculateStatus(d, all, newRS, pass.fenceposts, now);
  const deadline = hasProgressDeadline(d);
  if (!deadline) status = removeCondition(status, progressingType);

  const current = getCondition(d.status, progressingType);
  const settled = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === newRSAvailableReason;
  if (deadline && !settled) status = progressingEstimate(pass, status, newRS, current);

  const failure = replicaFailure(all, newRS);
  status = failure === undefined ? removeCondition(status, replicaFailureType) : setCondition(status, failure);

  status = withStableRevision(pass, status, all, newRS);
  const started = automaticRollbackStart(pass, status, newRS);
  if (started !== undefined) status = started.status;

  if (deploymentStatusEqual(d.status, status)) requeueStuckDeployment(pass, status);
  else writeStatus(pass, status);
  if (started !== undefined) recordRollbackStart(pass, started);
}

function progressingEstimate(
  pass: Pass,
  status: MyDeploymentStatus,
  newRS: MyReplicaSet | undefined,
  current: DeploymentCondition | undefined,
): MyDeploymentStatus {
  const { d, now } = pass;
  const subject = newRS === undefined ? `Deployment "${d.metadata.name ?? ''}"` : `ReplicaSet "${newRS.metadata.name ?? ''}"`;
  if (deploymentComplete(d, status)) {
    return setCondition(status, newCondition(progressingType, 'True', newRSAvailableReason, `${subject} has successfully progressed.`, now));
  }
  if (deploymentProgressing(d, status)) {
    const progressing = newCondition(progressingType, 'True', replicaSetUpdatedReason, `${subject} is progressing.`, now);
    if (current === undefined) return setCondition(status, progressing);
    // Rewritten even when the reason stays, so lastUpdateTime (where the deadline counts from)
    // moves; the transition time only while it stays True.
    const kept = current.status === 'True' ? { ...progressing, lastTransitionTime: current.lastTransitionTime } : progressing;
    return setCondition(removeCondition(status, progressingType), kept);
  }
  if (deploymentTimedOut(d, status, now)) {
    return setCondition(status, newCondition(progressingType, 'False', timedOutReason, `${subject} has timed out progressing.`, now));
  }
  return status;
}

/**
 * progress.go getReplicaFailures: the new RS's ReplicaFailure condition, else the first one on
 * any RS, as a Deployment condition stamped with the RS condition's transition time.
 */
function replicaFailure(all: readonly MyReplicaSet[], newRS: MyReplicaSet | undefined): DeploymentCondition | undefined {
  for (const rs of newRS === undefined ? all : [newRS, ...all]) {
    const c = rs.status?.conditions?.find((condition) => condition.type === replicaFailureType);
    if (c !== undefined) return replicaSetToDeploymentCondition(c);
  }
  return undefined;
}

/** How long after the deadline a stuck rollout is looked at again (upstream's `after + time.Second`). */
export const progressCheckSlackMs = 1000;

/**
 * progress.go requeueStuckDeployment: a rollout still short of complete, neither timed out nor
 * without a deadline, is synced again just after `lastUpdateTime + progressDeadlineSeconds`, when
 * the estimate turns to ProgressDeadlineExceeded. Upstream re-adds the key rate-limited (at once,
 * and again on each such pass) when less than a second is left; we wait that second instead, so
 * such a pass is not repeated in a loop.
 */
function requeueStuckDeployment(pass: Pass, status: MyDeploymentStatus): void {
  const { d, now } = pass;
  const current = getCondition(d.status, progressingType);
  if (!hasProgressDeadline(d) || current === undefined) return;
  if (deploymentComplete(d, status) || current.reason === timedOutReason) return;
  // A missing or unreadable time is Go's zero time: long past.
  const since = Date.parse(current.lastUpdateTime ?? '');
  const after = (Number.isNaN(since) ? -Infinity : since) + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - now;
  pass.actions.push({ kind: 'requeueAfter', afterMs: Math.max(0, after) + progressCheckSlackMs, reason: 'progressDeadline' });
}
