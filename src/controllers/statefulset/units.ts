// upstream runForAll and slowStartBatch (pkg/controller/statefulset/stateful_set_control.go) as
// planning: which units a step plans and in which batches the executor runs them. Pure.
import type { PersistentVolumeClaim } from '../../api/core.ts';
import type { PodOperationPlan, PodUnit } from './actions.ts';
import { slowStartBatch } from './actions.ts';
import type { ClaimsView, PlannedCall } from './pod-control.ts';
import { withClaimUpdates } from './pod-control.ts';

/** How a unit ended: go on, stop the (OrderedReady) step without error, or fail the sync. */
export type UnitOutcome = 'continue' | 'exit' | 'error';

/** One unit as planned: its calls with something to do, and every claim they patch. */
export interface UnitPlan {
  readonly outcome: UnitOutcome;
  readonly operations: readonly PodOperationPlan[];
  readonly claimUpdates: readonly PersistentVolumeClaim[];
}

/** A unit made of `calls`, in order, ending with `outcome`. */
export function unitOf(outcome: UnitOutcome, calls: readonly PlannedCall[] = []): UnitPlan {
  return {
    outcome,
    operations: calls.flatMap(({ operation }) => (operation === undefined ? [] : [operation])),
    claimUpdates: calls.flatMap(({ claimUpdates }) => claimUpdates),
  };
}

export type StepOutcome = 'done' | 'stopped' | 'failed';

/** One step as planned: how it ended, its batches of units, and the claims view it leaves. */
export interface StepPlan {
  readonly outcome: StepOutcome;
  readonly batches: readonly (readonly PodUnit[])[];
  readonly claims: ClaimsView;
}

/**
 * upstream runForAll over `count` positions; each unit sees the claims the units before it patch.
 * OrderedReady: every unit a batch of its own, until one exits or fails. Parallel: slow-start
 * batches, every unit planned (an `exit` does not stop it); a unit known to fail ends the step
 * after its batch, because the executor stops there too.
 */
export function runForAll(
  count: number,
  monotonic: boolean,
  claims: ClaimsView,
  unit: (index: number, claims: ClaimsView) => UnitPlan,
): StepPlan {
  const planned: { readonly batch: number; readonly unit: PodUnit }[] = [];
  let view = claims;
  let stop: { readonly batch: number; readonly outcome: StepOutcome } | undefined;
  for (let index = 0; index < count; index++) {
    const batch = monotonic ? index : slowStartBatch(index);
    if (stop !== undefined && batch > stop.batch) break;
    const result = unit(index, view);
    view = withClaimUpdates(view, result.claimUpdates);
    if (result.operations.length > 0) planned.push({ batch, unit: { index, operations: result.operations } });
    if (stop === undefined && (result.outcome === 'error' || (monotonic && result.outcome === 'exit'))) {
      stop = { batch, outcome: result.outcome === 'error' ? 'failed' : 'stopped' };
    }
  }
  return { outcome: stop?.outcome ?? 'done', batches: batchesOf(planned), claims: view };
}

/** Consecutive units of one batch number together (batch numbers never decrease). */
function batchesOf(planned: readonly { readonly batch: number; readonly unit: PodUnit }[]): PodUnit[][] {
  const batches: PodUnit[][] = [];
  planned.forEach(({ batch, unit }, i) => {
    const last = batches.at(-1);
    if (last !== undefined && planned[i - 1]?.batch === batch) last.push(unit);
    else batches.push([unit]);
  });
  return batches;
}
