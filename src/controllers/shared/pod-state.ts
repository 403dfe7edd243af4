// Pod readiness, availability and terminal phase, as the workload controllers read them. Pure;
// `now` is passed in.
// upstream: pkg/api/v1/pod/util.go (IsPodReady, IsPodAvailable, IsPodTerminal),
// pkg/controller/controller_utils.go (IsPodActive, IsPodTerminating).
import type { Pod, PodCondition } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';

/** The first `Ready` condition, as GetPodCondition returns it. */
export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((condition) => condition.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * Ready, and Ready for at least `minReadySeconds` by the condition's lastTransitionTime. With
 * minReadySeconds 0 any Ready pod is available; with a missing transition time none is.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = Date.parse(podReadyCondition(pod)?.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

/** Failed or Succeeded: all containers stopped for good. */
export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/** Neither terminal nor being deleted: a pod that counts towards an owner's replicas. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !isBeingDeleted(pod);
}

/** Being deleted but not terminal yet: its containers may still run (terminatingReplicas). */
export function isPodTerminating(pod: Pod): boolean {
  return !isPodTerminal(pod) && isBeingDeleted(pod);
}
