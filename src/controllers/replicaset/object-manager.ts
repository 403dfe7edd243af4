// The writes a MyReplicaSet sync makes, as one small seam the executor owns, so its rules can be
// tested without an API server. realObjectManager issues them with the KubeClient and reports each
// written resourceVersion, so the next sync waits for caches that saw it (controller.ts defer).
// upstream: pkg/controller/controller_utils.go RealPodControl (CreatePods, DeletePod, OnWrite),
// replica_set_utils.go updateReplicaSetStatus.
//
// None PUTs a cached copy: creates are POSTs; deletes carry a UID precondition (upstream deletes by
// name; pods with generated names are never replaced under one, so the guard changes nothing but
// keeps a same-named stranger safe); status is a merge patch of the fields we own, and conditions,
// a list a merge patch replaces whole, are written conditionally on the resourceVersion they were
// computed from (updateConditions).
import type { WorkloadCondition } from '../../api/meta.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import { myReplicaSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { PodWrites } from '../shared/pod-control.ts';
import { reportedPodWrites } from '../shared/pod-control.ts';
import { reportedStatusWrites } from '../shared/status-writer.ts';
import type { WriteObserver } from '../shared/write-observer.ts';
import type { ReplicaSetStatusFields } from './status.ts';

export interface ReplicaSetObjectManager extends PodWrites {
  /** Merge patch of these status fields; every other status field (conditions above all) is kept. */
  patchStatus(rs: MyReplicaSet, status: ReplicaSetStatusFields): Promise<void>;
  /** status.conditions as `update` computes them from the current ones (updateConditions). */
  writeConditions(
    rs: MyReplicaSet,
    update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined,
  ): Promise<void>;
}

/** The resources whose writes are reported, by their plural (the consistency store's keys). */
export type WrittenResource = 'pods' | 'myreplicasets';

export function realObjectManager(client: KubeClient, wrote: WriteObserver<WrittenResource>, signal: AbortSignal): ReplicaSetObjectManager {
  return {
    // Deletes are not reported: delete expectations (keyed by pod) already hold the next
    // manageReplicas until the cache shows each deletion, as upstream's OnWrite (creates only).
    ...reportedPodWrites(client, (resourceVersion) => wrote('pods', resourceVersion), signal, { reportDeletes: false }),
    ...reportedStatusWrites(client, myReplicaSets, (resourceVersion) => wrote('myreplicasets', resourceVersion), signal),
  };
}
