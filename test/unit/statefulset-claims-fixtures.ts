// Builders for the claim-growth tests: a steady set whose claim template asks for `storage` of a
// class, its claims as the API server holds them, StorageClasses, and readers of a planSync result.
import type { PersistentVolumeClaim } from '../../src/api/core.ts';
import type { MyStatefulSet, MyStatefulSetStatus, RolloutCondition } from '../../src/api/workloads.ts';
import type { StatefulSetSnapshot, StatefulSetStatusFields, StatefulSetSyncAction } from '../../src/controllers/statefulset/plan.ts';
import type { StorageClass } from '../../src/controllers/statefulset/storage-class.ts';
import { nextRolloutConditions } from '../../src/controllers/statefulset/rollout-status.ts';
import type { SetOptions } from './statefulset-fixtures.ts';
import { makePvc, steady } from './statefulset-fixtures.ts';

export const expandable: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, allowVolumeExpansion: true };
export const fixedSize: StorageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fixed' } };
export const classes: readonly StorageClass[] = [expandable, fixedSize];

/** A steady set (Ready pods, status matching) whose template `www` asks for `storage` of class `className`. */
export function grownSet(storage: string, options: SetOptions & { readonly className?: string } = {}): MyStatefulSet {
  const { className = 'fast', ...rest } = options;
  const { set } = steady({ claims: ['www'], ...rest });
  return withTemplateStorage(set, storage, className);
}

export function withTemplateStorage(set: MyStatefulSet, storage: string, className = 'fast'): MyStatefulSet {
  const templates = (set.spec.volumeClaimTemplates ?? []).map((t) => ({
    ...t,
    spec: { ...t.spec, storageClassName: className, resources: { requests: { storage } } },
  }));
  return { ...set, spec: { ...set.spec, volumeClaimTemplates: templates } };
}

export function withStatus(set: MyStatefulSet, status: Partial<MyStatefulSetStatus>): MyStatefulSet {
  return { ...set, status: { ...set.status, ...status } };
}

export interface ClaimOptions {
  readonly request?: string;
  /** status.capacity.storage; default: the request when Bound, none otherwise. */
  readonly capacity?: string;
  readonly phase?: 'Bound' | 'Pending' | 'Lost';
  readonly className?: string | null;
  readonly fileSystemResizePending?: boolean;
  readonly uid?: string;
  readonly deleting?: boolean;
}

/** Claim `www-web-<ordinal>` as the API server holds it. */
export function claim(ordinal: number, options: ClaimOptions = {}): PersistentVolumeClaim {
  const { request = '1Gi', phase = 'Bound', className = 'fast', fileSystemResizePending = false, deleting = false } = options;
  const base = makePvc(`www-web-${ordinal}`, undefined, deleting ? '2025-01-01T00:09:00Z' : undefined);
  const capacity = options.capacity ?? (phase === 'Bound' ? request : undefined);
  return {
    ...base,
    metadata: { ...base.metadata, ...(options.uid !== undefined ? { uid: options.uid } : {}) },
    spec: {
      ...base.spec,
      ...(className !== null ? { storageClassName: className } : {}),
      resources: { requests: { storage: request } },
    },
    status: {
      phase,
      ...(capacity !== undefined ? { capacity: { storage: capacity } } : {}),
      ...(fileSystemResizePending ? { conditions: [{ type: 'FileSystemResizePending', status: 'True' }] } : {}),
    },
  };
}

/** Claims www-web-0 … for `ordinals`, each with `options`. */
export function claims(ordinals: readonly number[], options: ClaimOptions = {}): PersistentVolumeClaim[] {
  return ordinals.map((o) => claim(o, options));
}

/** The snapshot of `set` with its steady pods, `pvcs` and the StorageClasses. */
export function claimsSnapshot(set: MyStatefulSet, pvcs: readonly PersistentVolumeClaim[], storageClasses = classes): StatefulSetSnapshot {
  const { pods, rev } = steady({
    claims: ['www'],
    ...(set.spec.replicas !== undefined ? { replicas: set.spec.replicas } : {}),
    ...(set.spec.ordinals !== undefined ? { ordinals: set.spec.ordinals } : {}),
  });
  return { set, pods, revisions: [rev], pvcs, storageClasses };
}

/** `patchClaimStorage <claim> <storage>` per patch, in order. */
export function patches(actions: readonly StatefulSetSyncAction[]): string[] {
  return actions.flatMap((a) => (a.kind === 'patchClaimStorage' ? [`patchClaimStorage ${a.claim.metadata.name ?? ''} ${a.storage}`] : []));
}

/** `<type> <reason>: <message>` per eventOnce. */
export function onceEvents(actions: readonly StatefulSetSyncAction[]): string[] {
  return actions.flatMap((a) => (a.kind === 'eventOnce' ? [`${a.event.type} ${a.event.reason}: ${a.event.message}`] : []));
}

/** The kinds of the pod and revision work planned (podStep per step, revision writes, deletions). */
export function podAndRevisionWork(actions: readonly StatefulSetSyncAction[]): string[] {
  return actions.flatMap((a) =>
    a.kind === 'podStep' ? [`podStep ${a.step}`] : a.kind === 'createRevision' || a.kind === 'updateRevisionNumber' ? [a.kind] : [],
  );
}

/** The status the plan writes, if it writes one. */
export function statusWritten(actions: readonly StatefulSetSyncAction[]): StatefulSetStatusFields | undefined {
  const write = actions.find((a) => a.kind === 'writeStatus');
  return write?.kind === 'writeStatus' ? write.status : undefined;
}

/** The VolumeResizing condition once the plan's conditions write applied to the set's conditions. */
export function volumeResizing(set: MyStatefulSet, actions: readonly StatefulSetSyncAction[]): RolloutCondition | undefined {
  const update = actions.find((a) => a.kind === 'rolloutConditions');
  const conditions = update?.kind === 'rolloutConditions' ? nextRolloutConditions(set.status?.conditions, update.update) : set.status?.conditions;
  return conditions?.find((c) => c.type === 'VolumeResizing');
}

/** `status/reason` of a condition, or `none`. */
export function conditionLine(condition: RolloutCondition | undefined): string {
  return condition === undefined ? 'none' : `${condition.status}/${condition.reason ?? ''}`;
}
