// The MyStatefulSet controller: what a sync of this kind claims, snapshots, plans and executes,
// plugged into the shared reconcile (shared/workload-reconciler.ts), and the informers it watches.
//
//   key ─► cached MyStatefulSet ─► caches caught up with our writes? ─► adopt orphan revisions
//       ─► claim pods ─► snapshot ─► planSync() ─► executeStatefulSetPlan()
//
// upstream: pkg/controller/statefulset/stateful_set.go (NewStatefulSetController, sync,
// adoptOrphanRevisions, getPodsForStatefulSet, syncStatefulSet).
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import { controllerRevisions, persistentVolumeClaims, pods } from '../../api/resources.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { myStatefulSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { Clock } from '../../runtime/clock.ts';
import { realClock } from '../../runtime/clock.ts';
import { pacedFrom, WritePacer } from '../../runtime/write-pacer.ts';
import type { ResourceVersionSource } from '../../runtime/consistency.ts';
import { ConsistencyStore } from '../../runtime/consistency.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { controllerIndex, namespaceIndex, objectKey } from '../../runtime/informer/store.ts';
import type { ControllerSetup } from '../index.ts';
import { claimCandidates, claimObjects, ownerIsLiveAndActive } from '../shared/claim.ts';
import { CreateBackoff } from '../shared/create-backoff.ts';
import type { OwnerIdentity } from '../shared/ownership.ts';
import { isControlledBy } from '../shared/ownership.ts';
import { workloadControllerSetup } from '../shared/workload-controller.ts';
import type { SyncContext, SyncDeferral, SyncOutcome, WorkloadSync } from '../shared/workload-reconciler.ts';
import { allowsBurst } from './strategy.ts';
import { onOneRevision } from '../shared/quiet-cooldown.ts';
import { deferUntilWritesSeen } from '../shared/write-observer.ts';
import { claimEventHandler, podEventHandler, revisionEventHandler, storageClassEventHandler } from './event-handlers.ts';
import type { EventSink } from './execute.ts';
import { executeStatefulSetPlan } from './execute.ts';
import { podClaimDecision, statefulSetOwner } from './identity.ts';
import type { WrittenResource } from './object-manager.ts';
import { realObjectManager } from './object-manager.ts';
import { OnceNotices } from '../shared/once-notices.ts';
import type { StatefulSetWriteStatus } from './actions.ts';
import type { StatefulSetSnapshot, StatefulSetStatusFields, StatefulSetSyncAction } from './plan.ts';
import { planSync } from './plan.ts';
import { finalStatusWrite, freshCountsDuringSync } from './fresh-status.ts';
import { orphanRevisionsToAdopt } from './revisions.ts';
import type { StorageClass } from './storage-class.ts';
import { storageClasses } from './storage-class.ts';
import { UnwrittenStatus } from './unwritten-status.ts';
import { podForCache } from '../shared/pod-cache.ts';

export const statefulSetControllerName = 'statefulset';

/** The caches a sync reads besides the MyStatefulSets. */
export interface StatefulSetCaches {
  /** The MyStatefulSets themselves, for the status refresh during a sync's pod work. */
  readonly sets?: ReadonlyStore<MyStatefulSet>;
  readonly pods: ReadonlyStore<Pod>;
  readonly claims: ReadonlyStore<PersistentVolumeClaim>;
  readonly revisions: ReadonlyStore<ControllerRevision>;
  /** Claim growth: whether a claim's class allows volume expansion. */
  readonly storageClasses: ReadonlyStore<StorageClass>;
}

/** The caches whose lag behind our own writes defers a sync, keyed as object-manager.ts reports writes. */
export type WrittenResourceSources = Readonly<Record<WrittenResource, ResourceVersionSource>>;

/** The part of the snapshot the claim yields: what the owner controls after adoption and release. */
type Claimed = Pick<StatefulSetSnapshot, 'pods' | 'revisions'>;

export class StatefulSetSync implements WorkloadSync<MyStatefulSet, Claimed, StatefulSetSnapshot, StatefulSetSyncAction> {
  private readonly client: KubeClient;
  private readonly caches: StatefulSetCaches;
  private readonly recorder: EventSink;
  private readonly clock: Clock;
  /**
   * upstream StaleControllerConsistencyStatefulSet (on in 1.36): a sync waits until the pod, claim
   * and set caches hold what the previous sync of the key wrote, instead of planning from a cache
   * that misses a pod created a moment ago.
   */
  private readonly consistency: ConsistencyStore;
  private readonly createBackoff: CreateBackoff;
  /** One-off Events already recorded (a rollback revision gone, claims that cannot grow or grew), per key. */
  private readonly notices = new OnceNotices();
  /** Status writes that only move counts: one per interval per MyStatefulSet (write-pacer.ts). */
  private readonly statusPacer: WritePacer;
  /** The currentReplicas of paced status writes not yet written (unwritten-status.ts). */
  private readonly unwritten = new UnwrittenStatus();

