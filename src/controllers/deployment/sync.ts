// The steps every kind of pass shares: finding or creating the new RS and syncing the revision
// (getNewReplicaSet), scaling one RS (scaleReplicaSet), scaling on a scaling event or while
// paused (scale), history cleanup, the plain status write, and the paused/resumed condition.
// upstream: pkg/controller/deployment/sync.go.
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import {
  maxRevision,
  newReplicaSetAnnotations,
  replicasAnnotationsChanged,
  revisionAnnotation,
  withReplicasAnnotations,
} from './annotations.ts';
import { withStableRevision } from './auto-rollback.ts';
import {
  foundNewRSReason,
  getCondition,
  newCondition,
  newReplicaSetReason,
  pausedReason,
  progressingType,
  resumedReason,
  setCondition,
  timedOutReason,
} from './conditions.ts';
import { effectiveStrategy, newReplicaSetReplicas, replicasOf } from './fenceposts.ts';
import { replicaSetsToCleanUp } from './history-cleanup.ts';
import type { OrphanedPodsAdoption } from './orphaned-pods.ts';
import { orphanedPodsAdoption } from './orphaned-pods.ts';
import type { Pass } from './pass.ts';
import { activeReplicaSets, desiredReplicas, setDeploymentRevision, withNewReplicaSet, writeStatus } from './pass.ts';
import { podTemplateHash } from './pod-template-hash.ts';
import { hasProgressDeadline } from './progress.ts';
import { proportionalSizes } from './proportion.ts';
import { activeOrLatest, findNewReplicaSet, findOldReplicaSets, isSaturated, newReplicaSetObject } from './replica-sets.ts';
import { calculateStatus } from './status.ts';
import { deploymentStatusEqual } from './status-equality.ts';

/**
 * What getNewReplicaSet leaves the pass with: the new RS (undefined: none exists and none was to be
 * created), or `ended` when it planned the pass's last write (the existing new RS needed an
 * update; the next pass starts from it) or its failure.
 */
export type NewReplicaSetResult = { readonly kind: 'newReplicaSet'; readonly rs: MyReplicaSet | undefined } | { readonly kind: 'ended' };

/**
 * getNewReplicaSet for the RS that already matches the template (createIfNotExisted = false):
 * copy the Deployment's annotations onto it, raise its revision above the old ones and copy
 * minReadySeconds; if that changes it, update it and end the pass (upstream goes on with the
 * updated copy and syncs the Deployment's revision next time; the update's event brings the next
 * pass at once). Otherwise the Deployment takes the RS's revision, and with a progress deadline
 * but no Progressing condition yet it gets FoundNewReplicaSet.
 */
export function findAndSyncNewReplicaSet(pass: Pass): NewReplicaSetResult {
  const { d } = pass;
  const rss = pass.snapshot.replicaSets;
  const existing = findNewReplicaSet(d, rss);
  if (existing === undefined) return { kind: 'newReplicaSet', rs: undefined };
  const newRevision = nextRevision(d, rss, existing);
  const { annotations, changed } = newReplicaSetAnnotations(d, existing, newRevision, true);
  const minReadySeconds = d.spec.minReadySeconds ?? 0;
  if (changed || (existing.spec.minReadySeconds ?? 0) !== minReadySeconds) {
    pass.actions.push({ kind: 'updateReplicaSet', rs: existing, annotations, minReadySeconds });
    return { kind: 'ended' };
  }
  setDeploymentRevision(pass, existing.metadata.annotations?.[revisionAnnotation] ?? '');
  if (hasProgressDeadline(pass.d) && getCondition(pass.d.status, progressingType) === undefined) {
    const found = newCondition(progressingType, 'True', foundNewRSReason, `Found new replica set "${existing.metadata.name ?? ''}"`, pass.now);
    writeStatus(pass, setCondition(pass.d.status ?? {}, found));
  }
  return { kind: 'newReplicaSet', rs: existing };
}

/**
 * getNewReplicaSet with createIfNotExisted, when no RS matches the template: create
 * `<name>-<hash>` with the revision above every old one, sized by NewRSNewReplicas, then set the
 * Deployment's revision and (with a progress deadline) Progressing NewReplicaSetCreated.
 * What the executor does when the create fails is on CreateReplicaSetAction.
 */
function createNewReplicaSet(pass: Pass): NewReplicaSetResult {
  const { d } = pass;
  const olds = findOldReplicaSets(d, pass.snapshot.replicaSets, undefined).all;
  const adoption = orphanedPodsToAdopt(pass, olds);
  if (adoption !== undefined) return createForOrphanedPods(pass, olds, adoption);
  const newRevision = nextRevision(d, olds, undefined);
  const hash = podTemplateHash(d.spec.template, d.status?.collisionCount);
  const draft = newReplicaSetObject(d, hash, 0, {});
  const replicas = newReplicaSetSize(pass, [...olds, draft], draft);
  if (typeof replicas === 'string') {
    pass.actions.push({ kind: 'syncError', message: replicas });
    return { kind: 'ended' };
  }
  const sized = { ...draft, spec: { ...draft.spec, replicas } };
  const rs = newReplicaSetObject(d, hash, replicas, newReplicaSetAnnotations(d, sized, newRevision, false).annotations);
  pass.actions.push({ kind: 'createReplicaSet', rs, progressDeadline: hasProgressDeadline(d), status: d.status ?? {} });
  setDeploymentRevision(pass, newRevision);
  if (hasProgressDeadline(d)) {
    const created = newCondition(progressingType, 'True', newReplicaSetReason, `Created new replica set "${rs.metadata.name ?? ''}"`, pass.now);
    writeStatus(pass, setCondition(pass.d.status ?? {}, created));
  }
  return { kind: 'newReplicaSet', rs };
}

