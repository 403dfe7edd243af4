// The MyReplicaSet controller inside a simulated MyDeployment rollout: each MyReplicaSet synced
// with its own planner (src/controllers/replicaset/plan.ts), creates and deletes applied as the
// executor would with every call succeeding, again and again until none of them writes. It runs
// before each Deployment pass, so the pass reads statuses that show the pods as they are (the
// ReplicaSet controller answers a pod event within milliseconds). upstream:
// pkg/controller/replicaset/replica_set.go syncReplicaSet.
import { controllerOf } from '../../api/meta.ts';
import { selectorMatches } from '../../api/selector.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import type { ReplicaSetAction } from '../../controllers/replicaset/plan.ts';
import { plan } from '../../controllers/replicaset/plan.ts';
import { getIndirectlyRelatedPods } from '../../controllers/replicaset/pod-sets.ts';
import { specReplicas } from '../../controllers/replicaset/spec-defaults.ts';
import { isPodActive, isPodTerminating } from '../../controllers/shared/pod-state.ts';
import type { NamedObjects } from './named-objects.ts';
import { RolloutPlanError } from './rollout-plan.ts';
import type { SimulatedPods } from './simulated-pods.ts';
import { applyAll } from './simulation-loop.ts';

/** Rounds over every MyReplicaSet before giving up: one round creates or deletes up to 500 pods each. */
const maxRounds = 1000;

/** Syncs every MyReplicaSet until none writes; true when any did. */
export function syncReplicaSets(replicaSets: NamedObjects<MyReplicaSet>, pods: SimulatedPods): boolean {
  let wrote = false;
  for (let round = 0; round < maxRounds; round++) {
    const wroteThisRound = replicaSets.list().map((rs) => syncReplicaSet(rs, replicaSets, pods)).includes(true);
    if (!wroteThisRound) return wrote;
    wrote = true;
  }
  throw new RolloutPlanError(`the simulated MyReplicaSets did not settle after ${maxRounds} rounds`);
}

function syncReplicaSet(rs: MyReplicaSet, replicaSets: NamedObjects<MyReplicaSet>, pods: SimulatedPods): boolean {
  const uid = rs.metadata.uid ?? '';
  const controlled = pods.list().filter((pod) => controllerOf(pod)?.uid === uid);
  const activePods = controlled.filter(isPodActive);
  const terminatingPods = controlled.filter((pod) => isPodTerminating(pod) && selectorMatches(rs.spec.selector, pod.metadata.labels));
  // upstream getReplicaSetsWithSameController: the deletion ranking counts the pods of every
  // MyReplicaSet of the same MyDeployment.
  const owner = controllerOf(rs)?.uid;
  const siblings = owner === undefined ? [] : replicaSets.list().filter((s) => controllerOf(s)?.uid === owner);
  const relatedPods = activePods.length > specReplicas(rs) ? getIndirectlyRelatedPods(siblings, pods.list()) : [];
  const actions = plan({ rs, activePods, terminatingPods, relatedPods, expectationsSatisfied: true }, pods.now);

  const apply = (action: ReplicaSetAction): boolean => {
    switch (action.kind) {
      case 'createPod':
        pods.create(action.pod);
        return true;
      case 'deletePod':
        pods.delete(action.pod);
        return true;
      case 'writeStatus':
        replicaSets.update(rs.metadata.name, (stored) => ({ ...stored, status: { ...stored.status, ...action.status } }));
        return true;
      case 'requeueAfter':
        return false;
      default: {
        const unexpected: never = action;
        return unexpected;
      }
    }
  };
  return applyAll(actions, apply);
}
