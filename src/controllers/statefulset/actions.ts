// What a MyStatefulSet sync asks the executor to do, in order. The executor contract (ordering,
// batching, failure handling, Events) is documented on each type; upstream does all of this inline
// in pkg/controller/statefulset/stateful_set_control.go and stateful_pod_control.go.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import type { OwnerReference } from '../../api/meta.ts';
import { slowStartBatchOf } from '../shared/slow-start.ts';
import type { EventAction, RequeueAfterAction, SyncErrorAction, WriteStatusAction } from '../shared/actions.ts';
import type { StatefulSetStatusFields } from './status.ts';

/**
 * The upstream loop an action belongs to. `replicas`, `condemnedClaims` and `condemned` are run by
 * upstream runForAll: under OrderedReady one unit after the other, stopping at the first failure;
 * under Parallel in slow-start batches over `index` (see slowStartBatch), the units of a batch
 * concurrently, stopping after a batch in which any unit failed. `update` always runs in order,
 * stopping at the first failure. Steps run in this order; a stopped step skips all later ones.
 */
export type SyncStep = 'replicas' | 'condemnedClaims' | 'condemned' | 'update';

/**
 * The StatefulPodControl operation a unit performs; it decides the pod-level Event:
 * - `create` (CreateStatefulPod): createPvc… then createPod then the claims' owner refs. Success →
 *   Normal `SuccessfulCreate`; any failure → Warning `FailedCreate` (none when createPod got
 *   AlreadyExists; a failed owner-ref patch after a created pod → `FailedUpdate` instead).
 * - `createMissingClaims` (a Pending pod's claims): createPvc… then owner refs. No pod Event on
 *   success or PVC failure; a failed owner-ref patch → Warning `FailedUpdate`.
 * - `update` (UpdateStatefulPod, repair): createPvc… then owner refs then updatePod. Success →
 *   Normal `SuccessfulUpdate`; any failure → Warning `FailedUpdate`.
 * - `delete`: Normal `SuccessfulDelete` (NotFound counts as success); failure → Warning `FailedDelete`.
 * - `updateClaims` (a condemned pod's claims): owner refs only; no pod Event.
 */
export type PodOperation = 'create' | 'createMissingClaims' | 'update' | 'delete' | 'updateClaims';

/**
 * Identifies the unit of work an action belongs to. Consecutive actions with equal `step` and
 * `index` form one unit, run in order: consecutive createPvc/pvcTerminating actions are all
 * attempted (upstream aggregates claim errors), then the unit stops at its first failure.
 */
export interface PodWork {
  readonly step: SyncStep;
  /**
   * Position in the step's list: the replica index (ordinal − ordinals.start) for `replicas` and
   * `update`, the position among condemned pods (highest ordinal first) for the condemned steps.
   * Slow-start batches count every position, including those that needed no action.
   */
  readonly index: number;
  readonly operation: PodOperation;
  /** The pod the unit is about (also for its PVCs and Events). */
  readonly podName: string;
}

/** Why a pod is deleted; only `update` deletions were subtracted from status.currentReplicas. */
export type PodDeleteReason =
  /** Phase Failed or Succeeded: recreated once gone, no backoff. */
  | 'terminal'
  /**
   * Ours (kubernetes#67250, abandoned-revision.ts): at or above the partition, not Running and
   * Ready, labelled with a revision that is neither currentRevision nor updateRevision.
   */
  | 'abandonedRevision'
  /** Condemned: ordinal outside `[start, start + replicas)`. */
  | 'scaleDown'
  /** Rolling update: labelled other than updateRevision. */
  | 'update';

export type StatefulSetAction =
  /**
   * POST the revision; always first. On AlreadyExists GET it and apply revisionCreateConflict
   * (revisions.ts): `useExisting` → carry on; `retryWithCollisionCount` → discard this plan and
   * plan again with withCollisionCount(set, n). Any other failure: skip everything else, fail the sync.
   */
  | { readonly kind: 'createRevision'; readonly revision: ControllerRevision }
  /** Rollback: set `revision` of this existing revision to revisionNumber (retry on conflict); failure as createRevision. */
  | { readonly kind: 'updateRevisionNumber'; readonly revision: ControllerRevision; readonly revisionNumber: number }
  /**
   * POST the claim. Success → Normal `SuccessfulCreate` (claim message); failure other than
   * AlreadyExists → Warning `FailedCreate`; AlreadyExists fails the unit without an Event.
   */
  | { readonly kind: 'createPvc'; readonly work: PodWork; readonly pvc: PersistentVolumeClaim }
  /** A claim the pod needs is being deleted: fails the unit (`pvc <name> is being deleted`), no claim Event. */
  | { readonly kind: 'pvcTerminating'; readonly work: PodWork; readonly pvcName: string }
  | { readonly kind: 'createPod'; readonly work: PodWork; readonly pod: Pod }
  /**
   * PUT the pod as given (it carries the resourceVersion it was read with). On a conflict GET it
   * again, repair that copy and PUT it, as upstream's RetryOnConflict (see execute.ts
   * updateStatefulPod); one Event for the whole operation.
   */
  | { readonly kind: 'updatePod'; readonly work: PodWork; readonly pod: Pod }
  /** DELETE by name, precondition uid; NotFound is success. */
  | { readonly kind: 'deletePod'; readonly work: PodWork; readonly pod: Pod; readonly reason: PodDeleteReason }
  /**
   * Replace the claim's ownerReferences (patch with the claim's resourceVersion, so a concurrent
   * change conflicts as upstream's Update does).
   */
  | {
      readonly kind: 'patchPvcOwnerRefs';
      readonly work: PodWork;
      readonly pvc: PersistentVolumeClaim;
      readonly ownerReferences: readonly OwnerReference[];
    }
  /**
   * Record an Event on the set, where it stands in its unit. Only Events known at planning time:
   * Warning ConflictingController, Warning AbandonedRevision (before the deletion it explains).
   */
  | (EventAction & { readonly work: PodWork | undefined })
  /** The sync fails here (upstream returns an error): stop pod work, still write status and truncate history. */
  | SyncErrorAction
  /**
   * Merge these fields into status (conditions and unknown fields kept), with retry on conflict.
   * Runs even when pod work failed. For each `update` deletion that failed or was skipped, add 1
   * back to currentReplicas first (upstream decrements only after a successful delete).
   */
  | WriteStatusAction<StatefulSetStatusFields>
  /** History truncation, after the status write, also when pod work failed; NotFound is success. */
  | { readonly kind: 'deleteRevision'; readonly revision: ControllerRevision }
  /** Last: enqueue again after this long, only if nothing failed (upstream returns before it on error). */
  | RequeueAfterAction<'minReadySeconds'>;

/** The largest slow-start batch (upstream MaxBatchSize: a realistic number of requests in flight). */
export const maxBatchSize = 500;

/** The slow-start batch (0-based) that position `index` runs in under Parallel: 1, 2, 4, … ≤ 500. */
export function slowStartBatch(index: number): number {
  return slowStartBatchOf(index, { maxBatchSize });
}
