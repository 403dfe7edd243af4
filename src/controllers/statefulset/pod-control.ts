// The planning half of upstream's StatefulPodControl (pkg/controller/statefulset/stateful_pod_control.go):
// which claims, pod writes and owner-reference patches each operation issues. The writes
// themselves, and the Events that depend on their outcome, are the executor's (see actions.ts).
import type { PersistentVolumeClaim, Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import type { PodDeleteReason, PodOperation, PodWork, StatefulSetAction, SyncStep } from './actions.ts';
import { getOrdinal, ordinalInRange } from './identity.ts';
import type { TemplateRevision } from './pod-template.ts';
import { getPersistentVolumeClaims, identityMatches, repairStatefulPod, storageMatches } from './pod-template.ts';
import type { ClaimPod } from './pvc-retention.ts';
import { claimIsStale, claimOwnerDecision } from './pvc-retention.ts';

/** One sync's planning state. Only `actions` and `claims` change while planning. */
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
   * The claims as the sync sees them, by name. Planned owner-reference patches are applied here,
   * so later checks in the same sync see them; planned creations are not (as upstream's lister
   * would not show them yet).
   */
  readonly claims: Map<string, PersistentVolumeClaim>;
  readonly actions: StatefulSetAction[];
}

/** How a unit ended: go on, stop the (OrderedReady) sync without error, or fail the sync. */
export type UnitOutcome = 'continue' | 'exit' | 'error';

export function podWork(step: SyncStep, index: number, operation: PodOperation, pod: Pod): PodWork {
  return { step, index, operation, podName: pod.metadata.name ?? '' };
}

function claimPodOf(pod: Pod): ClaimPod {
  return { name: pod.metadata.name ?? '', uid: pod.metadata.uid };
}

function claimNamesOf(ctx: SyncContext, pod: Pod): readonly string[] {
  return getPersistentVolumeClaims(ctx.set, getOrdinal(pod)).map(({ claim }) => claim.metadata.name ?? '');
}

/** upstream PodClaimIsStale for a pod about to be created. */
export function podClaimIsStale(ctx: SyncContext, pod: Pod): boolean {
  return claimNamesOf(ctx, pod).some((name) => {
    const claim = ctx.claims.get(name);
    return claim !== undefined && claimIsStale(ctx.set, claimPodOf(pod), claim);
  });
}

/** upstream ClaimsMatchRetentionPolicy: claims not seen yet count as matching. */
export function claimsMatchRetentionPolicy(ctx: SyncContext, pod: Pod): boolean {
  const podScaledDown = !ordinalInRange(ctx.set, getOrdinal(pod));
  return claimNamesOf(ctx, pod).every((name) => {
    const claim = ctx.claims.get(name);
    return claim === undefined || claimOwnerDecision({ set: ctx.set, pod: claimPodOf(pod), claim, podScaledDown }).kind === 'upToDate';
  });
}

/**
 * upstream UpdatePodClaimForRetentionPolicy: for each existing claim, warn ConflictingController
 * when another controller owns it, and patch the references that are off-policy.
 */
export function updatePodClaimsForRetentionPolicy(ctx: SyncContext, pod: Pod, work: PodWork): void {
  const podScaledDown = !ordinalInRange(ctx.set, getOrdinal(pod));
  for (const name of claimNamesOf(ctx, pod)) {
    const claim = ctx.claims.get(name);
    if (claim === undefined) continue;
    const decision = claimOwnerDecision({ set: ctx.set, pod: claimPodOf(pod), claim, podScaledDown });
    if (decision.conflictingController) {
      ctx.actions.push({
        kind: 'event',
        work,
        type: 'Warning',
        reason: 'ConflictingController',
        message: `PersistentVolumeClaim ${name} is controlled by another owner; the retention policy does not apply to it`,
      });
    }
    if (decision.kind === 'update') {
      ctx.actions.push({ kind: 'patchPvcOwnerRefs', work, pvc: claim, ownerReferences: decision.ownerReferences });
      ctx.claims.set(name, { ...claim, metadata: { ...claim.metadata, ownerReferences: decision.ownerReferences } });
    }
  }
}

/**
 * upstream createPersistentVolumeClaims: create each missing claim; an existing one is reused as
 * is, and one being deleted fails the operation (after the others were attempted).
 */
function createPersistentVolumeClaims(ctx: SyncContext, pod: Pod, work: PodWork): UnitOutcome {
  let outcome: UnitOutcome = 'continue';
  for (const { claim } of getPersistentVolumeClaims(ctx.set, getOrdinal(pod))) {
    const name = claim.metadata.name ?? '';
    const existing = ctx.claims.get(name);
    if (existing === undefined) {
      ctx.actions.push({ kind: 'createPvc', work, pvc: claim });
    } else if (isBeingDeleted(existing)) {
      ctx.actions.push({ kind: 'pvcTerminating', work, pvcName: name });
      outcome = 'error';
    }
  }
  return outcome;
}

/** upstream CreateStatefulPod: claims first, then the pod, then the claims' owner references. */
export function createStatefulPod(ctx: SyncContext, pod: Pod, work: PodWork): UnitOutcome {
  if (createPersistentVolumeClaims(ctx, pod, work) === 'error') return 'error';
  ctx.actions.push({ kind: 'createPod', work, pod });
  updatePodClaimsForRetentionPolicy(ctx, pod, work);
  return 'continue';
}

/** upstream createMissingPersistentVolumeClaims, for a Pending pod (its claims may have been deleted). */
export function createMissingPersistentVolumeClaims(ctx: SyncContext, pod: Pod, work: PodWork): UnitOutcome {
  if (createPersistentVolumeClaims(ctx, pod, work) === 'error') return 'error';
  updatePodClaimsForRetentionPolicy(ctx, pod, work);
  return 'continue';
}

/**
 * The invariant check at the end of upstream processReplica and UpdateStatefulPod: put back the
 * identity labels and claim volumes, create claims the repaired volumes need, fix the claims'
 * owner references, and write the pod back (also when only the references were off, as upstream).
 */
export function updateStatefulPod(ctx: SyncContext, pod: Pod, work: PodWork): UnitOutcome {
  if (identityMatches(ctx.set, pod) && storageMatches(ctx.set, pod) && claimsMatchRetentionPolicy(ctx, pod)) return 'continue';
  const repair = repairStatefulPod(ctx.set, pod);
  if (repair.storageRepaired && createPersistentVolumeClaims(ctx, repair.pod, work) === 'error') return 'error';
  if (!claimsMatchRetentionPolicy(ctx, repair.pod)) updatePodClaimsForRetentionPolicy(ctx, repair.pod, work);
  ctx.actions.push({ kind: 'updatePod', work, pod: repair.pod });
  return 'continue';
}

export function deleteStatefulPod(ctx: SyncContext, pod: Pod, work: PodWork, reason: PodDeleteReason): void {
  ctx.actions.push({ kind: 'deletePod', work, pod, reason });
}
