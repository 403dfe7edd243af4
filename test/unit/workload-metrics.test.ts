import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.ts';
import type {
  DeploymentCondition,
  MyDaemonSet,
  MyDaemonSetStatus,
  MyDeployment,
  MyDeploymentStatus,
  MyReplicaSet,
  MyStatefulSet,
  MyStatefulSetStatus,
} from '../../src/api/workloads.ts';
import {
  collectWorkloadMetrics,
  daemonSetRolloutInProgress,
  deploymentRolloutInProgress,
  statefulSetRolloutInProgress,
  type WorkloadInformer,
} from '../../src/controllers/workload-metrics.ts';
import type { EventHandler } from '../../src/runtime/informer/informer.ts';
import { registry } from '../../src/runtime/metrics/registry.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { hasSeries, metricValue } from '../support/metrics.ts';

/** An informer whose store the test writes; handlers run after the store changed, as the real one. */
class FakeInformer<T extends KubeObject> implements WorkloadInformer<T> {
  private readonly items = new Map<string, T>();
  private readonly handlers: EventHandler<T>[] = [];
  readonly store = { list: (): T[] => [...this.items.values()] };

  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
  }

  upsert(obj: T): void {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const h of this.handlers) {
      if (old === undefined) h.onAdd?.(obj);
      else h.onUpdate?.(old, obj);
    }
  }

  delete(obj: T): void {
    this.items.delete(`${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`);
    for (const h of this.handlers) h.onDelete?.(obj);
  }
}

function daemonSet(name: string, generation: number, status: MyDaemonSetStatus | undefined, extra: Partial<MyDaemonSet['spec']> = {}): MyDaemonSet {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDaemonSet',
    metadata: { namespace: 'ns', name, uid: `uid-${name}`, generation },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'img' }] } }, ...extra },
    ...(status ? { status } : {}),
  };
}

function statefulSet(
  name: string,
  generation: number,
  replicas: number,
  status: MyStatefulSetStatus | undefined,
  extra: Partial<MyStatefulSet['spec']> = {},
): MyStatefulSet {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyStatefulSet',
    metadata: { namespace: 'ns', name, uid: `uid-${name}`, generation },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'img' }] } }, ...extra },
    ...(status ? { status } : {}),
  };
}

function deployment(name: string, generation: number, status: MyDeploymentStatus | undefined, extra: Partial<MyDeployment['spec']> = {}): MyDeployment {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDeployment',
    metadata: { namespace: 'ns', name, uid: `uid-${name}`, generation },
    spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'img' }] } }, ...extra },
    ...(status ? { status } : {}),
  };
}

function replicaSet(name: string, owners: MyReplicaSet['metadata']['ownerReferences'], status: MyReplicaSet['status']): MyReplicaSet {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyReplicaSet',
    metadata: { namespace: 'ns', name, uid: `uid-${name}`, generation: 2, ownerReferences: owners },
    spec: { replicas: 4, selector: { matchLabels: { app: name } } },
    ...(status ? { status } : {}),
  };
}

function condition(type: string, status: DeploymentCondition['status'], reason: string): DeploymentCondition {
  return { type, status, reason, message: '' };
}

const rolledOutDeploy: MyDeploymentStatus = {
  observedGeneration: 2,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  conditions: [condition('Available', 'True', 'MinimumReplicasAvailable'), condition('Progressing', 'True', 'NewReplicaSetAvailable')],
};

const rolledOutDs: MyDaemonSetStatus = {
  desiredNumberScheduled: 3,
  currentNumberScheduled: 3,
  numberReady: 3,
  updatedNumberScheduled: 3,
  numberAvailable: 3,
  numberMisscheduled: 0,
  numberUnavailable: 0,
  observedGeneration: 2,
};

const rolledOutSts: MyStatefulSetStatus = {
  observedGeneration: 4,
  replicas: 3,
  readyReplicas: 3,
  currentReplicas: 3,
  updatedReplicas: 3,
  availableReplicas: 3,
  currentRevision: 'web-7d9f',
  updateRevision: 'web-7d9f',
};

