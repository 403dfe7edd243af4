// A clock that moves only when told to. Sleepers wake in deadline order as time is advanced, so
// backoff and rate-limit tests run instantly and deterministically.
//
// Tests synchronise with the code under test through the sleeps it registers: untilWaiting()
// resolves the moment the code has reached its next sleep (a retry wait, a backoff), so a test
// knows everything before that sleep has happened without counting event-loop turns. After moving
// time, advanceAndRun() resolves once the code each woken sleep resumes has run its next step.
import type { Clock } from '../../src/runtime/clock.ts';

interface Sleeper {
  readonly at: number;
  readonly resolve: () => void;
  /** The promise `sleep` returned: what the code under test attached its continuation to. */
  readonly promise: Promise<void>;
}

interface WaitingWatcher {
  readonly count: number;
  readonly resolve: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private watchers: WaitingWatcher[] = [];

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new Error('aborted'));
    let resolve: () => void = () => undefined;
    let reject: (reason: Error) => void = () => undefined;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const sleeper: Sleeper = { at: this.current + Math.max(0, ms), resolve, promise };
    this.sleepers.push(sleeper);
    signal?.addEventListener('abort', () => {
      this.sleepers = this.sleepers.filter((s) => s !== sleeper);
      reject(new Error('aborted'));
    });
    this.notifyWatchers();
    return promise;
  }

  /** Number of pending sleeps. */
  get waiting(): number {
    return this.sleepers.length;
  }

  /** When the earliest pending sleep ends (epoch ms), or undefined when nothing sleeps. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const s of this.sleepers) if (next === undefined || s.at < next) next = s.at;
    return next;
  }

  /**
   * Resolves once at least `count` sleeps are pending: at once if they already are, else the moment
   * the code under test registers the one that makes `count`.
   */
  untilWaiting(count = 1): Promise<void> {
    if (this.sleepers.length >= count) return Promise.resolve();
    return new Promise<void>((resolve) => this.watchers.push({ count, resolve }));
  }

  /** Moves time forward, waking every sleeper whose deadline has come, in order. */
  advance(ms: number): void {
    this.wake(ms);
  }

  /**
   * Moves time forward as `advance` does, then resolves once every sleep it woke has run what the
   * code under test attached to it (a `.then` callback, or the code after an `await`), up to that
   * code's next `await`. Reactions to one promise run in the order they were attached, and this
   * attaches its own only now, after the code under test attached its continuation when it slept.
   * Resolves at once when no sleep was due.
   */
  advanceAndRun(ms: number): Promise<void> {
    const woken = this.wake(ms);
    return Promise.all(woken.map((s) => s.promise)).then(() => undefined);
  }

  private wake(ms: number): Sleeper[] {
    this.current += ms;
    const due = this.sleepers.filter((s) => s.at <= this.current).sort((a, b) => a.at - b.at);
    this.sleepers = this.sleepers.filter((s) => s.at > this.current);
    for (const s of due) s.resolve();
    return due;
  }

  private notifyWatchers(): void {
    const ready = this.watchers.filter((w) => this.sleepers.length >= w.count);
    this.watchers = this.watchers.filter((w) => this.sleepers.length < w.count);
    for (const w of ready) w.resolve();
  }
}
