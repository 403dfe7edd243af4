// OrderedReady reaction latency: how long a StatefulSet controller takes to create pod <set>-i
// once <set>-(i-1) turned Ready. Both moments are pod-watch events, so the API server's and the
// watch's delays are in both sides' numbers alike. Pure.
import type { LatencySummary } from './stats.ts';
import { summarize } from './stats.ts';

/** One pod-watch event of a step: a pod's first appearance or its first turn to Ready. */
export interface NamedPodEvent {
  /** Date.now() when the watch event arrived. */
  readonly at: number;
  readonly name: string;
  readonly type: 'added' | 'ready';
}

export interface OrderedReactionResult extends LatencySummary {
  /** Ordinals 1..r−1 for which the step did not see both events (timeout, or events before the step). */
  readonly missing: number;
}

/** The first event of each (name, type), keyed `type name`. */
function firstEvents(events: readonly NamedPodEvent[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const e of events) {
    const key = `${e.type} ${e.name}`;
    const seen = first.get(key);
    if (seen === undefined || e.at < seen) first.set(key, e.at);
  }
  return first;
}

/**
 * For each ordinal i in 1..replicas−1: ms from `<set>-(i-1)` Ready to `<set>-i` added. A negative
 * value is kept as it is: on one watch stream it would mean pod i was created before its
 * predecessor was Ready, an OrderedReady violation worth seeing.
 */
export function orderedReactionsMs(events: readonly NamedPodEvent[], set: string, replicas: number): { readonly latencies: number[]; readonly missing: number } {
  const first = firstEvents(events);
  const latencies: number[] = [];
  let missing = 0;
  for (let i = 1; i < replicas; i++) {
    const ready = first.get(`ready ${set}-${i - 1}`);
    const added = first.get(`added ${set}-${i}`);
    if (ready === undefined || added === undefined) missing++;
    else latencies.push(added - ready);
  }
  return { latencies, missing };
}

/** p50/p95/mean/max of the reactions, with the count of ordinals missing; undefined when none was seen. */
export function orderedReaction(events: readonly NamedPodEvent[], set: string, replicas: number): OrderedReactionResult | undefined {
  const { latencies, missing } = orderedReactionsMs(events, set, replicas);
  const summary = summarize(latencies);
  return summary ? { ...summary, missing } : undefined;
}
