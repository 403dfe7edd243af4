// Per-object gauges for our workload kinds in the style of kube-state-metrics (upstream:
// kube-state-metrics internal/store/daemonset.go, statefulset.go, deployment.go, replicaset.go),
// computed at scrape time from the informer stores: every collect() resets the gauge and re-sets
// one series per cached object, so a deleted object's series vanish with it and nothing goes stale
// between scrapes.
//
//   my_workload_daemonset_*{namespace,daemonset}       spec paused, status counts, conditions, generations
//   my_workload_statefulset_*{namespace,statefulset}   spec replicas and paused, status counts, conditions, revisions
//   my_workload_deployment_*{namespace,deployment}     spec replicas and paused, status counts, conditions, generations
//   my_workload_replicaset_*{namespace,replicaset}     spec replicas, status counts, generations, owner
//   my_workload_rollout_in_progress{kind,namespace,name}                     1 while `kubectl rollout status` would wait
//   my_workload_rollout_last_transition_timestamp_seconds{kind,namespace,name} when in_progress last flipped
//
// The gauges are module-level singletons on the shared registry; each registered set of informers
// is one source they read, so calling registerWorkloadMetrics again adds no duplicate collectors.
import { Gauge } from 'prom-client';
import type { KubeObject, WorkloadCondition } from '../api/meta.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../api/workloads.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../api/workloads.ts';
import type { Clock } from '../runtime/clock.ts';
import { realClock } from '../runtime/clock.ts';
import type { EventHandler } from '../runtime/informer/informer.ts';
import type { ReadonlyStore } from '../runtime/informer/store.ts';
import type { Manager } from '../runtime/manager.ts';
import { registry, singleton } from '../runtime/metrics/registry.ts';
import { daemonSetStatus, deploymentStatus, statefulSetStatus } from '../cli/rollout-control-status.ts';
import {
  failedRSCreateReason,
  foundNewRSReason,
  minimumReplicasAvailable,
  minimumReplicasUnavailable,
  newReplicaSetReason,
  newRSAvailableReason,
  pausedReason,
  replicaSetUpdatedReason,
  resumedReason,
  timedOutReason,
} from './deployment/conditions.ts';
import {
  progressDeadlineExceededReason,
  rolloutCompleteReason,
  rolloutPausedReason,
  rolloutProgressingReason,
} from './shared/rollout-control.ts';

/**
 * Whether `kubectl my rollout status` would still wait on the object: the plugin's own rule
 * (src/cli/rollout-control-status.ts: kubectl's rules plus rollout control), so the gauge and the
 * CLI agree. Where the CLI stops with an error the rollout is not in progress: OnDelete objects, a
 * rollout past its progress deadline (MyDeploymentProgressDeadlineExceeded and
 * MyWorkloadProgressDeadlineExceeded are the alerts for it) and an automatic rollback
 * (MyWorkloadRolledBack). A MyDaemonSet canary is done once its partition or selector is reached.
 */
export function daemonSetRolloutInProgress(ds: MyDaemonSet): boolean {
  return daemonSetStatus(ds).kind === 'progressing';
}

export function statefulSetRolloutInProgress(sts: MyStatefulSet): boolean {
  return statefulSetStatus(sts).kind === 'progressing';
}

export function deploymentRolloutInProgress(d: MyDeployment): boolean {
  return deploymentStatus(d, 0n).kind === 'progressing';
}

/** The part of a SharedInformer these metrics use (the seam tests fake). */
export interface WorkloadInformer<T extends KubeObject> {
  readonly store: Pick<ReadonlyStore<T>, 'list'>;
  addEventHandler(handler: EventHandler<T>): void;
}

export interface WorkloadInformers {
  readonly daemonSets: WorkloadInformer<MyDaemonSet>;
  readonly statefulSets: WorkloadInformer<MyStatefulSet>;
  /** Absent while no controller watches MyDeployments: their gauges then have no series. */
  readonly deployments?: WorkloadInformer<MyDeployment>;
  /** Absent while no controller watches MyReplicaSets: their gauges then have no series. */
  readonly replicaSets?: WorkloadInformer<MyReplicaSet>;
}

export type RolloutKind = 'MyDaemonSet' | 'MyStatefulSet' | 'MyDeployment';

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

type Lister<T extends KubeObject> = Pick<ReadonlyStore<T>, 'list'>;

