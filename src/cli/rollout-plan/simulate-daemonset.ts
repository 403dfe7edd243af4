// A MyDaemonSet rollout, simulated with the controller's own planner: each sync is plan() over
// the simulated cluster, its actions applied as the executor would (execute.ts) with every call
// succeeding, until the rollout settles (simulation-loop.ts). Returns which existing pods each
// sync starts replacing. upstream: pkg/controller/daemon/daemon_controller.go syncDaemonSet.
import type { ControllerRevision, Node, Pod } from '../../api/core.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { DaemonSetAction, FailedPodBackoff } from '../../controllers/daemonset/plan.ts';
import { plan } from '../../controllers/daemonset/plan.ts';
import { nodeNameOfPod } from '../../controllers/daemonset/pod-template.ts';
import { nextRolloutConditions } from '../../controllers/daemonset/rollout-conditions.ts';
import { minReadySeconds } from '../../controllers/daemonset/spec-defaults.ts';
import { controllerRevisionHashLabel } from '../../controllers/history/revisions.ts';
import { NamedObjects } from './named-objects.ts';
import { Replacements } from './replacements.ts';
import { createRevision, renumberRevision } from './revision-writes.ts';
import { SimulatedPods } from './simulated-pods.ts';
import { applyAll, runToCompletion, syncFailure } from './simulation-loop.ts';
import { patchedRollback } from './status-patch.ts';

/** What a MyDaemonSet sync reads: the object with the change, every node, and what it controls. */
export interface DaemonSetCluster {
  readonly ds: MyDaemonSet;
  readonly nodes: readonly Node[];
  /** The pods it controls (after adoption and release), as the controller's claim leaves them. */
  readonly pods: readonly Pod[];
  readonly revisions: readonly ControllerRevision[];
}

/** The existing pods each step replaces, in order. */
export function simulateDaemonSet(cluster: DaemonSetCluster, now: number): string[][] {
  let ds = cluster.ds;
  const pods = new SimulatedPods(cluster.pods, now);
  const revisions = new NamedObjects(cluster.revisions);
  const failedPodBackoff = new Map<string, FailedPodBackoff>();
  const replacements = new Replacements(pods.list(), nodeNameOfPod);

  /** Applies one action; true when it is a write. */
  const apply = (action: DaemonSetAction): boolean => {
    switch (action.kind) {
      case 'labelRevision':
        revisions.update(action.revision.metadata.name, (r) => ({
          ...r,
          metadata: { ...r.metadata, labels: { ...r.metadata.labels, [controllerRevisionHashLabel]: action.hash } },
        }));
        return true;
      case 'createRevision':
        createRevision(revisions, action.revision, pods);
        return true;
      case 'relabelPod':
        pods.update({ ...action.pod, metadata: { ...action.pod.metadata, labels: { ...action.pod.metadata.labels, [controllerRevisionHashLabel]: action.hash } } });
        return true;
      case 'deleteRevision':
        revisions.remove(action.revision.metadata.name);
        return true;
      case 'updateRevisionNumber':
        renumberRevision(revisions, action.revision, action.revisionNumber);
        return true;
      case 'createPod':
        pods.create(action.pod, action.nodeName);
        replacements.created(action.nodeName);
        return true;
      case 'deletePod':
        replacements.deleted(action.pod);
        pods.delete(action.pod);
        return true;
      case 'writeStatus': {
        const { rollback, ...fields } = action.status;
        ds = { ...ds, status: { ...ds.status, ...fields, rollback: patchedRollback(ds.status?.rollback, rollback) } };
        return true;
      }
      case 'writeRolloutConditions':
        ds = { ...ds, status: { ...ds.status, conditions: nextRolloutConditions(ds.status?.conditions, action.update).conditions } };
        return true;
      case 'recordFailedBackoff':
        failedPodBackoff.set(action.key, action.backoff);
        return false;
      case 'event':
      case 'warnOnce':
      case 'requeueAfter':
        return false;
      case 'syncError':
        throw syncFailure('MyDaemonSet', action.message);
      default: {
        const unexpected: never = action;
        return unexpected;
      }
    }
  };

  runToCompletion({
    sync() {
      pods.beginSync();
      replacements.beginSync();
      const snapshot = {
        ds,
        nodes: cluster.nodes,
        pods: pods.list(),
        revisions: revisions.list(),
        expectationsSatisfied: true,
        failedPodBackoff: new Map(failedPodBackoff),
      };
      return applyAll(plan(snapshot, pods.now), apply);
    },
    settle: () => pods.settle(minReadySeconds(ds)),
  });
  return replacements.steps(pods.list());
}
