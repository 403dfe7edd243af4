// `kubectl my rollout status` with rollout control (docs/rollout-control.md): kubectl's rules for
// each kind (src/api/rollout-status.ts, deployment-rollout.ts), and before them what kubectl
// cannot know about our kinds — an automatic rollback in force, a MyDaemonSet or MyStatefulSet
// past its progress deadline, a paused one, a MyDaemonSet canary (partition or node selector), and
// a MyStatefulSet's claims growing to their template's storage request (claim-growth-status.ts).
// Pure: main.ts follows the object and prints.
//
// The order of the checks: a rollback in force first (a fact about this very generation); then, as
// kubectl's DeploymentStatusViewer does, nothing but "waiting for the spec to be observed" until
// the controller has seen the generation, so that no condition of an older generation is read;
// then the deadline, and claims that cannot grow; then the counts, and last the claims' growth.
import { daemonSetRolloutStatus, statefulSetRolloutStatus } from '../api/rollout-status.ts';
import type { KubeObject } from '../api/meta.ts';
import type { MyDaemonSet, MyDeployment, MyStatefulSet, RolloutCondition, RolloutControlStatus } from '../api/workloads.ts';
import {
  activeRollback,
  findCondition,
  progressDeadlineExceededReason,
  progressingType,
  rolledBackType,
  rolloutCompleteReason,
} from '../controllers/shared/rollout-control.ts';
import { claimGrowthStatus } from './claim-growth-status.ts';
import { deploymentRolloutStatusAt } from './deployment-rollout.ts';
import type { FollowedStatus } from './follow-rollout.ts';
import { kubectlNoun, shortName, type TargetKind } from './target.ts';

interface Controlled extends KubeObject {
  readonly status?: RolloutControlStatus & {
    readonly observedGeneration?: number;
    readonly conditions?: readonly RolloutCondition[];
  };
}

/**
 * A rollback in force (status.rollback recorded for this generation) with its RolledBack condition
 * True is a failed rollout: the condition's message is printed, then `<noun> "NAME" rolled back to
 * revision N` is the error. The MyDaemonSet controller writes status.rollback and the condition in
 * one patch, the MyDeployment controller in one status update, but the MyStatefulSet controller
 * writes the conditions first and status.rollback next, and a RolledBack condition may have been
 * removed by someone: without it the rollback is reported as under way and the condition awaited,
 * so the message printed is always the condition's (the other half: deadlineExceeded).
 */
function rolledBack(kind: TargetKind, obj: Controlled): FollowedStatus | undefined {
  const rollback = activeRollback(obj);
  if (rollback === undefined) return undefined;
  const name = obj.metadata.name ?? '';
  const condition = findCondition(obj.status?.conditions, rolledBackType);
  if (condition?.status !== 'True') {
    return {
      kind: 'progressing',
      message: `Waiting for ${kubectlNoun(kind)} "${name}" rollout to finish: rolling back to revision ${rollback.revisionNumber}...`,
    };
  }
  const detail =
    condition.message ||
    `rolled back from revision ${rollback.failedRevisionNumber} (${rollback.failedRevision}) to revision ${rollback.revisionNumber} (${rollback.revision})`;
  return { kind: 'failed', message: `${kubectlNoun(kind)} "${name}" rolled back to revision ${rollback.revisionNumber}`, detail };
}

/** The controller has written status for this generation (kubectl: observedGeneration ≥ generation). */
function observed(obj: Controlled): boolean {
  return (obj.status?.observedGeneration ?? 0) >= (obj.metadata.generation ?? 0);
}

/**
 * kubectl's Deployment rule, for our kinds' own Progressing condition. A RolledBack condition next
 * to it, without the rollback in status, is a rollback being recorded (the MyStatefulSet controller
 * writes the conditions first and status.rollback next): it is awaited, not reported as a deadline.
 */
function deadlineExceeded(kind: TargetKind, obj: Controlled): FollowedStatus | undefined {
  const progressing = findCondition(obj.status?.conditions, progressingType);
  if (progressing?.reason !== progressDeadlineExceededReason) return undefined;
  const name = obj.metadata.name ?? '';
  if (findCondition(obj.status?.conditions, rolledBackType)?.status === 'True') {
    return { kind: 'progressing', message: `Waiting for ${kubectlNoun(kind)} "${name}" rollout to finish: rolling back...` };
  }
  return { kind: 'failed', message: `${kubectlNoun(kind)} "${name}" exceeded its progress deadline` };
}

