// The worker loop (upstream: controller-runtime pkg/internal/controller/controller.go Start,
// processNextWorkItem, reconcileHandler). It knows no workload: it moves keys from a rate-limiting
// work queue into `reconcile(key)`, at most `workers` at a time and never two for one key, and
// acts on what comes back. Errors are logged and counted here, once; reconcilers only return them.
import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Clock } from './clock.ts';
import { realClock } from './clock.ts';
import type { Logger } from './logging.ts';
import { registry, singleton } from './metrics/registry.ts';
import type { RateLimiter } from './workqueue/rate-limiters.ts';
import { RateLimitingQueue } from './workqueue/rate-limiting-queue.ts';

/** What a reconcile asks for next. Errors are thrown (rejected), not returned. */
export type ReconcileResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'requeue' }
  | { readonly kind: 'requeueAfter'; readonly afterMs: number };

export interface ReconcileContext {
  /** Carries `controller`, `object` (the key) and `reconcileID`. */
  readonly log: Logger;
  readonly reconcileID: string;
  /** Aborts when the shutdown deadline passes or the reconcile timeout (if any) expires. */
  readonly signal: AbortSignal;
}

export interface Reconciler {
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult>;
}

/**
 * A failure that retrying cannot fix (upstream: controller-runtime pkg/reconcile TerminalError):
 * counted and logged, never retried; the key runs again only when it is enqueued anew. Found
 * also when it is the `cause` of the thrown error.
 */
export class TerminalError extends Error {
  override readonly name: string = 'TerminalError';
}

/** A reconcile threw a non-Error, or threw synchronously instead of rejecting: a bug, as a Go panic. */
export class ReconcilePanicError extends Error {
  override readonly name = 'ReconcilePanicError';
  constructor(cause: unknown) {
    super(`panic: ${cause instanceof Error ? cause.message : String(cause)} [recovered]`, { cause });
  }
}

/** The reason a reconcile's signal carries when `reconcileTimeoutMs` expired. */
export class ReconcileTimeoutError extends Error {
  override readonly name = 'ReconcileTimeoutError';
  constructor(timeoutMs: number) {
    super(`reconcile exceeded its ${timeoutMs} ms timeout`);
  }
}

/** The reason a reconcile's signal carries when the shutdown deadline passed while it ran. */
export class ShutdownDeadlineError extends Error {
  override readonly name = 'ShutdownDeadlineError';
  constructor(deadlineMs: number) {
    super(`controller shutdown deadline of ${deadlineMs} ms passed`);
  }
}

export interface ControllerOptions {
  /** The `controller` label of metrics and logs, and the work queue's name. */
  readonly name: string;
  readonly reconciler: Reconciler;
  /**
   * Reconciles run at once, each for a different key: an integer ≥ 1 (kube-controller-manager
   * defaults: DaemonSet 2, StatefulSet 5).
   */
  readonly workers: number;
  readonly logger: Logger;
  /** Default: `realClock`. */
  readonly clock?: Clock;
  /** Default: `defaultControllerRateLimiter(clock)` (5 ms × 2^n up to 1000 s; 10/s, burst 100). */
  readonly rateLimiter?: RateLimiter;
  /** Aborts each reconcile's signal after this many ms (> 0). Default: no timeout. */
  readonly reconcileTimeoutMs?: number;
}

/**
 * The reason for aborting a controller that only cancels a wait which is no longer needed. Given
 * once, not per abort: `abort()` without a reason builds a DOMException with a stack trace, which
 * profiles showed among the costliest steps of a reconcile.
 */
const settled = new Error('settled');

/** upstream: controller-runtime's default graceful shutdown timeout. */
const defaultShutdownDeadlineMs = 30_000;

// upstream: controller-runtime pkg/internal/controller/metrics/metrics.go
const reconcileTotal = singleton(
  'controller_runtime_reconcile_total',
  () =>
    new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'] as const,
      registers: [registry],
    }),
);
const reconcileErrors = controllerCounter('controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors per controller');
const terminalReconcileErrors = controllerCounter(
  'controller_runtime_terminal_reconcile_errors_total',
  'Total number of terminal reconciliation errors per controller',
);
const reconcilePanics = controllerCounter('controller_runtime_reconcile_panics_total', 'Total number of reconciliation panics per controller');
const reconcileTimeouts = controllerCounter(
  'controller_runtime_reconcile_timeouts_total',
  'Total number of reconciliation timeouts per controller',
);
const reconcileTime = singleton(
  'controller_runtime_reconcile_time_seconds',
  () =>
    new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'] as const,
      buckets: [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5,
        1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
      ],
      registers: [registry],
    }),
);
const maxConcurrentReconciles = controllerGauge(
  'controller_runtime_max_concurrent_reconciles',
  'Maximum number of concurrent reconciles per controller',
);
const activeWorkers = controllerGauge('controller_runtime_active_workers', 'Number of currently used workers per controller');

