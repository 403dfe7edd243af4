import assert from 'node:assert/strict';
import type { MyDaemonSet } from '../../src/api/workloads.ts';
import type { SyncContext, SyncDeferral, SyncOutcome, WorkloadSync } from '../../src/controllers/shared/workload-reconciler.ts';
import { ownerEventHandler } from '../../src/controllers/shared/owner-events.ts';
import { WorkloadReconciler } from '../../src/controllers/shared/workload-reconciler.ts';
import { holdingQueue } from '../../src/controllers/shared/workload-controller.ts';
import type { ReconcileContext } from '../../src/runtime/controller.ts';
import { Expectations } from '../../src/runtime/expectations.ts';
import type { EventHandler } from '../../src/runtime/informer/informer.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { captureLogger } from '../support/capture-logger.ts';
import type { LogEntry } from '../support/capture-logger.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { uniqueName } from '../support/metrics.ts';
import { deferred } from '../support/microtasks.ts';
import { RecordingQueue } from '../support/recording-queue.ts';
import { daemonSet } from './daemonset-fixtures.ts';

type Action = { readonly kind: 'createPod' } | { readonly kind: 'writeStatus' };

interface Snapshot {
  readonly owner: MyDaemonSet;
  readonly pods: readonly string[];
  readonly expectationsSatisfied: boolean;
}

/** A kind that records each step it is asked for and answers as configured. */
class RecordingSync implements WorkloadSync<MyDaemonSet, readonly string[], Snapshot, Action> {
  readonly steps: string[] = [];
  readonly forgotten: string[] = [];
  expectations: Expectations | undefined;
  deferral: SyncDeferral | undefined;
  /** What the claim resolves to; a promise holds the sync inside the claim. */
  claimed: Promise<readonly string[] | undefined> = Promise.resolve(['pod-a']);
  actions: readonly Action[] = [{ kind: 'createPod' }, { kind: 'writeStatus' }];
  outcome: SyncOutcome = { requeueAfterMs: undefined };
  snapshots: Snapshot[] = [];
  planTimes: number[] = [];
  executeTimes: number[] = [];
  /** The plan is quiet (status only) — undefined: the kind has no quiet(). */
  quietPlan: boolean | undefined;
  /** How long plan() takes, in fake-clock ms. */
  planCostMs = 0;
  clock: FakeClock | undefined;

  constructor(expectations?: Expectations) {
    this.expectations = expectations;
  }

  forget(key: string, uid: string | undefined): void {
    this.forgotten.push(`${key} ${uid ?? '(any)'}`);
  }

  defer(key: string): SyncDeferral | undefined {
    this.steps.push(`defer ${key}`);
    return this.deferral;
  }

  claim(owner: MyDaemonSet, sync: SyncContext): Promise<readonly string[] | undefined> {
    this.steps.push(`claim ${owner.metadata.name ?? ''} ${sync.key}`);
    return this.claimed;
  }

  snapshot(owner: MyDaemonSet, claimed: readonly string[], sync: SyncContext): Snapshot {
    this.steps.push('snapshot');
    const snapshot = { owner, pods: claimed, expectationsSatisfied: sync.expectationsSatisfied };
    this.snapshots.push(snapshot);
    return snapshot;
  }

  plan(_snapshot: Snapshot, now: number): readonly Action[] {
    this.steps.push('plan');
    this.planTimes.push(now);
    if (this.planCostMs > 0) this.clock?.advance(this.planCostMs);
    return this.actions;
  }

  quiet(): boolean {
    return this.quietPlan === true;
  }

  execute(_snapshot: Snapshot, actions: readonly Action[], sync: SyncContext, now: number): Promise<SyncOutcome> {
    this.steps.push(`execute ${actions.length} ${sync.key}`);
    this.executeTimes.push(now);
    return Promise.resolve(this.outcome);
  }
}

const key = 'ns/agent';

function newExpectations(clock: FakeClock): Expectations {
  return new Expectations({ controller: uniqueName('workload_reconciler'), clock });
}

