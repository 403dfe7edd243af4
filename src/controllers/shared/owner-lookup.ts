// Which workload an informer event about a child object concerns. Pure lookups in the owners'
// cache; the event handlers enqueue what they return.
// upstream: pkg/controller/daemon/daemon_controller.go and statefulset/stateful_set.go
// (resolveControllerRef, getDaemonSetsForPod / getStatefulSetsForPod, and the
// reflect.DeepEqual of controller references in updatePod).
import type { KubeObject, LabelSelector, OwnerReference } from '../../api/meta.ts';
import { controllerOf } from '../../api/meta.ts';
import { selectorIsEmpty, selectorMatches } from '../../api/selector.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { namespaceIndex } from '../../runtime/informer/store.ts';

/** A workload that selects its children by label. */
export interface SelectingOwner extends KubeObject {
  readonly spec: { readonly selector: LabelSelector };
}

/**
 * The owner of kind `kind` the object's controller reference names, if the cache holds it with
 * that UID (a reference to a deleted and recreated owner of the same name resolves to nothing).
 */
export function resolveControllerRef<O extends KubeObject>(obj: KubeObject, kind: string, owners: ReadonlyStore<O>): O | undefined {
  const ref = controllerOf(obj);
  if (!ref || ref.kind !== kind) return undefined;
  const owner = owners.get(`${obj.metadata.namespace ?? ''}/${ref.name}`);
  return owner?.metadata.uid === ref.uid ? owner : undefined;
}

/** Owners in the object's namespace whose non-empty selector matches its labels (adoption candidates). */
export function ownersSelecting<O extends SelectingOwner>(obj: KubeObject, owners: ReadonlyStore<O>): O[] {
  return owners
    .byIndex(namespaceIndex, obj.metadata.namespace ?? '')
    .filter((owner) => !selectorIsEmpty(owner.spec.selector) && selectorMatches(owner.spec.selector, obj.metadata.labels));
}

export function labelsEqual(a: KubeObject, b: KubeObject): boolean {
  const la = a.metadata.labels ?? {};
  const lb = b.metadata.labels ?? {};
  const keys = Object.keys(la);
  return keys.length === Object.keys(lb).length && keys.every((k) => la[k] === lb[k]);
}

/**
 * Whether two controller references are the same in every field (upstream updatePod in
 * daemon_controller.go, stateful_set.go and replica_set.go: reflect.DeepEqual of the two
 * *metav1.OwnerReference). A reference that changed only in name, apiVersion or
 * blockOwnerDeletion has changed; an absent field differs from a false one, as a nil pointer
 * differs from a pointer to false.
 */
export function controllerRefsEqual(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    a.controller === b.controller &&
    a.blockOwnerDeletion === b.blockOwnerDeletion
  );
}
