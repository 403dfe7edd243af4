// Coalesces the repeated writes of one report per object — a workload's status counts, which move
// with every pod event during a rollout — into at most one write per interval, so that a rollout
// of N pods costs close to its N creates and N deletes rather than a status write per pod event.
//
// The caller asks before a write it may put off: `delayMs(key)` is 0 when the write may go now,
// else how long to wait; the caller then syncs the object again after that delay and writes the
// newest value it computes then (nothing is queued here: the value written is always fresh). Writes
// that must not wait (a new observedGeneration, a condition, the settled end state) simply go and
// are reported with `wrote(key)`, which restarts the interval. One write per object is in flight at
// most because the work queue syncs one key at a time and the write is awaited inside the sync.
//
// While the client's own rate limit holds requests back, every status write takes a token from the
// pod creates and deletes the rollout is waiting on; the interval then grows so that one object's
// paced writes take at most `saturatedShare` of the client's rate (QPS 20: one per 10 s), for the
// callers that pass the client's `limit` (the MyDaemonSet controller; see statefulset/controller.ts
// for why the MyStatefulSet controller does not). The
// share is what keeps a throttled DaemonSet rollout within 1 % of its 2-writes-per-pod floor: 2 per
// pod, one revision, the Events and the first and last status writes leave room for about 15
// paced ones in a 100 s rollout; at 1/150 (7.5 s) the bench measured 15 and 17 status writes, 2.019
// and 2.022 writes per pod, too close to the edge, so 1/200 leaves about 10. Status lags behind by up to the interval then; the built-in
// controller's does too (~4.4 s p95 at QPS 20), its status writes waiting on the same limiter.
// Unthrottled, the interval is half a second.
//
// upstream has nothing like it: the built-in controllers write status at the end of every sync
// that changed a count (daemon_controller.go updateDaemonSetStatus, stateful_set_control.go
// updateStatefulSetStatus), so a StatefulSet rolling update costs about two status writes per pod.
import type { ClientLimitState } from './client/rest.ts';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';

export interface WritePacerOptions {
  readonly clock?: Clock;
  /** The shortest time between two paced writes of one object, in ms. Default 500. */
  readonly intervalMs?: number;
  /** The client's rate limit at this moment. Default: never saturated. */
  readonly limit?: () => ClientLimitState;
  /** The share of the client's rate one object's paced writes may take while it is saturated. Default 1/200. */
  readonly saturatedShare?: number;
}

/**
 * Half a second: a count is written at most this long after the write before it, plus the sync
 * that computes it, so what users see is under 1 s old (the bench's status lag p95).
 */
export const defaultPacedWriteIntervalMs = 500;

/** Half a percent of the client's rate while it is saturated: one write per 10 s at QPS 20. */
export const defaultSaturatedShare = 1 / 200;

/** What an executor asks of a pacer (WritePacer; tests may pass their own). */
export interface PacedWrites {
  /** Milliseconds until a paced write of `key` may go; 0 = now. */
  delayMs(key: string): number;
  /** A write of `key` went out (paced or not): the next paced one waits a full interval. */
  wrote(key: string): void;
}

/**
 * `pacer` with the writes of one sync dated at its planning time: the counts it writes are as old
 * as its snapshot, so after a long sync (a burst of 250 creates) the next write is due sooner.
 */
export function pacedFrom(pacer: WritePacer, plannedAt: number): PacedWrites {
  return { delayMs: (key) => pacer.delayMs(key), wrote: (key) => pacer.wrote(key, plannedAt) };
}

export class WritePacer implements PacedWrites {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly limit: () => ClientLimitState | undefined;
  private readonly saturatedShare: number;
  private readonly lastWrite = new Map<string, number>();

  constructor(options: WritePacerOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.intervalMs = options.intervalMs ?? defaultPacedWriteIntervalMs;
    this.limit = options.limit ?? (() => undefined);
    this.saturatedShare = options.saturatedShare ?? defaultSaturatedShare;
  }

  /** The interval now: longer while the client's rate limit holds requests back. */
  currentIntervalMs(): number {
    const limit = this.limit();
    if (limit === undefined || !limit.saturated || !(limit.qps > 0)) return this.intervalMs;
    return Math.max(this.intervalMs, 1000 / (limit.qps * this.saturatedShare));
  }

  /** Milliseconds until a paced write of `key` may go; 0 = now. */
  delayMs(key: string): number {
    const last = this.lastWrite.get(key);
    if (last === undefined) return 0;
    return Math.max(0, last + this.currentIntervalMs() - this.clock.now());
  }

  /** A write of `key` with counts as of `at` (default now) went out: the next paced one waits a full interval from `at`. */
  wrote(key: string, at: number = this.clock.now()): void {
    this.lastWrite.set(key, Math.max(this.lastWrite.get(key) ?? at, at));
  }

  /** The object is gone. */
  forget(key: string): void {
    this.lastWrite.delete(key);
  }
}
