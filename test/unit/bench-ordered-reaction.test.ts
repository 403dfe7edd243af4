import assert from 'node:assert/strict';
import type { NamedPodEvent } from '../../bench/ordered-reaction.ts';
import { orderedReaction, orderedReactionsMs } from '../../bench/ordered-reaction.ts';

const added = (name: string, at: number): NamedPodEvent => ({ at, name, type: 'added' });
const ready = (name: string, at: number): NamedPodEvent => ({ at, name, type: 'ready' });

describe('orderedReactionsMs (bench/ordered-reaction.ts)', () => {
  const events = [
    added('web-0', 0),
    ready('web-0', 100),
    added('web-1', 130),
    ready('web-1', 200),
    added('web-2', 210),
    ready('web-2', 300),
  ];

  it('times pod i created after pod i-1 turned Ready, for ordinals 1..r-1', () => {
    assert.deepEqual(orderedReactionsMs(events, 'web', 3), { latencies: [30, 10], missing: 0 });
  });

  it('takes the first event of each kind (a pod Ready again after a blip does not count)', () => {
    assert.deepEqual(orderedReactionsMs([...events, ready('web-0', 250), added('web-1', 260)], 'web', 3).latencies, [30, 10]);
  });

  it('counts the ordinals it did not see both events for', () => {
    assert.deepEqual(orderedReactionsMs(events, 'web', 5), { latencies: [30, 10], missing: 2 });
  });

  it('does not confuse another set whose name shares the prefix', () => {
    const other = [ready('web-ordered-0', 0), added('web-ordered-1', 5)];
    assert.deepEqual(orderedReactionsMs([...events, ...other], 'web', 2).latencies, [30]);
    assert.deepEqual(orderedReactionsMs([...events, ...other], 'web-ordered', 2).latencies, [5]);
  });

  it('keeps a negative reaction: pod i before its predecessor was Ready', () => {
    assert.deepEqual(orderedReactionsMs([ready('web-0', 100), added('web-1', 40)], 'web', 2).latencies, [-60]);
  });
});

describe('orderedReaction (bench/ordered-reaction.ts)', () => {
  it('summarizes p50, p95, mean and max with the missing count', () => {
    const events = [ready('s-0', 0), added('s-1', 10), ready('s-1', 20), added('s-2', 50), ready('s-2', 60), added('s-3', 160)];
    assert.deepEqual(orderedReaction(events, 's', 5), { count: 3, p50: 30, p95: 100, mean: (10 + 30 + 100) / 3, max: 100, missing: 1 });
  });

  it('is undefined when no ordinal was seen', () => {
    assert.equal(orderedReaction([], 's', 50), undefined);
    assert.equal(orderedReaction([added('s-0', 0)], 's', 1), undefined);
  });
});
