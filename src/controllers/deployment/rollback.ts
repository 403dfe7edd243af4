// The rollback the deprecated `deprecated.deployment.rollback.to` annotation asks for: copy the
// template (and annotations) of the RS with that revision back into the Deployment, and clear the
// request whatever the outcome. upstream: pkg/controller/deployment/rollback.go.
import type { MyReplicaSet } from '../../api/workloads.ts';
import { lastRevision, revisionOf, rollbackAnnotations, rollbackTo, rollbackToAnnotation } from './annotations.ts';
import type { Pass } from './pass.ts';
import { recordEvent } from './pass.ts';
import { findOldReplicaSets } from './replica-sets.ts';
import { getOrCreateNewReplicaSet } from './sync.ts';
import { templatesEqualIgnoringHash, withoutHashLabel } from './template-equality.ts';

export const rollbackDoneReason = 'DeploymentRollback';
export const rollbackRevisionNotFoundReason = 'DeploymentRollbackRevisionNotFound';
export const rollbackTemplateUnchangedReason = 'DeploymentRollbackTemplateUnchanged';

/**
 * rollback.go rollback: the new RS is created first if missing; revision 0 means the one before
 * the latest (LastRevision). Events: Warning DeploymentRollbackRevisionNotFound when there is no
 * such RS, Warning DeploymentRollbackTemplateUnchanged when its template is the current one,
 * Normal DeploymentRollback after the Deployment was rolled back.
 */
export function rollback(pass: Pass, existing: MyReplicaSet | undefined): void {
  const olds = findOldReplicaSets(pass.d, pass.snapshot.replicaSets, existing).all;
  const result = getOrCreateNewReplicaSet(pass, existing);
  if (result.kind === 'ended' || result.rs === undefined) return;
  const all = [...olds, result.rs];

  let revision = rollbackTo(pass.d) ?? 0n;
  if (revision === 0n) {
    revision = lastRevision(all);
    if (revision === 0n) {
      recordEvent(pass, 'Warning', rollbackRevisionNotFoundReason, 'Unable to find last revision.');
      clearRollbackTo(pass);
      return;
    }
  }
  const target = all.find((rs) => revisionOf(rs) === revision);
  if (target === undefined) {
    recordEvent(pass, 'Warning', rollbackRevisionNotFoundReason, 'Unable to find the revision to rollback to.');
    clearRollbackTo(pass);
    return;
  }
  rollbackToTemplate(pass, target, revision);
}

/** rollback.go rollbackToTemplate. */
function rollbackToTemplate(pass: Pass, rs: MyReplicaSet, revision: bigint): void {
  const name = pass.d.metadata.name ?? '';
  // An RS without a template (the schema requires one) counts as unchanged: rolling back to an
  // empty template could only fail validation.
  if (rs.spec.template === undefined || templatesEqualIgnoringHash(pass.d.spec.template, rs.spec.template)) {
    recordEvent(pass, 'Warning', rollbackTemplateUnchangedReason, `The rollback revision contains the same template as current deployment "${name}"`);
    clearRollbackTo(pass);
    return;
  }
  // util.go SetFromReplicaSetTemplate and SetDeploymentAnnotationsTo.
  pass.actions.push({
    kind: 'rollbackDeployment',
    template: withoutHashLabel(rs.spec.template),
    annotations: withoutRollbackTo(rollbackAnnotations(pass.d, rs)),
  });
  recordEvent(pass, 'Normal', rollbackDoneReason, `Rolled back deployment "${name}" to revision ${revision}`);
}

/** rollback.go updateDeploymentAndClearRollbackTo with nothing else changed. */
function clearRollbackTo(pass: Pass): void {
  pass.actions.push({ kind: 'rollbackDeployment', template: undefined, annotations: withoutRollbackTo(pass.d.metadata.annotations ?? {}) });
}

function withoutRollbackTo(annotations: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => key !== rollbackToAnnotation));
}

