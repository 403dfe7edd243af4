// Rollout control in a MyDaemonSet's status (docs/rollout-control.md): the Progressing condition,
// status.stableRevision, and when an automatic rollback starts, holds or ends. Pure; the shared
// state machine is shared/rollout-control.ts, this file only says what a DaemonSet observes.
// upstream (the semantics): pkg/controller/deployment/progress.go syncRolloutStatus.
import type { ControllerRevision } from '../../api/core.ts';
import type { AutomaticRollback, MyDaemonSet } from '../../api/workloads.ts';
import type { RolloutCounts, RolloutObservation } from '../shared/rollout-control.ts';
import { activeRollback, controllerRevisionRef, countsProgressed, rolledBackCondition, staleRollback, startRollback } from '../shared/rollout-control.ts';
import type { RolloutConditionsUpdate } from './rollout-conditions.ts';
import { nextRolloutConditions } from './rollout-conditions.ts';
import type { DaemonSetStatusCounts } from './status.ts';

/** The rollout-control fields of the status merge patch; absent: unchanged. */
export interface RolloutStatusFields {
  readonly stableRevision?: string;
  /** The rollback that starts now, or null to clear one recorded for an older generation. */
  readonly rollback?: AutomaticRollback | null;
}

export interface RolloutStatusInput {
  /** The MyDaemonSet as planned: while an automatic rollback is in force, with its template. */
  readonly ds: MyDaemonSet;
  readonly counts: DaemonSetStatusCounts;
  /** rolloutComplete for the current revision (update-scope.ts). */
  readonly complete: boolean;
  /** The current revision once the history actions are done (renumbered if they renumber it). */
  readonly current: ControllerRevision;
  /** The revisions the MyDaemonSet owns: where status.stableRevision's number is read. */
  readonly revisions: readonly ControllerRevision[];
  readonly now: number;
}

export interface RolloutStatusPlan {
  readonly fields: RolloutStatusFields;
  /** The conditions to write; undefined when they say the same already. */
  readonly conditions: RolloutConditionsUpdate | undefined;
  /** Look again then: when the progress deadline of a moving rollout expires. */
  readonly requeueAfterMs: number | undefined;
}

function statusCounts(ds: MyDaemonSet): RolloutCounts {
  const status = ds.status ?? {};
  return {
    total: status.currentNumberScheduled ?? 0,
    updated: status.updatedNumberScheduled ?? 0,
    ready: status.numberReady ?? 0,
    available: status.numberAvailable ?? 0,
  };
}

function rolloutCounts(counts: DaemonSetStatusCounts): RolloutCounts {
  return {
    total: counts.currentNumberScheduled,
    updated: counts.updatedNumberScheduled,
    ready: counts.numberReady,
    available: counts.numberAvailable,
  };
}

/**
 * Every node that should run the pod holds an available pod of the current revision and no other:
 * what status.stableRevision records. A partition or selector holding nodes back is not done.
 */
export function rolloutFullyDone(ds: MyDaemonSet, counts: DaemonSetStatusCounts): boolean {
  return (
    ds.spec.paused !== true &&
    counts.updatedNumberScheduled === counts.desiredNumberScheduled &&
    counts.numberAvailable === counts.desiredNumberScheduled &&
    counts.numberMisscheduled === 0
  );
}


/**
 * One observing sync's rollout status (only syncs that acted on the spec observe):
 *  - Progressing from updateProgressing, observing paused, the deadline, `complete`, and progress:
 *    the counts moved (countsProgressed, status before vs after) or a new generation is observed;
 *  - a rollback starts when this sync turns Progressing to ProgressDeadlineExceeded, with
 *    spec.autoRollback and a stable revision other than the current one (startRollback): the
 *    patch records it and the conditions get RolledBack; while one is in force, RolledBack stays;
 *    one recorded for an older generation is cleared (null) and RolledBack removed;
 *  - stableRevision becomes the current revision once it is fully rolled out, not paused.
 */
export function rolloutStatus(input: RolloutStatusInput): RolloutStatusPlan {
  const { ds, counts, current, now } = input;
  const status = ds.status ?? {};
  const generation = ds.metadata.generation ?? 0;
  const currentName = current.metadata.name ?? '';
  const deadlineSeconds = ds.spec.progressDeadlineSeconds;
  const observation: RolloutObservation = {
    paused: ds.spec.paused === true,
    deadlineSeconds,
    complete: input.complete,
    progressed: countsProgressed(statusCounts(ds), rolloutCounts(counts)) || (status.observedGeneration ?? 0) < generation,
    subject: `MyDaemonSet "${ds.metadata.name ?? ''}"`,
    revision: currentName,
  };
  const probe = nextRolloutConditions(status.conditions, { observation, rolledBack: undefined, now });
  const start = startRollback({
    obj: ds,
    autoRollback: ds.spec.autoRollback === true,
    deadlineExceeded: probe.progressing.deadlineExceeded,
    deadlineSeconds,
    failed: { name: currentName, number: current.revision },
    stable: controllerRevisionRef(ds.status?.stableRevision, input.revisions),
    now,
  });
  const active = activeRollback(ds);
  const rolledBack = start?.condition ?? (active === undefined ? undefined : rolledBackCondition(active, ds.spec.progressDeadlineSeconds, now));
  const update: RolloutConditionsUpdate = { observation, rolledBack, now };
  const next = nextRolloutConditions(status.conditions, update);

  const fields: { stableRevision?: string; rollback?: AutomaticRollback | null } = {};
  if (start !== undefined) fields.rollback = start.rollback;
  else if (staleRollback(ds)) fields.rollback = null;
  if (rolloutFullyDone(ds, counts) && status.stableRevision !== currentName) fields.stableRevision = currentName;

  return { fields, conditions: next.changed ? update : undefined, requeueAfterMs: next.progressing.requeueAfterMs };
}
