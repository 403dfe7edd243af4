// BEYOND UPSTREAM (kubernetes#67250): replace a stuck pod whose template nobody wants any more,
// instead of waiting for it forever. Pure: which replicas one sync replaces, and the Event that
// says why. processReplica (scale.ts) plans the deletions in step 1; the pods come back at
// updateRevision on a later sync.
//
// Upstream waits: a crash-looping pod stays Running, so it is never Failed; under OrderedReady
// processReplica stops at it every sync, so the update step that would replace it is never
// reached; with maxUnavailable the pod alone uses up the budget. Reverting the template (the
// obvious fix) renumbers the old revision as updateRevision and leaves the stuck pod at a third
// revision, waited for until someone deletes it by hand.
import type { Pod } from '../../api/core.ts';
import type { EventAction } from '../shared/actions.ts';
import { getPodRevision, getStartOrdinal } from './identity.ts';
import type { SyncContext } from './pod-control.ts';
import { revisionForOrdinal } from './pod-template.ts';
import { isCreated, isRunningAndReady, isTerminating, isUnavailable } from './replica-state.ts';
import { getStatefulSetMaxUnavailable } from './rolling-update.ts';
import type { EffectiveRollingUpdate } from './strategy.ts';

/** The Warning recorded on the set for each pod this rule deletes. */
export const abandonedRevisionReason = 'AbandonedRevision';

/**
 * A replica is abandoned when every one of these holds:
 * - the update strategy is RollingUpdate (under OnDelete the user replaces pods, as upstream);
 * - its index is at or above the partition. Below it, pods are pinned to currentRevision and
 *   upstream's rollout never deletes them; a replacement there would come back at currentRevision,
 *   an older template than the pod's, with nobody having asked for it;
 * - it exists (has a phase), is not terminating, and is not Running and Ready, so deleting it
 *   lowers neither readyReplicas nor availableReplicas;
 * - its controller-revision-hash label names a revision that is neither currentRevision (what pods
 *   below the partition keep) nor updateRevision (what the others move to). A pod without the
 *   label (adopted from outside) is not known to run an unwanted template: it is left alone, as
 *   upstream leaves it. A not-Ready pod at currentRevision keeps blocking, as upstream: that is the
 *   known-good template (upstream's rollback e2e test breaks such a pod and expects a wait), and
 *   one at updateRevision is the rollout in progress. Except during an automatic rollback: the
 *   revision it left is abandoned even when it is currentRevision (isRolledBackFrom).
 */
export function isAbandonedRevision(ctx: SyncContext, pod: Pod, index: number, partition: number): boolean {
  if (!ctx.rollingUpdate || index < partition) return false;
  const revision = getPodRevision(pod);
  if (revision === '' || !isCreated(pod) || isTerminating(pod) || isRunningAndReady(pod)) return false;
  return (revision !== ctx.current.name && revision !== ctx.update.name) || isRolledBackFrom(ctx, revision, index);
}

/**
 * The forced rollback of an automatic rollback in force (docs/rollout-control.md; upstream's
 * StatefulSet docs, "Forced rollback", leave it to the user): the failed revision is abandoned too
 * when it is still currentRevision (its update had completed, Ready but not yet available, before
 * its pods broke). Only where the replacement comes back at the update revision (the rollback's):
 * one recreated at the failed revision would be deleted again, sync after sync.
 */
function isRolledBackFrom(ctx: SyncContext, revision: string, index: number): boolean {
  return (
    ctx.failedRevision !== undefined &&
    revision === ctx.failedRevision &&
    revision !== ctx.update.name &&
    revisionForOrdinal(ctx.set, getStartOrdinal(ctx.set) + index) === 'update'
  );
}

/**
 * The indices of the abandoned replicas this sync deletes (`replicas` by index, missing ordinals
 * as planned pods, which have no phase).
 *
 * - OrderedReady: all of them. processReplica reaches them in index order and stops after the
 *   first deletion, every lower replica being Running and Ready by then; the replacement must be
 *   Ready before the next one goes. No budget here: pods above the stuck one are never reached
 *   while it blocks, so a budget they fill would keep it forever.
 * - Parallel: nothing stops processReplica, so the rule keeps its own budget: maxUnavailable (1 when
 *   unset) minus the replicas already unavailable for another reason — terminating, missing,
 *   not yet Ready, Ready for less than minReadySeconds — counted over all replicas as upstream's
 *   maxUnavailable rolling update counts them; highest index first, as that update deletes. An
 *   abandoned pod does not count before it is deleted: it is unavailable either way and only its
 *   replacement is new disruption, and counting it would let one stuck pod fill a budget of 1 and
 *   block itself. Replacements count until they are available, so the next one waits for them.
 *
 * Deletions by the update step in the same sync are upstream's and keep upstream's rules; pods
 * deleted here are unavailable in the snapshot, so the maxUnavailable update path counts them.
 */
export function abandonedReplicasToDelete(
  ctx: SyncContext,
  replicas: readonly Pod[],
  rollingUpdate: EffectiveRollingUpdate | undefined,
): ReadonlySet<number> {
  const partition = rollingUpdate?.partition ?? 0;
  const abandoned: number[] = [];
  let otherUnavailable = 0;
  replicas.forEach((pod, index) => {
    if (isAbandonedRevision(ctx, pod, index, partition)) abandoned.push(index);
    else if (isUnavailable(pod, ctx.minReadySeconds, ctx.now)) otherUnavailable++;
  });
  if (ctx.monotonic || abandoned.length === 0) return new Set(abandoned);
  // A malformed maxUnavailable fails the update step later in this sync; here it gives the
  // smallest budget any valid value gives.
  const scaled = getStatefulSetMaxUnavailable(ctx.set, rollingUpdate?.maxUnavailable);
  const maxUnavailable = scaled.kind === 'value' ? scaled.value : 1;
  const budget = Math.max(0, maxUnavailable - otherUnavailable);
  return new Set(abandoned.sort((a, b) => b - a).slice(0, budget));
}

/**
 * Warning `AbandonedRevision`, recorded before the deletion. StatefulPodControl's
 * SuccessfulDelete/FailedDelete still follows, as for every pod deletion: it reports the API call,
 * this says why a deletion upstream would not make happens (as the DaemonSet controller records
 * Warning FailedDaemonPod before deleting a failed pod). Warning: a template that never became
 * Ready needs a look.
 */
export function abandonedRevisionEvent(ctx: SyncContext, pod: Pod): EventAction {
  const revision = getPodRevision(pod);
  const unwanted =
    ctx.current.name === ctx.update.name
      ? `not the set's revision ${ctx.update.name}`
      : `neither the current revision ${ctx.current.name} nor the update revision ${ctx.update.name}`;
  const wanted = revision === ctx.failedRevision ? 'the revision an automatic rollback left' : unwanted;
  return {
    kind: 'event',
    type: 'Warning',
    reason: abandonedRevisionReason,
    message: `Pod ${pod.metadata.name ?? ''} at revision ${revision}, ${wanted}, is not Running and Ready: deleting it to recreate it at ${ctx.update.name}`,
  };
}
