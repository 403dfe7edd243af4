// Steps 1–3 of a sync, one unit each: bring a replica into existence and health, fix the claims of
// a condemned pod, delete a condemned pod. Pure. upstream: pkg/controller/statefulset/stateful_set_control.go
// (processReplica, processCondemned, updateStatefulSet).
import type { Pod } from '../../api/core.ts';
import { abandonedRevisionEvent } from './abandoned-revision.ts';
import type { ClaimsView, PlannedCall, SyncContext } from './pod-control.ts';
import {
  claimsMatchRetentionPolicy,
  createMissingPersistentVolumeClaims,
  createStatefulPod,
  deleteStatefulPod,
  podClaimIsStale,
  updatePodClaimsForRetentionPolicy,
  updateStatefulPod,
  withClaimUpdates,
} from './pod-control.ts';
import {
  isCreated,
  isFailed,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
} from './replica-state.ts';
import type { UnitPlan } from './units.ts';
import { unitOf } from './units.ts';

/**
 * upstream processReplica, for the replica at `index` (an existing pod, or the one planned for a
 * missing ordinal, which has no phase). `abandoned`: the indices abandonedReplicasToDelete chose.
 */
export function processReplica(ctx: SyncContext, claims: ClaimsView, replica: Pod, index: number, abandoned: ReadonlySet<number>): UnitPlan {
  // Succeeded counts as finished too: an evicted or node-rebooted pod's phase comes from its exit code.
  if (isFailed(replica) || isSucceeded(replica)) {
    return unitOf('exit', isTerminating(replica) ? [] : [deleteStatefulPod(replica, 'terminal')]);
  }
  const calls: PlannedCall[] = [];
  if (!isCreated(replica)) {
    // A claim still owned by an earlier pod of this name (whenScaled: Delete) waits for the GC.
    if (podClaimIsStale(ctx, claims, replica)) return unitOf('exit');
    const created = createStatefulPod(ctx, claims, replica);
    calls.push(created);
    if (created.outcome === 'error') return unitOf('error', calls);
    if (ctx.monotonic) return unitOf('exit', calls);
  }
  if (abandoned.has(index)) {
    // Ours, kubernetes#67250 (abandoned-revision.ts): replaced instead of waited for.
    calls.push(deleteStatefulPod(replica, 'abandonedRevision', abandonedRevisionEvent(ctx, replica)));
    return unitOf('exit', calls);
  }
  if (isPending(replica)) {
    const missing = createMissingPersistentVolumeClaims(ctx, claims, replica);
    calls.push(missing);
    if (missing.outcome === 'error') return unitOf('error', calls);
  }
  if (ctx.monotonic) {
    // Every predecessor must be Running, Ready and available before the next pod is touched.
    if (isTerminating(replica) || !isRunningAndReady(replica)) return unitOf('exit', calls);
    if (!isRunningAndAvailable(replica, ctx.minReadySeconds, ctx.now)) return unitOf('exit', calls);
  }
  // The repair sees the owner references the calls above patch.
  const repair = updateStatefulPod(ctx, withClaimUpdates(claims, unitOf('continue', calls).claimUpdates), replica);
  return unitOf(repair.outcome, [...calls, repair]);
}

/** Step 2: upstream's fixPodClaim closure, before any condemned pod is deleted. */
export function fixCondemnedClaims(ctx: SyncContext, claims: ClaimsView, pod: Pod): UnitPlan {
  if (claimsMatchRetentionPolicy(ctx, claims, pod)) return unitOf('continue');
  return unitOf('continue', [updatePodClaimsForRetentionPolicy(ctx, claims, pod)]);
}

/**
 * Step 3, upstream processCondemned (condemned pods arrive highest ordinal first). OrderedReady
 * waits for a terminating pod, and for an unhealthy one unless it is the first unhealthy pod (the
 * lowest-index unavailable replica, else the lowest-ordinal unavailable condemned pod), then deletes
 * one and stops. Parallel deletes every non-terminating one without looking at health.
 */
export function processCondemned(ctx: SyncContext, pod: Pod, firstUnhealthyPod: Pod | undefined): UnitPlan {
  if (isTerminating(pod)) return unitOf(ctx.monotonic ? 'exit' : 'continue');
  if (ctx.monotonic && pod !== firstUnhealthyPod) {
    if (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, ctx.minReadySeconds, ctx.now)) return unitOf('exit');
  }
  return unitOf('exit', [deleteStatefulPod(pod, 'scaleDown')]);
}
