// ControllerRevisions, StatefulSet flavour, on top of the shared history code: which revision is
// current and which is the update target, whether one must be created or renumbered (rollback),
// name collisions, orphan adoption and history truncation. Pure.
// upstream: pkg/controller/statefulset/stateful_set_control.go (getStatefulSetRevisions,
// truncateHistory, setMatchesLatestExistingRevision), stateful_set_utils.go (newRevision, nextRevision),
// stateful_set.go adoptOrphanRevisions, pkg/controller/history/controller_history.go.
import type { ControllerRevision } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { controllerOf, isBeingDeleted } from '../../api/meta.ts';
import { selectorMatches } from '../../api/selector.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { isSameRevision } from '../history/collision.ts';
import {
  buildRevision,
  controllerHashLabel,
  equalRevisions,
  equivalentRevisions,
  nextRevisionNumber,
  oldestDeletable,
  sortRevisions,
} from '../history/revisions.ts';
import { getPodRevision, statefulSetOwner } from './identity.ts';
import { revisionHistoryLimitOf } from './strategy.ts';

/**
 * The revision object for the set's live template (upstream newRevision): data
 * `{"spec":{"template":{…,"$patch":"replace"}}}`, labels = template labels +
 * `controller.kubernetes.io/hash`, the set's annotations, a controller reference, name `<set>-<hash>`.
 */
export function newStatefulSetRevision(set: MyStatefulSet, revision: number, collisionCount: number): ControllerRevision {
  return buildRevision({
    owner: statefulSetOwner(set),
    namespace: set.metadata.namespace ?? '',
    ownerAnnotations: set.metadata.annotations,
    template: set.spec.template,
    revision,
    collisionCount,
    hashLabel: controllerHashLabel,
  });
}

/** What getStatefulSetRevisions has to write before the sync can use the update revision. */
export type RevisionWrite =
  /** The latest revision (or a semantically equal one) already holds the template. */
  | { readonly kind: 'none' }
  /** A new revision numbered latest + 1. */
  | { readonly kind: 'create'; readonly revision: ControllerRevision }
  /** Rollback: an older revision equal to the template becomes latest + 1; its pods are untouched. */
  | { readonly kind: 'renumber'; readonly revision: ControllerRevision; readonly revisionNumber: number };

export interface RevisionResolution {
  /** status.currentRevision's revision; the update revision when that names none (fresh history). */
  readonly currentRevision: ControllerRevision;
  /** The revision the template maps to, as it will be once `write` succeeded. */
  readonly updateRevision: ControllerRevision;
  readonly collisionCount: number;
  readonly write: RevisionWrite;
}

/**
 * upstream getStatefulSetRevisions. `revisions` are those the set controls plus orphans matching
 * its selector (ListControllerRevisions). Choice of the update revision:
 * 1. the latest, if its data equals the template's;
 * 2. else the newest older equal one, renumbered to latest + 1 (a rollback creates nothing);
 * 3. else the newest revision whose template is equivalent to the live one once both are
 *    defaulted as apps/v1 does (history/revisions.ts equivalentRevisions): the latest as it is,
 *    an older one renumbered to latest + 1 as in 2. Upstream's StatefulSetSemanticRevisionComparison
 *    (setMatchesLatestExistingRevision) does this for the latest only, re-defaulting the template
 *    it restores from it. Ours goes further because our template is never defaulted by the API
 *    server: this is how the revision kube-controller-manager stored for the same manifest is
 *    recognised after a StatefulSet is orphan-deleted and applied as a MyStatefulSet — its name
 *    (which its pods carry as controller-revision-hash) and its hash label are kept, nothing is
 *    created, and with no status.currentRevision yet it is the current revision too, so every
 *    adopted pod counts as current and updated;
 * 4. else a new revision numbered latest + 1, named with the collisionCount.
 */
