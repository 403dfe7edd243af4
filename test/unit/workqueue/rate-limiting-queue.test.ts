import assert from 'node:assert/strict';
import { RateLimitingQueue } from '../../../src/runtime/workqueue/rate-limiting-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { flushMicrotasks } from '../../support/microtasks.ts';

async function advance(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  await flushMicrotasks();
}

/** Fails `item` once: puts it back rate-limited, waits until it is ready and takes it again. */
async function failOnce(queue: RateLimitingQueue, clock: FakeClock, item: string, expectedDelayMs: number): Promise<void> {
  queue.addRateLimited(item);
  await advance(clock, expectedDelayMs - 1);
  assert.equal(queue.len(), 0, `not ready before ${expectedDelayMs} ms`);
  await advance(clock, 1);
  assert.equal(queue.len(), 1, `ready after ${expectedDelayMs} ms`);
  assert.equal(await queue.get(), item);
  queue.done(item);
}

describe('RateLimitingQueue', () => {
  it('re-adds a failing item after 5, 10, 20, 40 ms and starts over after forget', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock });
    for (const delay of [5, 10, 20, 40]) await failOnce(queue, clock, 'ns/a', delay);
    assert.equal(queue.numRequeues('ns/a'), 4);

    queue.forget('ns/a');
    assert.equal(queue.numRequeues('ns/a'), 0);
    await failOnce(queue, clock, 'ns/a', 5);
  });

  it('after 100 immediate rate-limited adds makes the 101st wait 100 ms', async () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue({ clock });
    for (let i = 0; i <= 100; i++) queue.addRateLimited(`ns/${i}`);
    await advance(clock, 5);
    assert.equal(queue.len(), 100);
    await advance(clock, 94);
    assert.equal(queue.len(), 100);
    await advance(clock, 1);
    assert.equal(queue.len(), 101);
  });
});
