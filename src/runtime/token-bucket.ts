// A token bucket that hands out reservations, like golang.org/x/time/rate's Limiter.Reserve:
// callers take a token now and learn how long to wait before using it. Both client-side API
// throttling and the work queue's overall limit are built on it.
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';

export interface TokenBucketOptions {
  /** Tokens added per second. 0 or less means unlimited: every reservation is immediate. */
  readonly qps: number;
  /** Bucket size: how many tokens can be taken at once after a quiet period. At least 1. */
  readonly burst: number;
  readonly clock?: Clock;
}

export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private readonly clock: Clock;
  /** Tokens available at `updatedAt`; negative when reservations run ahead of the refill. */
  private tokens: number;
  private updatedAt: number;

  constructor(options: TokenBucketOptions) {
    this.qps = options.qps;
    this.burst = Math.max(1, Math.floor(options.burst));
    this.clock = options.clock ?? realClock;
    this.tokens = this.burst;
    this.updatedAt = this.clock.now();
  }

  get unlimited(): boolean {
    return !(this.qps > 0);
  }

  /** Takes one token and returns the milliseconds to wait before acting on it (0 = now). */
  reserve(): number {
    if (this.unlimited) return 0;
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.qps);
    this.updatedAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Takes one token and waits until it may be used. */
  async take(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) await this.clock.sleep(delay, signal);
  }
}
