// Which MyDeployments to sync when a MyReplicaSet or a pod changes (upstream:
// pkg/controller/deployment/deployment_controller.go addReplicaSet, updateReplicaSet,
// deleteReplicaSet, deletePod, getDeploymentForPod). The MyDeployment handlers are
// shared/owner-events.ts (every add, update — status-only ones too — and delete).
//
// Handlers only look owners up in the caches and enqueue; they run synchronously inside the
// informer, after its store changed.
import type { Pod } from '../../api/core.ts';
import { selectorMatches } from '../../api/selector.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { myDeploymentKind, myReplicaSetKind } from '../../api/workloads.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { controllerIndex, objectKey } from '../../runtime/informer/store.ts';
import { dependentEventHandler } from '../shared/dependent-events.ts';
import type { OwnerQueue } from '../shared/owner-events.ts';
import { resolveControllerRef } from '../shared/owner-lookup.ts';

interface Deps {
  readonly deployments: ReadonlyStore<MyDeployment>;
  readonly queue: OwnerQueue;
}

/**
 * A controlled RS's add, update (new resourceVersion) and delete wake its Deployment (one being
 * deleted counts as deleted); an orphan's add, or an update that changed its labels or controller
 * reference, wakes every Deployment whose non-empty selector matches its labels — they may adopt
 * it. No expectations: the Deployment controller keeps none.
 */
export function replicaSetEventHandler({ deployments, queue }: Deps): EventHandler<MyReplicaSet> {
  return dependentEventHandler<MyReplicaSet, MyDeployment>({ ownerKind: myDeploymentKind, owners: deployments, queue });
}

interface PodDeps extends Deps {
  readonly replicaSets: ReadonlyStore<MyReplicaSet>;
  readonly pods: ReadonlyStore<Pod>;
}

/**
 * Only deletes matter: a Recreate Deployment waits for its old pods to be gone before it creates
 * the new RS, and is woken when the last pod of any of its RSes goes. Upstream lists the RSes
 * from the API server here; the cache is enough for us: an RS it misses is one whose own events
 * wake the Deployment anyway.
 */
export function podEventHandler({ deployments, replicaSets, pods, queue }: PodDeps): EventHandler<Pod> {
  return {
    onDelete(pod) {
      const rs = resolveControllerRef(pod, myReplicaSetKind, replicaSets);
      const d = rs === undefined ? undefined : resolveControllerRef(rs, myDeploymentKind, deployments);
      if (d === undefined || d.spec.strategy?.type !== 'Recreate') return;
      // upstream ListReplicaSets: the RSes it controls that its selector still matches.
      const owned = replicaSets
        .byIndex(controllerIndex, d.metadata.uid ?? '')
        .filter((candidate) => selectorMatches(d.spec.selector, candidate.metadata.labels));
      if (owned.every((candidate) => pods.byIndex(controllerIndex, candidate.metadata.uid ?? '').length === 0)) queue.enqueue(objectKey(d));
    },
  };
}
