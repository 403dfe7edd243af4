// The plan of one rollout: the kind's simulation, its steps, and why nothing is replaced when
// nothing is. Pure: `now` (the simulated clock's start) is an argument.
import type { PodTemplateSpec } from '../../api/core.ts';
import type { MyDaemonSet, MyDeployment, MyStatefulSet } from '../../api/workloads.ts';
import { updateStrategyType } from '../../controllers/daemonset/spec-defaults.ts';
import { revisionDataKey, templatePatch } from '../../controllers/history/revisions.ts';
import { updateStrategyOf } from '../../controllers/statefulset/strategy.ts';
import type { NothingReplacedReason, PlanStep, RolloutPlan } from './rollout-plan.ts';
import type { DaemonSetCluster } from './simulate-daemonset.ts';
import { simulateDaemonSet } from './simulate-daemonset.ts';
import type { DeploymentCluster } from './simulate-deployment.ts';
import { simulateDeployment } from './simulate-deployment.ts';
import type { StatefulSetCluster } from './simulate-statefulset.ts';
import { simulateStatefulSet } from './simulate-statefulset.ts';

/** The object as it is (`live`) and the cluster its controller would see with the change made. */
export type RolloutCluster =
  | { readonly kind: 'MyDaemonSet'; readonly live: MyDaemonSet; readonly cluster: DaemonSetCluster }
  | { readonly kind: 'MyStatefulSet'; readonly live: MyStatefulSet; readonly cluster: StatefulSetCluster }
  | { readonly kind: 'MyDeployment'; readonly live: MyDeployment; readonly cluster: DeploymentCluster };

export function planRollout(input: RolloutCluster, now: number): RolloutPlan {
  const { kind } = input;
  const name = input.live.metadata.name ?? '';
  switch (input.kind) {
    case 'MyDaemonSet': {
      const { ds } = input.cluster;
      const steps = simulateDaemonSet(input.cluster, now).map((replace): PlanStep => ({ replace }));
      return withReason({ kind, name, steps }, input.live.spec.template, ds.spec, updateStrategyType(ds) === 'OnDelete');
    }
    case 'MyStatefulSet': {
      const { set } = input.cluster;
      const steps = simulateStatefulSet(input.cluster, now).map((replace): PlanStep => ({ replace }));
      return withReason({ kind, name, steps }, input.live.spec.template, set.spec, updateStrategyOf(set).type === 'OnDelete');
    }
    case 'MyDeployment': {
      const steps = simulateDeployment(input.cluster, now).map((replicaSets): PlanStep => ({ replicaSets }));
      return withReason({ kind, name, steps }, input.live.spec.template, input.cluster.d.spec, false);
    }
  }
}

/** With no step: paused, then OnDelete, then an unchanged template; else no reason is given. */
function withReason(
  plan: RolloutPlan,
  liveTemplate: PodTemplateSpec,
  spec: { readonly paused?: boolean; readonly template: PodTemplateSpec },
  onDelete: boolean,
): RolloutPlan {
  if (plan.steps.length > 0) return plan;
  const reason: NothingReplacedReason | undefined =
    spec.paused === true
      ? 'Paused'
      : onDelete
        ? 'OnDelete'
        : revisionDataKey(templatePatch(liveTemplate)) === revisionDataKey(templatePatch(spec.template))
          ? 'TemplateUnchanged'
          : undefined;
  return reason === undefined ? plan : { ...plan, reason };
}
