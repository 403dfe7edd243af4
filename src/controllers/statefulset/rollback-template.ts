// The automatic rollback's half of planning (docs/rollout-control.md): while status.rollback is in
// force, a sync plans with the rollback revision's template in place of the spec's, without
// writing the spec (GitOps tools own it). Revisions then resolve as after `kubectl rollout undo`
// (resolveStatefulSetRevisions renumbers that revision as the newest and makes it the update
// revision) and the rolling update brings every pod back. Pure.
// upstream (what the swap imitates): staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go
// StatefulSetRollbacker, which patches the spec with the revision's data.
import type { ControllerRevision } from '../../api/core.ts';
import type { AutomaticRollback, MyStatefulSet } from '../../api/workloads.ts';
import { rollbackRevisionNotFoundReason, rollbackRevisionTemplate } from '../shared/rollout-control.ts';
import type { EventOnceAction } from './actions.ts';

export { rollbackRevisionNotFoundReason };

export interface PlannedTemplate {
  /** The set to plan with: `set` itself, or a copy whose spec.template is the rollback revision's. */
  readonly set: MyStatefulSet;
  /**
   * The revision the rollback in force moves away from, when the swap was made: its pods that
   * are not Ready are replaced (abandoned-revision.ts), the forced rollback upstream leaves to users.
   */
  readonly failedRevision: string | undefined;
  /** The Warning for a rollback revision that is gone (the sync then plans with the spec). */
  readonly notice: EventOnceAction | undefined;
}

/**
 * The template a sync plans with. `revisions`: those the sync listed. A rollback whose revision is
 * gone (deleted by hand; history truncation keeps it) or holds no template cannot be applied: the
 * spec's template is planned, status.rollback stays (a new generation ends it as always), and one
 * Warning per generation says so, not one per sync.
 */
export function templateToPlan(set: MyStatefulSet, revisions: readonly ControllerRevision[]): PlannedTemplate {
  const found = rollbackRevisionTemplate(set, revisions);
  if (found === undefined) return { set, failedRevision: undefined, notice: undefined };
  const { rollback, template } = found;
  if (template === undefined) return { set, failedRevision: undefined, notice: revisionNotFound(set, rollback) };
  return { set: { ...set, spec: { ...set.spec, template } }, failedRevision: rollback.failedRevision, notice: undefined };
}

function revisionNotFound(set: MyStatefulSet, rollback: AutomaticRollback): EventOnceAction {
  return {
    kind: 'eventOnce',
    notice: `${set.metadata.uid ?? ''}/${rollback.generation}/${rollback.revision}`,
    event: {
      kind: 'event',
      type: 'Warning',
      reason: rollbackRevisionNotFoundReason,
      message:
        `cannot roll back to revision ${rollback.revisionNumber} (${rollback.revision}): no such ControllerRevision; ` +
        `running the spec's template until the next change of the spec`,
    },
  };
}
