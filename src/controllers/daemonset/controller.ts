// The MyDaemonSet controller: what a sync of this kind claims, snapshots, plans and executes,
// plugged into the shared reconcile (shared/workload-reconciler.ts), and the informers it watches.
//
//   key ─► cached MyDaemonSet ─► expectations met? ─► claim pods and revisions ─► snapshot
//       ─► plan() ─► executeDaemonSetPlan()
//
// upstream: pkg/controller/daemon/daemon_controller.go (NewDaemonSetsController, syncDaemonSet,
// getDaemonPods), update.go (constructHistory's ControllerRevision claim).
import type { ControllerRevision, Node, Pod } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { controllerRevisions, nodes, pods } from '../../api/resources.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import { myDaemonSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { Clock } from '../../runtime/clock.ts';
import { realClock } from '../../runtime/clock.ts';
import { pacedFrom, WritePacer } from '../../runtime/write-pacer.ts';
import { nodeForCache } from './node-cache.ts';
import { CreateRamp } from '../shared/create-ramp.ts';
import type { ResourceVersionSource } from '../../runtime/consistency.ts';
import { ConsistencyStore } from '../../runtime/consistency.ts';
import { Expectations } from '../../runtime/expectations.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { controllerIndex } from '../../runtime/informer/store.ts';
import type { ControllerSetup } from '../index.ts';
import { claimCandidates, claimObjects, ownerIsLiveAndActive } from '../shared/claim.ts';
import { CreateBackoff } from '../shared/create-backoff.ts';
import type { OwnerIdentity } from '../shared/ownership.ts';
import { claimDecision } from '../shared/ownership.ts';
import { workloadControllerSetup } from '../shared/workload-controller.ts';
import type { SyncContext, SyncDeferral, SyncOutcome, WorkloadSync } from '../shared/workload-reconciler.ts';
import { deferUntilWritesSeen } from '../shared/write-observer.ts';
import { nodeEventHandler, podEventHandler, podNodeNameIndex, revisionEventHandler } from './event-handlers.ts';
import type { EventSink, OnceWarnings } from './execute.ts';
import { OnceNotices } from '../shared/once-notices.ts';
import { executeDaemonSetPlan } from './execute.ts';
import { failedPodBackoffOf, hasExpired } from './failed-pod-backoff.ts';
import { realObjectManager } from './object-manager.ts';
import type { DaemonSetAction, DaemonSetSnapshot, DaemonSetStatusFields, FailedPodBackoff } from './plan.ts';
import { actionPhase, plan } from './plan.ts';
import { daemonSetOwner } from './spec-defaults.ts';
import { countsOf, daemonSetStatusMayWait, finalDaemonSetStatus } from './status.ts';
import { podForCache } from '../shared/pod-cache.ts';
import { onOneRevision } from '../shared/quiet-cooldown.ts';

export const daemonSetControllerName = 'daemonset';

/** The caches a sync reads besides the MyDaemonSets. */
export interface DaemonSetCaches {
  /** The MyDaemonSets themselves, for the status refresh during a sync's pod changes. */
  readonly daemonSets?: ReadonlyStore<MyDaemonSet>;
  readonly pods: ReadonlyStore<Pod>;
  readonly nodes: ReadonlyStore<Node>;
  readonly revisions: ReadonlyStore<ControllerRevision>;
}

/** The part of the snapshot the claim yields: what the owner controls after adoption and release. */
type Claimed = Pick<DaemonSetSnapshot, 'pods' | 'revisions'>;

export class DaemonSetSync implements WorkloadSync<MyDaemonSet, Claimed, DaemonSetSnapshot, DaemonSetAction> {
  private readonly client: KubeClient;
  private readonly caches: DaemonSetCaches;
  private readonly recorder: EventSink;
  private readonly clock: Clock;
  readonly expectations: Expectations;
  readonly failedPodBackoff = new Map<string, FailedPodBackoff>();
  readonly createBackoff: CreateBackoff;
  /** warnOnce: the last token warned about, per key (the notices MyStatefulSet keeps too). */
  private readonly warned = new OnceNotices();
  private readonly warnings: OnceWarnings = {
    first: (key, once) => {
      const first = this.warned.firstReport(key, once);
      this.warned.retain(key, [once]);
      return first;
    },
  };
  /**
   * Read-your-own-writes for the status writes that start or clear an automatic rollback only
   * (upstream's DaemonSet controller has no consistency store; every other write here relies on
   * expectations, as upstream): the next sync waits for a MyDaemonSet cache that holds the write.
   */
  private readonly consistency: ConsistencyStore;
  /** Status writes that only move counts: one per interval per MyDaemonSet (write-pacer.ts). */
  private readonly statusPacer: WritePacer;
  /** Slow start carried across the syncs of one large create run (create-ramp.ts). */
  private readonly createRamp: CreateRamp;

