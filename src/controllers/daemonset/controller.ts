// The MyDaemonSet controller: informers and handlers, and the reconcile that builds a snapshot,
// asks the planner what to do and has the executor do it.
//
//   key ─► cached MyDaemonSet ─► claim pods and revisions ─► snapshot ─► plan() ─► executeDaemonSetPlan()
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
import type { ReconcileContext, ReconcileResult, Reconciler } from '../../runtime/controller.ts';
import { Controller } from '../../runtime/controller.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { Expectations } from '../../runtime/expectations.ts';
import type { ReadonlyStore } from '../../runtime/informer/store.ts';
import type { Manager } from '../../runtime/manager.ts';
import type { ControllerSetup } from '../index.ts';
import { countByKind } from '../shared/action-summary.ts';
import { CreateBackoff } from '../shared/create-backoff.ts';
import { claimCandidates, claimObjects, ownerIsLiveAndActive } from '../shared/claim.ts';
import type { OwnerIdentity } from '../shared/ownership.ts';
import { claimDecision } from '../shared/ownership.ts';
import {
  daemonSetEventHandler,
  nodeEventHandler,
  podEventHandler,
  podNodeNameIndex,
  revisionEventHandler,
} from './event-handlers.ts';
import { executeDaemonSetPlan } from './execute.ts';
import { hasExpired } from './failed-pod-backoff.ts';
import type { FailedPodBackoff } from './plan.ts';
import { plan } from './plan.ts';
import { daemonSetOwner } from './spec-defaults.ts';

export const daemonSetControllerName = 'daemonset';

interface Stores {
  readonly daemonSets: ReadonlyStore<MyDaemonSet>;
  readonly pods: ReadonlyStore<Pod>;
  readonly nodes: ReadonlyStore<Node>;
  readonly revisions: ReadonlyStore<ControllerRevision>;
}

export class DaemonSetReconciler implements Reconciler {
  private readonly client: KubeClient;
  private readonly stores: Stores;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  readonly expectations: Expectations;
  readonly failedPodBackoff = new Map<string, FailedPodBackoff>();
  readonly createBackoff: CreateBackoff;

  constructor(client: KubeClient, stores: Stores, recorder: EventRecorder, clock: Clock = realClock) {
    this.client = client;
    this.stores = stores;
    this.recorder = recorder;
    this.clock = clock;
    this.expectations = new Expectations({ controller: daemonSetControllerName, clock });
    this.createBackoff = new CreateBackoff(clock);
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const ds = this.stores.daemonSets.get(key);
    if (!ds) {
      this.expectations.delete(key);
      this.createBackoff.forget(key);
      return { kind: 'done' };
    }
    const expectationsSatisfied = this.expectations.satisfied(key);
    const owner = daemonSetOwner(ds);
    const claimable = !selectorIsEmpty(ds.spec.selector) && !isBeingDeleted(ds);
    const [ownedPods, ownedRevisions] = claimable
      ? await Promise.all([
          this.claim(ds, owner, pods, this.stores.pods, ctx.signal),
          this.claim(ds, owner, controllerRevisions, this.stores.revisions, ctx.signal),
        ])
      : [[], []];
    const now = this.clock.now();
    const actions = plan(
      {
        ds,
        nodes: this.stores.nodes.list(),
        pods: ownedPods,
        revisions: ownedRevisions,
        expectationsSatisfied,
        failedPodBackoff: this.failedPodBackoff,
      },
      now,
    );
    ctx.log.debug('planned', { actions: actions.length, kinds: countByKind(actions) });
    const result = await executeDaemonSetPlan(
      {
        client: this.client,
        expectations: this.expectations,
        recorder: this.recorder,
        failedPodBackoff: this.failedPodBackoff,
        createBackoff: this.createBackoff,
        clock: this.clock,
      },
      ds,
      key,
      actions,
      ctx.log,
      ctx.signal,
    );
    return result.requeueAfterMs === undefined ? { kind: 'done' } : { kind: 'requeueAfter', afterMs: result.requeueAfterMs };
  }

  /** Owned objects plus orphans in the namespace that match, after adoption and release. */
  private claim<T extends KubeObject>(
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

export const daemonSetSetup: ControllerSetup = {
  name: daemonSetControllerName,
  defaultWorkers: 2,
  register(manager: Manager, { workers }) {
    const informers = manager.informers;
    const dsInformer = informers.informerFor(myDaemonSets);
    const podInformer = informers.informerFor(pods, { [podNodeNameIndex]: (pod) => [pod.spec.nodeName ?? ''] });
    const nodeInformer = informers.informerFor(nodes);
    const revisionInformer = informers.informerFor(controllerRevisions);
    const stores: Stores = {
      daemonSets: dsInformer.store,
      pods: podInformer.store,
      nodes: nodeInformer.store,
      revisions: revisionInformer.store,
    };
    const reconciler = new DaemonSetReconciler(manager.client, stores, manager.events);
    const controller = new Controller({
      name: daemonSetControllerName,
      reconciler,
      workers,
      logger: manager.logger.child({ controller: daemonSetControllerName }),
    });
    const deps = { ...stores, expectations: reconciler.expectations, queue: controller };
    dsInformer.addEventHandler(daemonSetEventHandler(deps));
    podInformer.addEventHandler(podEventHandler(deps));
    nodeInformer.addEventHandler(nodeEventHandler(deps));
    revisionInformer.addEventHandler(revisionEventHandler(deps));
    const gc = setInterval(() => reconciler.collectBackoffGarbage(), 60_000);
    gc.unref();
    manager.addController(controller);
  },
};
