// Per-object gauges for MyDaemonSets and MyStatefulSets in the style of kube-state-metrics
// (upstream: kube-state-metrics internal/store/daemonset.go, statefulset.go), computed at scrape
// time from the informer stores: every collect() resets the gauge and re-sets one series per cached
// object, so a deleted object's series vanish with it and nothing goes stale between scrapes.
//
//   my_workload_daemonset_*{namespace,daemonset}       status counts, observed generation, generation
//   my_workload_statefulset_*{namespace,statefulset}   spec replicas, status counts, revisions
//   my_workload_rollout_in_progress{kind,namespace,name}                     1 until `kubectl rollout status` would say done
//   my_workload_rollout_last_transition_timestamp_seconds{kind,namespace,name} when in_progress last flipped
//
// The gauges are module-level singletons on the shared registry; each registered set of informers
// is one source they read, so calling registerWorkloadMetrics again adds no duplicate collectors.
import { Gauge } from 'prom-client';
import type { KubeObject } from '../api/meta.ts';
import type { MyDaemonSet, MyStatefulSet } from '../api/workloads.ts';
import { myDaemonSets, myStatefulSets } from '../api/workloads.ts';
import type { Clock } from '../runtime/clock.ts';
import { realClock } from '../runtime/clock.ts';
import type { EventHandler } from '../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../runtime/informer/store.ts';
import type { Manager } from '../runtime/manager.ts';
import { registry, singleton } from '../runtime/metrics/registry.ts';
import { daemonSetRolloutStatus, statefulSetRolloutStatus } from '../api/rollout-status.ts';

/**
 * Whether `kubectl rollout status` would still wait on the object: the rule `kubectl my rollout
 * status` applies (src/api/rollout-status.ts), so the gauge and the CLI agree. OnDelete objects
 * have no rollout to follow and count as not in progress.
 */
export function daemonSetRolloutInProgress(ds: MyDaemonSet): boolean {
  return daemonSetRolloutStatus(ds).kind === 'progressing';
}

export function statefulSetRolloutInProgress(sts: MyStatefulSet): boolean {
  return statefulSetRolloutStatus(sts).kind === 'progressing';
}

/** The part of a SharedInformer these metrics use (the seam tests fake). */
export interface WorkloadInformer<T extends KubeObject> {
  readonly store: Pick<ReadonlyStore<T>, 'list'>;
  addEventHandler(handler: EventHandler<T>): void;
}

export interface WorkloadInformers {
  readonly daemonSets: WorkloadInformer<MyDaemonSet>;
  readonly statefulSets: WorkloadInformer<MyStatefulSet>;
}

export type RolloutKind = 'MyDaemonSet' | 'MyStatefulSet';

interface Transition {
  readonly uid: string;
  readonly inProgress: boolean;
  /** Epoch ms of the last flip, or of the first observation when no flip was seen. */
  readonly since: number;
}

/**
 * The last time each object's in-progress state flipped, fed by informer events. An object first
 * seen by this process (start-up list, creation) starts at the time it was seen: the flip before
 * that is unknowable from a cache. Deleted objects are forgotten; a same-name object with a new UID
 * starts over.
 */
export class RolloutTransitions {
  private readonly clock: Clock;
  private readonly entries = new Map<string, Transition>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Records `inProgress` for `obj`; the timestamp moves only when the state (or UID) changes. */
  observe(kind: RolloutKind, obj: KubeObject, inProgress: boolean): Transition {
    const key = transitionKey(kind, obj);
    const uid = obj.metadata.uid ?? '';
    const last = this.entries.get(key);
    if (last !== undefined && last.uid === uid && last.inProgress === inProgress) return last;
    const next: Transition = { uid, inProgress, since: this.clock.now() };
    this.entries.set(key, next);
    return next;
  }

  forget(kind: RolloutKind, obj: KubeObject): void {
    this.entries.delete(transitionKey(kind, obj));
  }

  /** Number of objects tracked (for tests: deletes must not leak entries). */
  get size(): number {
    return this.entries.size;
  }
}

