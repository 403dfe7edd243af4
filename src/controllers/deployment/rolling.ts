// The RollingUpdate rollout: grow the new RS as far as maxSurge allows, shrink the old ones as far
// as maxUnavailable allows, one direction per pass. upstream: pkg/controller/deployment/rolling.go.
import type { MyReplicaSet } from '../../api/workloads.ts';
import { isPodActive, isPodAvailable } from '../shared/pod-state.ts';
import { replicasOf } from './fenceposts.ts';
import type { Pass } from './pass.ts';
import { activeReplicaSets, desiredReplicas } from './pass.ts';
import { deploymentComplete } from './progress.ts';
import { byCreation, findOldReplicaSets } from './replica-sets.ts';
import { syncRolloutStatus } from './rollout-status.ts';
import { cleanupDeployment, getOrCreateNewReplicaSet, newReplicaSetSize, scaleReplicaSet } from './sync.ts';

/**
 * rolling.go rolloutRolling: create the new RS if missing; if the new RS grew or shrank, write
 * status and stop; else if old RSes shrank, the same; else, once the stored status says the
 * rollout is complete, clean up history; write status.
 */
export function rolloutRolling(pass: Pass, existing: MyReplicaSet | undefined): void {
  const olds = findOldReplicaSets(pass.d, pass.snapshot.replicaSets, existing).all;
  const result = getOrCreateNewReplicaSet(pass, existing);
  if (result.kind === 'ended' || result.rs === undefined) return;
  const newRS = result.rs;
  const all = [...olds, newRS];

  const grown = reconcileNewReplicaSet(pass, all, newRS);
  if (grown === 'ended') return;
  if (grown === 'scaled' || reconcileOldReplicaSets(pass, all, activeReplicaSets(olds), newRS)) {
    syncRolloutStatus(pass, all, newRS);
    return;
  }
  if (deploymentComplete(pass.d, pass.d.status ?? {})) cleanupDeployment(pass, olds);
  syncRolloutStatus(pass, all, newRS);
}

/**
 * rolling.go reconcileNewReplicaSet: down to spec.replicas if above it, else up as far as
 * NewRSNewReplicas allows. `ended`: that failed (the pass ends in an error).
 */
function reconcileNewReplicaSet(pass: Pass, all: readonly MyReplicaSet[], newRS: MyReplicaSet): 'scaled' | 'unchanged' | 'ended' {
  const replicas = desiredReplicas(pass);
  const current = replicasOf(newRS);
  if (current === replicas) return 'unchanged';
  if (current > replicas) return scaleReplicaSet(pass, newRS, replicas, false).scaled ? 'scaled' : 'unchanged';
  const size = newReplicaSetSize(pass, all, newRS);
  if (typeof size === 'string') {
    pass.actions.push({ kind: 'syncError', message: size });
    return 'ended';
  }
  return scaleReplicaSet(pass, newRS, size, false).scaled ? 'scaled' : 'unchanged';
}

/**
 * rolling.go reconcileOldReplicaSets: how many old replicas may go without dropping below
 * `spec.replicas − maxUnavailable` (counting the new RS's unavailable ones as gone already); first
 * the unhealthy ones, then available ones while more are available than needed. Its writes swallow
 * their errors (ScaleReplicaSetAction.swallowError), as upstream reports a failure here as "did not
 * scale".
 */
function reconcileOldReplicaSets(pass: Pass, all: readonly MyReplicaSet[], activeOlds: readonly MyReplicaSet[], newRS: MyReplicaSet): boolean {
  if (sum(activeOlds, replicasOf) === 0) return false;
  const minAvailable = desiredReplicas(pass) - pass.fenceposts.maxUnavailable;
  const newRSUnavailable = replicasOf(newRS) - availableOf(pass, newRS);
  const maxScaledDown = sum(all, replicasOf) - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;

  const cleaned = cleanupUnhealthyReplicas(pass, activeOlds, maxScaledDown);
  if (cleaned === undefined) return false;
  const scaledDown = scaleDownOldReplicaSetsForRollingUpdate(pass, [...cleaned.olds, newRS], cleaned.olds);
  return cleaned.scaledDown + scaledDown > 0;
}

