// Which old ReplicaSets history cleanup deletes. Pure; the executor deletes them in order and
// stops at the first error other than NotFound.
// upstream: pkg/controller/deployment/sync.go cleanupDeployment; util/deployment_util.go
// HasRevisionHistoryLimit, ReplicaSetsByRevision.
import { isBeingDeleted } from '../../api/meta.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { replicasOf } from './fenceposts.ts';
import { byRevision } from './replica-sets.ts';

/** math.MaxInt32: revisionHistoryLimit with this value keeps every revision. */
const keepAll = 2147483647;

/** upstream HasRevisionHistoryLimit: revisionHistoryLimit is set and not 2147483647. */
export function hasRevisionHistoryLimit(d: MyDeployment): boolean {
  const limit = d.spec.revisionHistoryLimit;
  return typeof limit === 'number' && limit !== keepAll;
}

/**
 * upstream cleanupDeployment: of the old RSes not being deleted, the `count − limit` lowest
 * revisions (byRevision) are looked at, and those of them that are idle are returned, in that
 * order: spec.replicas 0, status.replicas 0, and their current generation observed. A busy one
 * among them is skipped, not replaced by a younger one. None without a limit.
 */
export function replicaSetsToCleanUp(d: MyDeployment, olds: readonly MyReplicaSet[]): MyReplicaSet[] {
  if (!hasRevisionHistoryLimit(d)) return [];
  const alive = olds.filter((rs) => !isBeingDeleted(rs));
  const diff = alive.length - (d.spec.revisionHistoryLimit ?? keepAll);
  if (diff <= 0) return [];
  return alive
    .sort(byRevision)
    .slice(0, diff)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        replicasOf(rs) === 0 &&
        (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}
