// Informer handlers for a workload's dependents (the objects its controller reference points from:
// pods of a MyDaemonSet, MyStatefulSet or ReplicaSet, ControllerRevisions, a Deployment's
// ReplicaSets). One factory for every kind; a kind says what differs through options.
//
// upstream, the same three functions written once per controller:
//   pkg/controller/daemon/daemon_controller.go       addPod, updatePod, deletePod, *History
//   pkg/controller/statefulset/stateful_set.go       addPod, updatePod, deletePod
//   pkg/controller/replicaset/replica_set.go         addPod, updatePod, deletePod
//   pkg/controller/deployment/deployment_controller.go addReplicaSet, updateReplicaSet, deleteReplicaSet
//
// Handlers run synchronously inside the informer, after its store changed; they only look owners
// up in the owners' cache, note observed creates and deletes, and enqueue keys.
import type { KubeObject } from '../../api/meta.ts';
import { controllerOf, isBeingDeleted } from '../../api/meta.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { objectKey } from '../../runtime/informer/store.ts';
import type { OwnerQueue } from './owner-events.ts';
import type { SelectingOwner } from './owner-lookup.ts';
import { controllerRefsEqual, labelsEqual, ownersSelecting, resolveControllerRef } from './owner-lookup.ts';

/** The part of runtime/expectations.ts Expectations that informer events feed. */
export interface ObservedExpectations {
  creationObserved(ownerKey: string): void;
  /** `dependent` identifies the dependent as the kind tracks its deletes (deletionKey). */
  deletionObserved(ownerKey: string, dependent: string): void;
}

export interface DependentEventOptions<T extends KubeObject, O extends SelectingOwner> {
  /** The owners' kind, as controller references name it. */
  readonly ownerKind: string;
  readonly owners: ReadonlyStore<O>;
  readonly queue: OwnerQueue;
  /**
   * For kinds that track their creates and deletes (MyDaemonSet, ReplicaSet): a controlled
   * dependent's add is a creation observed, its delete (or its turning terminating) a deletion
   * observed. Without it the handlers only enqueue (MyStatefulSet, Deployment, revisions).
   */
  readonly expectations?: ObservedExpectations;
  /**
   * How expected deletes name a dependent. Default: its UID (MyDaemonSet). The ReplicaSet
   * controller tracks pod keys `namespace/name` (replica_set.go deletePod: controller.PodKey).
   */
  readonly deletionKey?: (obj: T) => string;
  /**
   * Which of the owners whose selector matches an orphan may adopt it (upstream
   * getStatefulSetsForPod narrowed to isMemberOf). Default: every one of them.
   */
  readonly mayAdopt?: (owner: O, orphan: T) => boolean;
  /**
   * After an update of a controlled dependent, look at its owner again this many ms later, or not
   * (undefined): the availability check once minReadySeconds have passed (ready-recheck.ts).
   */
  readonly recheckAfterMs?: (owner: O, old: T, cur: T) => number | undefined;
}

/**
 * add: a dependent already terminating counts as deleted (after a restart it must not count as a
 *   creation); a controlled one is a creation observed and enqueues its owner; an orphan enqueues
 *   the owners that may adopt it.
 * update: a resync (same resourceVersion) is ignored; with expectations, turning terminating
 *   counts as deleted; a controller reference that changed in any field enqueues the former owner;
 *   a controlled dependent enqueues its owner (and the recheck); an orphan whose reference or
 *   labels changed enqueues the owners that may adopt it.
 * delete: a deletion observed, and the owner enqueued; nobody waits for an orphan's delete.
 */
export function dependentEventHandler<T extends KubeObject, O extends SelectingOwner>(
  options: DependentEventOptions<T, O>,
): EventHandler<T> {
  const { ownerKind, owners, queue, expectations, mayAdopt, recheckAfterMs } = options;
  const deletionKey = options.deletionKey ?? ((obj: T): string => obj.metadata.uid ?? '');
  const ownerOf = (obj: T): O | undefined => resolveControllerRef(obj, ownerKind, owners);
  const enqueueAdopters = (orphan: T): void => {
    for (const owner of ownersSelecting(orphan, owners)) {
      if (mayAdopt === undefined || mayAdopt(owner, orphan)) queue.enqueue(objectKey(owner));
    }
  };
  const deleted = (obj: T): void => {
    const owner = ownerOf(obj);
    if (owner === undefined) return;
    const key = objectKey(owner);
    expectations?.deletionObserved(key, deletionKey(obj));
    queue.enqueue(key);
  };
  return {
    onAdd(obj) {
      if (isBeingDeleted(obj)) return deleted(obj);
      const owner = ownerOf(obj);
      if (owner !== undefined) {
        const key = objectKey(owner);
        expectations?.creationObserved(key);
        queue.enqueue(key);
        return;
      }
      // Controlled by something we do not know (another kind, or an owner gone from the cache).
      if (controllerOf(obj)) return;
      enqueueAdopters(obj);
    },
    onUpdate(old, cur) {
      // A relist or resync delivers every object again with an unchanged resourceVersion.
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      // Graceful deletion sets deletionTimestamp first: the owner may replace the dependent now
      // instead of waiting for the kubelet to remove it (daemon_controller.go updatePod). Upstream
      // repeats this on every later update of the terminating pod (and replica_set.go for the old
      // pod too when labels changed); an expected delete leaves the set when first observed (by UID
      // or pod key), the final delete event observes it again, and the later updates still
      // enqueue the owner below.
      if (expectations !== undefined && isBeingDeleted(cur) && !isBeingDeleted(old)) return deleted(cur);
      const oldRef = controllerOf(old);
      const curRef = controllerOf(cur);
      const refChanged = !controllerRefsEqual(oldRef, curRef);
      if (refChanged && oldRef !== undefined) {
        const former = ownerOf(old);
        if (former !== undefined) queue.enqueue(objectKey(former));
      }
      if (curRef !== undefined) {
        const owner = ownerOf(cur);
        if (owner === undefined) return;
        const key = objectKey(owner);
        queue.enqueue(key);
        const afterMs = recheckAfterMs?.(owner, old, cur);
        if (afterMs !== undefined) queue.enqueueAfter(key, afterMs);
        return;
      }
      if (refChanged || !labelsEqual(old, cur)) enqueueAdopters(cur);
    },
    onDelete: deleted,
  };
}
