// Which MyDaemonSets to sync when a pod, node, revision or MyDaemonSet changes, and the
// expectation bookkeeping that pod events carry (upstream: daemon_controller.go addPod, updatePod,
// deletePod, addNode, updateNode, addHistory, updateHistory, deleteHistory).
//
// Handlers only compute keys and enqueue; they run synchronously inside the informer.
import type { ControllerRevision, Node, Pod } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { controllerOf, isBeingDeleted } from '../../api/meta.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { Expectations } from '../../runtime/expectations.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { objectKey } from '../../runtime/informer/store.ts';
import type { OwnerQueue } from '../shared/owner-events.ts';
import { ownedObjectEventHandler } from '../shared/owner-events.ts';
import { labelsEqual, ownersSelecting, resolveControllerRef } from '../shared/owner-lookup.ts';
import { isPodReady } from '../shared/pod-state.ts';
import { nodeChangeNeedsSync, shouldIgnoreNodeUpdate } from './node-events.ts';
import { nodeShouldRunDaemonPod } from './node-eligibility.ts';
import { daemonSetKind, minReadySeconds } from './spec-defaults.ts';

export const podNodeNameIndex = 'nodeName';

export type DaemonSetQueue = OwnerQueue;

interface Deps {
  readonly daemonSets: ReadonlyStore<MyDaemonSet>;
  readonly pods: ReadonlyStore<Pod>;
  readonly expectations: Expectations;
  readonly queue: DaemonSetQueue;
}

function resolveDaemonSet(obj: KubeObject, daemonSets: ReadonlyStore<MyDaemonSet>): MyDaemonSet | undefined {
  return resolveControllerRef(obj, daemonSetKind, daemonSets);
}

export function podEventHandler({ daemonSets, expectations, queue }: Deps): EventHandler<Pod> {
  const deleted = (pod: Pod): void => {
    const ds = resolveDaemonSet(pod, daemonSets);
    if (!ds) return;
    const key = objectKey(ds);
    expectations.deletionObserved(key, pod.metadata.uid ?? '');
    queue.enqueue(key);
  };
  return {
    onAdd(pod) {
      // A pod that is already terminating when first seen counts as a deletion observed.
      if (isBeingDeleted(pod)) return deleted(pod);
      const ds = resolveDaemonSet(pod, daemonSets);
      if (ds) {
        const key = objectKey(ds);
        expectations.creationObserved(key);
        queue.enqueue(key);
        return;
      }
      if (controllerOf(pod)) return;
      for (const candidate of ownersSelecting(pod, daemonSets)) queue.enqueue(objectKey(candidate));
    },
    onUpdate(old, cur) {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      if (isBeingDeleted(cur) && !isBeingDeleted(old)) {
        deleted(cur);
        return;
      }
      const oldRef = controllerOf(old);
      const curRef = controllerOf(cur);
      const refChanged = oldRef?.uid !== curRef?.uid;
      if (refChanged && oldRef) {
        const oldDs = resolveDaemonSet(old, daemonSets);
        if (oldDs) queue.enqueue(objectKey(oldDs));
      }
      const ds = resolveDaemonSet(cur, daemonSets);
      if (ds) {
        const key = objectKey(ds);
        queue.enqueue(key);
        const minReady = minReadySeconds(ds);
        // Look again once the new Ready pod counts as available.
        if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) queue.enqueueAfter(key, minReady * 1000 + 1000);
        return;
      }
      if (curRef) return;
      if (refChanged || !labelsEqual(old, cur)) {
        for (const candidate of ownersSelecting(cur, daemonSets)) queue.enqueue(objectKey(candidate));
      }
    },
    onDelete: deleted,
  };
}

export function nodeEventHandler({ daemonSets, pods, queue }: Deps): EventHandler<Node> {
  const scheduledOn = (node: Node): Set<string> => {
    // UIDs of the MyDaemonSets that control a pod bound to this node.
    const owners = new Set<string>();
    for (const pod of pods.byIndex(podNodeNameIndex, node.metadata.name ?? '')) {
      const ref = controllerOf(pod);
      if (ref?.kind === daemonSetKind) owners.add(ref.uid);
    }
    return owners;
  };
  return {
    onAdd(node) {
      for (const ds of daemonSets.list()) {
        if (nodeShouldRunDaemonPod(node, ds).shouldRun) queue.enqueue(objectKey(ds));
      }
    },
    onUpdate(old, cur) {
      if (shouldIgnoreNodeUpdate(old, cur)) return;
      const owners = scheduledOn(cur);
      for (const ds of daemonSets.list()) {
        if (nodeChangeNeedsSync(cur, ds, owners.has(ds.metadata.uid ?? ''))) queue.enqueue(objectKey(ds));
      }
    },
    // Beyond upstream, which has no node delete handler and waits for the pod GC: recompute the
    // status (desiredNumberScheduled drops at once) of every MyDaemonSet with a pod there.
    onDelete(node) {
      const owners = scheduledOn(node);
      for (const ds of daemonSets.list()) if (owners.has(ds.metadata.uid ?? '')) queue.enqueue(objectKey(ds));
    },
  };
}

export function revisionEventHandler({ daemonSets, queue }: Deps): EventHandler<ControllerRevision> {
  return ownedObjectEventHandler({ kind: daemonSetKind, owners: daemonSets, queue });
}

export function daemonSetEventHandler({ queue }: Deps): EventHandler<MyDaemonSet> {
  return {
    onAdd: (ds) => queue.enqueue(objectKey(ds)),
    onUpdate: (_old, cur) => queue.enqueue(objectKey(cur)),
    onDelete: (ds) => queue.enqueue(objectKey(ds)),
  };
}