  constructor(client: KubeClient, caches: DaemonSetCaches, recorder: EventSink, daemonSets: ResourceVersionSource, clock: Clock = realClock) {
    this.client = client;
    this.caches = caches;
    this.recorder = recorder;
    this.clock = clock;
    this.expectations = new Expectations({ controller: daemonSetControllerName, clock });
    this.createBackoff = new CreateBackoff(clock);
    this.consistency = new ConsistencyStore({ mydaemonsets: daemonSets });
    this.statusPacer = new WritePacer({ clock, limit: () => client.limit });
    this.createRamp = new CreateRamp();
  }

  forget(key: string, uid: string | undefined): void {
    this.createBackoff.forget(key);
    this.statusPacer.forget(key);
    this.createRamp.forget(key);
    this.warned.forget(key);
    this.consistency.clear(key, uid);
  }

  defer(key: string, ds: MyDaemonSet): SyncDeferral | undefined {
    const unseen = deferUntilWritesSeen(this.consistency, key);
    if (unseen !== undefined) return unseen;
    // While creates or deletes are in flight the sync would only refresh the status (upstream:
    // syncDaemonSet returns after updateDaemonSetStatus when expectations are unsatisfied), and a
    // paced status write is not due: planning 1000 nodes for nothing on every pod event is what
    // such a sync would cost. A new generation is always planned (its revision is written at once).
    const paceMs = this.statusPacer.delayMs(key);
    if (paceMs > 0 && !this.expectations.satisfied(key) && (ds.status?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0)) {
      return { message: 'creates or deletes in flight, status write not due', fields: { afterMs: paceMs }, afterMs: paceMs };
    }
    return undefined;
  }

  /** Nothing is claimed for an empty selector or a MyDaemonSet being deleted; the plan still runs. */
  async claim(ds: MyDaemonSet, { signal }: SyncContext): Promise<Claimed> {
    if (selectorIsEmpty(ds.spec.selector) || isBeingDeleted(ds)) return { pods: [], revisions: [] };
    const owner = daemonSetOwner(ds);
    const [claimedPods, claimedRevisions] = await Promise.all([
      this.claimFrom(ds, owner, pods, this.caches.pods, signal),
      this.claimFrom(ds, owner, controllerRevisions, this.caches.revisions, signal),
    ]);
    return { pods: claimedPods, revisions: claimedRevisions };
  }

  snapshot(ds: MyDaemonSet, claimed: Claimed, { expectationsSatisfied }: SyncContext): DaemonSetSnapshot {
    return {
      ds,
      nodes: this.caches.nodes.list(),
      pods: claimed.pods,
      revisions: claimed.revisions,
      expectationsSatisfied,
      failedPodBackoff: failedPodBackoffOf(this.failedPodBackoff, ds),
    };
  }

  plan(snapshot: DaemonSetSnapshot, now: number): readonly DaemonSetAction[] {
    return plan(snapshot, now);
  }

  /**
   * Only the status phase (counts, rollout conditions and the rechecks they schedule), with every
   * pod on one revision: a rolling update waiting for pods to become available is not quiet.
   */
  quiet(snapshot: DaemonSetSnapshot, actions: readonly DaemonSetAction[]): boolean {
    return actions.every((action) => actionPhase(action) === 'status') && onOneRevision(snapshot.pods);
  }

  execute(snapshot: DaemonSetSnapshot, actions: readonly DaemonSetAction[], { key, log, signal }: SyncContext, now: number): Promise<SyncOutcome> {
    const uid = snapshot.ds.metadata.uid ?? '';
    return executeDaemonSetPlan(
      {
        objects: realObjectManager(this.client, signal),
        expectations: this.expectations,
        recorder: this.recorder,
        recordFailedBackoff: (backoffKey, backoff) => this.failedPodBackoff.set(backoffKey, backoff),
        createBackoff: this.createBackoff,
        clock: this.clock,
        warnings: this.warnings,
        wroteRollback: (resourceVersion) => this.consistency.wroteAt(key, uid, 'mydaemonsets', resourceVersion),
        statusPacer: pacedFrom(this.statusPacer, now),
        createRamp: this.createRamp,
        statusRefresh: {
          pacer: this.statusPacer,
          compute: () => this.freshStatus(key, snapshot, actions),
          finalStatus: (own) => this.finalStatus(key, snapshot, own),
        },
      },
      snapshot.ds,
      key,
      actions,
      log,
    );
  }

