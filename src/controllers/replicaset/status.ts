// MyReplicaSet status: the counts from the pods read at the start of the sync, whether they need
// writing, and the ReplicaFailure condition after the sync's creates or deletes. Pure; `now` is
// milliseconds since the epoch (conditions take RFC 3339).
// upstream: replica_set_utils.go calculateStatus, updateReplicaSetStatus, SetCondition,
// RemoveCondition; pkg/api/v1/pod/util.go IsPodAvailable.
import type { Pod } from '../../api/core.ts';
import type { WorkloadCondition } from '../../api/meta.ts';
import { selectorToString } from '../../api/selector.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import { isPodAvailable, isPodReady } from '../shared/pod-state.ts';
import { replicaFailureType } from '../shared/replica-failure.ts';
import { minReadySeconds } from './spec-defaults.ts';

/** The status fields this controller owns, all written together by one merge patch. */
export interface ReplicaSetStatusFields {
  /** Active pods the set controls (not terminal, not being deleted). */
  readonly replicas: number;
  /** Of those, the ones whose labels include every template label. */
  readonly fullyLabeledReplicas: number;
  readonly readyReplicas: number;
  /** Ready for at least minReadySeconds. */
  readonly availableReplicas: number;
  /** Controlled, selected pods being deleted but not terminal yet (gate DeploymentReplicaSetTerminatingReplicas, on). */
  readonly terminatingReplicas: number;
  /** The spec selector in query syntax: the scale subresource's labelSelectorPath (ours; not in apps/v1). */
  readonly selector: string;
  /** metadata.generation, on every write (also while expectations hold manage back). */
  readonly observedGeneration: number;
}

export type ReplicaSetStatusCounts = Omit<ReplicaSetStatusFields, 'selector' | 'observedGeneration'>;

export function calculateStatusCounts(
  rs: MyReplicaSet,
  activePods: readonly Pod[],
  terminatingPods: readonly Pod[],
  now: number,
): ReplicaSetStatusCounts {
  const templateLabels = Object.entries(rs.spec.template?.metadata?.labels ?? {});
  const minReady = minReadySeconds(rs);
  let fullyLabeledReplicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  for (const pod of activePods) {
    const labels = pod.metadata.labels ?? {};
    if (templateLabels.every(([key, value]) => labels[key] === value)) fullyLabeledReplicas++;
    if (isPodReady(pod)) {
      readyReplicas++;
      if (isPodAvailable(pod, minReady, now)) availableReplicas++;
    }
  }
  return {
    replicas: activePods.length,
    fullyLabeledReplicas,
    readyReplicas,
    availableReplicas,
    terminatingReplicas: terminatingPods.length,
  };
}

/**
 * The write updateReplicaSetStatus makes, or undefined: none when every count and the selector
 * equal the stored ones and observedGeneration equals generation. An absent count reads as 0, as
 * Go's int32 does, except terminatingReplicas (a pointer upstream: absent differs from 0).
 * Conditions are written apart (replicaFailureConditions), only when they change.
 */
export function replicaSetStatusUpdate(rs: MyReplicaSet, counts: ReplicaSetStatusCounts): ReplicaSetStatusFields | undefined {
  const had = rs.status ?? {};
  const generation = rs.metadata.generation ?? 0;
  const selector = selectorToString(rs.spec.selector);
  const unchanged =
    (had.replicas ?? 0) === counts.replicas &&
    (had.fullyLabeledReplicas ?? 0) === counts.fullyLabeledReplicas &&
    (had.readyReplicas ?? 0) === counts.readyReplicas &&
    (had.availableReplicas ?? 0) === counts.availableReplicas &&
    had.terminatingReplicas === counts.terminatingReplicas &&
    had.selector === selector &&
    (had.observedGeneration ?? 0) === generation;
  return unchanged ? undefined : { ...counts, selector, observedGeneration: generation };
}

export type ManageFailureReason = 'FailedCreate' | 'FailedDelete';

/** Why manageReplicas failed: the direction it was scaling in, and the error's message. */
export interface ManageFailure {
  readonly reason: ManageFailureReason;
  readonly message: string;
}

/**
 * calculateStatus's ReplicaFailure: a failed manage adds `True` with the failure's reason and
 * message, unless a ReplicaFailure condition of any status is there already (it is never
 * refreshed: the first message stays); a sync without failure (manage skipped included) removes
 * it. Other conditions keep their place. Undefined when the list stays as it is.
 */
export function replicaFailureConditions(
  conditions: readonly WorkloadCondition[] | undefined,
  failure: ManageFailure | undefined,
  now: string,
): readonly WorkloadCondition[] | undefined {
  const current = conditions ?? [];
  const present = current.some((c) => c.type === replicaFailureType);
  if (failure !== undefined && !present) {
    return [...current, { type: replicaFailureType, status: 'True', lastTransitionTime: now, reason: failure.reason, message: failure.message }];
  }
  if (failure === undefined && present) return current.filter((c) => c.type !== replicaFailureType);
  return undefined;
}
