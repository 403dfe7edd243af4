// MyStatefulSet status: the counts, rollout completion, whether a write is due, and when
// minReadySeconds calls for another look. Pure; `now` is milliseconds since the epoch.
// upstream: pkg/controller/statefulset/stateful_set_control.go (computeReplicaStatus, updateStatus),
// stateful_set_utils.go (completeRollingUpdate, inconsistentStatus), stateful_set.go syncStatefulSet,
// pkg/controller/controller_utils.go FindMinNextPodAvailabilityCheck.
import type { Pod } from '../../api/core.ts';
import type { AutomaticRollback, MyStatefulSet, MyStatefulSetStatus, VolumeClaimTemplateStatus } from '../../api/workloads.ts';
import { getPodRevision, specReplicas } from './identity.ts';
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating } from './replica-state.ts';
import { updateStrategyOf } from './strategy.ts';

// upstream syncStatefulSet's availability requeue, shared with the MyReplicaSet controller.
export { availabilityRequeueAfter } from '../shared/ready-recheck.ts';

/**
 * The status fields this controller owns. The executor merges them into status and keeps every
 * other field, conditions included (upstream replaces the whole status and so drops conditions).
 */
export interface StatefulSetStatusFields {
  readonly observedGeneration: number;
  /** Pods with a phase, terminating and condemned ones included. */
  readonly replicas: number;
  /** Running and Ready. */
  readonly readyReplicas: number;
  /** Ready for at least minReadySeconds. */
  readonly availableReplicas: number;
  /** Non-terminating pods labelled with currentRevision (minus this sync's update deletions). */
  readonly currentReplicas: number;
  /** Non-terminating pods labelled with updateRevision. */
  readonly updatedReplicas: number;
  readonly currentRevision: string;
  readonly updateRevision: string;
  readonly collisionCount: number;
  /** The selector in query syntax, for the scale subresource's labelSelectorPath (ours; not upstream). */
  readonly selector: string;
  /**
   * Rollout control (rollout-status.ts), present only when it changes: the update revision once a
   * rollout finished with every pod updated and available.
   */
  readonly stableRevision?: string;
  /** Present only when it changes: a rollback that starts, or null to clear a stale one (merge patch). */
  readonly rollback?: AutomaticRollback | null;
  /**
   * Claim growth (volume-growth.ts), present once a claim template has grown: each template's
   * requested storage and how many claims are updated and resized. A merge patch replaces the list.
   */
  readonly volumeClaimTemplates?: readonly VolumeClaimTemplateStatus[];
}

export interface ReplicaCounts {
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly currentReplicas: number;
  readonly updatedReplicas: number;
}

/** upstream computeReplicaStatus over pods; planned (not created) pods count for nothing. */
export function computeReplicaCounts(
  pods: readonly Pod[],
  minReadySeconds: number,
  revisions: { readonly currentRevision: string; readonly updateRevision: string },
  now: number,
): ReplicaCounts {
  let replicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  let currentReplicas = 0;
  let updatedReplicas = 0;
  for (const pod of pods) {
    if (isCreated(pod)) replicas++;
    if (isRunningAndReady(pod)) {
      readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const revision = getPodRevision(pod);
      if (revision === revisions.currentRevision) currentReplicas++;
      if (revision === revisions.updateRevision) updatedReplicas++;
    }
  }
  return { replicas, readyReplicas, availableReplicas, currentReplicas, updatedReplicas };
}

/**
 * upstream completeRollingUpdate (RollingUpdate only): once every replica is updated and ready and
 * no other pod remains, the update revision becomes current. Under OnDelete it never advances.
 */
export function completeRollingUpdate(set: MyStatefulSet, status: StatefulSetStatusFields): StatefulSetStatusFields {
  const replicas = specReplicas(set);
  if (
    updateStrategyOf(set).type === 'RollingUpdate' &&
    status.updatedReplicas === replicas &&
    status.readyReplicas === replicas &&
    status.replicas === replicas
  ) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

/**
 * upstream inconsistentStatus, plus our `selector`, rollout-control and claim-growth fields: write
 * when observedGeneration grew or a count or revision name changed, or stableRevision, rollback or
 * volumeClaimTemplates is to change. collisionCount alone does not trigger a write (it only changes
 * together with updateRevision).
 */
export function statusNeedsWrite(current: MyStatefulSetStatus | undefined, next: StatefulSetStatusFields): boolean {
  const had = current ?? {};
  return (
    next.observedGeneration > (had.observedGeneration ?? 0) ||
    next.replicas !== (had.replicas ?? 0) ||
    next.currentReplicas !== (had.currentReplicas ?? 0) ||
    next.readyReplicas !== (had.readyReplicas ?? 0) ||
    next.updatedReplicas !== (had.updatedReplicas ?? 0) ||
    next.currentRevision !== (had.currentRevision ?? '') ||
    next.availableReplicas !== (had.availableReplicas ?? 0) ||
    next.updateRevision !== (had.updateRevision ?? '') ||
    next.selector !== (had.selector ?? '') ||
    (next.stableRevision !== undefined && next.stableRevision !== had.stableRevision) ||
    rollbackChanges(had.rollback, next.rollback) ||
    (next.volumeClaimTemplates !== undefined && !sameVolumeClaimTemplates(had.volumeClaimTemplates, next.volumeClaimTemplates))
  );
}

/**
 * Whether a status write may be put off (WriteStatusAction.mayWait): only the five counts change,
 * and they have not reached the settled end state readers wait for (spec.replicas pods, all ready,
 * available and — unless the strategy is OnDelete — updated up to the partition). A put-off
 * currentReplicas stays readable to the planner (unwritten-status.ts): under a RollingUpdate without
 * a rollingUpdate block it picks a recreated pod's revision.
 */
export function statusWriteMayWait(set: MyStatefulSet, next: StatefulSetStatusFields): boolean {
  const had = set.status ?? {};
  const countsAsStored = {
    ...next,
    replicas: had.replicas ?? 0,
    currentReplicas: had.currentReplicas ?? 0,
    readyReplicas: had.readyReplicas ?? 0,
    updatedReplicas: had.updatedReplicas ?? 0,
    availableReplicas: had.availableReplicas ?? 0,
  };
  if (statusNeedsWrite(had, countsAsStored) || next.collisionCount !== (had.collisionCount ?? 0)) return false;
  const strategy = updateStrategyOf(set);
  const replicas = specReplicas(set);
  const updateTarget = strategy.type === 'OnDelete' ? undefined : Math.max(0, replicas - (strategy.rollingUpdate?.partition ?? 0));
  const settled =
    next.replicas === replicas &&
    next.readyReplicas === replicas &&
    next.availableReplicas === replicas &&
    (updateTarget === undefined || next.updatedReplicas >= updateTarget);
  return !settled;
}

/** Field by field: the API server stores custom resources with their keys sorted, so JSON text would always differ. */
function sameVolumeClaimTemplates(had: readonly VolumeClaimTemplateStatus[] | undefined, next: readonly VolumeClaimTemplateStatus[]): boolean {
  return (
    had?.length === next.length &&
    next.every((n, i) => {
      const h = had[i];
      return (
        h !== undefined &&
        h.name === n.name &&
        h.requestedStorage === n.requestedStorage &&
        h.updatedClaims === n.updatedClaims &&
        h.resizedClaims === n.resizedClaims
      );
    })
  );
}

function rollbackChanges(had: AutomaticRollback | null | undefined, next: AutomaticRollback | null | undefined): boolean {
  if (next === undefined) return false;
  if (next === null) return had !== undefined && had !== null;
  return JSON.stringify(had) !== JSON.stringify(next);
}
