import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.ts';
import type { MyDaemonSet, MyDaemonSetStatus, MyStatefulSet, MyStatefulSetStatus } from '../../src/api/workloads.ts';
import {
  collectWorkloadMetrics,
  daemonSetRolloutInProgress,
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
  let clock: FakeClock;
  let unregister: () => void;

  beforeEach(() => {
    daemonSets = new FakeInformer();
    statefulSets = new FakeInformer();
    clock = new FakeClock(1_700_000_000_000);
    unregister = collectWorkloadMetrics({ daemonSets, statefulSets }, { clock });
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
  });

  describe('deleted objects', () => {
    it('leave no series behind in any gauge', async () => {
      const ds = daemonSet('agent', 2, rolledOutDs);
      const sts = statefulSet('web', 4, 3, rolledOutSts);
      daemonSets.upsert(ds);
      daemonSets.upsert(daemonSet('other', 2, rolledOutDs));
      statefulSets.upsert(sts);
      assert.equal(await hasSeries('my_workload_daemonset_status_number_ready', { daemonset: 'agent' }), true);
      assert.equal(await hasSeries('my_workload_rollout_in_progress', { name: 'web' }), true);

      daemonSets.delete(ds);
      statefulSets.delete(sts);
      const names = (await registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('my_workload_') && !n.includes('_total'));
      assert.ok(names.length >= 21, `expected the workload gauges, got ${names.join(', ')}`);
      for (const name of names) {
        assert.equal(await hasSeries(name, { daemonset: 'agent' }), false, name);
        assert.equal(await hasSeries(name, { statefulset: 'web' }), false, name);
        assert.equal(await hasSeries(name, { name: 'web' }), false, name);
        assert.equal(await hasSeries(name, { name: 'agent' }), false, name);
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
      assert.deepEqual(await series('my_workload_rollout_in_progress'), [
        'kind=MyDaemonSet,name=done,namespace=ns 0',
        'kind=MyDaemonSet,name=rolling,namespace=ns 1',
        'kind=MyStatefulSet,name=done,namespace=ns 0',
        'kind=MyStatefulSet,name=rolling,namespace=ns 1',
      ]);
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
  });
});
