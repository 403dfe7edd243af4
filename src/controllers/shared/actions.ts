// The part of the action vocabulary every kind shares. A planner returns a list of its kind's
// actions (data, in execution order); each kind's union is these plus its own (a DaemonSet's
// per-node pod creates, a StatefulSet's ordinal units, a ReplicaSet's pods, a Deployment's
// ReplicaSets). The executor of each kind switches on `kind`, exhaustively.

/** Record an Event on the object being synced. */
export interface EventAction {
  readonly kind: 'event';
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** Sync the object again after `afterMs` (several: the earliest wins), if nothing failed. */
export interface RequeueAfterAction<Reason extends string = string> {
  readonly kind: 'requeueAfter';
  readonly afterMs: number;
  readonly reason: Reason;
}

/**
 * The sync ends in an error (a rate-limited retry), as upstream returns one — e.g. an invalid
 * maxUnavailable. What the kind still does after it is its executor's contract.
 */
export interface SyncErrorAction {
  readonly kind: 'syncError';
  readonly message: string;
}

/** Merge-patch exactly these status fields (conditions and fields of other writers are kept). */
export interface WriteStatusAction<Status extends object> {
  readonly kind: 'writeStatus';
  readonly status: Status;
  /**
   * The write only moves counts of an object that has not settled: the executor may put it off
   * and sync again when runtime/write-pacer.ts allows the next write, which then carries the
   * newest counts. Unset for anything a reader waits on (observedGeneration, revisions,
   * conditions, the settled end state): those go at once.
   */
  readonly mayWait?: boolean;
}

/** The earliest of the requested requeues, undefined if none. */
export function earliestRequeue(afterMs: readonly (number | undefined)[]): number | undefined {
  let earliest: number | undefined;
  for (const ms of afterMs) if (ms !== undefined) earliest = earliest === undefined ? ms : Math.min(earliest, ms);
  return earliest;
}
