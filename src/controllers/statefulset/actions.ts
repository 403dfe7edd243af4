// What a MyStatefulSet sync asks the executor to do, in order. The planner returns the structure
// the executor runs: steps of slow-start batches of units, each unit the StatefulPodControl calls
// on one pod, each call its writes in order. The executor contract (failure handling, Events) is
// documented on each type; upstream does all of this inline in
// pkg/controller/statefulset/stateful_set_control.go and stateful_pod_control.go.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import type { OwnerReference } from '../../api/meta.ts';
import { slowStartBatchOf } from '../shared/slow-start.ts';
import type { EventAction, RequeueAfterAction, SyncErrorAction, WriteStatusAction } from '../shared/actions.ts';
import type { RolloutConditionsUpdate } from './rollout-status.ts';
import type { StatefulSetStatusFields } from './status.ts';

/**
 * The upstream loop a step runs. `replicas`, `condemnedClaims` and `condemned` are upstream
 * runForAll; `update` is the rolling update's deletions. Steps run in this order; a step that
 * failed skips all later ones.
 */
export type SyncStep = 'replicas' | 'condemnedClaims' | 'condemned' | 'update';

/**
 * The StatefulPodControl call an operation is; it decides the pod-level Event:
 * - `create` (CreateStatefulPod): createClaims, then createPod, then the claims' owner refs.
 *   Success → Normal `SuccessfulCreate`; any failure → Warning `FailedCreate` (none when createPod
 *   got AlreadyExists; a failed owner-ref patch after a created pod → `FailedUpdate` instead).
 * - `createMissingClaims` (a Pending pod's claims): createClaims, then owner refs. No pod Event on
 *   success or claim failure; a failed owner-ref patch → Warning `FailedUpdate`.
 * - `update` (UpdateStatefulPod, repair): createClaims, then owner refs, then updatePod. Success →
 *   Normal `SuccessfulUpdate`; any failure → Warning `FailedUpdate`.
 * - `delete`: Normal `SuccessfulDelete` (NotFound counts as success); failure → Warning `FailedDelete`.
 * - `updateClaims` (a condemned pod's claims): owner refs only; no pod Event.
 * While the create backoff holds creates back, `create` and `createMissingClaims` are not started:
 * their unit stops there as on a failure, without an Event or error.
 */
export type PodOperation = 'create' | 'createMissingClaims' | 'update' | 'delete' | 'updateClaims';

/** Why a pod is deleted; only `update` deletions move status.currentReplicas (see StatefulSetWriteStatus). */
export type PodDeleteReason =
  /** Phase Failed or Succeeded: recreated once gone, no backoff. */
  | 'terminal'
  /**
   * Ours (kubernetes#67250, abandoned-revision.ts): at or above the partition, not Running and
   * Ready, labelled with a revision that is neither currentRevision nor updateRevision, or with
   * the revision an automatic rollback in force left (the forced rollback).
   */
  | 'abandonedRevision'
  /** Condemned: ordinal outside `[start, start + replicas)`. */
  | 'scaleDown'
  /** Rolling update: labelled other than updateRevision. */
  | 'update';

/** One claim upstream createPersistentVolumeClaims handles. */
export type ClaimCreation =
  /**
   * POST the claim. Success → Normal `SuccessfulCreate` (claim message); failure other than
   * AlreadyExists → Warning `FailedCreate`; AlreadyExists fails the operation without an Event.
   */
  | { readonly kind: 'createPvc'; readonly pvc: PersistentVolumeClaim }
  /** The claim is being deleted: fails the operation (`pvc <name> is being deleted`), no claim Event. */
  | { readonly kind: 'pvcTerminating'; readonly pvcName: string };

/** What one operation does, in order; the operation stops at its first failure. */
export type PodOperationAction =
  /** Every entry is attempted, then their errors fail the operation as one (upstream aggregates them). */
  | { readonly kind: 'createClaims'; readonly claims: readonly ClaimCreation[] }
  | { readonly kind: 'createPod'; readonly pod: Pod }
  /**
   * Write the identity and claim volumes back. `pod` is the planned repair; its namespace, name
   * and UID say which pod. The executor never PUTs it: it GETs the pod, repairs that copy and PUTs
   * it with the resourceVersion it read, retrying on conflict (execute.ts updateStatefulPod).
   */
  | { readonly kind: 'updatePod'; readonly pod: Pod }
  /** DELETE by name, precondition uid; NotFound (or another pod of the name) is success. */
  | { readonly kind: 'deletePod'; readonly pod: Pod; readonly reason: PodDeleteReason }
  /**
   * Replace the claim's ownerReferences (a patch with the claim's resourceVersion, so a concurrent
   * change conflicts as upstream's Update does).
   */
  | { readonly kind: 'patchPvcOwnerRefs'; readonly pvc: PersistentVolumeClaim; readonly ownerReferences: readonly OwnerReference[] }
  /**
   * Record an Event on the set, where it stands. Only Events known at planning time: Warning
   * ConflictingController, Warning AbandonedRevision (before the deletion it explains).
   */
  | EventAction;

/** One StatefulPodControl call on one pod. Never empty. */
export interface PodOperationPlan {
  readonly operation: PodOperation;
  /** The pod the call is about (also for its claims' Events). */
  readonly podName: string;
  readonly actions: readonly PodOperationAction[];
}

