import assert from 'node:assert/strict';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from '../../../src/runtime/workqueue/rate-limiters.ts';
import type { RateLimiter } from '../../../src/runtime/workqueue/rate-limiters.ts';
import { TokenBucket } from '../../../src/runtime/token-bucket.ts';
import { FakeClock } from '../../support/fake-clock.ts';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles the delay from 5 ms on each failure up to 1000 s', () => {
    const limiter = new ItemExponentialFailureRateLimiter();
    const delays = Array.from({ length: 22 }, () => limiter.when('ns/a'));
    assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
    assert.equal(delays[17], 5 * 2 ** 17); // 655.36 s, the last step below the cap
    assert.deepEqual(delays.slice(18), [1_000_000, 1_000_000, 1_000_000, 1_000_000]);
    assert.equal(limiter.numRequeues('ns/a'), 22);
  });

  it('stays at the cap however many failures pile up', () => {
    const limiter = new ItemExponentialFailureRateLimiter({ baseDelayMs: 5, maxDelayMs: 1_000_000 });
    for (let i = 0; i < 2000; i++) limiter.when('ns/a');
    assert.equal(limiter.when('ns/a'), 1_000_000);
  });

  it('starts over after forget', () => {
    const limiter = new ItemExponentialFailureRateLimiter();
    limiter.when('ns/a');
    limiter.when('ns/a');
    limiter.forget('ns/a');
    assert.equal(limiter.numRequeues('ns/a'), 0);
    assert.equal(limiter.when('ns/a'), 5);
  });

  it('backs off each item on its own', () => {
    const limiter = new ItemExponentialFailureRateLimiter();
    limiter.when('ns/a');
    limiter.when('ns/a');
    assert.equal(limiter.when('ns/b'), 5);
    assert.equal(limiter.when('ns/a'), 20);
  });
});

describe('BucketRateLimiter', () => {
  it('lets 100 retries through at once, then spaces them 100 ms apart', () => {
    const limiter = new BucketRateLimiter(new TokenBucket({ qps: 10, burst: 100, clock: new FakeClock() }));
    for (let i = 0; i < 100; i++) assert.equal(limiter.when(`ns/${i}`), 0);
    assert.equal(Math.round(limiter.when('ns/100')), 100);
    assert.equal(Math.round(limiter.when('ns/101')), 200);
    assert.equal(limiter.numRequeues('ns/100'), 0);
  });
});

describe('MaxOfRateLimiter', () => {
  class Fixed implements RateLimiter {
    readonly delayMs: number;
    readonly calls: string[] = [];
    constructor(delayMs: number) {
      this.delayMs = delayMs;
    }
    when(item: string): number {
      this.calls.push(`when ${item}`);
      return this.delayMs;
    }
    forget(item: string): void {
      this.calls.push(`forget ${item}`);
    }
    numRequeues(): number {
      return this.delayMs;
    }
  }

  it('waits the longest delay and tells every limiter about each failure and forget', () => {
    const short = new Fixed(10);
    const long = new Fixed(30);
    const limiter = new MaxOfRateLimiter([long, short]);
    assert.equal(limiter.when('ns/a'), 30);
    limiter.forget('ns/a');
    assert.equal(limiter.numRequeues('ns/a'), 30);
    assert.deepEqual(short.calls, ['when ns/a', 'forget ns/a']);
    assert.deepEqual(long.calls, ['when ns/a', 'forget ns/a']);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('gives the per-item backoff until the shared bucket runs dry, then the bucket wait', () => {
    const limiter = defaultControllerRateLimiter(new FakeClock());
    for (let i = 0; i < 100; i++) assert.equal(limiter.when(`ns/${i}`), 5);
    assert.equal(Math.round(limiter.when('ns/100')), 100);
    assert.equal(limiter.numRequeues('ns/0'), 1);
  });
});
