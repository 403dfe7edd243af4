// Rollout control on a MyStatefulSet's status (docs/rollout-control.md): the Progressing
// condition, status.stableRevision, and the start and end of an automatic rollback, from the
// status a sync computes. Pure; the state machines are shared/rollout-control.ts's, this file only
// says what they observe on a StatefulSet.
// upstream (the semantics borrowed): pkg/controller/deployment/progress.go syncRolloutStatus,
// pkg/controller/deployment/util/deployment_util.go DeploymentComplete, DeploymentProgressing.
import type { ControllerRevision } from '../../api/core.ts';
import type { MyStatefulSet, MyStatefulSetStatus, RolloutCondition } from '../../api/workloads.ts';
import type { EventAction } from '../shared/actions.ts';
import type { RolloutCounts, RolloutObservation } from '../shared/rollout-control.ts';
import {
  activeRollback,
  controllerRevisionRef,
  countsProgressed,
  findCondition,
  progressDeadlineExceededReason,
  progressingType,
  removeCondition,
  rolledBackCondition,
  rolledBackReason,
  rolledBackType,
  sameConditions,
  setCondition,
  startRollback,
  staleRollback,
  updateProgressing,
} from '../shared/rollout-control.ts';
import { specReplicas } from './identity.ts';
import type { StatefulSetStatusFields } from './status.ts';
import { updateStrategyOf } from './strategy.ts';
import { withVolumeResizing } from './volume-resizing.ts';

/** What the conditions write does, from whatever conditions the set holds when it is made. */
export interface RolloutConditionsUpdate {
  readonly observation: RolloutObservation;
  readonly now: number;
  /** The RolledBack condition to hold (kept as it is when one of its status and reason is there), or undefined: none. */
  readonly rolledBack: RolloutCondition | undefined;
  /**
   * The VolumeResizing condition to hold (volume-growth.ts), replaced as withVolumeResizing says;
   * undefined: VolumeResizing is left as the set holds it (absent stays absent).
   */
  readonly volumeResizing?: RolloutCondition;
}

/**
 * The conditions after `update`: Progressing as updateProgressing moves it, RolledBack set or
 * removed, VolumeResizing replaced when given; every other condition kept. Used by the planner (is
 * there a change?) and by the executor (on the conditions it reads again after a conflict).
 */
export function nextRolloutConditions(
  conditions: readonly RolloutCondition[] | undefined,
  update: RolloutConditionsUpdate,
): readonly RolloutCondition[] {
  const progressing = updateProgressing(conditions, update.observation, update.now).conditions;
  const rollout = update.rolledBack === undefined ? removeCondition(progressing, rolledBackType) : setCondition(progressing, update.rolledBack);
  return update.volumeResizing === undefined ? rollout : withVolumeResizing(rollout, update.volumeResizing);
}

export interface RolloutStatusPlan {
  /** Merged into the status write; a write is due when one of them is present. */
  readonly fields: Pick<StatefulSetStatusFields, 'stableRevision' | 'rollback'>;
  /** Undefined when the conditions stay as the set holds them. */
  readonly conditions: RolloutConditionsUpdate | undefined;
  /** Recorded after the status write succeeded (the Warning RolledBack). */
  readonly eventsAfterWrite: readonly EventAction[];
  /** Sync again then: the deadline of a rollout still running. */
  readonly requeueAfterMs: number | undefined;
}

export interface RolloutStatusInput {
  /** The set as stored (its status is what the last write recorded). */
  readonly set: MyStatefulSet;
  /** The status this sync computed, after completeRollingUpdate, for the template it planned with. */
  readonly status: StatefulSetStatusFields;
  /** The update revision's number, as it is once this sync's revision write is done. */
  readonly updateRevisionNumber: number;
  /** The revisions the sync listed (status.stableRevision is looked up among them). */
  readonly revisions: readonly ControllerRevision[];
  readonly now: number;
  /** The VolumeResizing condition claim growth asks for (volume-growth.ts), written with the rollout conditions. */
  readonly volumeResizing?: RolloutCondition;
}

/**
 * Rollout control for one sync that computed status (not for a set being deleted):
 *  - Progressing observes the status: `progressed` per countsProgressed against the stored
 *    status, or a new generation observed; `complete` per rolloutComplete;
 *  - stableRevision: the update revision once rolloutFullyDone;
 *  - an automatic rollback starts when Progressing is False/ProgressDeadlineExceeded after this
 *    sync (it turned so now, or an earlier sync's status write carrying the rollback failed) and
 *    startRollback agrees; the status write records it, the conditions write adds RolledBack,
 *    and one Warning RolledBack follows the status write;
 *  - RolledBack is held while a rollback is in force (put back if it went missing), and removed
 *    otherwise; a stale rollback (an older generation's) is cleared from status with null.
 */
