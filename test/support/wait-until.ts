// Waits for a condition the code under test reaches on its own, checking it between macrotasks
// (each check sees every queued promise callback run) until a real-time deadline. For code whose
// progress no promise exposes; prefer awaiting that promise, or FakeClock.untilWaiting, when there
// is one. The deadline turns a missed condition into a failure naming it instead of a hung test.

export interface WaitUntilOptions {
  /** Give up after this long (real ms). Default 2 000. */
  readonly timeoutMs?: number;
  /** Names the condition in the failure. */
  readonly what?: string;
}

export async function waitUntil(predicate: () => boolean, options: WaitUntilOptions = {}): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 2_000);
  for (;;) {
    // A macrotask boundary: every promise chain runnable now has run before the check.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (predicate()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${options.what ?? 'the condition holds'}`);
  }
}
