// When to look at an owner again because of minReadySeconds: a pod counts as available only
// minReadySeconds after it turned Ready, and no watch event marks that moment. Two places ask:
// the pod handler, when a pod turns Ready (recheckWhenReady, dependent-events.ts calls it as
// `recheckAfterMs`), and a sync that wrote ready ≠ available (availabilityRequeueAfter). Pure.
//
// upstream updatePod in pkg/controller/daemon/daemon_controller.go (minReadySeconds + 1 s, "to
// avoid milliseconds skew in AddAfter"), statefulset/stateful_set.go and replicaset/replica_set.go
// (minReadySeconds exactly); pkg/controller/controller_utils.go FindMinNextPodAvailabilityCheck,
// called by stateful_set.go syncStatefulSet and replica_set.go syncReplicaSet.
import type { Pod } from '../../api/core.ts';
import { isPodReady, podReadyCondition } from './pod-state.ts';

/** The extra second the DaemonSet controller waits (daemon_controller.go updatePod). */
export const daemonSetReadySkewMs = 1_000;

/**
 * A recheck for owners with `minReadySeconds`: `minReadySeconds × 1000 + skewMs` after a pod went
 * from not Ready to Ready, when minReadySeconds > 0; otherwise none.
 */
export function recheckWhenReady<O>(
  minReadySeconds: (owner: O) => number,
  skewMs = 0,
): (owner: O, old: Pod, cur: Pod) => number | undefined {
  return (owner, old, cur) => {
    if (isPodReady(old) || !isPodReady(cur)) return undefined;
    const seconds = minReadySeconds(owner);
    return seconds > 0 ? seconds * 1000 + skewMs : undefined;
  };
}

/**
 * After a status with ready ≠ available (and minReadySeconds > 0): look again when the earliest
 * Ready pod becomes available, or after minReadySeconds when no Ready pod gives a future time
 * (a missing lastTransitionTime, or all already past). Milliseconds; undefined when no requeue is
 * due. upstream computes this at the status time and then re-bases it on the clock (0 once past);
 * the planner has one `now`, so the two coincide.
 */
export function availabilityRequeueAfter(
  pods: readonly Pod[],
  minReadySeconds: number,
  counts: { readonly readyReplicas: number; readonly availableReplicas: number },
  now: number,
): number | undefined {
  if (minReadySeconds <= 0 || counts.readyReplicas === counts.availableReplicas) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    if (!isPodReady(pod)) continue;
    const since = Date.parse(podReadyCondition(pod)?.lastTransitionTime ?? '');
    if (Number.isNaN(since)) continue;
    const wait = since + minReadySeconds * 1000 - now;
    if (wait > 0 && (next === undefined || wait < next)) next = wait;
  }
  return next ?? minReadySeconds * 1000;
}
