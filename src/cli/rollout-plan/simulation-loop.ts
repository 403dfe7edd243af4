// The order of events a simulated rollout follows. A controller's writes trigger its next sync
// within milliseconds (the informer event of its own write), while a new pod takes about a second
// to become Ready; so the simulation syncs again after every sync that wrote anything, and lets
// pods become Ready only once a sync writes nothing. Pure.
import { RolloutPlanError } from './rollout-plan.ts';

export interface Simulation {
  /** One sync of the controller(s), its actions applied to the simulated cluster. True when it wrote anything. */
  sync(): boolean;
  /**
   * Time passes (SimulatedPods.settle): pods become Ready and available. False when there is
   * nothing left to wait for.
   */
  settle(): boolean;
}

/**
 * Bounds on a rollout that never settles: syncs in a row that all write (a controller fighting
 * itself), and times pods are let become Ready (a rollout that keeps replacing pods). A rollout
 * settles once per step, each step taking a few syncs, so the bounds allow 10 000 steps.
 */
export const maxSyncsInARow = 10_000;
export const maxSettles = 10_000;

/** Syncs until a sync writes nothing and there is nothing left to wait for. */
export function runToCompletion(simulation: Simulation, bounds = { syncsInARow: maxSyncsInARow, settles: maxSettles }): void {
  let syncs = 0;
  let settles = 0;
  for (;;) {
    if (simulation.sync()) {
      if (++syncs >= bounds.syncsInARow) throw new RolloutPlanError(`the simulated rollout did not converge: ${syncs} syncs in a row wrote something`);
      continue;
    }
    syncs = 0;
    if (!simulation.settle()) return;
    if (++settles >= bounds.settles) throw new RolloutPlanError(`the simulated rollout did not converge after ${settles} rounds of pods becoming Ready`);
  }
}

/**
 * Applies every action of one sync in order — all of them, as the executor makes every write of a
 * sync — and says whether any was a write (`apply`'s answer).
 */
export function applyAll<A>(actions: readonly A[], apply: (action: A) => boolean): boolean {
  let wrote = false;
  for (const action of actions) if (apply(action)) wrote = true;
  return wrote;
}

/** A sync the controller would fail (a `syncError` action): the rollout cannot be predicted past it. */
export function syncFailure(kind: string, message: string): RolloutPlanError {
  return new RolloutPlanError(`the ${kind} controller's sync would fail: ${message}`);
}
