// Proportional scaling: when a RollingUpdate Deployment is resized while several ReplicaSets are
// active, the difference is spread over them in proportion to their sizes, so a scale during a
// rollout keeps the old/new ratio instead of feeding one side. Pure.
// upstream: pkg/controller/deployment/sync.go scale (the RollingUpdate branch);
// util/deployment_util.go GetReplicaSetProportion, getReplicaSetFraction;
// controller_utils.go ReplicaSetsBySizeNewer, ReplicaSetsBySizeOlder.
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { maxReplicasOf } from './annotations.ts';
import { replicasOf } from './fenceposts.ts';
import { byCreation, isActive } from './replica-sets.ts';

/** Go's math.Round: halves away from zero (integer.RoundToInt32). */
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * upstream getReplicaSetFraction: how many replicas this RS gains (or loses, negative) if it keeps
 * its share of the Deployment's maximum. The share is measured against the RS's own max-replicas
 * annotation (replicas + surge when it was last sized), not the live total; a missing, invalid or 0
 * annotation falls back to status.replicas, and without that the fraction is 0. Scaling to 0
 * replicas removes the whole RS.
 */
function replicaSetFraction(rs: MyReplicaSet, d: MyDeployment, maxSurge: number): number {
  const size = replicasOf(rs);
  const replicas = replicasOf(d);
  if (replicas === 0) return -size;
  const annotated = maxReplicasOf(rs);
  const before = annotated !== undefined && annotated !== 0 ? annotated : (d.status?.replicas ?? 0);
  if (before === 0) return 0;
  return roundHalfAwayFromZero((size * (replicas + maxSurge)) / before) - size;
}

/**
 * upstream GetReplicaSetProportion: the fraction, bounded by what is left to add (`toAdd − added`):
 * min when adding, max when removing, so the total never overshoots. 0 for an empty RS or once
 * everything is distributed.
 */
function replicaSetProportion(rs: MyReplicaSet, d: MyDeployment, maxSurge: number, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d, maxSurge);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** ReplicaSetsBySizeNewer / ReplicaSetsBySizeOlder: larger first; ties newer first (`newerFirst`) or older first. */
function bySize(newerFirst: boolean): (a: MyReplicaSet, b: MyReplicaSet) => number {
  return (a, b) => {
    const diff = replicasOf(b) - replicasOf(a);
    if (diff !== 0) return diff;
    return newerFirst ? byCreation(b, a) : byCreation(a, b);
  };
}

/**
 * The spec.replicas each active RS gets when the Deployment is scaled proportionally (sync.go scale,
 * case (c) of deployment.md §2.9), by RS name; every active RS of `active` (the new one included)
 * is in the map, unchanged ones too, because upstream writes all of them (force) so their
 * annotations catch up. allowed = replicas + maxSurge (0 when replicas is 0); toAdd = allowed − Σ
 * sizes. Adding: larger first, ties newer first; removing: larger first, ties older first. Whatever
 * the rounding leaves over goes to the first RS in that order, which never drops below 0.
 */
export function proportionalSizes(d: MyDeployment, active: readonly MyReplicaSet[], maxSurge: number): ReadonlyMap<string, number> {
  const replicas = replicasOf(d);
  const sets = active.filter(isActive);
  const allowed = replicas > 0 ? replicas + maxSurge : 0;
  const toAdd = allowed - sets.reduce((sum, rs) => sum + replicasOf(rs), 0);
  if (toAdd !== 0) sets.sort(bySize(toAdd > 0));
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sets) {
    const proportion = replicaSetProportion(rs, d, maxSurge, toAdd, added);
    sizes.set(rs.metadata.name ?? '', replicasOf(rs) + proportion);
    added += proportion;
  }
  const first = sets[0];
  if (first !== undefined && toAdd !== 0) {
    const name = first.metadata.name ?? '';
    sizes.set(name, Math.max(0, (sizes.get(name) ?? 0) + toAdd - added));
  }
  return sizes;
}
