// Growing a MyStatefulSet's claims when a claim template's storage request was raised (ours; apps/v1
// refuses any change to volumeClaimTemplates, kubernetes#68737; docs/volume-growth.md). Pure: from
// the set and the claims and StorageClasses the caches hold, what to patch, which Events to record,
// status.volumeClaimTemplates and the VolumeResizing condition.
//
// Every existing claim of an ordinal in `[start, start + replicas)` follows its template's request,
// whatever the partition, OnDelete or spec.paused: this is not a template rollout and replaces no
// pod (the volume grows online; one that needs its pod restarted says FileSystemResizePending).
// A claim retained after a scale-down is left alone until its ordinal is back in range, when it
// grows in the sync that brings it back. Claims created from the template are at its size already.
//
// Which claim may grow is the API server's rule (storage-class.ts): a Bound claim whose StorageClass
// says allowVolumeExpansion: true. Any other claim below its template's request is not patched:
// an unbound one waits to be bound (the claim event wakes the set), one whose class refuses keeps
// its size, with one Warning ClaimResizeForbidden per claim and size and the condition
// ResizeForbidden.
//
// upstream (design): KEP-4650 "StatefulSet Support for Updating Volume Claim Template"
// (keps/sig-apps/4650-stateful-set-update-claim-template), which patches the claims' requests from
// the controller and reports per-template progress in status; the comparisons are the volume
// expand controller's (pkg/controller/volume/expand/expand_controller.go syncHandler).
import type { PersistentVolumeClaim } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import type { MyStatefulSet, RolloutCondition, VolumeClaimTemplateStatus } from '../../api/workloads.ts';
import { findCondition } from '../shared/rollout-control.ts';
import type { EventOnceAction, PatchClaimStorageAction } from './actions.ts';
import type { Storage } from './claim-storage.ts';
import { atLeast, hasFileSystemResizePending, isBound, requestedStorage, storageCapacity } from './claim-storage.ts';
import { getEndOrdinal, getPersistentVolumeClaimName, getStartOrdinal } from './identity.ts';
import type { StorageClass } from './storage-class.ts';
import { volumeExpansionAllowed } from './storage-class.ts';
import type { ResizingSummary } from './volume-resizing.ts';
import { resizingInProgress, volumeResizingCondition, volumeResizingType } from './volume-resizing.ts';

export const claimResizeForbiddenReason = 'ClaimResizeForbidden';
export const claimResizedReason = 'ClaimResized';

export interface VolumeGrowthInput {
  /** The set as stored: claim templates always come from its spec, never from a revision (an automatic rollback shrinks nothing). */
  readonly set: MyStatefulSet;
  /** The claims of the set's namespace. */
  readonly pvcs: readonly PersistentVolumeClaim[];
  readonly storageClasses: ReadonlyMap<string, StorageClass>;
  readonly now: number;
}

export type VolumeGrowthAction = PatchClaimStorageAction | EventOnceAction;

export interface VolumeGrowthPlan {
  /** status.volumeClaimTemplates; undefined while no claim template ever grew (nothing written). */
  readonly status: readonly VolumeClaimTemplateStatus[] | undefined;
  /** The VolumeResizing condition to hold; undefined while no claim template ever grew. */
  readonly condition: RolloutCondition | undefined;
  /** The patches, then the one-off Events (ClaimResizeForbidden, ClaimResized). */
  readonly actions: readonly VolumeGrowthAction[];
}

/** Where one claim stands against its template's request. */
type ClaimGrowth =
  /** Below, Bound, its class allows expansion: raise the request now. */
  | { readonly kind: 'patch' }
  /** Below, not Bound: admission refuses growing it until it is. */
  | { readonly kind: 'unbound' }
  /** Below, and its class refuses (or it has none, or the class is gone). */
  | { readonly kind: 'forbidden'; readonly why: string }
  /** Request raised, Bound, capacity below it. */
  | { readonly kind: 'expanding'; readonly fileSystemResizePending: boolean }
  /** Request at the template's, not Bound yet: provisioned at that size, nothing lags. */
  | { readonly kind: 'provisioning' }
  /** Capacity at least the template's request. */
  | { readonly kind: 'resized' };

interface ObservedClaim {
  readonly claim: PersistentVolumeClaim;
  readonly name: string;
  readonly request: Storage | undefined;
  readonly capacity: Storage | undefined;
  readonly growth: ClaimGrowth;
}

interface ObservedTemplate {
  readonly name: string;
  /** The template's spec.resources.requests.storage. */
  readonly storage: Storage;
  /** Its existing claims of ordinals in range, not being deleted, by ordinal. */
  readonly claims: readonly ObservedClaim[];
}

const lagging: ReadonlySet<ClaimGrowth['kind']> = new Set(['patch', 'unbound', 'forbidden', 'expanding']);

export function planVolumeGrowth(input: VolumeGrowthInput): VolumeGrowthPlan {
  const { set } = input;
  const templates = observeTemplates(input);
  const claims = templates.flatMap((t) => t.claims);
  // No condition appears on a set whose claims never lagged: only growth starts it, and once there
  // it stays, so `kubectl my rollout status` can wait for Resized.
  const started =
    set.status?.volumeClaimTemplates !== undefined ||
    findCondition(set.status?.conditions, volumeResizingType) !== undefined ||
    claims.some((c) => lagging.has(c.growth.kind));
  if (!started) return { status: undefined, condition: undefined, actions: [] };

  const status = templates.map(
    (t): VolumeClaimTemplateStatus => ({
      name: t.name,
      requestedStorage: t.storage.text,
      updatedClaims: t.claims.filter((c) => atLeast(c.request, t.storage)).length,
      resizedClaims: t.claims.filter((c) => atLeast(c.capacity, t.storage)).length,
    }),
  );
  const condition = volumeResizingCondition(summarize(templates), set.metadata.name ?? '', input.now);
  return { status, condition, actions: growthActions(set, templates) };
}