function controllerCounter(name: string, help: string): Counter<'controller'> {
  return singleton(name, () => new Counter({ name, help, labelNames: ['controller'] as const, registers: [registry] }));
}

function controllerGauge(name: string, help: string): Gauge<'controller'> {
  return singleton(name, () => new Gauge({ name, help, labelNames: ['controller'] as const, registers: [registry] }));
}

type ResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';
const resultLabels: readonly ResultLabel[] = ['success', 'error', 'requeue', 'requeue_after'];

/** How one reconcile ended. */
type Outcome = { readonly kind: 'returned'; readonly result: ReconcileResult } | { readonly kind: 'failed'; readonly err: Error };

/** What the dispatcher can be waiting for: a free worker, or a key to be queued. */
export type DispatcherWait = 'worker' | 'key';

type State =
  | { readonly kind: 'new' }
  | { readonly kind: 'running'; readonly dispatcher: Promise<void> }
  | { readonly kind: 'stopped'; readonly stopped: Promise<void> };

/**
 * Guarantees to callers:
 * - keys may be enqueued before `start`; they wait;
 * - one key is never reconciled twice at once; a key enqueued during its reconcile runs again after;
 * - after `shutdown` begins no new reconcile starts; `shutdown` resolves once in-flight reconciles
 *   finish, or once the deadline passes and their signals are aborted (a reconcile that ignores its
 *   signal is abandoned, not awaited).
 */
export class Controller {
  readonly name: string;
  private readonly reconciler: Reconciler;
  private readonly workers: number;
  private readonly logger: Logger;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly reconcileTimeoutMs: number | undefined;
  private readonly queue: RateLimitingQueue;
  /** Runs reconciles, `workers` at a time; its `onIdle` is what shutdown waits for. */
  private readonly pool: PQueue;
  /** Aborted when shutdown begins: wakes a dispatcher waiting for a free worker. */
  private readonly stopping = new AbortController();
  /** Aborted when the shutdown deadline passes: every in-flight reconcile's signal follows it. */
  private readonly deadline = new AbortController();
  private state: State = { kind: 'new' };
  /** What the dispatcher waits for right now, if it waits; only observed (`whenDispatcherWaits`). */
  private dispatcherWaitsFor: DispatcherWait | undefined;
  private dispatcherWatchers: { readonly what: DispatcherWait; readonly resolve: () => void }[] = [];
  /**
   * The signals of the reconciles in flight, aborted together when the shutdown deadline passes:
   * a set instead of one listener per reconcile on the deadline signal (EventTarget listeners
   * cost more than the rest of a reconcile that only requeues).
   */
  private readonly attempts = new Set<AbortController>();