/** All series of `name` as "labels=value" lines, sorted, to compare whole scrapes. */
async function series(name: string): Promise<string[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`${name} not registered`);
  const { values } = await metric.get();
  return values
    .map((v) => `${Object.entries(v.labels).map(([k, l]) => `${k}=${String(l)}`).sort().join(',')} ${v.value}`)
    .sort();
}

describe('workload metrics', () => {
  let daemonSets: FakeInformer<MyDaemonSet>;
  let statefulSets: FakeInformer<MyStatefulSet>;
  let deployments: FakeInformer<MyDeployment>;
  let replicaSets: FakeInformer<MyReplicaSet>;
  let clock: FakeClock;
  let unregister: () => void;

  beforeEach(() => {
    daemonSets = new FakeInformer();
    statefulSets = new FakeInformer();
    deployments = new FakeInformer();
    replicaSets = new FakeInformer();
    clock = new FakeClock(1_700_000_000_000);
    unregister = collectWorkloadMetrics({ daemonSets, statefulSets, deployments, replicaSets }, { clock });
  });
  afterEach(() => unregister());

  describe('MyDaemonSet gauges', () => {
    it('equal the status fields of each cached object', async () => {
      daemonSets.upsert(
        daemonSet('agent', 2, {
          desiredNumberScheduled: 5,
          currentNumberScheduled: 4,
          numberReady: 3,
          updatedNumberScheduled: 2,
          numberAvailable: 1,
          numberMisscheduled: 6,
          numberUnavailable: 4,
          observedGeneration: 1,
        }),
      );
      const labels = { namespace: 'ns', daemonset: 'agent' };
      const want: Record<string, number> = {
        my_workload_daemonset_status_desired_number_scheduled: 5,
        my_workload_daemonset_status_current_number_scheduled: 4,
        my_workload_daemonset_status_number_ready: 3,
        my_workload_daemonset_status_updated_number_scheduled: 2,
        my_workload_daemonset_status_number_available: 1,
        my_workload_daemonset_status_number_misscheduled: 6,
        my_workload_daemonset_status_number_unavailable: 4,
        my_workload_daemonset_status_observed_generation: 1,
        my_workload_daemonset_metadata_generation: 2,
      };
      for (const [name, value] of Object.entries(want)) {
        assert.deepEqual(await series(name), [`daemonset=agent,namespace=ns ${value}`], name);
        assert.equal(await metricValue(name, labels), value, name);
      }
    });

    it('report 0 for the counts of an object without status yet', async () => {
      daemonSets.upsert(daemonSet('fresh', 1, undefined));
      assert.deepEqual(await series('my_workload_daemonset_status_desired_number_scheduled'), ['daemonset=fresh,namespace=ns 0']);
      assert.deepEqual(await series('my_workload_daemonset_metadata_generation'), ['daemonset=fresh,namespace=ns 1']);
    });

    it('follow status updates between scrapes', async () => {
      daemonSets.upsert(daemonSet('agent', 2, { ...rolledOutDs, numberReady: 1 }));
      assert.equal(await metricValue('my_workload_daemonset_status_number_ready', { daemonset: 'agent' }), 1);
      daemonSets.upsert(daemonSet('agent', 2, rolledOutDs));
      assert.equal(await metricValue('my_workload_daemonset_status_number_ready', { daemonset: 'agent' }), 3);
    });

    it('export spec.paused and the Progressing and RolledBack conditions (docs/rollout-control.md)', async () => {
      daemonSets.upsert(
        daemonSet(
          'agent',
          3,
          { ...rolledOutDs, conditions: [condition('Progressing', 'True', 'RolloutComplete'), condition('RolledBack', 'True', 'ProgressDeadlineExceeded')] },
          { paused: true },
        ),
      );
      assert.deepEqual(await series('my_workload_daemonset_spec_paused'), ['daemonset=agent,namespace=ns 1']);
      assert.equal(await metricValue('my_workload_daemonset_status_condition', { condition: 'RolledBack', status: 'true', reason: 'ProgressDeadlineExceeded' }), 1);
      assert.equal(await metricValue('my_workload_daemonset_status_condition', { condition: 'Progressing', status: 'true', reason: 'RolloutComplete' }), 1);
      assert.equal(await metricValue('my_workload_daemonset_status_condition', { condition: 'Progressing', status: 'false', reason: 'RolloutComplete' }), 0);
      daemonSets.upsert(daemonSet('agent', 3, { ...rolledOutDs, conditions: [condition('Progressing', 'Unknown', 'Invented')] }));
      assert.equal(await metricValue('my_workload_daemonset_status_condition', { condition: 'Progressing', status: 'unknown', reason: 'unknown' }), 1);
      assert.deepEqual(await series('my_workload_daemonset_spec_paused'), ['daemonset=agent,namespace=ns 0']);
    });
  });

  describe('MyStatefulSet gauges', () => {
    it('equal spec.replicas and the status fields of each cached object', async () => {
      statefulSets.upsert(
        statefulSet('web', 5, 4, {
          observedGeneration: 4,
          replicas: 3,
          readyReplicas: 2,
          currentReplicas: 1,
          updatedReplicas: 2,
          availableReplicas: 1,
          currentRevision: 'web-aaa',
          updateRevision: 'web-bbb',
        }),
      );
      const want: Record<string, number> = {
        my_workload_statefulset_replicas: 4,
        my_workload_statefulset_status_replicas: 3,
        my_workload_statefulset_status_replicas_ready: 2,
        my_workload_statefulset_status_replicas_current: 1,
        my_workload_statefulset_status_replicas_updated: 2,
        my_workload_statefulset_status_replicas_available: 1,
        my_workload_statefulset_status_observed_generation: 4,
        my_workload_statefulset_metadata_generation: 5,
      };
      for (const [name, value] of Object.entries(want)) {
        assert.deepEqual(await series(name), [`namespace=ns,statefulset=web ${value}`], name);
      }
      assert.deepEqual(await series('my_workload_statefulset_status_current_revision'), ['namespace=ns,revision=web-aaa,statefulset=web 1']);
      assert.deepEqual(await series('my_workload_statefulset_status_update_revision'), ['namespace=ns,revision=web-bbb,statefulset=web 1']);
    });

    it('replace the revision series when the revision changes, keeping one series per object', async () => {
      statefulSets.upsert(statefulSet('web', 4, 3, rolledOutSts));
      statefulSets.upsert(statefulSet('web', 4, 3, { ...rolledOutSts, currentRevision: 'web-new', updateRevision: 'web-new' }));
      assert.deepEqual(await series('my_workload_statefulset_status_current_revision'), ['namespace=ns,revision=web-new,statefulset=web 1']);
    });

    it('export no revision series while the status has none, and spec.replicas defaults to 1', async () => {
      const sts = statefulSet('db', 1, 1, undefined);
      statefulSets.upsert({ ...sts, spec: { selector: sts.spec.selector, template: sts.spec.template } });
      assert.deepEqual(await series('my_workload_statefulset_status_current_revision'), []);
      assert.deepEqual(await series('my_workload_statefulset_replicas'), ['namespace=ns,statefulset=db 1']);
    });

    it('export spec.paused and the Progressing condition (docs/rollout-control.md)', async () => {
      statefulSets.upsert(statefulSet('web', 4, 3, { ...rolledOutSts, conditions: [condition('Progressing', 'Unknown', 'RolloutPaused')] }, { paused: true }));
      assert.deepEqual(await series('my_workload_statefulset_spec_paused'), ['namespace=ns,statefulset=web 1']);
      assert.equal(await metricValue('my_workload_statefulset_status_condition', { condition: 'Progressing', status: 'unknown', reason: 'RolloutPaused' }), 1);
    });
  });

  describe('MyDeployment gauges', () => {
    it('equal spec.replicas, spec.paused, the status counts and the generations of each cached object', async () => {
      deployments.upsert(
        deployment(
          'web',
          5,
          { observedGeneration: 4, replicas: 6, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 3, unavailableReplicas: 1 },
          { paused: true },
        ),
      );
      const want: Record<string, number> = {
        my_workload_deployment_spec_replicas: 3,
        my_workload_deployment_spec_paused: 1,
        my_workload_deployment_status_replicas: 6,
        my_workload_deployment_status_replicas_updated: 2,
        my_workload_deployment_status_replicas_ready: 4,
        my_workload_deployment_status_replicas_available: 3,
        my_workload_deployment_status_replicas_unavailable: 1,
        my_workload_deployment_status_observed_generation: 4,
        my_workload_deployment_metadata_generation: 5,
      };
      for (const [name, value] of Object.entries(want)) {
        assert.deepEqual(await series(name), [`deployment=web,namespace=ns ${value}`], name);
      }
    });

    it('report 0 for the counts and paused of a fresh object, and spec.replicas defaults to 1', async () => {
      const d = deployment('fresh', 1, undefined);
      deployments.upsert({ ...d, spec: { selector: d.spec.selector, template: d.spec.template } });
      assert.deepEqual(await series('my_workload_deployment_spec_replicas'), ['deployment=fresh,namespace=ns 1']);
      assert.deepEqual(await series('my_workload_deployment_spec_paused'), ['deployment=fresh,namespace=ns 0']);
      assert.deepEqual(await series('my_workload_deployment_status_replicas_available'), ['deployment=fresh,namespace=ns 0']);
      assert.deepEqual(await series('my_workload_deployment_status_condition'), []);
    });

    it('export three series per condition, 1 on its status, with its reason', async () => {
      deployments.upsert(
        deployment('web', 2, {
          ...rolledOutDeploy,
          conditions: [condition('Progressing', 'False', 'ProgressDeadlineExceeded'), condition('Available', 'Unknown', 'MinimumReplicasUnavailable')],
        }),
      );
      assert.deepEqual(await series('my_workload_deployment_status_condition'), [
        'condition=Available,deployment=web,namespace=ns,reason=MinimumReplicasUnavailable,status=false 0',
        'condition=Available,deployment=web,namespace=ns,reason=MinimumReplicasUnavailable,status=true 0',
        'condition=Available,deployment=web,namespace=ns,reason=MinimumReplicasUnavailable,status=unknown 1',
        'condition=Progressing,deployment=web,namespace=ns,reason=ProgressDeadlineExceeded,status=false 1',
        'condition=Progressing,deployment=web,namespace=ns,reason=ProgressDeadlineExceeded,status=true 0',
        'condition=Progressing,deployment=web,namespace=ns,reason=ProgressDeadlineExceeded,status=unknown 0',
      ]);
    });

    it('export a reason the deployment controller never sets as "unknown", keeping the label bounded', async () => {
      deployments.upsert(deployment('web', 2, { ...rolledOutDeploy, conditions: [condition('ReplicaFailure', 'True', 'Made up by someone')] }));
      assert.equal(await metricValue('my_workload_deployment_status_condition', { condition: 'ReplicaFailure', status: 'true', reason: 'unknown' }), 1);
    });

    it('follow a rollout that runs into its progress deadline', async () => {
      const labels = { deployment: 'web', condition: 'Progressing', status: 'false', reason: 'ProgressDeadlineExceeded' };
      deployments.upsert(deployment('web', 2, rolledOutDeploy));
      assert.equal(await hasSeries('my_workload_deployment_status_condition', labels), false);
      deployments.upsert(
        deployment('web', 2, {
          ...rolledOutDeploy,
          updatedReplicas: 1,
          conditions: [condition('Available', 'True', 'MinimumReplicasAvailable'), condition('Progressing', 'False', 'ProgressDeadlineExceeded')],
        }),
      );
      assert.equal(await metricValue('my_workload_deployment_status_condition', labels), 1);
      assert.equal(await metricValue('my_workload_deployment_status_replicas_updated', { deployment: 'web' }), 1);
    });
  });

  describe('MyReplicaSet gauges', () => {
    it('equal spec.replicas, the status counts and the generations of each cached object', async () => {
      replicaSets.upsert(replicaSet('web-7d9f', [], { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 2, observedGeneration: 1 }));
      const want: Record<string, number> = {
        my_workload_replicaset_spec_replicas: 4,
        my_workload_replicaset_status_replicas: 4,
        my_workload_replicaset_status_fully_labeled_replicas: 3,
        my_workload_replicaset_status_ready_replicas: 2,
        my_workload_replicaset_status_observed_generation: 1,
        my_workload_replicaset_metadata_generation: 2,
      };
      for (const [name, value] of Object.entries(want)) {
        assert.deepEqual(await series(name), [`namespace=ns,replicaset=web-7d9f ${value}`], name);
      }
    });

    it('name each owner in an info series, and "<none>" for an orphan', async () => {
      const owner = { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: 'web', uid: 'uid-web' };
      replicaSets.upsert(replicaSet('web-7d9f', [{ ...owner, controller: true }], undefined));
      replicaSets.upsert(replicaSet('shared', [{ ...owner, name: 'other' }], undefined));
      replicaSets.upsert(replicaSet('orphan', undefined, undefined));
      assert.deepEqual(await series('my_workload_replicaset_owner'), [
        'namespace=ns,owner_is_controller=<none>,owner_kind=<none>,owner_name=<none>,replicaset=orphan 1',
        'namespace=ns,owner_is_controller=false,owner_kind=MyDeployment,owner_name=other,replicaset=shared 1',
        'namespace=ns,owner_is_controller=true,owner_kind=MyDeployment,owner_name=web,replicaset=web-7d9f 1',
      ]);
    });
  });

  describe('an operator without MyDeployment and MyReplicaSet informers', () => {
    it('exports the other kinds and no series for those two', async () => {
      unregister();
      const onlyDs = new FakeInformer<MyDaemonSet>();
      unregister = collectWorkloadMetrics({ daemonSets: onlyDs, statefulSets: new FakeInformer() }, { clock });
      onlyDs.upsert(daemonSet('agent', 2, rolledOutDs));
      assert.deepEqual(await series('my_workload_daemonset_status_number_ready'), ['daemonset=agent,namespace=ns 3']);
      assert.deepEqual(await series('my_workload_deployment_spec_replicas'), []);
      assert.deepEqual(await series('my_workload_replicaset_owner'), []);
      assert.deepEqual(await series('my_workload_rollout_in_progress'), ['kind=MyDaemonSet,name=agent,namespace=ns 0']);
    });
  });

  describe('deleted objects', () => {
    it('leave no series behind in any gauge', async () => {
      const ds = daemonSet('agent', 2, rolledOutDs);
      const sts = statefulSet('web', 4, 3, rolledOutSts);
      const d = deployment('api', 2, rolledOutDeploy);
      const rs = replicaSet('api-5f6c', undefined, { replicas: 3 });
      daemonSets.upsert(ds);
      daemonSets.upsert(daemonSet('other', 2, rolledOutDs));
      statefulSets.upsert(sts);
      deployments.upsert(d);
      replicaSets.upsert(rs);
      assert.equal(await hasSeries('my_workload_daemonset_status_number_ready', { daemonset: 'agent' }), true);
      assert.equal(await hasSeries('my_workload_rollout_in_progress', { name: 'web' }), true);
      assert.equal(await hasSeries('my_workload_rollout_in_progress', { name: 'api' }), true);
      assert.equal(await hasSeries('my_workload_deployment_status_condition', { deployment: 'api' }), true);
      assert.equal(await hasSeries('my_workload_replicaset_owner', { replicaset: 'api-5f6c' }), true);

      daemonSets.delete(ds);
      statefulSets.delete(sts);
      deployments.delete(d);
      replicaSets.delete(rs);
      const names = (await registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('my_workload_') && !n.includes('_total'));
      assert.ok(names.length >= 38, `expected the workload gauges, got ${names.join(', ')}`);
      for (const name of names) {
        assert.equal(await hasSeries(name, { daemonset: 'agent' }), false, name);
        assert.equal(await hasSeries(name, { statefulset: 'web' }), false, name);
        assert.equal(await hasSeries(name, { deployment: 'api' }), false, name);
        assert.equal(await hasSeries(name, { replicaset: 'api-5f6c' }), false, name);
        for (const obj of ['web', 'agent', 'api']) assert.equal(await hasSeries(name, { name: obj }), false, name);
      }
      assert.deepEqual(await series('my_workload_rollout_in_progress'), ['kind=MyDaemonSet,name=other,namespace=ns 0']);
    });

    it('stop being exported once their source is unregistered', async () => {
      daemonSets.upsert(daemonSet('agent', 2, rolledOutDs));
      unregister();
      assert.deepEqual(await series('my_workload_daemonset_status_number_ready'), []);
      unregister = collectWorkloadMetrics({ daemonSets: new FakeInformer(), statefulSets: new FakeInformer() }, { clock });
    });
  });

  describe('rollout in progress', () => {
    it('is 0 for a rolled-out object of each kind and 1 while a rollout runs', async () => {
      daemonSets.upsert(daemonSet('done', 2, rolledOutDs));
      daemonSets.upsert(daemonSet('rolling', 2, { ...rolledOutDs, updatedNumberScheduled: 1 }));
      statefulSets.upsert(statefulSet('done', 4, 3, rolledOutSts));
      statefulSets.upsert(statefulSet('rolling', 4, 3, { ...rolledOutSts, readyReplicas: 2 }));
      deployments.upsert(deployment('done', 2, rolledOutDeploy));
      deployments.upsert(deployment('rolling', 2, { ...rolledOutDeploy, availableReplicas: 2 }));
      assert.deepEqual(await series('my_workload_rollout_in_progress'), [
        'kind=MyDaemonSet,name=done,namespace=ns 0',
        'kind=MyDaemonSet,name=rolling,namespace=ns 1',
        'kind=MyDeployment,name=done,namespace=ns 0',
        'kind=MyDeployment,name=rolling,namespace=ns 1',
        'kind=MyStatefulSet,name=done,namespace=ns 0',
        'kind=MyStatefulSet,name=rolling,namespace=ns 1',
      ]);
    });

    it('flips a MyDeployment to 0 when it exceeds its progress deadline, and records when', async () => {
      const labels = { kind: 'MyDeployment', namespace: 'ns', name: 'web' };
      const stuck = { ...rolledOutDeploy, updatedReplicas: 1, availableReplicas: 2 };
      deployments.upsert(deployment('web', 2, stuck));
      assert.equal(await metricValue('my_workload_rollout_in_progress', labels), 1);
      clock.advance(600_000);
      deployments.upsert(deployment('web', 2, { ...stuck, conditions: [condition('Progressing', 'False', 'ProgressDeadlineExceeded')] }));
      assert.equal(await metricValue('my_workload_rollout_in_progress', labels), 0);
      assert.equal(await metricValue('my_workload_rollout_last_transition_timestamp_seconds', labels), clock.now() / 1000);
    });

    it('records the time of each flip, and not of updates that keep the state', async () => {
      const t0 = clock.now();
      daemonSets.upsert(daemonSet('agent', 2, rolledOutDs));
      const labels = { kind: 'MyDaemonSet', namespace: 'ns', name: 'agent' };
      assert.equal(await metricValue('my_workload_rollout_last_transition_timestamp_seconds', labels), t0 / 1000);

      clock.advance(30_000);
      daemonSets.upsert(daemonSet('agent', 3, rolledOutDs)); // new spec not yet observed: starts
      const started = clock.now();
      clock.advance(10_000);
      daemonSets.upsert(daemonSet('agent', 3, { ...rolledOutDs, observedGeneration: 3, updatedNumberScheduled: 1 }));
      assert.equal(await metricValue('my_workload_rollout_in_progress', labels), 1);
      assert.equal(await metricValue('my_workload_rollout_last_transition_timestamp_seconds', labels), started / 1000);

      clock.advance(5_500);
      daemonSets.upsert(daemonSet('agent', 3, { ...rolledOutDs, observedGeneration: 3 }));
      const finished = clock.now();
      clock.advance(60_000); // a scrape later does not move it
      assert.equal(await metricValue('my_workload_rollout_in_progress', labels), 0);
      assert.equal(await metricValue('my_workload_rollout_last_transition_timestamp_seconds', labels), finished / 1000);
    });

    it('forgets the timestamp on delete, so a recreated object starts from its own first sighting', async () => {
      const ds = daemonSet('agent', 1, rolledOutDs);
      daemonSets.upsert(ds);
      clock.advance(100_000);
      daemonSets.delete(ds);
      clock.advance(100_000);
      daemonSets.upsert({ ...ds, metadata: { ...ds.metadata, uid: 'uid-2' } });
      const labels = { kind: 'MyDaemonSet', name: 'agent' };
      assert.equal(await metricValue('my_workload_rollout_last_transition_timestamp_seconds', labels), clock.now() / 1000);
    });

    it('restarts the timestamp when the name is reused by a new UID without a delete event', async () => {
      const sts = statefulSet('web', 4, 3, rolledOutSts);
      statefulSets.upsert(sts);
      clock.advance(42_000);
      statefulSets.upsert({ ...sts, metadata: { ...sts.metadata, uid: 'uid-new' } });
      assert.equal(await metricValue('my_workload_rollout_last_transition_timestamp_seconds', { name: 'web' }), clock.now() / 1000);
    });
  });

  describe('kubectl rollout status rules', () => {
    const dsTable: { name: string; ds: MyDaemonSet; inProgress: boolean }[] = [
      { name: 'done when observed and every desired pod is updated and available', ds: daemonSet('a', 2, rolledOutDs), inProgress: false },
      { name: 'running while the spec is not observed', ds: daemonSet('a', 3, rolledOutDs), inProgress: true },
      { name: 'running without status', ds: daemonSet('a', 1, undefined), inProgress: true },
      { name: 'running while updated < desired', ds: daemonSet('a', 2, { ...rolledOutDs, updatedNumberScheduled: 2 }), inProgress: true },
      { name: 'running while available < desired', ds: daemonSet('a', 2, { ...rolledOutDs, numberAvailable: 2 }), inProgress: true },
      {
        name: 'done with zero desired nodes',
        ds: daemonSet('a', 1, { observedGeneration: 1, desiredNumberScheduled: 0 }),
        inProgress: false,
      },
      {
        name: 'never running under OnDelete',
        ds: daemonSet('a', 3, { ...rolledOutDs, numberAvailable: 0 }, { updateStrategy: { type: 'OnDelete' } }),
        inProgress: false,
      },
      {
        name: 'done once a partitioned canary is complete (Progressing RolloutComplete), though not every node is updated',
        ds: daemonSet(
          'a',
          2,
          { ...rolledOutDs, updatedNumberScheduled: 1, conditions: [condition('Progressing', 'True', 'RolloutComplete')] },
          { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, partition: 2 } } },
        ),
        inProgress: false,
      },
      {
        name: 'running while a partitioned canary is not complete',
        ds: daemonSet(
          'a',
          2,
          { ...rolledOutDs, updatedNumberScheduled: 0, conditions: [condition('Progressing', 'True', 'RolloutProgressing')] },
          { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, partition: 2 } } },
        ),
        inProgress: true,
      },
      {
        name: 'not running once past its progress deadline (the CLI stops with an error)',
        ds: daemonSet('a', 2, { ...rolledOutDs, updatedNumberScheduled: 1, conditions: [condition('Progressing', 'False', 'ProgressDeadlineExceeded')] }),
        inProgress: false,
      },
      {
        name: 'not running while an automatic rollback is in force',
        ds: daemonSet('a', 2, {
          ...rolledOutDs,
          rollback: { generation: 2, revision: 'a-1', revisionNumber: 1, failedRevision: 'a-2', failedRevisionNumber: 2 },
          conditions: [condition('Progressing', 'True', 'RolloutComplete'), condition('RolledBack', 'True', 'ProgressDeadlineExceeded')],
        }),
        inProgress: false,
      },
    ];
    for (const row of dsTable) {
      it(`MyDaemonSet: ${row.name}`, () => assert.equal(daemonSetRolloutInProgress(row.ds), row.inProgress));
    }

    const stsTable: { name: string; sts: MyStatefulSet; inProgress: boolean }[] = [
      { name: 'done when observed, all ready and all updated', sts: statefulSet('w', 4, 3, rolledOutSts), inProgress: false },
      { name: 'running while observedGeneration is 0', sts: statefulSet('w', 0, 3, { ...rolledOutSts, observedGeneration: 0 }), inProgress: true },
      { name: 'running while the spec is not observed', sts: statefulSet('w', 5, 3, rolledOutSts), inProgress: true },
      { name: 'running while ready < replicas', sts: statefulSet('w', 4, 4, rolledOutSts), inProgress: true },
      {
        name: 'running while the update revision is not rolled out',
        sts: statefulSet('w', 4, 3, { ...rolledOutSts, updatedReplicas: 2, currentReplicas: 1, updateRevision: 'web-new' }),
        inProgress: true,
      },
      {
        name: 'running while updated < replicas with the apps/v1 default partition 0',
        sts: statefulSet('w', 4, 3, { ...rolledOutSts, updatedReplicas: 2 }, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } }),
        inProgress: true,
      },
      {
        name: 'done once the ordinals above the partition are updated',
        sts: statefulSet('w', 4, 3, { ...rolledOutSts, updatedReplicas: 1 }, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
        inProgress: false,
      },
      {
        name: 'running while the ordinals above the partition are not all updated',
        sts: statefulSet('w', 4, 3, { ...rolledOutSts, updatedReplicas: 1 }, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }),
        inProgress: true,
      },
      {
        name: 'never running under OnDelete',
        sts: statefulSet('w', 5, 3, { ...rolledOutSts, readyReplicas: 0 }, { updateStrategy: { type: 'OnDelete' } }),
        inProgress: false,
      },
    ];
    for (const row of stsTable) {
      it(`MyStatefulSet: ${row.name}`, () => assert.equal(statefulSetRolloutInProgress(row.sts), row.inProgress));
    }

    const deployTable: { name: string; d: MyDeployment; inProgress: boolean }[] = [
      { name: 'done when observed and every replica is updated and available', d: deployment('d', 2, rolledOutDeploy), inProgress: false },
      { name: 'running while the spec is not observed', d: deployment('d', 3, rolledOutDeploy), inProgress: true },
      { name: 'running while updated < spec.replicas', d: deployment('d', 2, { ...rolledOutDeploy, updatedReplicas: 2 }), inProgress: true },
      { name: 'running while old replicas are pending termination', d: deployment('d', 2, { ...rolledOutDeploy, replicas: 4 }), inProgress: true },
      { name: 'running while available < updated', d: deployment('d', 2, { ...rolledOutDeploy, availableReplicas: 2 }), inProgress: true },
      { name: 'running while paused mid-rollout (kubectl keeps waiting)', d: deployment('d', 2, { ...rolledOutDeploy, updatedReplicas: 1 }, { paused: true }), inProgress: true },
      {
        name: 'not running once past the progress deadline (kubectl stops with an error)',
        d: deployment('d', 2, { ...rolledOutDeploy, updatedReplicas: 1, conditions: [condition('Progressing', 'False', 'ProgressDeadlineExceeded')] }),
        inProgress: false,
      },
    ];
    for (const row of deployTable) {
      it(`MyDeployment: ${row.name}`, () => assert.equal(deploymentRolloutInProgress(row.d), row.inProgress));
    }
  });
});
