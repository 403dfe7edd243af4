// Whether a rollout is complete, progressing or past its deadline: the inputs of the Progressing
// condition (the controller's rollout-status.ts decides what to write). Pure; `now` is epoch ms.
// upstream: pkg/controller/deployment/util/deployment_util.go HasProgressDeadline,
// DeploymentComplete, DeploymentProgressing, DeploymentTimedOut.
import type { MyDeployment, MyDeploymentStatus } from '../../api/workloads.ts';
import { getCondition, newRSAvailableReason, progressingType, timedOutReason } from './conditions.ts';
import { replicasOf } from './fenceposts.ts';

/** math.MaxInt32: progressDeadlineSeconds with this value means "no deadline". */
const noDeadline = 2147483647;

/** upstream HasProgressDeadline: progressDeadlineSeconds is set and not 2147483647. */
export function hasProgressDeadline(d: MyDeployment): boolean {
  const seconds = d.spec.progressDeadlineSeconds;
  return typeof seconds === 'number' && seconds !== noDeadline;
}

/**
 * upstream DeploymentComplete: every desired replica updated and available, none other left
 * (status.replicas counts no terminating pod), and this generation observed.
 */
export function deploymentComplete(d: MyDeployment, status: MyDeploymentStatus): boolean {
  const replicas = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/**
 * upstream DeploymentProgressing: `status` (just computed) shows progress over the stored
 * d.status: more updated, fewer old (replicas − updated), more ready or more available replicas.
 */
export function deploymentProgressing(d: MyDeployment, status: MyDeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * upstream DeploymentTimedOut: with a deadline and a Progressing condition in `status`: never once
 * it says NewReplicaSetAvailable, always once it says ProgressDeadlineExceeded, else when
 * lastUpdateTime + deadline is before `now`. A missing or unreadable lastUpdateTime is Go's zero
 * time, long past.
 */
export function deploymentTimedOut(d: MyDeployment, status: MyDeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status, progressingType);
  if (condition === undefined || condition.reason === newRSAvailableReason) return false;
  if (condition.reason === timedOutReason) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return true;
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < now;
}
