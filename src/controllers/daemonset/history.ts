// MyDaemonSet ControllerRevision history: find or create the revision of the current template,
// renumber it on rollback, drop duplicates, and trim old ones. Pure; returns actions.
// upstream: pkg/controller/daemon/update.go (constructHistory, dedupCurHistories, snapshot,
// cleanupHistory).
import type { ControllerRevision, Pod } from '../../api/core.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import {
  buildRevision,
  controllerRevisionHashLabel,
  equalRevisions,
  equivalentRevisions,
  nextRevisionNumber,
  oldestDeletable,
  sortRevisions,
} from '../history/revisions.ts';
import type { DaemonSetAction } from './actions.ts';
import { nodeToDaemonPods } from './daemon-pods.ts';
import { daemonSetOwner, revisionHistoryLimit } from './spec-defaults.ts';

export interface DaemonSetHistory {
  /** `controller-revision-hash` of the current revision: pods carrying it are up to date. */
  readonly hash: string;
  /** The current revision as it is once the actions are done. */
  readonly current: ControllerRevision;
  /** The other owned revisions (duplicates of the current one excluded): cleanup candidates. */
  readonly old: readonly ControllerRevision[];
  /** The pods with the relabelling applied. */
  readonly pods: readonly Pod[];
  /** In order: label fixes, then create — or relabel pods, delete duplicates, renumber. */
  readonly actions: readonly DaemonSetAction[];
}

function hashOf(revision: ControllerRevision): string {
  return revision.metadata.labels?.[controllerRevisionHashLabel] ?? '';
}

/**
 * upstream: constructHistory. A revision without the hash label gets its own name as the label
 * (no recomputation, so collisions can't matter). The current revision is the one whose data
 * equals the template's patch; none → create it numbered max(old) + 1; several → keep the highest
 * and delete the others, relabelling first every pod that doesn't carry the kept hash; found with
 * a number below max(old) + 1 (a rollback) → only its number is raised, so pods keep their hash.
 *
 * Ours, for DaemonSets moved from apps/v1 (orphan-deleted, then applied as a MyDaemonSet): when no
 * revision's data equals the template, the newest revision whose template is equivalent to ours
 * once both are defaulted as apps/v1 does (history/revisions.ts equivalentRevisions) is the current
 * one: kube-controller-manager's revision, with its name and its hash, which its pods carry, so
 * they count as up to date and none is replaced. Upstream finds that revision by byte equality
 * (Match) because its template is defaulted on the way in; ours is not. Nothing is relabelled nor
 * deleted for it: upstream's dedupCurHistories removes only revisions equal to the current data,
 * so several equivalent revisions (two spellings of one template, as an apps/v1 DaemonSet never
 * stores them) stay as old history, trimmed by revisionHistoryLimit like any other; and an exact
 * match, when there is one, wins over an equivalent revision even if the latter is newer (the
 * pods of the equivalent one are then rolled, as before).
 */
export function constructHistory(
  ds: MyDaemonSet,
  revisions: readonly ControllerRevision[],
  pods: readonly Pod[],
): DaemonSetHistory {
  const actions: DaemonSetAction[] = [];
  const labelled = sortRevisions(revisions).map((revision) => {
    if (Object.hasOwn(revision.metadata.labels ?? {}, controllerRevisionHashLabel)) return revision;
    const hash = revision.metadata.name ?? '';
    actions.push({ kind: 'labelRevision', revision, hash });
    return {
      ...revision,
      metadata: { ...revision.metadata, labels: { ...revision.metadata.labels, [controllerRevisionHashLabel]: hash } },
    };
  });
  const equal = equalRevisions(labelled, ds.spec.template);
  const currentRevisions = equal.length > 0 ? equal : equivalentRevisions(labelled, ds.spec.template).slice(-1);
  const old = labelled.filter((revision) => !currentRevisions.includes(revision));
  const currRevision = nextRevisionNumber(old);

  const keep = currentRevisions.at(-1);
  if (keep === undefined) {
    const created = buildRevision({
      owner: daemonSetOwner(ds),
      namespace: ds.metadata.namespace ?? '',
      ownerAnnotations: ds.metadata.annotations,
      template: ds.spec.template,
      revision: currRevision,
      collisionCount: ds.status?.collisionCount,
      hashLabel: controllerRevisionHashLabel,
    });
    actions.push({ kind: 'createRevision', revision: created });
    return { hash: hashOf(created), current: created, old, pods, actions };
  }

  // upstream: dedupCurHistories
  const hash = hashOf(keep);
  let relabelledPods = pods;
  if (currentRevisions.length > 1) {
    relabelledPods = pods.map((pod) => {
      if (pod.metadata.labels?.[controllerRevisionHashLabel] === hash) return pod;
      actions.push({ kind: 'relabelPod', pod, hash });
      return { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, [controllerRevisionHashLabel]: hash } } };
    });
    for (const duplicate of currentRevisions) {
      if (duplicate !== keep) actions.push({ kind: 'deleteRevision', revision: duplicate, reason: 'duplicate' });
    }
  }

  let current = keep;
  if (keep.revision < currRevision) {
    actions.push({ kind: 'updateRevisionNumber', revision: keep, revisionNumber: currRevision });
    current = { ...keep, revision: currRevision };
  }
  return { hash, current, old, pods: relabelledPods, actions };
}

/**
 * upstream: cleanupHistory. Deletes the oldest revisions beyond revisionHistoryLimit, skipping any
 * whose hash a pod still carries (terminal pods being deleted included), and the ones
 * status.stableRevision and status.rollback name (an automatic rollback's target must outlive a
 * failing rollout: docs/rollout-control.md). Those live revisions count toward the limit but are
 * never deleted, so the history can stay above it.
 */
export function cleanupHistory(
  ds: MyDaemonSet,
  old: readonly ControllerRevision[],
  pods: readonly Pod[],
): readonly DaemonSetAction[] {
  const toKill = old.length - revisionHistoryLimit(ds);
  if (toKill <= 0) return [];
  const liveHashes = new Set<string>();
  for (const podsOnNode of nodeToDaemonPods(pods, 'include').values()) {
    for (const pod of podsOnNode) {
      const hash = pod.metadata.labels?.[controllerRevisionHashLabel] ?? '';
      if (hash !== '') liveHashes.add(hash);
    }
  }
  const liveNames = new Set([ds.status?.stableRevision, ds.status?.rollback?.revision].filter((name) => name !== undefined && name !== ''));
  const isLive = (revision: ControllerRevision): boolean => liveHashes.has(hashOf(revision)) || liveNames.has(revision.metadata.name);
  return oldestDeletable(old, isLive, toKill).map(
    (revision): DaemonSetAction => ({ kind: 'deleteRevision', revision, reason: 'historyLimit' }),
  );
}
