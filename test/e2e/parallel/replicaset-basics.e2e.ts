// MyReplicaSet and its pods, ported from upstream test/e2e/apps/replica_set.go (adopt matching
// orphans, release pods whose labels stop matching) plus the controller's pod lifecycle: pods named
// from `<rs>-`, status counters (fullyLabeled, ready, available after minReadySeconds,
// terminating), a Failed pod replaced but left in place, and which pods a scale-down removes first
// (unscheduled, not Ready, deletion cost, Ready time in log-scale buckets, restarts).
//
// Pods turn Ready within a second here: order and "never" are read from a watch opened before the
// action, never from polls.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { pods } from '../../../src/api/resources.ts';
import { myReplicaSets } from '../../../src/api/workloads.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { controlledBy, controllerUid, isDeleting, isReady, podName, uidOf, updateWithRetries } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import { setPodReadiness } from '../support/statefulset.ts';
import {
  agnhostImage,
  agnhostImageName,
  describePods,
  getRs,
  labelSelector,
  newMyReplicaSet,
  podCreations,
  podDeletions,
  quietMs,
  rsPods,
  rsSettled,
  stateBefore,
  updateMyReplicaSet,
  waitForPodsRunningReady,
  waitForRs,
} from '../support/deployment.ts';

const holdFinalizer = 'e2e.my.dev/hold';

