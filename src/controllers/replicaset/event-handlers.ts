// Which MyReplicaSets to sync when a pod changes, and the expectation bookkeeping pod events carry
// (upstream: replica_set.go addPod, updatePod, deletePod, through the shared dependent handlers in
// shared/dependent-events.ts). The MyReplicaSet handlers are shared/owner-events.ts (addRS,
// updateRS, deleteRS).
//
// Handlers only compute keys and enqueue; they run synchronously inside the informer.
import type { Pod } from '../../api/core.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import { myReplicaSetKind } from '../../api/workloads.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { objectKey } from '../../runtime/informer/store.ts';
import type { ObservedExpectations } from '../shared/dependent-events.ts';
import { dependentEventHandler } from '../shared/dependent-events.ts';
import type { OwnerQueue } from '../shared/owner-events.ts';
import { recheckWhenReady } from '../shared/ready-recheck.ts';
import { minReadySeconds } from './spec-defaults.ts';

interface Deps {
  readonly replicaSets: ReadonlyStore<MyReplicaSet>;
  readonly expectations: ObservedExpectations;
  readonly queue: OwnerQueue;
}

/**
 * A controlled pod's add is a creation observed; its delete, or its turning terminating, a
 * deletion observed under its key `namespace/name` (the key the executor expected). An orphan wakes
 * every set whose selector matches it; a pod that turned Ready wakes its set again exactly
 * minReadySeconds later, when it becomes available.
 */
export function podEventHandler({ replicaSets, expectations, queue }: Deps): EventHandler<Pod> {
  return dependentEventHandler<Pod, MyReplicaSet>({
    ownerKind: myReplicaSetKind,
    owners: replicaSets,
    queue,
    expectations,
    deletionKey: objectKey,
    recheckAfterMs: recheckWhenReady(minReadySeconds),
  });
}
