// What each controller's claim leaves it with, computed from listed objects instead of patched:
// the objects it controls and still selects, and the orphans it would adopt (given its controller
// reference, as the adoption patch would). The decisions are the controllers' own
// (shared/ownership.ts claimDecision and each kind's variant); `rollout plan` writes nothing.
// upstream: pkg/controller/controller_ref_manager.go ClaimObject.
import type { ControllerRevision, Pod } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { controllerOf, isBeingDeleted } from '../../api/meta.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../../api/workloads.ts';
import { daemonSetOwner } from '../../controllers/daemonset/spec-defaults.ts';
import { deploymentOwner, replicaSetClaimDecision } from '../../controllers/deployment/replica-set-claim.ts';
import { replicaSetPodClaimDecision } from '../../controllers/replicaset/pod-sets.ts';
import { replicaSetOwner } from '../../controllers/replicaset/spec-defaults.ts';
import type { ClaimDecision, OwnerIdentity } from '../../controllers/shared/ownership.ts';
import { claimDecision, controllerRef, isControlledBy } from '../../controllers/shared/ownership.ts';
import { isPodActive, isPodTerminating } from '../../controllers/shared/pod-state.ts';
import { podClaimDecision, statefulSetOwner } from '../../controllers/statefulset/identity.ts';
import { orphanRevisionsToAdopt } from '../../controllers/statefulset/revisions.ts';

/** The objects `decide` keeps: owned ones as they are, adopted ones with our controller reference. */
export function claimed<T extends KubeObject>(objects: readonly T[], owner: OwnerIdentity, decide: (obj: T) => ClaimDecision): T[] {
  return objects.flatMap((obj) => {
    switch (decide(obj)) {
      case 'owned':
        return [obj];
      case 'adopt':
        return [{ ...obj, metadata: { ...obj.metadata, ownerReferences: [...(obj.metadata.ownerReferences ?? []), controllerRef(owner)] } }];
      case 'release':
      case 'ignore':
        return [];
    }
  });
}

/** daemonset/controller.ts claim: nothing for an empty selector or a MyDaemonSet being deleted. */
export function daemonSetClaim(ds: MyDaemonSet, pods: readonly Pod[], revisions: readonly ControllerRevision[]) {
  if (selectorIsEmpty(ds.spec.selector) || isBeingDeleted(ds)) return { pods: [], revisions: [] };
  const owner = daemonSetOwner(ds);
  const decide = (obj: KubeObject): ClaimDecision => claimDecision(obj, owner, ds.spec.selector);
  return { pods: claimed(pods, owner, decide), revisions: claimed(revisions, owner, decide) };
}

/**
 * statefulset/controller.ts claim: its revisions and the matching orphans (adopted, never
 * released), and its member pods; nothing for an empty selector.
 */
export function statefulSetClaim(set: MyStatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[]) {
  if (selectorIsEmpty(set.spec.selector)) return { pods: [], revisions: [] };
  const owner = statefulSetOwner(set);
  const orphans = new Set(orphanRevisionsToAdopt(set, revisions));
  const decideRevision = (revision: ControllerRevision): ClaimDecision =>
    orphans.has(revision) ? 'adopt' : isControlledBy(revision, owner) ? 'owned' : 'ignore';
  return { pods: claimed(pods, owner, (pod) => podClaimDecision(set, pod)), revisions: claimed(revisions, owner, decideRevision) };
}

/**
 * deployment/controller.ts claim of MyReplicaSets, then each one's pods as replicaset/controller.ts
 * claims them: active ones owned or adopted, and the terminating ones it controls.
 */
export function deploymentClaim(d: MyDeployment, replicaSets: readonly MyReplicaSet[], pods: readonly Pod[]) {
  if (selectorIsEmpty(d.spec.selector)) return { replicaSets: [], pods: [] };
  const owned = claimed(replicaSets, deploymentOwner(d), (rs) => replicaSetClaimDecision(d, rs));
  const seen = new Set<string>();
  const podsOf = (rs: MyReplicaSet): Pod[] => {
    if (selectorIsEmpty(rs.spec.selector)) return [];
    const owner = replicaSetOwner(rs);
    const active = claimed(pods.filter(isPodActive), owner, (pod) => replicaSetPodClaimDecision(rs, owner, pod));
    const terminating = pods.filter((pod) => isPodTerminating(pod) && controllerOf(pod)?.uid === owner.uid);
    // A pod two MyReplicaSets would adopt goes to the first (the other's adoption would conflict).
    return [...active, ...terminating].filter((pod) => !seen.has(pod.metadata.uid ?? '') && seen.add(pod.metadata.uid ?? ''));
  };
  return { replicaSets: owned, pods: owned.flatMap(podsOf) };
}