function context(): { readonly ctx: ReconcileContext; readonly entries: readonly LogEntry[] } {
  const { logger, entries } = captureLogger();
  return { ctx: { log: logger, reconcileID: 'r-1', signal: new AbortController().signal }, entries };
}

function setup(withExpectations = true): {
  readonly owners: Store<MyDaemonSet>;
  readonly sync: RecordingSync;
  readonly clock: FakeClock;
  readonly reconciler: WorkloadReconciler<MyDaemonSet, readonly string[], Snapshot, Action>;
} {
  const clock = new FakeClock();
  const owners = new Store<MyDaemonSet>();
  owners.upsert(daemonSet());
  const sync = new RecordingSync(withExpectations ? newExpectations(clock) : undefined);
  sync.clock = clock;
  return { owners, sync, clock, reconciler: new WorkloadReconciler({ owners, sync, clock, stopwatch: () => clock.now() }) };
}

describe('WorkloadReconciler', () => {
  it('runs defer, claim, snapshot, plan and execute in order, planning at the clock time', async () => {
    const { sync, clock, reconciler } = setup();
    const result = await reconciler.reconcile(key, context().ctx);
    assert.deepEqual(result, { kind: 'done' });
    assert.deepEqual(sync.steps, [`defer ${key}`, `claim agent ${key}`, 'snapshot', 'plan', `execute 2 ${key}`]);
    assert.deepEqual(sync.planTimes, [clock.now()]);
    assert.deepEqual(sync.executeTimes, [clock.now()]);
    assert.deepEqual(sync.snapshots[0]?.pods, ['pod-a']);
  });

  it('forgets a key whose owner is gone: expectations and the kind state, and syncs nothing', async () => {
    const { owners, sync, reconciler } = setup();
    sync.expectations?.expectCreations(key, 3);
    owners.remove(key);
    const result = await reconciler.reconcile(key, context().ctx);
    assert.deepEqual(result, { kind: 'done' });
    assert.equal(sync.expectations?.get(key), undefined);
    assert.deepEqual(sync.forgotten, [`${key} (any)`]);
    assert.deepEqual(sync.steps, []);
  });

  it('requeues (rate limited) when the kind defers the sync, and logs why', async () => {
    const { sync, reconciler } = setup();
    sync.deferral = { message: 'cache older than our last write, deferring sync', fields: { resource: 'pods' } };
    const { ctx, entries } = context();
    const result = await reconciler.reconcile(key, ctx);
    assert.deepEqual(result, { kind: 'requeue' });
    assert.deepEqual(sync.steps, [`defer ${key}`]);
    const logged = entries.find((e) => e.message === 'cache older than our last write, deferring sync');
    assert.equal(logged?.level, 'debug');
    assert.equal(logged?.fields['resource'], 'pods');
  });

  it('stops after the claim when there is nothing to do for the owner', async () => {
    const { sync, reconciler } = setup();
    sync.claimed = Promise.resolve(undefined);
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'done' });
    assert.deepEqual(sync.steps, [`defer ${key}`, `claim agent ${key}`]);
  });

  it('maps the execution outcome: a requested delay becomes requeueAfter', async () => {
    const { sync, reconciler } = setup();
    sync.outcome = { requeueAfterMs: 1_500 };
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'requeueAfter', afterMs: 1_500 });
  });

  it('reads the expectations before the claim, so a creation observed during the claim waits for the next sync', async () => {
    const { sync, reconciler } = setup();
    sync.expectations?.expectCreations(key, 1);
    const claim = deferred<readonly string[] | undefined>();
    sync.claimed = claim.promise;
    const running = reconciler.reconcile(key, context().ctx);
    sync.expectations?.creationObserved(key);
    claim.resolve(['pod-a']);
    await running;
    assert.equal(sync.snapshots[0]?.expectationsSatisfied, false);
    await reconciler.reconcile(key, context().ctx);
    assert.equal(sync.snapshots[1]?.expectationsSatisfied, true);
  });

  it('treats a kind without expectations as always satisfied', async () => {
    const { sync, reconciler } = setup(false);
    await reconciler.reconcile(key, context().ctx);
    assert.equal(sync.snapshots[0]?.expectationsSatisfied, true);
  });

  it('passes a failed claim or execute on as the reconcile error', async () => {
    const { sync, reconciler } = setup();
    sync.claimed = Promise.reject(new Error('adoption refused'));
    await assert.rejects(reconciler.reconcile(key, context().ctx), /adoption refused/);
    sync.claimed = Promise.resolve(['pod-a']);
    sync.execute = () => Promise.reject(new Error('create failed'));
    await assert.rejects(reconciler.reconcile(key, context().ctx), /create failed/);
  });
});

