// Per-object backoff for creates the API server refuses: quota, LimitRange, an admission plugin,
// or a template that slipped past validation. Beyond upstream: its controllers retry at the work
// queue's pace (5 ms doubling), and every watch event of the object, its pods or its nodes puts
// the key back at once, so a refused create is tried again and again, each try a request and a
// Warning Event. Here, once a create is refused, the object's creates wait 1 s, then 2 s, 4 s …
// up to 5 minutes; one that goes through resets it. Syncs in between still do everything else
// (deletes, status), and ask to be requeued when the wait is over.
//
// The shape is client-go's flowcontrol.Backoff, which upstream's DaemonSet controller uses for
// failed pods (failed-pod-backoff.ts): no jitter, and an entry idle for twice the maximum starts
// afresh.
import type { Clock } from '../../runtime/clock.ts';

export const createBackoffInitialMs = 1_000;
export const createBackoffMaxMs = 5 * 60_000;

interface Entry {
  /** The object's UID: a new object under the same key starts without backoff. */
  readonly uid: string;
  readonly delayMs: number;
  /** When the last refusal happened. */
  readonly failedAt: number;
}

export class CreateBackoff {
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** How long creates for this object still wait; 0 when they may be tried. */
  remainingMs(key: string, uid: string): number {
    const entry = this.current(key, uid);
    if (entry === undefined) return 0;
    return Math.max(0, entry.failedAt + entry.delayMs - this.clock.now());
  }

  /** Records a refused create; returns how long the next creates wait. */
  failed(key: string, uid: string): number {
    const now = this.clock.now();
    this.collectGarbage(now);
    const entry = this.current(key, uid);
    const delayMs = entry === undefined ? createBackoffInitialMs : Math.min(entry.delayMs * 2, createBackoffMaxMs);
    this.entries.set(key, { uid, delayMs, failedAt: now });
    return delayMs;
  }

  /** A create went through: the next refusal starts from the initial delay again. */
  succeeded(key: string): void {
    this.entries.delete(key);
  }

  /** The object is gone. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** Entries being kept (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private current(key: string, uid: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.uid !== uid || this.expired(entry, this.clock.now())) return undefined;
    return entry;
  }

  private expired(entry: Entry, now: number): boolean {
    return now - entry.failedAt > 2 * createBackoffMaxMs;
  }

  /** Drops idle entries, so objects deleted while backing off are not kept forever. */
  private collectGarbage(now: number): void {
    for (const [key, entry] of this.entries) if (this.expired(entry, now)) this.entries.delete(key);
  }
}
