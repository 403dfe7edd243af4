// The one reconcile every workload kind runs; a kind supplies the steps that differ as a
// WorkloadSync. The flow, for the key the work queue hands over:
//
//   cached owner? ── no ─► forget the key's state ─► done
//        │ yes
//   defer? (caches behind our own writes) ── yes ─► requeue (rate limited)
//        │ no
//   cooling down after a quiet sync? ── yes ─► requeue when it ends (quiet-cooldown.ts)
//        │ no
//   expectations satisfied? (read before the claim) ─► claim dependents ─► snapshot ─► plan()
//        ─► execute() (creates, deletes, status) ─► done | requeueAfter
//
// upstream: the sync functions this replaces, one per controller: daemon_controller.go
// syncDaemonSet, stateful_set.go sync, replica_set.go syncReplicaSet, deployment_controller.go
// syncDeployment. Each reads its lister, forgets the key when the object is gone, checks its
// expectations (DaemonSet, ReplicaSet) before listing dependents, adopts and releases them, then
// acts and writes status. Upstream asks the consistency store before the lister; here `defer`
// runs after it (as this StatefulSet controller always did), so a gone owner is forgotten even
// while caches lag.
import type { KubeObject } from '../../api/meta.ts';
import type { Clock } from '../../runtime/clock.ts';
import { realClock } from '../../runtime/clock.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../../runtime/controller.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { countByKind } from './action-summary.ts';
import { QuietCooldown } from './quiet-cooldown.ts';

/** What a sync of one key knows besides the owner. */
export interface SyncContext extends ReconcileContext {
  /** The work queue key, namespace/name. */
  readonly key: string;
  /**
   * Whether the kind may plan new creates and deletes: its expectations were met when the sync
   * began, before the dependents were read (true for kinds without expectations).
   */
  readonly expectationsSatisfied: boolean;
}

/** Why a sync is put off; logged at debug level. */
export interface SyncDeferral {
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
  /**
   * Sync again after this many ms instead of the rate-limited retry: the kind knows when the
   * sync can do something again (a paced status write), and no event may come before.
   */
  readonly afterMs?: number;
}

/** The part of runtime/expectations.ts Expectations the reconcile reads and drops. */
export interface SyncExpectations {
  satisfied(key: string): boolean;
  delete(key: string): void;
}

export interface SyncOutcome {
  /** Sync again after this many ms, if set. */
  readonly requeueAfterMs: number | undefined;
}

/**
 * The steps of a sync that depend on the kind. `O` the owner, `C` its claimed dependents, `S` the
 * snapshot the planner reads, `A` the planner's actions.
 */
export interface WorkloadSync<O extends KubeObject, C, S, A extends { readonly kind: string }> {
  /** For kinds that track creates and deletes (MyDaemonSet, later MyReplicaSet). */
  readonly expectations?: SyncExpectations;
  /**
   * Drops per-key state besides expectations (create backoff, consistency records) when the
   * owner is gone: `uid` is the instance that went, or undefined when the cache no longer holds
   * any under `key`.
   */
  forget?(key: string, uid: string | undefined): void;
  /** A reason to put the sync off (e.g. caches older than our last writes), or undefined. */
  defer?(key: string, owner: O): SyncDeferral | undefined;
  /** Adopts and releases dependents; undefined when there is nothing to do for this owner. */
  claim(owner: O, sync: SyncContext): Promise<C | undefined>;
  /** Everything plan() reads, from the claimed dependents and the other caches. */
  snapshot(owner: O, claimed: C, sync: SyncContext): S;
  plan(snapshot: S, now: number): readonly A[];
  /**
   * The plan changes nothing but the status (no pod, claim or history change, no event) and no
   * pod event can unblock a next step: the next sync of the key may wait out a short cooldown
   * (quiet-cooldown.ts). Absent: never.
   */
  quiet?(snapshot: S, actions: readonly A[]): boolean;
  execute(snapshot: S, actions: readonly A[], sync: SyncContext, now: number): Promise<SyncOutcome>;
}

