// What `kubectl rollout pause|resume|restart` write, or why they refuse (upstream: kubectl
// pkg/polymorphichelpers objectpauser.go, objectresumer.go, objectrestarter.go, and
// pkg/cmd/rollout, which prefixes a refusal with the object as `<resource>.<group> "<name>"`).
// Pure: main.ts reads the object, sends the merge patch and prints `<object> paused` etc.
import type { PodTemplateSpec } from '../api/core.ts';
import { formatMetaV1Time } from '../runtime/time.ts';
import { targetResourceName, type Target } from './target.ts';

export type RolloutPatch =
  /** kubectl reports `error: <message>` and exits 1. */
  | { readonly kind: 'refused'; readonly message: string }
  /** A JSON merge patch for the object. */
  | { readonly kind: 'patch'; readonly body: unknown };

/** The part of a workload's spec these verbs read; only a MyDeployment has `paused`. */
export interface PatchedSpec {
  readonly paused?: boolean;
  readonly template: PodTemplateSpec;
}

export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

function refused(target: Target, problem: string): RolloutPatch {
  return { kind: 'refused', message: `${targetResourceName(target)} ${problem}` };
}

/** Pausing stops a MyDeployment's rollouts; the other kinds have no pause (kubectl: "pausing is not supported"). */
export function pausePatch(target: Target, spec: PatchedSpec): RolloutPatch {
  if (target.kind !== 'MyDeployment') return refused(target, 'pausing is not supported');
  if (spec.paused === true) return refused(target, 'is already paused');
  return { kind: 'patch', body: { spec: { paused: true } } };
}

export function resumePatch(target: Target, spec: PatchedSpec): RolloutPatch {
  if (target.kind !== 'MyDeployment') return refused(target, 'resuming is not supported');
  if (spec.paused !== true) return refused(target, 'is not paused');
  return { kind: 'patch', body: { spec: { paused: false } } };
}

/**
 * Stamps the pod template with `now` (RFC 3339, whole seconds, as kubectl's time.RFC3339), which
 * changes the template and so rolls every pod. A paused MyDeployment would not roll, so kubectl
 * refuses; a stamp equal to the current one would change nothing (a second restart within the
 * same second).
 */
export function restartPatch(target: Target, spec: PatchedSpec, now: number): RolloutPatch {
  if (target.kind === 'MyDeployment' && spec.paused === true) return refused(target, "can't restart paused deployment (run rollout resume first)");
  const restartedAt = formatMetaV1Time(now);
  if (spec.template.metadata?.annotations?.[restartedAtAnnotation] === restartedAt) {
    return {
      kind: 'refused',
      message: `failed to create patch for ${target.name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`,
    };
  }
  return { kind: 'patch', body: { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: restartedAt } } } } } };
}