  constructor(client: KubeClient, caches: StatefulSetCaches, recorder: EventSink, sources: WrittenResourceSources, clock: Clock = realClock) {
    this.client = client;
    this.caches = caches;
    this.recorder = recorder;
    this.clock = clock;
    this.consistency = new ConsistencyStore(sources);
    this.createBackoff = new CreateBackoff(clock);
    // No stretching at a saturated client limit (write-pacer.ts), unlike a MyDaemonSet's: a
    // StatefulSet rolls one pod at a time by default, each step a state users follow (kubectl
    // rollout status reports every pod), and its status every 500 ms costs a 500-pod rolling
    // update at QPS 20 about 0.2 writes per pod. A DaemonSet rollout's thousand nodes move together.
    this.statusPacer = new WritePacer({ clock });
  }

  /** upstream deleteStatefulSet is only an enqueue; Clear(uid) as replica_set.go deleteRS does it. */
  forget(key: string, uid: string | undefined): void {
    this.consistency.clear(key, uid);
    this.createBackoff.forget(key);
    this.notices.forget(key);
    this.statusPacer.forget(key);
    this.unwritten.forget(key);
  }

  /** upstream sync: consistencyStore.EnsureReady. */
  defer(key: string): SyncDeferral | undefined {
    return deferUntilWritesSeen(this.consistency, key);
  }

  async claim(set: MyStatefulSet, { signal }: SyncContext): Promise<Claimed | undefined> {
    // upstream: validation forbids an empty selector; the planner does nothing with one.
    if (selectorIsEmpty(set.spec.selector)) return undefined;
    const owner = statefulSetOwner(set);
    const revisions = await this.adoptOrphanRevisions(set, owner, signal);
    const claimedPods = await this.claimPods(set, owner, signal);
    return { pods: claimedPods, revisions };
  }

  snapshot(set: MyStatefulSet, claimed: Claimed): StatefulSetSnapshot {
    const unwrittenStatus = this.unwritten.of(objectKey(set), set);
    return {
      set,
      pods: claimed.pods,
      pvcs: this.caches.claims.byIndex(namespaceIndex, set.metadata.namespace ?? ''),
      revisions: claimed.revisions,
      storageClasses: this.caches.storageClasses.list(),
      ...(unwrittenStatus !== undefined ? { unwrittenStatus } : {}),
    };
  }

  plan(snapshot: StatefulSetSnapshot, now: number): readonly StatefulSetSyncAction[] {
    return planSync(snapshot, now);
  }

  /**
   * Status, rollout conditions and the rechecks they schedule only (no Event to record after the
   * write), for a Parallel set with every pod on one revision: OrderedReady's next pod and a
   * rolling update's next replacement wait for the very pod event a pause would hold back.
   */
  quiet(snapshot: StatefulSetSnapshot, actions: readonly StatefulSetSyncAction[]): boolean {
    return (
      allowsBurst(snapshot.set) &&
      onOneRevision(snapshot.pods) &&
      actions.every(
        (action) =>
          action.kind === 'rolloutConditions' || action.kind === 'requeueAfter' || (action.kind === 'writeStatus' && action.eventsAfterWrite.length === 0),
      )
    );
  }

  execute(snapshot: StatefulSetSnapshot, actions: readonly StatefulSetSyncAction[], { key, log, signal }: SyncContext, now: number): Promise<SyncOutcome> {
    const uid = snapshot.set.metadata.uid ?? '';
    const objects = realObjectManager(
      this.client,
      (resource, resourceVersion) => this.consistency.wroteAt(key, uid, resource, resourceVersion),
      signal,
    );
    const deps = { objects, recorder: this.recorder, log, createBackoff: this.createBackoff, clock: this.clock, notices: this.notices, statusPacer: pacedFrom(this.statusPacer, now), unwritten: this.unwritten,
      statusRefresh: {
        pacer: this.statusPacer,
        compute: (): StatefulSetStatusFields | undefined => {
          const fresh = this.freshSnapshot(key, snapshot);
          return fresh === undefined ? undefined : freshCountsDuringSync(fresh, actions, this.clock.now());
        },
        finalWrite: (own: StatefulSetWriteStatus): StatefulSetWriteStatus | 'shown' => {
          const fresh = this.freshSnapshot(key, snapshot);
          return fresh === undefined ? own : finalStatusWrite(fresh, own, this.clock.now());
        },
      },
    };
    return executeStatefulSetPlan(deps, snapshot.set, actions, (replanned) => planSync({ ...snapshot, set: replanned }, now));
  }

