// A short pause after a sync that changed nothing but the status, so that a stream of pod events
// which only move counts does not plan the whole workload once per event.
//
// Why: while 1000 daemon pods are bound and turn Ready one by one after the last create, every
// event wakes the MyDaemonSet and each sync plans every node (~3 ms at 1000 nodes, ~15 ms at 5000)
// to find nothing to do; the work queue only merges the events that arrive during a sync. On the
// bench's 2-core machine that was 2 s of a 1000-pod create's 6 s of operator CPU, taken from the
// API server, scheduler and kubelets the create waits for. After a quiet sync the next one waits
// until `quietCooldownFactor` times the time the quiet one took to snapshot and plan has passed (at
// most `maxQuietCooldownMs`), then sees every event of the pause at once: the key spends at most
// about a tenth of a core while nothing but counts changes. A plan under `minQuietCostMs` (a few
// hundred pods or nodes, an OrderedReady StatefulSet waiting for its next pod) never makes the
// next sync wait: its reaction to the event that unblocks it stays immediate. A sync that creates, deletes or writes history has no cooldown after
// it (the next batch of creates follows at once), nor does a new generation, a deletion or a new
// owner (the spec is planned at once). Nor does a sync during a rollout, or an OrderedReady
// StatefulSet's (each kind's quiet() says when): there the event is what the next step waits for.
//
// Never loses an event: the key is requeued for the end of the pause, and the status those
// events change is written by that sync (the write pacer bounds how often anyway).
//
// upstream has no equivalent: its controllers sync on every event (Go plans 1000 nodes in well
// under a millisecond), and client-go's work queue only de-duplicates keys not yet processed.
import type { Pod } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { controllerRevisionHashLabel } from '../history/revisions.ts';

/** The pause is this many times the quiet sync's snapshot-and-plan time. */
export const quietCooldownFactor = 10;
/** …and never longer than this. */
export const maxQuietCooldownMs = 250;
/** Plans cheaper than this have no pause after them. */
export const minQuietCostMs = 1;

interface Quiet {
  /** The pause ends at this time (ms). */
  readonly until: number;
  /** What the pause holds for: a different owner instance, spec or deletion ends it. */
  readonly uid: string;
  readonly generation: number;
  readonly deleting: boolean;
}

export class QuietCooldown {
  private readonly quietKeys = new Map<string, Quiet>();

  /** The sync of `key` planned nothing but status in `costMs`, finishing its plan at `now`. */
  quiet(key: string, owner: KubeObject, costMs: number, now: number): void {
    const pauseMs = Math.min(maxQuietCooldownMs, quietCooldownFactor * costMs);
    if (costMs < minQuietCostMs) {
      this.quietKeys.delete(key);
      return;
    }
    this.quietKeys.set(key, { until: now + pauseMs, ...identity(owner) });
  }

  /** Milliseconds the next sync of `key` should still wait; 0 = now. */
  remainingMs(key: string, owner: KubeObject, now: number): number {
    const quiet = this.quietKeys.get(key);
    if (quiet === undefined) return 0;
    const current = identity(owner);
    const left = quiet.until - now;
    if (left <= 0 || current.uid !== quiet.uid || current.generation !== quiet.generation || current.deleting !== quiet.deleting) {
      this.quietKeys.delete(key);
      return 0;
    }
    return left;
  }

  forget(key: string): void {
    this.quietKeys.delete(key);
  }
}

function identity(owner: KubeObject): Omit<Quiet, 'until'> {
  return {
    uid: owner.metadata.uid ?? '',
    generation: owner.metadata.generation ?? 0,
    deleting: owner.metadata.deletionTimestamp !== undefined && owner.metadata.deletionTimestamp !== null,
  };
}

/**
 * Every live pod carries one revision: no rollout is under way, so an event about one of them can
 * move counts but cannot unblock a replacement waiting for it (a rollout's next step waits on a
 * pod turning Ready or going away, and must follow that event at once).
 */
export function onOneRevision(pods: readonly Pod[]): boolean {
  let revision: string | undefined;
  for (const pod of pods) {
    if (isBeingDeleted(pod)) continue;
    const hash = pod.metadata.labels?.[controllerRevisionHashLabel] ?? '';
    if (revision === undefined) revision = hash;
    else if (hash !== revision) return false;
  }
  return true;
}
