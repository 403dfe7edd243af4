// What a step records besides its wall time, from watches opened before its first write: the
// Ready-pod count and the workload's status count over time (status lag, bench/status-lag.ts),
// and each pod's first appearance and first Ready (OrderedReady reaction, bench/ordered-reaction.ts).
import { appendFileSync } from 'node:fs';
import type { KubeObject } from '../src/api/meta.ts';
import type { Resource } from '../src/api/resources.ts';
import type { KubeClient } from '../src/runtime/client/rest.ts';
import type { NamedPodEvent, OrderedReactionResult } from './ordered-reaction.ts';
import { orderedReaction } from './ordered-reaction.ts';
import type { PodWatch } from './pod-watch.ts';
import type { CountPoint, StatusLagResult } from './status-lag.ts';
import { statusLag } from './status-lag.ts';
import { StatusWatch } from './status-watch.ts';

/** The workload whose status a step times, and the Ready count its status reports. */
export interface StatusSource {
  readonly plural: string;
  /** A watch on the object, not started yet. */
  readonly open: () => Pick<StatusWatch<KubeObject>, 'start' | 'close' | 'points'>;
}

export function statusSource<T extends KubeObject>(
  client: KubeClient,
  res: Resource<T>,
  namespace: string,
  name: string,
  readyOf: (obj: T) => number,
): StatusSource {
  return { plural: res.plural, open: () => new StatusWatch(client, res, namespace, name, readyOf) };
}

export interface TimelineResults {
  readonly statusLag?: StatusLagResult;
  readonly orderedReaction?: OrderedReactionResult;
}

export interface Recording {
  /** Stops recording and computes the results over the step's window [start, end]. */
  finish(window: { readonly start: number; readonly end: number }): Promise<TimelineResults>;
}

/**
 * Starts recording: the pod watch's changes at once, the status watch once its list is in (so
 * before the caller's first write). `orderedSet`: the StatefulSet whose OrderedReady reaction to time.
 */
export async function startRecording(
  watch: Pick<PodWatch, 'subscribe' | 'readyCount'>,
  options: {
    readonly status?: StatusSource;
    readonly orderedSet?: { readonly name: string; readonly replicas: number };
    /** Also append the raw timelines, one JSON line per step, to this file (for a closer look). */
    readonly dump?: { readonly file: string; readonly label: Readonly<Record<string, string>> };
  },
): Promise<Recording> {
  const pods: CountPoint[] = [{ at: Date.now(), count: watch.readyCount() }];
  const named: NamedPodEvent[] = [];
  const unsubscribe = watch.subscribe((c) => {
    if (c.ready !== pods[pods.length - 1]?.count) pods.push({ at: c.at, count: c.ready });
    if (!options.orderedSet) return;
    if (c.added) named.push({ at: c.at, name: c.name, type: 'added' });
    if (c.becameReady) named.push({ at: c.at, name: c.name, type: 'ready' });
  });
  const statusWatch = options.status?.open();
  try {
    await statusWatch?.start();
  } catch (err) {
    unsubscribe();
    throw err;
  }
  return {
    async finish(window) {
      unsubscribe();
      await statusWatch?.close();
      const lag = statusWatch ? statusLag(pods, statusWatch.points, window) : undefined;
      if (options.dump !== undefined) {
        appendFileSync(options.dump.file, JSON.stringify({ ...options.dump.label, window, pods, status: statusWatch?.points ?? [], statusLag: lag }) + '\n');
      }
      const set = options.orderedSet;
      const reaction = set ? orderedReaction(named, set.name, set.replicas) : undefined;
      return { ...(lag ? { statusLag: lag } : {}), ...(reaction ? { orderedReaction: reaction } : {}) };
    },
  };
}