export interface WorkloadReconcilerOptions<O extends KubeObject, C, S, A extends { readonly kind: string }> {
  /** The owners' cache, which the queue's keys name. */
  readonly owners: ReadonlyStore<O>;
  readonly sync: WorkloadSync<O, C, S, A>;
  /** The planning time. Default: realClock. */
  readonly clock?: Clock;
  /** Monotonic milliseconds, sub-millisecond, to time a plan (quiet-cooldown.ts). Default: performance.now. */
  readonly stopwatch?: () => number;
}

export class WorkloadReconciler<O extends KubeObject, C, S, A extends { readonly kind: string }> implements Reconciler {
  private readonly owners: ReadonlyStore<O>;
  private readonly sync: WorkloadSync<O, C, S, A>;
  private readonly clock: Clock;
  private readonly stopwatch: () => number;
  private readonly cooldown = new QuietCooldown();

  constructor(options: WorkloadReconcilerOptions<O, C, S, A>) {
    this.owners = options.owners;
    this.sync = options.sync;
    this.clock = options.clock ?? realClock;
    this.stopwatch = options.stopwatch ?? (() => performance.now());
  }

  /** Drops everything kept for `key` (owner-events.ts calls it on delete and on a UID change). */
  forget(key: string, uid: string | undefined): void {
    this.sync.expectations?.delete(key);
    this.sync.forget?.(key, uid);
    this.cooldown.forget(key);
  }

  /**
   * How long a sync of `key` started now would only put itself off (0: it would plan): the kind's
   * deferral that names its due time, or the quiet cooldown. The dependents' informer handlers
   * queue the key for then instead of now (workload-controller.ts), so the pod events that arrive
   * while creates are in flight and a status write is not due, or during a cooldown, cost no
   * reconcile at all (at 1000 daemon pods that was half of all syncs, each one a dispatch, a
   * logger, a signal and a requeue). The same checks `reconcile` makes first (putOff), so
   * holding a key changes when a sync runs, never what it does; a change that ends the hold comes
   * with its own event (the last create observed, a new generation, our write in the cache),
   * whose handler asks again.
   */
  holdMs(key: string): number {
    const owner = this.owners.get(key);
    return owner === undefined ? 0 : (this.putOff(key, owner)?.afterMs ?? 0);
  }

  /** Why a sync of `key` started now would not plan: the kind's deferral, or the quiet cooldown. */
  private putOff(key: string, owner: O): SyncDeferral | undefined {
    const deferral = this.sync.defer?.(key, owner);
    if (deferral !== undefined) return deferral;
    const coolingMs = this.cooldown.remainingMs(key, owner, this.clock.now());
    if (coolingMs <= 0) return undefined;
    return { message: 'last sync changed nothing but status, cooling down', fields: { afterMs: coolingMs }, afterMs: coolingMs };
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const owner = this.owners.get(key);
    if (owner === undefined) {
      this.forget(key, undefined);
      return { kind: 'done' };
    }
    const putOff = this.putOff(key, owner);
    if (putOff !== undefined) {
      ctx.log.debug(putOff.message, { ...putOff.fields });
      if (putOff.afterMs !== undefined) return { kind: 'requeueAfter', afterMs: putOff.afterMs };
      // The informer event carrying our write enqueues the key again; the rate limit is a fallback.
      return { kind: 'requeue' };
    }
    const expectationsSatisfied = this.sync.expectations?.satisfied(key) ?? true;
    const sync: SyncContext = { log: ctx.log, reconcileID: ctx.reconcileID, signal: ctx.signal, key, expectationsSatisfied };
    const claimed = await this.sync.claim(owner, sync);
    if (claimed === undefined) return { kind: 'done' };
    // The cooldown is measured on the synchronous part only: awaiting the claim may run other work.
    const started = this.stopwatch();
    const snapshot = this.sync.snapshot(owner, claimed, sync);
    const now = this.clock.now();
    const actions = this.sync.plan(snapshot, now);
    const costMs = this.stopwatch() - started;
    ctx.log.debug('planned', { actions: actions.length, kinds: countByKind(actions) });
    if (this.sync.quiet?.(snapshot, actions) === true) this.cooldown.quiet(key, owner, costMs, this.clock.now());
    else this.cooldown.forget(key);
    const { requeueAfterMs } = await this.sync.execute(snapshot, actions, sync, now);
    return requeueAfterMs === undefined ? { kind: 'done' } : { kind: 'requeueAfter', afterMs: requeueAfterMs };
  }
}