/** What orphaned-pods.ts makes of the snapshot's orphaned pods; undefined: none to take over. */
function orphanedPodsToAdopt(pass: Pass, olds: readonly MyReplicaSet[]): OrphanedPodsAdoption | undefined {
  const { snapshot } = pass;
  const pods = snapshot.orphanedPods ?? [];
  if (pods.length === 0) return undefined;
  const owned = snapshot.replicaSets.map((rs) => rs.metadata.name ?? '');
  const desired = desiredReplicas(pass);
  return orphanedPodsAdoption({
    d: pass.d,
    pods,
    takenNames: new Set([...(snapshot.takenReplicaSetNames ?? []), ...owned]),
    baseRevision: maxRevision(olds),
    desiredReplicas: desired,
    maxReplicas: desired + pass.fenceposts.maxSurge,
  });
}

/**
 * createNewReplicaSet when orphaned pods are taken over (orphaned-pods.ts, a migration from an
 * apps/v1 Deployment): first an old MyReplicaSet for each older template's pods, then the new one,
 * under the pod-template-hash of the pods made from the Deployment's template when there are such
 * (the MyReplicaSet controller adopts them and creates none). Its size is NewRSNewReplicas with the
 * old ones counted as created, raised to the number of pods it adopts so that none is deleted;
 * under Recreate while old pods run, just the pods it adopts (no pod is added while an old one
 * runs). Then the revision and Progressing as for any new RS, and the pass ends: the next one plans
 * the rollout from MyReplicaSets that exist and count their adopted pods.
 */
function createForOrphanedPods(pass: Pass, olds: readonly MyReplicaSet[], adoption: OrphanedPodsAdoption): NewReplicaSetResult {
  const { d } = pass;
  const { current, oldReplicaSets } = adoption;
  const hash = current?.hash ?? podTemplateHash(d.spec.template, d.status?.collisionCount);
  const allOlds = [...olds, ...oldReplicaSets];
  const newRevision = String(maxRevision(allOlds) + 1n);
  const draft = newReplicaSetObject(d, hash, 0, {});
  const size = newReplicaSetSize(pass, [...allOlds, draft], draft);
  if (typeof size === 'string') {
    pass.actions.push({ kind: 'syncError', message: size });
    return { kind: 'ended' };
  }
  const adopted = current?.pods.length ?? 0;
  const replicas = effectiveStrategy(d).type === 'Recreate' && oldReplicaSets.length > 0 ? adopted : Math.max(size, adopted);
  const status = d.status ?? {};
  for (const old of oldReplicaSets) pass.actions.push({ kind: 'createReplicaSet', rs: old, progressDeadline: false, status, oldForOrphanedPods: true });
  const sized = { ...draft, spec: { ...draft.spec, replicas } };
  const rs = newReplicaSetObject(d, hash, replicas, newReplicaSetAnnotations(d, sized, newRevision, false).annotations);
  pass.actions.push({ kind: 'createReplicaSet', rs, progressDeadline: hasProgressDeadline(d), status });
  setDeploymentRevision(pass, newRevision);
  if (hasProgressDeadline(d)) {
    const created = newCondition(progressingType, 'True', newReplicaSetReason, `Created new replica set "${rs.metadata.name ?? ''}"`, pass.now);
    writeStatus(pass, setCondition(pass.d.status ?? {}, created));
  }
  return { kind: 'ended' };
}

/** getNewReplicaSet with createIfNotExisted: the existing new RS, or the one created now. */
export function getOrCreateNewReplicaSet(pass: Pass, existing: MyReplicaSet | undefined): NewReplicaSetResult {
  return existing === undefined ? createNewReplicaSet(pass) : { kind: 'newReplicaSet', rs: existing };
}

/** `maxOldRevision + 1`, over the RSes other than the new one (int64: BigInt). */
function nextRevision(d: MyDeployment, rss: readonly MyReplicaSet[], newRS: MyReplicaSet | undefined): string {
  const olds = newRS === undefined ? rss : findOldReplicaSets(d, rss, newRS).all;
  return String(maxRevision(olds) + 1n);
}

/**
 * util.go NewRSNewReplicas: Recreate starts the new RS at spec.replicas, RollingUpdate as far as
 * maxSurge allows. A string is the error upstream returns (maxSurge does not resolve).
 */