  /**
   * The plan of a status-only sync now (expectations unsatisfied, as upstream plans while creates
   * are in flight), from the caches as they are: the MyDaemonSet, every node and the pods it
   * controls (no adoption here; the sync's own claim did that). Undefined when the set was
   * replaced or its spec changed since `synced`: counts for another template are not this sync's.
   */
  private freshPlan(key: string, synced: DaemonSetSnapshot): { readonly ds: MyDaemonSet; readonly actions: readonly DaemonSetAction[] } | undefined {
    const ds = this.caches.daemonSets?.get(key);
    const uid = synced.ds.metadata.uid ?? '';
    if (ds === undefined || (ds.metadata.uid ?? '') !== uid || ds.metadata.generation !== synced.ds.metadata.generation) return undefined;
    const owned = this.caches.pods.byIndex(controllerIndex, uid);
    // The revisions as cached now, with those the sync claimed: the first sync of a set creates
    // its revision, and planned from the snapshot's none the fresh plan would only create it again.
    const cachedRevisions = this.caches.revisions.byIndex(controllerIndex, uid);
    const cachedUids = new Set(cachedRevisions.map((revision) => revision.metadata.uid));
    const revisions = [...cachedRevisions, ...synced.revisions.filter((revision) => !cachedUids.has(revision.metadata.uid))];
    return { ds, actions: plan({ ...synced, ds, nodes: this.caches.nodes.list(), pods: owned, revisions, expectationsSatisfied: false }, this.clock.now()) };
  }

  /**
   * The counts to write during the sync's pod changes: undefined when history is to be written or
   * the write is not one that may wait (a rollout-control field, the settled end state): those are
   * the sync's own to write. Rollout conditions the sync writes anyway do not stop it (the first
   * sync of a new set writes Progressing at its end); the counts go out without them.
   */
  private freshStatus(key: string, synced: DaemonSetSnapshot, syncActions: readonly DaemonSetAction[]): DaemonSetStatusFields | undefined {
    const fresh = this.freshPlan(key, synced);
    if (fresh === undefined) return undefined;
    const syncWritesConditions = syncActions.some((action) => action.kind === 'writeRolloutConditions');
    if (fresh.actions.some((action) => actionPhase(action) === 'history' || (action.kind === 'writeRolloutConditions' && !syncWritesConditions))) return undefined;
    const write = fresh.actions.find((action) => action.kind === 'writeStatus');
    return write?.kind === 'writeStatus' && daemonSetStatusMayWait(fresh.ds, write.status) ? write.status : undefined;
  }

  /** The write that ends a sync the refresh ran in (status.ts finalDaemonSetStatus); `own` when nothing fresher is known. */
  private finalStatus(key: string, synced: DaemonSetSnapshot, own: { readonly status: DaemonSetStatusFields; readonly mayWait: boolean }): { readonly status: DaemonSetStatusFields; readonly mayWait: boolean } | 'shown' {
    const fresh = this.freshPlan(key, synced);
    if (fresh === undefined || fresh.actions.some((action) => actionPhase(action) === 'history')) return own;
    const write = fresh.actions.find((action) => action.kind === 'writeStatus');
    return finalDaemonSetStatus(fresh.ds, own.status, own.mayWait, countsOf(write?.kind === 'writeStatus' ? write.status : fresh.ds.status));
  }

  /** Owned objects plus orphans in the namespace that match, after adoption and release. */
  private claimFrom<T extends KubeObject>(
    ds: MyDaemonSet,
    owner: OwnerIdentity,
    resource: Resource<T>,
    store: ReadonlyStore<T>,
    signal: AbortSignal,
  ): Promise<T[]> {
    const ns = ds.metadata.namespace ?? '';
    return claimObjects<T>({
      client: this.client,
      resource,
      owner,
      namespace: ns,
      candidates: claimCandidates(store, owner, ns, ds.spec.selector),
      decide: (obj) => claimDecision(obj, owner, ds.spec.selector),
      ownerStillAdopting: () => ownerIsLiveAndActive(this.client, myDaemonSets, ns, owner, signal),
      signal,
    });
  }

  /** Forgets failed-pod backoff entries untouched for 30 minutes (upstream: GC every minute). */
  collectBackoffGarbage(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.failedPodBackoff) if (hasExpired(entry, now)) this.failedPodBackoff.delete(key);
  }
}

export const daemonSetSetup: ControllerSetup = workloadControllerSetup({
  name: daemonSetControllerName,
  defaultWorkers: 2,
  owners: myDaemonSets,
  build(manager, owners) {
    const podInformer = manager.informers.informerFor(pods, { [podNodeNameIndex]: (pod) => [pod.spec.nodeName ?? ''] }, podForCache);
    const nodeInformer = manager.informers.informerFor(nodes, {}, nodeForCache);
    const revisionInformer = manager.informers.informerFor(controllerRevisions);
    const caches = { daemonSets: owners.store, pods: podInformer.store, nodes: nodeInformer.store, revisions: revisionInformer.store };
    const sync = new DaemonSetSync(manager.client, caches, manager.events, owners);
    const gc = setInterval(() => sync.collectBackoffGarbage(), 60_000);
    gc.unref();
    return {
      sync,
      watch(queue) {
        const deps = { ...caches, daemonSets: owners.store, expectations: sync.expectations, queue };
        podInformer.addEventHandler(podEventHandler(deps));
        nodeInformer.addEventHandler(nodeEventHandler(deps));
        revisionInformer.addEventHandler(revisionEventHandler(deps));
      },
    };
  },
});
