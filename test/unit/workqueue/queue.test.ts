import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/runtime/workqueue/queue.ts';
import { flushMicrotasks } from '../../support/microtasks.ts';

/** Starts a `get` and reports whether and with what it has resolved so far. */
function pendingGet<T extends NonNullable<unknown>>(queue: WorkQueue<T>): { settled: boolean; value: T | undefined } {
  const state: { settled: boolean; value: T | undefined } = { settled: false, value: undefined };
  void queue.get().then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

describe('WorkQueue', () => {
  it('queues an item at most once however often it is added', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    assert.equal(queue.len(), 2);
    assert.equal(await queue.get(), 'ns/a');
    assert.equal(await queue.get(), 'ns/b');
    assert.equal(queue.len(), 0);
  });

  it('compares string keys by value', async () => {
    const queue = new WorkQueue();
    queue.add(['ns', 'a'].join('/'));
    queue.add('ns/a');
    assert.equal(queue.len(), 1);
    assert.equal(await queue.get(), 'ns/a');
  });

  it('resolves a waiting get when an item is added', async () => {
    const queue = new WorkQueue();
    const got = pendingGet(queue);
    await flushMicrotasks();
    assert.equal(got.settled, false);
    queue.add('ns/a');
    await flushMicrotasks();
    assert.deepEqual(got, { settled: true, value: 'ns/a' });
  });

  it('does not hand out an item being processed, and runs it again after done when re-added', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    assert.equal(await queue.get(), 'ns/a');
    queue.add('ns/a');
    assert.equal(queue.len(), 0, 'a processing item is not queued a second time');
    const second = pendingGet(queue);
    await flushMicrotasks();
    assert.equal(second.settled, false, 'a second worker must not get the item while it is processed');

    queue.done('ns/a');
    await flushMicrotasks();
    assert.deepEqual(second, { settled: true, value: 'ns/a' });
  });

  it('collapses several adds during processing into one more run', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    await queue.get();
    queue.add('ns/a');
    queue.add('ns/a');
    queue.done('ns/a');
    assert.equal(queue.len(), 1);
    assert.equal(await queue.get(), 'ns/a');
    queue.done('ns/a');
    assert.equal(queue.len(), 0);
  });

  it('forgets an item after done when it was not re-added', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    await queue.get();
    queue.done('ns/a');
    assert.equal(queue.len(), 0);
  });

  it('keeps handing out other items while one is processed', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    queue.add('ns/b');
    assert.equal(await queue.get(), 'ns/a');
    queue.add('ns/a');
    assert.equal(await queue.get(), 'ns/b');
  });

  it('after shutDown ignores adds and resolves every get with undefined, even with items queued', async () => {
    const queue = new WorkQueue();
    const waiting = pendingGet(queue);
    queue.add('ns/a');
    queue.add('ns/b');
    await flushMicrotasks();
    assert.equal(waiting.value, 'ns/a');

    queue.shutDown();
    queue.add('ns/c');
    assert.equal(queue.shuttingDown, true);
    assert.equal(await queue.get(), undefined);
  });

  it('resolves gets already waiting when shut down', async () => {
    const queue = new WorkQueue();
    const waiting = pendingGet(queue);
    queue.shutDown();
    await flushMicrotasks();
    assert.deepEqual(waiting, { settled: true, value: undefined });
  });

  it('on shutDownWithDrain hands out what is queued, then resolves once every item is done', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    queue.add('ns/b');
    assert.equal(await queue.get(), 'ns/a');

    let drained = false;
    void queue.shutDownWithDrain().then(() => {
      drained = true;
    });
    queue.add('ns/c');
    assert.equal(await queue.get(), 'ns/b');
    assert.equal(await queue.get(), undefined, 'nothing left to hand out; new adds were ignored');

    queue.done('ns/a');
    await flushMicrotasks();
    assert.equal(drained, false, 'ns/b is still processing');
    queue.done('ns/b');
    await flushMicrotasks();
    assert.equal(drained, true);
  });

  it('drains an item that was re-added before the drain began', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    await queue.get();
    queue.add('ns/a');
    let drained = false;
    void queue.shutDownWithDrain().then(() => {
      drained = true;
    });
    queue.done('ns/a');
    assert.equal(await queue.get(), 'ns/a');
    await flushMicrotasks();
    assert.equal(drained, false);
    queue.done('ns/a');
    await flushMicrotasks();
    assert.equal(drained, true);
  });

  it('ends a drain at once when shutDown follows it', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    await queue.get();
    let drained = false;
    void queue.shutDownWithDrain().then(() => {
      drained = true;
    });
    queue.shutDown();
    await flushMicrotasks();
    assert.equal(drained, true);
  });
});
