// The MyReplicaSet controller: what a sync of this kind claims, snapshots, plans and executes,
// plugged into the shared reconcile (shared/workload-reconciler.ts), and the informers it watches.
//
//   key ─► cached MyReplicaSet ─► caches caught up with our writes? ─► expectations met?
//       ─► claim active pods ─► snapshot ─► plan() ─► executeReplicaSetPlan()
//
// upstream: pkg/controller/replicaset/replica_set.go (NewReplicaSetController, syncReplicaSet,
// claimPods, getReplicaSetsWithSameController, getIndirectlyRelatedPods),
// pkg/controller/util/consistency (StaleControllerConsistencyReplicaSet, beta, on in 1.36).
import type { Pod } from '../../api/core.ts';
import { controllerOf } from '../../api/meta.ts';
import { pods } from '../../api/resources.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import { myReplicaSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { Clock } from '../../runtime/clock.ts';
import { realClock } from '../../runtime/clock.ts';
import type { ResourceVersionSource } from '../../runtime/consistency.ts';
import { ConsistencyStore } from '../../runtime/consistency.ts';
import { Expectations } from '../../runtime/expectations.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { controllerIndex, namespaceIndex } from '../../runtime/informer/store.ts';
import type { ControllerSetup } from '../index.ts';
import type { ClaimClient } from '../shared/claim.ts';
import { ClaimError, claimCandidates, claimObjects, ownerIsLiveAndActive } from '../shared/claim.ts';
import type { OwnerIdentity } from '../shared/ownership.ts';
import { isPodActive } from '../shared/pod-state.ts';
import { workloadControllerSetup } from '../shared/workload-controller.ts';
import type { SyncContext, SyncDeferral, SyncOutcome, WorkloadSync } from '../shared/workload-reconciler.ts';
import type { WriteObserver } from '../shared/write-observer.ts';
import { deferUntilWritesSeen } from '../shared/write-observer.ts';
import { podEventHandler } from './event-handlers.ts';
import type { EventSink } from './execute.ts';
import { executeReplicaSetPlan } from './execute.ts';
import type { WrittenResource } from './object-manager.ts';
import { realObjectManager } from './object-manager.ts';
import type { ReplicaSetAction, ReplicaSetSnapshot } from './plan.ts';
import { plan } from './plan.ts';
import { claimedTerminatingPods, getIndirectlyRelatedPods, replicaSetPodClaimDecision } from './pod-sets.ts';
import { replicaSetOwner, specReplicas } from './spec-defaults.ts';
import { podForCache } from '../shared/pod-cache.ts';

export const replicaSetControllerName = 'replicaset';

/** The caches a sync reads besides the MyReplicaSets. */
export interface ReplicaSetCaches {
  readonly pods: ReadonlyStore<Pod>;
  readonly replicaSets: ReadonlyStore<MyReplicaSet>;
}

/** The caches whose lag behind our own writes defers a sync, keyed as object-manager.ts reports writes. */
export type WrittenResourceSources = Readonly<Record<WrittenResource, ResourceVersionSource>>;

/** The part of the snapshot the claim yields. */
type Claimed = Pick<ReplicaSetSnapshot, 'activePods' | 'terminatingPods'>;

export class ReplicaSetSync implements WorkloadSync<MyReplicaSet, Claimed, ReplicaSetSnapshot, ReplicaSetAction> {
  private readonly client: KubeClient;
  private readonly caches: ReplicaSetCaches;
  private readonly recorder: EventSink;
  private readonly clock: Clock;
  /**
   * upstream StaleControllerConsistencyReplicaSet: a sync waits until the pod and set caches hold
   * what the previous sync of the key wrote (pods created, adopted or deleted, the status).
   */
  private readonly consistency: ConsistencyStore;
  /** Creates by count, deletes by pod key `namespace/name` (UIDTrackingControllerExpectations). */
  readonly expectations: Expectations;

  constructor(client: KubeClient, caches: ReplicaSetCaches, recorder: EventSink, sources: WrittenResourceSources, clock: Clock = realClock) {
    this.client = client;
    this.caches = caches;
    this.recorder = recorder;
    this.clock = clock;
    this.consistency = new ConsistencyStore(sources);
    this.expectations = new Expectations({ controller: replicaSetControllerName, clock });
  }

  /** upstream deleteRS: consistencyStore.Clear(uid) (the reconciler drops the expectations). */
  forget(key: string, uid: string | undefined): void {
    this.consistency.clear(key, uid);
  }

  /** upstream syncReplicaSet: consistencyStore.EnsureReady. */
  defer(key: string): SyncDeferral | undefined {
    return deferUntilWritesSeen(this.consistency, key);
  }

