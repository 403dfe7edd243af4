// Controller references and the claim decision of upstream's ControllerRefManager
// (pkg/controller/controller_ref_manager.go): which objects a workload owns, should adopt or
// should release. Pure; the executors issue the patches.
import type { KubeObject, LabelSelector, OwnerReference } from '../../api/meta.ts';
import { controllerOf, isBeingDeleted } from '../../api/meta.ts';
import { selectorMatches } from '../../api/selector.ts';

/** The owner as the children see it. */
export interface OwnerIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

export function ownerIdentity(owner: KubeObject, apiVersion: string, kind: string): OwnerIdentity {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '' };
}

/** A controller reference with blockOwnerDeletion, so foreground deletion waits for children. */
export function controllerRef(owner: OwnerIdentity): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isControlledBy(obj: KubeObject, owner: OwnerIdentity): boolean {
  return controllerOf(obj)?.uid === owner.uid;
}

export type ClaimDecision =
  /** Controlled by us and still selected. */
  | 'owned'
  /** Orphan that matches: take it (unless we are being deleted). */
  | 'adopt'
  /** Controlled by us but no longer selected: drop our reference. */
  | 'release'
  /** Someone else's, or neither ours nor matching. */
  | 'ignore';

/**
 * Upstream ClaimObject: an object controlled by another owner is never touched; an orphan being
 * deleted is not adopted; `extraMatch` narrows what counts as selected (StatefulSet: the pod's name
 * must belong to the set).
 */
export function claimDecision(
  obj: KubeObject,
  owner: OwnerIdentity,
  selector: LabelSelector,
  extraMatch: (obj: KubeObject) => boolean = () => true,
): ClaimDecision {
  const ref = controllerOf(obj);
  const matches = selectorMatches(selector, obj.metadata.labels) && extraMatch(obj);
  if (ref !== undefined) {
    if (ref.uid !== owner.uid) return 'ignore';
    return matches ? 'owned' : 'release';
  }
  if (!matches || isBeingDeleted(obj)) return 'ignore';
  return 'adopt';
}

/**
 * Strategic-merge patch adding our controller reference, guarded by the object's UID (upstream's
 * adopt patch). Only for built-in kinds (pods, revisions, claims): ownerReferences merge by uid,
 * so concurrent changes to other owners are kept. Custom resources reject strategic merge.
 */
export function adoptPatch(obj: KubeObject, owner: OwnerIdentity): unknown {
  return { metadata: { uid: obj.metadata.uid, ownerReferences: [controllerRef(owner)] } };
}

/** Strategic-merge patch removing our reference (by UID), keeping every other owner. */
export function releasePatch(obj: KubeObject, owner: OwnerIdentity): unknown {
  return { metadata: { uid: obj.metadata.uid, ownerReferences: [{ $patch: 'delete', uid: owner.uid }] } };
}
