import assert from 'node:assert/strict';
import type { CountPoint } from '../../bench/status-lag.ts';
import { statusLag } from '../../bench/status-lag.ts';
import { percentile, summarize } from '../../bench/stats.ts';

const pts = (...pairs: readonly (readonly [number, number])[]): CountPoint[] => pairs.map(([at, count]) => ({ at, count }));
const window = { start: 500, end: 10_000 };

describe('percentile and summarize (bench/stats.ts)', () => {
  const oneToTwenty = Array.from({ length: 20 }, (_, i) => 20 - i);

  it('takes the nearest rank, an actual sample', () => {
    assert.equal(percentile(oneToTwenty, 0.5), 10);
    assert.equal(percentile(oneToTwenty, 0.95), 19);
    assert.equal(percentile(oneToTwenty, 1), 20);
    assert.equal(percentile([7], 0.95), 7);
  });

  it('has nothing to say about no values', () => {
    assert.equal(percentile([], 0.5), undefined);
    assert.equal(summarize([]), undefined);
  });

  it('summarizes count, p50, p95, mean and max', () => {
    assert.deepEqual(summarize([0, 100, 200, 300]), { count: 4, p50: 100, p95: 300, mean: 150, max: 300 });
  });
});

describe('statusLag (bench/status-lag.ts)', () => {
  it('times each change to the status event that shows it', () => {
    const lag = statusLag(pts([0, 0], [1000, 1], [2000, 2]), pts([0, 0], [1100, 1], [2250, 2]), window);
    assert.deepEqual(lag, { count: 2, p50: 100, p95: 250, mean: 175, max: 250, unresolved: 0, alreadyShown: 0 });
  });

  it('lets one status write cover the changes it batched (any count the pods had since the change)', () => {
    const lag = statusLag(pts([0, 0], [1000, 1], [1010, 2], [1020, 3]), pts([0, 0], [1100, 3]), window);
    assert.equal(lag?.count, 3);
    assert.deepEqual([lag?.p50, lag?.max, lag?.unresolved], [90, 100, 0]);
  });

  it('does not take a count from before the change as showing it', () => {
    // The status says 1 after the pods reached 2: stale, it shows 2 only at 2300.
    const lag = statusLag(pts([0, 0], [1000, 1], [2000, 2]), pts([0, 0], [1500, 1], [2100, 1], [2300, 2]), window);
    // Lags: 500 (1 at 1000, shown at 1500) and 300 (2 at 2000, shown at 2300).
    assert.deepEqual([lag?.p50, lag?.max], [300, 500]);
  });

  it('charges a change the status never showed until the step ended, and counts it', () => {
    const lag = statusLag(pts([0, 0], [1000, 1], [2000, 2]), pts([0, 0], [1100, 1]), window);
    assert.equal(lag?.unresolved, 1);
    assert.equal(lag?.max, window.end - 2000);
  });

  it('counts a status the watch delivered before the pod event as shown at once', () => {
    const lag = statusLag(pts([0, 0], [1000, 1]), pts([0, 0], [990, 1]), window);
    assert.deepEqual([lag?.max, lag?.alreadyShown, lag?.unresolved], [0, 1, 0]);
  });

  it('resolves a dip the status skipped once the pods are back at the count it shows', () => {
    // 5 → 4 → 5 with the status at 5 throughout: the dip is "shown" when the pods return (200 ms),
    // the return at once.
    const lag = statusLag(pts([0, 5], [1000, 4], [1200, 5]), pts([0, 5]), window);
    assert.deepEqual([lag?.count, lag?.max, lag?.alreadyShown, lag?.unresolved], [2, 200, 1, 0]);
  });

  it('takes only changes inside the window, with the count before it as the baseline', () => {
    const lag = statusLag(pts([0, 0], [100, 1], [1000, 2], [20_000, 3]), pts([0, 0], [150, 1], [1040, 2]), window);
    assert.deepEqual([lag?.count, lag?.max], [1, 40]);
  });

  it('ignores points that repeat the count, and has no result without a change', () => {
    assert.equal(statusLag(pts([0, 3], [1000, 3]), pts([0, 3]), window), undefined);
    assert.equal(statusLag(pts([0, 0]), pts(), window), undefined);
  });

  it('counts every change as never shown when the object had no status event', () => {
    const lag = statusLag(pts([0, 0], [1000, 1]), pts(), window);
    assert.deepEqual([lag?.unresolved, lag?.max], [1, 9000]);
  });

  it('lets a status event and a pod event at the same millisecond resolve with lag 0', () => {
    const lag = statusLag(pts([0, 0], [1000, 1], [1500, 2]), pts([0, 0], [1000, 1], [1500, 2]), window);
    assert.deepEqual([lag?.max, lag?.unresolved], [0, 0]);
  });
});
