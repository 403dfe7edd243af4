// Adoption and release of MyReplicaSets (upstream: controller_ref_manager.go ClaimReplicaSets,
// called from deployment_controller.go getReplicaSetsForDeployment). shared/claim.ts runs the
// claim — decision per RS, one live read of the Deployment before the first adoption, errors
// gathered; its default patches are strategic merge, which a custom resource refuses
// (apiextensions-apiserver accepts JSON patch, merge patch and apply). ownerReferencesPatch is the
// same change as a JSON merge patch: the whole ownerReferences list, guarded by the RS's UID and
// by the resourceVersion the list was computed from, so another owner added meanwhile makes it
// conflict instead of being dropped.
import { isBeingDeleted } from '../../api/meta.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { apiVersion, myDeploymentKind } from '../../api/workloads.ts';
import type { ClaimClient } from '../shared/claim.ts';
import type { ClaimDecision, OwnerIdentity } from '../shared/ownership.ts';
import { claimDecision, controllerRef, isControlledBy, ownerIdentity } from '../shared/ownership.ts';

export function deploymentOwner(d: MyDeployment): OwnerIdentity {
  return ownerIdentity(d, apiVersion, myDeploymentKind);
}

/**
 * ClaimReplicaSets: the Deployment's selector against the RS's own labels (not its template's).
 * A Deployment being deleted neither adopts nor releases (ClaimObject).
 */
export function replicaSetClaimDecision(d: MyDeployment, rs: MyReplicaSet): ClaimDecision {
  const decision = claimDecision(rs, deploymentOwner(d), d.spec.selector);
  if (isBeingDeleted(d) && (decision === 'adopt' || decision === 'release')) return 'ignore';
  return decision;
}

/**
 * The merge patch that adopts an orphan (our controller reference added) or releases an RS we
 * control (our reference removed); every other owner reference is kept.
 */
export function ownerReferencesPatch(rs: MyReplicaSet, owner: OwnerIdentity): unknown {
  const others = (rs.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== owner.uid);
  const ownerReferences = isControlledBy(rs, owner) ? others : [...others, controllerRef(owner)];
  return { metadata: { uid: rs.metadata.uid, resourceVersion: rs.metadata.resourceVersion, ownerReferences } };
}

/**
 * A ClaimClient that reports the resourceVersion of each patched RS to `wrote` (the consistency
 * store), so the next sync waits for a cache that shows the new owner references.
 */
export function reportingClaimClient(client: ClaimClient, wrote: (resourceVersion: string | undefined) => void): ClaimClient {
  return {
    async patch(res, namespace, name, type, body, options) {
      const patched = await client.patch(res, namespace, name, type, body, options);
      wrote(patched.metadata.resourceVersion);
      return patched;
    },
  };
}
