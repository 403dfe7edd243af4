// The controllers this operator runs. Each registers its informers, event handlers and work queue
// with the manager; main.ts adds a `--workers-<name>` flag for each.
import type { Manager } from '../runtime/manager.ts';
import { daemonSetSetup } from './daemonset/controller.ts';
import { deploymentSetup } from './deployment/controller.ts';
import { replicaSetSetup } from './replicaset/controller.ts';
import { statefulSetSetup } from './statefulset/controller.ts';

export interface ControllerSetup {
  readonly name: string;
  /** kube-controller-manager's defaults: DaemonSet 2, StatefulSet 5, ReplicaSet 5, Deployment 5. */
  readonly defaultWorkers: number;
  register(manager: Manager, options: { readonly workers: number }): void;
}

export const controllerSetups: readonly ControllerSetup[] = [daemonSetSetup, statefulSetSetup, replicaSetSetup, deploymentSetup];
