// Retry policy, kept apart from the queue that applies it (upstream: client-go
// util/workqueue/default_rate_limiters.go): how long an item waits before its next try.
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import { TokenBucket } from '../token-bucket.ts';

export interface RateLimiter<T = string> {
  /** Records a failure of `item` and returns how long (ms) it should wait before the next try. */
  when(item: T): number;
  /** Clears `item`'s failure history, after a success or when giving up. */
  forget(item: T): void;
  /** Failures of `item` recorded since the last `forget`. */
  numRequeues(item: T): number;
}

export interface ItemExponentialFailureOptions {
  /** Delay after the first failure, in ms. Default 5 (client-go's controller default). */
  readonly baseDelayMs?: number;
  /** Upper bound of any delay, in ms. Default 1 000 000 (1000 s). */
  readonly maxDelayMs?: number;
}

/** Per item: baseDelay × 2^failures, capped at maxDelay. */
export class ItemExponentialFailureRateLimiter<T = string> implements RateLimiter<T> {
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly failures = new Map<T, number>();

  constructor(options: ItemExponentialFailureOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
  }

  when(item: T): number {
    const exponent = this.failures.get(item) ?? 0;
    this.failures.set(item, exponent + 1);
    const backoff = this.baseDelayMs * 2 ** exponent;
    // Past ~2^1000 the power is Infinity; the cap covers it.
    return Number.isFinite(backoff) ? Math.min(backoff, this.maxDelayMs) : this.maxDelayMs;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** One token bucket for all items: bounds the overall retry rate whatever the per-item backoff says. */
export class BucketRateLimiter<T = string> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;

  constructor(bucket: TokenBucket) {
    this.bucket = bucket;
  }

  when(_item: T): number {
    return this.bucket.reserve();
  }

  forget(_item: T): void {
    // The bucket refills with time; there is nothing per item to clear.
  }

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay of several limiters; every limiter records every failure. */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  private readonly limiters: readonly RateLimiter<T>[];

  constructor(limiters: readonly RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    // Ask every limiter (no short-circuit): each one must count the failure or take its token.
    return this.limiters.reduce((longest, limiter) => Math.max(longest, limiter.when(item)), 0);
  }

  forget(item: T): void {
    for (const limiter of this.limiters) limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiters.reduce((most, limiter) => Math.max(most, limiter.numRequeues(item)), 0);
  }
}

/**
 * client-go's DefaultControllerRateLimiter: per-item backoff 5 ms × 2^n up to 1000 s, and overall
 * at most 10 retries per second after a burst of 100.
 */
export function defaultControllerRateLimiter<T = string>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>([
    new ItemExponentialFailureRateLimiter<T>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    new BucketRateLimiter<T>(new TokenBucket({ qps: 10, burst: 100, clock })),
  ]);
}