  constructor(options: ControllerOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be an integer ≥ 1, got ${options.workers}`);
    }
    if (options.reconcileTimeoutMs !== undefined && !(options.reconcileTimeoutMs > 0)) {
      throw new RangeError(`reconcileTimeoutMs must be > 0, got ${options.reconcileTimeoutMs}`);
    }
    this.name = options.name;
    this.reconciler = options.reconciler;
    this.workers = options.workers;
    this.logger = options.logger;
    this.log = options.logger.child({ controller: options.name });
    this.clock = options.clock ?? realClock;
    this.reconcileTimeoutMs = options.reconcileTimeoutMs;
    this.queue = new RateLimitingQueue({ name: options.name, clock: this.clock, rateLimiter: options.rateLimiter });
    this.pool = new PQueue({ concurrency: options.workers });
    this.initMetrics();
  }

  /** Queues `key` for a reconcile (once, however often it is called before the reconcile starts). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Queues `key` after `ms`; a key already waiting keeps the earlier time. */
  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /** Starts the workers. Call once; after `shutdown` it throws. */
  start(): void {
    switch (this.state.kind) {
      case 'new':
        this.log.info('Starting workers', { workerCount: this.workers });
        this.state = { kind: 'running', dispatcher: this.dispatch() };
        return;
      case 'running':
        return;
      case 'stopped':
        throw new Error(`controller ${this.name} was shut down and cannot start again`);
      default:
        return unreachable(this.state);
    }
  }

  /**
   * Stops taking work and waits for in-flight reconciles, at most `deadlineMs` (default 30 000),
   * then aborts their signals. Idempotent: later calls return the first call's promise.
   */
  shutdown(deadlineMs: number = defaultShutdownDeadlineMs): Promise<void> {
    switch (this.state.kind) {
      case 'new': {
        this.queue.shutDown();
        this.state = { kind: 'stopped', stopped: Promise.resolve() };
        return this.state.stopped;
      }
      case 'running': {
        const stopped = this.stop(this.state.dispatcher, deadlineMs);
        this.state = { kind: 'stopped', stopped };
        return stopped;
      }
      case 'stopped':
        return this.state.stopped;
      default:
        return unreachable(this.state);
    }
  }

  /**
   * Resolves once no key is queued or being reconciled (at once if none is); keys waiting for a
   * delay do not count. An observation point, for tests: by then every reconcile started so far
   * has ended and its outcome (forget, requeue) has been applied. The controller does not use it.
   */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /**
   * Resolves once the dispatcher waits for `what` (at once if it does now): 'worker' when every
   * worker is busy, 'key' when no key is queued. From then on no reconcile starts until a worker
   * frees or a key is queued. An observation point, for tests: every reconcile that could start
   * has started. The controller does not use it.
   */
  whenDispatcherWaits(what: DispatcherWait): Promise<void> {
    if (this.dispatcherWaitsFor === what) return Promise.resolve();
    return new Promise<void>((resolve) => this.dispatcherWatchers.push({ what, resolve }));
  }

  private dispatcherWaiting(what: DispatcherWait | undefined): void {
    this.dispatcherWaitsFor = what;
    if (what === undefined || this.dispatcherWatchers.length === 0) return;
    const ready = this.dispatcherWatchers.filter((w) => w.what === what);
    this.dispatcherWatchers = this.dispatcherWatchers.filter((w) => w.what !== what);
    for (const watcher of ready) watcher.resolve();
  }

  private async stop(dispatcher: Promise<void>, deadlineMs: number): Promise<void> {
    this.log.info('Shutdown signal received, waiting for all workers to finish');
    this.stopping.abort();
    this.queue.shutDown();
    // The dispatcher ends at once: its `get` resolves undefined, or its wait for a worker wakes.
    // Awaiting it first means no reconcile is handed to the pool after we look at it.
    await dispatcher;
    const cancelDeadline = new AbortController();
    const idle: Promise<'idle'> = this.pool.onIdle().then(() => 'idle');
    const deadlinePassed: Promise<'deadline' | 'idle'> = this.clock.sleep(deadlineMs, cancelDeadline.signal).then(
      () => 'deadline',
      () => 'idle', // cancelled because the pool went idle first
    );
    const first = await Promise.race([idle, deadlinePassed]);
    cancelDeadline.abort();
    if (first === 'deadline') {
      this.log.warn('Shutdown deadline passed, aborting in-flight reconciles', {
        deadlineMs,
        inFlight: this.pool.pending,
      });
      // p-queue counts a task whose signal aborted as finished, so the pool goes idle even when a
      // reconcile ignores its signal.
      const reason = new ShutdownDeadlineError(deadlineMs);
      this.deadline.abort(reason);
      for (const attempt of this.attempts) attempt.abort(reason);
      await this.pool.onIdle();
    }
    this.log.info('All workers finished');
  }

  /** Takes keys from the queue while a worker is free, and hands each to the pool. */
  private async dispatch(): Promise<void> {
    for (;;) {
      await this.freeWorker();
      if (this.stopping.signal.aborted) return;
      // `get` waits only when nothing is queued; otherwise it hands out the next key in the same call.
      if (this.queue.len() === 0 && !this.queue.shuttingDown) this.dispatcherWaiting('key');
      const key = await this.queue.get();
      this.dispatcherWaiting(undefined);
      if (key === undefined) return;
      // Rejects only when the shutdown deadline abandons the reconcile; `stop` reports that.
      this.pool.add(() => this.processNextWorkItem(key), { signal: this.deadline.signal }).catch(() => undefined);
    }
  }

  /** Resolves once fewer than `workers` reconciles run, or shutdown begins. */
  private async freeWorker(): Promise<void> {
    while (this.pool.pending >= this.workers && !this.stopping.signal.aborted) {
      this.dispatcherWaiting('worker');
      await new Promise<void>((resolve) => {
        const listeners = new AbortController();
        const wake = (): void => {
          listeners.abort(settled);
          resolve();
        };
        this.pool.addEventListener('next', wake, { signal: listeners.signal });
        this.stopping.signal.addEventListener('abort', wake, { signal: listeners.signal });
      });
      this.dispatcherWaiting(undefined);
    }
  }

  // upstream: controller-runtime pkg/internal/controller/controller.go processNextWorkItem
  private async processNextWorkItem(key: string): Promise<void> {
    activeWorkers.inc({ controller: this.name });
    try {
      await this.reconcileHandler(key);
    } finally {
      activeWorkers.dec({ controller: this.name });
      this.queue.done(key);
    }
  }

  // upstream: controller-runtime pkg/internal/controller/controller.go reconcileHandler
  private async reconcileHandler(key: string): Promise<void> {
    const startedAt = this.clock.now();
    const reconcileID = randomUUID();
    const log = this.logger.child({ controller: this.name, object: key, reconcileID });
    const attempt = this.attemptSignal();
    let outcome: Outcome;
    try {
      outcome = await this.invoke(key, { log, reconcileID, signal: attempt.signal });
    } finally {
      attempt.release();
    }
    if (attempt.timedOut()) reconcileTimeouts.inc({ controller: this.name });
    this.handleOutcome(key, outcome, log);
    reconcileTime.observe({ controller: this.name }, (this.clock.now() - startedAt) / 1000);
  }

  /** Calls the reconciler, turning every way it can fail into an Error. */
  private async invoke(key: string, ctx: ReconcileContext): Promise<Outcome> {
    let pending: Promise<ReconcileResult>;
    try {
      pending = this.reconciler.reconcile(key, ctx);
    } catch (thrown) {
      reconcilePanics.inc({ controller: this.name });
      return { kind: 'failed', err: new ReconcilePanicError(thrown) };
    }
    try {
      return { kind: 'returned', result: await pending };
    } catch (thrown) {
      if (thrown instanceof Error) return { kind: 'failed', err: thrown };
      reconcilePanics.inc({ controller: this.name });
      return { kind: 'failed', err: new ReconcilePanicError(thrown) };
    }
  }

  private handleOutcome(key: string, outcome: Outcome, log: Logger): void {
    if (outcome.kind === 'failed') {
      const { err } = outcome;
      if (isTerminal(err)) {
        // Retrying cannot help; clear the backoff so a later event starts fresh.
        this.queue.forget(key);
        terminalReconcileErrors.inc({ controller: this.name });
      } else {
        this.queue.addRateLimited(key);
      }
      reconcileErrors.inc({ controller: this.name });
      this.countResult('error');
      log.error('Reconciler error', { err });
      return;
    }
    const { result } = outcome;
    switch (result.kind) {
      case 'done':
        // Success ends the backoff: the next failure waits the base delay again.
        this.queue.forget(key);
        this.countResult('success');
        return;
      case 'requeue':
        this.queue.addRateLimited(key);
        this.countResult('requeue');
        return;
      case 'requeueAfter':
        // A planned revisit is not a failure: reset the backoff, then wait the asked time.
        this.queue.forget(key);
        this.queue.addAfter(key, result.afterMs);
        this.countResult('requeue_after');
        return;
      default:
        unreachable(result);
    }
  }

  /**
   * The signal of one reconcile: it follows the shutdown deadline and, when configured, aborts after
   * `reconcileTimeoutMs`. `release` detaches it once the reconcile ends.
   */
  private attemptSignal(): { readonly signal: AbortSignal; timedOut(): boolean; release(): void } {
    const attempt = new AbortController();
    this.attempts.add(attempt);
    let timedOut = false;
    const timeoutMs = this.reconcileTimeoutMs;
    const cancelTimer = timeoutMs === undefined ? undefined : new AbortController();
    if (timeoutMs !== undefined && cancelTimer !== undefined) {
      this.clock.sleep(timeoutMs, cancelTimer.signal).then(
        () => {
          timedOut = !attempt.signal.aborted;
          attempt.abort(new ReconcileTimeoutError(timeoutMs));
        },
        () => undefined, // the reconcile ended first
      );
    }
    return {
      signal: attempt.signal,
      timedOut: () => timedOut,
      release: () => {
        cancelTimer?.abort(settled);
        this.attempts.delete(attempt);
      },
    };
  }

  private countResult(result: ResultLabel): void {
    reconcileTotal.inc({ controller: this.name, result });
  }

  // upstream: controller-runtime pkg/internal/controller/controller.go initMetrics
  private initMetrics(): void {
    const controller = this.name;
    for (const result of resultLabels) reconcileTotal.inc({ controller, result }, 0);
    reconcileErrors.inc({ controller }, 0);
    terminalReconcileErrors.inc({ controller }, 0);
    reconcilePanics.inc({ controller }, 0);
    reconcileTimeouts.inc({ controller }, 0);
    maxConcurrentReconciles.set({ controller }, this.workers);
    activeWorkers.set({ controller }, 0);
  }
}

/** Whether `err` or one of its causes is a TerminalError (as Go's errors.Is walks wrapped errors). */
function isTerminal(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = err; current instanceof Error && !seen.has(current); current = current.cause) {
    if (current instanceof TerminalError) return true;
    seen.add(current);
  }
  return false;
}

function unreachable(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
