// Step 4 under RollingUpdate: delete outdated pods, highest index first, so processReplica recreates
// them at updateRevision. Pure. upstream: pkg/controller/statefulset/stateful_set_control.go
// (the tail of updateStatefulSet; updateStatefulSetAfterInvariantEstablished),
// stateful_set_utils.go getStatefulSetMaxUnavailable.
import type { Pod } from '../../api/core.ts';
import type { IntOrPercent, MyStatefulSet } from '../../api/workloads.ts';
import type { ScaledValue } from '../shared/int-or-percent.ts';
import { scaledValueFromIntOrPercent } from '../shared/int-or-percent.ts';
import type { PodUnit } from './actions.ts';
import { getPodRevision, specReplicas } from './identity.ts';
import type { SyncContext } from './pod-control.ts';
import { deleteStatefulPod } from './pod-control.ts';
import { isTerminating, isUnavailable } from './replica-state.ts';
import type { EffectiveRollingUpdate } from './strategy.ts';
import { unitOf } from './units.ts';

export type RollingUpdateOutcome =
  /** `deletions`: one unit per outdated pod deleted, in the order they go (highest index first). */
  | { readonly kind: 'done'; readonly deletions: readonly PodUnit[] }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * Chooses the path: maxUnavailable set → the gate-on path, else the legacy one (the gate is off by
 * default in 1.36, which is what an unset field gives here).
 */
export function rollingUpdate(
  ctx: SyncContext,
  replicas: readonly Pod[],
  strategy: EffectiveRollingUpdate | undefined,
  deletedThisSync: ReadonlySet<number>,
): RollingUpdateOutcome {
  const partition = strategy?.partition ?? 0;
  // Replicas step 1 already deletes (ours, kubernetes#67250) are terminating as far as this step
  // is concerned: never deleted twice. They are not Ready, so they already count as unavailable.
  const view = { ctx, replicas, deletedThisSync };
  if (strategy?.maxUnavailable === undefined) return { kind: 'done', deletions: legacyRollingUpdate(view, partition) };
  return rollingUpdateWithMaxUnavailable(view, partition, strategy.maxUnavailable);
}

interface UpdateView {
  readonly ctx: SyncContext;
  readonly replicas: readonly Pod[];
  /** Indices of replicas an earlier step of this sync deletes. */
  readonly deletedThisSync: ReadonlySet<number>;
}

function isOutdated({ ctx, deletedThisSync }: UpdateView, pod: Pod, index: number): boolean {
  return getPodRevision(pod) !== ctx.update.name && !isTerminating(pod) && !deletedThisSync.has(index);
}

function updateDeletion(pod: Pod, index: number): PodUnit {
  return { index, operations: unitOf('continue', [deleteStatefulPod(pod, 'update')]).operations };
}

/**
 * Walk indices from the top down to the partition: delete the first outdated non-terminating pod
 * and stop; an unavailable pod on the way also stops the walk. One pod at a time, so processReplica
 * recreates it (and, under OrderedReady, waits for it) before the next one goes.
 */
function legacyRollingUpdate(view: UpdateView, partition: number): readonly PodUnit[] {
  const { ctx, replicas } = view;
  for (let target = replicas.length - 1; target >= partition; target--) {
    const pod = replicas[target];
    if (pod === undefined) continue;
    if (isOutdated(view, pod, target)) return [updateDeletion(pod, target)];
    if (isUnavailable(pod, ctx.minReadySeconds, ctx.now)) return [];
  }
  return [];
}

/**
 * upstream getStatefulSetMaxUnavailable: maxUnavailable (1 when unset) of spec.replicas, rounded
 * down, at least 1; `invalid` for a string that is not a percentage.
 */
export function getStatefulSetMaxUnavailable(set: MyStatefulSet, maxUnavailable: IntOrPercent | undefined): ScaledValue {
  const scaled = scaledValueFromIntOrPercent(maxUnavailable ?? 1, specReplicas(set), false);
  return scaled.kind === 'invalid' ? scaled : { kind: 'value', value: Math.max(1, scaled.value) };
}

/**
 * maxUnavailable of spec.replicas, rounded down, at least 1. Unavailable pods are counted over all
 * replicas, those below the partition included; with that many or more nothing is deleted, else up
 * to the difference of outdated non-terminating pods at or above the partition, highest index first.
 */
function rollingUpdateWithMaxUnavailable(view: UpdateView, partition: number, maxUnavailableSpec: IntOrPercent): RollingUpdateOutcome {
  const { ctx, replicas } = view;
  const scaled = getStatefulSetMaxUnavailable(ctx.set, maxUnavailableSpec);
  if (scaled.kind === 'invalid') return { kind: 'failed', message: scaled.message };
  const maxUnavailable = scaled.value;
  const unavailable = replicas.filter((pod) => isUnavailable(pod, ctx.minReadySeconds, ctx.now)).length;
  if (unavailable >= maxUnavailable) return { kind: 'done', deletions: [] };
  const budget = maxUnavailable - unavailable;
  const deletions: PodUnit[] = [];
  for (let target = replicas.length - 1; target >= partition && deletions.length < budget; target--) {
    const pod = replicas[target];
    if (pod !== undefined && isOutdated(view, pod, target)) deletions.push(updateDeletion(pod, target));
  }
  return { kind: 'done', deletions };
}