function observeTemplates({ set, pvcs, storageClasses }: VolumeGrowthInput): ObservedTemplate[] {
  const byName = new Map(pvcs.map((pvc) => [pvc.metadata.name ?? '', pvc]));
  const ordinals: number[] = [];
  for (let ordinal = getStartOrdinal(set); ordinal <= getEndOrdinal(set); ordinal++) ordinals.push(ordinal);
  return (set.spec.volumeClaimTemplates ?? []).flatMap((template): ObservedTemplate[] => {
    const storage = requestedStorage(template);
    // A template without a storage request has nothing to grow to (validation requires one).
    if (storage === undefined) return [];
    const name = template.metadata.name ?? '';
    const claims = ordinals.flatMap((ordinal): ObservedClaim[] => {
      const claim = byName.get(getPersistentVolumeClaimName(set, name, ordinal));
      if (claim === undefined || isBeingDeleted(claim)) return [];
      const request = requestedStorage(claim);
      const capacity = storageCapacity(claim);
      return [{ claim, name: claim.metadata.name ?? '', request, capacity, growth: claimGrowth(claim, request, capacity, storage, storageClasses) }];
    });
    return [{ name, storage, claims }];
  });
}

function claimGrowth(
  claim: PersistentVolumeClaim,
  request: Storage | undefined,
  capacity: Storage | undefined,
  want: Storage,
  storageClasses: ReadonlyMap<string, StorageClass>,
): ClaimGrowth {
  if (!atLeast(request, want)) {
    const verdict = volumeExpansionAllowed(claim, storageClasses);
    if (!verdict.allowed) return { kind: 'forbidden', why: verdict.why };
    // upstream PersistentVolumeClaimResize admission: "Only bound persistent volume claims can be expanded".
    return isBound(claim) ? { kind: 'patch' } : { kind: 'unbound' };
  }
  if (atLeast(capacity, want)) return { kind: 'resized' };
  if (!isBound(claim)) return { kind: 'provisioning' };
  return { kind: 'expanding', fileSystemResizePending: hasFileSystemResizePending(claim) };
}

function summarize(templates: readonly ObservedTemplate[]): ResizingSummary {
  const claims = templates.flatMap((t) => t.claims.map((c) => ({ ...c, storage: t.storage })));
  const named = (kind: ClaimGrowth['kind']): string[] => claims.filter((c) => c.growth.kind === kind).map((c) => c.name);
  const expanding = claims.flatMap((c) => (c.growth.kind === 'expanding' ? [{ name: c.name, pending: c.growth.fileSystemResizePending }] : []));
  return {
    total: claims.length,
    resized: claims.filter((c) => atLeast(c.capacity, c.storage)).length,
    toPatch: named('patch'),
    unbound: named('unbound'),
    expanding: expanding.filter((c) => !c.pending).map((c) => c.name),
    fileSystemResizePending: expanding.filter((c) => c.pending).map((c) => c.name),
    forbidden: claims.flatMap((c) => (c.growth.kind === 'forbidden' ? [{ claim: c.name, why: c.growth.why }] : [])),
    requested: templates.map((t) => `${t.name}: ${t.storage.text}`),
  };
}

/**
 * The patches, then the one-off Events: a Warning ClaimResizeForbidden per claim and size, and a
 * Normal ClaimResized per claim that reached its size while the set held Resizing (recorded once
 * per claim and size by this process; the Normal ResizingClaim follows each patch that succeeded).
 */
function growthActions(set: MyStatefulSet, templates: readonly ObservedTemplate[]): VolumeGrowthAction[] {
  const patches: VolumeGrowthAction[] = [];
  const events: VolumeGrowthAction[] = [];
  const resizing = resizingInProgress(set.status?.conditions);
  for (const { storage, claims } of templates) {
    for (const observed of claims) {
      const { growth } = observed;
      switch (growth.kind) {
        case 'patch':
          patches.push({ kind: 'patchClaimStorage', claim: observed.claim, storage: storage.text });
          break;
        case 'forbidden':
          events.push(claimResizeForbidden(observed, storage, growth.why));
          break;
        case 'resized':
          if (resizing) events.push(claimResized(observed, storage));
          break;
        case 'unbound':
        case 'expanding':
        case 'provisioning':
          break;
        default: {
          const unknown: never = growth;
          return unknown;
        }
      }
    }
  }
  return [...patches, ...events];
}

/** Warning ClaimResizeForbidden, once per claim (UID) and size. */
function claimResizeForbidden({ claim, name, request }: ObservedClaim, storage: Storage, why: string): EventOnceAction {
  const message = `claim ${name} cannot grow from ${request?.text ?? 'no request'} to ${storage.text}: ${why}; it keeps its size`;
  return eventOnce(`${claimResizeForbiddenReason}/${claim.metadata.uid ?? ''}/${storage.text}`, 'Warning', claimResizeForbiddenReason, message);
}

/** Normal ClaimResized, once per claim (UID) and size. */
function claimResized({ claim, name, capacity }: ObservedClaim, storage: Storage): EventOnceAction {
  const message = `claim ${name} has reached its requested storage ${storage.text} (capacity ${capacity?.text ?? ''})`;
  return eventOnce(`${claimResizedReason}/${claim.metadata.uid ?? ''}/${storage.text}`, 'Normal', claimResizedReason, message);
}

function eventOnce(notice: string, type: 'Normal' | 'Warning', reason: string, message: string): EventOnceAction {
  return { kind: 'eventOnce', notice, event: { kind: 'event', type, reason, message } };
}