/**
 * A paused rollout waits (kubectl waits on a paused Deployment too), saying why and how to go on.
 * One line, whatever the counts do meanwhile: pods created on new nodes or for missing ordinals
 * would otherwise reprint it.
 */
function paused(kind: TargetKind, obj: Controlled): FollowedStatus {
  const name = obj.metadata.name ?? '';
  return {
    kind: 'progressing',
    message: `Waiting for ${kubectlNoun(kind)} "${name}" rollout to finish: the rollout is paused (kubectl my rollout resume ${shortName(kind)}/${name})...`,
  };
}

/**
 * A MyDaemonSet canary: with a partition or a rollingUpdate.selector, kubectl's "every desired pod
 * updated" never comes. Complete is the controller's Progressing True/RolloutComplete (every node
 * the update may touch updated, every pod available), checked against the counts it can be checked
 * against, in kubectl's StatefulSet partition words. How many nodes a selector matches needs the
 * Node list, which a namespaced user may not read: with a selector the target count is not shown,
 * and at least one updated pod is asked for (a selector matching no node never completes here).
 */
function partitionedDaemonSet(ds: MyDaemonSet): FollowedStatus | undefined {
  const rollingUpdate = ds.spec.updateStrategy?.rollingUpdate;
  const partition = rollingUpdate?.partition ?? 0;
  const selector = rollingUpdate?.selector;
  if (partition <= 0 && selector === undefined) return undefined;
  const status = ds.status ?? {};
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  // Without a selector the nodes to update are all the desired ones but the partition's.
  const target = selector === undefined ? Math.max(0, desired - partition) : undefined;
  const progressing = findCondition(status.conditions, progressingType);
  const complete = progressing?.status === 'True' && progressing.reason === rolloutCompleteReason;
  // The counts must agree with the condition: the controller writes them (and observedGeneration)
  // before the conditions, so right after a new spec RolloutComplete may still be the previous
  // rollout's, while the counts already are of the new one (no pod updated yet).
  const updatedEnough = target === undefined ? updated > 0 || desired === 0 : updated >= target;
  if (complete && available >= desired && updatedEnough) {
    return { kind: 'done', message: `partitioned roll out complete: ${updated} new pods have been updated...` };
  }
  if (ds.spec.paused === true) return paused('MyDaemonSet', ds);
  const waiting = 'Waiting for partitioned roll out to finish:';
  if (target === undefined) return { kind: 'progressing', message: `${waiting} ${updated} new pods have been updated...` };
  if (updated < target) return { kind: 'progressing', message: `${waiting} ${updated} out of ${target} new pods have been updated...` };
  return { kind: 'progressing', message: `${waiting} ${available} of ${desired} pods are available...` };
}

export function daemonSetStatus(ds: MyDaemonSet): FollowedStatus {
  const back = rolledBack('MyDaemonSet', ds);
  if (back) return back;
  const kubectl = daemonSetRolloutStatus(ds);
  if (kubectl.kind === 'unsupported' || !observed(ds)) return kubectl;
  const late = deadlineExceeded('MyDaemonSet', ds);
  if (late) return late;
  const partitioned = partitionedDaemonSet(ds);
  if (partitioned) return partitioned;
  if (kubectl.kind === 'done' || ds.spec.paused !== true) return kubectl;
  return paused('MyDaemonSet', ds);
}

export function statefulSetStatus(sts: MyStatefulSet): FollowedStatus {
  const back = rolledBack('MyStatefulSet', sts);
  if (back) return back;
  const kubectl = statefulSetRolloutStatus(sts);
  if (kubectl.kind === 'unsupported' || !observed(sts)) return kubectl;
  const late = deadlineExceeded('MyStatefulSet', sts);
  if (late) return late;
  // Claims grow whatever the pods do (paused, partitioned): a refusal is final, growth is awaited
  // once the pods are rolled out, so kubectl's lines come first.
  const claims = claimGrowthStatus(sts);
  if (claims?.kind === 'failed') return claims;
  if (kubectl.kind !== 'done') return sts.spec.paused === true ? paused('MyStatefulSet', sts) : kubectl;
  return claims ?? kubectl;
}

/** A MyDeployment: kubectl's rules (--revision included) once no rollback is in force. */
export function deploymentStatus(d: MyDeployment, revision: bigint): FollowedStatus {
  return rolledBack('MyDeployment', d) ?? deploymentRolloutStatusAt(d, revision);
}
