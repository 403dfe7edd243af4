// When to look at an owner again after one of its pods turned Ready: a pod counts as available
// only minReadySeconds later, and no event marks that moment, so the pod handler enqueues the
// owner for then. Pure; dependent-events.ts calls it as `recheckAfterMs`.
//
// upstream updatePod in pkg/controller/daemon/daemon_controller.go (minReadySeconds + 1 s, "to
// avoid milliseconds skew in AddAfter"), statefulset/stateful_set.go and replicaset/replica_set.go
// (minReadySeconds exactly).
import type { Pod } from '../../api/core.ts';
import { isPodReady } from './pod-state.ts';

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
