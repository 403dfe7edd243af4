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

/** The set as its status reads once a merge patch of `fields` went through (rollback null removes it). */
function withStatusWritten(set: MyStatefulSet, fields: StatefulSetStatusFields): MyStatefulSet {
  const { rollback, ...rest } = fields;
  const { rollback: had, ...kept } = set.status ?? {};
  const next = rollback === null ? undefined : (rollback ?? had);
  return { ...set, status: { ...kept, ...rest, ...(next !== undefined ? { rollback: next } : {}) } };
}
