// What the status refresh (runtime/paced-refresh.ts) may write while a MyStatefulSet sync's pod
// work runs: the status a sync planned now would write, when only its counts differ from what the
// running sync's own status write will leave. Pure.
//
// The first sync of a new set writes its revisions, observedGeneration and collisionCount with its
// status at the end, after its pod work — seconds for 500 Parallel creates — so a refresh limited
// to "counts only, against the stored status" never wrote during it, and the pods that turned
// Ready then showed up only at the end (status lag p95 2.7 s in the bench). Compared against the
// status as the sync's own write will leave it, the refresh writes those same fields early with
// fresh counts; the sync's write then confirms them.
import type { MyStatefulSet } from '../../api/workloads.ts';
import type { StatefulSetWriteStatus } from './actions.ts';
import type { StatefulSetSnapshot, StatefulSetStatusFields, StatefulSetSyncAction } from './plan.ts';
import { planSync } from './plan.ts';
import { statusWriteMayWait } from './status.ts';

/**
 * `fresh`: a snapshot from the caches as they are now. `syncActions`: the running sync's plan.
 * Undefined when a revision is still to be created or renumbered, an Event follows the write, the
 * write moves currentReplicas by update deletions (only the sync knows how many went through), or
 * the counts settled (the settled state is written at once, by the sync). A conditions change does
 * not stop it: the conditions are the sync's to write, and the counts go out without them.
 */
export function freshCountsDuringSync(
  fresh: StatefulSetSnapshot,
  syncActions: readonly StatefulSetSyncAction[],
  now: number,
): StatefulSetStatusFields | undefined {
  const actions = planSync(fresh, now);
  if (actions.some((action) => action.kind === 'createRevision' || action.kind === 'updateRevisionNumber')) return undefined;
  const write = actions.find((action) => action.kind === 'writeStatus');
  if (write?.kind !== 'writeStatus' || write.eventsAfterWrite.length > 0 || write.currentReplicasAfterUpdateDeletions.length > 1) return undefined;
  const own = syncActions.find((action) => action.kind === 'writeStatus');
  const afterSync = own?.kind === 'writeStatus' ? withStatusWritten(fresh.set, own.status) : fresh.set;
  return statusWriteMayWait(afterSync, write.status) ? write.status : undefined;
}

/**
 * The status write that ends a sync whose pod work ran with the refresh: `own` (planned from the
 * sync's starting snapshot) or, fresher, the one a sync planned now from the caches would make.
 *
 * Why: the refresh may have written counts seconds newer than `own`'s — a first sync of 500
 * Parallel pods starts with none Ready and ends with a hundred — and `own`, written after them,
 * would move readyReplicas back (49 → 0 in the bench) until the next sync wrote them again. The
 * fresh write stands in only where it says everything `own` does: the same observedGeneration,
 * revisions, collisionCount and rollback, no Event after either write, no currentReplicas moved by
 * update deletions. It may wait only when both may (the settled end state goes at once).
 *
 * Returns `own` unchanged when the fresh plan is not comparable, and 'shown' when the stored status
 * (as the cache holds it) already is what the fresh plan computes, so `own` would only go back.
 */
export function finalStatusWrite(
  fresh: StatefulSetSnapshot,
  own: StatefulSetWriteStatus,
  now: number,
): StatefulSetWriteStatus | 'shown' {
  if (own.eventsAfterWrite.length > 0 || own.currentReplicasAfterUpdateDeletions.length > 1) return own;
  const actions = planSync(fresh, now);
  if (actions.some((action) => action.kind === 'createRevision' || action.kind === 'updateRevisionNumber')) return own;
  const write = actions.find((action) => action.kind === 'writeStatus');
  if (write?.kind !== 'writeStatus') {
    const stored = fresh.set.status;
    const same =
      stored?.observedGeneration === own.status.observedGeneration &&
      stored.currentRevision === own.status.currentRevision &&
      stored.updateRevision === own.status.updateRevision &&
      (stored.collisionCount ?? 0) === own.status.collisionCount &&
      own.status.rollback === undefined;
    return same ? 'shown' : own;
  }
  if (write.eventsAfterWrite.length > 0 || write.currentReplicasAfterUpdateDeletions.length > 1 || !sameIdentity(write.status, own.status)) return own;
  return { ...write, mayWait: own.mayWait === true && write.mayWait === true };
}

/** The fields of a status that are not counts: equal, two writes say the same but for counts. */
function sameIdentity(a: StatefulSetStatusFields, b: StatefulSetStatusFields): boolean {
  return (
    a.observedGeneration === b.observedGeneration &&
    a.currentRevision === b.currentRevision &&
    a.updateRevision === b.updateRevision &&
    a.collisionCount === b.collisionCount &&
    a.selector === b.selector &&
    JSON.stringify(a.rollback) === JSON.stringify(b.rollback)
  );
}

/** The set as its status reads once a merge patch of `fields` went through (rollback null removes it). */
function withStatusWritten(set: MyStatefulSet, fields: StatefulSetStatusFields): MyStatefulSet {
  const { rollback, ...rest } = fields;
  const { rollback: had, ...kept } = set.status ?? {};
  const next = rollback === null ? undefined : (rollback ?? had);
  return { ...set, status: { ...kept, ...rest, ...(next !== undefined ? { rollback: next } : {}) } };
}
