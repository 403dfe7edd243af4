import assert from 'node:assert/strict';
import { DelayingQueue } from '../../../src/runtime/workqueue/delaying-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';

// `clock.advanceAndRun` resolves once the queue's timer callback, woken by the move, has run: it
// adds what is ready and arms the next timer synchronously. When the move wakes nothing, the
// clock still shows the queue's timer waiting (asserted), so nothing can have been added.

describe('DelayingQueue', () => {
  it('adds an item once its delay has passed', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('ns/a', 100);
    assert.equal(queue.len(), 0);
    await clock.advanceAndRun(99);
    assert.equal(clock.nextDeadline(), clock.now() + 1, 'the timer still waits');
    assert.equal(queue.len(), 0);
    await clock.advanceAndRun(1);
    assert.equal(queue.len(), 1);
    assert.equal(await queue.get(), 'ns/a');
    assert.equal(queue.waitingLen(), 0);
  });

  it('adds at once for a delay of zero or less', () => {
    const queue = new DelayingQueue({ clock: new FakeClock() });
    queue.addAfter('ns/a', 0);
    queue.addAfter('ns/b', -5);
    assert.equal(queue.len(), 2);
  });

  it('keeps the earlier ready time when the item already waits', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('ns/a', 500);
    queue.addAfter('ns/a', 100);
    queue.addAfter('ns/b', 100);
    queue.addAfter('ns/b', 500);
    assert.equal(queue.waitingLen(), 2);
    await clock.advanceAndRun(100);
    assert.equal(queue.len(), 2, 'both items are added at the earlier time');

    assert.equal(await queue.get(), 'ns/a');
    assert.equal(await queue.get(), 'ns/b');
    queue.done('ns/a');
    queue.done('ns/b');
    assert.equal(clock.waiting, 0, 'no timer is left for the later times');
    await clock.advanceAndRun(400);
    assert.equal(queue.len(), 0, 'the later times were dropped, not added again');
  });

  it('adds waiting items in ready-time order, each at its time', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('ns/c', 300);
    queue.addAfter('ns/a', 100);
    queue.addAfter('ns/b', 200);
    await clock.advanceAndRun(100);
    assert.equal(queue.len(), 1);
    await clock.advanceAndRun(100);
    assert.equal(queue.len(), 2);
    await clock.advanceAndRun(100);
    assert.deepEqual([await queue.get(), await queue.get(), await queue.get()], ['ns/a', 'ns/b', 'ns/c']);
  });

  it('keeps a single timer for the earliest ready time', () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('ns/a', 300);
    queue.addAfter('ns/b', 200);
    queue.addAfter('ns/c', 100);
    queue.addAfter('ns/d', 400);
    assert.equal(clock.waiting, 1);
  });

  it('adds an item whose delay is longer than one timer wait', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('ns/a', 60_000);
    await clock.advanceAndRun(59_999);
    assert.equal(clock.nextDeadline(), clock.now() + 1, 'the re-armed timer waits for the last millisecond');
    assert.equal(queue.len(), 0);
    await clock.advanceAndRun(1);
    assert.equal(queue.len(), 1);
  });

  it('adds an item that was queued and delayed both now and when its delay passes, once each', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.add('ns/a');
    queue.addAfter('ns/a', 100);
    assert.equal(await queue.get(), 'ns/a');
    queue.done('ns/a');
    await clock.advanceAndRun(100);
    assert.equal(queue.len(), 1);
  });

  it('drops waiting items and their timer on shutdown', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('ns/a', 100);
    queue.shutDown();
    assert.equal(clock.waiting, 0);
    await clock.advanceAndRun(100);
    assert.equal(queue.len(), 0);
    queue.addAfter('ns/b', 100);
    assert.equal(queue.waitingLen(), 0, 'addAfter is ignored once shut down');
  });
});
