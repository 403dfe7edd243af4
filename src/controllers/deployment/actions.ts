// What one MyDeployment sync asks the executor to do, in order. The planner (plan.ts) walks
// upstream's syncDeployment once and writes down each API call it would make, at the point it
// would make it; the executor (execute.ts) runs them in that order and stops at the first failure
// (an error: the key is retried with backoff), except where an action says otherwise. The next
// pass comes from the informer events our writes cause (every MyDeployment and MyReplicaSet update
// enqueues the Deployment), so nothing here waits for a write to show.
//
// Every write to the Deployment after the first carries the resourceVersion the previous one
// returned, and every write to a MyReplicaSet the one its previous write in this pass returned
// (see execute.ts): upstream writes `d` several times in one pass with the resourceVersion it
// read, so its second write conflicts; ours does not, yet a change by anyone else still does.
//
// upstream: pkg/controller/deployment/{sync,rolling,recreate,rollback,progress}.go, each client
// call in them.
import type { PodTemplateSpec } from '../../api/core.ts';
import type { MyDeploymentStatus, MyReplicaSet } from '../../api/workloads.ts';
import type { EventAction, RequeueAfterAction, SyncErrorAction, WriteStatusAction } from '../shared/actions.ts';

/**
 * POST the new MyReplicaSet (sync.go getNewReplicaSet). On success, if `rs.spec.replicas > 0`,
 * Normal `ScalingReplicaSet` "Scaled up replica set NAME from 0 to N". Failures:
 * - AlreadyExists, and the RS of that name (read live) is controlled by this Deployment with an
 *   equal template: an earlier pass created it and the cache has not shown it. The pass ends here
 *   without an error and the key is synced again once the cache holds it (upstream carries on
 *   with the cached copy; the next pass does the same work from fresh data).
 * - AlreadyExists otherwise (a hash collision): status.collisionCount + 1 via /status, then fail
 *   (the next pass hashes with the new count).
 * - The namespace is terminating: the pass ends, no error, no Event (upstream handleErr forgets).
 * - Anything else: when `progressDeadline`, Progressing False / ReplicaSetCreateError
 *   "Failed to create new replica set \"NAME\": ERR" is written into `status` (best effort), and
 *   Warning `ReplicaSetCreateError` with that message; then fail.
 */
export interface CreateReplicaSetAction {
  readonly kind: 'createReplicaSet';
  readonly rs: MyReplicaSet;
  /** The Deployment has a progress deadline (the failure condition is written only then). */
  readonly progressDeadline: boolean;
  /** The Deployment's status at this point of the pass, which the failure condition goes into. */
  readonly status: MyDeploymentStatus;
  /**
   * An old MyReplicaSet for orphaned pods of an older template (orphaned-pods.ts), created before
   * the new one. AlreadyExists skips it (the pods stay orphaned; the next pass sees the name taken)
   * and the pass goes on; a terminating namespace ends the pass as above; any other failure fails
   * the pass without a condition or Event.
   */
  readonly oldForOrphanedPods?: true;
}

/**
 * Bring the existing new RS up to date (getNewReplicaSet: annotations copied from the Deployment,
 * revision raised, minReadySeconds copied): merge patch of `annotations` (keys are only ever added
 * or overwritten) and `spec.minReadySeconds`, conditional on the RS's resourceVersion. Always the
 * last write of its pass.
 */
export interface UpdateReplicaSetAction {
  readonly kind: 'updateReplicaSet';
  readonly rs: MyReplicaSet;
  readonly annotations: Readonly<Record<string, string>>;
  readonly minReadySeconds: number;
}

/**
 * sync.go scaleReplicaSet: merge patch of `spec.replicas` and the desired-replicas /
 * max-replicas annotations, conditional on the RS's resourceVersion. On success with a size change
 * (`replicas ≠ rs.spec.replicas`): Normal `ScalingReplicaSet` "Scaled up|down replica set NAME
 * from A to B".
 */
export interface ScaleReplicaSetAction {
  readonly kind: 'scaleReplicaSet';
  /** The RS as this pass left it so far (spec.replicas is the size it scales from). */
  readonly rs: MyReplicaSet;
  readonly replicas: number;
  readonly desiredReplicas: number;
  readonly maxReplicas: number;
  /**
   * rolling.go reconcileOldReplicaSets swallows its scaling errors: a failure skips the remaining
   * actions that have this flag and the pass goes on with the next one.
   */
  readonly swallowError?: true;
}

/**
 * History cleanup (sync.go cleanupDeployment): DELETE with a UID precondition. NotFound, or a
 * newer RS under the name, is success; any other failure ends the pass.
 */
export interface DeleteReplicaSetAction {
  readonly kind: 'deleteReplicaSet';
  readonly rs: MyReplicaSet;
}

/**
 * rollback.go updateDeploymentAndClearRollbackTo: a JSON patch that tests the resourceVersion and
 * replaces `metadata.annotations` (the rollback annotation is no longer in them) and, for a
 * rollback that changes the template, `spec.template`.
 */
export interface RollbackDeploymentAction {
  readonly kind: 'rollbackDeployment';
  readonly template: PodTemplateSpec | undefined;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * Sets the Deployment's `deployment.kubernetes.io/revision` annotation: a merge patch of the object
 * (not /status: a custom resource's /status drops metadata, where upstream's UpdateStatus keeps
 * annotations), conditional on the resourceVersion.
 */
export interface SetDeploymentRevisionAction {
  readonly kind: 'setDeploymentRevision';
  readonly revision: string;
}

/**
 * PUT /status of the whole status (counts, conditions, observedGeneration, collisionCount,
 * selector), conditional on the resourceVersion (upstream UpdateStatus).
 */
export type WriteDeploymentStatusAction = WriteStatusAction<MyDeploymentStatus>;

/** Why a pass asks to be synced again. */
export type DeploymentRequeueReason =
  /** progress.go requeueStuckDeployment: look again once the progress deadline has passed. */
  'progressDeadline';

export type DeploymentAction =
  | CreateReplicaSetAction
  | UpdateReplicaSetAction
  | ScaleReplicaSetAction
  | DeleteReplicaSetAction
  | RollbackDeploymentAction
  | SetDeploymentRevisionAction
  | WriteDeploymentStatusAction
  /** Recorded on the Deployment where it stands (planned Events: SelectingAll, rollback outcomes). */
  | EventAction
  /** Only reached when nothing before it failed. */
  | RequeueAfterAction<DeploymentRequeueReason>
  /** The pass fails here (upstream returns an error): the key is retried with backoff. */
  | SyncErrorAction;
