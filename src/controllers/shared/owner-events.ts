// Informer handlers shared by the workload controllers: enqueue the owner of a child object that
// changed, or, for an orphan, every owner that might adopt it. Handlers run synchronously inside the
// informer and only compute keys.
// upstream: pkg/controller/daemon/daemon_controller.go addHistory, updateHistory, deleteHistory.
import type { KubeObject } from '../../api/meta.ts';
import { controllerOf } from '../../api/meta.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { objectKey } from '../../runtime/informer/store.ts';
import type { SelectingOwner } from './owner-lookup.ts';
import { ownersSelecting, resolveControllerRef } from './owner-lookup.ts';

/** The part of a controller's work queue the handlers use. */
export interface OwnerQueue {
  enqueue(key: string): void;
  enqueueAfter(key: string, ms: number): void;
}

export interface OwnedObjectHandlerDeps<O extends SelectingOwner> {
  /** The owners' kind, as controller references name it. */
  readonly kind: string;
  readonly owners: ReadonlyStore<O>;
  readonly queue: OwnerQueue;
}

/**
 * For children that carry nothing else worth watching (ControllerRevisions): an add or update
 * enqueues the controlling owner, or, for an orphan, the owners selecting it; an update that moved
 * the controller reference also enqueues the previous owner; a delete enqueues the owner.
 */
export function ownedObjectEventHandler<T extends KubeObject, O extends SelectingOwner>({
  kind,
  owners,
  queue,
}: OwnedObjectHandlerDeps<O>): EventHandler<T> {
  const changed = (obj: T): void => {
    const owner = resolveControllerRef(obj, kind, owners);
    if (owner) {
      queue.enqueue(objectKey(owner));
      return;
    }
    if (controllerOf(obj)) return;
    for (const candidate of ownersSelecting(obj, owners)) queue.enqueue(objectKey(candidate));
  };
  return {
    onAdd: (obj) => changed(obj),
    onUpdate: (old, cur) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const oldOwner = resolveControllerRef(old, kind, owners);
      if (oldOwner && controllerOf(cur)?.uid !== oldOwner.metadata.uid) queue.enqueue(objectKey(oldOwner));
      changed(cur);
    },
    onDelete: (obj) => {
      const owner = resolveControllerRef(obj, kind, owners);
      if (owner) queue.enqueue(objectKey(owner));
    },
  };
}
