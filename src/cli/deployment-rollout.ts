// What `kubectl rollout status|history|undo` decide for a Deployment, for a MyDeployment and the
// MyReplicaSets it controls (upstream: kubectl pkg/polymorphichelpers/rollout_status.go
// DeploymentStatusViewer, history.go DeploymentHistoryViewer, rollback.go DeploymentRollbacker).
// Pure: main.ts reads the objects and writes the patch. Revision numbers, the rollback annotations
// and template equality are the MyDeployment controller's own helpers, so the CLI and the
// controller cannot disagree on them.
import { controllerOf } from '../api/meta.ts';
import { deploymentRolloutStatus, type RolloutStatus } from '../api/rollout-status.ts';
import type { MyDeployment, MyReplicaSet } from '../api/workloads.ts';
import { changeCauseAnnotation, lastRevision, revisionAnnotation, revisionOf, rollbackAnnotations } from '../controllers/deployment/annotations.ts';
import { templatesEqualIgnoringHash, withoutHashLabel } from '../controllers/deployment/template-equality.ts';
import type { HistoryRevision } from './history-table.ts';

/** The MyReplicaSets whose controller reference is `d` (upstream deploymentutil.GetAllReplicaSets, by UID). */
export function controlledReplicaSets(d: MyDeployment, rss: readonly MyReplicaSet[]): MyReplicaSet[] {
  const uid = d.metadata.uid;
  return uid === undefined ? [] : rss.filter((rs) => controllerOf(rs)?.uid === uid);
}

/** Go's strconv.ParseInt error for the revision annotation, as kubectl prints it. */
function revisionParseError(value: string): string {
  const problem = /^[+-]?[0-9]+$/.test(value) ? 'value out of range' : 'invalid syntax';
  return `strconv.ParseInt: parsing ${JSON.stringify(value)}: ${problem}`;
}

/**
 * kubectl rollout status --revision: with `revision` > 0, the MyDeployment must be at that
 * revision, else the status is an error; then kubectl's Deployment rules (src/api/rollout-status.ts).
 */
export function deploymentRolloutStatusAt(d: MyDeployment, revision: bigint): RolloutStatus {
  if (revision > 0n) {
    const current = revisionOf(d);
    if (current === undefined) {
      const value = d.metadata.annotations?.[revisionAnnotation] ?? '';
      return { kind: 'failed', message: `cannot get the revision of deployment "${d.metadata.name ?? ''}": ${revisionParseError(value)}` };
    }
    if (current !== revision) {
      return { kind: 'failed', message: `desired revision (${revision}) is different from the running revision (${current})` };
    }
  }
  return deploymentRolloutStatus(d);
}

/**
 * upstream DeploymentHistoryViewer (GetHistory, ViewHistory): each revision with its MyReplicaSet's
 * change-cause and pod template, the change-cause also added to the template's annotations as
 * kubectl shows it. A MyReplicaSet whose revision does not parse is left out (kubectl warns and
 * skips it); of two with one revision, the later one listed wins.
 */
export function deploymentHistory(rss: readonly MyReplicaSet[]): HistoryRevision[] {
  const byRevision = new Map<bigint, MyReplicaSet>();
  for (const rs of rss) {
    const revision = revisionOf(rs);
    if (revision !== undefined) byRevision.set(revision, rs);
  }
  return [...byRevision].map(([revision, rs]) => {
    const changeCause = rs.metadata.annotations?.[changeCauseAnnotation];
    const template = rs.spec.template;
    const shown =
      template && changeCause
        ? { ...template, metadata: { ...template.metadata, annotations: { ...template.metadata?.annotations, [changeCauseAnnotation]: changeCause } } }
        : template;
    return { revision, changeCause, template: shown };
  });
}

/** One operation of an RFC 6902 JSON patch. */
export interface JsonPatchOperation {
  readonly op: 'replace';
  readonly path: string;
  readonly value: unknown;
}

export type DeploymentRollback =
  /** kubectl stops with this error (exit 1). */
  | { readonly kind: 'refused'; readonly message: string }
  /** Nothing to do; kubectl prints `<object> <message>` and succeeds. */
  | { readonly kind: 'skipped'; readonly message: string }
  /** Apply this JSON patch to the MyDeployment, then print `<object> rolled back`. */
  | { readonly kind: 'patch'; readonly operations: readonly JsonPatchOperation[] };

/**
 * upstream DeploymentRollbacker.Rollback for `d` and the MyReplicaSets it controls. toRevision 0
 * means the previous revision: the second highest (LastRevision; a MyReplicaSet without revision
 * annotation counts as none here, where kubectl would take it as revision 0). The patch replaces
 * the template (pod-template-hash removed) and the annotations (SetDeploymentAnnotationsTo), and
 * sets resourceVersion to the one read, which the API server takes as a precondition: a MyDeployment
 * changed since it was read makes the patch fail with 409 Conflict instead of silently undoing that
 * change (a JSON-patch `test` would fail too, but as a 422 that reads like invalid input).
 */
export function deploymentRollback(d: MyDeployment, rss: readonly MyReplicaSet[], toRevision: bigint): DeploymentRollback {
  const name = d.metadata.name ?? '';
  const revision = toRevision === 0n ? lastRevision(rss) : toRevision;
  const rs = revision === 0n ? undefined : rss.find((candidate) => revisionOf(candidate) === revision);
  if (rs === undefined) {
    return {
      kind: 'refused',
      message: toRevision === 0n ? `no rollout history found for deployment "${name}"` : `unable to find specified revision ${toRevision} in history`,
    };
  }
  if (d.spec.paused === true) {
    return { kind: 'refused', message: "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again" };
  }
  // kubectl prints the revision asked for: 0 when undoing to the previous one.
  if (templatesEqualIgnoringHash(rs.spec.template, d.spec.template)) {
    return { kind: 'skipped', message: `skipped rollback (current template already matches revision ${toRevision})` };
  }
  if (rs.spec.template === undefined) return { kind: 'refused', message: `revision ${revision} holds no pod template` };
  return {
    kind: 'patch',
    operations: [
      { op: 'replace', path: '/metadata/resourceVersion', value: d.metadata.resourceVersion ?? '' },
      { op: 'replace', path: '/spec/template', value: withoutHashLabel(rs.spec.template) },
      { op: 'replace', path: '/metadata/annotations', value: rollbackAnnotations(d, rs) },
    ],
  };
}
