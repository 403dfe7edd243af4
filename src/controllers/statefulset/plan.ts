// The MyStatefulSet planner: one sync of upstream's StatefulSet controller as a pure function from
// what the caches hold to the writes to make. upstream: pkg/controller/statefulset/
// stateful_set_control.go (UpdateStatefulSet, performUpdate, updateStatefulSet,
// updateStatefulSetStatus) and stateful_set.go syncStatefulSet.
//
// Order of the returned actions: the revision write (createRevision / updateRevisionNumber), an
// eventOnce when an automatic rollback cannot be applied, one podStep per step with work
// (replicas, condemnedClaims, condemned, update) holding its batches of units, a syncError if a
// step is known to fail that way, (planSync only: patchClaimStorage per claim to grow, then the
// claim growth's eventOnce Events, which the executor records with the other eventOnce before the
// pod work), rolloutConditions if Progressing, RolledBack or VolumeResizing change,
// writeStatus if anything changed, deleteRevision for history truncation, requeueAfter. Pod work
// assumes every earlier action succeeded; see actions.ts for what the executor does when one
// fails. Each step folds the claims view its units leave (planned owner-reference patches) into
// the next; nothing is mutated.
//
// Rollout control (docs/rollout-control.md): spec.paused stops the deletions made for a revision;
// while an automatic rollback is in force the sync plans with the rollback revision's template
// (rollback-template.ts); rollout-status.ts adds Progressing, stableRevision and the rollback's
// start and end to the status.
//
// Claim growth (volume-growth.ts, docs/volume-growth.md), when the snapshot has the StorageClasses:
// status.volumeClaimTemplates rides on writeStatus and VolumeResizing on rolloutConditions, in
// plan(); the claim patches and their Events come only from planSync(), the controller's sync,
// placed after the pod work. plan() is upstream's vocabulary, which `kubectl my rollout plan`
// simulates; growing a claim replaces no pod, so it has no part there.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { selectorIsEmpty, selectorToString } from '../../api/selector.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { templateFromRevision } from '../history/revisions.ts';
import { abandonedReplicasToDelete } from './abandoned-revision.ts';
import type { StatefulSetAction, StatefulSetSyncAction, StatefulSetWriteStatus, SyncStep } from './actions.ts';
import { getStartOrdinal, splitByOrdinal } from './identity.ts';
import type { ClaimsView, SyncContext } from './pod-control.ts';
import { claimsViewOf } from './pod-control.ts';
import { newVersionedStatefulSetPod } from './pod-template.ts';
import type { UnwrittenCurrentReplicas } from './unwritten-status.ts';
import { withUnwrittenCurrentReplicas } from './unwritten-status.ts';
import { isUnavailable } from './replica-state.ts';
import type { RevisionResolution } from './revisions.ts';
import { isListedRevision, resolveStatefulSetRevisions, truncateHistory } from './revisions.ts';
import { templateToPlan } from './rollback-template.ts';
import { rollingUpdate } from './rolling-update.ts';
import { planRolloutStatus } from './rollout-status.ts';
import { fixCondemnedClaims, processCondemned, processReplica } from './scale.ts';
import type { StatefulSetStatusFields } from './status.ts';
import { availabilityRequeueAfter, completeRollingUpdate, computeReplicaCounts, statusNeedsWrite, statusWriteMayWait } from './status.ts';
import type { StorageClass } from './storage-class.ts';
import { storageClassesByName } from './storage-class.ts';
import { allowsBurst, minReadySecondsOf, updateStrategyOf } from './strategy.ts';
import type { StepPlan } from './units.ts';
import { runForAll } from './units.ts';
import type { VolumeGrowthAction, VolumeGrowthPlan } from './volume-growth.ts';
import { planVolumeGrowth } from './volume-growth.ts';

export type {
  ClaimCreation,
  EventOnceAction,
  PodDeleteReason,
  PodOperation,
  PodOperationAction,
  PodOperationPlan,
  PodStepAction,
  PatchClaimStorageAction,
  PodUnit,
  RolloutConditionsAction,
  StatefulSetAction,
  StatefulSetSyncAction,
  StatefulSetRequeueReason,
  StatefulSetWriteStatus,
  SyncStep,
} from './actions.ts';
export { maxBatchSize, slowStartBatch } from './actions.ts';
export type { StatefulSetStatusFields } from './status.ts';