describe('WorkloadReconciler after a quiet sync (shared/quiet-cooldown.ts)', () => {
  const bumped = (generation: number): MyDaemonSet => ({ ...daemonSet(), metadata: { ...daemonSet().metadata, generation } });

  it('puts the next sync off for ten times the quiet one took to plan, then plans it', async () => {
    const { sync, clock, reconciler } = setup(false);
    sync.quietPlan = true;
    sync.planCostMs = 4;
    sync.actions = [{ kind: 'writeStatus' }];
    await reconciler.reconcile(key, context().ctx);
    clock.advance(10);
    const { ctx, entries } = context();
    assert.deepEqual(await reconciler.reconcile(key, ctx), { kind: 'requeueAfter', afterMs: 30 });
    assert.equal(sync.steps.filter((s) => s === 'plan').length, 1, 'no second plan during the cooldown');
    assert.equal(entries.find((e) => e.message.includes('cooling down'))?.fields['afterMs'], 30);
    clock.advance(30);
    await reconciler.reconcile(key, context().ctx);
    assert.equal(sync.steps.filter((s) => s === 'plan').length, 2);
  });

  it('caps the pause at 250 ms', async () => {
    const { sync, reconciler } = setup(false);
    sync.quietPlan = true;
    sync.planCostMs = 100;
    await reconciler.reconcile(key, context().ctx);
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'requeueAfter', afterMs: 250 });
  });

  it('has no pause after a plan that changes pods, nor after one under a millisecond', async () => {
    const { sync, reconciler } = setup(false);
    sync.quietPlan = false;
    sync.planCostMs = 5;
    await reconciler.reconcile(key, context().ctx);
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'done' });
    sync.quietPlan = true;
    sync.planCostMs = 0.9;
    await reconciler.reconcile(key, context().ctx);
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'done' });
    assert.equal(sync.steps.filter((s) => s === 'plan').length, 4);
  });

  it('a new generation, a deletion or a forgotten key plans at once', async () => {
    const { owners, sync, reconciler } = setup(false);
    sync.quietPlan = true;
    sync.planCostMs = 5;
    await reconciler.reconcile(key, context().ctx);
    owners.upsert(bumped(2));
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'done' }, 'new generation');
    const deleting = bumped(2);
    owners.upsert({ ...deleting, metadata: { ...deleting.metadata, deletionTimestamp: '2026-12-07T00:00:00Z' } });
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'done' }, 'deletion');
    reconciler.forget(key, undefined);
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'done' }, 'forgotten');
    assert.equal(sync.steps.filter((s) => s === 'plan').length, 4);
  });

  it('a kind without quiet() never pauses', async () => {
    const { sync, reconciler } = setup(false);
    (sync as { quiet?: unknown }).quiet = undefined;
    sync.planCostMs = 50;
    await reconciler.reconcile(key, context().ctx);
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'done' });
  });
});

