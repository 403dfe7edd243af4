// A MyDeployment rollout, simulated with the controller's own planner: each sync is the
// MyReplicaSet controller catching up (simulate-replicasets.ts), then one pass of plan() over the
// simulated cluster with its actions applied as the executor would (execute.ts), every call
// succeeding, until the rollout settles (simulation-loop.ts). Returns the size of every
// MyReplicaSet after each write that changed one, as a watch of them would see it.
// upstream: pkg/controller/deployment/deployment_controller.go syncDeployment.
import type { Pod } from '../../api/core.ts';
import { controllerOf } from '../../api/meta.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { desiredReplicasAnnotation, maxReplicasAnnotation, revisionAnnotation } from '../../controllers/deployment/annotations.ts';
import type { DeploymentAction } from '../../controllers/deployment/plan.ts';
import { plan } from '../../controllers/deployment/plan.ts';
import { replicasOf } from '../../controllers/deployment/fenceposts.ts';
import { byCreation } from '../../controllers/deployment/replica-sets.ts';
import { NamedObjects } from './named-objects.ts';
import { RolloutPlanError } from './rollout-plan.ts';
import { SimulatedPods } from './simulated-pods.ts';
import { syncReplicaSets } from './simulate-replicasets.ts';
import { applyAll, runToCompletion, syncFailure } from './simulation-loop.ts';

/** What a MyDeployment sync reads: the object with the change, and what it and its MyReplicaSets control. */
export interface DeploymentCluster {
  readonly d: MyDeployment;
  /** The MyReplicaSets it controls (after adoption and release). */
  readonly replicaSets: readonly MyReplicaSet[];
  /** The pods those control (after adoption). */
  readonly pods: readonly Pod[];
}

/** spec.replicas of every MyReplicaSet (oldest first, then those created), after each size change. */
export function simulateDeployment(cluster: DeploymentCluster, now: number): Record<string, number>[] {
  let d = cluster.d;
  const pods = new SimulatedPods(cluster.pods, now);
  const replicaSets = new NamedObjects([...cluster.replicaSets].sort(byCreation));
  const names = replicaSets.list().map((rs) => rs.metadata.name ?? '');
  const sizes: Map<string, number>[] = [];
  const sizeChanged = (): void => {
    sizes.push(new Map(replicaSets.list().map((rs) => [rs.metadata.name ?? '', replicasOf(rs)])));
  };

  /** Applies one action; true when it is a write. */
  const apply = (action: DeploymentAction): boolean => {
    switch (action.kind) {
      case 'createReplicaSet':
        if (replicaSets.has(action.rs.metadata.name)) {
          throw new RolloutPlanError(`replica set ${action.rs.metadata.name ?? ''} exists with another template: a hash collision, not simulated`);
        }
        replicaSets.put(pods.stamp({ ...action.rs, metadata: { ...action.rs.metadata, generation: 1 } }));
        names.push(action.rs.metadata.name ?? '');
        if (replicasOf(action.rs) > 0) sizeChanged();
        return true;
      case 'updateReplicaSet':
        replicaSets.update(action.rs.metadata.name, (rs) => ({
          ...rs,
          metadata: { ...rs.metadata, annotations: { ...rs.metadata.annotations, ...action.annotations }, generation: nextGeneration(rs, rs.spec.minReadySeconds !== action.minReadySeconds) },
          spec: { ...rs.spec, minReadySeconds: action.minReadySeconds },
        }));
        return true;
      case 'scaleReplicaSet': {
        const resized = replicasOf(replicaSets.get(action.rs.metadata.name) ?? action.rs) !== action.replicas;
        replicaSets.update(action.rs.metadata.name, (rs) => ({
          ...rs,
          metadata: {
            ...rs.metadata,
            annotations: { ...rs.metadata.annotations, [desiredReplicasAnnotation]: String(action.desiredReplicas), [maxReplicasAnnotation]: String(action.maxReplicas) },
            generation: nextGeneration(rs, resized),
          },
          spec: { ...rs.spec, replicas: action.replicas },
        }));
        if (resized) sizeChanged();
        return true;
      }
      case 'deleteReplicaSet': {
        // The garbage collector takes its pods (cleanup only deletes RSes scaled to 0).
        const uid = action.rs.metadata.uid;
        for (const pod of pods.list()) if (controllerOf(pod)?.uid === uid) pods.delete(pod);
        replicaSets.remove(action.rs.metadata.name);
        return true;
      }
      case 'rollbackDeployment':
        d = {
          ...d,
          metadata: { ...d.metadata, annotations: action.annotations, generation: (d.metadata.generation ?? 0) + (action.template === undefined ? 0 : 1) },
          spec: action.template === undefined ? d.spec : { ...d.spec, template: action.template },
        };
        return true;
      case 'setDeploymentRevision':
        d = { ...d, metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, [revisionAnnotation]: action.revision } } };
        return true;
      case 'writeStatus':
        d = { ...d, status: action.status };
        return true;
      case 'event':
      case 'requeueAfter':
        return false;
      case 'syncError':
        throw syncFailure('MyDeployment', action.message);
      default: {
        const unexpected: never = action;
        return unexpected;
      }
    }
  };

  runToCompletion({
    sync() {
      pods.beginSync();
      const replicaSetsWrote = syncReplicaSets(replicaSets, pods);
      const rss = replicaSets.list();
      const podsByReplicaSet = new Map(rss.map((rs) => [rs.metadata.uid ?? '', pods.list().filter((pod) => controllerOf(pod)?.uid === rs.metadata.uid)]));
      const deploymentWrote = applyAll(plan({ deployment: d, replicaSets: rss, podsByReplicaSet }, pods.now), apply);
      return replicaSetsWrote || deploymentWrote;
    },
    settle: () => pods.settle(d.spec.minReadySeconds ?? 0),
  });
  return sizes.map((step) => Object.fromEntries(names.map((name) => [name, step.get(name) ?? 0])));
}

/** metadata.generation after a write: the API server raises it when the spec changes. */
function nextGeneration(rs: MyReplicaSet, specChanged: boolean): number {
  return (rs.metadata.generation ?? 1) + (specChanged ? 1 : 0);
}