/** Everything one sync reads, built once by the executor from its caches. Nothing in it is mutated. */
export interface StatefulSetSnapshot {
  readonly set: MyStatefulSet;
  /**
   * The pods the set claimed this sync (controlled by it after adoption and release, see
   * podClaimDecision): members only, terminating ones included, in list order.
   */
  readonly pods: readonly Pod[];
  /** PVCs in the set's namespace; only those named `<claim>-<set>-<ordinal>` are looked at. */
  readonly pvcs: readonly PersistentVolumeClaim[];
  /**
   * ControllerRevisions in the namespace that match the selector and are controlled by the set or
   * by nobody (upstream ListControllerRevisions, after orphan adoption). Others are ignored.
   */
  readonly revisions: readonly ControllerRevision[];
  /**
   * Every StorageClass (cluster-scoped), for claim growth: whether a claim's class allows volume
   * expansion. Undefined: claim growth is not planned at all (the rollout simulator has none).
   */
  readonly storageClasses?: readonly StorageClass[];
  /** The currentReplicas of a status write the previous sync put off (unwritten-status.ts). */
  readonly unwrittenStatus?: UnwrittenCurrentReplicas;
}

/** One sync, as upstream UpdateStatefulSet + syncStatefulSet. `now`: milliseconds since the epoch. */
export function plan(snapshot: StatefulSetSnapshot, now: number): readonly StatefulSetAction[] {
  const { beforeGrowth, afterGrowth } = planParts(snapshot, now);
  return [...beforeGrowth, ...afterGrowth];
}

/** The controller's sync: plan() with the claim growth's patches and Events after the pod work. */
export function planSync(snapshot: StatefulSetSnapshot, now: number): readonly StatefulSetSyncAction[] {
  const { beforeGrowth, growth, afterGrowth } = planParts(snapshot, now);
  return [...beforeGrowth, ...growth, ...afterGrowth];
}

interface PlanParts {
  /** Revision write, notices, pod work, syncError. */
  readonly beforeGrowth: readonly StatefulSetAction[];
  readonly growth: readonly VolumeGrowthAction[];
  /** Conditions, status, history truncation, requeues. */
  readonly afterGrowth: readonly StatefulSetAction[];
}

