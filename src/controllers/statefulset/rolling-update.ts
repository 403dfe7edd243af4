// Step 4 under RollingUpdate: delete outdated pods, highest index first, so processReplica recreates
// them at updateRevision. Pure. upstream: pkg/controller/statefulset/stateful_set_control.go
// (the tail of updateStatefulSet; updateStatefulSetAfterInvariantEstablished),
// stateful_set_utils.go getStatefulSetMaxUnavailable.
import type { Pod } from '../../api/core.ts';
import type { IntOrPercent } from '../../api/workloads.ts';
import { scaledValueFromIntOrPercent } from '../shared/int-or-percent.ts';
import { getPodRevision, specReplicas } from './identity.ts';
import type { SyncContext } from './pod-control.ts';
import { deleteStatefulPod, podWork } from './pod-control.ts';
import { isTerminating, isUnavailable } from './replica-state.ts';
import type { EffectiveRollingUpdate } from './strategy.ts';

export type RollingUpdateOutcome =
  | { readonly kind: 'done'; readonly updateDeletions: number }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * Chooses the path: maxUnavailable set → the gate-on path, else the legacy one (the gate is off by
 * default in 1.36, which is what an unset field gives here).
 */
export function rollingUpdate(ctx: SyncContext, replicas: readonly Pod[], strategy: EffectiveRollingUpdate | undefined): RollingUpdateOutcome {
  const partition = strategy?.partition ?? 0;
  if (strategy?.maxUnavailable === undefined) return { kind: 'done', updateDeletions: legacyRollingUpdate(ctx, replicas, partition) };
  return rollingUpdateWithMaxUnavailable(ctx, replicas, partition, strategy.maxUnavailable);
}

function isOutdated(ctx: SyncContext, pod: Pod): boolean {
  return getPodRevision(pod) !== ctx.update.name && !isTerminating(pod);
}

/**
 * Walk indices from the top down to the partition: delete the first outdated non-terminating pod
 * and stop; an unavailable pod on the way also stops the walk. One pod at a time, so processReplica
 * recreates it (and, under OrderedReady, waits for it) before the next one goes.
 */
function legacyRollingUpdate(ctx: SyncContext, replicas: readonly Pod[], partition: number): number {
  for (let target = replicas.length - 1; target >= partition; target--) {
    const pod = replicas[target];
    if (pod === undefined) continue;
    if (isOutdated(ctx, pod)) {
      deleteStatefulPod(ctx, pod, podWork('update', target, 'delete', pod), 'update');
      return 1;
    }
    if (isUnavailable(pod, ctx.minReadySeconds, ctx.now)) return 0;
  }
  return 0;
}

/**
 * maxUnavailable of spec.replicas, rounded down, at least 1. Unavailable pods are counted over all
 * replicas, those below the partition included; with that many or more nothing is deleted, else up
 * to the difference of outdated non-terminating pods at or above the partition, highest index first.
 */
function rollingUpdateWithMaxUnavailable(
  ctx: SyncContext,
  replicas: readonly Pod[],
  partition: number,
  maxUnavailableSpec: IntOrPercent,
): RollingUpdateOutcome {
  const scaled = scaledValueFromIntOrPercent(maxUnavailableSpec, specReplicas(ctx.set), false);
  if (scaled.kind === 'invalid') return { kind: 'failed', message: scaled.message };
  const maxUnavailable = Math.max(1, scaled.value);
  const unavailable = replicas.filter((pod) => isUnavailable(pod, ctx.minReadySeconds, ctx.now)).length;
  if (unavailable >= maxUnavailable) return { kind: 'done', updateDeletions: 0 };
  const budget = maxUnavailable - unavailable;
  let deleted = 0;
  for (let target = replicas.length - 1; target >= partition && deleted < budget; target--) {
    const pod = replicas[target];
    if (pod !== undefined && isOutdated(ctx, pod)) {
      deleteStatefulPod(ctx, pod, podWork('update', target, 'delete', pod), 'update');
      deleted++;
    }
  }
  return { kind: 'done', updateDeletions: deleted };
}
