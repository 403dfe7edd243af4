// What a sync plans with while an automatic rollback is in force (docs/rollout-control.md): the
// MyDaemonSet with the stable revision's template in place of the spec's, never written back (GitOps
// tools own the spec). Everything downstream — history, the rolling update, the counts — then runs
// as after a `kubectl rollout undo`: constructHistory finds the stable revision equal to the
// template and renumbers it as the newest. Pure.
// upstream (the undo this mirrors): k8s.io/kubectl pkg/polymorphichelpers/rollback.go
// DaemonSetRollbacker, which patches the revision's data (the whole template) into the spec.
import type { ControllerRevision } from '../../api/core.ts';
import type { AutomaticRollback, MyDaemonSet } from '../../api/workloads.ts';
import { rollbackRevisionNotFoundReason, rollbackRevisionTemplate } from '../shared/rollout-control.ts';

export type RollbackTarget =
  /** No rollback in force: the spec's template. */
  | { readonly kind: 'spec' }
  /** Plan with `ds`, a copy carrying the rollback revision's template. */
  | { readonly kind: 'rollback'; readonly ds: MyDaemonSet; readonly rollback: AutomaticRollback }
  /** The revision to roll back to is gone (or unreadable): the spec's template, and a Warning. */
  | { readonly kind: 'revisionNotFound'; readonly rollback: AutomaticRollback };

export { rollbackRevisionNotFoundReason };

export function rollbackTarget(ds: MyDaemonSet, revisions: readonly ControllerRevision[]): RollbackTarget {
  const found = rollbackRevisionTemplate(ds, revisions);
  if (found === undefined) return { kind: 'spec' };
  const { rollback, template } = found;
  if (template === undefined) return { kind: 'revisionNotFound', rollback };
  return { kind: 'rollback', ds: { ...ds, spec: { ...ds.spec, template } }, rollback };
}

/** The Warning's message when the revision is gone. */
export function rollbackRevisionNotFoundMessage(rollback: AutomaticRollback): string {
  return `cannot roll back to revision ${rollback.revisionNumber} (${rollback.revision}): no such ControllerRevision; running the spec's template`;
}
