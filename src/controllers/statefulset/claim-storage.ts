// The storage a claim or a claim template asks for and the storage a claim has, read from the
// wire and compared as quantities ("2Gi" and "2048Mi" are one size). Pure.
// upstream: k8s.io/apimachinery/pkg/api/resource/quantity.go Cmp; the fields are those the volume
// expand controller compares (pkg/controller/volume/expand/expand_controller.go syncHandler:
// spec.resources.requests.storage against status.capacity.storage).
import type { PersistentVolumeClaim } from '../../api/core.ts';
import { isRecord } from '../../api/meta.ts';
import type { QuantityValue } from '../shared/quantity.ts';
import { compareQuantities, quantityFromJson } from '../shared/quantity.ts';

export { compareQuantities };

/** The claim condition the kubelet's file system resize waits on (upstream v1.PersistentVolumeClaimFileSystemResizePending). */
export const fileSystemResizePending = 'FileSystemResizePending';

/** A storage amount: its text as written, and its value. */
export interface Storage {
  readonly text: string;
  readonly value: QuantityValue;
}

function storageOf(raw: unknown): Storage | undefined {
  const value = quantityFromJson(raw);
  return value === undefined ? undefined : { text: String(raw), value };
}

/** spec.resources.requests.storage of a claim or claim template; undefined when absent or not a quantity. */
export function requestedStorage(claim: PersistentVolumeClaim): Storage | undefined {
  return storageOf(claim.spec.resources?.requests?.storage);
}

/** status.capacity.storage: what the bound volume provides (undefined before binding). */
export function storageCapacity(claim: PersistentVolumeClaim): Storage | undefined {
  const capacity = claim.status?.capacity;
  return isRecord(capacity) ? storageOf(capacity.storage) : undefined;
}

export function isBound(claim: PersistentVolumeClaim): boolean {
  return claim.status?.phase === 'Bound';
}

/** The claim reports FileSystemResizePending True: the volume grew, its file system waits for the pod to restart. */
export function hasFileSystemResizePending(claim: PersistentVolumeClaim): boolean {
  const conditions = claim.status?.conditions;
  if (!Array.isArray(conditions)) return false;
  return conditions.some((c: unknown) => isRecord(c) && c.type === fileSystemResizePending && c.status === 'True');
}

/** `have` is at least `want` (a missing amount is below any). */
export function atLeast(have: Storage | undefined, want: Storage): boolean {
  return have !== undefined && compareQuantities(have.value, want.value) >= 0;
}
