import assert from 'node:assert/strict';
import { pollUntil, PollTimeout } from '../../hack/poll.ts';

/** A probe returning the given values in turn (the last one forever), counting its calls. */
function sequence<T>(...values: readonly (T | Error)[]): { probe: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    probe: () => {
      const value = values[Math.min(calls++, values.length - 1)];
      return value instanceof Error ? Promise.reject(value) : Promise.resolve(value as T);
    },
    calls: () => calls,
  };
}

describe('pollUntil (hack/poll.ts)', () => {
  it('resolves with the first value done accepts', async () => {
    const s = sequence(1, 2, 3, 4);
    assert.equal(await pollUntil('three', s.probe, (v) => v >= 3, { intervalMs: 1 }), 3);
    assert.equal(s.calls(), 3);
  });

  it('retries probe errors by default', async () => {
    const s = sequence<number>(new Error('not up'), new Error('not up'), 7);
    assert.equal(await pollUntil('up', s.probe, () => true, { intervalMs: 1 }), 7);
  });

  it('names what it waited for and the last value seen on timeout', async () => {
    const s = sequence({ ready: 1 }, new Error('blip'));
    await assert.rejects(pollUntil('ready pods', s.probe, () => false, { timeoutMs: 20, intervalMs: 1 }), (err: unknown) => {
      assert.ok(err instanceof PollTimeout);
      assert.equal(err.message, 'timed out waiting for ready pods; last seen: {\n "ready": 1\n}');
      assert.deepEqual(err.last, { ready: 1 });
      return true;
    });
  });

  it('reports the last error when no probe succeeded', async () => {
    const s = sequence<number>(new Error('connection refused'));
    await assert.rejects(
      pollUntil('the server', s.probe, () => true, { timeoutMs: 20, intervalMs: 1 }),
      /^PollTimeout: timed out waiting for the server; last seen: error: Error: connection refused$/,
    );
  });

  it('ends at the first probe error with stopOnError', async () => {
    const s = sequence<number>(new Error('forbidden'), 1);
    await assert.rejects(pollUntil('x', s.probe, () => true, { intervalMs: 1, stopOnError: true }), /^Error: forbidden$/);
    assert.equal(s.calls(), 1);
  });

  it('starts no probe after the deadline by default, but probes once more with deadlineAfterProbe', async () => {
    const before = sequence(true);
    await assert.rejects(pollUntil('x', before.probe, (v) => v, { timeoutMs: 0 }), PollTimeout);
    assert.equal(before.calls(), 0);
    const after = sequence(true);
    assert.equal(await pollUntil('x', after.probe, (v) => v, { timeoutMs: 0, deadlineAfterProbe: true }), true);
    assert.equal(after.calls(), 1);
  });

  it('throws what onTimeout builds from the last value and error', async () => {
    const s = sequence<string[]>(['node-1'], new Error('blip'));
    const thrown = await pollUntil('nodes', s.probe, (pending) => pending.length === 0, {
      timeoutMs: 20,
      intervalMs: 1,
      onTimeout: (last, lastError) => ({ last, lastError }),
    }).catch((err: unknown) => err);
    assert.deepEqual(thrown, { last: ['node-1'], lastError: new Error('blip') });
  });

  it('narrows the result with a type guard', async () => {
    const s = sequence<string | undefined>(undefined, 'leader-a');
    const leader: string = await pollUntil('a leader', s.probe, (v): v is string => v !== undefined, { intervalMs: 1 });
    assert.equal(leader, 'leader-a');
  });
});
