// How many pods a MyReplicaSet creates or deletes in one sync, and which. Pure.
// upstream: replica_set.go manageReplicas (the decisions; the calls are execute.ts's).
import type { Pod } from '../../api/core.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import type { ReplicaSetAction } from './actions.ts';
import { newReplicaSetPod } from './pod-template.ts';
import { getPodsToDelete } from './pods-to-delete.ts';
import { burstReplicas, specReplicas } from './spec-defaults.ts';

/**
 * Too few active pods: createPod actions for the difference; too many: deletePod actions for the
 * pods getPodsToDelete ranks first. Either way at most burstReplicas, and never both.
 */
export function manageReplicas(
  rs: MyReplicaSet,
  activePods: readonly Pod[],
  relatedPods: readonly Pod[],
  now: number,
): ReplicaSetAction[] {
  const diff = activePods.length - specReplicas(rs);
  if (diff < 0) {
    const pod = newReplicaSetPod(rs);
    return Array.from({ length: Math.min(-diff, burstReplicas) }, () => ({ kind: 'createPod', pod }));
  }
  if (diff > 0) {
    return getPodsToDelete(activePods, relatedPods, Math.min(diff, burstReplicas), now).map((pod) => ({ kind: 'deletePod', pod }));
  }
  return [];
}
