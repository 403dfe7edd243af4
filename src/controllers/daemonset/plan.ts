// The MyDaemonSet planner: one sync's decisions from a snapshot of the cluster. Pure: no client,
// logger, clock or timer; `now` is an argument.
// upstream: pkg/controller/daemon/daemon_controller.go syncDaemonSet, updateDaemonSet.
//
// Order of the returned actions, and what the executor owes each group (actionPhase names them):
//  1. history — labelRevision, createRevision, relabelPod, deleteRevision 'duplicate',
//     updateRevisionNumber: one at a time, in order. A failure ends the sync with that error and
//     nothing else, not even the status write. createRevision's AlreadyExists: see actions.ts.
//  2. podBookkeeping — event, recordFailedBackoff (handed to the reconciler, which keeps the
//     entries), requeueAfter 'failedPodBackoff': apply as listed.
//  3. podChanges — createPod (≤ 250), then deletePod (≤ 250); from manage, or, when manage changed
//     nothing, from the rolling update (never both in one plan). Raise the expectations by the
//     number of creates and deletes BEFORE the first call. Creates go in slow-start batches 1, 2,
//     4, … and stop after the first batch with a failure (lower the create expectation by the
//     creates never tried); deletes go in parallel. Every failed call lowers its expectation; a
//     delete that finds the pod gone (NotFound, or its UID precondition failing) is not an error;
//     a create refused because the namespace is terminating is neither an error nor lowered (as
//     upstream). SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete events follow
//     from the outcomes.
//  4. historyCleanup — deleteRevision 'historyLimit': skipped when any pod change failed; stop at
//     the first failure.
//  5. status — writeStatus (a merge patch of exactly the given fields), then requeueAfter
//     'minReadySeconds' (only if the write succeeded or none was needed). Done even when 3 or 4
//     failed.
//  6. outcome — syncError: fail the sync once the rest is done. It also fails when 3 or 4 did.
import type { ControllerRevision, Node, Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { DaemonSetAction } from './actions.ts';
import type { NodeToDaemonPods } from './daemon-pods.ts';
import { compareNames, nodeToDaemonPods } from './daemon-pods.ts';
import type { FailedPodBackoff } from './failed-pod-backoff.ts';
import { cleanupHistory, constructHistory } from './history.ts';
import { manage } from './manage.ts';
import { rollingUpdate } from './rolling-update-plan.ts';
import { minReadySeconds, updateStrategyType } from './spec-defaults.ts';
import type { ObservedGeneration } from './status.ts';
import { daemonSetStatusCounts, daemonSetStatusUpdate } from './status.ts';
import { syncNodes } from './sync-nodes.ts';

export type { ActionPhase, DaemonSetAction, DeletePodReason } from './actions.ts';
export { actionPhase, actionPhases } from './actions.ts';
export type { FailedPodBackoff } from './failed-pod-backoff.ts';
export type { DaemonSetStatusFields } from './status.ts';

/** Everything one sync reads, built once by the reconciler from its caches: copies, never live state. */
export interface DaemonSetSnapshot {
  /** The MyDaemonSet as cached (status included: observedGeneration keys the backoff, collisionCount the hash). */
  readonly ds: MyDaemonSet;
  /** All nodes. Their order doesn't matter: the planner walks them by name. */
  readonly nodes: readonly Node[];
  /**
   * The pods this MyDaemonSet controls after adoption and release, in every state: terminating and
   * terminal ones included.
   */
  readonly pods: readonly Pod[];
  /** The ControllerRevisions it controls after adoption and release. */
  readonly revisions: readonly ControllerRevision[];
  /** The expectations for this MyDaemonSet were satisfied when the sync started. */
  readonly expectationsSatisfied: boolean;
  /**
   * Failed-pod backoff entries by failedPodsBackoffKey (`<uid>/<observedGeneration>/<node>`), a copy
   * (failedPodBackoffOf): new entries come back as recordFailedBackoff actions. Expired ones may be absent.
   */
  readonly failedPodBackoff: ReadonlyMap<string, FailedPodBackoff>;
}

const selectingAllMessage = 'This daemon set is selecting all pods. A non-empty selector is required.';

/**
 * One sync. An empty selector only yields the Warning SelectingAll; a MyDaemonSet being deleted
 * yields nothing (its history may be half gone, so not even a status). Otherwise: history; then,
 * with expectations unsatisfied, only the status (observedGeneration kept); else manage, the
 * rolling update (RollingUpdate strategy, and only when manage changed no pods), history cleanup
 * and the status with observedGeneration.
 */
export function plan(snapshot: DaemonSetSnapshot, now: number): readonly DaemonSetAction[] {
  const { ds } = snapshot;
  if (selectorIsEmpty(ds.spec.selector)) {
    return [{ kind: 'event', type: 'Warning', reason: 'SelectingAll', message: selectingAllMessage }];
  }
  if (isBeingDeleted(ds)) return [];

  const history = constructHistory(ds, snapshot.revisions, snapshot.pods);
  const { hash } = history;
  const nodes = [...snapshot.nodes].sort((a, b) => compareNames(a.metadata.name ?? '', b.metadata.name ?? ''));
  const byNode = nodeToDaemonPods(history.pods, 'exclude');
  const actions: DaemonSetAction[] = [...history.actions];

  if (!snapshot.expectationsSatisfied) {
    actions.push(...statusActions(ds, nodes, byNode, hash, now, 'keep'));
    return actions;
  }

  const managed = manage(ds, nodes, byNode, snapshot.failedPodBackoff, hash, now);
  actions.push(...managed.sideActions);
  const managedPods = syncNodes(ds, managed.podsToDelete, managed.nodesNeedingDaemonPods, hash);
  actions.push(...managedPods);

  let error: string | undefined;
  // Expectations raised by manage's changes hold the rolling update back until they are observed.
  if (managedPods.length === 0 && updateStrategyType(ds) === 'RollingUpdate') {
    const update = rollingUpdate(ds, nodes, byNode, hash, now);
    if (update.kind === 'error') error = update.message;
    else actions.push(...syncNodes(ds, update.podsToDelete, update.nodesNeedingDaemonPods, hash));
  }
  // upstream skips history cleanup when the update step failed.
  if (error === undefined) actions.push(...cleanupHistory(ds, history.old, history.pods));
  actions.push(...statusActions(ds, nodes, byNode, hash, now, 'observe'));
  if (error !== undefined) actions.push({ kind: 'syncError', message: error });
  return actions;
}

/** upstream: updateDaemonSetStatus. The write if needed, then the minReadySeconds resync. */
function statusActions(
  ds: MyDaemonSet,
  nodes: readonly Node[],
  byNode: NodeToDaemonPods,
  hash: string,
  now: number,
  observed: ObservedGeneration,
): readonly DaemonSetAction[] {
  const counts = daemonSetStatusCounts(ds, nodes, byNode, hash, now);
  const actions: DaemonSetAction[] = [];
  const status = daemonSetStatusUpdate(ds, counts, observed);
  if (status !== undefined) actions.push({ kind: 'writeStatus', status });
  // A last line of defence against clock skew: look again once the Ready pods should be available.
  const minReady = minReadySeconds(ds);
  if (minReady > 0 && counts.numberReady !== counts.numberAvailable) {
    actions.push({ kind: 'requeueAfter', afterMs: minReady * 1000, reason: 'minReadySeconds' });
  }
  return actions;
}
