// One token bucket for every limiter in the operator, like golang.org/x/time/rate's Limiter:
// - Reserve (client-side API throttling, the work queue's overall limit): take a token now and
//   learn how long to wait before using it; the bucket may go into debt.
// - TryAccept (the event spam filter, client-go tools/record/events_cache.go): take a token only
//   if one is there; a refused call costs nothing.
// The arithmetic is pure functions over a small state record, so callers that keep many buckets
// (one per object in an LRU cache) store the record, and TokenBucket wraps one record with a clock.
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';

export interface TokenBucketLimits {
  /** Tokens added per second. 0 or less means unlimited: every reservation is immediate. */
  readonly qps: number;
  /** Bucket size: how many tokens can be taken at once after a quiet period. */
  readonly burst: number;
}

/** A bucket's tokens at `updatedAt` (ms); negative when reservations run ahead of the refill. */
export interface TokenBucketState {
  readonly tokens: number;
  readonly updatedAt: number;
}

/** A bucket that has seen no use yet is full. */
export function fullBucket(now: number, limits: TokenBucketLimits): TokenBucketState {
  return { tokens: limits.burst, updatedAt: now };
}

/**
 * The state at `now`: tokens refilled at qps since `updatedAt`, never above the burst. A clock that
 * went backwards refills nothing (x/time/rate's advance does the same).
 */
export function refill(state: TokenBucketState, now: number, limits: TokenBucketLimits): TokenBucketState {
  const elapsedSeconds = Math.max(0, now - state.updatedAt) / 1000;
  return { tokens: Math.min(limits.burst, state.tokens + elapsedSeconds * limits.qps), updatedAt: now };
}

/** Takes a token if one is available at `now` (a missing state is a full bucket). */
export function tryAccept(
  state: TokenBucketState | undefined,
  now: number,
  limits: TokenBucketLimits,
): { readonly accepted: boolean; readonly state: TokenBucketState } {
  const current = refill(state ?? fullBucket(now, limits), now, limits);
  if (current.tokens >= 1) return { accepted: true, state: { tokens: current.tokens - 1, updatedAt: now } };
  return { accepted: false, state: current };
}

/** Takes a token at `now` and returns the milliseconds to wait before acting on it (0 = at once). */
export function reserve(
  state: TokenBucketState,
  now: number,
  limits: TokenBucketLimits,
): { readonly delayMs: number; readonly state: TokenBucketState } {
  if (!(limits.qps > 0)) return { delayMs: 0, state };
  const current = refill(state, now, limits);
  const tokens = current.tokens - 1;
  return { delayMs: tokens >= 0 ? 0 : (-tokens / limits.qps) * 1000, state: { tokens, updatedAt: now } };
}

export interface TokenBucketOptions extends TokenBucketLimits {
  readonly clock?: Clock;
}

/** One bucket on a clock; starts full. The burst is at least 1. */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private readonly clock: Clock;
  private state: TokenBucketState;

  constructor(options: TokenBucketOptions) {
    this.qps = options.qps;
    this.burst = Math.max(1, Math.floor(options.burst));
    this.clock = options.clock ?? realClock;
    this.state = fullBucket(this.clock.now(), this);
  }

  get unlimited(): boolean {
    return !(this.qps > 0);
  }

  /** Takes one token and returns the milliseconds to wait before acting on it (0 = now). */
  reserve(): number {
    const reserved = reserve(this.state, this.clock.now(), this);
    this.state = reserved.state;
    return reserved.delayMs;
  }

  /**
   * True when a request made now would wait for its token: the bucket is empty (or in debt).
   * Never for an unlimited bucket. Takes nothing.
   */
  get saturated(): boolean {
    return !this.unlimited && refill(this.state, this.clock.now(), this).tokens < 1;
  }

  /** Takes one token if one is available now; false (and nothing taken) otherwise. */
  tryAccept(): boolean {
    const result = tryAccept(this.state, this.clock.now(), this);
    this.state = result.state;
    return result.accepted;
  }

  /** Takes one token and waits until it may be used. */
  async take(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) await this.clock.sleep(delay, signal);
  }
}
