// Waiting on a condition with a deadline, for the tests, the benchmark and the cluster scripts:
// one loop, so every wait polls, gives up and reports alike. Lives in hack/ because all three
// import from here already; it depends on nothing but Node.
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions<T> {
  /** Give up after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Pause after each probe that is not done yet (default 200 ms). */
  readonly intervalMs?: number;
  /**
   * Check the deadline after each probe instead of before: the first probe runs whatever the
   * timeout, and so does the one after the pause that crossed the deadline. For waits whose
   * timeout is itself the bound under test, so the last chance is not lost to the interval.
   */
  readonly deadlineAfterProbe?: boolean;
  /**
   * When true, a probe (or `done`) that throws ends the wait with that error. Default: the error
   * counts as "not yet", for probes that fail while what they wait for is still starting; the last
   * one is reported on timeout.
   */
  readonly stopOnError?: boolean;
  /** Builds what to throw on timeout, for waits whose failure says more than the default message. */
  readonly onTimeout?: (last: T | undefined, lastError: unknown) => unknown;
}

/** The default timeout failure: what was awaited and where things stood. */
export class PollTimeout extends Error {
  readonly what: string;
  /** The last value the probe returned; undefined when none succeeded. */
  readonly last: unknown;
  readonly lastError: unknown;

  constructor(what: string, last: unknown, lastError: unknown) {
    const seen = last === undefined ? `error: ${String(lastError)}` : JSON.stringify(last, null, 1).slice(0, 2000);
    super(`timed out waiting for ${what}; last seen: ${seen}`);
    this.name = 'PollTimeout';
    this.what = what;
    this.last = last;
    this.lastError = lastError;
  }
}

/**
 * Calls `probe` until `done` accepts its value and resolves with that value; by default the
 * deadline is checked before each probe, so none starts after it. On timeout throws a PollTimeout naming
 * `what` with the last value seen (or, if no probe succeeded, the last error), unless `onTimeout`
 * says otherwise. With a type guard as `done`, resolves with the narrowed type.
 */
export function pollUntil<T, U extends T>(
  what: string,
  probe: () => T | Promise<T>,
  done: (value: T) => value is U,
  options?: PollOptions<T>,
): Promise<U>;
export function pollUntil<T>(what: string, probe: () => T | Promise<T>, done: (value: T) => boolean, options?: PollOptions<T>): Promise<T>;
export async function pollUntil<T>(
  what: string,
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions<T> = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const checkAfter = options.deadlineAfterProbe === true;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    if (!checkAfter && Date.now() >= deadline) break;
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (err) {
      if (options.stopOnError === true) throw err;
      lastError = err;
    }
    if (checkAfter && Date.now() >= deadline) break;
    await sleep(options.intervalMs ?? 200);
  }
  if (options.onTimeout) throw options.onTimeout(last, lastError);
  throw new PollTimeout(what, last, lastError);
}
