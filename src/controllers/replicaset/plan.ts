// The MyReplicaSet planner: one sync's decisions from a snapshot of the cluster. Pure: no client,
// logger, clock or timer; `now` is an argument.
// upstream: replica_set.go syncReplicaSet.
//
// Order of the returned actions, and what the executor owes each:
//  1. createPod × n (n ≤ 500) or deletePod × n, never both. Raise the expectations BEFORE the
//     first call: creates by count, deletes by pod key `namespace/name`. Creates go in slow-start
//     batches 1, 2, 4, … and stop after the first batch with a failure; every create not made
//     (failed, refused or never tried) lowers the create expectation. A pod without labels is
//     refused before the call (pod-template.ts). Deletes all go at once; each failed delete lowers
//     its key's expectation, and one that finds the pod gone is no failure. Events: SuccessfulCreate
//     "Created pod: NAME", FailedCreate "Error creating: ERR" (not for a terminating namespace, whose
//     refusal counts as a success), SuccessfulDelete "Deleted pod: NAME", FailedDelete "Error
//     deleting: ERR".
//  2. The ReplicaFailure condition, from the outcome of 1 (status.ts replicaFailureConditions):
//     added with FailedCreate / FailedDelete, removed after a sync without failure.
//  3. writeStatus, when present: a merge patch of exactly its fields. Done even when 1 failed.
//  4. requeueAfter 'minReadySeconds': only when 1, 2 and 3 went through. Otherwise the sync fails
//     (rate-limited retry): with 3's error if it failed, else with 1's.
import type { Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import { availabilityRequeueAfter } from '../shared/ready-recheck.ts';
import type { ReplicaSetAction } from './actions.ts';
import { manageReplicas } from './manage.ts';
import { minReadySeconds } from './spec-defaults.ts';
import { calculateStatusCounts, replicaSetStatusUpdate } from './status.ts';

export type { ReplicaSetAction } from './actions.ts';
export type { ReplicaSetStatusFields } from './status.ts';

/** Everything one sync reads, built once by the reconciler from its caches: copies, never live state. */
export interface ReplicaSetSnapshot {
  readonly rs: MyReplicaSet;
  /**
   * The active pods (neither terminal nor being deleted) the set controls after adoption and
   * release. Failed and Succeeded pods are not here: they are neither counted nor deleted, only
   * replaced.
   */
  readonly activePods: readonly Pod[];
  /** The pods it controls and selects that are being deleted but not terminal yet. */
  readonly terminatingPods: readonly Pod[];
  /**
   * For the deletion ranking: every pod matching the selector of a MyReplicaSet with the same
   * controller (this one included); empty for a set without controller, and when there is
   * nothing to delete.
   */
  readonly relatedPods: readonly Pod[];
  /** The expectations for this set were satisfied when the sync started. */
  readonly expectationsSatisfied: boolean;
}

/**
 * One sync: manageReplicas when the expectations are met and the set is not being deleted; then,
 * always, the status of the pods as read, except that pods this sync deletes count as terminating
 * already, and the availability requeue when some Ready pod is not available yet.
 *
 * Upstream counts the pods as read before its deletes (calculateStatus over filteredPods), so for
 * a moment the status of a shrunk set reports replicas it no longer has, with observedGeneration
 * current. The Deployment controller scales old sets down by the sum of their statuses'
 * availableReplicas: reading that stale sum (the pods' deletion events not in yet, or the process
 * killed before its next sync) it can take more than maxUnavailable away. Counting our own
 * deletions at once closes that window; a delete that fails fails the sync, whose retry counts
 * again from the cache.
 */
export function plan(snapshot: ReplicaSetSnapshot, now: number): readonly ReplicaSetAction[] {
  const { rs, activePods } = snapshot;
  const actions: ReplicaSetAction[] = [];
  if (snapshot.expectationsSatisfied && !isBeingDeleted(rs)) {
    actions.push(...manageReplicas(rs, activePods, snapshot.relatedPods, now));
  }
  const deleted = new Set(actions.flatMap((a) => (a.kind === 'deletePod' ? [a.pod.metadata.uid ?? ''] : [])));
  const remaining = deleted.size === 0 ? activePods : activePods.filter((p) => !deleted.has(p.metadata.uid ?? ''));
  const terminating = deleted.size === 0 ? snapshot.terminatingPods : [...snapshot.terminatingPods, ...activePods.filter((p) => deleted.has(p.metadata.uid ?? ''))];
  const counts = calculateStatusCounts(rs, remaining, terminating, now);
  const status = replicaSetStatusUpdate(rs, counts);
  if (status !== undefined) actions.push({ kind: 'writeStatus', status });
  const afterMs = availabilityRequeueAfter(remaining, minReadySeconds(rs), counts, now);
  if (afterMs !== undefined) actions.push({ kind: 'requeueAfter', afterMs, reason: 'minReadySeconds' });
  return actions;
}
