// The reflector's retry policy, kept apart from the code that fails (client-go:
// wait.NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0) in tools/cache/reflector.go).
import type { Clock } from '../clock.ts';
import { jitter } from '../clock.ts';

export interface BackoffOptions {
  /** First delay (ms). Default 800. */
  readonly initialMs?: number;
  /** Largest delay before jitter (ms). Default 30 000. */
  readonly capMs?: number;
  /** A sequence that has not backed off for this long starts over at the initial delay. Default 120 000. */
  readonly resetAfterMs?: number;
  /** Each delay d is drawn from [d, d × (1 + jitter)). Default 1. */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly capMs: number;
  private readonly resetAfterMs: number;
  private readonly jitterFactor: number;
  private readonly random: () => number;
  private delayMs: number;
  private lastAt: number | undefined;
  private readonly clock: Clock;

  constructor(clock: Clock, options: BackoffOptions = {}) {
    this.clock = clock;
    this.initialMs = options.initialMs ?? 800;
    this.capMs = options.capMs ?? 30_000;
    this.resetAfterMs = options.resetAfterMs ?? 120_000;
    this.jitterFactor = options.jitter ?? 1;
    this.random = options.random ?? Math.random;
    this.delayMs = this.initialMs;
  }

  /** The next delay to wait (ms), jittered; doubles the base for the following call. */
  next(): number {
    const now = this.clock.now();
    if (this.lastAt !== undefined && now - this.lastAt > this.resetAfterMs) this.delayMs = this.initialMs;
    this.lastAt = now;
    const base = this.delayMs;
    this.delayMs = Math.min(this.capMs, this.delayMs * 2);
    return jitter(base, this.jitterFactor, this.random);
  }
}
