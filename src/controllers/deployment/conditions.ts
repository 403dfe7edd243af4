// Deployment status conditions: types, reasons, and the setter whose rules decide when the
// timestamps move (the progress deadline is measured from Progressing's lastUpdateTime). Pure:
// every function returns a new status. The list logic is the shared one
// (shared/rollout-control.ts, the same upstream helpers on any kind); this file applies it to a
// MyDeploymentStatus, keeping upstream's "same status back when nothing changed" and its nil slice.
// upstream: pkg/controller/deployment/util/deployment_util.go NewDeploymentCondition,
// GetDeploymentCondition, SetDeploymentCondition, RemoveDeploymentCondition,
// ReplicaSetToDeploymentCondition and the reason constants.
import type { WorkloadCondition } from '../../api/meta.ts';
import type { DeploymentCondition, MyDeploymentStatus } from '../../api/workloads.ts';
import {
  findCondition,
  progressDeadlineExceededReason,
  removeCondition as removeFromList,
  setCondition as setInList,
} from '../shared/rollout-control.ts';

export { replicaFailureType } from '../shared/replica-failure.ts';
// newCondition is upstream NewDeploymentCondition: both timestamps `now` (epoch ms, as metav1.Time).
export { newCondition, progressingType, rolledBackType } from '../shared/rollout-control.ts';

export const availableType = 'Available';

// Progressing reasons.
export const newReplicaSetReason = 'NewReplicaSetCreated';
export const foundNewRSReason = 'FoundNewReplicaSet';
export const newRSAvailableReason = 'NewReplicaSetAvailable';
export const replicaSetUpdatedReason = 'ReplicaSetUpdated';
export const timedOutReason = progressDeadlineExceededReason;
export const pausedReason = 'DeploymentPaused';
export const resumedReason = 'DeploymentResumed';
export const failedRSCreateReason = 'ReplicaSetCreateError';
// Available reasons.
export const minimumReplicasAvailable = 'MinimumReplicasAvailable';
export const minimumReplicasUnavailable = 'MinimumReplicasUnavailable';

/** upstream GetDeploymentCondition. */
export function getCondition(status: MyDeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return findCondition(status?.conditions, type);
}

/** The status with these conditions; the key is left out when none remain (upstream's nil slice). */
function withConditions(status: MyDeploymentStatus, conditions: readonly DeploymentCondition[]): MyDeploymentStatus {
  const { conditions: _old, ...rest } = status;
  return conditions.length === 0 ? rest : { ...rest, conditions };
}

/**
 * upstream SetDeploymentCondition: a condition of the same type with the same status and reason is
 * left untouched (status returned as is: message and times stay); same status with another reason
 * replaces it but keeps its lastTransitionTime; otherwise `c` replaces it as given. The new
 * condition goes last.
 */
export function setCondition(status: MyDeploymentStatus, c: DeploymentCondition): MyDeploymentStatus {
  const conditions = setInList(status.conditions, c);
  // The shared setter hands the very list back when the condition is already there.
  return conditions === status.conditions ? status : withConditions(status, conditions);
}

/** upstream RemoveDeploymentCondition. */
export function removeCondition(status: MyDeploymentStatus, type: string): MyDeploymentStatus {
  if (getCondition(status, type) === undefined) return status;
  return withConditions(status, removeFromList(status.conditions, type));
}

/** upstream ReplicaSetToDeploymentCondition: an RS condition (ReplicaFailure) as the Deployment shows it, lastUpdateTime = lastTransitionTime. */
export function replicaSetToDeploymentCondition(c: WorkloadCondition): DeploymentCondition {
  return c.lastTransitionTime === undefined ? { ...c } : { ...c, lastUpdateTime: c.lastTransitionTime };
}
