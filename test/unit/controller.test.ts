import assert from 'node:assert/strict';
import {
  Controller,
  ReconcilePanicError,
  ReconcileTimeoutError,
  ShutdownDeadlineError,
  TerminalError,
} from '../../src/runtime/controller.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../../src/runtime/controller.ts';
import type { RateLimiter } from '../../src/runtime/workqueue/rate-limiters.ts';
import { captureLogger } from '../support/capture-logger.ts';
import type { LogEntry } from '../support/capture-logger.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { hasSeries, histogramBuckets, histogramValue, metricValue, uniqueName } from '../support/metrics.ts';
import { deferred, until } from '../support/microtasks.ts';

type Handler = (key: string, ctx: ReconcileContext) => Promise<ReconcileResult>;

/** Records every call and answers with `handler`. */
class FakeReconciler implements Reconciler {
  readonly calls: { readonly key: string; readonly ctx: ReconcileContext }[] = [];
  running = 0;
  maxRunning = 0;
  handler: Handler;

  constructor(handler: Handler) {
    this.handler = handler;
  }

  /** Not `async`: a handler that throws synchronously must reach the controller as a throw. */
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    this.calls.push({ key, ctx });
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    let pending: Promise<ReconcileResult>;
    try {
      pending = this.handler(key, ctx);
    } catch (err) {
      this.running -= 1;
      throw err;
    }
    return pending.finally(() => {
      this.running -= 1;
    });
  }

  keys(): string[] {
    return this.calls.map((c) => c.key);
  }
}

/** Records `when` and `forget`, and always asks for a fixed delay. */
class SpyRateLimiter implements RateLimiter {
  readonly whens: string[] = [];
  readonly forgets: string[] = [];
  readonly delayMs: number;
  constructor(delayMs = 1000) {
    this.delayMs = delayMs;
  }
  when(item: string): number {
    this.whens.push(item);
    return this.delayMs;
  }
  forget(item: string): void {
    this.forgets.push(item);
  }
  numRequeues(): number {
    return 0;
  }
}

interface Harness {
  readonly controller: Controller;
  readonly reconciler: FakeReconciler;
  readonly limiter: SpyRateLimiter;
  readonly clock: FakeClock;
  readonly name: string;
  readonly entries: readonly LogEntry[];
}

const started: Controller[] = [];

function setup(handler: Handler, options: { workers?: number; reconcileTimeoutMs?: number } = {}): Harness {
  const clock = new FakeClock();
  const name = uniqueName('ctrl');
  const reconciler = new FakeReconciler(handler);
  const limiter = new SpyRateLimiter();
  const { logger, entries } = captureLogger();
  const controller = new Controller({
    name,
    reconciler,
    workers: options.workers ?? 1,
    logger,
    clock,
    rateLimiter: limiter,
    reconcileTimeoutMs: options.reconcileTimeoutMs,
  });
  started.push(controller);
  return { controller, reconciler, limiter, clock, name, entries };
}

const done = (): Promise<ReconcileResult> => Promise.resolve({ kind: 'done' });

async function total(name: string, result: string): Promise<number> {
  return metricValue('controller_runtime_reconcile_total', { controller: name, result });
}

