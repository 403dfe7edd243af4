// Slow start: batches of 1, 2, 4, … (capped by maxBatchSize), the items of a batch at once, and
// the first batch with a failure ends the run; slowStartBatchOf names the batch of a position.
import assert from 'node:assert/strict';
import type { SlowStartOptions } from '../../src/controllers/shared/slow-start.ts';
import { slowStartBatch, slowStartBatchOf } from '../../src/controllers/shared/slow-start.ts';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Runs slowStartBatch over 0..n-1 and records which items each batch started together. */
async function run(
  n: number,
  options: SlowStartOptions,
  fails: (item: number) => boolean = () => false,
): Promise<{ readonly batches: number[][]; readonly outcome: Awaited<ReturnType<typeof slowStartBatch<number>>> }> {
  const batches: number[][] = [];
  let starting = false;
  const outcome = await slowStartBatch(range(n), options, async (item) => {
    // Every call of a batch starts before any of them settles: a run of starts is one batch.
    if (starting) batches.at(-1)?.push(item);
    else batches.push([item]);
    starting = true;
    await Promise.resolve();
    starting = false;
    if (fails(item)) throw new Error(`item ${item} failed`);
    return item;
  });
  return { batches, outcome };
}

const sizes = (batches: readonly (readonly number[])[]): number[] => batches.map((b) => b.length);

describe('slowStartBatch', () => {
  it('makes no call for no items', async () => {
    const { batches, outcome } = await run(0, {});
    assert.deepEqual(batches, []);
    assert.deepEqual(outcome, { succeeded: [], failed: [], skipped: [], lastBatchSize: 0 });
  });

  it('doubles the batch from 1 while every call succeeds, the last batch taking what is left', async () => {
    const { batches, outcome } = await run(20, {});
    assert.deepEqual(batches, [[0], [1, 2], [3, 4, 5, 6], [7, 8, 9, 10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]);
    assert.deepEqual(outcome, { succeeded: range(20), failed: [], skipped: [], lastBatchSize: 16 }, 'the last batch was planned at 16 and took 5');
  });

  it('starts from initialBatchSize, and from 1 when it is below 1', async () => {
    assert.deepEqual(sizes((await run(20, { initialBatchSize: 3 })).batches), [3, 6, 11]);
    assert.deepEqual(sizes((await run(4, { initialBatchSize: 0 })).batches), [1, 2, 1]);
    assert.deepEqual(sizes((await run(4, { initialBatchSize: -5 })).batches), [1, 2, 1]);
  });

  it('never grows a batch past maxBatchSize (the StatefulSet cap)', async () => {
    assert.deepEqual(sizes((await run(15, { maxBatchSize: 4 })).batches), [1, 2, 4, 4, 4]);
    assert.deepEqual(sizes((await run(5, { initialBatchSize: 1, maxBatchSize: 1 })).batches), [1, 1, 1, 1, 1]);
  });

  it('finishes the batch with a failure, then stops: the rest are skipped, in order', async () => {
    const { batches, outcome } = await run(10, {}, (item) => item === 4);
    assert.deepEqual(batches, [[0], [1, 2], [3, 4, 5, 6]]);
    assert.deepEqual(outcome.succeeded, [0, 1, 2, 3, 5, 6]);
    assert.deepEqual(
      outcome.failed.map((f) => [f.item, (f.error as Error).message]),
      [[4, 'item 4 failed']],
    );
    assert.deepEqual(outcome.skipped, [7, 8, 9]);
  });

  it('reports every failure of the failing batch', async () => {
    const { outcome } = await run(7, {}, (item) => item === 1 || item === 2);
    assert.deepEqual(
      outcome.failed.map((f) => f.item),
      [1, 2],
    );
    assert.deepEqual(outcome.skipped, [3, 4, 5, 6]);
  });

  it('skips everything after a failing first call', async () => {
    const { batches, outcome } = await run(5, {}, (item) => item === 0);
    assert.deepEqual(batches, [[0]]);
    assert.deepEqual(outcome, { succeeded: [], failed: [{ item: 0, error: new Error('item 0 failed') }], skipped: [1, 2, 3, 4], lastBatchSize: 1 });
  });

  it('skips nothing when the failure is in the last batch', async () => {
    const { outcome } = await run(7, {}, (item) => item === 6);
    assert.deepEqual(outcome.skipped, []);
    assert.equal(outcome.succeeded.length, 6);
  });

  it('counts a call that throws synchronously as a failure of its batch', async () => {
    const outcome = await slowStartBatch([0, 1, 2], {}, (item) => {
      if (item === 1) throw new Error('sync');
      return Promise.resolve();
    });
    assert.deepEqual(
      outcome.failed.map((f) => f.item),
      [1],
    );
  });
});

describe('slowStartBatchOf', () => {
  it('names the batch of each position: 1, 2, 4, 8, …', () => {
    assert.deepEqual(
      range(16).map((i) => slowStartBatchOf(i)),
      [0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4],
    );
  });

  it('follows initialBatchSize and maxBatchSize', () => {
    assert.deepEqual(
      range(10).map((i) => slowStartBatchOf(i, { initialBatchSize: 3 })),
      [0, 0, 0, 1, 1, 1, 1, 1, 1, 2],
    );
    assert.deepEqual(
      range(7).map((i) => slowStartBatchOf(i, { maxBatchSize: 2 })),
      [0, 1, 1, 2, 2, 3, 3],
    );
  });

  it('agrees with the batches slowStartBatch runs', async () => {
    for (const options of [{}, { initialBatchSize: 2 }, { maxBatchSize: 3 }, { initialBatchSize: 5, maxBatchSize: 6 }]) {
      const { batches } = await run(40, options);
      const observed = batches.flatMap((batch, b) => batch.map(() => b));
      assert.deepEqual(
        range(40).map((i) => slowStartBatchOf(i, options)),
        observed,
        JSON.stringify(options),
      );
    }
  });
});
