// Rollout control shared by MyDaemonSet and MyStatefulSet (MyDeployment keeps upstream's progress
// logic and takes only the automatic rollback from here): the Progressing condition with Deployment
// semantics for "progress", the pause condition, and when an automatic rollback starts and ends.
// Pure: `now` is an argument, results are new values. docs/rollout-control.md is the user's view.
// upstream (the semantics borrowed): pkg/controller/deployment/progress.go syncRolloutStatus,
// util/deployment_util.go DeploymentProgressing, DeploymentTimedOut, SetDeploymentCondition.
import type { ControllerRevision, PodTemplateSpec } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { AutomaticRollback, RolloutCondition, RolloutControlStatus } from '../../api/workloads.ts';
import { formatMetaV1Time } from '../../runtime/time.ts';
import { templateFromRevision } from '../history/revisions.ts';

export const progressingType = 'Progressing';
export const rolledBackType = 'RolledBack';

export const rolloutPausedReason = 'RolloutPaused';
export const rolloutProgressingReason = 'RolloutProgressing';
export const rolloutCompleteReason = 'RolloutComplete';
export const progressDeadlineExceededReason = 'ProgressDeadlineExceeded';
/** Reason of the RolledBack condition and of the Warning Event. */
export const rolledBackReason = 'RolledBack';

// ---------------------------------------------------------------------------------------------
// Conditions as lists (upstream SetDeploymentCondition / RemoveDeploymentCondition, on any kind)

export function findCondition(conditions: readonly RolloutCondition[] | undefined, type: string): RolloutCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * upstream SetDeploymentCondition: a condition of the same type, status and reason is left as it
 * is (the same list is returned); the same status with another reason keeps lastTransitionTime;
 * otherwise `c` replaces it as given. The new condition goes last.
 */
