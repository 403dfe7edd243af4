// `kubectl rollout history KIND/NAME --revision N` for our kinds: which pod template a revision
// shows, and the whole output around it. Pure: main.ts reads the revisions and prints the lines.
//
// What each kind shows (upstream: kubectl pkg/polymorphichelpers/history.go):
// - MyDeployment (DeploymentHistoryViewer): the MyReplicaSet's template, pod-template-hash label
//   included, with the MyReplicaSet's change-cause written over the template's own
//   `kubernetes.io/change-cause` annotation when it has one (deployment-rollout.ts deploymentHistory).
// - MyDaemonSet, MyStatefulSet (printHistory with applyDaemonSetHistory/applyStatefulSetHistory):
//   the ControllerRevision's data strategic-merged onto the object. The data replaces the whole
//   template (`$patch: replace`), so the revision's template is shown as stored; the change-cause
//   on the ControllerRevision is not part of it and does not show. Data without a template leaves
//   the object's own template.
//
// And the frame (pkg/cmd/rollout/rollout_history.go Run): the name printer prints
// `<object> with revision #N`, a newline, then the viewer's text, then a newline; describe's text
// ends in a newline, so the output ends with an empty line. With no revision at all the text is
// `No rollout history found.` (checked before the revision is looked up); an unknown revision is
// an error.
import type { PodTemplateSpec } from '../api/core.ts';
import { describePodTemplate } from './describe/pod-template.ts';
import type { HistoryRevision } from './history-table.ts';

export type RevisionView =
  /** Print these lines (the last one empty when a template is shown). */
  | { readonly kind: 'printed'; readonly lines: readonly string[] }
  /** kubectl fails with `error: <message>`. */
  | { readonly kind: 'failed'; readonly message: string };

export interface RevisionRequest {
  /** The object as kubectl names it: `mydeployment.apps.my.dev/web`. */
  readonly label: string;
  readonly revisions: readonly HistoryRevision[];
  /** The --revision asked for, > 0. */
  readonly revision: bigint;
  /**
   * What a revision holding no template shows: the workload's own template for a ControllerRevision
   * (the merge patch leaves it alone); undefined for a MyReplicaSet (kubectl shows the zero template).
   */
  readonly templateWhenUnset: PodTemplateSpec | undefined;
}

export function viewRevision(request: RevisionRequest): RevisionView {
  const { label, revisions, revision, templateWhenUnset } = request;
  const header = `${label} with revision #${revision}`;
  if (revisions.length === 0) return { kind: 'printed', lines: [header, 'No rollout history found.'] };
  // kubectl keys revisions by number in a map, so of two with one number the one it saw last wins.
  const shown = revisions.findLast((r) => r.revision === revision);
  if (shown === undefined) return { kind: 'failed', message: 'unable to find the specified revision' };
  const text = `${header}\n${describePodTemplate(shown.template ?? templateWhenUnset)}`;
  return { kind: 'printed', lines: text.split('\n') };
}