/** One runForAll unit: the calls on the pod at `index` of its step, in order, stopping at the first failure. */
export interface PodUnit {
  /**
   * Position in the step's list: the replica index (ordinal − ordinals.start) for `replicas` and
   * `update`, the position among condemned pods (highest ordinal first) for the condemned steps.
   */
  readonly index: number;
  readonly operations: readonly PodOperationPlan[];
}

/**
 * One step's units, batch after batch; the units of a batch run at once, and a batch in which a
 * unit failed ends all pod work. OrderedReady and the update step: one unit per batch. Parallel:
 * upstream's slow-start batches over `index` (slowStartBatch), which count positions that need no
 * call. Steps with no unit are left out.
 */
export interface PodStepAction {
  readonly kind: 'podStep';
  readonly step: SyncStep;
  readonly batches: readonly (readonly PodUnit[])[];
}

/**
 * Merge these fields into status (conditions and unknown fields kept). Runs even when pod work
 * failed. `status` assumes every planned `update` deletion goes through; upstream decrements
 * currentReplicas only after one did (stateful_set_control.go updateStatefulSet), so the executor
 * writes `currentReplicasAfterUpdateDeletions[k]` instead, k being how many went through.
 */
export interface StatefulSetWriteStatus extends WriteStatusAction<StatefulSetStatusFields> {
  /** Indexed by the number of update deletions that went through; the last entry is status.currentReplicas. */
  readonly currentReplicasAfterUpdateDeletions: readonly number[];
  /**
   * Recorded on the set once the write succeeded, and only then: the Warning RolledBack of an
   * automatic rollback this write records (status.rollback), so a failed write records none and
   * the next sync, starting the rollback again, records it once.
   */
  readonly eventsAfterWrite: readonly EventAction[];
}

/**
 * Bring the rollout conditions (Progressing, RolledBack), and VolumeResizing when claim growth has
 * one (volume-growth.ts), up to date with nextRolloutConditions, planned only when they change. The
 * executor folds it into the one conditional conditions write of the sync (with ReplicaFailure,
 * before the status write), computed again from the conditions the API server holds when that
 * write conflicts; other condition types are kept.
 */
export interface RolloutConditionsAction {
  readonly kind: 'rolloutConditions';
  readonly update: RolloutConditionsUpdate;
}

/**
 * Record `event` on the set unless this controller process recorded one under the same `notice`
 * for the set before: for a state that lasts across syncs (a rollback revision gone), which one
 * Warning reports, not one per sync.
 */
export interface EventOnceAction {
  readonly kind: 'eventOnce';
  readonly notice: string;
  readonly event: EventAction;
}

export type StatefulSetAction =
  /**
   * POST the revision; always first. On AlreadyExists GET it and apply revisionCreateConflict
   * (revisions.ts): `useExisting` → carry on; `retryWithCollisionCount` → discard this plan and
   * plan again with withCollisionCount(set, n). Any other failure: skip everything else, fail the sync.
   */
  | { readonly kind: 'createRevision'; readonly revision: ControllerRevision }
  /** Rollback: set `revision` of this existing revision to revisionNumber; failure as createRevision. */
  | { readonly kind: 'updateRevisionNumber'; readonly revision: ControllerRevision; readonly revisionNumber: number }
  /** Right after the revision write, before pod work. */
  | EventOnceAction
  | PodStepAction
  /** The sync fails here (upstream returns an error): stop pod work, still write status and truncate history. */
  | SyncErrorAction
  /** Before the status write, also when pod work failed. */
  | RolloutConditionsAction
  | StatefulSetWriteStatus
  /** History truncation, after the status write, also when pod work failed; NotFound is success. */
  | { readonly kind: 'deleteRevision'; readonly revision: ControllerRevision }
  /** Last: enqueue again after this long, only if nothing failed (upstream returns before it on error). */
  | RequeueAfterAction<StatefulSetRequeueReason>;

/**
 * Raise a claim's spec.resources.requests.storage to `storage` (volume-growth.ts): a JSON merge
 * patch of that one field with the claim's UID as precondition, after the pod work (whether or not
 * it failed), before the conditions write. Success → Normal `ResizingClaim`; NotFound or another
 * claim of the name → nothing (the next sync plans for what is there); any other failure → Warning
 * `ClaimResizeFailed` with the API server's message, and the sync fails (retried with backoff).
 * Patches of one sync go out together.
 */
export interface PatchClaimStorageAction {
  readonly kind: 'patchClaimStorage';
  /** The claim as the cache holds it: its name, namespace, UID and the request it had. */
  readonly claim: PersistentVolumeClaim;
  /** The claim template's request, as written in the template. */
  readonly storage: string;
}

/**
 * What the controller's sync runs (plan.ts planSync): the StatefulSetActions of upstream's sync
 * (plan.ts plan, which `kubectl my rollout plan` simulates) and the claim growth, which touches no pod.
 */
export type StatefulSetSyncAction = StatefulSetAction | PatchClaimStorageAction;

/** Why a sync asks to run again: a pod becomes available, or the progress deadline of a rollout passes. */
export type StatefulSetRequeueReason = 'minReadySeconds' | 'progressDeadline';

/** The largest slow-start batch (upstream MaxBatchSize: a realistic number of requests in flight). */
export const maxBatchSize = 500;

/** The slow-start batch (0-based) that position `index` runs in under Parallel: 1, 2, 4, … ≤ 500. */
export function slowStartBatch(index: number): number {
  return slowStartBatchOf(index, { maxBatchSize });
}