interface WorkloadSource {
  readonly daemonSets: Lister<MyDaemonSet>;
  readonly statefulSets: Lister<MyStatefulSet>;
  readonly deployments: Lister<MyDeployment>;
  readonly replicaSets: Lister<MyReplicaSet>;
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

/** Visits every named object of one kind in every source. */
function eachObject<T extends KubeObject>(storeOf: (source: WorkloadSource) => Lister<T>, visit: (obj: T, namespace: string, name: string) => void): void {
  for (const source of sources) {
    for (const obj of storeOf(source).list()) {
      const id = objectName(obj);
      if (id) visit(obj, id.namespace, id.name);
    }
  }
}

interface ObjectSeries<T> {
  readonly name: string;
  readonly help: string;
  readonly value: (obj: T) => number;
}

interface Generations {
  readonly metadata: { readonly generation?: number };
  readonly status?: { readonly observedGeneration?: number };
}

/** The two generation gauges of every kind: my_workload_<object>_status_observed_generation and _metadata_generation. */
function generationSeries<T extends Generations>(objectLabel: string, kind: string): ObjectSeries<T>[] {
  return [
    {
      name: `my_workload_${objectLabel}_status_observed_generation`,
      help: `The generation observed by the ${kind} controller (status.observedGeneration).`,
      value: (obj) => obj.status?.observedGeneration ?? 0,
    },
    {
      name: `my_workload_${objectLabel}_metadata_generation`,
      help: `Sequence number representing a specific generation of the desired state for the ${kind} (metadata.generation).`,
      value: (obj) => obj.metadata.generation ?? 0,
    },
  ];
}

/**
 * One gauge per entry of `table` plus the two generation gauges, one series per object, labelled
 * {namespace, <objectLabel>}.
 */
function objectGauges<T extends KubeObject & Generations>(
  table: readonly ObjectSeries<T>[],
  objectLabel: string,
  kind: string,
  storeOf: (source: WorkloadSource) => Lister<T>,
): void {
  for (const series of [...table, ...generationSeries<T>(objectLabel, kind)]) {
    scrapeTimeGauge<string>(series.name, series.help, ['namespace', objectLabel], (set) =>
      eachObject(storeOf, (obj, namespace, name) => set({ namespace, [objectLabel]: name }, series.value(obj))),
    );
  }
}

// --- MyDaemonSet: {namespace, daemonset} (kube-state-metrics kube_daemonset_*) ---

const daemonSetSeries: readonly ObjectSeries<MyDaemonSet>[] = [
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
    name: 'my_workload_daemonset_spec_paused',
    help: 'Whether the MyDaemonSet is paused: no pod is replaced for a template change (spec.paused).',
    value: (ds) => (ds.spec.paused === true ? 1 : 0),
  },
];

objectGauges(daemonSetSeries, 'daemonset', 'MyDaemonSet', (source) => source.daemonSets);

// --- MyStatefulSet: {namespace, statefulset} (kube-state-metrics kube_statefulset_*) ---

const statefulSetSeries: readonly ObjectSeries<MyStatefulSet>[] = [
  {
    name: 'my_workload_statefulset_replicas',
    help: 'Number of desired pods for a MyStatefulSet (spec.replicas, default 1).',
    value: (sts) => sts.spec.replicas ?? 1,
  },
  {
    name: 'my_workload_statefulset_spec_paused',
    help: 'Whether the MyStatefulSet is paused: no pod is replaced for a template change (spec.paused).',
    value: (sts) => (sts.spec.paused === true ? 1 : 0),
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
];

objectGauges(statefulSetSeries, 'statefulset', 'MyStatefulSet', (source) => source.statefulSets);

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
    eachObject((source) => source.statefulSets, (sts, namespace, statefulset) => {
      const revision = series.revision(sts);
      if (revision) set({ namespace, statefulset, revision }, 1);
    }),
  );
}

// --- MyDeployment: {namespace, deployment} (kube-state-metrics kube_deployment_*) ---

const deploymentSeries: readonly ObjectSeries<MyDeployment>[] = [
  {
    name: 'my_workload_deployment_spec_replicas',
    help: 'Number of desired pods for a MyDeployment (spec.replicas, default 1).',
    value: (d) => d.spec.replicas ?? 1,
  },
  {
    name: 'my_workload_deployment_spec_paused',
    help: 'Whether the MyDeployment is paused and will not be rolled out by the MyDeployment controller (spec.paused).',
    value: (d) => (d.spec.paused === true ? 1 : 0),
  },
  {
    name: 'my_workload_deployment_status_replicas',
    help: 'The number of pods targeted by the MyDeployment (status.replicas).',
    value: (d) => d.status?.replicas ?? 0,
  },
  {
    name: 'my_workload_deployment_status_replicas_updated',
    help: 'The number of pods targeted by the MyDeployment that have the desired template (status.updatedReplicas).',
    value: (d) => d.status?.updatedReplicas ?? 0,
  },
  {
    name: 'my_workload_deployment_status_replicas_ready',
    help: 'The number of ready pods targeted by the MyDeployment (status.readyReplicas).',
    value: (d) => d.status?.readyReplicas ?? 0,
  },
  {
    name: 'my_workload_deployment_status_replicas_available',
    help: 'The number of pods targeted by the MyDeployment available for at least minReadySeconds (status.availableReplicas).',
    value: (d) => d.status?.availableReplicas ?? 0,
  },
  {
    name: 'my_workload_deployment_status_replicas_unavailable',
    help: 'The number of pods the MyDeployment still needs to be available (status.unavailableReplicas).',
    value: (d) => d.status?.unavailableReplicas ?? 0,
  },
];

