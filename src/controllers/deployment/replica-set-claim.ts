// Adoption and release of MyReplicaSets (upstream: controller_ref_manager.go ClaimReplicaSets,
// called from deployment_controller.go getReplicaSetsForDeployment). shared/claim.ts runs the
// claim — decision per RS, one live read of the Deployment before the first adoption, errors
// gathered — but patches with strategic merge, which a custom resource refuses
// (apiextensions-apiserver accepts JSON patch, merge patch and apply). The ClaimClient here sends
// the same change as a JSON merge patch: the whole ownerReferences list, guarded by the RS's UID
// and by the resourceVersion the list was computed from, so another owner added meanwhile makes
// it conflict instead of being dropped.
import type { KubeObject } from '../../api/meta.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { apiVersion, myDeploymentKind } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { ClaimClient } from '../shared/claim.ts';
import { ClaimError } from '../shared/claim.ts';
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
 * A ClaimClient for claimObjects over `candidates`: claimObjects patches a candidate only to adopt
 * it (not ours) or to release it (ours), so the candidate as cached says which, and
 * ownerReferencesPatch builds the merge patch; the strategic body is not sent. `wrote` gets the
 * resourceVersion of each patched RS.
 */
export function mergePatchClaimClient(
  client: KubeClient,
  owner: OwnerIdentity,
  candidates: readonly MyReplicaSet[],
  wrote: (resourceVersion: string | undefined) => void,
): ClaimClient {
  const byName = new Map(candidates.map((rs) => [rs.metadata.name ?? '', rs]));
  return {
    async patch<T extends KubeObject>(
      res: Resource<T>,
      namespace: string | undefined,
      name: string,
      _strategic: 'strategic',
      _body: unknown,
      options?: { readonly signal?: AbortSignal },
    ): Promise<T> {
      const rs = byName.get(name);
      if (rs === undefined) throw new ClaimError(`replica set ${name} is not a claim candidate`);
      const patched = await client.patch(res, namespace, name, 'merge', ownerReferencesPatch(rs, owner), options);
      wrote(patched.metadata.resourceVersion);
      return patched;
    },
  };
}
