// MyStatefulSet as an API object, ported from upstream test/e2e/apps/statefulset.go: list, patch
// and delete a collection; the status endpoints, where conditions written by others survive the
// controller's own status writes (upstream drops them, see spec statefulset.md); minReadySeconds and
// availableReplicas.
import assert from 'node:assert/strict';
import type { WorkloadCondition } from '../../../src/api/meta.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyStatefulSet } from '../../../src/api/workloads.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { isConflict } from '../../../src/runtime/client/errors.ts';
import { resourcePath } from '../../../src/runtime/client/rest.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';
import { isReady, podImage, podName } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  createHeadlessService,
  getMsts,
  newMyStatefulSet,
  podCreations,
  podNames,
  setPods,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatus,
  waitSettled,
  withSpec,
} from '../support/statefulset.ts';

const podLabels = { name: 'sample-pod', pod: 'agnhost' };
const pauseImage = 'registry.k8s.io/pause:3.10';

function hasCondition(set: MyStatefulSet, type: string): WorkloadCondition | undefined {
  return set.status?.conditions?.find((c) => c.type === type);
}

describe('MyStatefulSet API: collections, status endpoints, minReadySeconds (upstream statefulset.go)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('sts-status');
    await createHeadlessService(ns.name, 'test', podLabels);
  });
  afterEach(async () => ns.remove());

  it('lists, patches and deletes a collection of MyStatefulSets', async () => {
    const client = await testClient();
    const created = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'test-ss', { replicas: 1, labels: podLabels }));
    await waitForRunningAndReady(created, ['test-ss-0']);
    await waitSettled(ns.name, 'test-ss', 1);

    // A merge patch (custom resources take no strategic merge): labels, replicas and the template.
    const patched = await client.patch(myStatefulSets, ns.name, 'test-ss', 'merge', {
      metadata: { labels: { 'test-ss': 'patched', 'e2e-namespace': ns.name } },
      spec: { replicas: 2, template: { spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'test-ss', image: pauseImage }] } } },
    });
    assert.ok(BigInt(patched.metadata.resourceVersion ?? '0') > BigInt(created.metadata.resourceVersion ?? '0'), 'the patch did not raise the resourceVersion');
    const got = await getMsts(ns.name, 'test-ss');
    assert.equal(got.spec.replicas, 2);
    assert.equal(got.spec.template.spec.containers[0]?.image, pauseImage);
    await waitSettled(ns.name, 'test-ss', 2);
    const running = await waitForRunningAndReady(created, podNames('test-ss', 2));
    for (const pod of running) assert.equal(podImage(pod), pauseImage);

    const selector = `test-ss=patched,e2e-namespace=${ns.name}`;
    const listed = await client.list(myStatefulSets, { labelSelector: selector });
    assert.deepEqual(listed.items.map((s) => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`), [`${ns.name}/test-ss`]);

    await client.deleteCollection(myStatefulSets, { namespace: ns.name, labelSelector: selector, gracePeriodSeconds: 1 });
    const after = await client.list(myStatefulSets, { labelSelector: selector });
    assert.deepEqual(after.items, []);
    // Its pods go with it (garbage collector, through their controller references).
    await waitFor('the pods of the deleted MyStatefulSet gone', async () => (await client.list(pods, { namespace: ns.name })).items, (ps) => ps.length === 0);
  });

  it('reads, updates and patches the status subresource, and keeps conditions it does not own through its own status writes', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 1, labels: podLabels }));
    await waitForRunningAndReady(set, ['ss-0']);
    await waitSettled(ns.name, 'ss', 1);
    const statusPath = resourcePath(myStatefulSets, ns.name, 'ss', 'status');

    const watch = await Recorder.start(myStatefulSets, ns.name);
    try {
      await client.patch(myStatefulSets, ns.name, 'ss', 'merge', { metadata: { labels: { e2e: 'testing' } } });
      const viaStatus = await client.request<MyStatefulSet>({ method: 'GET', path: statusPath });
      assert.equal(viaStatus.metadata.name, 'ss');
      assert.equal(viaStatus.status?.replicas, 1);
      assert.equal(viaStatus.metadata.labels?.e2e, 'testing');

      // PUT /status with a condition added (retried on conflict: the controller writes status too).
      for (let attempt = 0; ; attempt++) {
        const current = await getMsts(ns.name, 'ss');
        const conditions = [...(current.status?.conditions ?? []), { type: 'StatusUpdate', status: 'True' as const, reason: 'E2E', message: 'Set from e2e test' }];
        try {
          await client.update(myStatefulSets, { ...current, status: { ...current.status, conditions } }, { subresource: 'status' });
          break;
        } catch (err) {
          if (!isConflict(err) || attempt >= 20) throw err;
        }
      }
      await watch.waitState('the StatusUpdate condition', (state) =>
        [...state.values()].some((s) => s.metadata.labels?.e2e === 'testing' && hasCondition(s, 'StatusUpdate')?.message === 'Set from e2e test'),
      );

      // A merge patch of status: the conditions list is replaced by this one.
      await client.patch(myStatefulSets, ns.name, 'ss', 'merge', { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } }, { subresource: 'status' });
      await watch.waitState('the StatusPatched condition', (state) => [...state.values()].some((s) => hasCondition(s, 'StatusPatched') !== undefined));
      const patchedAt = watch.events.findIndex((e) => hasCondition(e.object, 'StatusPatched') !== undefined);
      const generation = (await getMsts(ns.name, 'ss')).metadata.generation ?? 0;

      // Make the controller write status: a new generation, a new replica, its readiness.
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 2 }));
      await waitForRunningAndReady(set, podNames('ss', 2));
      await waitSettled(ns.name, 'ss', 2);
      await watch.caughtUp();

      // Every state after the patch kept the condition, and the controller did write status meanwhile.
      const after = watch.events.slice(patchedAt);
      for (const e of after) {
        assert.deepEqual(hasCondition(e.object, 'StatusPatched'), { type: 'StatusPatched', status: 'True' }, `status lost the condition: ${JSON.stringify(e.object.status)}`);
      }
      const controllerWrites = after.filter((e) => (e.object.status?.observedGeneration ?? 0) > generation || e.object.status?.replicas === 2);
      assert.ok(controllerWrites.length >= 2, `the controller wrote status ${controllerWrites.length} times after the patch`);
      const final = await getMsts(ns.name, 'ss');
      assert.equal(final.status?.readyReplicas, 2);
      // Kept as patched; the controller's own Progressing (docs/rollout-control.md), which the patch
      // removed, is set again beside it.
      assert.deepEqual(
        final.status?.conditions?.filter((c) => c.type !== 'Progressing'),
        [{ type: 'StatusPatched', status: 'True' }],
      );
      assert.equal(final.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'RolloutComplete');
    } finally {
      await watch.stop();
    }
  });

  it('counts a pod available only minReadySeconds after it turned Ready, and waits for availability before the next pod', async () => {
    const client = await testClient();
    const minReadySeconds = 5;
    const podWatch = await Recorder.start(pods, ns.name);
    const setWatch = await Recorder.start(myStatefulSets, ns.name);
    try {
      const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'test-ss', { replicas: 2, labels: podLabels, spec: { minReadySeconds } }));
      const available = await waitForStatus(ns.name, 'test-ss', 'availableReplicas 2', (s) => s.status?.availableReplicas === 2, { timeoutMs: 60_000 });
      assert.equal(available.status?.readyReplicas, 2);
      await podWatch.caughtUp();
      await setWatch.caughtUp();

      // The controller reads the Ready condition's lastTransitionTime (second resolution).
      const readySince = (name: string): number => {
        const pod = (podWatch.events.find((e) => podName(e.object) === name && isReady(e.object)) ?? { object: undefined }).object;
        const ready = pod?.status?.conditions?.find((c) => c.type === 'Ready');
        const t = Date.parse(ready?.lastTransitionTime ?? '');
        assert.ok(!Number.isNaN(t), `${name} never turned Ready in the watch`);
        return t;
      };
      const ready0 = readySince('test-ss-0');
      const firstAvailable = setWatch.events.find((e) => (e.object.status?.availableReplicas ?? 0) >= 1);
      assert.ok(firstAvailable, 'availableReplicas never reached 1');
      const tolerance = 100; // one clock on this machine; only the event's delivery lags
      assert.ok(firstAvailable.at >= ready0 + minReadySeconds * 1000 - tolerance, `available ${firstAvailable.at - ready0} ms after Ready`);
      // Requeued for the moment it becomes available, not left to a resync.
      assert.ok(firstAvailable.at <= ready0 + (minReadySeconds + 1) * 1000 + 5_000, `available only ${firstAvailable.at - ready0} ms after Ready`);
      // OrderedReady waits for availability, not just readiness, before creating test-ss-1.
      const second = podCreations(podWatch).find((c) => c.name === 'test-ss-1');
      assert.ok(second);
      assert.ok(podWatch.events[second.index] && (podWatch.events[second.index]?.at ?? 0) >= ready0 + minReadySeconds * 1000 - tolerance, 'test-ss-1 was created before test-ss-0 was available');
      // Before that, status never counted an unavailable pod as available.
      for (const e of setWatch.events) {
        const s = e.object.status;
        assert.ok((s?.availableReplicas ?? 0) <= (s?.readyReplicas ?? 0), `availableReplicas above readyReplicas: ${JSON.stringify(s)}`);
      }

      // An hour: nothing is available any more; zero: both are at once.
      await updateMyStatefulSet(ns.name, 'test-ss', (s) => withSpec(s, { minReadySeconds: 3600 }));
      const hour = await waitForStatus(ns.name, 'test-ss', 'availableReplicas 0', (s) => s.status?.availableReplicas === 0);
      assert.equal(hour.status?.readyReplicas, 2);
      await updateMyStatefulSet(ns.name, 'test-ss', (s) => withSpec(s, { minReadySeconds: 0 }));
      await waitForStatus(ns.name, 'test-ss', 'availableReplicas 2', (s) => s.status?.availableReplicas === 2);
      const yaml = await kubectl(['get', 'msts', 'test-ss', '-n', ns.name, '-o', 'yaml']);
      assert.match(yaml, /availableReplicas: 2/);
      assert.deepEqual((await setPods(set)).map(podName), podNames('test-ss', 2));
    } finally {
      await podWatch.stop();
      await setWatch.stop();
    }
  });
});