export function newReplicaSetSize(pass: Pass, all: readonly MyReplicaSet[], newRS: MyReplicaSet): number | string {
  if (effectiveStrategy(pass.d).type === 'Recreate') return desiredReplicas(pass);
  if (pass.fencepostError !== undefined) return pass.fencepostError;
  return newReplicaSetReplicas(pass.d, all, newRS, pass.fenceposts.maxSurge);
}

export interface ScaleResult {
  /** The size changed (upstream's `scaled`, assuming the write goes through). */
  readonly scaled: boolean;
  /** The RS as the planned write leaves it. */
  readonly rs: MyReplicaSet;
}

/**
 * sync.go scaleReplicaSet. Without `force` it writes only to change the size; with it (scale's
 * proportional step) also when only the desired/max annotations are behind. Every write sets both
 * annotations.
 */
export function scaleReplicaSet(pass: Pass, rs: MyReplicaSet, newScale: number, force: boolean, swallowError = false): ScaleResult {
  const current = replicasOf(rs);
  if (!force && current === newScale) return { scaled: false, rs };
  const desired = desiredReplicas(pass);
  const max = desired + pass.fenceposts.maxSurge;
  const sizeNeedsUpdate = current !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsChanged(rs, desired, max)) return { scaled: false, rs };
  pass.actions.push({
    kind: 'scaleReplicaSet',
    rs,
    replicas: newScale,
    desiredReplicas: desired,
    maxReplicas: max,
    ...(swallowError ? { swallowError: true as const } : {}),
  });
  const annotations = withReplicasAnnotations(rs, desired, max).annotations;
  return { scaled: sizeNeedsUpdate, rs: { ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rs.spec, replicas: newScale } } };
}

/**
 * sync.go scale, for scaling events and paused Deployments: one active RS (or none: the new RS,
 * else the newest old one) takes all replicas; a saturated new RS empties the old ones; otherwise a
 * RollingUpdate Deployment spreads the change over the active RSes in proportion to their size
 * (proportion.ts), writing each of them (annotations too). Recreate with several active RSes: nothing.
 */
export function scale(pass: Pass, newRS: MyReplicaSet | undefined, olds: readonly MyReplicaSet[]): void {
  const replicas = desiredReplicas(pass);
  const only = activeOrLatest(newRS, olds);
  if (only !== undefined) {
    if (replicasOf(only) !== replicas) scaleReplicaSet(pass, only, replicas, false);
    return;
  }
  if (isSaturated(pass.d, newRS)) {
    for (const old of activeReplicaSets(olds)) scaleReplicaSet(pass, old, 0, false);
    return;
  }
  if (effectiveStrategy(pass.d).type !== 'RollingUpdate') return;
  const active = activeReplicaSets(withNewReplicaSet(olds, newRS));
  const byName = new Map(active.map((rs) => [rs.metadata.name ?? '', rs]));
  // The map's order is upstream's write order (largest first, see proportion.ts).
  for (const [name, size] of proportionalSizes(pass.d, active, pass.fenceposts.maxSurge)) {
    const rs = byName.get(name);
    if (rs !== undefined) scaleReplicaSet(pass, rs, size, true);
  }
}

/** sync.go cleanupDeployment: delete the oldest RSes beyond revisionHistoryLimit (history-cleanup.ts). */
export function cleanupDeployment(pass: Pass, olds: readonly MyReplicaSet[]): void {
  for (const rs of replicaSetsToCleanUp(pass.d, olds)) pass.actions.push({ kind: 'deleteReplicaSet', rs });
}

/**
 * sync.go syncDeploymentStatus: counts and Available only (and our stableRevision, which a scaling
 * event can complete; never while paused or deleted); written when it differs.
 */
export function syncDeploymentStatus(pass: Pass, all: readonly MyReplicaSet[], newRS: MyReplicaSet | undefined): void {
  const status = withStableRevision(pass, calculateStatus(pass.d, all, newRS, pass.fenceposts, pass.now), all, newRS);
  if (!deploymentStatusEqual(pass.d.status, status)) writeStatus(pass, status);
}

/**
 * sync.go checkPausedConditions: with a progress deadline, Progressing Unknown DeploymentPaused
 * while paused and DeploymentResumed once resumed (which restarts the deadline), never over
 * ProgressDeadlineExceeded; written at once.
 */
export function checkPausedConditions(pass: Pass): void {
  const { d } = pass;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, progressingType);
  if (cond?.reason === timedOutReason) return;
  const pausedCondExists = cond?.reason === pausedReason;
  const paused = d.spec.paused === true;
  if (paused && !pausedCondExists) {
    writeStatus(pass, setCondition(d.status ?? {}, newCondition(progressingType, 'Unknown', pausedReason, 'Deployment is paused', pass.now)));
  } else if (!paused && pausedCondExists) {
    writeStatus(pass, setCondition(d.status ?? {}, newCondition(progressingType, 'Unknown', resumedReason, 'Deployment is resumed', pass.now)));
  }
}
