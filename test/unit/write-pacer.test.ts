import assert from 'node:assert/strict';
import { pacedFrom, WritePacer } from '../../src/runtime/write-pacer.ts';
import { TokenBucket } from '../../src/runtime/token-bucket.ts';
import { FakeClock } from '../support/fake-clock.ts';

describe('WritePacer', () => {
  it('lets the first write of an object go at once, then one per interval', () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer({ clock, intervalMs: 1000 });
    assert.equal(pacer.delayMs('ns/a'), 0);
    pacer.wrote('ns/a');
    clock.advance(300);
    assert.equal(pacer.delayMs('ns/a'), 700);
    assert.equal(pacer.delayMs('ns/b'), 0, 'objects are paced apart');
    clock.advance(700);
    assert.equal(pacer.delayMs('ns/a'), 0);
  });

  it('restarts the interval with every write, paced or not, and forgets a gone object', () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer({ clock, intervalMs: 1000 });
    pacer.wrote('ns/a');
    clock.advance(900);
    pacer.wrote('ns/a');
    assert.equal(pacer.delayMs('ns/a'), 1000);
    pacer.forget('ns/a');
    assert.equal(pacer.delayMs('ns/a'), 0);
  });

  it('keeps to 1/200 of the client rate while the rate limit holds requests back, half a second otherwise', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 20, burst: 2, clock });
    const pacer = new WritePacer({ clock, limit: () => ({ qps: bucket.qps, saturated: bucket.saturated }) });
    assert.equal(pacer.currentIntervalMs(), 500, 'a full bucket costs the rollout nothing');
    bucket.reserve();
    bucket.reserve();
    assert.equal(bucket.saturated, true);
    assert.equal(pacer.currentIntervalMs(), 10_000, 'QPS 20: one write per 10 s');
    clock.advance(50);
    assert.equal(bucket.saturated, false, 'a token came back');
    assert.equal(pacer.currentIntervalMs(), 500);
  });

  it('dates a write at the snapshot it came from: after a long sync the next write is due sooner', () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer({ clock, intervalMs: 500 });
    const plannedAt = clock.now();
    clock.advance(400); // the sync's 250 creates
    pacedFrom(pacer, plannedAt).wrote('ns/a');
    assert.equal(pacer.delayMs('ns/a'), 100);
    pacer.wrote('ns/a', plannedAt - 1000);
    assert.equal(pacer.delayMs('ns/a'), 100, 'an older snapshot never moves the last write back');
  });

  it('never stretches the interval for an unlimited client', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket({ qps: 0, burst: 1, clock });
    bucket.reserve();
    bucket.reserve();
    assert.equal(bucket.saturated, false);
    const pacer = new WritePacer({ clock, limit: () => ({ qps: 0, saturated: true }) });
    assert.equal(pacer.currentIntervalMs(), 500);
  });
});
