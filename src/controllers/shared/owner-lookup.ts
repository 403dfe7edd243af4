// Which workload an informer event about a child object concerns. Pure lookups in the owners'
// cache; the event handlers enqueue what they return.
// upstream: pkg/controller/daemon/daemon_controller.go and statefulset/stateful_set.go
// (resolveControllerRef, getDaemonSetsForPod / getStatefulSetsForPod).
import type { KubeObject, LabelSelector } from '../../api/meta.ts';
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
