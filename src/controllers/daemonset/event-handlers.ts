// Which MyDaemonSets to sync when a pod, node or revision changes, and the expectation
// bookkeeping that pod events carry (upstream: daemon_controller.go addPod, updatePod, deletePod,
// addNode, updateNode, addHistory, updateHistory, deleteHistory). Pods and revisions go through
// the shared dependent handlers (shared/dependent-events.ts); nodes are this kind's own. The
// MyDaemonSet handlers are shared/owner-events.ts.
//
// Handlers only compute keys and enqueue; they run synchronously inside the informer.
import type { ControllerRevision, Node, Pod } from '../../api/core.ts';
import { controllerOf } from '../../api/meta.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { objectKey } from '../../runtime/informer/store.ts';
import type { ObservedExpectations } from '../shared/dependent-events.ts';
import { dependentEventHandler } from '../shared/dependent-events.ts';
import type { OwnerQueue } from '../shared/owner-events.ts';
import { daemonSetReadySkewMs, recheckWhenReady } from '../shared/ready-recheck.ts';
import { nodeChangeNeedsSync, shouldIgnoreNodeUpdate } from './node-events.ts';
import { nodeShouldRunDaemonPod } from './node-eligibility.ts';
import { daemonSetKind, minReadySeconds } from './spec-defaults.ts';

export const podNodeNameIndex = 'nodeName';

interface Deps {
  readonly daemonSets: ReadonlyStore<MyDaemonSet>;
  readonly pods: ReadonlyStore<Pod>;
  readonly expectations: ObservedExpectations;
  readonly queue: OwnerQueue;
}

/**
 * Pods carry expectations; a pod that turned Ready wakes its MyDaemonSet again once it counts as
 * available (minReadySeconds, plus upstream's second against timer skew).
 */
export function podEventHandler({ daemonSets, expectations, queue }: Deps): EventHandler<Pod> {
  return dependentEventHandler<Pod, MyDaemonSet>({
    ownerKind: daemonSetKind,
    owners: daemonSets,
    queue,
    expectations,
    recheckAfterMs: recheckWhenReady(minReadySeconds, daemonSetReadySkewMs),
  });
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

/** Owned revisions wake their MyDaemonSet; orphans wake the MyDaemonSets that would adopt them. */
export function revisionEventHandler({ daemonSets, queue }: Deps): EventHandler<ControllerRevision> {
  return dependentEventHandler<ControllerRevision, MyDaemonSet>({ ownerKind: daemonSetKind, owners: daemonSets, queue });
}
