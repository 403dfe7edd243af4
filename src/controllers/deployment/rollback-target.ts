// Which template a pass runs while an automatic rollback is in force (docs/rollout-control.md):
// the planner is handed a copy of the MyDeployment whose template is the stable MyReplicaSet's, so
// finding the new RS, renumbering its revision, the RollingUpdate or Recreate steps and the status
// all work as after a `kubectl rollout undo` — except that nothing writes the spec (GitOps tools
// own it). The copy never leaves the planner: the executor writes status and annotations against
// the Deployment as read, and no action carries a template but the rollback.to one, which takes
// precedence over the automatic rollback and is never planned from the copy.
// upstream (the undo this mimics): pkg/controller/deployment/rollback.go rollbackToTemplate,
// util/deployment_util.go SetFromReplicaSetTemplate, SetDeploymentAnnotationsTo.
import type { PodTemplateSpec } from '../../api/core.ts';
import type { AutomaticRollback, MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { activeRollback, rollbackRevisionNotFoundReason } from '../shared/rollout-control.ts';
import { rollbackAnnotations, rollbackTo } from './annotations.ts';
import { withoutHashLabel } from './template-equality.ts';

/** Warning Event when the MyReplicaSet a rollback runs is gone (the spec's template is run again). */
export { rollbackRevisionNotFoundReason };

export type RollbackTarget =
  /** No automatic rollback in force, or a rollback.to request comes first: the spec's template. */
  | { readonly kind: 'spec' }
  /** The rollback's MyReplicaSet is owned: `deployment` is the copy to plan with. */
  | { readonly kind: 'rollback'; readonly deployment: MyDeployment; readonly rollback: AutomaticRollback }
  /** The rollback's MyReplicaSet no longer exists (or has no template): the rollback cannot go on. */
  | { readonly kind: 'missing'; readonly rollback: AutomaticRollback };

export function rollbackTarget(d: MyDeployment, replicaSets: readonly MyReplicaSet[]): RollbackTarget {
  const rollback = activeRollback(d);
  // rollback.to rewrites the spec from the template as stored, and compares against it.
  if (rollback === undefined || rollbackTo(d) !== undefined) return { kind: 'spec' };
  const rs = replicaSets.find((x) => x.metadata.name === rollback.revision);
  if (rs?.spec.template === undefined) return { kind: 'missing', rollback };
  return { kind: 'rollback', deployment: rolledBackCopy(d, rs, rs.spec.template), rollback };
}

/**
 * The Deployment as `kubectl rollout undo` to `rs` would leave it: the RS's template without
 * pod-template-hash, and its annotations as SetDeploymentAnnotationsTo gives them, so the copy of
 * the Deployment's annotations onto the new RS (SetNewReplicaSetAnnotations) does not stamp the
 * failed revision's change-cause on the stable one. Spec otherwise, metadata and status as read.
 */
function rolledBackCopy(d: MyDeployment, rs: MyReplicaSet, template: PodTemplateSpec): MyDeployment {
  return {
    ...d,
    metadata: { ...d.metadata, annotations: rollbackAnnotations(d, rs) },
    spec: { ...d.spec, template: withoutHashLabel(template) },
  };
}

/** The Warning Event's message when the rollback's MyReplicaSet is gone. */
export function rollbackRevisionNotFoundMessage(rollback: AutomaticRollback): string {
  return `cannot roll back to revision ${rollback.revisionNumber} (${rollback.revision}): no such MyReplicaSet; running the spec's template`;
}
