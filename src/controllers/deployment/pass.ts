// One planning pass: what plan() reads (the snapshot) and what it has decided so far. Upstream's
// sync functions share a deep copy `d` of the Deployment and change it as they go (its revision
// annotation, its conditions) before writing it; a Pass does the same for one plan() call: `d` is
// the Deployment as the writes planned so far leave it, and `actions` is those writes in order.
// Nothing from the snapshot is mutated; a Pass never outlives the plan() that made it.
import type { Pod } from '../../api/core.ts';
import type { MyDeployment, MyDeploymentStatus, MyReplicaSet } from '../../api/workloads.ts';
import type { DeploymentAction } from './actions.ts';
import { revisionAnnotation } from './annotations.ts';
import type { Fenceposts } from './fenceposts.ts';
import { fencepostsOrZero, replicasOf, resolveFenceposts } from './fenceposts.ts';
import { isActive } from './replica-sets.ts';

/** Everything one sync reads, built once from the caches. Nothing in it is mutated. */
export interface DeploymentSnapshot {
  readonly deployment: MyDeployment;
  /**
   * The MyReplicaSets the Deployment controls after adoption and release (upstream
   * getReplicaSetsForDeployment), as the cache holds them, in cache order.
   */
  readonly replicaSets: readonly MyReplicaSet[];
  /**
   * The pods each of those controls, by the RS's UID (upstream getPodMapForDeployment), terminating
   * ones included. Read by Recreate (oldPodsRunning) and by RollingUpdate, which caps each set's
   * reported availableReplicas by its available pods here (rolling.ts availableOf); a set without
   * an entry is judged by its status alone.
   */
  readonly podsByReplicaSet: ReadonlyMap<string, readonly Pod[]>;
  /**
   * Read only when no MyReplicaSet matches the template (a new one is to be created), else absent:
   * the pods of the namespace the selector matches that no controller owns and that carry a
   * pod-template-hash — an apps/v1 Deployment's, once it and its ReplicaSets were deleted with
   * --cascade=orphan. The new MyReplicaSet takes them over (orphaned-pods.ts). Absent: none.
   */
  readonly orphanedPods?: readonly Pod[];
  /**
   * Of the names `<deployment>-<pod-template-hash of an orphaned pod>`, those a MyReplicaSet in the
   * namespace holds already, ours or another's. Absent: none.
   */
  readonly takenReplicaSetNames?: ReadonlySet<string>;
}

export interface Pass {
  readonly snapshot: DeploymentSnapshot;
  /** Epoch ms: condition times, the progress deadline. */
  readonly now: number;
  /**
   * MaxSurge and MaxUnavailable. 0/0 when the strategy's values do not resolve: upstream's
   * MaxSurge and MaxUnavailable drop that error (validation rejects such values anyway); only
   * NewRSNewReplicas fails on it, see `fencepostError`.
   */
  readonly fenceposts: Fenceposts;
  readonly fencepostError: string | undefined;
  /** The Deployment as the writes planned so far leave it (annotations, status); spec as read. */
  d: MyDeployment;
  readonly actions: DeploymentAction[];
}

export function startPass(snapshot: DeploymentSnapshot, now: number): Pass {
  const resolved = resolveFenceposts(snapshot.deployment);
  return {
    snapshot,
    now,
    fenceposts: fencepostsOrZero(snapshot.deployment),
    fencepostError: 'error' in resolved ? resolved.error : undefined,
    d: snapshot.deployment,
    actions: [],
  };
}

/** The Deployment's spec.replicas (absent: 1, the schema default). */
export function desiredReplicas(pass: Pass): number {
  return replicasOf(pass.d);
}

/** Plans a write of the whole status (UpdateStatus) and carries it into `d`. */
export function writeStatus(pass: Pass, status: MyDeploymentStatus): void {
  pass.actions.push({ kind: 'writeStatus', status });
  pass.d = { ...pass.d, status };
}

/** Plans an Event on the Deployment. */
export function recordEvent(pass: Pass, type: 'Normal' | 'Warning', reason: string, message: string): void {
  pass.actions.push({ kind: 'event', type, reason, message });
}

/**
 * util.go SetDeploymentRevision: the Deployment's revision annotation follows its new RS. Plans
 * the annotation write when the value changes (a missing annotation reads as ""); returns whether
 * it did.
 */
export function setDeploymentRevision(pass: Pass, revision: string): boolean {
  const annotations = pass.d.metadata.annotations ?? {};
  if ((annotations[revisionAnnotation] ?? '') === revision) return false;
  pass.actions.push({ kind: 'setDeploymentRevision', revision });
  pass.d = { ...pass.d, metadata: { ...pass.d.metadata, annotations: { ...annotations, [revisionAnnotation]: revision } } };
  return true;
}

/** FilterActiveReplicaSets: those with spec.replicas > 0. */
export function activeReplicaSets(rss: readonly MyReplicaSet[]): MyReplicaSet[] {
  return rss.filter(isActive);
}

/** `append(oldRSs, newRS)` without the nil upstream carries when there is no new RS. */
export function withNewReplicaSet(olds: readonly MyReplicaSet[], newRS: MyReplicaSet | undefined): MyReplicaSet[] {
  return newRS === undefined ? [...olds] : [...olds, newRS];
}
