// Wires one workload kind into the manager: the owners' informer, the shared reconcile over the
// kind's WorkloadSync, a work queue with its workers, the owner handlers (enqueue, forget the
// removed) and whatever else the kind watches. The shape of controller-runtime's builder (For the
// owner, Owns / Watches the rest) and of the informer wiring in upstream's New…Controller
// functions (NewDaemonSetsController, NewStatefulSetController, NewReplicaSetController).
import type { KubeObject } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { Controller } from '../../runtime/controller.ts';
import type { SharedInformer } from '../../runtime/informer/informer.ts';
import type { Manager } from '../../runtime/manager.ts';
import type { ControllerSetup } from '../index.ts';
import type { OwnerQueue } from './owner-events.ts';
import { ownerEventHandler } from './owner-events.ts';
import type { WorkloadSync } from './workload-reconciler.ts';
import { WorkloadReconciler } from './workload-reconciler.ts';

/** What a kind builds once its owners' informer exists. */
export interface WorkloadWiring<O extends KubeObject, C, S, A extends { readonly kind: string }> {
  readonly sync: WorkloadSync<O, C, S, A>;
  /** Adds the handlers of the other informers the kind watches (dependents, nodes, claims). */
  readonly watch: (queue: OwnerQueue) => void;
}

export interface WorkloadControllerSpec<O extends KubeObject, C, S, A extends { readonly kind: string }> {
  /** The controller's name: metrics and log label, work queue name, `--workers-<name>` flag. */
  readonly name: string;
  readonly defaultWorkers: number;
  /** The owners' resource; the queue's keys are its objects' keys. */
  readonly owners: Resource<O>;
  /** Asks for the kind's other informers and builds its sync; runs once, before informers start. */
  readonly build: (manager: Manager, owners: SharedInformer<O>) => WorkloadWiring<O, C, S, A>;
}

export function workloadControllerSetup<O extends KubeObject, C, S, A extends { readonly kind: string }>(
  spec: WorkloadControllerSpec<O, C, S, A>,
): ControllerSetup {
  return {
    name: spec.name,
    defaultWorkers: spec.defaultWorkers,
    register(manager, { workers }) {
      const owners = manager.informers.informerFor(spec.owners);
      const { sync, watch } = spec.build(manager, owners);
      const reconciler = new WorkloadReconciler({ owners: owners.store, sync });
      const logger = manager.logger.child({ controller: spec.name });
      const controller = new Controller({ name: spec.name, reconciler, workers, logger });
      owners.addEventHandler(ownerEventHandler({ queue: controller, forget: (key, uid) => reconciler.forget(key, uid) }));
      // The owner's own events are queued as they come (a new spec or a deletion is planned at
      // once); the dependents' wait out a sync that would only put itself off.
      watch(holdingQueue(controller, (key) => reconciler.holdMs(key)));
      manager.addController(controller);
    },
  };
}

/**
 * `queue`, except that a key whose sync would only put itself off now is queued for when it would
 * not (WorkloadReconciler.holdMs); a key already waiting keeps its earlier time.
 */
export function holdingQueue(queue: OwnerQueue, holdMs: (key: string) => number): OwnerQueue {
  return {
    enqueue(key) {
      const ms = holdMs(key);
      if (ms > 0) queue.enqueueAfter(key, ms);
      else queue.enqueue(key);
    },
    enqueueAfter: (key, ms) => queue.enqueueAfter(key, ms),
  };
}
