// What one MyDaemonSet sync decides, as data. plan() returns these in execution order; the executor
// switches on `kind` (exhaustively) and performs them. See plan.ts for the ordering contract.
import type { ControllerRevision, Pod } from '../../api/core.ts';
import type { EventAction, RequeueAfterAction, SyncErrorAction, WriteStatusAction } from '../shared/actions.ts';
import type { FailedPodBackoff } from './failed-pod-backoff.ts';
import type { RolloutConditionsUpdate } from './rollout-conditions.ts';
import type { DaemonSetStatusFields } from './status.ts';

export type DeletePodReason =
  /** manage: the pod's phase is Failed (after the node's backoff allowed it). */
  | 'failedPod'
  /** manage: the pod's phase is Succeeded. */
  | 'succeededPod'
  /** manage: more pods on the node than allowed (one, or one old + one new while surging). */
  | 'excessPod'
  /** manage or surge update: the new pod is available, or the old one is no longer Ready. */
  | 'replacedBySurgePod'
  /** manage or surge update: the node must not keep the pod (untolerated NoExecute, selector, affinity). */
  | 'nodeNotEligible'
  /** manage: an unbound pod whose node no longer exists. */
  | 'nodeMissing'
  /** rolling update without surge: an old pod deleted so manage recreates it from the new template. */
  | 'outdated';

export type DaemonSetAction =
  /** Merge-patch the revision's label `controller-revision-hash: <its name>` (it had none), UID-guarded. */
  | { readonly kind: 'labelRevision'; readonly revision: ControllerRevision; readonly hash: string }
  /**
   * POST the revision. On AlreadyExists: GET it; isSameRevision → carry on; else GET the DS and
   * apply collisionCountDecision (bump status.collisionCount, conditional on that GET, or not), then
   * fail the sync.
   */
  | { readonly kind: 'createRevision'; readonly revision: ControllerRevision }
  /** Merge-patch the pod's `controller-revision-hash` label (dedup of equal revisions), UID-guarded. */
  | { readonly kind: 'relabelPod'; readonly pod: Pod; readonly hash: string }
  /** DELETE the revision with a UID precondition: an equal duplicate, or beyond revisionHistoryLimit. */
  | {
      readonly kind: 'deleteRevision';
      readonly revision: ControllerRevision;
      readonly reason: 'duplicate' | 'historyLimit';
    }
  /** Merge-patch the revision's `revision` number up, UID-guarded (rollback to an older template: no new object). */
  | { readonly kind: 'updateRevisionNumber'; readonly revision: ControllerRevision; readonly revisionNumber: number }
  /** Record an Event on the MyDaemonSet. */
  | (EventAction & { readonly reason: 'FailedDaemonPod' | 'SucceededDaemonPod' | 'SelectingAll' })
  /**
   * Record a Warning once per `once` token and MyDaemonSet (the executor remembers the last token
   * warned per key): a condition every sync sees again, such as a rollback revision gone, is one
   * Event, not one per sync.
   */
  | { readonly kind: 'warnOnce'; readonly reason: 'RollbackRevisionNotFound'; readonly message: string; readonly once: string }
  /** Hand the failed-pod backoff entry to the reconciler, which keeps it (keyed by failedPodsBackoffKey). */
  | { readonly kind: 'recordFailedBackoff'; readonly key: string; readonly backoff: FailedPodBackoff }
  /** POST the pod (it has generateName). */
  | { readonly kind: 'createPod'; readonly nodeName: string; readonly pod: Pod }
  /** DELETE the pod by name, with a UID precondition. */
  | { readonly kind: 'deletePod'; readonly pod: Pod; readonly reason: DeletePodReason }
  /** Merge-patch these status fields (only them: conditions and collisionCount are not ours to write). */
  | WriteStatusAction<DaemonSetStatusFields>
  /**
   * Write Progressing and RolledBack (rollout-conditions.ts) with updateConditions' semantics, in
   * the same merge patch as writeStatus's fields if there is one: conditional on the cached
   * resourceVersion, recomputed from a fresh read on conflict, other condition types kept; when the
   * live list already says it, only writeStatus's fields go (as a plain patch), or nothing. The
   * write that turns RolledBack True records the Warning RolledBack.
   */
  | { readonly kind: 'writeRolloutConditions'; readonly update: RolloutConditionsUpdate }
  | RequeueAfterAction<'failedPodBackoff' | 'minReadySeconds' | 'progressDeadline'>
  /** Fails the sync once the remaining actions are done (e.g. an invalid maxSurge percentage). */
  | SyncErrorAction;

export type DaemonSetActionKind = DaemonSetAction['kind'];

/**
 * The groups plan() emits in this order (see plan.ts for what the executor owes each):
 * history → podBookkeeping → podChanges → historyCleanup → status → outcome.
 */
export const actionPhases = ['history', 'podBookkeeping', 'podChanges', 'historyCleanup', 'status', 'outcome'] as const;
export type ActionPhase = (typeof actionPhases)[number];

export function actionPhase(action: DaemonSetAction): ActionPhase {
  switch (action.kind) {
    case 'labelRevision':
    case 'createRevision':
    case 'relabelPod':
    case 'updateRevisionNumber':
      return 'history';
    case 'deleteRevision':
      return action.reason === 'duplicate' ? 'history' : 'historyCleanup';
    case 'event':
    case 'warnOnce':
    case 'recordFailedBackoff':
      return 'podBookkeeping';
    case 'requeueAfter':
      return action.reason === 'failedPodBackoff' ? 'podBookkeeping' : 'status';
    case 'createPod':
    case 'deletePod':
      return 'podChanges';
    case 'writeStatus':
    case 'writeRolloutConditions':
      return 'status';
    case 'syncError':
      return 'outcome';
    default: {
      const unexpected: never = action;
      return unexpected;
    }
  }
}
