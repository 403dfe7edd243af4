// Lets queued promise callbacks run without sleeping: async handoffs in the runtime (a timer's
// promise settling, a worker picking the next key) are chains of microtasks, never timers.

/** Yields to the microtask queue `rounds` times. */
export async function flushMicrotasks(rounds = 100): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
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
