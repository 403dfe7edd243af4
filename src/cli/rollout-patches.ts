// What `kubectl rollout pause|resume|restart` write, or why they refuse (upstream: kubectl
// pkg/polymorphichelpers objectpauser.go, objectresumer.go, objectrestarter.go, and
// pkg/cmd/rollout, which prefixes a refusal with the object as `<resource>.<group> "<name>"`).
// Every kind pauses as a Deployment does (spec.paused; docs/rollout-control.md).
// Pure: main.ts reads the object, sends the merge patch and prints `<object> paused` etc.
import type { PodTemplateSpec } from '../api/core.ts';
import { formatMetaV1Time } from '../runtime/time.ts';
import { kubectlNoun, targetResourceName, type Target } from './target.ts';

export type RolloutPatch =
  /** kubectl reports `error: <message>` and exits 1. */
  | { readonly kind: 'refused'; readonly message: string }
  /** A JSON merge patch for the object. */
  | { readonly kind: 'patch'; readonly body: unknown };

/**
 * The part of a workload's spec these verbs read. `paused` is apps/v1's on a MyDeployment and our
 * extension on a MyDaemonSet and a MyStatefulSet (docs/rollout-control.md), with the same meaning.
 */
export interface PatchedSpec {
  readonly paused?: boolean;
  readonly template: PodTemplateSpec;
}

export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

function refused(target: Target, problem: string): RolloutPatch {
  return { kind: 'refused', message: `${targetResourceName(target)} ${problem}` };
}

/**
 * Pausing stops the rollouts of every kind: kubectl's Deployment pauser, applied to spec.paused
 * wherever it is (kubectl refuses the other apps/v1 kinds with "pausing is not supported", which
 * have no such field).
 */
export function pausePatch(target: Target, spec: PatchedSpec): RolloutPatch {
  if (spec.paused === true) return refused(target, 'is already paused');
  return { kind: 'patch', body: { spec: { paused: true } } };
}

/** kubectl's Deployment resumer: `paused: false`, as kubectl writes it, for every kind. */
export function resumePatch(target: Target, spec: PatchedSpec): RolloutPatch {
  if (spec.paused !== true) return refused(target, 'is not paused');
  return { kind: 'patch', body: { spec: { paused: false } } };
}

/**
 * kubectl refuses to roll back a paused Deployment (DeploymentRollbacker, whose words these are,
 * as deployment-rollout.ts prints them); a paused MyDaemonSet or MyStatefulSet is refused alike,
 * since the template written back would not roll out either.
 */
export function pausedRollbackRefusal(target: Target): string {
  return `you cannot rollback a paused ${kubectlNoun(target.kind)}; resume it first with 'kubectl rollout resume' and try again`;
}

/**
 * Stamps the pod template with `now` (RFC 3339, whole seconds, as kubectl's time.RFC3339), which
 * changes the template and so rolls every pod. A paused workload would not roll, so kubectl
 * refuses (a Deployment there; every kind here); a stamp equal to the current one would change
 * nothing (a second restart within the same second).
 */
export function restartPatch(target: Target, spec: PatchedSpec, now: number): RolloutPatch {
  if (spec.paused === true) return refused(target, `can't restart paused ${kubectlNoun(target.kind)} (run rollout resume first)`);
  const restartedAt = formatMetaV1Time(now);
  if (spec.template.metadata?.annotations?.[restartedAtAnnotation] === restartedAt) {
    return {
      kind: 'refused',
      message: `failed to create patch for ${target.name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`,
    };
  }
  return { kind: 'patch', body: { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: restartedAt } } } } } };
}
