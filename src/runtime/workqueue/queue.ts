// A work queue with client-go semantics (upstream: client-go util/workqueue/queue.go Typed): an
// item waits at most once, and no two workers ever hold the same item. Controllers put object
// keys in it from event handlers and take them out in workers, so a burst of events for one
// object collapses into one reconcile, and one object is never reconciled concurrently.
import type { Clock } from '../clock.ts';
import { realClock } from '../clock.ts';
import { WorkQueueMetrics } from './metrics.ts';

export interface WorkQueueOptions {
  /**
   * Queue name, used as the `name` and `controller` labels of the `workqueue_*` metrics. Default:
   * none, and then no metrics are recorded (as client-go does for an unnamed queue).
   */
  readonly name?: string;
  /** Time source for metrics and delays. Default: `realClock`. */
  readonly clock?: Clock;
}

/** How often the unfinished-work gauges are refreshed while the queue runs (client-go: 500 ms). */
const unfinishedWorkUpdatePeriodMs = 500;

/**
 * A FIFO of distinct items. Items are compared as `Set` members are (SameValueZero): strings, the
 * usual `namespace/name` keys, by value; objects by identity, like Go's `comparable`.
 *
 * Guarantees to callers:
 * - an item added while it waits is not queued twice;
 * - an item handed out by `get` is not handed out again until `done(item)`; if it was added
 *   meanwhile, it is queued again by `done`, so no change is lost;
 * - after `shutDown`, `add` is ignored and `get` resolves `undefined`; after `shutDownWithDrain`,
 *   `get` still hands out what is queued and resolves `undefined` once nothing is.
 */
export class WorkQueue<T extends NonNullable<unknown> = string> {
  protected readonly clock: Clock;
  protected readonly metrics: WorkQueueMetrics<T> | undefined;

  // Invariants (as upstream): `dirty` holds every item that needs processing, `processing` every
  // item handed out and not yet done. An item is in `pending` exactly when it is dirty and not
  // processing; a dirty item that is processing is queued again by `done`.
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  /** FIFO of items to hand out; `head` is the index of the next one (avoids O(n) shifts). */
  private pending: T[] = [];
  private head = 0;

  /** Callers of `get` waiting for an item, oldest first. */
  private readonly getters: ((item: T | undefined) => void)[] = [];
  /** Callers of `shutDownWithDrain` waiting for the queue to run dry. */
  private readonly drainers: (() => void)[] = [];
  /** Callers of `whenIdle` waiting for no item to be queued or processing. */
  private readonly idlers: (() => void)[] = [];
  private state: 'running' | 'draining' | 'shutDown' = 'running';
  private readonly unfinishedWorkTimer: NodeJS.Timeout | undefined;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.metrics = options.name === undefined ? undefined : new WorkQueueMetrics<T>(options.name, this.clock);
    if (this.metrics !== undefined) {
      const metrics = this.metrics;
      // Unref'd: a queue must never keep the process alive on its own.
      this.unfinishedWorkTimer = setInterval(() => metrics.updateUnfinishedWork(), unfinishedWorkUpdatePeriodMs);
      this.unfinishedWorkTimer.unref();
    }
  }

  /** Marks `item` as needing processing. A no-op when it already waits or the queue is shutting down. */
  add(item: T): void {
    if (this.state !== 'running') return;
    if (this.dirty.has(item)) return;
    this.metrics?.add(item);
    this.dirty.add(item);
    // A processing item is queued again by `done`, never handed to a second worker.
    if (this.processing.has(item)) return;
    this.push(item);
    this.handOut();
  }

  /** Number of items waiting to be handed out (not counting those being processed). */
  len(): number {
    return this.pending.length - this.head;
  }

  /**
   * Resolves with the next item, waiting for one if needed; the caller owns it until `done(item)`.
   * Resolves `undefined` once the queue is shut down (for a drain: once nothing is queued), which
   * tells a worker to exit.
   */
  get(): Promise<T | undefined> {
    return new Promise((resolve) => {
      this.getters.push(resolve);
      this.handOut();
    });
  }

  /** Ends processing of `item`. If it was added while processing, it is queued again. */
  done(item: T): void {
    this.metrics?.done(item);
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.push(item);
    }
    this.handOut();
  }

  /** Stops handing out work: `add` is ignored from now on and every `get` resolves `undefined`. */
  shutDown(): void {
    this.state = 'shutDown';
    this.stopUnfinishedWorkTimer();
    this.handOut();
  }

  /**
   * Ignores new items, keeps handing out the queued ones, and resolves once no item is queued or
   * processing. Workers must keep calling `get` and `done` until `get` resolves `undefined`;
   * without them it never resolves (as upstream). A later `shutDown` resolves it at once.
   */
  shutDownWithDrain(): Promise<void> {
    if (this.state === 'running') this.state = 'draining';
    this.stopUnfinishedWorkTimer();
    const drained = new Promise<void>((resolve) => this.drainers.push(resolve));
    this.handOut();
    return drained;
  }

  /**
   * Resolves once no item is queued or processing: at once if none is, else at the `done` that
   * makes it so. Unlike `shutDownWithDrain` it changes nothing; an observation point (tests use it
   * to know every item handed out so far has been processed and done).
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise<void>((resolve) => this.idlers.push(resolve));
  }

  get shuttingDown(): boolean {
    return this.state !== 'running';
  }

  private push(item: T): void {
    this.pending.push(item);
  }

  private shift(): T | undefined {
    if (this.head >= this.pending.length) return undefined;
    const item = this.pending[this.head];
    this.head += 1;
    // Compact once the consumed prefix dominates, keeping `shift` O(1) amortized.
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Matches waiting getters with queued items, then settles getters and drainers on shutdown. */
  private handOut(): void {
    if (this.state !== 'shutDown') {
      while (this.getters.length > 0 && this.len() > 0) {
        const item = this.shift();
        const getter = this.getters.shift();
        if (item === undefined || getter === undefined) break;
        this.processing.add(item);
        this.dirty.delete(item);
        this.metrics?.get(item);
        getter(item);
      }
    }
    const stopped = this.state === 'shutDown' || (this.state === 'draining' && this.len() === 0);
    if (stopped) {
      for (const getter of this.getters.splice(0)) getter(undefined);
    }
    const drained = this.state === 'shutDown' || this.isIdle();
    if (this.state !== 'running' && drained) {
      for (const drainer of this.drainers.splice(0)) drainer();
    }
    if (this.idlers.length > 0 && this.isIdle()) {
      for (const idler of this.idlers.splice(0)) idler();
    }
  }

  private isIdle(): boolean {
    return this.len() === 0 && this.processing.size === 0;
  }

  private stopUnfinishedWorkTimer(): void {
    if (this.unfinishedWorkTimer !== undefined) clearInterval(this.unfinishedWorkTimer);
  }
}
