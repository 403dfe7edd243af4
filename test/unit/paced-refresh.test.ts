// The status refresh while a sync's pod changes run (src/runtime/paced-refresh.ts).
import assert from 'node:assert/strict';
import { startPacedRefresh } from '../../src/runtime/paced-refresh.ts';
import { WritePacer } from '../../src/runtime/write-pacer.ts';
import { FakeClock } from '../support/fake-clock.ts';

function setup(options: { compute?: () => number | undefined; write?: (value: number) => Promise<void> } = {}) {
  const clock = new FakeClock(0);
  const pacer = new WritePacer({ clock, intervalMs: 500 });
  const written: { value: number; at: number }[] = [];
  const errors: unknown[] = [];
  let counter = 0;
  const refresh = startPacedRefresh({
    key: 'ns/a',
    clock,
    pacer,
    compute: options.compute ?? (() => ++counter),
    write:
      options.write ??
      ((value) => {
        written.push({ value, at: clock.now() });
        return Promise.resolve();
      }),
    onError: (err) => errors.push(err),
  });
  return { clock, pacer, written, errors, refresh };
}

describe('paced refresh of the status during a sync', () => {
  it('writes the newest value once per interval, the first one interval after the start, and stops', async () => {
    const { clock, written, refresh } = setup();
    await clock.untilWaiting(1);
    clock.advance(499);
    assert.deepEqual(written, [], 'the sync planned from a fresh snapshot: nothing before one interval');
    clock.advance(1);
    await clock.untilWaiting(1);
    clock.advance(500);
    await clock.untilWaiting(1);
    assert.deepEqual(written, [
      { value: 1, at: 500 },
      { value: 2, at: 1000 },
    ]);
    await refresh.stop();
    clock.advance(5000);
    assert.equal(written.length, 2);
    assert.equal(clock.waiting, 0);
  });

  it('restarts the pacer interval, so the sync puts its own older counts off', async () => {
    const { clock, pacer, refresh } = setup();
    await clock.untilWaiting(1);
    clock.advance(500);
    await clock.untilWaiting(1);
    assert.equal(pacer.delayMs('ns/a'), 500);
    await refresh.stop();
  });

  it('times the interval from when the counts were read, not from when a slow write came back', async () => {
    let finish: () => void = () => undefined;
    const { clock, written, refresh } = setup({
      write: (value) => {
        written.push({ value, at: clock.now() });
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    await clock.untilWaiting(1);
    await clock.advanceAndRun(500);
    assert.deepEqual(written, [{ value: 1, at: 500 }]);
    clock.advance(300); // the write is on the wire for 300 ms
    finish();
    await clock.untilWaiting(1);
    await clock.advanceAndRun(199);
    assert.equal(written.length, 1);
    await clock.advanceAndRun(1);
    assert.deepEqual(written[1], { value: 2, at: 1000 }, 'due 500 ms after the first read (at 800 it would have been 1300)');
    finish();
    await refresh.stop();
  });

  it('waits out a write that went shortly before it started', async () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer({ clock, intervalMs: 500 });
    clock.advance(100);
    pacer.wrote('ns/a');
    clock.advance(300);
    const written: number[] = [];
    const refresh = startPacedRefresh({
      key: 'ns/a',
      clock,
      pacer,
      compute: () => 7,
      write: (v) => Promise.resolve(void written.push(v)),
      onError: () => undefined,
    });
    await clock.untilWaiting(1);
    clock.advance(200);
    await clock.untilWaiting(1);
    assert.deepEqual(written, [], 'the interval counts from the start here');
    clock.advance(300);
    await clock.untilWaiting(1);
    assert.deepEqual(written, [7]);
    await refresh.stop();
  });

  it('skips a moment with nothing to write, without restarting the interval', async () => {
    const values = [undefined, 3];
    const { clock, written, refresh } = setup({ compute: () => values.shift() });
    await clock.untilWaiting(1);
    clock.advance(500);
    await clock.untilWaiting(1);
    assert.deepEqual(written, []);
    clock.advance(500);
    await clock.untilWaiting(1);
    assert.deepEqual(written, [{ value: 3, at: 1000 }]);
    await refresh.stop();
  });

  it('stop() waits for a write in flight; a failed write ends the loop and is reported', async () => {
    let started: () => void = () => undefined;
    const writeStarted = new Promise<void>((resolve) => (started = resolve));
    let finish: () => void = () => undefined;
    const order: string[] = [];
    const { clock, refresh } = setup({
      write: () => {
        started();
        return new Promise<void>((resolve) => {
          finish = () => {
            order.push('write finished');
            resolve();
          };
        });
      },
    });
    await clock.untilWaiting(1);
    clock.advance(500);
    await writeStarted;
    const stopping = refresh.stop().then(() => order.push('stopped'));
    // A negative: give a stop() that did not wait the chance to resolve (one macrotask is past
    // every microtask) before the write finishes.
    await new Promise((resolve) => setImmediate(resolve));
    finish();
    await stopping;
    assert.deepEqual(order, ['write finished', 'stopped']);

    const failing = setup({ write: () => Promise.reject(new Error('conflict')) });
    await failing.clock.untilWaiting(1);
    await failing.clock.advanceAndRun(500);
    await failing.refresh.stop();
    assert.equal(failing.errors.length, 1);
    assert.equal(failing.clock.waiting, 0);
  });
});