export function planRolloutStatus(input: RolloutStatusInput): RolloutStatusPlan {
  const { set, status, now } = input;
  const deadlineSeconds = set.spec.progressDeadlineSeconds;
  const observation: RolloutObservation = {
    paused: set.spec.paused === true,
    deadlineSeconds,
    complete: rolloutComplete(set, status),
    progressed:
      countsProgressed(storedCounts(set.status), computedCounts(status)) || (set.status?.observedGeneration ?? 0) < (set.metadata.generation ?? 0),
    subject: `MyStatefulSet "${set.metadata.name ?? ''}"`,
    revision: status.updateRevision,
  };
  const progressing = updateProgressing(set.status?.conditions, observation, now);
  const start = startRollback({
    obj: set,
    autoRollback: set.spec.autoRollback === true,
    deadlineExceeded: deadlineExceeded(progressing.conditions),
    deadlineSeconds,
    failed: { name: status.updateRevision, number: input.updateRevisionNumber },
    stable: controllerRevisionRef(set.status?.stableRevision, input.revisions),
    now,
  });
  const active = activeRollback(set);
  const rolledBack = start?.condition ?? (active === undefined ? undefined : rolledBackCondition(active, set.spec.progressDeadlineSeconds, now));
  const update: RolloutConditionsUpdate = {
    observation,
    now,
    rolledBack,
    ...(input.volumeResizing !== undefined ? { volumeResizing: input.volumeResizing } : {}),
  };
  const conditionsChange = !sameConditions(set.status?.conditions, nextRolloutConditions(set.status?.conditions, update));

  const stable = rolloutFullyDone(set, status) && status.updateRevision !== set.status?.stableRevision ? status.updateRevision : undefined;
  const rollback = start !== undefined ? start.rollback : staleRollback(set) ? null : undefined;
  return {
    fields: { ...(stable !== undefined ? { stableRevision: stable } : {}), ...(rollback !== undefined ? { rollback } : {}) },
    conditions: conditionsChange ? update : undefined,
    eventsAfterWrite: start === undefined ? [] : [{ kind: 'event', type: 'Warning', reason: rolledBackReason, message: start.message }],
    requeueAfterMs: progressing.requeueAfterMs,
  };
}

/**
 * Every pod the rollout may touch is updated and available (RolloutComplete): status.replicas and
 * availableReplicas at spec.replicas, for this generation, and the updated pods reach what the
 * strategy lets the rollout update: all but the partition (clamped to [0, replicas]) under
 * RollingUpdate, all of them under OnDelete. A partitioned rollout is complete here.
 */
export function rolloutComplete(set: MyStatefulSet, status: StatefulSetStatusFields): boolean {
  const replicas = specReplicas(set);
  if (status.replicas !== replicas || status.availableReplicas !== replicas) return false;
  if (status.observedGeneration !== (set.metadata.generation ?? 0)) return false;
  const strategy = updateStrategyOf(set);
  if (strategy.type === 'OnDelete') return status.updatedReplicas === replicas;
  const partition = Math.min(Math.max(strategy.rollingUpdate?.partition ?? 0, 0), replicas);
  return status.updatedReplicas >= replicas - partition;
}

/**
 * The update revision is stable (docs: every pod updated and available, no partition holding pods
 * back, not paused): every pod at the update revision and available, exactly spec.replicas of them,
 * and, under RollingUpdate, the update revision current (completeRollingUpdate ran). Under
 * OnDelete currentRevision never advances (as upstream), so it is not asked for there: else a set
 * updated by hand would never get past its first revision.
 */
export function rolloutFullyDone(set: MyStatefulSet, status: StatefulSetStatusFields): boolean {
  const replicas = specReplicas(set);
  if (set.spec.paused === true) return false;
  if (updateStrategyOf(set).type === 'RollingUpdate' && status.currentRevision !== status.updateRevision) return false;
  return status.replicas === replicas && status.updatedReplicas === replicas && status.availableReplicas === replicas;
}

function deadlineExceeded(conditions: readonly RolloutCondition[]): boolean {
  const progressing = findCondition(conditions, progressingType);
  return progressing?.status === 'False' && progressing.reason === progressDeadlineExceededReason;
}

function storedCounts(status: MyStatefulSetStatus | undefined): RolloutCounts {
  return {
    total: status?.replicas ?? 0,
    updated: status?.updatedReplicas ?? 0,
    ready: status?.readyReplicas ?? 0,
    available: status?.availableReplicas ?? 0,
  };
}

function computedCounts(status: StatefulSetStatusFields): RolloutCounts {
  return { total: status.replicas, updated: status.updatedReplicas, ready: status.readyReplicas, available: status.availableReplicas };
}

