// Steps 1–3 of a sync: bring every replica into existence and health, fix the claims of condemned
// pods, then delete condemned pods. Pure. upstream: pkg/controller/statefulset/stateful_set_control.go
// (processReplica, processCondemned, runForAll, slowStartBatch, updateStatefulSet).
import type { Pod } from '../../api/core.ts';
import { slowStartBatch } from './actions.ts';
import { abandonedRevisionEvent } from './abandoned-revision.ts';
import type { SyncContext, UnitOutcome } from './pod-control.ts';
import {
  claimsMatchRetentionPolicy,
  createMissingPersistentVolumeClaims,
  createStatefulPod,
  deleteStatefulPod,
  podClaimIsStale,
  podWork,
  updatePodClaimsForRetentionPolicy,
  updateStatefulPod,
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

export type StepOutcome = 'done' | 'stopped' | 'failed';

/**
 * upstream runForAll. OrderedReady: units in order until one exits or fails. Parallel: every unit
 * (the executor runs them in slow-start batches); a unit known to fail ends the step after its
 * batch, because the executor stops there too. An `exit` does not stop Parallel.
 */
export function runForAll(count: number, monotonic: boolean, unit: (index: number) => UnitOutcome): StepOutcome {
  if (monotonic) {
    for (let i = 0; i < count; i++) {
      const outcome = unit(i);
      if (outcome !== 'continue') return outcome === 'error' ? 'failed' : 'stopped';
    }
    return 'done';
  }
  let failedBatch: number | undefined;
  for (let i = 0; i < count; i++) {
    if (failedBatch !== undefined && slowStartBatch(i) > failedBatch) break;
    if (unit(i) === 'error') failedBatch ??= slowStartBatch(i);
  }
  return failedBatch === undefined ? 'done' : 'failed';
}

/**
 * upstream processReplica, for the replica at `index` (an existing pod, or the one planned for a
 * missing ordinal, which has no phase). `abandoned`: the indices abandonedReplicasToDelete chose.
 */
export function processReplica(ctx: SyncContext, replica: Pod, index: number, abandoned: ReadonlySet<number>): UnitOutcome {
  // Succeeded counts as finished too: an evicted or node-rebooted pod's phase comes from its exit code.
  if (isFailed(replica) || isSucceeded(replica)) {
    if (!isTerminating(replica)) deleteStatefulPod(ctx, replica, podWork('replicas', index, 'delete', replica), 'terminal');
    return 'exit';
  }
  if (!isCreated(replica)) {
    // A claim still owned by an earlier pod of this name (whenScaled: Delete) waits for the GC.
    if (podClaimIsStale(ctx, replica)) return 'exit';
    if (createStatefulPod(ctx, replica, podWork('replicas', index, 'create', replica)) === 'error') return 'error';
    if (ctx.monotonic) return 'exit';
  }
  if (abandoned.has(index)) {
    // Ours, kubernetes#67250 (abandoned-revision.ts): replaced instead of waited for.
    const work = podWork('replicas', index, 'delete', replica);
    ctx.actions.push(abandonedRevisionEvent(ctx, replica, work));
    deleteStatefulPod(ctx, replica, work, 'abandonedRevision');
    return 'exit';
  }
  if (isPending(replica)) {
    const work = podWork('replicas', index, 'createMissingClaims', replica);
    if (createMissingPersistentVolumeClaims(ctx, replica, work) === 'error') return 'error';
  }
  if (ctx.monotonic) {
    // Every predecessor must be Running, Ready and available before the next pod is touched.
    if (isTerminating(replica) || !isRunningAndReady(replica)) return 'exit';
    if (!isRunningAndAvailable(replica, ctx.minReadySeconds, ctx.now)) return 'exit';
  }
  return updateStatefulPod(ctx, replica, podWork('replicas', index, 'update', replica));
}

/** Step 2: upstream's fixPodClaim closure, before any condemned pod is deleted. */
export function fixCondemnedClaims(ctx: SyncContext, pod: Pod, index: number): UnitOutcome {
  if (!claimsMatchRetentionPolicy(ctx, pod)) {
    updatePodClaimsForRetentionPolicy(ctx, pod, podWork('condemnedClaims', index, 'updateClaims', pod));
  }
  return 'continue';
}

/**
 * Step 3, upstream processCondemned (condemned pods arrive highest ordinal first). OrderedReady
 * waits for a terminating pod, and for an unhealthy one unless it is the first unhealthy pod (the
 * lowest-index unavailable replica, else the lowest-ordinal unavailable condemned pod), then deletes
 * one and stops. Parallel deletes every non-terminating one without looking at health.
 */
export function processCondemned(ctx: SyncContext, pod: Pod, index: number, firstUnhealthyPod: Pod | undefined): UnitOutcome {
  if (isTerminating(pod)) return ctx.monotonic ? 'exit' : 'continue';
  if (ctx.monotonic && pod !== firstUnhealthyPod) {
    if (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, ctx.minReadySeconds, ctx.now)) return 'exit';
  }
  deleteStatefulPod(ctx, pod, podWork('condemned', index, 'delete', pod), 'scaleDown');
  return 'exit';
}
