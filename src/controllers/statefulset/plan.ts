// The MyStatefulSet planner: one sync of upstream's StatefulSet controller as a pure function from
// what the caches hold to the writes to make. upstream: pkg/controller/statefulset/
// stateful_set_control.go (UpdateStatefulSet, performUpdate, updateStatefulSet,
// updateStatefulSetStatus) and stateful_set.go syncStatefulSet.
//
// Order of the returned actions: the revision write (createRevision / updateRevisionNumber), pod
// and claim work by step (replicas, condemnedClaims, condemned, update), writeStatus if anything
// changed, deleteRevision for history truncation, requeueAfter. Pod work assumes every earlier
// action succeeded; see actions.ts for what the executor does when one fails.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { selectorIsEmpty, selectorToString } from '../../api/selector.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { templateFromRevision } from '../history/revisions.ts';
import { abandonedReplicasToDelete } from './abandoned-revision.ts';
import type { StatefulSetAction } from './actions.ts';
import { getStartOrdinal, splitByOrdinal } from './identity.ts';
import type { SyncContext } from './pod-control.ts';
import { newVersionedStatefulSetPod } from './pod-template.ts';
import { isUnavailable } from './replica-state.ts';
import type { RevisionResolution } from './revisions.ts';
import { isListedRevision, resolveStatefulSetRevisions, truncateHistory } from './revisions.ts';
import { rollingUpdate } from './rolling-update.ts';
import { fixCondemnedClaims, processCondemned, processReplica, runForAll } from './scale.ts';
import type { StatefulSetStatusFields } from './status.ts';
import { availabilityRequeueAfter, completeRollingUpdate, computeReplicaCounts, statusNeedsWrite } from './status.ts';
import { allowsBurst, minReadySecondsOf, updateStrategyOf } from './strategy.ts';

export type {
  PodDeleteReason,
  PodOperation,
  PodWork,
  StatefulSetAction,
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
}

/** One sync, as upstream UpdateStatefulSet + syncStatefulSet. `now`: milliseconds since the epoch. */
export function plan(snapshot: StatefulSetSnapshot, now: number): readonly StatefulSetAction[] {
  const { set } = snapshot;
  // upstream validation forbids an empty selector; acting on one would claim every pod.
  if (selectorIsEmpty(set.spec.selector)) return [];

  const revisions = snapshot.revisions.filter((r) => isListedRevision(set, r));
  const resolution = resolveStatefulSetRevisions(set, revisions);
  const actions: StatefulSetAction[] = [...revisionWrite(resolution)];
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
    return [...actions, { kind: 'syncError', message: 'revision data holds no pod template' }, ...truncation];
  }

  const ctx: SyncContext = {
    set,
    now,
    monotonic: !allowsBurst(set),
    minReadySeconds: minReadySecondsOf(set),
    rollingUpdate: updateStrategyOf(set).type === 'RollingUpdate',
    current: { name: currentName, template: currentTemplate },
    update: { name: updateName, template: updateTemplate },
    claims: new Map(snapshot.pvcs.map((pvc) => [pvc.metadata.name ?? '', pvc])),
    actions,
  };
  const sync = updateStatefulSet(ctx, snapshot.pods, resolution.collisionCount);
  const status = completeRollingUpdate(set, sync.status);
  if (statusNeedsWrite(set.status, status)) actions.push({ kind: 'writeStatus', status });
  actions.push(...truncation);
  if (!sync.failed) {
    const afterMs = availabilityRequeueAfter(snapshot.pods, ctx.minReadySeconds, status, now);
    if (afterMs !== undefined) actions.push({ kind: 'requeueAfter', afterMs, reason: 'minReadySeconds' });
  }
  return actions;
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

interface SyncResult {
  /** Before completeRollingUpdate. */
  readonly status: StatefulSetStatusFields;
  /** A unit is known to fail (upstream returns an error): no availability requeue. */
  readonly failed: boolean;
}

/**
 * upstream updateStatefulSet: steps 1–3 (replicas, condemned claims, condemned pods), then the
 * update step. A set being deleted only gets its status.
 */
function updateStatefulSet(ctx: SyncContext, pods: readonly Pod[], collisionCount: number): SyncResult {
  const { set } = ctx;
  const revisions = { currentRevision: ctx.current.name, updateRevision: ctx.update.name };
  const statusOf = (counted: readonly Pod[], updateDeletions = 0): StatefulSetStatusFields => {
    const counts = computeReplicaCounts(counted, ctx.minReadySeconds, revisions, ctx.now);
    return {
      observedGeneration: set.metadata.generation ?? 0,
      ...counts,
      currentReplicas: counts.currentReplicas - updateDeletions,
      ...revisions,
      collisionCount,
      selector: selectorToString(set.spec.selector),
    };
  };
  if (isBeingDeleted(set)) return { status: statusOf(pods), failed: false };

  const split = splitByOrdinal(set, pods);
  const start = getStartOrdinal(set);
  const replicas: readonly Pod[] = split.replicas.map(
    (pod, index) => pod ?? newVersionedStatefulSetPod(set, ctx.current, ctx.update, start + index),
  );
  const { condemned } = split;
  const counted = [...replicas, ...condemned];
  const firstUnhealthyPod = findFirstUnhealthyPod(ctx, replicas, condemned);
  const strategy = updateStrategyOf(set);
  const abandoned = abandonedReplicasToDelete(ctx, replicas, strategy.rollingUpdate);

  const steps = [
    () => runForAll(replicas.length, ctx.monotonic, (i) => processReplica(ctx, at(replicas, i), i, abandoned)),
    () => runForAll(condemned.length, ctx.monotonic, (i) => fixCondemnedClaims(ctx, at(condemned, i), i)),
    () => runForAll(condemned.length, ctx.monotonic, (i) => processCondemned(ctx, at(condemned, i), i, firstUnhealthyPod)),
  ];
  for (const step of steps) {
    const outcome = step();
    if (outcome !== 'done') return { status: statusOf(counted), failed: outcome === 'failed' };
  }

  if (strategy.type === 'OnDelete') return { status: statusOf(counted), failed: false };
  const update = rollingUpdate(ctx, replicas, strategy.rollingUpdate, abandoned);
  if (update.kind === 'failed') {
    ctx.actions.push({ kind: 'syncError', message: update.message });
    return { status: statusOf(counted), failed: true };
  }
  return { status: statusOf(counted, update.updateDeletions), failed: false };
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