objectGauges(deploymentSeries, 'deployment', 'MyDeployment', (source) => source.deployments);

/**
 * The condition reasons exported as they are; any other becomes "unknown", keeping the label's
 * values bounded (kube-state-metrics allowedDeploymentReasons: the deployment controller's reasons).
 * RolledBack (docs/rollout-control.md) has reason ProgressDeadlineExceeded.
 */
const deploymentConditionReasons: ReadonlySet<string> = new Set([
  replicaSetUpdatedReason,
  failedRSCreateReason,
  newReplicaSetReason,
  foundNewRSReason,
  newRSAvailableReason,
  timedOutReason,
  pausedReason,
  resumedReason,
  minimumReplicasAvailable,
  minimumReplicasUnavailable,
  '',
]);

/** The reasons the MyDaemonSet and MyStatefulSet controllers set (Progressing, RolledBack). */
const rolloutConditionReasons: ReadonlySet<string> = new Set([
  rolloutPausedReason,
  rolloutProgressingReason,
  rolloutCompleteReason,
  progressDeadlineExceededReason,
  '',
]);

const conditionStatuses = ['True', 'False', 'Unknown'] as const;

interface Conditioned extends KubeObject {
  readonly status?: { readonly conditions?: readonly WorkloadCondition[] };
}

/**
 * my_workload_<object>_status_condition: three series per condition, one per status, 1 on the
 * condition's own status (kube-state-metrics addConditionMetrics), so
 * `{condition="Progressing",status="false"} == 1` selects a failed rollout.
 */
function conditionGauge<T extends Conditioned>(
  objectLabel: string,
  help: string,
  reasons: ReadonlySet<string>,
  storeOf: (source: WorkloadSource) => Lister<T>,
): void {
  scrapeTimeGauge(
    `my_workload_${objectLabel}_status_condition`,
    help,
    ['namespace', objectLabel, 'condition', 'status', 'reason'],
    (set) =>
      eachObject(storeOf, (obj, namespace, name) => {
        for (const condition of obj.status?.conditions ?? []) {
          const reason = reasons.has(condition.reason ?? '') ? (condition.reason ?? '') : 'unknown';
          for (const status of conditionStatuses) {
            set({ namespace, [objectLabel]: name, condition: condition.type, status: status.toLowerCase(), reason }, condition.status === status ? 1 : 0);
          }
        }
      }),
  );
}

const reasonHelp = 'reason is the condition\'s reason, "unknown" for one the controller does not set.';
conditionGauge(
  'deployment',
  `The current status conditions of a MyDeployment (Progressing, Available, ReplicaFailure, RolledBack): 1 on the series of the condition's status; ${reasonHelp}`,
  deploymentConditionReasons,
  (source) => source.deployments,
);
conditionGauge(
  'daemonset',
  `The current status conditions of a MyDaemonSet (Progressing, RolledBack): 1 on the series of the condition's status; ${reasonHelp}`,
  rolloutConditionReasons,
  (source) => source.daemonSets,
);
conditionGauge(
  'statefulset',
  `The current status conditions of a MyStatefulSet (Progressing, RolledBack): 1 on the series of the condition's status; ${reasonHelp}`,
  rolloutConditionReasons,
  (source) => source.statefulSets,
);

// --- MyReplicaSet: {namespace, replicaset} (kube-state-metrics kube_replicaset_*) ---

const replicaSetSeries: readonly ObjectSeries<MyReplicaSet>[] = [
  {
    name: 'my_workload_replicaset_spec_replicas',
    help: 'Number of desired pods for a MyReplicaSet (spec.replicas, default 1).',
    value: (rs) => rs.spec.replicas ?? 1,
  },
  {
    name: 'my_workload_replicaset_status_replicas',
    help: 'The number of pods the MyReplicaSet has (status.replicas).',
    value: (rs) => rs.status?.replicas ?? 0,
  },
  {
    name: 'my_workload_replicaset_status_fully_labeled_replicas',
    help: 'The number of pods whose labels match the MyReplicaSet pod template labels (status.fullyLabeledReplicas).',
    value: (rs) => rs.status?.fullyLabeledReplicas ?? 0,
  },
  {
    name: 'my_workload_replicaset_status_ready_replicas',
    help: 'The number of ready pods of the MyReplicaSet (status.readyReplicas).',
    value: (rs) => rs.status?.readyReplicas ?? 0,
  },
];