function transitionKey(kind: RolloutKind, obj: KubeObject): string {
  return `${kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

interface WorkloadSource {
  readonly daemonSets: Pick<ReadonlyStore<MyDaemonSet>, 'list'>;
  readonly statefulSets: Pick<ReadonlyStore<MyStatefulSet>, 'list'>;
  readonly transitions: RolloutTransitions;
}

/** Every registered set of stores; the gauges' collect() reads them all. */
const sources = new Set<WorkloadSource>();

type Labels<L extends string> = Readonly<Record<L, string>>;
type SetSeries<L extends string> = (labels: Labels<L>, value: number) => void;

/** A gauge whose series are rebuilt from scratch by `fill` on every scrape. */
function scrapeTimeGauge<L extends string>(name: string, help: string, labelNames: readonly L[], fill: (set: SetSeries<L>) => void): void {
  singleton(
    name,
    () =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          fill((labels, value) => this.set(labels, value));
        },
      }),
  );
}

/** Namespace and name of a cached object; undefined for an object missing either. */
function objectName(obj: KubeObject): { readonly namespace: string; readonly name: string } | undefined {
  const { namespace, name } = obj.metadata;
  return namespace && name ? { namespace, name } : undefined;
}

function eachDaemonSet(visit: (ds: MyDaemonSet, namespace: string, name: string) => void): void {
  for (const source of sources) {
    for (const ds of source.daemonSets.list()) {
      const id = objectName(ds);
      if (id) visit(ds, id.namespace, id.name);
    }
  }
}

function eachStatefulSet(visit: (sts: MyStatefulSet, namespace: string, name: string) => void): void {
  for (const source of sources) {
    for (const sts of source.statefulSets.list()) {
      const id = objectName(sts);
      if (id) visit(sts, id.namespace, id.name);
    }
  }
}

// --- MyDaemonSet: {namespace, daemonset} (kube-state-metrics kube_daemonset_*) ---

const daemonSetSeries: readonly { readonly name: string; readonly help: string; readonly value: (ds: MyDaemonSet) => number }[] = [
  {
    name: 'my_workload_daemonset_status_desired_number_scheduled',
    help: 'The number of nodes that should be running the daemon pod (status.desiredNumberScheduled).',
    value: (ds) => ds.status?.desiredNumberScheduled ?? 0,
  },
  {
    name: 'my_workload_daemonset_status_current_number_scheduled',
    help: 'The number of nodes running at least one daemon pod and that are supposed to (status.currentNumberScheduled).',
    value: (ds) => ds.status?.currentNumberScheduled ?? 0,
  },
  {
    name: 'my_workload_daemonset_status_number_ready',
    help: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready (status.numberReady).',
    value: (ds) => ds.status?.numberReady ?? 0,
  },
  {
    name: 'my_workload_daemonset_status_updated_number_scheduled',
    help: 'The number of nodes running the updated daemon pod spec (status.updatedNumberScheduled).',
    value: (ds) => ds.status?.updatedNumberScheduled ?? 0,
  },
  {
    name: 'my_workload_daemonset_status_number_available',
    help: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (status.numberAvailable).',
    value: (ds) => ds.status?.numberAvailable ?? 0,
  },
  {
    name: 'my_workload_daemonset_status_number_misscheduled',
    help: 'The number of nodes running a daemon pod but are not supposed to (status.numberMisscheduled).',
    value: (ds) => ds.status?.numberMisscheduled ?? 0,
  },
  {
    name: 'my_workload_daemonset_status_number_unavailable',
    help: 'The number of nodes that should be running the daemon pod and have none of the daemon pod running and available (status.numberUnavailable).',
    value: (ds) => ds.status?.numberUnavailable ?? 0,
  },
  {
    name: 'my_workload_daemonset_status_observed_generation',
    help: 'The most recent generation observed by the MyDaemonSet controller (status.observedGeneration).',
    value: (ds) => ds.status?.observedGeneration ?? 0,
  },
  {
    name: 'my_workload_daemonset_metadata_generation',
    help: 'Sequence number representing a specific generation of the desired state (metadata.generation).',
    value: (ds) => ds.metadata.generation ?? 0,
  },
];

for (const series of daemonSetSeries) {
  scrapeTimeGauge(series.name, series.help, ['namespace', 'daemonset'], (set) =>
    eachDaemonSet((ds, namespace, daemonset) => set({ namespace, daemonset }, series.value(ds))),
  );
}

// --- MyStatefulSet: {namespace, statefulset} (kube-state-metrics kube_statefulset_*) ---

const statefulSetSeries: readonly { readonly name: string; readonly help: string; readonly value: (sts: MyStatefulSet) => number }[] = [
  {
    name: 'my_workload_statefulset_replicas',
    help: 'Number of desired pods for a MyStatefulSet (spec.replicas, default 1).',
    value: (sts) => sts.spec.replicas ?? 1,
  },
  {
    name: 'my_workload_statefulset_status_replicas',
    help: 'The number of pods created by the MyStatefulSet controller (status.replicas).',
    value: (sts) => sts.status?.replicas ?? 0,
  },
  {
    name: 'my_workload_statefulset_status_replicas_ready',
    help: 'The number of pods created for this MyStatefulSet with a Ready condition (status.readyReplicas).',
    value: (sts) => sts.status?.readyReplicas ?? 0,
  },
  {
    name: 'my_workload_statefulset_status_replicas_current',
    help: 'The number of pods created by the MyStatefulSet controller from the current revision (status.currentReplicas).',
    value: (sts) => sts.status?.currentReplicas ?? 0,
  },
  {
    name: 'my_workload_statefulset_status_replicas_updated',
    help: 'The number of pods created by the MyStatefulSet controller from the update revision (status.updatedReplicas).',
    value: (sts) => sts.status?.updatedReplicas ?? 0,
  },
  {
    name: 'my_workload_statefulset_status_replicas_available',
    help: 'The number of pods targeted by this MyStatefulSet available for at least minReadySeconds (status.availableReplicas).',
    value: (sts) => sts.status?.availableReplicas ?? 0,
  },
  {
    name: 'my_workload_statefulset_status_observed_generation',
    help: 'The generation observed by the MyStatefulSet controller (status.observedGeneration).',
    value: (sts) => sts.status?.observedGeneration ?? 0,
  },
  {
    name: 'my_workload_statefulset_metadata_generation',
    help: 'Sequence number representing a specific generation of the desired state for the MyStatefulSet (metadata.generation).',
    value: (sts) => sts.metadata.generation ?? 0,
  },
];

for (const series of statefulSetSeries) {
  scrapeTimeGauge(series.name, series.help, ['namespace', 'statefulset'], (set) =>
    eachStatefulSet((sts, namespace, statefulset) => set({ namespace, statefulset }, series.value(sts))),
  );
}

// Revisions are info-style: value 1, the revision in a label; no series while the status has none.
const revisionSeries: readonly { readonly name: string; readonly help: string; readonly revision: (sts: MyStatefulSet) => string | undefined }[] = [
  {
    name: 'my_workload_statefulset_status_current_revision',
    help: 'Indicates the version of the MyStatefulSet used to generate pods in the sequence [0,currentReplicas) (status.currentRevision).',
    revision: (sts) => sts.status?.currentRevision,
  },
  {
    name: 'my_workload_statefulset_status_update_revision',
    help: 'Indicates the version of the MyStatefulSet used to generate pods in the sequence [replicas-updatedReplicas,replicas) (status.updateRevision).',
    revision: (sts) => sts.status?.updateRevision,
  },
];

for (const series of revisionSeries) {
  scrapeTimeGauge(series.name, series.help, ['namespace', 'statefulset', 'revision'], (set) =>
    eachStatefulSet((sts, namespace, statefulset) => {
      const revision = series.revision(sts);
      if (revision) set({ namespace, statefulset, revision }, 1);
    }),
  );
}

// --- Rollouts of both kinds: {kind, namespace, name} ---

interface RolloutState {
  readonly labels: Labels<'kind' | 'namespace' | 'name'>;
  readonly transition: Transition;
}

/**
 * The rollout state of every cached object. Informer events keep the transitions current; the
 * observe() here only fills in an object whose event has not been seen (a source registered
 * without handlers) and is a no-op otherwise.
 */
function eachRollout(visit: (state: RolloutState) => void): void {
  for (const source of sources) {
    for (const ds of source.daemonSets.list()) {
      const id = objectName(ds);
      if (!id) continue;
      const transition = source.transitions.observe('MyDaemonSet', ds, daemonSetRolloutInProgress(ds));
      visit({ labels: { kind: 'MyDaemonSet', ...id }, transition });
    }
    for (const sts of source.statefulSets.list()) {
      const id = objectName(sts);
      if (!id) continue;
      const transition = source.transitions.observe('MyStatefulSet', sts, statefulSetRolloutInProgress(sts));
      visit({ labels: { kind: 'MyStatefulSet', ...id }, transition });
    }
  }
}

scrapeTimeGauge(
  'my_workload_rollout_in_progress',
  'Whether the rollout of a MyDaemonSet or MyStatefulSet is in progress (1) or done (0), by the rule of kubectl rollout status; OnDelete objects are always 0.',
  ['kind', 'namespace', 'name'],
  (set) => eachRollout(({ labels, transition }) => set(labels, transition.inProgress ? 1 : 0)),
);

scrapeTimeGauge(
  'my_workload_rollout_last_transition_timestamp_seconds',
  'Unix time when my_workload_rollout_in_progress last changed for the object, or when this process first saw the object.',
  ['kind', 'namespace', 'name'],
  (set) => eachRollout(({ labels, transition }) => set(labels, transition.since / 1000)),
);

export interface WorkloadMetricsOptions {
  /** Source of transition timestamps. Default: the real clock. */
  readonly clock?: Clock;
}

/**
 * Makes the per-object gauges read `informers`' stores and keeps rollout transitions from their
 * events. Returns a function that stops the gauges from reading these stores (the informers have
 * no handler removal; events after that only update unread state).
 */
export function collectWorkloadMetrics(informers: WorkloadInformers, options: WorkloadMetricsOptions = {}): () => void {
  const transitions = new RolloutTransitions(options.clock ?? realClock);
  informers.daemonSets.addEventHandler({
    onAdd: (ds) => transitions.observe('MyDaemonSet', ds, daemonSetRolloutInProgress(ds)),
    onUpdate: (_old, ds) => transitions.observe('MyDaemonSet', ds, daemonSetRolloutInProgress(ds)),
    onDelete: (ds) => transitions.forget('MyDaemonSet', ds),
  });
  informers.statefulSets.addEventHandler({
    onAdd: (sts) => transitions.observe('MyStatefulSet', sts, statefulSetRolloutInProgress(sts)),
    onUpdate: (_old, sts) => transitions.observe('MyStatefulSet', sts, statefulSetRolloutInProgress(sts)),
    onDelete: (sts) => transitions.forget('MyStatefulSet', sts),
  });
  const source: WorkloadSource = {
    daemonSets: informers.daemonSets.store,
    statefulSets: informers.statefulSets.store,
    transitions,
  };
  sources.add(source);
  return () => {
    sources.delete(source);
  };
}

const registered = new WeakSet<Manager>();

/**
 * Exports the MyDaemonSet and MyStatefulSet gauges from `manager`'s shared informers. Call it once
 * the controllers have registered (before manager.run): it asks for the two informers without
 * indexes, and a controller asking for them later with its own indexes would be refused. A second
 * call for the same manager does nothing.
 */
export function registerWorkloadMetrics(manager: Manager, options: WorkloadMetricsOptions = {}): void {
  if (registered.has(manager)) return;
  registered.add(manager);
  collectWorkloadMetrics(
    {
      daemonSets: manager.informers.informerFor(myDaemonSets),
      statefulSets: manager.informers.informerFor(myStatefulSets),
    },
    options,
  );
}