/**
 * rolling.go cleanupUnhealthyReplicas: oldest first, drop unavailable replicas of old RSes, up to
 * `maxCleanupCount` in all. undefined: upstream's "invalid request to scale down" error (an RS
 * reporting more available replicas than it has, e.g. a stale status after a scale-down), which
 * ends the step with what was planned before it.
 */
function cleanupUnhealthyReplicas(
  pass: Pass,
  olds: readonly MyReplicaSet[],
  maxCleanupCount: number,
): { readonly olds: readonly MyReplicaSet[]; readonly scaledDown: number } | undefined {
  const sorted = [...olds].sort(byCreation);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanupCount) break;
    const size = replicasOf(rs);
    const available = availableOf(pass, rs);
    if (size === 0 || size === available) continue;
    const count = Math.min(maxCleanupCount - total, size - available);
    if (count < 0) return undefined;
    sorted[i] = scaleReplicaSet(pass, rs, size - count, false, true).rs;
    total += count;
  }
  return { olds: sorted, scaledDown: total };
}

/**
 * rolling.go scaleDownOldReplicaSetsForRollingUpdate: while more replicas are available (in the
 * active old RSes and the new one, statuses as cached) than `spec.replicas − maxUnavailable`,
 * take the difference from the old RSes, oldest first.
 */
function scaleDownOldReplicaSetsForRollingUpdate(pass: Pass, all: readonly MyReplicaSet[], olds: readonly MyReplicaSet[]): number {
  const minAvailable = desiredReplicas(pass) - pass.fenceposts.maxUnavailable;
  const available = sum(all, (rs) => availableOf(pass, rs));
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...olds].sort(byCreation)) {
    if (total >= toScaleDown) break;
    const size = replicasOf(rs);
    if (size === 0) continue;
    const count = Math.min(size, toScaleDown - total);
    scaleReplicaSet(pass, rs, size - count, false, true);
    total += count;
  }
  return total;
}

/**
 * The replicas of `rs` available for scaling decisions: its status's availableReplicas (upstream
 * GetAvailableReplicaCountForReplicaSets), capped by the available pods the pod cache holds for it
 * when the snapshot has them. A status can be stale on the high side: written by a process killed
 * before its next sync, or by another writer; the pod cache is shared with the MyReplicaSet
 * controller that writes those statuses, so it is never older than them. Taking the lower of the
 * two keeps maxUnavailable through restarts (test/e2e/serial/chaos.e2e.ts) and is never less
 * cautious than upstream.
 */
function availableOf(pass: Pass, rs: MyReplicaSet): number {
  const reported = unobservedShrink(rs) ?? rs.status?.availableReplicas ?? 0;
  const pods = pass.snapshot.podsByReplicaSet.get(rs.metadata.uid ?? '');
  if (pods === undefined) return reported;
  const minReady = rs.spec.minReadySeconds ?? 0;
  const seen = pods.filter((pod) => isPodActive(pod) && isPodAvailable(pod, minReady, pass.now)).length;
  return Math.min(reported, seen);
}

/**
 * A set scaled down whose status has not yet observed that (observedGeneration below generation):
 * the pods beyond spec.replicas are about to be deleted, while its status and, for a moment, the
 * pod cache still count them. Its availability is then at most spec.replicas; undefined otherwise.
 * Without this cap a pass in that window (the MyReplicaSet controller deleting, or killed before
 * writing its status) takes the same replicas away twice.
 */
function unobservedShrink(rs: MyReplicaSet): number | undefined {
  const observed = rs.status?.observedGeneration ?? 0;
  if (observed >= (rs.metadata.generation ?? 0)) return undefined;
  return Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs));
}

function sum(rss: readonly MyReplicaSet[], count: (rs: MyReplicaSet) => number): number {
  return rss.reduce((total, rs) => total + count(rs), 0);
}
