// The MyDeployment controller: what a sync of this kind claims, snapshots, plans and executes,
// plugged into the shared reconcile (shared/workload-reconciler.ts), and the informers it watches.
//
//   key ─► cached MyDeployment ─► caches caught up with our writes? ─► claim MyReplicaSets
//       ─► pods by RS (─► orphaned pods, when no RS matches the template) ─► snapshot ─► plan()
//       ─► executeDeploymentPlan()
//
// MyReplicaSets are ours to create, scale, adopt, release and delete; their pods are the
// MyReplicaSet controller's (src/controllers/replicaset/), read here only for Recreate and, when a
// new MyReplicaSet is to be created, to take over an apps/v1 Deployment's orphaned pods
// (orphaned-pods.ts).
//
// upstream: pkg/controller/deployment/deployment_controller.go (NewDeploymentController,
// syncDeployment, getReplicaSetsForDeployment, getPodMapForDeployment). Upstream runs 5 workers.
import type { Pod } from '../../api/core.ts';
import { pods } from '../../api/resources.ts';
import { selectorIsEmpty } from '../../api/selector.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { myDeployments, myReplicaSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { ResourceVersionSource } from '../../runtime/consistency.ts';
import { ConsistencyStore } from '../../runtime/consistency.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import { controllerIndex, namespaceIndex } from '../../runtime/informer/store.ts';
import type { ControllerSetup } from '../index.ts';
import { claimCandidates, claimObjects, ownerIsLiveAndActive } from '../shared/claim.ts';
import { workloadControllerSetup } from '../shared/workload-controller.ts';
import type { SyncContext, SyncDeferral, SyncOutcome, WorkloadSync } from '../shared/workload-reconciler.ts';
import type { DeploymentAction } from './actions.ts';
import { podEventHandler, replicaSetEventHandler } from './event-handlers.ts';
import type { EventSink } from './execute.ts';
import { executeDeploymentPlan } from './execute.ts';
import type { WrittenResource } from './object-manager.ts';
import { realObjectManager } from './object-manager.ts';
import { isOrphanedPodOf } from './orphaned-pods.ts';
import type { DeploymentSnapshot } from './plan.ts';
import { plan } from './plan.ts';
import { podTemplateHashLabel } from './pod-template-hash.ts';
import { deploymentOwner, ownerReferencesPatch, replicaSetClaimDecision, reportingClaimClient } from './replica-set-claim.ts';
import { findNewReplicaSet, replicaSetName } from './replica-sets.ts';
import { podForCache } from '../shared/pod-cache.ts';

export const deploymentControllerName = 'deployment';

/** The part of the snapshot the claim yields. */
type Claimed = Pick<DeploymentSnapshot, 'replicaSets' | 'podsByReplicaSet' | 'orphanedPods' | 'takenReplicaSetNames'>;

/** What a DeploymentSync talks to and reads. */
export interface DeploymentSyncDeps {
  readonly client: KubeClient;
  readonly recorder: EventSink;
  /** The caches a sync reads besides the MyDeployments. */
  readonly replicaSets: ReadonlyStore<MyReplicaSet>;
  readonly pods: ReadonlyStore<Pod>;
  /** The caches whose lag behind our own writes defers a sync, keyed as object-manager.ts reports writes. */
  readonly sources: Readonly<Record<WrittenResource, ResourceVersionSource>>;
}

export class DeploymentSync implements WorkloadSync<MyDeployment, Claimed, DeploymentSnapshot, DeploymentAction> {
  private readonly deps: DeploymentSyncDeps;
  /**
   * Beyond upstream (whose Deployment controller has no consistency check in 1.36): a sync waits
   * until the MyReplicaSet and MyDeployment caches hold what the previous sync of the key wrote.
   * A pass plans from its caches alone; one that missed the RS created a moment ago would create
   * it again, and one that missed our status write would compare against the old status.
   */
  private readonly consistency: ConsistencyStore;

  constructor(deps: DeploymentSyncDeps) {
    this.deps = deps;
    this.consistency = new ConsistencyStore(deps.sources);
  }

  forget(key: string, uid: string | undefined): void {
    this.consistency.clear(key, uid);
  }

  defer(key: string): SyncDeferral | undefined {
    const lag = this.consistency.ensureReady(key);
    return lag === undefined ? undefined : { message: 'cache older than our last write, deferring sync', fields: { ...lag } };
  }

