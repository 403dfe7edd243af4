// A delaying queue that asks a rate limiter how long a failed item waits (upstream: client-go
// util/workqueue/rate_limiting_queue.go). The worker loop calls `addRateLimited` after a failure
// and `forget` after a success, so the next failure starts the backoff over.
import { DelayingQueue } from './delaying-queue.ts';
import type { WorkQueueOptions } from './queue.ts';
import type { RateLimiter } from './rate-limiters.ts';
import { defaultControllerRateLimiter } from './rate-limiters.ts';

export interface RateLimitingQueueOptions<T> extends WorkQueueOptions {
  /** Default: `defaultControllerRateLimiter(clock)`. */
  readonly rateLimiter?: RateLimiter<T>;
}

export class RateLimitingQueue<T extends NonNullable<unknown> = string> extends DelayingQueue<T> {
  private readonly rateLimiter: RateLimiter<T>;

  constructor(options: RateLimitingQueueOptions<T> = {}) {
    super(options);
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
  }

  /** Adds `item` after the delay the rate limiter gives it, counting one more failure. */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Ends `item`'s backoff: its next failure waits the base delay again. Does not remove it from the queue. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  /** Failures of `item` since the last `forget`. */
  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