describe('Controller', () => {
  afterEach(async () => {
    // Every controller a test left running is stopped; their reconciles have finished by now.
    await Promise.all(started.splice(0).map((c) => c.shutdown()));
  });

  it('exports its metrics at zero from construction', async () => {
    const { name } = setup(done, { workers: 3 });
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      assert.equal(await hasSeries('controller_runtime_reconcile_total', { controller: name, result }), true, result);
      assert.equal(await total(name, result), 0);
    }
    for (const metric of [
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_terminal_reconcile_errors_total',
      'controller_runtime_reconcile_panics_total',
      'controller_runtime_reconcile_timeouts_total',
      'controller_runtime_active_workers',
    ]) {
      assert.equal(await hasSeries(metric, { controller: name }), true, metric);
      assert.equal(await metricValue(metric, { controller: name }), 0, metric);
    }
    assert.equal(await metricValue('controller_runtime_max_concurrent_reconciles', { controller: name }), 3);
    assert.equal(await hasSeries('workqueue_depth', { name, controller: name, priority: '' }), true);
  });

  it('uses controller-runtime reconcile time buckets', async () => {
    const { controller, limiter } = setup(done);
    controller.start();
    controller.enqueue('ns/a');
    await until(() => limiter.forgets.length === 1, 'one reconcile is observed');
    assert.deepEqual(await histogramBuckets('controller_runtime_reconcile_time_seconds'), [
      0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75,
      2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ]);
  });

  it('reconciles keys enqueued before start, once each', async () => {
    const { controller, reconciler } = setup(done);
    controller.enqueue('ns/a');
    controller.enqueue('ns/a');
    controller.enqueue('ns/b');
    controller.start();
    await until(() => reconciler.calls.length === 2, 'both keys are reconciled');
    // Idle: nothing queued or reconciling, so any further reconcile of these keys would have started.
    await controller.whenIdle();
    assert.deepEqual(reconciler.keys(), ['ns/a', 'ns/b']);
  });

  it('forgets the key and counts a success when the reconcile is done', async () => {
    const { controller, limiter, name, clock } = setup(() => {
      clock.advance(250);
      return done();
    });
    controller.start();
    controller.enqueue('ns/a');
    await until(() => limiter.forgets.length === 1, 'the key is forgotten');
    assert.deepEqual(limiter.whens, []);
    assert.equal(await total(name, 'success'), 1);
    assert.equal(await histogramValue('controller_runtime_reconcile_time_seconds', 'count', { controller: name }), 1);
    assert.equal(await histogramValue('controller_runtime_reconcile_time_seconds', 'sum', { controller: name }), 0.25);
  });

  it('requeues through the rate limiter when the reconcile asks for a requeue', async () => {
    const { controller, reconciler, limiter, clock, name } = setup(() => Promise.resolve({ kind: 'requeue' }));
    controller.start();
    controller.enqueue('ns/a');
    await until(() => limiter.whens.length === 1, 'the rate limiter is asked');
    assert.deepEqual(limiter.forgets, []);
    assert.equal(await total(name, 'requeue'), 1);

    clock.advance(limiter.delayMs);
    await until(() => reconciler.calls.length === 2, 'the key runs again after the rate-limited delay');
  });

  it('resets the backoff and requeues after the asked time for requeueAfter', async () => {
    const { controller, reconciler, limiter, clock, name } = setup(() =>
      Promise.resolve({ kind: 'requeueAfter', afterMs: 5000 }),
    );
    controller.start();
    controller.enqueue('ns/a');
    await until(() => limiter.forgets.length === 1, 'the backoff is reset');
    assert.deepEqual(limiter.whens, []);
    assert.equal(await total(name, 'requeue_after'), 1);

    assert.equal(clock.nextDeadline(), clock.now() + 5000, 'the requeue waits on the clock');
    clock.advance(4999);
    assert.equal(clock.nextDeadline(), clock.now() + 1, 'the requeue timer still waits');
    assert.equal(reconciler.calls.length, 1);
    clock.advance(1);
    await until(() => reconciler.calls.length === 2, 'the key runs again after 5 s');
  });

  it('retries an error with backoff, counts it and logs it once with the error itself', async () => {
    const failure = new Error('pods is forbidden');
    const { controller, limiter, name, entries } = setup(() => Promise.reject(failure));
    controller.start();
    controller.enqueue('ns/a');
    await until(() => limiter.whens.length === 1, 'the key is rate-limited');
    assert.equal(await metricValue('controller_runtime_reconcile_errors_total', { controller: name }), 1);
    assert.equal(await total(name, 'error'), 1);
    assert.equal(await metricValue('controller_runtime_terminal_reconcile_errors_total', { controller: name }), 0);

    const errors = entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.message, 'Reconciler error');
    assert.equal(errors[0]?.fields.err, failure);
    assert.equal(errors[0]?.fields.controller, name);
    assert.equal(errors[0]?.fields.object, 'ns/a');
  });

  it('does not retry a terminal error, even wrapped, but counts and logs it', async () => {
    const { controller, limiter, name, entries } = setup((key) =>
      Promise.reject(
        key === 'ns/a'
          ? new TerminalError('invalid selector')
          : new Error('sync failed', { cause: new TerminalError('invalid selector') }),
      ),
    );
    controller.start();
    controller.enqueue('ns/a');
    controller.enqueue('ns/b');
    await until(() => limiter.forgets.length === 2, 'both keys are forgotten');
    assert.deepEqual(limiter.whens, []);
    assert.equal(await metricValue('controller_runtime_terminal_reconcile_errors_total', { controller: name }), 2);
    assert.equal(await metricValue('controller_runtime_reconcile_errors_total', { controller: name }), 2);
    assert.equal(await total(name, 'error'), 2);
    assert.equal(entries.filter((e) => e.level === 'error').length, 2);
  });

  it('counts a non-Error rejection and a synchronous throw as panics, and retries them', async () => {
    const { controller, reconciler, limiter, name, entries } = setup(done);
    reconciler.handler = (key) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
      if (key === 'ns/a') return Promise.reject('a string');
      throw new Error('thrown before returning a promise');
    };
    controller.start();
    controller.enqueue('ns/a');
    controller.enqueue('ns/b');
    await until(() => limiter.whens.length === 2, 'both keys are rate-limited');
    assert.equal(await metricValue('controller_runtime_reconcile_panics_total', { controller: name }), 2);
    assert.equal(await metricValue('controller_runtime_reconcile_errors_total', { controller: name }), 2);
    const logged = entries.filter((e) => e.level === 'error').map((e) => e.fields.err);
    assert.equal(logged.length, 2);
    assert.ok(logged.every((err) => err instanceof ReconcilePanicError));
  });

  it('gives each reconcile a logger with controller, object and a fresh reconcileID', async () => {
    const { controller, reconciler, name, entries } = setup((_key, ctx) => {
      ctx.log.info('Reconciling');
      return done();
    });
    controller.start();
    controller.enqueue('ns/a');
    await until(() => reconciler.calls.length === 1, 'the first reconcile runs');
    controller.enqueue('ns/a');
    await until(() => reconciler.calls.length === 2, 'the second reconcile runs');

    const lines = entries.filter((e) => e.message === 'Reconciling');
    assert.equal(lines.length, 2);
    const ids = reconciler.calls.map((c) => c.ctx.reconcileID);
    assert.notEqual(ids[0], ids[1]);
    lines.forEach((line, i) => {
      assert.equal(line.fields.controller, name);
      assert.equal(line.fields.object, 'ns/a');
      assert.equal(line.fields.reconcileID, ids[i]);
      assert.match(String(line.fields.reconcileID), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
  });

  it('never reconciles one key twice at once, and runs it again when it was enqueued meanwhile', async () => {
    const release = deferred<ReconcileResult>();
    const { controller, reconciler } = setup(
      (key) => (key === 'ns/a' && reconciler.calls.length === 1 ? release.promise : done()),
      { workers: 3 },
    );
    controller.start();
    controller.enqueue('ns/a');
    await until(() => reconciler.calls.length === 1, 'ns/a starts');
    controller.enqueue('ns/a');
    controller.enqueue('ns/b');
    await until(() => reconciler.calls.length === 2, 'ns/b runs beside ns/a');
    // The dispatcher waits for a key only once it has handed out every queued one (ns/a included,
    // had it been queued beside ns/b).
    await controller.whenDispatcherWaits('key');
    assert.deepEqual(reconciler.keys(), ['ns/a', 'ns/b'], 'ns/a is not handed to a second worker');

    release.resolve({ kind: 'done' });
    await until(() => reconciler.calls.length === 3, 'ns/a runs again after it is done');
    // Idle: every reconcile has ended and been requeued if it was going to be.
    await controller.whenIdle();
    assert.deepEqual(reconciler.keys(), ['ns/a', 'ns/b', 'ns/a']);
  });

  it('runs at most `workers` reconciles at once and tracks them in active_workers', async () => {
    const releases = new Map<string, (result: ReconcileResult) => void>();
    const { controller, reconciler, name } = setup(
      (key) => new Promise<ReconcileResult>((resolve) => releases.set(key, resolve)),
      { workers: 2 },
    );
    controller.start();
    for (const key of ['ns/a', 'ns/b', 'ns/c', 'ns/d']) controller.enqueue(key);
    await until(() => reconciler.running === 2, 'two reconciles run');
    // Waiting for a worker: the dispatcher has started every reconcile it may start now.
    await controller.whenDispatcherWaits('worker');
    assert.equal(reconciler.calls.length, 2);
    assert.equal(await metricValue('controller_runtime_active_workers', { controller: name }), 2);

    releases.get('ns/a')?.({ kind: 'done' });
    await until(() => reconciler.calls.length === 3, 'a freed worker takes the next key');
    releases.get('ns/b')?.({ kind: 'done' });
    releases.get('ns/c')?.({ kind: 'done' });
    await until(() => reconciler.calls.length === 4, 'the last key runs');
    releases.get('ns/d')?.({ kind: 'done' });
    await until(() => reconciler.running === 0, 'all reconciles end');
    // Idle: the controller has finished its bookkeeping for every reconcile.
    await controller.whenIdle();
    assert.equal(reconciler.maxRunning, 2);
    assert.equal(await metricValue('controller_runtime_active_workers', { controller: name }), 0);
  });

  it('on shutdown takes no new work and waits for the reconcile in flight', async () => {
    const release = deferred<ReconcileResult>();
    const { controller, reconciler, clock } = setup(() => release.promise);
    controller.start();
    controller.enqueue('ns/a');
    controller.enqueue('ns/b');
    await until(() => reconciler.calls.length === 1, 'ns/a starts');

    let stopped = false;
    const stopping = controller.shutdown().then(() => {
      stopped = true;
    });
    // Shutdown arms its deadline timer when it starts waiting for the reconciles in flight; a
    // shutdown that did not wait would resolve instead.
    await Promise.race([clock.untilWaiting(), stopping]);
    assert.equal(clock.nextDeadline(), clock.now() + 30_000, 'the default shutdown deadline is armed');
    assert.equal(stopped, false, 'shutdown waits for ns/a');
    controller.enqueue('ns/c');

    release.resolve({ kind: 'done' });
    await stopping;
    assert.deepEqual(reconciler.keys(), ['ns/a'], 'queued and later keys are not started');
    assert.equal(reconciler.calls[0]?.ctx.signal.aborted, false);
    assert.throws(() => controller.start(), /shut down/);
  });

  it('aborts a stuck reconcile when the shutdown deadline passes', async () => {
    const { controller, reconciler, clock } = setup(() => new Promise<ReconcileResult>(() => undefined));
    controller.start();
    controller.enqueue('ns/a');
    await until(() => reconciler.calls.length === 1, 'ns/a starts');

    let stopped = false;
    const stopping = controller.shutdown(1000).then(() => {
      stopped = true;
    });
    await Promise.race([clock.untilWaiting(), stopping]);
    assert.equal(clock.nextDeadline(), clock.now() + 1000, 'the shutdown deadline is armed');
    clock.advance(999);
    assert.equal(clock.nextDeadline(), clock.now() + 1, 'the shutdown deadline still waits');
    assert.equal(stopped, false);
    const signal = reconciler.calls[0]?.ctx.signal;
    assert.equal(signal?.aborted, false);

    clock.advance(1);
    await stopping;
    assert.equal(signal?.aborted, true);
    assert.ok(signal?.reason instanceof ShutdownDeadlineError);
  });

  it('aborts a reconcile after reconcileTimeoutMs and counts the timeout', async () => {
    const { controller, reconciler, limiter, clock, name } = setup(
      (_key, ctx) =>
        new Promise<ReconcileResult>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted', { cause: ctx.signal.reason })));
        }),
      { reconcileTimeoutMs: 100 },
    );
    controller.start();
    controller.enqueue('ns/a');
    await until(() => reconciler.calls.length === 1, 'ns/a starts');
    clock.advance(100);
    await until(() => limiter.whens.length === 1, 'the timed-out reconcile is retried');
    assert.ok(reconciler.calls[0]?.ctx.signal.reason instanceof ReconcileTimeoutError);
    assert.equal(await metricValue('controller_runtime_reconcile_timeouts_total', { controller: name }), 1);
    assert.equal(await metricValue('controller_runtime_reconcile_errors_total', { controller: name }), 1);
  });

  it('counts no timeout for a reconcile that finishes in time', async () => {
    const { controller, limiter, clock, name } = setup(done, { reconcileTimeoutMs: 100 });
    controller.start();
    controller.enqueue('ns/a');
    await until(() => limiter.forgets.length === 1, 'ns/a is done');
    assert.equal(clock.waiting, 0, 'the timeout timer is cancelled');
    assert.equal(await metricValue('controller_runtime_reconcile_timeouts_total', { controller: name }), 0);
  });

  it('rejects a worker count below one', () => {
    const { logger } = captureLogger();
    const reconciler = new FakeReconciler(done);
    assert.throws(() => new Controller({ name: 'x', reconciler, workers: 0, logger }), RangeError);
  });
});