export function resolveStatefulSetRevisions(set: MyStatefulSet, revisions: readonly ControllerRevision[]): RevisionResolution {
  const sorted = sortRevisions(revisions);
  const collisionCount = set.status?.collisionCount ?? 0;
  const proposed = newStatefulSetRevision(set, nextRevisionNumber(sorted), collisionCount);
  const latest = sorted.at(-1);
  // Equal outright (upstream's FindEqualRevisions) wins; only without one is equivalence asked.
  const chosen = equalRevisions(sorted, set.spec.template).at(-1) ?? equivalentRevisions(sorted, set.spec.template).at(-1);

  let updateRevision: ControllerRevision;
  let write: RevisionWrite;
  if (chosen === undefined) {
    updateRevision = proposed;
    write = { kind: 'create', revision: proposed };
  } else if (chosen === latest) {
    updateRevision = latest;
    write = { kind: 'none' };
  } else {
    updateRevision = { ...chosen, revision: proposed.revision };
    write = { kind: 'renumber', revision: chosen, revisionNumber: proposed.revision };
  }

  const currentName = set.status?.currentRevision;
  const currentRevision = sorted.find((r) => r.metadata.name === currentName) ?? updateRevision;
  return { currentRevision, updateRevision, collisionCount, write };
}

export type RevisionCreateConflict =
  /** The name holds our data already (created by an earlier sync the cache had not shown): use it. */
  | { readonly kind: 'useExisting' }
  /** Another template hashed to the same name: plan again with this collisionCount. */
  | { readonly kind: 'retryWithCollisionCount'; readonly collisionCount: number };

/**
 * upstream CreateControllerRevision on AlreadyExists: equal data → the existing object is the update
 * revision; otherwise collisionCount + 1 and try the new name. The executor re-plans with a copy of
 * the set whose status.collisionCount is the returned value (planning is pure, so this is the
 * upstream retry loop), and the plan's writeStatus then records it.
 */
export function revisionCreateConflict(
  existing: ControllerRevision,
  wanted: ControllerRevision,
  collisionCount: number,
): RevisionCreateConflict {
  return isSameRevision(existing, wanted)
    ? { kind: 'useExisting' }
    : { kind: 'retryWithCollisionCount', collisionCount: collisionCount + 1 };
}

/** The set as the executor re-plans it after a revision name collision. */
export function withCollisionCount(set: MyStatefulSet, collisionCount: number): MyStatefulSet {
  return { ...set, status: { ...set.status, collisionCount } };
}

/** ListControllerRevisions: matching the selector, and controlled by the set or by nobody. */
export function isListedRevision(set: MyStatefulSet, revision: ControllerRevision): boolean {
  const ref = controllerOf(revision);
  return selectorMatches(set.spec.selector, revision.metadata.labels) && (ref === undefined || ref.uid === set.metadata.uid);
}

/**
 * upstream adoptOrphanRevisions: every matching revision without a controller is adopted
 * (patch: `adoptPatch` from shared/ownership.ts) before pods are claimed. A set being deleted
 * adopts nothing (upstream's recheck fails the sync instead).
 */
export function orphanRevisionsToAdopt(set: MyStatefulSet, revisions: readonly ControllerRevision[]): readonly ControllerRevision[] {
  if (isBeingDeleted(set)) return [];
  return revisions.filter((r) => controllerOf(r) === undefined && selectorMatches(set.spec.selector, r.metadata.labels));
}

/**
 * upstream truncateHistory: live revisions are the current one, the update one and every pod's;
 * they never count toward revisionHistoryLimit. Non-live ones are deleted, lowest revision first,
 * until at most revisionHistoryLimit remain. `revisions` is the list the sync started with (a
 * revision created this sync is not in it; a renumbered one is live). Ours: the revisions rollout
 * control names (status.stableRevision, status.rollback.revision) are live too, so an automatic
 * rollback always finds the revision it returns to.
 */
export function truncateHistory(
  set: MyStatefulSet,
  revisions: readonly ControllerRevision[],
  live: { readonly currentRevision: string; readonly updateRevision: string; readonly pods: readonly KubeObject[] },
): readonly ControllerRevision[] {
  const rolloutControl = [set.status?.stableRevision, set.status?.rollback?.revision].filter((name) => name !== undefined);
  const liveNames = new Set([live.currentRevision, live.updateRevision, ...live.pods.map(getPodRevision), ...rolloutControl]);
  const isLive = (r: ControllerRevision): boolean => liveNames.has(r.metadata.name ?? '');
  const historic = revisions.filter((r) => !isLive(r)).length;
  const limit = revisionHistoryLimitOf(set);
  if (limit < 0 || historic <= limit) return [];
  return oldestDeletable(revisions, isLive, historic - limit);
}
