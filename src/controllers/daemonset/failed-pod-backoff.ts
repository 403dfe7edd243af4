// Per-node backoff for deleting failed daemon pods, so the controller doesn't hot-loop against a
// kubelet that keeps rejecting the pod. Pure: the reconciler keeps the entries between syncs, the
// planner reads a copy of them (failedPodBackoffOf) and returns recordFailedBackoff actions, which
// the executor hands back to the reconciler.
// upstream: daemon_controller.go podsShouldBeOnNode / failedPodsBackoffKey; client-go
// util/flowcontrol/backoff.go (NewBackOff(1s, 15m): no jitter, reset after 2 × max idle).
import type { MyDaemonSet } from '../../api/workloads.ts';

export const failedPodBackoffInitialMs = 1_000;
export const failedPodBackoffMaxMs = 15 * 60_000;

/** One key's state, as flowcontrol's backoffEntry. */
export interface FailedPodBackoff {
  /** Current delay: 1 s, doubling to 15 min. */
  readonly delayMs: number;
  /** When the delay was last advanced (ms since the epoch). */
  readonly lastUpdateMs: number;
}

/**
 * `<ds uid>/<status.observedGeneration>/<node>`: a new generation (once observed) starts a fresh
 * backoff.
 */
export function failedPodsBackoffKey(ds: MyDaemonSet, nodeName: string): string {
  return `${ds.metadata.uid ?? ''}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

/** An entry untouched for more than twice the maximum is forgotten (and may be garbage-collected). */
export function hasExpired(entry: FailedPodBackoff, now: number): boolean {
  return now - entry.lastUpdateMs > 2 * failedPodBackoffMaxMs;
}

/** upstream: IsInBackOffSinceUpdate. */
export function isInBackoff(entry: FailedPodBackoff | undefined, now: number): boolean {
  if (entry === undefined || hasExpired(entry, now)) return false;
  return now - entry.lastUpdateMs < entry.delayMs;
}

/** upstream: Backoff.Next. Starts at 1 s (or restarts after expiry), else doubles up to 15 min. */
export function nextBackoff(entry: FailedPodBackoff | undefined, now: number): FailedPodBackoff {
  if (entry === undefined || hasExpired(entry, now)) return { delayMs: failedPodBackoffInitialMs, lastUpdateMs: now };
  return { delayMs: Math.min(entry.delayMs * 2, failedPodBackoffMaxMs), lastUpdateMs: now };
}

/**
 * A copy of the entries this MyDaemonSet's plan can read: its UID and observed generation, any
 * node. The planner gets this, never the reconciler's live map, which changes as the executor
 * records the plan's new entries. (Node names hold no `/`, so the key prefix is exact.)
 */
export function failedPodBackoffOf(
  entries: ReadonlyMap<string, FailedPodBackoff>,
  ds: MyDaemonSet,
): ReadonlyMap<string, FailedPodBackoff> {
  const prefix = failedPodsBackoffKey(ds, '');
  const copy = new Map<string, FailedPodBackoff>();
  for (const [key, entry] of entries) if (key.startsWith(prefix)) copy.set(key, entry);
  return copy;
}
