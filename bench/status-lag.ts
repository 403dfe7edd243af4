// Status lag: how long after the pods change the workload's status shows it. Pure: it reads two
// timelines recorded from watches during a step (bench/step-timelines.ts) and knows no cluster.
//
//   pods   — the Ready pod count of the workload, one point per change, from the pod watch;
//   status — the count the workload's status reports (readyReplicas, numberReady), one point per
//            event of a watch on the workload object.
//
// For each change of the pod count at t, the lag is the first moment t' >= t at which the status
// shows a count the pods had at some moment in [t, t']. Accepting any count since t (not only the
// one of this change) is what lets a controller that batches (skips 498 and 499, writes 500) count
// as caught up, and not be charged for changes it rightly never reported on their own.
//
// Both are step functions: the status at t' is its latest observation at or before t'. So a status
// the watch delivered before the pod watch delivered the change (two streams, no common order)
// counts as shown at once (lag 0, counted in `alreadyShown`) instead of never.
import type { LatencySummary } from './stats.ts';
import { summarize } from './stats.ts';

export interface CountPoint {
  /** Date.now() when the watch event arrived. */
  readonly at: number;
  readonly count: number;
}

export interface StatusLagResult extends LatencySummary {
  /** Changes the status never showed before the step ended (their lag: step end − change). */
  readonly unresolved: number;
  /** Changes the status already showed when the pod watch delivered them. */
  readonly alreadyShown: number;
}

/** Index of the last point at or before `at` (points sorted by time), or −1. */
function lastAtOrBefore(points: readonly CountPoint[], at: number): number {
  let lo = 0;
  let hi = points.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((points[mid]?.at ?? Infinity) <= at) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Lag (ms) of one pod change: pods[i] is the change, the later pod points add counts the status
 * may show, the status points are when it shows one. `end` bounds the search.
 */
function lagOf(pods: readonly CountPoint[], i: number, status: readonly CountPoint[], end: number): { lag: number; resolved: boolean; atOnce: boolean } {
  const change = pods[i];
  if (!change) return { lag: 0, resolved: false, atOnce: false };
  const t = change.at;
  const seen = new Set<number>([change.count]);
  let s = lastAtOrBefore(status, t);
  const shows = (): boolean => s >= 0 && seen.has(status[s]?.count ?? NaN);
  if (shows()) return { lag: 0, resolved: true, atOnce: true };
  let p = i + 1;
  for (;;) {
    const nextPod = pods[p]?.at ?? Infinity;
    const nextStatus = status[s + 1]?.at ?? Infinity;
    const next = Math.min(nextPod, nextStatus);
    if (next > end) return { lag: end - t, resolved: false, atOnce: false };
    // At equal times the pod point goes first: the status at that moment may show it.
    if (nextPod <= nextStatus) seen.add(pods[p++]?.count ?? NaN);
    else s++;
    if (shows()) return { lag: next - t, resolved: true, atOnce: false };
  }
}

/**
 * Status lag over one step's window [start, end] (ms since the epoch). `pods[0]` is the count
 * before the step (its time may precede `start`); every later point whose count differs from the
 * one before it and falls in the window is a change. Undefined when the pods never changed.
 */
export function statusLag(
  pods: readonly CountPoint[],
  status: readonly CountPoint[],
  window: { readonly start: number; readonly end: number },
): StatusLagResult | undefined {
  const lags: number[] = [];
  let unresolved = 0;
  let alreadyShown = 0;
  for (let i = 1; i < pods.length; i++) {
    const point = pods[i];
    const before = pods[i - 1];
    if (!point || !before || point.count === before.count) continue;
    if (point.at < window.start || point.at > window.end) continue;
    const one = lagOf(pods, i, status, window.end);
    lags.push(one.lag);
    if (!one.resolved) unresolved++;
    if (one.atOnce) alreadyShown++;
  }
  const summary = summarize(lags);
  return summary ? { ...summary, unresolved, alreadyShown } : undefined;
}
