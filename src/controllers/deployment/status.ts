// The Deployment status every sync writes: counters summed over the ReplicaSets, the Available
// condition, and what carries over from the stored status (our rollout-control fields among it).
// Pure; `now` is epoch ms.
// upstream: pkg/controller/deployment/sync.go calculateStatus; util/deployment_util.go
// GetActualReplicaCountForReplicaSets, GetReadyReplicaCountForReplicaSets,
// GetAvailableReplicaCountForReplicaSets, GetTerminatingReplicaCountForReplicaSets.
import { selectorToString } from '../../api/selector.ts';
import type { MyDeployment, MyDeploymentStatus, MyReplicaSet } from '../../api/workloads.ts';
import { activeRollback } from '../shared/rollout-control.ts';
import { availableType, minimumReplicasAvailable, minimumReplicasUnavailable, newCondition, rolledBackType, setCondition } from './conditions.ts';
import type { Fenceposts } from './fenceposts.ts';
import { replicasOf } from './fenceposts.ts';

function sum(rss: readonly MyReplicaSet[], count: (rs: MyReplicaSet) => number | undefined): number {
  return rss.reduce((total, rs) => total + (count(rs) ?? 0), 0);
}

/**
 * upstream GetTerminatingReplicaCountForReplicaSets (gate DeploymentReplicaSetTerminatingReplicas,
 * on in 1.36): the sum, where an RS never synced (observedGeneration 0) without a count adds
 * nothing, and any synced RS without one makes the total unknown (undefined).
 */
export function terminatingReplicasOf(rss: readonly MyReplicaSet[]): number | undefined {
  let total = 0;
  for (const rs of rss) {
    const terminating = rs.status?.terminatingReplicas;
    if (terminating === undefined) {
      if ((rs.status?.observedGeneration ?? 0) === 0) continue;
      return undefined;
    }
    total += terminating;
  }
  return total;
}

/**
 * upstream calculateStatus. `all` is every owned RS, the new one included (`newRS` is also passed
 * to count updatedReplicas). replicas/readyReplicas/availableReplicas sum the RS statuses;
 * unavailableReplicas = Σ RS spec.replicas − available (not the Deployment's replicas), at least 0;
 * observedGeneration = metadata.generation; collisionCount and every stored condition kept; Available
 * True when available ≥ replicas − maxUnavailable (always with 0 replicas), else False; `selector`
 * is spec.selector as a label query, for the scale subresource (ours). Absent values are left out.
 *
 * Ours (docs/rollout-control.md): stableRevision is kept, and the automatic rollback with its
 * RolledBack condition only while it is in force. The status is PUT whole, so leaving them out
 * is what removes a stale rollback (one recorded for an older generation) from the object.
 */
export function calculateStatus(
  d: MyDeployment,
  all: readonly MyReplicaSet[],
  newRS: MyReplicaSet | undefined,
  fenceposts: Fenceposts,
  now: number,
): MyDeploymentStatus {
  const availableReplicas = sum(all, (rs) => rs.status?.availableReplicas);
  const terminatingReplicas = terminatingReplicasOf(all);
  const collisionCount = d.status?.collisionCount;
  const rollback = activeRollback(d);
  const stableRevision = d.status?.stableRevision;
  const conditions = d.status?.conditions?.filter((c) => rollback !== undefined || c.type !== rolledBackType);
  const generation = d.metadata.generation;
  const counted: MyDeploymentStatus = {
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    replicas: sum(all, (rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas),
    availableReplicas,
    unavailableReplicas: Math.max(0, sum(all, replicasOf) - availableReplicas),
    ...(terminatingReplicas === undefined ? {} : { terminatingReplicas }),
    ...(conditions === undefined || conditions.length === 0 ? {} : { conditions: [...conditions] }),
    ...(collisionCount === undefined ? {} : { collisionCount }),
    selector: selectorToString(d.spec.selector),
    ...(stableRevision === undefined ? {} : { stableRevision }),
    ...(rollback === undefined ? {} : { rollback }),
  };
  const available = availableReplicas >= replicasOf(d) - fenceposts.maxUnavailable;
  const condition = available
    ? newCondition(availableType, 'True', minimumReplicasAvailable, 'Deployment has minimum availability.', now)
    : newCondition(availableType, 'False', minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now);
  return setCondition(counted, condition);
}
