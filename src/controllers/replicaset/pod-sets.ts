// The sets of pods a MyReplicaSet sync reads, chosen from cached candidates. Pure; the claim's
// patches are claim.ts's, the cache reads controller.ts's.
// upstream: replica_set.go syncReplicaSet (FilterActivePods before claimPods, then
// FilterTerminatingPods + FilterClaimedPods), getIndirectlyRelatedPods; controller_ref_manager.go
// ClaimObject (what an owner being deleted may still do).
import type { Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { selectorMatches } from '../../api/selector.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import type { ClaimDecision, OwnerIdentity } from '../shared/ownership.ts';
import { claimDecision, isControlledBy } from '../shared/ownership.ts';
import { isPodTerminating } from '../shared/pod-state.ts';

/**
 * What the claim does with an active candidate: ClaimObject. A set being deleted keeps the pods it
 * controls and still selects (its status counts them) but neither adopts nor releases.
 */
export function replicaSetPodClaimDecision(rs: MyReplicaSet, owner: OwnerIdentity, pod: Pod): ClaimDecision {
  const decision = claimDecision(pod, owner, rs.spec.selector);
  return isBeingDeleted(rs) && decision !== 'owned' ? 'ignore' : decision;
}

/**
 * The candidates' terminating pods that the set controls and still selects: counted as
 * terminatingReplicas, never adopted or released (the claim sees active pods only).
 */
export function claimedTerminatingPods(rs: MyReplicaSet, owner: OwnerIdentity, candidates: readonly Pod[]): Pod[] {
  return candidates.filter(
    (pod) => isPodTerminating(pod) && isControlledBy(pod, owner) && selectorMatches(rs.spec.selector, pod.metadata.labels),
  );
}

/**
 * The pods the deletion ranking counts per node: those matching the selector of any of
 * `siblings` (the MyReplicaSets with the same controller UID, this one included), each pod once.
 * `podsInNamespace` is every cached pod of the namespace, in any state.
 */
export function getIndirectlyRelatedPods(siblings: readonly MyReplicaSet[], podsInNamespace: readonly Pod[]): Pod[] {
  const seen = new Set<string>();
  const related: Pod[] = [];
  for (const sibling of siblings) {
    for (const pod of podsInNamespace) {
      const uid = pod.metadata.uid ?? '';
      if (seen.has(uid) || !selectorMatches(sibling.spec.selector, pod.metadata.labels)) continue;
      seen.add(uid);
      related.push(pod);
    }
  }
  return related;
}