export function setCondition(conditions: readonly RolloutCondition[] | undefined, c: RolloutCondition): readonly RolloutCondition[] {
  const current = findCondition(conditions, c.type);
  if (current !== undefined && current.status === c.status && current.reason === c.reason) return conditions ?? [];
  const next = current !== undefined && current.status === c.status ? { ...c, lastTransitionTime: current.lastTransitionTime } : c;
  return [...(conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(conditions: readonly RolloutCondition[] | undefined, type: string): readonly RolloutCondition[] {
  return (conditions ?? []).filter((x) => x.type !== type);
}

/** A condition with both timestamps `now` (upstream NewDeploymentCondition). */
export function newCondition(
  type: string,
  status: RolloutCondition['status'],
  reason: string,
  message: string,
  now: number,
): RolloutCondition {
  const at = formatMetaV1Time(now);
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/** Whether two condition lists say the same (order and timestamps included). */
export function sameConditions(a: readonly RolloutCondition[] | undefined, b: readonly RolloutCondition[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

// ---------------------------------------------------------------------------------------------
// Progress

/** What the status says about the pods, before and after a sync. */
export interface RolloutCounts {
  /** Pods (MyStatefulSet: status.replicas) or nodes holding one (MyDaemonSet: currentNumberScheduled). */
  readonly total: number;
  readonly updated: number;
  readonly ready: number;
  readonly available: number;
}

/**
 * upstream DeploymentProgressing: more pods updated, fewer old ones, more Ready or more available.
 */
export function countsProgressed(before: RolloutCounts, after: RolloutCounts): boolean {
  return (
    after.updated > before.updated ||
    after.total - after.updated < before.total - before.updated ||
    after.ready > before.ready ||
    after.available > before.available
  );
}

export interface RolloutObservation {
  /** spec.paused. */
  readonly paused: boolean;
  /** spec.progressDeadlineSeconds; undefined: no deadline. */
  readonly deadlineSeconds: number | undefined;
  /** The rollout of the revision being run is done (a partition or canary selector respected). */
  readonly complete: boolean;
  /** countsProgressed, or this sync observes a new generation (a new rollout starts its clock). */
  readonly progressed: boolean;
  /** For the messages, e.g. `MyDaemonSet "fluentd"`. */
  readonly subject: string;
  /** Name of the revision being rolled out. */
  readonly revision: string;
}

export interface ProgressingUpdate {
  /** The conditions with Progressing as it should be now (the same list when nothing changed). */
  readonly conditions: readonly RolloutCondition[];
  /** True when this sync turned Progressing to False/ProgressDeadlineExceeded. */
  readonly deadlineExceeded: boolean;
  /** Look again then: the deadline of a rollout that is still moving. */
  readonly requeueAfterMs?: number;
}

/**
 * The Progressing condition after a sync:
 *  - paused: Unknown/RolloutPaused (no deadline runs while paused);
 *  - complete: True/RolloutComplete;
 *  - progress (a new generation included), a resume, or no condition yet: True/RolloutProgressing
 *    with lastUpdateTime now (the deadline clock restarts; without a deadline, an existing
 *    True/RolloutProgressing is kept as it is);
 *  - RolloutComplete without progress stays (a pod lost after completion is no stalled rollout);
 *  - a deadline, True/RolloutProgressing and no progress for more than deadline seconds since
 *    lastUpdateTime: False/ProgressDeadlineExceeded (progress later turns it True again);
 *  - else unchanged, with a requeue at the deadline while it runs.
 */
export function updateProgressing(
  conditions: readonly RolloutCondition[] | undefined,
  observation: RolloutObservation,
  now: number,
): ProgressingUpdate {
  const current = findCondition(conditions, progressingType);
  const { subject, revision } = observation;
  if (observation.paused) {
    const paused = newCondition(progressingType, 'Unknown', rolloutPausedReason, `${subject} is paused`, now);
    return { conditions: setCondition(conditions, paused), deadlineExceeded: false };
  }
  if (observation.complete) {
    const message = `${subject} has successfully rolled out revision ${revision}`;
    const complete = newCondition(progressingType, 'True', rolloutCompleteReason, message, now);
    return { conditions: setCondition(conditions, complete), deadlineExceeded: false };
  }
  // upstream DeploymentTimedOut: once a rollout completed, losing a pod later is not a stalled
  // rollout; only progress or a new generation (observation.progressed) starts the clock again.
  if (current?.reason === rolloutCompleteReason && !observation.progressed) return { conditions: conditions ?? [], deadlineExceeded: false };
  const restart = observation.progressed || current === undefined || current.reason === rolloutPausedReason;
  // Without a deadline nothing reads the progress clock: a rollout already reported as progressing
  // is left as it is, which spares a conditions write per step of the rollout.
  const clockUnread = observation.deadlineSeconds === undefined && current?.status === 'True' && current.reason === rolloutProgressingReason;
  if (restart && !clockUnread) {
    const message = `${subject} is progressing: rolling out revision ${revision}`;
    const progressing = newCondition(progressingType, 'True', rolloutProgressingReason, message, now);
    // Unlike setCondition, the same reason still moves lastUpdateTime: that is the progress clock.
    const kept = current?.status === 'True' ? { ...progressing, lastTransitionTime: current.lastTransitionTime } : progressing;
    const next = [...removeCondition(conditions, progressingType), kept];
    return withDeadline(next, kept, observation, now);
  }
  return withDeadline(conditions ?? [], current, observation, now);
}

function withDeadline(
  conditions: readonly RolloutCondition[],
  current: RolloutCondition,
  observation: RolloutObservation,
  now: number,
): ProgressingUpdate {
  const deadline = observation.deadlineSeconds;
  if (deadline === undefined || current.status !== 'True' || current.reason !== rolloutProgressingReason) {
    return { conditions, deadlineExceeded: false };
  }
  const since = Date.parse(current.lastUpdateTime ?? current.lastTransitionTime ?? '');
  const expiresAt = (Number.isNaN(since) ? now : since) + deadline * 1000;
  if (now <= expiresAt) return { conditions, deadlineExceeded: false, requeueAfterMs: Math.max(expiresAt - now + 1000, 1000) };
  const message = `${observation.subject} has not progressed for ${deadline} s rolling out revision ${observation.revision}`;
  const exceeded = newCondition(progressingType, 'False', progressDeadlineExceededReason, message, now);
  return { conditions: setCondition(conditions, exceeded), deadlineExceeded: true };
}

// ---------------------------------------------------------------------------------------------
// Automatic rollback

interface RolledBackObject extends KubeObject {
  readonly status?: RolloutControlStatus;
}

/** The rollback in force: status.rollback recorded for this very generation. */
export function activeRollback(obj: RolledBackObject): AutomaticRollback | undefined {
  const rollback = obj.status?.rollback;
  if (rollback === undefined || rollback === null) return undefined;
  return rollback.generation === (obj.metadata.generation ?? 0) ? rollback : undefined;
}

/** A rollback recorded for an older generation: the status write clears it and its condition. */
export function staleRollback(obj: RolledBackObject): boolean {
  const rollback = obj.status?.rollback;
  return rollback !== undefined && rollback !== null && activeRollback(obj) === undefined;
}

export interface RevisionRef {
  readonly name: string;
  readonly number: number;
}

export interface RollbackStart {
  readonly rollback: AutomaticRollback;
  /** RolledBack True, reason ProgressDeadlineExceeded. */
  readonly condition: RolloutCondition;
  /** One Warning Event with reason RolledBack and this message. */
  readonly message: string;
}

/**
 * Whether an automatic rollback starts now: spec.autoRollback, the deadline exceeded in this sync,
 * no rollback yet for this generation, and a stable revision other than the failed one (a first
 * rollout that fails has nothing to go back to).
 */
export function startRollback(input: {
  readonly obj: RolledBackObject;
  readonly autoRollback: boolean;
  readonly deadlineExceeded: boolean;
  readonly deadlineSeconds: number | undefined;
  readonly failed: RevisionRef;
  readonly stable: RevisionRef | undefined;
  readonly now: number;
}): RollbackStart | undefined {
  const { obj, failed, stable } = input;
  if (!input.autoRollback || !input.deadlineExceeded || stable === undefined || stable.name === failed.name) return undefined;
  if (activeRollback(obj) !== undefined) return undefined;
  const rollback: AutomaticRollback = {
    generation: obj.metadata.generation ?? 0,
    revision: stable.name,
    revisionNumber: stable.number,
    failedRevision: failed.name,
    failedRevisionNumber: failed.number,
  };
  const condition = rolledBackCondition(rollback, input.deadlineSeconds, input.now);
  return { rollback, condition, message: condition.message ?? '' };
}

/**
 * The RolledBack condition of `rollback` (also to set it again from status.rollback should its
 * write have failed after the record's, or someone have removed it).
 */
export function rolledBackCondition(rollback: AutomaticRollback, deadlineSeconds: number | undefined, now: number): RolloutCondition {
  const message =
    `rolled back from revision ${rollback.failedRevisionNumber} (${rollback.failedRevision}) to revision ${rollback.revisionNumber} (${rollback.revision}): ` +
    `no progress for ${deadlineSeconds ?? 0} s`;
  return newCondition(rolledBackType, 'True', progressDeadlineExceededReason, message, now);
}

/** The ControllerRevision named `name` as a RevisionRef; undefined when unnamed or not among `revisions`. */
export function controllerRevisionRef(name: string | undefined, revisions: readonly ControllerRevision[]): RevisionRef | undefined {
  if (name === undefined || name === '') return undefined;
  const revision = revisions.find((r) => r.metadata.name === name);
  return revision === undefined ? undefined : { name, number: revision.revision };
}

/** Warning recorded once when the revision a rollback in force returns to is gone. */
export const rollbackRevisionNotFoundReason = 'RollbackRevisionNotFound';

/**
 * The rollback in force and the template of the ControllerRevision it returns to (MyDaemonSet,
 * MyStatefulSet): undefined without a rollback; `template` undefined when that revision is gone or
 * holds no template (the sync then plans with the spec's).
 */
export function rollbackRevisionTemplate(
  obj: RolledBackObject,
  revisions: readonly ControllerRevision[],
): { readonly rollback: AutomaticRollback; readonly template: PodTemplateSpec | undefined } | undefined {
  const rollback = activeRollback(obj);
  if (rollback === undefined) return undefined;
  const revision = revisions.find((r) => r.metadata.name === rollback.revision);
  return { rollback, template: revision === undefined ? undefined : templateFromRevision(revision) };
}
