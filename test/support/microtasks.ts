// Promise helpers for tests that synchronise on conditions: a bounded wait for a predicate, a probe
// of whether a promise has settled yet, and a deferred to hold a fake operation open.

const notSettled = Symbol('not settled');

/**
 * Whether `promise` has settled by now, and with what. Reads its state without waiting for
 * anything: a promise that is already settled wins the race against a marker attached after it
 * (reactions run in the order they were queued), and one that is still pending loses it. For
 * code that settles its promises synchronously (a work queue handing out an item in `add`), this
 * is the state right after the call; a rejection is rethrown.
 */
export async function promiseState<T>(promise: Promise<T>): Promise<{ settled: boolean; value: T | undefined }> {
  const first = await Promise.race([promise, Promise.resolve(notSettled)]);
  return first === notSettled ? { settled: false, value: undefined } : { settled: true, value: first };
}

/** Yields until `predicate` holds; fails (naming `what`) if it still does not after `rounds` yields. */
export async function until(predicate: () => boolean, what: string, rounds = 1000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (predicate()) return;
    await Promise.resolve();
  }
  throw new Error(`timed out waiting until ${what}`);
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** A promise settled from outside, to hold a fake reconcile open. */
export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
