// The MyDaemonSet planner: one sync's decisions from a snapshot of the cluster. Pure: no client,
// logger, clock or timer; `now` is an argument.
// upstream: pkg/controller/daemon/daemon_controller.go syncDaemonSet, updateDaemonSet.
//
// Order of the returned actions, and what the executor owes each group (actionPhase names them):
//  1. history — labelRevision, createRevision, relabelPod, deleteRevision 'duplicate',
//     updateRevisionNumber: one at a time, in order. A failure ends the sync with that error and
//     nothing else, not even the status write. createRevision's AlreadyExists: see actions.ts.
//  2. podBookkeeping — event, warnOnce (once per token and key), recordFailedBackoff (handed to
//     the reconciler, which keeps the entries), requeueAfter 'failedPodBackoff': apply as listed.
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
//  5. status — writeStatus (a merge patch of exactly the given fields; at most one) and
//     writeRolloutConditions (at most one), as ONE write when both come (see actions.ts), then
//     requeueAfter 'minReadySeconds' and 'progressDeadline' (only if the write succeeded or none
//     was needed). Done even when 3 or 4 failed.
//  6. outcome — syncError: fail the sync once the rest is done. It also fails when 3 or 4 did.
import type { ControllerRevision, Node, Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { DaemonSetAction } from './actions.ts';
import { compareNames, nodeToDaemonPods } from './daemon-pods.ts';
import type { FailedPodBackoff } from './failed-pod-backoff.ts';
import { cleanupHistory, constructHistory } from './history.ts';
import { manage } from './manage.ts';
import { rollbackRevisionNotFoundMessage, rollbackRevisionNotFoundReason, rollbackTarget } from './rollback-target.ts';
import { rollingUpdate } from './rolling-update-plan.ts';
import type { RolloutStatusPlan } from './rollout-status.ts';
import { rolloutStatus } from './rollout-status.ts';
import { minReadySeconds, updateStrategyType } from './spec-defaults.ts';
import type { DaemonSetStatusCounts, ObservedGeneration } from './status.ts';
import { daemonSetStatusCounts, daemonSetStatusMayWait, daemonSetStatusUpdate } from './status.ts';
import { syncNodes } from './sync-nodes.ts';
import { rolloutComplete, rollingUpdateCanary, updateScope } from './update-scope.ts';
import { isPodAvailable, isPodReady, isPodTerminating } from '../shared/pod-state.ts';
import { availabilityRequeueAfter, daemonSetReadySkewMs } from '../shared/ready-recheck.ts';

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
 * yields nothing (its history may be half gone, so not even a status). Otherwise: history (of the
 * automatic rollback's revision while one is in force, rollback-target.ts); then, with expectations
 * unsatisfied, only the status (observedGeneration kept); else manage, the rolling update
 * (RollingUpdate strategy, not paused, and only when manage changed no pods; the canary's nodes
 * only, update-scope.ts), history cleanup, and the status with observedGeneration and the rollout
 * control fields and conditions (rollout-status.ts).
 */
export function plan(snapshot: DaemonSetSnapshot, now: number): readonly DaemonSetAction[] {
  if (selectorIsEmpty(snapshot.ds.spec.selector)) {
    return [{ kind: 'event', type: 'Warning', reason: 'SelectingAll', message: selectingAllMessage }];
  }
  if (isBeingDeleted(snapshot.ds)) return [];

  const target = rollbackTarget(snapshot.ds, snapshot.revisions);
  const ds = target.kind === 'rollback' ? target.ds : snapshot.ds;
  const history = constructHistory(ds, snapshot.revisions, snapshot.pods);
  const { hash } = history;
  const nodes = [...snapshot.nodes].sort((a, b) => compareNames(a.metadata.name ?? '', b.metadata.name ?? ''));
  const byNode = nodeToDaemonPods(history.pods, 'exclude');
  const counts = daemonSetStatusCounts(ds, nodes, byNode, hash, now);
  const actions: DaemonSetAction[] = [...history.actions];
  if (target.kind === 'revisionNotFound') {
    const { rollback } = target;
    const once = `${ds.metadata.uid ?? ''}/${rollback.generation}/${rollback.revision}`;
    actions.push({ kind: 'warnOnce', reason: rollbackRevisionNotFoundReason, message: rollbackRevisionNotFoundMessage(rollback), once });
  }

  if (!snapshot.expectationsSatisfied) {
    actions.push(...statusActions(ds, counts, 'keep', undefined, history.pods, now));
    return actions;
  }

  const managed = manage(ds, nodes, byNode, snapshot.failedPodBackoff, hash, now);
  actions.push(...managed.sideActions);
  const managedPods = syncNodes(ds, managed.podsToDelete, managed.nodesNeedingDaemonPods, hash);
  actions.push(...managedPods);

  // An automatic rollback brings every pod back: the canary holds no node on the failed revision.
  const scope = updateScope(ds, target.kind === 'rollback' ? undefined : rollingUpdateCanary(ds), nodes, byNode, hash);
  let error: string | undefined;
  // Expectations raised by manage's changes hold the rolling update back until they are observed;
  // a pause stops it altogether.
  if (managedPods.length === 0 && updateStrategyType(ds) === 'RollingUpdate' && ds.spec.paused !== true) {
    const update = rollingUpdate(ds, nodes, byNode, hash, now, scope.held);
    if (update.kind === 'error') error = update.message;
    else actions.push(...syncNodes(ds, update.podsToDelete, update.nodesNeedingDaemonPods, hash));
  }
  // upstream skips history cleanup when the update step failed.
  if (error === undefined) actions.push(...cleanupHistory(ds, history.old, history.pods));
  const rollout = rolloutStatus({
    ds,
    counts,
    complete: rolloutComplete(scope, counts.numberAvailable, counts.desiredNumberScheduled),
    current: history.current,
    revisions: snapshot.revisions,
    now,
  });
  actions.push(...statusActions(ds, counts, 'observe', rollout, history.pods, now));
  if (error !== undefined) actions.push({ kind: 'syncError', message: error });
  return actions;
}

/**
 * upstream: updateDaemonSetStatus. The write if needed, the rollout conditions if they change, then
 * the minReadySeconds resync and the progress deadline's.
 */
/** Ready and available pods among `pods` (any node, not terminating), for the availability recheck. */
function readyAndAvailable(pods: readonly Pod[], minReady: number, now: number): { readyReplicas: number; availableReplicas: number } {
  const live = pods.filter((pod) => !isPodTerminating(pod));
  return {
    readyReplicas: live.filter(isPodReady).length,
    availableReplicas: live.filter((pod) => isPodAvailable(pod, minReady, now)).length,
  };
}

function statusActions(
  ds: MyDaemonSet,
  counts: DaemonSetStatusCounts,
  observed: ObservedGeneration,
  rollout: RolloutStatusPlan | undefined,
  pods: readonly Pod[],
  now: number,
): readonly DaemonSetAction[] {
  const actions: DaemonSetAction[] = [];
  const status = daemonSetStatusUpdate(ds, counts, observed, rollout?.fields);
  if (status !== undefined) {
    actions.push({ kind: 'writeStatus', status, mayWait: rollout?.conditions === undefined && daemonSetStatusMayWait(ds, status) });
  }
  if (rollout?.conditions !== undefined) actions.push({ kind: 'writeRolloutConditions', update: rollout.conditions });
  // Look again when the next Ready pod becomes available — any of them, not only the first of
  // each node that the counts judge: a surge pod waits beside the old one, and the pod handler's
  // own recheck (minReadySeconds + 1 s after it turned Ready) is lost when a sooner requeue of the
  // key (a paced status write) replaces it in the delaying queue, which keeps the earliest time.
  // Plus the handler's extra second: Ready's lastTransitionTime has whole seconds, so a pod can
  // look available up to a second before it has been Ready minReadySeconds (upstream updatePod).
  const availableAt = availabilityRequeueAfter(pods, minReadySeconds(ds), readyAndAvailable(pods, minReadySeconds(ds), now), now);
  if (availableAt !== undefined) actions.push({ kind: 'requeueAfter', afterMs: availableAt + daemonSetReadySkewMs, reason: 'minReadySeconds' });
  if (rollout?.requeueAfterMs !== undefined) actions.push({ kind: 'requeueAfter', afterMs: rollout.requeueAfterMs, reason: 'progressDeadline' });
  return actions;
}
