import assert from 'node:assert/strict';
import { RateLimitingQueue } from '../../../src/runtime/workqueue/rate-limiting-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

// `clock.advanceAndRun` resolves once the queue's timer callback, woken by the move, has run. When
// the move wakes nothing, the clock still shows the queue's timer waiting (asserted).

/** Fails `item` once: puts it back rate-limited, waits until it is ready and takes it again. */
async function failOnce(queue: RateLimitingQueue, clock: FakeClock, item: string, expectedDelayMs: number): Promise<void> {
  queue.addRateLimited(item);
  await clock.advanceAndRun(expectedDelayMs - 1);
  assert.equal(clock.nextDeadline(), clock.now() + 1, `the timer waits for ${expectedDelayMs} ms`);
  assert.equal(queue.len(), 0, `not ready before ${expectedDelayMs} ms`);
  await clock.advanceAndRun(1);
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
    await clock.advanceAndRun(5);
    assert.equal(queue.len(), 100);
    await clock.advanceAndRun(94);
    assert.equal(clock.nextDeadline(), clock.now() + 1, 'the timer waits for the 101st item');
    assert.equal(queue.len(), 100);
    await clock.advanceAndRun(1);
    assert.equal(queue.len(), 101);
  });
});
