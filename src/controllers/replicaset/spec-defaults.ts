// MyReplicaSet spec fields with apps/v1 defaults applied, and how its pods name it. The CRD schema
// defaults them too; the controller still reads them defensively (objects written before a
// default existed may lack them).
// upstream: pkg/apis/apps/v1/defaults.go SetDefaults_ReplicaSet; replica_set.go BurstReplicas.
import type { MyReplicaSet } from '../../api/workloads.ts';
import { apiVersion, myReplicaSetKind } from '../../api/workloads.ts';
import type { OwnerIdentity } from '../shared/ownership.ts';
import { ownerIdentity } from '../shared/ownership.ts';

/**
 * The most pods one sync creates or deletes (upstream BurstReplicas, the value
 * kube-controller-manager passes): a scale from 0 to 2000 takes four syncs, each waiting for the
 * previous one's pods to show up in the cache.
 */
export const burstReplicas = 500;

/** How pods name their controller. */
export function replicaSetOwner(rs: MyReplicaSet): OwnerIdentity {
  return ownerIdentity(rs, apiVersion, myReplicaSetKind);
}

/** Default 1. */
export function specReplicas(rs: MyReplicaSet): number {
  return rs.spec.replicas ?? 1;
}

/** Default 0. */
export function minReadySeconds(rs: MyReplicaSet): number {
  return rs.spec.minReadySeconds ?? 0;
}
