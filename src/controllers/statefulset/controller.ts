// The MyStatefulSet controller: informers and handlers, and the reconcile that builds a snapshot,
// asks the planner what to do and has the executor do it.
//
//   key ─► cached MyStatefulSet ─► caches caught up with our writes? ─► adopt orphan revisions
//       ─► claim pods ─► snapshot ─► plan() ─► executeStatefulSetPlan()
//
// upstream: pkg/controller/statefulset/stateful_set.go (sync, adoptOrphanRevisions,
// getPodsForStatefulSet, syncStatefulSet).
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import { controllerRevisions, persistentVolumeClaims, pods } from '../../api/resources.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { myStatefulSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { Clock } from '../../runtime/clock.ts';
import { realClock } from '../../runtime/clock.ts';
import type { ResourceVersionSource } from '../../runtime/consistency.ts';
import { ConsistencyStore } from '../../runtime/consistency.ts';
import type { ReconcileContext, ReconcileResult, Reconciler } from '../../runtime/controller.ts';
import { Controller } from '../../runtime/controller.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { namespaceIndex } from '../../runtime/informer/store.ts';
import type { Manager } from '../../runtime/manager.ts';
import type { ControllerSetup } from '../index.ts';
import { countByKind } from '../shared/action-summary.ts';
import { claimCandidates, claimObjects, ownerIsLiveAndActive } from '../shared/claim.ts';
import { CreateBackoff } from '../shared/create-backoff.ts';
import type { OwnerIdentity } from '../shared/ownership.ts';
import { isControlledBy } from '../shared/ownership.ts';
import {
  claimEventHandler,
  podEventHandler,
  revisionEventHandler,
  statefulSetEventHandler,
} from './event-handlers.ts';
import type { EventSink } from './execute.ts';
import { executeStatefulSetPlan } from './execute.ts';
import { podClaimDecision, statefulSetOwner } from './identity.ts';
import type { WrittenResource } from './object-manager.ts';
import { realObjectManager } from './object-manager.ts';
import type { StatefulSetSnapshot } from './plan.ts';
import { plan } from './plan.ts';
import { orphanRevisionsToAdopt } from './revisions.ts';

export const statefulSetControllerName = 'statefulset';

interface Stores {
  readonly statefulSets: ReadonlyStore<MyStatefulSet>;
  readonly pods: ReadonlyStore<Pod>;
  readonly claims: ReadonlyStore<PersistentVolumeClaim>;
  readonly revisions: ReadonlyStore<ControllerRevision>;
}

/** The caches whose lag behind our own writes defers a sync, keyed as object-manager.ts reports writes. */
export type WrittenResourceSources = Readonly<Record<WrittenResource, ResourceVersionSource>>;

export class StatefulSetReconciler implements Reconciler {
  private readonly client: KubeClient;
  private readonly stores: Stores;
  private readonly recorder: EventSink;
  private readonly clock: Clock;
  /**
   * upstream StaleControllerConsistencyStatefulSet (on in 1.36): a sync waits until the pod, claim
   * and set caches hold what the previous sync of the key wrote, instead of planning from a cache
   * that misses a pod created a moment ago.
   */
  private readonly consistency: ConsistencyStore;
  private readonly createBackoff: CreateBackoff;

  constructor(client: KubeClient, stores: Stores, recorder: EventSink, sources: WrittenResourceSources, clock: Clock = realClock) {
    this.client = client;
    this.stores = stores;
    this.recorder = recorder;
    this.clock = clock;
    this.consistency = new ConsistencyStore(sources);
    this.createBackoff = new CreateBackoff(clock);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const set = this.stores.statefulSets.get(key);
    if (!set) {
      this.consistency.clear(key);
      this.createBackoff.forget(key);
      return { kind: 'done' };
    }
    const lag = this.consistency.ensureReady(key);
    if (lag !== undefined) {
      // The informer event carrying our write enqueues the key again; the rate limit is a fallback.
      ctx.log.debug('cache older than our last write, deferring sync', { ...lag });
      return { kind: 'requeue' };
    }
    // upstream: validation forbids an empty selector; the planner does nothing with one.
    if (selectorIsEmpty(set.spec.selector)) return { kind: 'done' };

    const owner = statefulSetOwner(set);
    const revisions = await this.adoptOrphanRevisions(set, owner, ctx.signal);
    const claimedPods = await this.claimPods(set, owner, ctx.signal);
    const snapshot: StatefulSetSnapshot = {
      set,
      pods: claimedPods,
      pvcs: this.stores.claims.byIndex(namespaceIndex, set.metadata.namespace ?? ''),
      revisions,
    };
    const now = this.clock.now();
    const actions = plan(snapshot, now);
    ctx.log.debug('planned', { actions: actions.length, kinds: countByKind(actions) });
    const uid = set.metadata.uid ?? '';
    const objects = realObjectManager(
      this.client,
      (resource, resourceVersion) => this.consistency.wroteAt(key, uid, resource, resourceVersion),
      ctx.signal,
    );
    const deps = { objects, recorder: this.recorder, log: ctx.log, createBackoff: this.createBackoff, clock: this.clock };
    const result = await executeStatefulSetPlan(deps, set, actions, (replanned) =>
      plan({ ...snapshot, set: replanned }, now),
    );
    return result.requeueAfterMs === undefined ? { kind: 'done' } : { kind: 'requeueAfter', afterMs: result.requeueAfterMs };
  }

  /**
   * upstream adoptOrphanRevisions + ListControllerRevisions: the revisions in the namespace that
   * match the selector and are the set's or nobody's, with the orphans among them adopted first.
   */
  private async adoptOrphanRevisions(set: MyStatefulSet, owner: OwnerIdentity, signal: AbortSignal): Promise<ControllerRevision[]> {
    const ns = set.metadata.namespace ?? '';
    const candidates = claimCandidates(this.stores.revisions, owner, ns, set.spec.selector);
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
      candidates: claimCandidates(this.stores.pods, owner, ns, set.spec.selector),
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

export const statefulSetSetup: ControllerSetup = {
  name: statefulSetControllerName,
  defaultWorkers: 5,
  register(manager: Manager, { workers }) {
    const informers = manager.informers;
    const setInformer = informers.informerFor(myStatefulSets);
    const podInformer = informers.informerFor(pods);
    const claimInformer = informers.informerFor(persistentVolumeClaims);
    const revisionInformer = informers.informerFor(controllerRevisions);
    const stores: Stores = {
      statefulSets: setInformer.store,
      pods: podInformer.store,
      claims: claimInformer.store,
      revisions: revisionInformer.store,
    };
    const sources: WrittenResourceSources = {
      pods: podInformer,
      persistentvolumeclaims: claimInformer,
      mystatefulsets: setInformer,
    };
    const reconciler = new StatefulSetReconciler(manager.client, stores, manager.events, sources);
    const controller = new Controller({
      name: statefulSetControllerName,
      reconciler,
      workers,
      logger: manager.logger.child({ controller: statefulSetControllerName }),
    });
    const deps = { statefulSets: stores.statefulSets, queue: controller };
    setInformer.addEventHandler(statefulSetEventHandler(deps));
    podInformer.addEventHandler(podEventHandler(deps));
    claimInformer.addEventHandler(claimEventHandler(deps));
    revisionInformer.addEventHandler(revisionEventHandler(deps));
    manager.addController(controller);
  },
};

