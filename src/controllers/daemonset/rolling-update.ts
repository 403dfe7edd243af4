// The rolling-update budget: maxSurge and maxUnavailable scaled against the nodes that should run
// the pod, rounding up. Pure.
// upstream: util/daemonset_util.go (SurgeCount, UnavailableCount, AllowsSurge),
// update.go updatedDesiredNodeCounts.
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { ScaledValue } from '../shared/int-or-percent.ts';
import { scaledValueFromIntOrPercent } from '../shared/int-or-percent.ts';
import { rollingUpdateParams } from './spec-defaults.ts';

/** Extra pods allowed beside old ones; 0 for OnDelete. */
export function surgeCount(ds: MyDaemonSet, numberToSchedule: number): ScaledValue {
  const params = rollingUpdateParams(ds);
  if (params === undefined) return { kind: 'value', value: 0 };
  return scaledValueFromIntOrPercent(params.maxSurge, numberToSchedule, true);
}

/** Nodes allowed without an available pod; 0 for OnDelete. */
export function unavailableCount(ds: MyDaemonSet, numberToSchedule: number): ScaledValue {
  const params = rollingUpdateParams(ds);
  if (params === undefined) return { kind: 'value', value: 0 };
  return scaledValueFromIntOrPercent(params.maxUnavailable, numberToSchedule, true);
}

/** Whether a node may hold an old and a new pod at once (maxSurge of one node > 0). */
export function allowsSurge(ds: MyDaemonSet): boolean {
  const surge = surgeCount(ds, 1);
  return surge.kind === 'value' && surge.value > 0;
}

export type RollingUpdateLimits =
  | { readonly kind: 'limits'; readonly maxSurge: number; readonly maxUnavailable: number }
  | { readonly kind: 'invalid'; readonly message: string };

/**
 * upstream: updatedDesiredNodeCounts. When pods are wanted but both limits come out 0 (a config
 * validation should have refused), one unavailable node is allowed so the update can progress.
 */
export function rollingUpdateLimits(ds: MyDaemonSet, desiredNumberScheduled: number): RollingUpdateLimits {
  const unavailable = unavailableCount(ds, desiredNumberScheduled);
  if (unavailable.kind === 'invalid') return { kind: 'invalid', message: `invalid value for MaxUnavailable: ${unavailable.message}` };
  const surge = surgeCount(ds, desiredNumberScheduled);
  if (surge.kind === 'invalid') return { kind: 'invalid', message: `invalid value for MaxSurge: ${surge.message}` };
  const maxUnavailable = desiredNumberScheduled > 0 && unavailable.value === 0 && surge.value === 0 ? 1 : unavailable.value;
  return { kind: 'limits', maxSurge: surge.value, maxUnavailable };
}
