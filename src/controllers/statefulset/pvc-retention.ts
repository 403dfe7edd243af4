// persistentVolumeClaimRetentionPolicy as owner references on each claim; the garbage collector
// does the deleting. Pure. upstream: pkg/controller/statefulset/stateful_set_utils.go
// (isClaimOwnerUpToDate, updateClaimOwnerRefForSetAndPod, hasUnexpectedController,
// hasStaleOwnerRef, hasNonControllerOwner); stateful_pod_control.go (UpdatePodClaimForRetentionPolicy,
// PodClaimIsStale).
//
//   whenScaled / whenDeleted | owner of the claim
//   Retain / Retain          | none (our references are removed)
//   Retain / Delete          | the set
//   Delete / Retain          | the pod, once its ordinal is scaled away
//   Delete / Delete          | the pod if scaled away, else the set
//
// Two states are left alone: a reference to our set's or pod's name with another UID (stale: left
// by an earlier incarnation, the garbage collector sorts it out), and, unless the policy is
// Retain/Retain, another controller (ConflictingController: our references are removed, none added).
import type { PersistentVolumeClaim } from '../../api/core.ts';
import type { OwnerReference } from '../../api/meta.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { controllerRef } from '../shared/ownership.ts';
import { statefulSetOwner } from './identity.ts';
import { retentionPolicyOf } from './strategy.ts';

/** The pod a claim belongs to. `uid` is undefined for a pod that is only being created. */
export interface ClaimPod {
  readonly name: string;
  readonly uid: string | undefined;
}

export interface ClaimOwnerInput {
  readonly set: MyStatefulSet;
  readonly pod: ClaimPod;
  readonly claim: PersistentVolumeClaim;
  /** The pod's ordinal is outside `[start, start + replicas)`. */
  readonly podScaledDown: boolean;
}

export type ClaimOwnerDecision =
  /** The references already follow the policy (or must not be touched). */
  | { readonly kind: 'upToDate'; readonly conflictingController: boolean }
  /** Replace the claim's ownerReferences with these (foreign references kept, in order). */
  | { readonly kind: 'update'; readonly conflictingController: boolean; readonly ownerReferences: readonly OwnerReference[] };

// `conflictingController` is upstream's hasUnexpectedController: UpdatePodClaimForRetentionPolicy
// warns ConflictingController for such a claim every time it runs, whether or not it then writes.

/** What the retention policy wants for one claim of one pod. */
export function claimOwnerDecision(input: ClaimOwnerInput): ClaimOwnerDecision {
  const conflictingController = hasUnexpectedController(input);
  if (isClaimOwnerUpToDate(input, conflictingController)) return { kind: 'upToDate', conflictingController };
  return { kind: 'update', conflictingController, ownerReferences: desiredOwnerReferences(input, conflictingController) };
}

/**
 * upstream PodClaimIsStale: with whenScaled other than Retain, a claim still referencing an earlier
 * pod of the same name (another UID; any UID when ours is not created yet) blocks creating the pod
 * until the garbage collector has deleted the claim.
 */
export function claimIsStale(set: MyStatefulSet, pod: ClaimPod, claim: PersistentVolumeClaim): boolean {
  if (retentionPolicyOf(set).whenScaled === 'Retain') return false;
  return hasStaleRef(claim, (ref) => isPodRef(ref, pod.name), pod.uid ?? '');
}

function isSetRef(ref: OwnerReference, set: MyStatefulSet): boolean {
  const owner = statefulSetOwner(set);
  return ref.apiVersion === owner.apiVersion && ref.kind === owner.kind && ref.name === owner.name;
}

function isPodRef(ref: OwnerReference, podName: string): boolean {
  return ref.apiVersion === 'v1' && ref.kind === 'Pod' && ref.name === podName;
}

function refsOf(claim: PersistentVolumeClaim): readonly OwnerReference[] {
  return claim.metadata.ownerReferences ?? [];
}