  /**
   * The active pods the set controls after adoption and release, and its terminating ones.
   * Nothing for an empty selector (validation forbids it; acting on one would claim every orphan
   * of the namespace).
   */
  async claim(rs: MyReplicaSet, { key, signal }: SyncContext): Promise<Claimed | undefined> {
    if (selectorIsEmpty(rs.spec.selector)) return undefined;
    const owner = replicaSetOwner(rs);
    const ns = rs.metadata.namespace ?? '';
    const candidates = claimCandidates(this.caches.pods, owner, ns, rs.spec.selector);
    const activePods = await claimObjects({
      client: this.claimClient(key, rs),
      resource: pods,
      owner,
      namespace: ns,
      candidates: candidates.filter(isPodActive),
      decide: (pod) => replicaSetPodClaimDecision(rs, owner, pod),
      ownerStillAdopting: this.recheckDeletionTimestamp(ns, owner, signal),
      signal,
    });
    return { activePods, terminatingPods: claimedTerminatingPods(rs, owner, candidates) };
  }

  snapshot(rs: MyReplicaSet, claimed: Claimed, { expectationsSatisfied }: SyncContext): ReplicaSetSnapshot {
    // Only a scale-down ranks pods; finding the related pods walks the namespace's pods once per
    // sibling set, so it is skipped when nothing will be deleted.
    const scalingDown = claimed.activePods.length > specReplicas(rs);
    return {
      rs,
      ...claimed,
      relatedPods: scalingDown ? this.relatedPods(rs) : [],
      expectationsSatisfied,
    };
  }

  plan(snapshot: ReplicaSetSnapshot, now: number): readonly ReplicaSetAction[] {
    return plan(snapshot, now);
  }

  execute(snapshot: ReplicaSetSnapshot, actions: readonly ReplicaSetAction[], { key, log, signal }: SyncContext): Promise<SyncOutcome> {
    const { rs } = snapshot;
    const objects = realObjectManager(this.client, this.writeObserver(key, rs), signal);
    const deps = { objects, expectations: this.expectations, recorder: this.recorder, clock: this.clock, log };
    return executeReplicaSetPlan(deps, rs, key, actions);
  }

  /**
   * upstream getIndirectlyRelatedPods: the sets with this one's controller UID (none without a
   * controller), and the pods of the namespace their selectors match.
   */
  private relatedPods(rs: MyReplicaSet): Pod[] {
    const ref = controllerOf(rs);
    if (ref === undefined) return [];
    const ns = rs.metadata.namespace ?? '';
    const siblings = this.caches.replicaSets.byIndex(controllerIndex, ref.uid).filter((s) => s.metadata.namespace === ns);
    return getIndirectlyRelatedPods(siblings, this.caches.pods.byIndex(namespaceIndex, ns));
  }

  /**
   * upstream RecheckDeletionTimestamp (once per sync, as canAdoptOnce): one live read of the set
   * before the first adoption. A set gone, replaced (another UID) or being deleted fails every
   * adoption, and so the sync, before anything is created for it.
   */
  private recheckDeletionTimestamp(ns: string, owner: OwnerIdentity, signal: AbortSignal): () => Promise<boolean> {
    let recheck: Promise<boolean> | undefined;
    return () =>
      (recheck ??= ownerIsLiveAndActive(this.client, myReplicaSets, ns, owner, signal).then((live) => {
        if (!live) throw new ClaimError(`${ns}/${owner.name} has just been deleted (or replaced): adopting nothing`);
        return true;
      }));
  }

  private writeObserver(key: string, rs: MyReplicaSet): WriteObserver<WrittenResource> {
    const uid = rs.metadata.uid ?? '';
    return (resource, resourceVersion) => this.consistency.wroteAt(key, uid, resource, resourceVersion);
  }

  /** The claim's patches (adoption, release), reported to the consistency store as RealPodControl.PatchPod does. */
  private claimClient(key: string, rs: MyReplicaSet): ClaimClient {
    const wrote = this.writeObserver(key, rs);
    const client = this.client;
    return {
      async patch(res, namespace, name, type, body, options) {
        const patched = await client.patch(res, namespace, name, type, body, options);
        wrote('pods', patched.metadata.resourceVersion);
        return patched;
      },
    };
  }
}

export const replicaSetSetup: ControllerSetup = workloadControllerSetup({
  name: replicaSetControllerName,
  defaultWorkers: 5,
  owners: myReplicaSets,
  build(manager, owners) {
    const podInformer = manager.informers.informerFor(pods, {}, podForCache);
    const caches = { pods: podInformer.store, replicaSets: owners.store };
    const sources: WrittenResourceSources = { pods: podInformer, myreplicasets: owners };
    const sync = new ReplicaSetSync(manager.client, caches, manager.events, sources);
    return {
      sync,
      watch(queue) {
        podInformer.addEventHandler(podEventHandler({ replicaSets: owners.store, expectations: sync.expectations, queue }));
      },
    };
  },
});
