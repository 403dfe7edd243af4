import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/runtime/workqueue/queue.ts';
import { promiseState } from '../../support/microtasks.ts';

// The queue settles the promises of `get` and `shutDownWithDrain` synchronously, inside the call
// that makes them ready (`add`, `done`, `shutDown`); so right after that call, `promiseState`
// shows what the caller will get, and a promise still pending then stays pending.

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
    const got = queue.get();
    assert.equal((await promiseState(got)).settled, false);
    queue.add('ns/a');
    assert.deepEqual(await promiseState(got), { settled: true, value: 'ns/a' });
  });

  it('does not hand out an item being processed, and runs it again after done when re-added', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    assert.equal(await queue.get(), 'ns/a');
    queue.add('ns/a');
    assert.equal(queue.len(), 0, 'a processing item is not queued a second time');
    const second = queue.get();
    assert.equal((await promiseState(second)).settled, false, 'a second worker must not get the item while it is processed');

    queue.done('ns/a');
    assert.deepEqual(await promiseState(second), { settled: true, value: 'ns/a' });
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
    const waiting = queue.get();
    queue.add('ns/a');
    queue.add('ns/b');
    assert.equal((await promiseState(waiting)).value, 'ns/a');

    queue.shutDown();
    queue.add('ns/c');
    assert.equal(queue.shuttingDown, true);
    assert.equal(await queue.get(), undefined);
  });

  it('resolves gets already waiting when shut down', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.shutDown();
    assert.deepEqual(await promiseState(waiting), { settled: true, value: undefined });
  });

  it('on shutDownWithDrain hands out what is queued, then resolves once every item is done', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    queue.add('ns/b');
    assert.equal(await queue.get(), 'ns/a');

    const draining = queue.shutDownWithDrain();
    queue.add('ns/c');
    assert.equal(await queue.get(), 'ns/b');
    assert.equal(await queue.get(), undefined, 'nothing left to hand out; new adds were ignored');

    queue.done('ns/a');
    assert.equal((await promiseState(draining)).settled, false, 'ns/b is still processing');
    queue.done('ns/b');
    assert.equal((await promiseState(draining)).settled, true);
  });

  it('drains an item that was re-added before the drain began', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    await queue.get();
    queue.add('ns/a');
    const draining = queue.shutDownWithDrain();
    queue.done('ns/a');
    assert.equal(await queue.get(), 'ns/a');
    assert.equal((await promiseState(draining)).settled, false);
    queue.done('ns/a');
    assert.equal((await promiseState(draining)).settled, true);
  });

  it('ends a drain at once when shutDown follows it', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    await queue.get();
    const draining = queue.shutDownWithDrain();
    queue.shutDown();
    assert.equal((await promiseState(draining)).settled, true);
  });
});
