// Informer handlers for the workloads themselves (MyDaemonSet, MyStatefulSet, later MyReplicaSet
// and MyDeployment): every add, update and delete enqueues the object's key, and an object that
// is gone takes its per-key state with it at once.
//
// upstream: pkg/controller/replicaset/replica_set.go addRS, updateRS, deleteRS and
// pkg/controller/daemon/daemon_controller.go addDaemonset, updateDaemonset, deleteDaemonset: on
// delete, and on an update whose UID differs (the informer missed the delete of an object
// recreated under the same name), DeleteExpectations and consistencyStore.Clear run in the handler,
// so a new object of that name never waits on what was expected of the old one.
import type { KubeObject } from '../../api/meta.ts';
import type { EventHandler } from '../../runtime/informer/informer.ts';
import { objectKey } from '../../runtime/informer/store.ts';

/** The part of a controller's work queue the handlers use. */
export interface OwnerQueue {
  enqueue(key: string): void;
  enqueueAfter(key: string, ms: number): void;
}

export interface OwnerEventOptions {
  readonly queue: OwnerQueue;
  /**
   * Drops the state kept for the owner under `key` (expectations, create backoff, consistency
   * records); `uid` names the instance that went away.
   */
  readonly forget: (key: string, uid: string | undefined) => void;
}

export function ownerEventHandler<O extends KubeObject>({ queue, forget }: OwnerEventOptions): EventHandler<O> {
  const gone = (owner: O): void => {
    const key = objectKey(owner);
    forget(key, owner.metadata.uid);
    queue.enqueue(key);
  };
  return {
    onAdd: (owner) => queue.enqueue(objectKey(owner)),
    onUpdate(old, cur) {
      // Deleted and recreated under the same name while the watch was down: the relist shows an
      // update, not a delete and an add.
      if (old.metadata.uid !== cur.metadata.uid) gone(old);
      queue.enqueue(objectKey(cur));
    },
    onDelete: gone,
  };
}
