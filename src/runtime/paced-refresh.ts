// Fresh counts while a sync is busy: a workload's status is written at the end of its sync, so
// during a long burst of creates (hundreds of pods, seconds on a busy API server) the pods turn
// Ready and the status shows none of it until the burst ends. While such a step runs, this loop
// writes the newest counts the caches hold, one write per pacer interval (write-pacer.ts), so that
// what users see is never much older than the interval.
//
// One write per object is in flight at most: the loop awaits each write, and the sync awaits
// stop() — which waits for a write already started — before its own status write. A write here
// restarts the pacer's interval, so the sync's own (older) counts are put off after it rather
// than written over the fresher ones.
//
// upstream has nothing like it: updateDaemonSetStatus and updateStatefulSetStatus run once, after
// the sync's creates (the built-in's status lags a 1000-pod DaemonSet create by ~1 s at p95).
import type { Clock } from './clock.ts';

/** What the loop needs of a pacer (WritePacer). */
export interface RefreshPacer {
  /** Milliseconds until a paced write of `key` may go; 0 = now. */
  delayMs(key: string): number;
  /** The interval between paced writes at this moment. */
  currentIntervalMs(): number;
  /** A write of `key` with counts as of `at` went out: the next one is due an interval after `at`. */
  wrote(key: string, at: number): void;
}

export interface PacedRefreshOptions<T> {
  readonly key: string;
  readonly clock: Clock;
  readonly pacer: RefreshPacer;
  /** The counts to write now, from the caches; undefined: nothing to write (or not a counts-only write). */
  readonly compute: () => T | undefined;
  readonly write: (value: T) => Promise<void>;
  /** A write failed: the loop ends (the sync's own status write follows anyway). */
  readonly onError: (err: unknown) => void;
}

export interface PacedRefresh {
  /** Ends the loop; resolves once a write it started has finished. */
  stop(): Promise<void>;
}

/**
 * Starts the loop. The first write waits a full interval (the sync's snapshot is fresh when it
 * starts), then whenever the pacer allows one.
 */
export function startPacedRefresh<T>(options: PacedRefreshOptions<T>): PacedRefresh {
  const { key, clock, pacer } = options;
  const stopped = new AbortController();
  const loop = (async (): Promise<void> => {
    let wait = Math.max(pacer.delayMs(key), pacer.currentIntervalMs());
    for (;;) {
      try {
        await clock.sleep(wait, stopped.signal);
      } catch {
        return;
      }
      wait = pacer.delayMs(key);
      if (wait > 0) continue;
      wait = pacer.currentIntervalMs();
      const computedAt = clock.now();
      const value = options.compute();
      if (value === undefined) continue;
      try {
        await options.write(value);
      } catch (err) {
        options.onError(err);
        return;
      }
      // The interval runs from when the counts were read, not from when the write came back: on
      // an API server busy with the very burst being counted a write takes 100-300 ms, and timing
      // from its end spaced the bench's refreshes a second apart instead of half of one.
      pacer.wrote(key, computedAt);
      wait = pacer.delayMs(key);
    }
  })();
  return {
    stop: async () => {
      stopped.abort();
      await loop;
    },
  };
}
