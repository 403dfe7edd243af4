// Which MyStatefulSets to sync when a pod, claim or revision changes (upstream:
// pkg/controller/statefulset/stateful_set.go addPod, updatePod, deletePod, getStatefulSetsForPod).
// Pods and revisions go through the shared dependent handlers (shared/dependent-events.ts);
// claims and StorageClasses are this kind's own. The MyStatefulSet handlers are shared/owner-events.ts.
//
// Handlers only compute keys and enqueue; they run synchronously inside the informer.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { namespaceIndex, objectKey } from '../../runtime/informer/store.ts';
import { dependentEventHandler } from '../shared/dependent-events.ts';
import { findCondition } from '../shared/rollout-control.ts';
import type { OwnerQueue } from '../shared/owner-events.ts';
import { recheckWhenReady } from '../shared/ready-recheck.ts';
import { getOrdinal, getPersistentVolumeClaimName, isMemberOf, statefulSetKind } from './identity.ts';
import type { StorageClass } from './storage-class.ts';
import { minReadySecondsOf } from './strategy.ts';
import { resizedReason, volumeResizingType } from './volume-resizing.ts';

interface Deps {
  readonly statefulSets: ReadonlyStore<MyStatefulSet>;
  readonly queue: OwnerQueue;
}

/**
 * No expectations: the set plans from its pods' names. An orphan wakes only the matching sets its
 * name belongs to (isMemberOf: only those may adopt it, so waking the others would be a no-op
 * sync). A pod that turned Ready wakes its set again after minReadySeconds.
 */
export function podEventHandler({ statefulSets, queue }: Deps): EventHandler<Pod> {
  return dependentEventHandler<Pod, MyStatefulSet>({
    ownerKind: statefulSetKind,
    owners: statefulSets,
    queue,
    mayAdopt: isMemberOf,
    recheckAfterMs: recheckWhenReady(minReadySecondsOf),
  });
}

/**
 * Beyond upstream, which reads claims from its cache but syncs on them only through retries: a set
 * is enqueued when one of its claims (`<template>-<set>-<ordinal>`) changes, so a pod waiting for a
 * claim being deleted (or for the garbage collector, with whenScaled: Delete) goes on at once, and a
 * sync deferred until the claim cache shows its own writes runs as soon as it does.
 */
export function claimEventHandler({ statefulSets, queue }: Deps): EventHandler<PersistentVolumeClaim> {
  const changed = (claim: PersistentVolumeClaim): void => {
    for (const set of statefulSetsForClaim(claim, statefulSets)) queue.enqueue(objectKey(set));
  };
  return {
    onAdd: changed,
    onUpdate: (old, cur) => {
      if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) changed(cur);
    },
    onDelete: changed,
  };
}

/** Sets in the claim's namespace with a claim template that names it for some ordinal. */
export function statefulSetsForClaim(claim: PersistentVolumeClaim, statefulSets: ReadonlyStore<MyStatefulSet>): MyStatefulSet[] {
  const name = claim.metadata.name ?? '';
  const ordinal = getOrdinal(claim);
  if (ordinal < 0) return [];
  return statefulSets
    .byIndex(namespaceIndex, claim.metadata.namespace ?? '')
    .filter((set) =>
      (set.spec.volumeClaimTemplates ?? []).some((template) => getPersistentVolumeClaimName(set, template.metadata.name ?? '', ordinal) === name),
    );
}

/**
 * Ours (claim growth, volume-growth.ts): a StorageClass added, changed or deleted wakes every set
 * whose claims are still growing or were refused growth: a class that now allows expansion lets
 * them grow, one that is gone or stopped allowing it turns Resizing into ResizeForbidden. Sets that
 * never grew, or finished (Resized), have nothing to learn from it. Class changes are rare.
 */
export function storageClassEventHandler({ statefulSets, queue }: Deps): EventHandler<StorageClass> {
  const changed = (): void => {
    for (const set of statefulSets.list()) {
      const condition = findCondition(set.status?.conditions, volumeResizingType);
      if (condition !== undefined && condition.reason !== resizedReason) queue.enqueue(objectKey(set));
    }
  };
  return {
    onAdd: changed,
    onUpdate: (old, cur) => {
      if (old.metadata.resourceVersion !== cur.metadata.resourceVersion) changed();
    },
    onDelete: changed,
  };
}

/** Owned revisions wake their set; orphans wake the sets that would adopt them. */
export function revisionEventHandler({ statefulSets, queue }: Deps): EventHandler<ControllerRevision> {
  return dependentEventHandler<ControllerRevision, MyStatefulSet>({ ownerKind: statefulSetKind, owners: statefulSets, queue });
}
