import assert from 'node:assert/strict';
import { WorkQueueMetrics } from '../../../src/runtime/workqueue/metrics.ts';
import { RateLimitingQueue } from '../../../src/runtime/workqueue/rate-limiting-queue.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { hasSeries, histogramBuckets, histogramValue, metricValue, uniqueName } from '../../support/metrics.ts';

describe('work queue metrics', () => {
  it('exports every series for a named queue at zero, labelled with name and controller', async () => {
    const name = uniqueName('wq');
    const queue = new RateLimitingQueue({ name, clock: new FakeClock() });
    const labels = { name, controller: name };
    assert.equal(await hasSeries('workqueue_depth', { ...labels, priority: '' }), true);
    for (const metric of [
      'workqueue_adds_total',
      'workqueue_retries_total',
      'workqueue_unfinished_work_seconds',
      'workqueue_longest_running_processor_seconds',
    ]) {
      assert.equal(await hasSeries(metric, labels), true, metric);
      assert.equal(await metricValue(metric, labels), 0, metric);
    }
    assert.equal(await histogramValue('workqueue_queue_duration_seconds', 'count', labels), 0);
    queue.shutDown();
  });

  it('counts adds and depth, and times the wait in the queue and the work', async () => {
    const clock = new FakeClock();
    const name = uniqueName('wq');
    const labels = { name, controller: name };
    const queue = new RateLimitingQueue({ name, clock });
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    assert.equal(await metricValue('workqueue_adds_total', labels), 2);
    assert.equal(await metricValue('workqueue_depth', { ...labels, priority: '' }), 2);

    clock.advance(1500);
    await queue.get();
    assert.equal(await metricValue('workqueue_depth', { ...labels, priority: '' }), 1);
    assert.equal(await histogramValue('workqueue_queue_duration_seconds', 'sum', labels), 1.5);

    clock.advance(250);
    queue.done('ns/a');
    assert.equal(await histogramValue('workqueue_work_duration_seconds', 'count', labels), 1);
    assert.equal(await histogramValue('workqueue_work_duration_seconds', 'sum', labels), 0.25);
    queue.shutDown();
  });

  it('counts a retry for each delayed add, not for an immediate one', async () => {
    const name = uniqueName('wq');
    const labels = { name, controller: name };
    const queue = new RateLimitingQueue({ name, clock: new FakeClock() });
    queue.addRateLimited('ns/a');
    queue.addAfter('ns/b', 1000);
    queue.addAfter('ns/c', 0);
    assert.equal(await metricValue('workqueue_retries_total', labels), 2);
    queue.shutDown();
  });

  it('reports the work in progress and the longest running item', async () => {
    const clock = new FakeClock();
    const name = uniqueName('wq');
    const labels = { name, controller: name };
    const metrics = new WorkQueueMetrics<string>(name, clock);
    metrics.add('ns/a');
    metrics.get('ns/a');
    clock.advance(1000);
    metrics.add('ns/b');
    metrics.get('ns/b');
    clock.advance(2000);
    metrics.updateUnfinishedWork();
    assert.equal(await metricValue('workqueue_unfinished_work_seconds', labels), 5);
    assert.equal(await metricValue('workqueue_longest_running_processor_seconds', labels), 3);

    metrics.done('ns/a');
    metrics.done('ns/b');
    metrics.updateUnfinishedWork();
    assert.equal(await metricValue('workqueue_longest_running_processor_seconds', labels), 0);
  });

  it('uses buckets from 10 ns to 1000 s by powers of ten', async () => {
    assert.deepEqual(await histogramBuckets('workqueue_work_duration_seconds'), [
      1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000,
    ]);
  });
});
