// Deployment status conditions: types, reasons, and the setter whose rules decide when the
// timestamps move (the progress deadline is measured from Progressing's lastUpdateTime). Pure:
// every function returns a new status.
// upstream: pkg/controller/deployment/util/deployment_util.go NewDeploymentCondition,
// GetDeploymentCondition, SetDeploymentCondition, RemoveDeploymentCondition,
// ReplicaSetToDeploymentCondition and the reason constants.
import type { WorkloadCondition } from '../../api/meta.ts';
import type { DeploymentCondition, MyDeploymentStatus } from '../../api/workloads.ts';
import { formatMetaV1Time } from '../../runtime/time.ts';

export { replicaFailureType } from '../shared/replica-failure.ts';

export const progressingType = 'Progressing';
export const availableType = 'Available';

// Progressing reasons.
export const newReplicaSetReason = 'NewReplicaSetCreated';
export const foundNewRSReason = 'FoundNewReplicaSet';
export const newRSAvailableReason = 'NewReplicaSetAvailable';
export const replicaSetUpdatedReason = 'ReplicaSetUpdated';
export const timedOutReason = 'ProgressDeadlineExceeded';
export const pausedReason = 'DeploymentPaused';
export const resumedReason = 'DeploymentResumed';
export const failedRSCreateReason = 'ReplicaSetCreateError';
// Available reasons.
export const minimumReplicasAvailable = 'MinimumReplicasAvailable';
export const minimumReplicasUnavailable = 'MinimumReplicasUnavailable';

/** upstream NewDeploymentCondition: both timestamps `now` (epoch ms, written as metav1.Time). */
export function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const at = formatMetaV1Time(now);
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/** upstream GetDeploymentCondition. */
export function getCondition(status: MyDeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
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
  const current = getCondition(status, c.type);
  if (current !== undefined && current.status === c.status && current.reason === c.reason) return status;
  const next: DeploymentCondition =
    current !== undefined && current.status === c.status ? { ...c, lastTransitionTime: current.lastTransitionTime } : c;
  return withConditions(status, [...(status.conditions ?? []).filter((x) => x.type !== c.type), next]);
}

/** upstream RemoveDeploymentCondition. */
export function removeCondition(status: MyDeploymentStatus, type: string): MyDeploymentStatus {
  if (getCondition(status, type) === undefined) return status;
  return withConditions(status, (status.conditions ?? []).filter((x) => x.type !== type));
}

/** upstream ReplicaSetToDeploymentCondition: an RS condition (ReplicaFailure) as the Deployment shows it, lastUpdateTime = lastTransitionTime. */
export function replicaSetToDeploymentCondition(c: WorkloadCondition): DeploymentCondition {
  return c.lastTransitionTime === undefined ? { ...c } : { ...c, lastUpdateTime: c.lastTransitionTime };
}