function planParts(snapshot: StatefulSetSnapshot, now: number): PlanParts {
  const stored = snapshot.set;
  // upstream validation forbids an empty selector; acting on one would claim every pod.
  if (selectorIsEmpty(stored.spec.selector)) return { beforeGrowth: [], growth: [], afterGrowth: [] };

  const revisions = snapshot.revisions.filter((r) => isListedRevision(stored, r));
  // From here on `set` is the set as planned: its template is the rollback revision's while an
  // automatic rollback is in force. Status, conditions and Events go to the stored set.
  const planned = templateToPlan(stored, revisions);
  const { set } = planned;
  const resolution = resolveStatefulSetRevisions(set, revisions);
  const revisionWrites: StatefulSetAction[] = [...revisionWrite(resolution), ...(planned.notice === undefined ? [] : [planned.notice])];
  const currentName = resolution.currentRevision.metadata.name ?? '';
  const updateName = resolution.updateRevision.metadata.name ?? '';
  // upstream truncates also when the sync failed, with the revisions it started from.
  const truncation: StatefulSetAction[] = truncateHistory(set, revisions, {
    currentRevision: currentName,
    updateRevision: updateName,
    pods: snapshot.pods,
  }).map((revision) => ({ kind: 'deleteRevision', revision }));

  const currentTemplate = templateFromRevision(resolution.currentRevision);
  const updateTemplate = templateFromRevision(resolution.updateRevision);
  if (currentTemplate === undefined || updateTemplate === undefined) {
    // upstream ApplyRevision fails: no status is written.
    return { beforeGrowth: [...revisionWrites, { kind: 'syncError', message: 'revision data holds no pod template' }], growth: [], afterGrowth: truncation };
  }

  const ctx: SyncContext = {
    // Only pod-template.ts reads the set's status, for the legacy rolling update's currentReplicas.
    set: withUnwrittenCurrentReplicas(set, snapshot.unwrittenStatus, { currentRevision: currentName, updateRevision: updateName }),
    now,
    monotonic: !allowsBurst(set),
    minReadySeconds: minReadySecondsOf(set),
    rollingUpdate: updateStrategyOf(set).type === 'RollingUpdate',
    current: { name: currentName, template: currentTemplate },
    update: { name: updateName, template: updateTemplate },
    ...(planned.failedRevision !== undefined ? { failedRevision: planned.failedRevision } : {}),
  };
  const sync = updateStatefulSet(ctx, claimsViewOf(snapshot.pvcs), snapshot.pods);
  const statusAfter = (updateDeletions: number): StatefulSetStatusFields =>
    completeRollingUpdate(set, statusOf(ctx, sync.counted, resolution.collisionCount, updateDeletions));
  const counted = statusAfter(sync.updateDeletions);
  // A set being deleted only gets its counts (upstream); rollout control and claim growth have
  // nothing to say then.
  const growth = isBeingDeleted(stored) ? undefined : volumeGrowthOf(snapshot, now);
  const rollout = isBeingDeleted(stored)
    ? undefined
    : planRolloutStatus({
        set: stored,
        status: counted,
        updateRevisionNumber: resolution.updateRevision.revision,
        revisions,
        now,
        ...(growth?.condition !== undefined ? { volumeResizing: growth.condition } : {}),
      });
  const status: StatefulSetStatusFields = {
    ...counted,
    ...rollout?.fields,
    ...(growth?.status !== undefined ? { volumeClaimTemplates: growth.status } : {}),
  };
  const conditions: StatefulSetAction[] = rollout?.conditions === undefined ? [] : [{ kind: 'rolloutConditions', update: rollout.conditions }];
  const statusWrite: StatefulSetWriteStatus[] = statusNeedsWrite(stored.status, status)
    ? [
        {
          kind: 'writeStatus',
          status,
          currentReplicasAfterUpdateDeletions: Array.from({ length: sync.updateDeletions + 1 }, (_, done) => statusAfter(done).currentReplicas),
          eventsAfterWrite: rollout?.eventsAfterWrite ?? [],
          mayWait: conditions.length === 0 && (rollout?.eventsAfterWrite ?? []).length === 0 && statusWriteMayWait(stored, status),
        },
      ]
    : [];
  const afterMs = sync.failed ? undefined : availabilityRequeueAfter(snapshot.pods, ctx.minReadySeconds, status, now);
  const requeue: StatefulSetAction[] = [];
  if (afterMs !== undefined) requeue.push({ kind: 'requeueAfter', afterMs, reason: 'minReadySeconds' });
  if (rollout?.requeueAfterMs !== undefined) requeue.push({ kind: 'requeueAfter', afterMs: rollout.requeueAfterMs, reason: 'progressDeadline' });
  return {
    beforeGrowth: [...revisionWrites, ...sync.actions],
    growth: growth?.actions ?? [],
    afterGrowth: [...conditions, ...statusWrite, ...truncation, ...requeue],
  };
}

/** Claim growth from the stored set (its claim templates, never a revision's), when the snapshot has the StorageClasses. */
function volumeGrowthOf(snapshot: StatefulSetSnapshot, now: number): VolumeGrowthPlan | undefined {
  if (snapshot.storageClasses === undefined) return undefined;
  return planVolumeGrowth({ set: snapshot.set, pvcs: snapshot.pvcs, storageClasses: storageClassesByName(snapshot.storageClasses), now });
}

function revisionWrite(resolution: RevisionResolution): StatefulSetAction[] {
  const { write } = resolution;
  switch (write.kind) {
    case 'none':
      return [];
    case 'create':
      return [{ kind: 'createRevision', revision: write.revision }];
    case 'renumber':
      return [{ kind: 'updateRevisionNumber', revision: write.revision, revisionNumber: write.revisionNumber }];
    default: {
      const unknown: never = write;
      return unknown;
    }
  }
}

/**
 * The status fields with `updateDeletions` update deletions gone through: upstream computes the
 * counts from the pods the sync started with and decrements currentReplicas after each such
 * deletion (updateStatefulSet), before completeRollingUpdate.
 */
function statusOf(ctx: SyncContext, counted: readonly Pod[], collisionCount: number, updateDeletions: number): StatefulSetStatusFields {
  const revisions = { currentRevision: ctx.current.name, updateRevision: ctx.update.name };
  const counts = computeReplicaCounts(counted, ctx.minReadySeconds, revisions, ctx.now);
  return {
    observedGeneration: ctx.set.metadata.generation ?? 0,
    ...counts,
    currentReplicas: counts.currentReplicas - updateDeletions,
    ...revisions,
    collisionCount,
    selector: selectorToString(ctx.set.spec.selector),
  };
}

