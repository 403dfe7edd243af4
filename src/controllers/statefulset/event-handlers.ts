// Which MyStatefulSets to sync when a pod, claim, revision or MyStatefulSet changes (upstream:
// pkg/controller/statefulset/stateful_set.go addPod, updatePod, deletePod, getStatefulSetsForPod,
// and the set handlers in NewStatefulSetController).
//
// Handlers only compute keys and enqueue; they run synchronously inside the informer.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import { controllerOf, isBeingDeleted } from '../../api/meta.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { namespaceIndex, objectKey } from '../../runtime/informer/store.ts';
import type { OwnerQueue } from '../shared/owner-events.ts';
import { ownedObjectEventHandler } from '../shared/owner-events.ts';
import { labelsEqual, ownersSelecting, resolveControllerRef } from '../shared/owner-lookup.ts';
import { isPodReady } from '../shared/pod-state.ts';
import { getOrdinal, getPersistentVolumeClaimName, isMemberOf, statefulSetKind } from './identity.ts';
import { minReadySecondsOf } from './strategy.ts';

interface Deps {
  readonly statefulSets: ReadonlyStore<MyStatefulSet>;
  readonly queue: OwnerQueue;
}

function resolveStatefulSet(obj: Pod | ControllerRevision, statefulSets: ReadonlyStore<MyStatefulSet>): MyStatefulSet | undefined {
  return resolveControllerRef(obj, statefulSetKind, statefulSets);
}

/**
 * upstream getStatefulSetsForPod, narrowed to sets the pod's name belongs to: only those may adopt
 * it (isMemberOf), so waking the others would be a no-op sync.
 */
function statefulSetsForOrphan(pod: Pod, statefulSets: ReadonlyStore<MyStatefulSet>): MyStatefulSet[] {
  return ownersSelecting(pod, statefulSets).filter((set) => isMemberOf(set, pod));
}

export function podEventHandler({ statefulSets, queue }: Deps): EventHandler<Pod> {
  const deleted = (pod: Pod): void => {
    const set = resolveStatefulSet(pod, statefulSets);
    if (set) queue.enqueue(objectKey(set));
  };
  return {
    onAdd(pod) {
      // Seen for the first time already terminating (e.g. after a restart): handle as a deletion.
      if (isBeingDeleted(pod)) return deleted(pod);
      const set = resolveStatefulSet(pod, statefulSets);
      if (set) {
        queue.enqueue(objectKey(set));
        return;
      }
      if (controllerOf(pod)) return;
      for (const candidate of statefulSetsForOrphan(pod, statefulSets)) queue.enqueue(objectKey(candidate));
    },
    onUpdate(old, cur) {
      // A relist delivers every pod again with an unchanged resourceVersion.
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const oldRef = controllerOf(old);
      const curRef = controllerOf(cur);
      const refChanged = oldRef?.uid !== curRef?.uid || oldRef?.name !== curRef?.name || oldRef?.kind !== curRef?.kind;
      if (refChanged && oldRef) {
        const oldSet = resolveStatefulSet(old, statefulSets);
        if (oldSet) queue.enqueue(objectKey(oldSet));
      }
      if (curRef) {
        const set = resolveStatefulSet(cur, statefulSets);
        if (!set) return;
        const key = objectKey(set);
        queue.enqueue(key);
        // The pod counts as available only minReadySeconds after turning Ready: look again then.
        const minReadySeconds = minReadySecondsOf(set);
        if (minReadySeconds > 0 && !isPodReady(old) && isPodReady(cur)) queue.enqueueAfter(key, minReadySeconds * 1000);
        return;
      }
      if (refChanged || !labelsEqual(old, cur)) {
        for (const candidate of statefulSetsForOrphan(cur, statefulSets)) queue.enqueue(objectKey(candidate));
      }
    },
    // No controller cares about an orphan going away.
    onDelete: deleted,
  };
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

/** Owned revisions wake their set; orphans wake the sets that would adopt them. */
export function revisionEventHandler({ statefulSets, queue }: Deps): EventHandler<ControllerRevision> {
  return ownedObjectEventHandler({ kind: statefulSetKind, owners: statefulSets, queue });
}

export function statefulSetEventHandler({ queue }: Deps): EventHandler<MyStatefulSet> {
  return {
    onAdd: (set) => queue.enqueue(objectKey(set)),
    onUpdate: (_old, cur) => queue.enqueue(objectKey(cur)),
    onDelete: (set) => queue.enqueue(objectKey(set)),
  };
}
