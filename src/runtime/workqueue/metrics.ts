// Work queue metrics under controller-runtime's names and labels (upstream: controller-runtime
// pkg/internal/metrics/workqueue.go; what is measured: client-go util/workqueue/metrics.go), so
// dashboards built for controller-runtime operators read ours too. Both `name` and `controller`
// carry the queue name; `priority` is "" because our queues have no priorities.
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Clock } from '../clock.ts';
import { registry, singleton } from '../metrics/registry.ts';

/** 1e-8 s to 1e3 s by powers of ten (Prometheus ExponentialBuckets(10e-9, 10, 12)). */
const durationBuckets: readonly number[] = Array.from({ length: 12 }, (_, i) => Number(`1e${i - 8}`));

const depth = singleton(
  'workqueue_depth',
  () =>
    new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue by workqueue and priority',
      labelNames: ['name', 'controller', 'priority'] as const,
      registers: [registry],
    }),
);

const adds = singleton(
  'workqueue_adds_total',
  () =>
    new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name', 'controller'] as const,
      registers: [registry],
    }),
);

const queueDuration = singleton(
  'workqueue_queue_duration_seconds',
  () =>
    new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name', 'controller'] as const,
      buckets: [...durationBuckets],
      registers: [registry],
    }),
);

const workDuration = singleton(
  'workqueue_work_duration_seconds',
  () =>
    new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name', 'controller'] as const,
      buckets: [...durationBuckets],
      registers: [registry],
    }),
);

const unfinishedWork = singleton(
  'workqueue_unfinished_work_seconds',
  () =>
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. ' +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate ' +
        'at which this increases.',
      labelNames: ['name', 'controller'] as const,
      registers: [registry],
    }),
);

const longestRunningProcessor = singleton(
  'workqueue_longest_running_processor_seconds',
  () =>
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name', 'controller'] as const,
      registers: [registry],
    }),
);

const retries = singleton(
  'workqueue_retries_total',
  () =>
    new Counter({
      name: 'workqueue_retries_total',
      help:
        'Total number of items added to the workqueue with a non-zero delay ' +
        '(rate-limited requeues, explicit RequeueAfter or AddAfter calls)',
      labelNames: ['name', 'controller'] as const,
      registers: [registry],
    }),
);

/** The series of one named queue, plus the per-item timestamps its durations are measured from. */
export class WorkQueueMetrics<T> {
  private readonly clock: Clock;
  private readonly labels: { readonly name: string; readonly controller: string };
  private readonly depthLabels: { readonly name: string; readonly controller: string; readonly priority: string };
  /** When each dirty item was first added; cleared when it is handed out. */
  private readonly addTimes = new Map<T, number>();
  /** When each processing item was handed out; cleared by `done`. */
  private readonly processingStartTimes = new Map<T, number>();

  constructor(name: string, clock: Clock) {
    this.clock = clock;
    this.labels = { name, controller: name };
    this.depthLabels = { ...this.labels, priority: '' };
    // Export every series from the start, as upstream's WithLabelValues does.
    depth.inc(this.depthLabels, 0);
    adds.inc(this.labels, 0);
    retries.inc(this.labels, 0);
    queueDuration.zero(this.labels);
    workDuration.zero(this.labels);
    unfinishedWork.set(this.labels, 0);
    longestRunningProcessor.set(this.labels, 0);
  }

  /** An item became dirty. */
  add(item: T): void {
    adds.inc(this.labels);
    depth.inc(this.depthLabels);
    if (!this.addTimes.has(item)) this.addTimes.set(item, this.clock.now());
  }

  /** An item was handed to a worker. */
  get(item: T): void {
    depth.dec(this.depthLabels);
    const now = this.clock.now();
    this.processingStartTimes.set(item, now);
    const addedAt = this.addTimes.get(item);
    if (addedAt !== undefined) {
      queueDuration.observe(this.labels, (now - addedAt) / 1000);
      this.addTimes.delete(item);
    }
  }

  /** A worker finished an item. */
  done(item: T): void {
    const startedAt = this.processingStartTimes.get(item);
    if (startedAt === undefined) return;
    workDuration.observe(this.labels, (this.clock.now() - startedAt) / 1000);
    this.processingStartTimes.delete(item);
  }

  /** An item was put back with a delay. */
  retry(): void {
    retries.inc(this.labels);
  }

  /** Refreshes the gauges that reveal stuck workers; called periodically while the queue runs. */
  updateUnfinishedWork(): void {
    const now = this.clock.now();
    let total = 0;
    let oldest = 0;
    for (const startedAt of this.processingStartTimes.values()) {
      const age = (now - startedAt) / 1000;
      total += age;
      oldest = Math.max(oldest, age);
    }
    unfinishedWork.set(this.labels, total);
    longestRunningProcessor.set(this.labels, oldest);
  }
}