describe('MyReplicaSet pods: adoption, release, naming, counters, failed and terminating pods, deletion order (upstream replica_set.go)', function () {
  this.timeout(240_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('mrs-basics');
  });
  afterEach(async () => ns.remove());

  it('adopts a matching orphan pod on creation and releases a pod whose labels stop matching', async () => {
    const client = await testClient();
    const name = 'pod-adoption-release';
    const rsLabels = { name };
    // upstream: a Running pod with the label exists before the ReplicaSet.
    const orphan = await client.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns.name, labels: rsLabels },
      spec: { containers: [{ name, image: agnhostImage }] },
    });
    await waitForPodsRunningReady(ns.name, rsLabels, 1);

    const watch = await Recorder.start(pods, ns.name);
    try {
      const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, name, 1, rsLabels, name, agnhostImage));
      const adopted = await watch.waitState('the orphan adopted', (state) => [...state.values()].some((p) => uidOf(p) === uidOf(orphan) && controlledBy(p, rs)));
      const ref = [...adopted.values()].find((p) => uidOf(p) === uidOf(orphan))?.metadata.ownerReferences?.find((r) => r.controller === true);
      assert.deepEqual(ref, { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyReplicaSet', name, uid: uidOf(rs), controller: true, blockOwnerDeletion: true });
      await waitForRs(ns.name, name, '1 replica ready', rsSettled(1));
      // Adopted, not replaced: the RS created nothing of its own.
      assert.deepEqual(podCreations(watch).map((c) => podName(c.pod)), [], 'the ReplicaSet created a pod although the orphan satisfied it');

      // The label changes: the pod is released (left running), and the RS makes a replacement.
      await updateWithRetries(pods, ns.name, name, (p) => ({ ...p, metadata: { ...p.metadata, labels: { name: 'not-matching-name' } } }));
      await watch.waitState('the relabelled pod released and a replacement Ready', (state) => {
        const released = [...state.values()].find((p) => uidOf(p) === uidOf(orphan));
        const replacement = [...state.values()].filter((p) => controlledBy(p, rs) && isReady(p) && !isDeleting(p));
        return released !== undefined && controllerUid(released) === undefined && replacement.length === 1;
      });
      const released = await client.get(pods, ns.name, name);
      assert.deepEqual(released.metadata.ownerReferences ?? [], [], 'the released pod still names an owner');
      assert.ok(!isDeleting(released), 'the released pod was deleted');
      await waitForRs(ns.name, name, '1 replica ready after the release', rsSettled(1));
    } finally {
      await watch.stop();
    }
  });

  it('names pods <rs>-<random> from generateName, copies template labels and annotations, and counts fully labelled, ready and available replicas', async () => {
    const client = await testClient();
    // 60 characters: the API server cuts generateName's base to 58 before appending 5 random characters.
    const name = `rs-${'n'.repeat(57)}`;
    assert.equal(name.length, 60);
    const selector = { app: 'counters' };
    const templateLabels = { app: 'counters', tier: 'web' };
    const minReadySeconds = 5;
    const base = newMyReplicaSet(ns.name, name, 3, selector, agnhostImageName, agnhostImage, { spec: { minReadySeconds } });
    const podSpec = base.spec.template?.spec ?? { containers: [] };
    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      const rs = await client.create(myReplicaSets, {
        ...base,
        spec: { ...base.spec, template: { metadata: { labels: templateLabels, annotations: { 'e2e.my.dev/note': 'copied' } }, spec: podSpec } },
      });
      const running = await waitForPodsRunningReady(ns.name, selector, 3);
      for (const pod of running) {
        assert.equal(pod.metadata.generateName, `${name}-`);
        assert.match(podName(pod), new RegExp(`^${`${name}-`.slice(0, 58)}[a-z0-9]{5}$`), `pod name ${podName(pod)}`);
        // (the cluster adds a zone label of its own)
        for (const [k, v] of Object.entries(templateLabels)) assert.equal(pod.metadata.labels?.[k], v, `label ${k} of ${podName(pod)}`);
        assert.equal(pod.metadata.annotations?.['e2e.my.dev/note'], 'copied');
        assert.ok(controlledBy(pod, rs));
      }
      const available = await waitForRs(ns.name, name, 'availableReplicas 3', rsSettled(3), { timeoutMs: 60_000 });
      assert.equal(available.status?.fullyLabeledReplicas, 3);
      await rsWatch.caughtUp();
      await podWatch.caughtUp();

      // availableReplicas rose only minReadySeconds after the pods turned Ready (second resolution).
      const readySince = Math.min(
        ...running.map((p) => Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '')),
      );
      const firstAvailable = rsWatch.events.find((e) => (e.object.status?.availableReplicas ?? 0) > 0);
      assert.ok(firstAvailable, 'availableReplicas never rose in the watch');
      assert.ok(firstAvailable.at >= readySince + minReadySeconds * 1000 - 1_100, `available ${firstAvailable.at - readySince} ms after the first Ready`);
      // Requeued for that moment, not left to a resync.
      assert.ok(firstAvailable.at <= readySince + (minReadySeconds + 1) * 1000 + 10_000, `available only ${firstAvailable.at - readySince} ms after Ready`);
      for (const e of rsWatch.events) {
        const s = e.object.status ?? {};
        assert.ok((s.availableReplicas ?? 0) <= (s.readyReplicas ?? 0), `available above ready: ${JSON.stringify(s)}`);
        assert.ok((s.readyReplicas ?? 0) <= (s.replicas ?? 0), `ready above replicas: ${JSON.stringify(s)}`);
      }

      // A pod that loses a template label (still matching the selector) stays, but is not fully labelled.
      const first = running[0];
      assert.ok(first);
      await updateWithRetries(pods, ns.name, podName(first), (p) => ({ ...p, metadata: { ...p.metadata, labels: selector } }));
      const partial = await waitForRs(ns.name, name, 'fullyLabeledReplicas 2', (r) => r.status?.fullyLabeledReplicas === 2);
      assert.deepEqual({ replicas: partial.status?.replicas, ready: partial.status?.readyReplicas }, { replicas: 3, ready: 3 });
      assert.ok(controlledBy(await client.get(pods, ns.name, podName(first)), rs), 'the partly labelled pod was released');
    } finally {
      await rsWatch.stop();
      await podWatch.stop();
    }
    // Exactly 3 pods were ever created: the relabelled one was not replaced.
    assert.equal(podCreations(podWatch).length, 3, describePods(podCreations(podWatch).map((c) => c.pod)).join('; '));
  });

  it('replaces a Failed pod with a new one and leaves the Failed pod in place', async () => {
    const client = await testClient();
    const labels = { name: 'failed-pods' };
    const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'failed-pods', 2, labels, agnhostImageName, agnhostImage));
    await waitForRs(ns.name, 'failed-pods', '2 replicas ready', rsSettled(2));
    const [victim] = await rsPods(rs);
    assert.ok(victim);

    const watch = await Recorder.start(pods, ns.name);
    try {
      // The kubelet evicts it: phase Failed.
      await client.patch(pods, ns.name, podName(victim), 'merge', { status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' } }, { subresource: 'status' });
      await watch.waitState('a replacement Ready beside the Failed pod', (state) => {
        const live = [...state.values()].filter((p) => controlledBy(p, rs) && p.status?.phase === 'Running' && isReady(p) && !isDeleting(p));
        return live.length === 2 && !live.some((p) => uidOf(p) === uidOf(victim));
      });
      const settled = await waitForRs(ns.name, 'failed-pods', '2 active replicas', rsSettled(2));
      assert.equal(settled.status?.replicas, 2, 'the Failed pod is still counted');
      // The Failed pod is not deleted by the controller (pod GC removes terminated pods, not us).
      await watch.expectNoEventFor(quietMs, 'the Failed pod was deleted', (e) => uidOf(e.object) === uidOf(victim) && (e.type === 'DELETED' || isDeleting(e.object)));
      const failed = await client.get(pods, ns.name, podName(victim));
      assert.equal(failed.status?.phase, 'Failed');
      assert.ok(!isDeleting(failed));
      assert.equal(podCreations(watch).length, 1, 'exactly one replacement');
    } finally {
      await watch.stop();
    }
  });

  it('removes unscheduled pods first, then not-Ready ones, then the lowest pod-deletion-cost, when it has too many', async () => {
    const client = await testClient();
    const labels = { name: 'ranking' };
    const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'ranking', 3, labels, agnhostImageName, agnhostImage));
    await waitForRs(ns.name, 'ranking', '3 replicas ready', rsSettled(3));
    const [unready, cheap, dear] = await rsPods(rs);
    assert.ok(unready && cheap && dear);
    // One pod's readiness probe fails; among the Ready ones, one is cheaper to delete.
    await setPodReadiness(ns.name, podName(unready), false);
    await client.patch(pods, ns.name, podName(cheap), 'merge', { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-100' } } });
    await client.patch(pods, ns.name, podName(dear), 'merge', { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '100' } } });
    await waitForRs(ns.name, 'ranking', 'readyReplicas 2', (r) => r.status?.readyReplicas === 2);

    const watch = await Recorder.start(pods, ns.name);
    try {
      // An orphan the scheduler can never place: adopted, then the first to go (4 pods for 3 replicas).
      const stray = await client.create(pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'unscheduled', namespace: ns.name, labels },
        spec: { nodeSelector: { 'e2e.my.dev/no-such-node': 'true' }, terminationGracePeriodSeconds: 0, containers: [{ name: agnhostImageName, image: agnhostImage }] },
      });
      await watch.waitState('the unscheduled orphan removed', () => podDeletions(watch).some((d) => d.uid === uidOf(stray)));
      assert.ok(
        watch.events.some((e) => uidOf(e.object) === uidOf(stray) && controlledBy(e.object, rs)),
        'the orphan was removed without being adopted first',
      );
      assert.deepEqual(podDeletions(watch).map((d) => podName(d.pod)), ['unscheduled'], 'a scheduled pod went before the unscheduled one');

      // Down to 1: the not-Ready pod and the cheaper Ready one go; the dear one stays.
      await updateMyReplicaSet(ns.name, 'ranking', (r) => ({ ...r, spec: { ...r.spec, replicas: 1 } }));
      await waitForRs(ns.name, 'ranking', '1 replica', (r) => r.status?.replicas === 1 && (r.status.observedGeneration ?? 0) >= (r.metadata.generation ?? 1));
      await watch.caughtUp();
      const removed = podDeletions(watch).slice(1);
      assert.deepEqual(
        removed.map((d) => podName(d.pod)).sort(),
        [podName(unready), podName(cheap)].sort(),
        `removed ${removed.map((d) => podName(d.pod)).join(', ')}; before: ${describePods(stateBefore(watch, removed[0]?.index ?? 0).values()).join('; ')}`,
      );
      const left: Pod[] = await rsPods(await getRs(ns.name, 'ranking'));
      assert.deepEqual(left.filter((p) => !isDeleting(p)).map(podName), [podName(dear)]);
      assert.equal(podCreations(watch).length, 1, 'only the test created a pod');
    } finally {
      await watch.stop();
    }
  });

  it('among Ready pods, removes the most recently Ready first (log-scale buckets), then the most restarted', async () => {
    const client = await testClient();
    const labels = { name: 'ready-age' };
    const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'ready-age', 4, labels, agnhostImageName, agnhostImage));
    await waitForRs(ns.name, 'ready-age', '4 replicas ready', rsSettled(4));
    const [oldest, middle, newest, crashy] = await rsPods(rs);
    assert.ok(oldest && middle && newest && crashy);
    // What the kubelet would have reported: Ready since 2 hours (twice, one container restarted 5
    // times), 10 minutes, and just now.
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    const readySince = async (pod: Pod, at: number, restartCount = 0): Promise<void> => {
      const time = new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
      const current = await client.get(pods, ns.name, podName(pod));
      const statuses: unknown = current.status?.containerStatuses;
      const containerStatuses = Array.isArray(statuses) ? statuses.map((c: unknown) => (isRecord(c) ? { ...c, restartCount } : c)) : [];
      await client.patch(pods, ns.name, podName(pod), 'strategic', {
        status: {
          conditions: [
            { type: 'Ready', status: 'True', lastTransitionTime: time },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: time },
          ],
          containerStatuses,
        },
      }, { subresource: 'status' });
    };
    await readySince(oldest, twoHoursAgo);
    await readySince(crashy, twoHoursAgo, 5);
    await readySince(middle, Date.now() - 600_000);
    await readySince(newest, Date.now());

    const watch = await Recorder.start(pods, ns.name);
    try {
      await updateMyReplicaSet(ns.name, 'ready-age', (r) => ({ ...r, spec: { ...r.spec, replicas: 1 } }));
      await waitForRs(ns.name, 'ready-age', '1 replica', rsSettled(1));
      await watch.caughtUp();
      assert.deepEqual(
        podDeletions(watch).map((d) => podName(d.pod)).sort(),
        [podName(middle), podName(newest), podName(crashy)].sort(),
        `kept the wrong pod; oldest Ready and never restarted was ${podName(oldest)}`,
      );
      await updateMyReplicaSet(ns.name, 'ready-age', (r) => ({ ...r, spec: { ...r.spec, replicas: 0 } }));
      await waitForRs(ns.name, 'ready-age', '0 replicas', rsSettled(0));
    } finally {
      await watch.stop();
    }
  });

  it('counts a terminating pod in terminatingReplicas, not in replicas, and replaces it at once', async () => {
    const client = await testClient();
    const labels = { name: 'terminating' };
    const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'terminating', 2, labels, agnhostImageName, agnhostImage));
    await waitForRs(ns.name, 'terminating', '2 replicas ready', rsSettled(2));
    const [held] = await rsPods(rs);
    assert.ok(held);
    // A finalizer keeps the pod terminating after its deletion (kwok deletes it, the finalizer holds it).
    await client.patch(pods, ns.name, podName(held), 'merge', { metadata: { finalizers: [holdFinalizer] } });
    try {
      await client.delete(pods, ns.name, podName(held));
      const counted = await waitForRs(ns.name, 'terminating', '2 active replicas and 1 terminating', (r) => rsSettled(2)(r) && r.status?.terminatingReplicas === 1);
      assert.equal(counted.status?.fullyLabeledReplicas, 2);
      const active = (await rsPods(rs)).filter((p) => !isDeleting(p));
      assert.equal(active.length, 2);
      assert.ok(!active.some((p) => uidOf(p) === uidOf(held)));
    } finally {
      await client.patch(pods, ns.name, podName(held), 'merge', { metadata: { finalizers: null } });
    }
    await waitForRs(ns.name, 'terminating', 'terminatingReplicas 0', (r) => rsSettled(2)(r) && (r.status?.terminatingReplicas ?? 0) === 0);
  });

  it('recreates pods deleted from under it, and scales up and down through spec.replicas', async () => {
    const client = await testClient();
    const labels = { name: 'self-heal' };
    const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'self-heal', 2, labels, agnhostImageName, agnhostImage));
    await waitForRs(ns.name, 'self-heal', '2 replicas ready', rsSettled(2));
    const before = await rsPods(rs);
    await Promise.all(before.map((p) => client.delete(pods, ns.name, podName(p))));
    const after = await waitForPodsRunningReady(ns.name, labels, 2);
    assert.ok(after.every((p) => !before.some((b) => uidOf(b) === uidOf(p))), 'a deleted pod came back under its UID');
    await updateMyReplicaSet(ns.name, 'self-heal', (r) => ({ ...r, spec: { ...r.spec, replicas: 5 } }));
    await waitForRs(ns.name, 'self-heal', '5 replicas ready', rsSettled(5));
    await waitForPodsRunningReady(ns.name, labels, 5);
    await updateMyReplicaSet(ns.name, 'self-heal', (r) => ({ ...r, spec: { ...r.spec, replicas: 0 } }));
    await waitForRs(ns.name, 'self-heal', '0 replicas', rsSettled(0));
    await waitFor('no pods left', () => listActive(ns.name, labels), (ps) => ps.length === 0);
  });
});

async function listActive(namespace: string, labels: Readonly<Record<string, string>>): Promise<Pod[]> {
  const client = await testClient();
  return (await client.list(pods, { namespace, labelSelector: labelSelector(labels) })).items.filter((p) => !isDeleting(p));
}