  /**
   * upstream getReplicaSetsForDeployment + getPodMapForDeployment. An empty selector claims
   * nothing: the planner only warns (SelectingAll).
   */
  async claim(d: MyDeployment, { key, signal }: SyncContext): Promise<Claimed> {
    if (selectorIsEmpty(d.spec.selector)) return { replicaSets: [], podsByReplicaSet: new Map() };
    const owner = deploymentOwner(d);
    const namespace = d.metadata.namespace ?? '';
    const uid = d.metadata.uid ?? '';
    const candidates = claimCandidates(this.deps.replicaSets, owner, namespace, d.spec.selector);
    const wrote = (resourceVersion: string | undefined): void => this.consistency.wroteAt(key, uid, 'myreplicasets', resourceVersion);
    const replicaSets = await claimObjects({
      client: reportingClaimClient(this.deps.client, wrote),
      resource: myReplicaSets,
      owner,
      namespace,
      candidates,
      decide: (rs) => replicaSetClaimDecision(d, rs),
      patchFor: (rs) => ({ type: 'merge', body: ownerReferencesPatch(rs, owner) }),
      ownerStillAdopting: () => ownerIsLiveAndActive(this.deps.client, myDeployments, namespace, owner, signal),
      signal,
    });
    const podsByReplicaSet = new Map(
      replicaSets.map((rs) => [rs.metadata.uid ?? '', this.deps.pods.byIndex(controllerIndex, rs.metadata.uid ?? '')] as const),
    );
    return { replicaSets, podsByReplicaSet, ...this.orphanedPods(d, replicaSets) };
  }

  /**
   * Only when no MyReplicaSet matches the template, so that the pass will create one: the pods it
   * may take over (orphaned-pods.ts), from the pod cache's namespace index, and which of the names
   * `<deployment>-<their hash>` a MyReplicaSet in the cache holds. Otherwise nothing is read.
   */
  private orphanedPods(d: MyDeployment, replicaSets: readonly MyReplicaSet[]): Pick<Claimed, 'orphanedPods' | 'takenReplicaSetNames'> {
    if (findNewReplicaSet(d, replicaSets) !== undefined) return {};
    const namespace = d.metadata.namespace ?? '';
    const orphanedPods = this.deps.pods.byIndex(namespaceIndex, namespace).filter((pod) => isOrphanedPodOf(d, pod));
    if (orphanedPods.length === 0) return {};
    const names = new Set(orphanedPods.map((pod) => replicaSetName(d, pod.metadata.labels?.[podTemplateHashLabel] ?? '')));
    const takenReplicaSetNames = new Set([...names].filter((name) => this.deps.replicaSets.get(`${namespace}/${name}`) !== undefined));
    return { orphanedPods, takenReplicaSetNames };
  }

  snapshot(d: MyDeployment, claimed: Claimed): DeploymentSnapshot {
    return { deployment: d, ...claimed };
  }

  plan(snapshot: DeploymentSnapshot, now: number): readonly DeploymentAction[] {
    return plan(snapshot, now);
  }

  execute(snapshot: DeploymentSnapshot, actions: readonly DeploymentAction[], { key, log, signal }: SyncContext, now: number): Promise<SyncOutcome> {
    const d = snapshot.deployment;
    const uid = d.metadata.uid ?? '';
    const objects = realObjectManager(
      this.deps.client,
      (resource, resourceVersion) => this.consistency.wroteAt(key, uid, resource, resourceVersion),
      signal,
    );
    return executeDeploymentPlan({ objects, recorder: this.deps.recorder, log }, d, actions, now);
  }
}

export const deploymentSetup: ControllerSetup = workloadControllerSetup({
  name: deploymentControllerName,
  defaultWorkers: 5,
  owners: myDeployments,
  build(manager, owners) {
    const replicaSetInformer = manager.informers.informerFor(myReplicaSets);
    const podInformer = manager.informers.informerFor(pods, {}, podForCache);
    return {
      sync: new DeploymentSync({
        client: manager.client,
        recorder: manager.events,
        replicaSets: replicaSetInformer.store,
        pods: podInformer.store,
        sources: { myreplicasets: replicaSetInformer, mydeployments: owners },
      }),
      watch(queue) {
        replicaSetInformer.addEventHandler(replicaSetEventHandler({ deployments: owners.store, queue }));
        podInformer.addEventHandler(podEventHandler({ deployments: owners.store, replicaSets: replicaSetInformer.store, pods: podInformer.store, queue }));
      },
    };
  },
});
