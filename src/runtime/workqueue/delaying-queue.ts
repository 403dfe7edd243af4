// A work queue that can add an item later (upstream: client-go util/workqueue/delaying_queue.go):
// what `requeueAfter` results and rate-limited retries are built on.
import { ReadyHeap } from './ready-heap.ts';
import { WorkQueue } from './queue.ts';

/**
 * The longest single wait: the queue wakes at least this often while items wait, as upstream's
 * `maxWait` heartbeat, which also keeps every timer below setTimeout's 2^31 − 1 ms limit.
 */
const maxWaitMs = 10_000;

/** Why a wake-up is cancelled: one Error for all (abort() alone builds a DOMException each time). */
const superseded = new Error('wake-up superseded');

export class DelayingQueue<T extends NonNullable<unknown> = string> extends WorkQueue<T> {
  // Invariant: `readyAt` holds each waiting item's ready time, and the heap holds an entry with
  // that time for it. An item whose time moved earlier keeps its older, later entry in the heap;
  // entries that disagree with `readyAt` are stale and skipped.
  private readonly readyAt = new Map<T, number>();
  private readonly waiting = new ReadyHeap<T>();
  /** The one pending wake-up: when it fires, and how to cancel it. */
  private timer: { readonly at: number; readonly cancel: AbortController } | undefined;

  /**
   * Adds `item` once `delayMs` has passed (at once when `delayMs` ≤ 0). When the item already
   * waits, the earlier ready time wins. Ignored once the queue is shutting down.
   */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(item);
      return;
    }
    // Counted only for a real delay, as controller-runtime documents workqueue_retries_total.
    this.metrics?.retry();
    const readyAt = this.clock.now() + delayMs;
    const current = this.readyAt.get(item);
    if (current !== undefined && current <= readyAt) return;
    this.readyAt.set(item, readyAt);
    this.waiting.push({ item, readyAt });
    this.arm();
  }

  /** Number of items waiting for their ready time. */
  waitingLen(): number {
    return this.readyAt.size;
  }

  override shutDown(): void {
    this.dropWaiting();
    super.shutDown();
  }

  override shutDownWithDrain(): Promise<void> {
    // Waiting items are not work yet: a drain finishes what is queued, not what is scheduled.
    this.dropWaiting();
    return super.shutDownWithDrain();
  }

  /** Adds every item whose time has come, then waits for the next one. */
  private addReady(): void {
    const now = this.clock.now();
    for (let next = this.peekLive(); next !== undefined && next.readyAt <= now; next = this.peekLive()) {
      this.waiting.pop();
      this.readyAt.delete(next.item);
      this.add(next.item);
    }
    this.arm();
  }

  /** The earliest entry that is not stale, dropping stale ones on the way. */
  private peekLive(): { readonly item: T; readonly readyAt: number } | undefined {
    for (let top = this.waiting.peek(); top !== undefined; top = this.waiting.peek()) {
      if (this.readyAt.get(top.item) === top.readyAt) return top;
      this.waiting.pop();
    }
    return undefined;
  }

  /** Makes sure one timer fires by the earliest ready time, replacing a later one. */
  private arm(): void {
    const next = this.peekLive();
    if (next === undefined) {
      this.disarm();
      return;
    }
    const now = this.clock.now();
    const at = Math.min(next.readyAt, now + maxWaitMs);
    if (this.timer !== undefined && this.timer.at <= at) return;
    this.disarm();
    const cancel = new AbortController();
    this.timer = { at, cancel };
    this.clock.sleep(Math.max(0, at - now), cancel.signal).then(
      () => {
        if (this.timer?.cancel !== cancel) return;
        this.timer = undefined;
        this.addReady();
      },
      () => undefined, // cancelled: a sooner timer replaced this one, or the queue shut down
    );
  }

  private disarm(): void {
    this.timer?.cancel.abort(superseded);
    this.timer = undefined;
  }

  private dropWaiting(): void {
    this.disarm();
    this.readyAt.clear();
    this.waiting.clear();
  }
}
