// Turns "nodes needing a pod" and "pods to delete" into createPod / deletePod actions, capped per
// sync. Pure; slow-start batching, expectations and the calls are the executor's.
// upstream: daemon_controller.go syncNodes.
import type { Pod } from '../../api/core.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { DaemonSetAction, DeletePodReason } from './actions.ts';
import { newDaemonPod } from './pod-template.ts';

/** At most this many creates and, separately, deletes per sync (upstream BurstReplicas). */
export const burstReplicas = 250;

export interface PodToDelete {
  readonly pod: Pod;
  readonly reason: DeletePodReason;
}

/**
 * Creates first (in the given node order), then deletes, each list cut at burstReplicas; the rest
 * waits for a later sync.
 */
export function syncNodes(
  ds: MyDaemonSet,
  podsToDelete: readonly PodToDelete[],
  nodesNeedingDaemonPods: readonly string[],
  hash: string,
): readonly DaemonSetAction[] {
  const creates = nodesNeedingDaemonPods
    .slice(0, burstReplicas)
    .map((nodeName): DaemonSetAction => ({ kind: 'createPod', nodeName, pod: newDaemonPod(ds, nodeName, hash) }));
  const deletes = podsToDelete
    .slice(0, burstReplicas)
    .map(({ pod, reason }): DaemonSetAction => ({ kind: 'deletePod', pod, reason }));
  return [...creates, ...deletes];
}