objectGauges(replicaSetSeries, 'replicaset', 'MyReplicaSet', (source) => source.replicaSets);

// Info-style: value 1, one series per owner reference; "<none>" in all three labels for an orphan.
scrapeTimeGauge(
  'my_workload_replicaset_owner',
  'Information about the MyReplicaSet\'s owners (metadata.ownerReferences); owner_* are "<none>" for a MyReplicaSet without owner.',
  ['namespace', 'replicaset', 'owner_kind', 'owner_name', 'owner_is_controller'],
  (set) =>
    eachObject(
      (source) => source.replicaSets,
      (rs, namespace, replicaset) => {
        const owners = rs.metadata.ownerReferences ?? [];
        if (owners.length === 0) set({ namespace, replicaset, owner_kind: '<none>', owner_name: '<none>', owner_is_controller: '<none>' }, 1);
        for (const owner of owners) {
          set({ namespace, replicaset, owner_kind: owner.kind, owner_name: owner.name, owner_is_controller: String(owner.controller === true) }, 1);
        }
      },
    ),
);

// --- Rollouts of the kinds kubectl rollout status follows: {kind, namespace, name} ---

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
    rolloutsOf(source, 'MyDaemonSet', source.daemonSets, daemonSetRolloutInProgress, visit);
    rolloutsOf(source, 'MyStatefulSet', source.statefulSets, statefulSetRolloutInProgress, visit);
    rolloutsOf(source, 'MyDeployment', source.deployments, deploymentRolloutInProgress, visit);
  }
}

function rolloutsOf<T extends KubeObject>(
  source: WorkloadSource,
  kind: RolloutKind,
  store: Lister<T>,
  inProgress: (obj: T) => boolean,
  visit: (state: RolloutState) => void,
): void {
  for (const obj of store.list()) {
    const id = objectName(obj);
    if (!id) continue;
    visit({ labels: { kind, ...id }, transition: source.transitions.observe(kind, obj, inProgress(obj)) });
  }
}

scrapeTimeGauge(
  'my_workload_rollout_in_progress',
  'Whether the rollout of a MyDaemonSet, MyStatefulSet or MyDeployment is in progress (1) or not (0), by the rule of kubectl rollout status: 0 once done, and where kubectl stops with an error (OnDelete; a MyDeployment past its progress deadline).',
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
  trackRollouts(informers.daemonSets, 'MyDaemonSet', daemonSetRolloutInProgress, transitions);
  trackRollouts(informers.statefulSets, 'MyStatefulSet', statefulSetRolloutInProgress, transitions);
  if (informers.deployments) trackRollouts(informers.deployments, 'MyDeployment', deploymentRolloutInProgress, transitions);
  const source: WorkloadSource = {
    daemonSets: informers.daemonSets.store,
    statefulSets: informers.statefulSets.store,
    deployments: informers.deployments?.store ?? noObjects,
    replicaSets: informers.replicaSets?.store ?? noObjects,
    transitions,
  };
  sources.add(source);
  return () => {
    sources.delete(source);
  };
}

const noObjects: Lister<never> = { list: () => [] };

function trackRollouts<T extends KubeObject>(
  informer: WorkloadInformer<T>,
  kind: RolloutKind,
  inProgress: (obj: T) => boolean,
  transitions: RolloutTransitions,
): void {
  informer.addEventHandler({
    onAdd: (obj) => transitions.observe(kind, obj, inProgress(obj)),
    onUpdate: (_old, obj) => transitions.observe(kind, obj, inProgress(obj)),
    onDelete: (obj) => transitions.forget(kind, obj),
  });
}

const registered = new WeakSet<Manager>();

/**
 * Exports the per-object gauges from `manager`'s shared informers. Call it once the controllers
 * have registered (before manager.run): it asks for the MyDaemonSet and MyStatefulSet informers
 * without indexes, and a controller asking for them later with its own indexes would be refused.
 * MyDeployments and MyReplicaSets are read only if a controller already watches them, so an
 * operator without those controllers never lists kinds whose CRDs may not be installed (an
 * informer that cannot list keeps the manager from ever becoming ready). A second call for the
 * same manager does nothing.
 */
export function registerWorkloadMetrics(manager: Manager, options: WorkloadMetricsOptions = {}): void {
  if (registered.has(manager)) return;
  registered.add(manager);
  collectWorkloadMetrics(
    {
      daemonSets: manager.informers.informerFor(myDaemonSets),
      statefulSets: manager.informers.informerFor(myStatefulSets),
      deployments: manager.informers.existingInformerFor(myDeployments),
      replicaSets: manager.informers.existingInformerFor(myReplicaSets),
    },
    options,
  );
}
