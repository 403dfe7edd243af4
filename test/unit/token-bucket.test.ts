import assert from 'node:assert/strict';
import { TokenBucket, refill, reserve, tryAccept } from '../../src/runtime/token-bucket.ts';
import { FakeClock } from '../support/fake-clock.ts';

describe('TokenBucket', () => {
  it('lets a burst through at once, then spaces reservations by 1/qps', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ qps: 10, burst: 3, clock });
    assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 0]);
    assert.equal(Math.round(bucket.reserve()), 100);
    assert.equal(Math.round(bucket.reserve()), 200);
  });

  it('refills while idle, never above the burst', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ qps: 10, burst: 2, clock });
    bucket.reserve();
    bucket.reserve();
    clock.advance(10_000);
    assert.deepEqual([bucket.reserve(), bucket.reserve()], [0, 0]);
    assert.ok(bucket.reserve() > 0);
  });

  it('treats qps 0 as unlimited', () => {
    const bucket = new TokenBucket({ qps: 0, burst: 1, clock: new FakeClock() });
    for (let i = 0; i < 1000; i++) assert.equal(bucket.reserve(), 0);
  });
});

describe('TokenBucket.tryAccept', () => {
  it('takes a token only when one is there, and a refused call costs nothing', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ qps: 1, burst: 2, clock });
    assert.deepEqual([bucket.tryAccept(), bucket.tryAccept(), bucket.tryAccept()], [true, true, false]);
    clock.advance(1_000);
    assert.equal(bucket.tryAccept(), true, 'the refusal did not put the bucket into debt');
  });

  it('shares its state with reserve', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ qps: 10, burst: 1, clock });
    assert.equal(bucket.reserve(), 0);
    assert.equal(bucket.tryAccept(), false);
  });
});

describe('token bucket state functions', () => {
  const limits = { qps: 1, burst: 3 };

  it('starts a missing bucket full', () => {
    const r = tryAccept(undefined, 0, limits);
    assert.equal(r.accepted, true);
    assert.deepEqual(r.state, { tokens: 2, updatedAt: 0 });
  });

  it('refills at qps, up to the burst', () => {
    assert.deepEqual(refill({ tokens: 0, updatedAt: 0 }, 1_500, limits), { tokens: 1.5, updatedAt: 1_500 });
    assert.deepEqual(refill({ tokens: 0, updatedAt: 0 }, 1e9, limits), { tokens: 3, updatedAt: 1e9 });
  });

  it('refills nothing when the clock went backwards', () => {
    assert.deepEqual(refill({ tokens: 1, updatedAt: 5_000 }, 4_000, limits), { tokens: 1, updatedAt: 4_000 });
  });

  it('reserves into debt and says how long to wait', () => {
    const first = reserve({ tokens: 0, updatedAt: 0 }, 0, limits);
    assert.equal(first.delayMs, 1_000);
    const second = reserve(first.state, 0, limits);
    assert.equal(second.delayMs, 2_000);
    assert.equal(second.state.tokens, -2);
  });

  it('reserves at once without limits', () => {
    assert.equal(reserve({ tokens: 0, updatedAt: 0 }, 0, { qps: 0, burst: 1 }).delayMs, 0);
  });
});
