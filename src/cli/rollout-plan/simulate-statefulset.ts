// A MyStatefulSet rollout, simulated with the controller's own planner: each sync is plan() over
// the simulated cluster, its pod steps applied unit by unit as the executor runs them
// (execute.ts) with every call succeeding, until the rollout settles (simulation-loop.ts).
// Returns which existing pods each sync starts replacing. upstream:
// pkg/controller/statefulset/stateful_set_control.go UpdateStatefulSet.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import type { PodOperationAction, StatefulSetAction } from '../../controllers/statefulset/plan.ts';
import { plan } from '../../controllers/statefulset/plan.ts';
import { nextRolloutConditions } from '../../controllers/statefulset/rollout-status.ts';
import { minReadySecondsOf } from '../../controllers/statefulset/strategy.ts';
import { NamedObjects } from './named-objects.ts';
import { Replacements } from './replacements.ts';
import { createRevision, renumberRevision } from './revision-writes.ts';
import { SimulatedPods } from './simulated-pods.ts';
import { applyAll, runToCompletion, syncFailure } from './simulation-loop.ts';
import { patchedRollback } from './status-patch.ts';

/** What a MyStatefulSet sync reads: the object with the change and what it controls. */
export interface StatefulSetCluster {
  readonly set: MyStatefulSet;
  /** The member pods it controls (after adoption and release). */
  readonly pods: readonly Pod[];
  /** The claims of its namespace. */
  readonly pvcs: readonly PersistentVolumeClaim[];
  /** Its revisions and the orphans it adopts (ListControllerRevisions). */
  readonly revisions: readonly ControllerRevision[];
}

/** The existing pods each step replaces, in order. */
export function simulateStatefulSet(cluster: StatefulSetCluster, now: number): string[][] {
  let set = cluster.set;
  const pods = new SimulatedPods(cluster.pods, now);
  const pvcs = new NamedObjects(cluster.pvcs);
  const revisions = new NamedObjects(cluster.revisions);
  const replacements = new Replacements(pods.list(), (pod) => pod.metadata.name);

  const applyPodAction = (action: PodOperationAction): void => {
    switch (action.kind) {
      case 'createClaims':
        for (const claim of action.claims) {
          if (claim.kind === 'createPvc' && !pvcs.has(claim.pvc.metadata.name)) pvcs.put(pods.stamp(claim.pvc));
        }
        return;
      case 'createPod':
        pods.create(action.pod);
        replacements.created(action.pod.metadata.name ?? '');
        return;
      case 'updatePod':
        pods.update(action.pod);
        return;
      case 'deletePod':
        replacements.deleted(action.pod);
        pods.delete(action.pod);
        return;
      case 'patchPvcOwnerRefs':
        pvcs.update(action.pvc.metadata.name, (pvc) => ({ ...pvc, metadata: { ...pvc.metadata, ownerReferences: action.ownerReferences } }));
        return;
      case 'event':
        return;
      default: {
        const unexpected: never = action;
        return unexpected;
      }
    }
  };

  /** Applies one action; true when it is a write. */
  const apply = (action: StatefulSetAction): boolean => {
    switch (action.kind) {
      case 'createRevision':
        createRevision(revisions, action.revision, pods);
        return true;
      case 'updateRevisionNumber':
        renumberRevision(revisions, action.revision, action.revisionNumber);
        return true;
      case 'podStep':
        for (const unit of action.batches.flat()) for (const operation of unit.operations) operation.actions.forEach(applyPodAction);
        return true;
      case 'rolloutConditions':
        set = { ...set, status: { ...set.status, conditions: nextRolloutConditions(set.status?.conditions, action.update) } };
        return true;
      case 'writeStatus': {
        // Every planned update deletion went through: status.currentReplicas is the plan's.
        const { rollback, ...fields } = action.status;
        set = { ...set, status: { ...set.status, ...fields, rollback: patchedRollback(set.status?.rollback, rollback) } };
        return true;
      }
      case 'deleteRevision':
        revisions.remove(action.revision.metadata.name);
        return true;
      case 'eventOnce':
      case 'requeueAfter':
        return false;
      case 'syncError':
        throw syncFailure('MyStatefulSet', action.message);
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
      const snapshot = { set, pods: pods.list(), pvcs: pvcs.list(), revisions: revisions.list() };
      return applyAll(plan(snapshot, pods.now), apply);
    },
    settle: () => pods.settle(minReadySecondsOf(set)),
  });
  return replacements.steps(pods.list());
}
