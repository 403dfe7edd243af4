// The MyDeployment planner: one pass of upstream's syncDeployment as a pure function from what the
// caches hold to the writes to make, in order (actions.ts says what the executor does with each).
//
//   selects everything? ─► SelectingAll Warning (+ observedGeneration) ─► done
//   automatic rollback in force? ─► plan with the stable RS's template (rollback-target.ts);
//                                   its RS gone ─► end the rollback (status, Warning), plan the spec
//   being deleted?      ─► sync the revision, write status ─► done
//   Paused/Resumed condition
//   new RS: sync its annotations and revision (an RS update ends the pass)
//   paused?             ─► sync: scale, clean up history, write status
//   rollback.to set?    ─► rollback (creates the new RS first), clear the annotation
//   scaling event?      ─► sync: scale, write status (no rollout, no Progressing)
//   Recreate | RollingUpdate rollout ─► status with Progressing (+ requeue at the deadline),
//                                       stableRevision, an automatic rollback's start
//
// Controller-applied defaults (the schema defaults most of them): strategy RollingUpdate with
// maxSurge/maxUnavailable 25% (fenceposts.ts, for RollingUpdate only, never written back),
// paused false, minReadySeconds 0, progressDeadlineSeconds absent = no deadline,
// revisionHistoryLimit absent = no cleanup, replicas absent = 1.
//
// upstream: pkg/controller/deployment/deployment_controller.go syncDeployment, and sync.go
// (syncStatusOnly, sync, isScalingEvent). The automatic rollback is ours (docs/rollout-control.md).
import { isBeingDeleted } from '../../api/meta.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import type { DeploymentAction } from './actions.ts';
import { isScalingEvent, rollbackTo } from './annotations.ts';
import { endMissingRollback } from './auto-rollback.ts';
import { effectiveStrategy, strategyTypeError } from './fenceposts.ts';
import type { DeploymentSnapshot, Pass } from './pass.ts';
import { startPass, withNewReplicaSet } from './pass.ts';
import { rolloutRecreate } from './recreate.ts';
import { findOldReplicaSets } from './replica-sets.ts';
import { rollback } from './rollback.ts';
import { rollbackTarget } from './rollback-target.ts';
import { rolloutRolling } from './rolling.ts';
import { checkPausedConditions, cleanupDeployment, findAndSyncNewReplicaSet, scale, syncDeploymentStatus } from './sync.ts';

export type { DeploymentAction } from './actions.ts';
export type { DeploymentSnapshot } from './pass.ts';

export const selectingAllReason = 'SelectingAll';
export const selectingAllMessage = 'This deployment is selecting all pods. A non-empty selector is required.';

/** One pass of syncDeployment. `now`: epoch ms. */
export function plan(snapshot: DeploymentSnapshot, now: number): readonly DeploymentAction[] {
  const d = snapshot.deployment;
  if (selectorIsEmpty(d.spec.selector)) return selectingAll(d);
  const target = rollbackTarget(d, snapshot.replicaSets);
  const pass = startPass(target.kind === 'rollback' ? { ...snapshot, deployment: target.deployment } : snapshot, now);
  if (target.kind === 'missing') endMissingRollback(pass, target.rollback);
  syncDeployment(pass);
  return pass.actions;
}

/**
 * An empty selector (validation forbids it) would claim every RS in the namespace: Warn, and
 * observe the generation so that `rollout status` does not wait forever.
 */
function selectingAll(d: MyDeployment): DeploymentAction[] {
  const actions: DeploymentAction[] = [{ kind: 'event', type: 'Warning', reason: selectingAllReason, message: selectingAllMessage }];
  const generation = d.metadata.generation ?? 0;
  if ((d.status?.observedGeneration ?? 0) < generation) actions.push({ kind: 'writeStatus', status: { ...d.status, observedGeneration: generation } });
  return actions;
}

function syncDeployment(pass: Pass): void {
  const { d } = pass;
  if (isBeingDeleted(d)) return syncStatusOnly(pass);
  checkPausedConditions(pass);

  // Every branch below starts with getAllReplicaSetsAndSyncRevision; its effect on an existing
  // new RS is the same in each, so it runs once, here.
  const found = findAndSyncNewReplicaSet(pass);
  if (found.kind === 'ended') return;
  const newRS = found.rs;

  if (d.spec.paused === true) return sync(pass, newRS);
  // Not re-entrant: no RS is touched until the annotation is cleared (rollback.go).
  if (rollbackTo(d) !== undefined) return rollback(pass, newRS);
  if (isScalingEvent(pass.d, pass.snapshot.replicaSets)) return sync(pass, newRS);

  // The schema's enum keeps other types out; upstream fails the sync on one.
  const unexpected = strategyTypeError(d);
  if (unexpected !== undefined) pass.actions.push({ kind: 'syncError', message: unexpected });
  else if (effectiveStrategy(d).type === 'Recreate') rolloutRecreate(pass, newRS);
  else rolloutRolling(pass, newRS);
}

/** sync.go syncStatusOnly: a Deployment being deleted only has its revision and status synced. */
function syncStatusOnly(pass: Pass): void {
  const found = findAndSyncNewReplicaSet(pass);
  if (found.kind === 'ended') return;
  syncDeploymentStatus(pass, withNewReplicaSet(oldReplicaSets(pass, found.rs), found.rs), found.rs);
}

/**
 * sync.go sync, for paused Deployments and scaling events: scale (proportionally), clean up
 * history while paused (unless a rollback waits), write status without a Progressing estimate.
 */
function sync(pass: Pass, newRS: MyReplicaSet | undefined): void {
  const olds = oldReplicaSets(pass, newRS);
  scale(pass, newRS, olds);
  if (pass.d.spec.paused === true && rollbackTo(pass.d) === undefined) cleanupDeployment(pass, olds);
  syncDeploymentStatus(pass, withNewReplicaSet(olds, newRS), newRS);
}

function oldReplicaSets(pass: Pass, newRS: MyReplicaSet | undefined): MyReplicaSet[] {
  return findOldReplicaSets(pass.d, pass.snapshot.replicaSets, newRS).all;
}