  /**
   * The synced snapshot with what the caches hold now (fresh-status.ts): the set, the pods and
   * revisions it controls, the claims (no adoption here: the sync's own claim did that).
   * Undefined when the set is gone or was replaced.
   */
  private freshSnapshot(key: string, synced: StatefulSetSnapshot): StatefulSetSnapshot | undefined {
    const set = this.caches.sets?.get(key);
    const uid = synced.set.metadata.uid ?? '';
    if (set === undefined || (set.metadata.uid ?? '') !== uid) return undefined;
    const owned = this.caches.pods.byIndex(controllerIndex, uid).filter((pod) => podClaimDecision(set, pod) === 'owned');
    const unwrittenStatus = this.unwritten.of(key, set);
    return {
      ...synced,
      set,
      pods: owned,
      revisions: this.caches.revisions.byIndex(controllerIndex, uid),
      pvcs: this.caches.claims.byIndex(namespaceIndex, set.metadata.namespace ?? ''),
      ...(unwrittenStatus !== undefined ? { unwrittenStatus } : {}),
    };
  }

  /**
   * upstream adoptOrphanRevisions + ListControllerRevisions: the revisions in the namespace that
   * match the selector and are the set's or nobody's, with the orphans among them adopted first.
   */
  private async adoptOrphanRevisions(set: MyStatefulSet, owner: OwnerIdentity, signal: AbortSignal): Promise<ControllerRevision[]> {
    const ns = set.metadata.namespace ?? '';
    const candidates = claimCandidates(this.caches.revisions, owner, ns, set.spec.selector);
    const orphans = new Set(orphanRevisionsToAdopt(set, candidates));
    if (orphans.size === 0) return candidates;
    return claimObjects({
      client: this.client,
      resource: controllerRevisions,
      owner,
      namespace: ns,
      candidates,
      // Revisions are adopted, never released: ListControllerRevisions filters by selector instead.
      decide: (revision) => (orphans.has(revision) ? 'adopt' : isControlledBy(revision, owner) ? 'owned' : 'ignore'),
      ownerStillAdopting: () => this.ownerStillAdopting(set, owner, signal),
      signal,
    });
  }

  /** upstream getPodsForStatefulSet: owned pods and matching member orphans, after adoption and release. */
  private claimPods(set: MyStatefulSet, owner: OwnerIdentity, signal: AbortSignal): Promise<Pod[]> {
    const ns = set.metadata.namespace ?? '';
    return claimObjects({
      client: this.client,
      resource: pods,
      owner,
      namespace: ns,
      candidates: claimCandidates(this.caches.pods, owner, ns, set.spec.selector),
      decide: (pod) => podClaimDecision(set, pod),
      ownerStillAdopting: () => this.ownerStillAdopting(set, owner, signal),
      signal,
    });
  }

  /** upstream RecheckDeletionTimestamp: a live read before the first adoption. */
  private ownerStillAdopting(set: MyStatefulSet, owner: OwnerIdentity, signal: AbortSignal): Promise<boolean> {
    return ownerIsLiveAndActive(this.client, myStatefulSets, set.metadata.namespace ?? '', owner, signal);
  }
}

export const statefulSetSetup: ControllerSetup = workloadControllerSetup({
  name: statefulSetControllerName,
  defaultWorkers: 5,
  owners: myStatefulSets,
  build(manager, owners) {
    const podInformer = manager.informers.informerFor(pods, {}, podForCache);
    const claimInformer = manager.informers.informerFor(persistentVolumeClaims);
    const revisionInformer = manager.informers.informerFor(controllerRevisions);
    // Claim growth: a handful of cluster-scoped objects, watched rather than read per sync, so a
    // class that starts allowing expansion wakes the sets it held back (list and watch in the RBAC).
    const storageClassInformer = manager.informers.informerFor(storageClasses);
    const caches = {
      sets: owners.store,
      pods: podInformer.store,
      claims: claimInformer.store,
      revisions: revisionInformer.store,
      storageClasses: storageClassInformer.store,
    };
    const sources: WrittenResourceSources = {
      pods: podInformer,
      persistentvolumeclaims: claimInformer,
      mystatefulsets: owners,
    };
    return {
      sync: new StatefulSetSync(manager.client, caches, manager.events, sources),
      watch(queue) {
        const deps = { statefulSets: owners.store, queue };
        podInformer.addEventHandler(podEventHandler(deps));
        claimInformer.addEventHandler(claimEventHandler(deps));
        revisionInformer.addEventHandler(revisionEventHandler(deps));
        storageClassInformer.addEventHandler(storageClassEventHandler(deps));
      },
    };
  },
});

