import assert from 'node:assert/strict';
import { TokenBucket } from '../../src/runtime/token-bucket.ts';
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