/** The first reference to the name decides (upstream hasStaleOwnerRef). */
function hasStaleRef(claim: PersistentVolumeClaim, matches: (ref: OwnerReference) => boolean, uid: string): boolean {
  const ref = refsOf(claim).find(matches);
  return ref !== undefined && ref.uid !== uid;
}

function hasOwnerRef(claim: PersistentVolumeClaim, uid: string): boolean {
  return refsOf(claim).some((ref) => ref.uid === uid);
}

function isRetainRetain(set: MyStatefulSet): boolean {
  const policy = retentionPolicyOf(set);
  return policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain';
}

function hasUnexpectedController({ set, pod, claim }: ClaimOwnerInput): boolean {
  // Under Retain/Retain nobody else's controller matters: we want no reference of our own anyway.
  if (isRetainRetain(set)) return false;
  for (const ref of refsOf(claim)) {
    if (isSetRef(ref, set)) {
      if (ref.uid !== (set.metadata.uid ?? '')) return true;
      continue;
    }
    if (isPodRef(ref, pod.name)) {
      if (ref.uid !== (pod.uid ?? '')) return true;
      continue;
    }
    if (ref.controller === true) return true;
  }
  return false;
}

function isClaimOwnerUpToDate(input: ClaimOwnerInput, conflictingController: boolean): boolean {
  const { set, pod, claim, podScaledDown } = input;
  const setUid = set.metadata.uid ?? '';
  const podUid = pod.uid ?? '';
  if (hasStaleRef(claim, (ref) => isSetRef(ref, set), setUid) || hasStaleRef(claim, (ref) => isPodRef(ref, pod.name), podUid)) {
    return true;
  }
  const refsSet = hasOwnerRef(claim, setUid);
  const refsPod = hasOwnerRef(claim, podUid);
  // Clean up our references next to a foreign controller; add none.
  if (conflictingController) return !refsSet && !refsPod;
  // One of us is an owner but not the controller: rewrite as a controller reference.
  if (refsOf(claim).some((ref) => (ref.uid === setUid || ref.uid === podUid) && ref.controller !== true)) return false;
  const { whenScaled, whenDeleted } = retentionPolicyOf(set);
  if (whenScaled === 'Retain' && whenDeleted === 'Delete') return refsSet && !refsPod;
  if (whenScaled === 'Delete' && whenDeleted === 'Retain') return !refsSet && podScaledDown === refsPod;
  if (whenScaled === 'Delete' && whenDeleted === 'Delete') return podScaledDown !== refsSet && podScaledDown === refsPod;
  // Retain/Retain, and any unknown value (upstream logs and treats it as Retain/Retain).
  return !refsSet && !refsPod;
}

function desiredOwnerReferences(input: ClaimOwnerInput, conflictingController: boolean): readonly OwnerReference[] {
  const { set, pod, claim, podScaledDown } = input;
  // Scrub every reference to our set's or pod's name, whatever its UID.
  const kept = refsOf(claim).filter((ref) => !isSetRef(ref, set) && !isPodRef(ref, pod.name));
  if (conflictingController) return kept;
  const { whenScaled, whenDeleted } = retentionPolicyOf(set);
  const setRef = controllerRef(statefulSetOwner(set));
  const podRef: OwnerReference = {
    apiVersion: 'v1',
    kind: 'Pod',
    name: pod.name,
    uid: pod.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  const add = (refs: readonly OwnerReference[], ref: OwnerReference): readonly OwnerReference[] =>
    refs.some((r) => r.uid === ref.uid) ? refs : [...refs, ref];
  if (whenScaled === 'Retain' && whenDeleted === 'Delete') return add(kept, setRef);
  if (whenScaled === 'Delete' && whenDeleted === 'Retain') return podScaledDown ? add(kept, podRef) : kept;
  if (whenScaled === 'Delete' && whenDeleted === 'Delete') return add(kept, podScaledDown ? podRef : setRef);
  return kept;
}