describe('WorkloadReconciler.holdMs: how long a dependent\'s event may wait before its sync', () => {
  it('is 0 for a key without owner, one the kind does not defer, or a deferral without a due time', () => {
    const { sync, reconciler } = setup(false);
    assert.equal(reconciler.holdMs('ns/other'), 0);
    assert.equal(reconciler.holdMs(key), 0);
    sync.deferral = { message: 'cache behind' };
    assert.equal(reconciler.holdMs(key), 0, 'left to the reconcile and its rate-limited retry');
  });

  it('is the due time the kind defers to, and the reconcile would requeue for the same', async () => {
    const { sync, reconciler } = setup(false);
    sync.deferral = { message: 'status write not due', afterMs: 300 };
    assert.equal(reconciler.holdMs(key), 300);
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'requeueAfter', afterMs: 300 });
  });

  it('is what is left of a quiet cooldown, and 0 once a new generation ends it', async () => {
    const { owners, sync, clock, reconciler } = setup(false);
    sync.quietPlan = true;
    sync.planCostMs = 4;
    await reconciler.reconcile(key, context().ctx);
    clock.advance(10);
    assert.equal(reconciler.holdMs(key), 30);
    assert.deepEqual(await reconciler.reconcile(key, context().ctx), { kind: 'requeueAfter', afterMs: 30 });
    owners.upsert({ ...daemonSet(), metadata: { ...daemonSet().metadata, generation: 2 } });
    assert.equal(reconciler.holdMs(key), 0);
  });

  it('holdingQueue queues a held key for later and any other at once; delayed adds pass through', () => {
    const queue = new RecordingQueue();
    const holds = new Map([['ns/held', 120]]);
    const holding = holdingQueue(queue, (k) => holds.get(k) ?? 0);
    holding.enqueue('ns/held');
    holding.enqueue('ns/free');
    holding.enqueueAfter('ns/free', 1000);
    assert.deepEqual(queue.added, ['ns/free']);
    assert.deepEqual(queue.delayed, ['ns/held after 120', 'ns/free after 1000']);
  });
});

describe('WorkloadReconciler with the owner handlers', () => {
  const recreated = (): MyDaemonSet => ({ ...daemonSet(), metadata: { ...daemonSet().metadata, uid: 'ds-uid-2', resourceVersion: '9' } });

  function wired(): ReturnType<typeof setup> & { readonly handler: EventHandler<MyDaemonSet>; readonly queue: RecordingQueue } {
    const harness = setup();
    const queue = new RecordingQueue();
    const handler = ownerEventHandler<MyDaemonSet>({ queue, forget: (k, uid) => harness.reconciler.forget(k, uid) });
    return { ...harness, handler, queue };
  }

  it('a MyDaemonSet deleted and recreated before the worker runs starts without the old one\'s expectations', async () => {
    const { owners, sync, handler, reconciler, queue } = wired();
    const old = daemonSet();
    sync.expectations?.expectCreations(key, 2);
    owners.remove(key);
    handler.onDelete?.(old);
    owners.upsert(recreated());
    handler.onAdd?.(recreated());
    assert.deepEqual(queue.added, [key, key]);
    assert.deepEqual(sync.forgotten, [`${key} ds-uid`]);
    await reconciler.reconcile(key, context().ctx);
    assert.equal(sync.snapshots[0]?.expectationsSatisfied, true, 'no wait for the expectations TTL');
  });

  it('a recreate the informer reports as an update (UID changed) drops them too', async () => {
    const { owners, sync, handler, reconciler } = wired();
    sync.expectations?.expectCreations(key, 2);
    owners.upsert(recreated());
    handler.onUpdate?.(daemonSet(), recreated());
    assert.deepEqual(sync.forgotten, [`${key} ds-uid`]);
    await reconciler.reconcile(key, context().ctx);
    assert.equal(sync.snapshots[0]?.expectationsSatisfied, true);
  });

  it('an ordinary update keeps them', async () => {
    const { sync, handler, reconciler } = wired();
    sync.expectations?.expectCreations(key, 2);
    handler.onUpdate?.(daemonSet(), { ...daemonSet(), metadata: { ...daemonSet().metadata, resourceVersion: '2' } });
    assert.deepEqual(sync.forgotten, []);
    await reconciler.reconcile(key, context().ctx);
    assert.equal(sync.snapshots[0]?.expectationsSatisfied, false);
  });
});