interface SyncResult {
  /** The podStep actions, then a syncError when the update step is known to fail. */
  readonly actions: readonly StatefulSetAction[];
  /** The pods the status counts. */
  readonly counted: readonly Pod[];
  /** How many `update` deletions the plan holds. */
  readonly updateDeletions: number;
  /** A unit is known to fail (upstream returns an error): no availability requeue. */
  readonly failed: boolean;
}

/**
 * upstream updateStatefulSet: steps 1–3 (replicas, condemned claims, condemned pods), then the
 * update step. A set being deleted only gets its status.
 */
function updateStatefulSet(ctx: SyncContext, claims: ClaimsView, pods: readonly Pod[]): SyncResult {
  const { set } = ctx;
  if (isBeingDeleted(set)) return { actions: [], counted: pods, updateDeletions: 0, failed: false };

  const split = splitByOrdinal(set, pods);
  const start = getStartOrdinal(set);
  const replicas: readonly Pod[] = split.replicas.map(
    (pod, index) => pod ?? newVersionedStatefulSetPod(set, ctx.current, ctx.update, start + index),
  );
  const { condemned } = split;
  const counted = [...replicas, ...condemned];
  const firstUnhealthyPod = findFirstUnhealthyPod(ctx, replicas, condemned);
  const strategy = updateStrategyOf(set);
  // spec.paused: no pod is deleted for its revision (docs/rollout-control.md), neither by the
  // rolling update nor as abandoned; creations, scale-down and failed pods go on as usual.
  const paused = set.spec.paused === true;
  const abandoned = paused ? new Set<number>() : abandonedReplicasToDelete(ctx, replicas, strategy.rollingUpdate);

  const steps: readonly (readonly [SyncStep, (claims: ClaimsView) => StepPlan])[] = [
    ['replicas', (view) => runForAll(replicas.length, ctx.monotonic, view, (i, v) => processReplica(ctx, v, at(replicas, i), i, abandoned))],
    ['condemnedClaims', (view) => runForAll(condemned.length, ctx.monotonic, view, (i, v) => fixCondemnedClaims(ctx, v, at(condemned, i)))],
    ['condemned', (view) => runForAll(condemned.length, ctx.monotonic, view, (i) => processCondemned(ctx, at(condemned, i), firstUnhealthyPod))],
  ];
  const actions: StatefulSetAction[] = [];
  let view = claims;
  for (const [step, run] of steps) {
    const planned = run(view);
    view = planned.claims;
    if (planned.batches.length > 0) actions.push({ kind: 'podStep', step, batches: planned.batches });
    if (planned.outcome !== 'done') return { actions, counted, updateDeletions: 0, failed: planned.outcome === 'failed' };
  }

  if (strategy.type === 'OnDelete' || paused) return { actions, counted, updateDeletions: 0, failed: false };
  const update = rollingUpdate(ctx, replicas, strategy.rollingUpdate, abandoned);
  if (update.kind === 'failed') {
    return { actions: [...actions, { kind: 'syncError', message: update.message }], counted, updateDeletions: 0, failed: true };
  }
  // Always one deletion at a time, in the order planned, also under Parallel (upstream's loop).
  const deletions: StatefulSetAction[] =
    update.deletions.length === 0 ? [] : [{ kind: 'podStep', step: 'update', batches: update.deletions.map((unit) => [unit]) }];
  return { actions: [...actions, ...deletions], counted, updateDeletions: update.deletions.length, failed: false };
}

/** The lowest-index unavailable replica, else the lowest-ordinal unavailable condemned pod. */
function findFirstUnhealthyPod(ctx: SyncContext, replicas: readonly Pod[], condemned: readonly Pod[]): Pod | undefined {
  const unhealthy = (pod: Pod): boolean => isUnavailable(pod, ctx.minReadySeconds, ctx.now);
  return replicas.find(unhealthy) ?? [...condemned].reverse().find(unhealthy);
}

function at(pods: readonly Pod[], index: number): Pod {
  const pod = pods[index];
  if (pod === undefined) throw new RangeError(`no pod at index ${index}`);
  return pod;
}

