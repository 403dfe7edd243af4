// What `kubectl my rollout plan` answers: the ordered steps a change would take, as data. Pure.
//
// A MyDaemonSet or MyStatefulSet step names the existing pods whose replacement starts together
// (one sync of the controller). A MyDeployment step is the size of every MyReplicaSet after a
// write that changed one: which pod goes first there depends on where the scheduler places new
// pods, so sizes are what can be predicted (upstream: pkg/controller/deployment/rolling.go scales
// ReplicaSets, the ReplicaSet controller picks the pods).
import type { TargetKind } from '../target.ts';

export type PlanStep =
  /** Existing pods (names, sorted) whose replacement starts in one sync. */
  | { readonly replace: readonly string[] }
  /** spec.replicas of every MyReplicaSet of the MyDeployment, oldest first, the new one last. */
  | { readonly replicaSets: Readonly<Record<string, number>> };

/** Why a change replaces no pod, when that is known. */
export type NothingReplacedReason = 'Paused' | 'OnDelete' | 'TemplateUnchanged';

export interface RolloutPlan {
  readonly kind: TargetKind;
  readonly name: string;
  /** In execution order; empty when nothing would be replaced. */
  readonly steps: readonly PlanStep[];
  /** Only with no step: why, when known. */
  readonly reason?: NothingReplacedReason;
}

/** The plan cannot be made: the change is refused, or the simulated rollout does not settle. */
export class RolloutPlanError extends Error {
  override readonly name = 'RolloutPlanError';
}

/** The words the table prints for a reason. */
export function reasonText(reason: NothingReplacedReason): string {
  switch (reason) {
    case 'Paused':
      return 'the rollout is paused (spec.paused)';
    case 'OnDelete':
      return 'updateStrategy is OnDelete: a pod is replaced only once you delete it';
    case 'TemplateUnchanged':
      return 'the pod template is unchanged';
  }
}
