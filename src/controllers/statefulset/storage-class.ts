// Whether a claim may grow: the StorageClass it names and that class's allowVolumeExpansion, read
// exactly as the API server's PersistentVolumeClaimResize admission plugin reads them, so the
// controller never sends a patch that admission refuses. Pure.
// upstream: plugin/pkg/admission/storage/persistentvolume/resize/admission.go (Validate, allowResize),
// pkg/apis/core/helper/helpers.go GetPersistentVolumeClaimClass.
import type { PersistentVolumeClaim } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { resource } from '../../api/resources.ts';

/** storage.k8s.io/v1 StorageClass: only what claim growth reads. */
export interface StorageClass extends KubeObject {
  readonly provisioner?: string;
  readonly allowVolumeExpansion?: boolean;
}

export const storageClasses = resource<StorageClass>('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false);

/** The deprecated annotation that still wins over spec.storageClassName (upstream: core.BetaStorageClassAnnotation). */
export const betaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/**
 * upstream GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName, else "".
 * No default class is substituted: the DefaultStorageClass admission plugin (or, for an unbound
 * claim, the PersistentVolume controller's retroactive assignment) writes the default class into
 * the claim, and a claim that still has none cannot be expanded (allowResize refuses "").
 */
export function claimStorageClassName(claim: PersistentVolumeClaim): string {
  const annotated = claim.metadata.annotations?.[betaStorageClassAnnotation];
  if (annotated !== undefined) return annotated;
  return claim.spec.storageClassName ?? '';
}

export type ExpansionVerdict =
  | { readonly allowed: true }
  /** `why`: a phrase completing "cannot grow: …". */
  | { readonly allowed: false; readonly why: string };

/** upstream allowResize: the claim's class exists and says allowVolumeExpansion: true. */
export function volumeExpansionAllowed(claim: PersistentVolumeClaim, classes: ReadonlyMap<string, StorageClass>): ExpansionVerdict {
  const name = claimStorageClassName(claim);
  if (name === '') return { allowed: false, why: 'it has no StorageClass' };
  const storageClass = classes.get(name);
  if (storageClass === undefined) return { allowed: false, why: `StorageClass "${name}" not found` };
  if (storageClass.allowVolumeExpansion !== true) return { allowed: false, why: `StorageClass "${name}" does not allow volume expansion` };
  return { allowed: true };
}

/** The classes by name. */
export function storageClassesByName(list: readonly StorageClass[]): ReadonlyMap<string, StorageClass> {
  return new Map(list.map((c) => [c.metadata.name ?? '', c]));
}
