// How the StatefulSet controller reads a pod's state. Pure; `now` is milliseconds since the epoch.
// upstream: pkg/controller/statefulset/stateful_set_utils.go (isCreated, isRunningAndReady,
// isRunningAndAvailable, isUnavailable, …). A pod that is only planned (not yet created) has no
// phase, so every predicate here treats it as not created, not ready and unavailable.
import type { Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { isPodAvailable, isPodReady } from '../shared/pod-state.ts';

/** The API server gave it a phase (it always does on create). */
export function isCreated(pod: Pod): boolean {
  return (pod.status?.phase ?? '') !== '';
}

export function isPending(pod: Pod): boolean {
  return pod.status?.phase === 'Pending';
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isTerminating(pod: Pod): boolean {
  return isBeingDeleted(pod);
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** Ready for minReadySeconds. Upstream does not check the phase here, only the Ready condition. */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return isPodAvailable(pod, minReadySeconds, now);
}

/** Not available, or terminating (a terminating pod is about to stop serving). */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return !isPodAvailable(pod, minReadySeconds, now) || isTerminating(pod);
}
