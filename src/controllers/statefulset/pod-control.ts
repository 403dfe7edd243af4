// The planning half of upstream's StatefulPodControl (pkg/controller/statefulset/stateful_pod_control.go):
// which claims, pod writes and owner-reference patches each call issues. Each call returns what it
// plans and the claims it patches; nothing is changed in place. The writes themselves, and the
// Events that depend on their outcome, are the executor's (see actions.ts).
import type { PersistentVolumeClaim, Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import type { EventAction } from '../shared/actions.ts';
import type { ClaimCreation, PodDeleteReason, PodOperation, PodOperationAction, PodOperationPlan } from './actions.ts';
import { getOrdinal, ordinalInRange } from './identity.ts';
import type { TemplateRevision } from './pod-template.ts';
import { getPersistentVolumeClaims, identityMatches, repairStatefulPod, storageMatches } from './pod-template.ts';
import type { ClaimPod } from './pvc-retention.ts';
import { claimIsStale, claimOwnerDecision } from './pvc-retention.ts';

/** What one sync plans from; fixed for the whole sync. */
export interface SyncContext {
  readonly set: MyStatefulSet;
  readonly now: number;
  /** OrderedReady: one unit at a time, stopping at the first blocked or failed one. */
  readonly monotonic: boolean;
  readonly minReadySeconds: number;
  /** updateStrategy.type is RollingUpdate (the default). */
  readonly rollingUpdate: boolean;
  readonly current: TemplateRevision;
  readonly update: TemplateRevision;
  /**
   * The revision an automatic rollback in force moves away from (rollback-template.ts), when the
   * sync plans with the rollback revision's template; undefined otherwise.
   */
  readonly failedRevision?: string;
}

/**
 * The claims as a call sees them, by name: the cache's, with the owner-reference patches planned
 * earlier in the sync applied (so later checks see them); planned creations are not (as upstream's
 * lister would not show them yet). Never changed: withClaimUpdates derives the next view.
 */
export type ClaimsView = ReadonlyMap<string, PersistentVolumeClaim>;

export function claimsViewOf(pvcs: readonly PersistentVolumeClaim[]): ClaimsView {
  return new Map(pvcs.map((pvc) => [pvc.metadata.name ?? '', pvc]));
}

/** `claims` with `updates` in place of the claims of the same names (a new view). */
export function withClaimUpdates(claims: ClaimsView, updates: readonly PersistentVolumeClaim[]): ClaimsView {
  if (updates.length === 0) return claims;
  return new Map([...claims, ...claimsViewOf(updates)]);
}

/** One planned StatefulPodControl call. */
export interface PlannedCall {
  /** `error`: the call is known to fail (upstream returns an error). */
  readonly outcome: 'continue' | 'error';
  /** Undefined when the call has nothing to do. */
  readonly operation: PodOperationPlan | undefined;
  /** The claims whose ownerReferences the call patches, as they are afterwards. */
  readonly claimUpdates: readonly PersistentVolumeClaim[];
}

function call(
  operation: PodOperation,
  pod: Pod,
  outcome: PlannedCall['outcome'],
  actions: readonly PodOperationAction[],
  claimUpdates: readonly PersistentVolumeClaim[] = [],
): PlannedCall {
  return { outcome, operation: actions.length === 0 ? undefined : { operation, podName: pod.metadata.name ?? '', actions }, claimUpdates };
}

function claimPodOf(pod: Pod): ClaimPod {
  return { name: pod.metadata.name ?? '', uid: pod.metadata.uid };
}

function claimNamesOf(set: MyStatefulSet, pod: Pod): readonly string[] {
  return getPersistentVolumeClaims(set, getOrdinal(pod)).map(({ claim }) => claim.metadata.name ?? '');
}

/** upstream PodClaimIsStale for a pod about to be created. */
export function podClaimIsStale(ctx: SyncContext, claims: ClaimsView, pod: Pod): boolean {
  return claimNamesOf(ctx.set, pod).some((name) => {
    const claim = claims.get(name);
    return claim !== undefined && claimIsStale(ctx.set, claimPodOf(pod), claim);
  });
}

/** upstream ClaimsMatchRetentionPolicy: claims not seen yet count as matching. */
export function claimsMatchRetentionPolicy(ctx: SyncContext, claims: ClaimsView, pod: Pod): boolean {
  const podScaledDown = !ordinalInRange(ctx.set, getOrdinal(pod));
  return claimNamesOf(ctx.set, pod).every((name) => {
    const claim = claims.get(name);
    return claim === undefined || claimOwnerDecision({ set: ctx.set, pod: claimPodOf(pod), claim, podScaledDown }).kind === 'upToDate';
  });
}

interface ClaimPatches {
  readonly actions: readonly PodOperationAction[];
  readonly claimUpdates: readonly PersistentVolumeClaim[];
}

/**
 * upstream UpdatePodClaimForRetentionPolicy: for each existing claim, warn ConflictingController
 * when another controller owns it, and patch the references that are off-policy.
 */
function retentionPolicyPatches(ctx: SyncContext, claims: ClaimsView, pod: Pod): ClaimPatches {
  const podScaledDown = !ordinalInRange(ctx.set, getOrdinal(pod));
  const perClaim = claimNamesOf(ctx.set, pod).map((name): ClaimPatches => {
    const claim = claims.get(name);
    if (claim === undefined) return { actions: [], claimUpdates: [] };
    const decision = claimOwnerDecision({ set: ctx.set, pod: claimPodOf(pod), claim, podScaledDown });
    const warning: readonly PodOperationAction[] = decision.conflictingController
      ? [
          {
            kind: 'event',
            type: 'Warning',
            reason: 'ConflictingController',
            message: `PersistentVolumeClaim ${name} is controlled by another owner; the retention policy does not apply to it`,
          },
        ]
      : [];
    if (decision.kind !== 'update') return { actions: warning, claimUpdates: [] };
    const { ownerReferences } = decision;
    return {
      actions: [...warning, { kind: 'patchPvcOwnerRefs', pvc: claim, ownerReferences }],
      claimUpdates: [{ ...claim, metadata: { ...claim.metadata, ownerReferences } }],
    };
  });
  return { actions: perClaim.flatMap((p) => p.actions), claimUpdates: perClaim.flatMap((p) => p.claimUpdates) };
}

/** A condemned pod's claims (upstream's fixPodClaim closure): the patches only. */
export function updatePodClaimsForRetentionPolicy(ctx: SyncContext, claims: ClaimsView, pod: Pod): PlannedCall {
  const patches = retentionPolicyPatches(ctx, claims, pod);
  return call('updateClaims', pod, 'continue', patches.actions, patches.claimUpdates);
}

/**
 * upstream createPersistentVolumeClaims: create each missing claim; an existing one is reused as
 * is, and one being deleted fails the call (after the others were attempted).
 */
function createPersistentVolumeClaims(
  ctx: SyncContext,
  claims: ClaimsView,
  pod: Pod,
): { readonly failed: boolean; readonly actions: readonly PodOperationAction[] } {
  const creations = getPersistentVolumeClaims(ctx.set, getOrdinal(pod)).flatMap(({ claim }): ClaimCreation[] => {
    const existing = claims.get(claim.metadata.name ?? '');
    if (existing === undefined) return [{ kind: 'createPvc', pvc: claim }];
    return isBeingDeleted(existing) ? [{ kind: 'pvcTerminating', pvcName: claim.metadata.name ?? '' }] : [];
  });
  return {
    failed: creations.some((c) => c.kind === 'pvcTerminating'),
    actions: creations.length === 0 ? [] : [{ kind: 'createClaims', claims: creations }],
  };
}

/** upstream CreateStatefulPod: claims first, then the pod, then the claims' owner references. */
export function createStatefulPod(ctx: SyncContext, claims: ClaimsView, pod: Pod): PlannedCall {
  const created = createPersistentVolumeClaims(ctx, claims, pod);
  if (created.failed) return call('create', pod, 'error', created.actions);
  const patches = retentionPolicyPatches(ctx, claims, pod);
  return call('create', pod, 'continue', [...created.actions, { kind: 'createPod', pod }, ...patches.actions], patches.claimUpdates);
}

/** upstream createMissingPersistentVolumeClaims, for a Pending pod (its claims may have been deleted). */
export function createMissingPersistentVolumeClaims(ctx: SyncContext, claims: ClaimsView, pod: Pod): PlannedCall {
  const created = createPersistentVolumeClaims(ctx, claims, pod);
  if (created.failed) return call('createMissingClaims', pod, 'error', created.actions);
  const patches = retentionPolicyPatches(ctx, claims, pod);
  return call('createMissingClaims', pod, 'continue', [...created.actions, ...patches.actions], patches.claimUpdates);
}

/**
 * The invariant check at the end of upstream processReplica and UpdateStatefulPod: put back the
 * identity labels and claim volumes, create claims the repaired volumes need, fix the claims'
 * owner references, and write the pod back (also when only the references were off, as upstream).
 */
export function updateStatefulPod(ctx: SyncContext, claims: ClaimsView, pod: Pod): PlannedCall {
  if (identityMatches(ctx.set, pod) && storageMatches(ctx.set, pod) && claimsMatchRetentionPolicy(ctx, claims, pod)) {
    return call('update', pod, 'continue', []);
  }
  const repair = repairStatefulPod(ctx.set, pod);
  const created = repair.storageRepaired ? createPersistentVolumeClaims(ctx, claims, repair.pod) : { failed: false, actions: [] };
  if (created.failed) return call('update', pod, 'error', created.actions);
  const patches = claimsMatchRetentionPolicy(ctx, claims, repair.pod) ? { actions: [], claimUpdates: [] } : retentionPolicyPatches(ctx, claims, repair.pod);
  return call('update', pod, 'continue', [...created.actions, ...patches.actions, { kind: 'updatePod', pod: repair.pod }], patches.claimUpdates);
}

/** upstream DeleteStatefulPod, after the Events that explain it (`explanations`). */
export function deleteStatefulPod(pod: Pod, reason: PodDeleteReason, ...explanations: readonly EventAction[]): PlannedCall {
  return call('delete', pod, 'continue', [...explanations, { kind: 'deletePod', pod, reason }]);
}
