// MyStatefulSet template changes, ported from upstream test/e2e/apps/statefulset.go: rolling update
// and rollback (with and without claims), canary and phased updates with a partition, a partition
// of 1 with pod-0 deleted mid-rollout, and the OnDelete strategy.
//
// Upstream breaks a pod's readiness probe to show the controller waits; here the pod's Ready
// condition is set the way the kubelet would (setPodReadiness). The order of replacements (highest
// ordinal first, one at a time, each only when every replica is Ready) is read from a watch.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { controllerRevisions, persistentVolumeClaims, pods } from '../../../src/api/resources.ts';
import type { MyStatefulSet } from '../../../src/api/workloads.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { isDeleting, isReady, podHash, podImage, podName, uidOf, updateWithRetries } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  assertClaimsBeforePods,
  claimNamesOf,
  createHeadlessService,
  describePods,
  getMsts,
  newImage,
  newMyStatefulSet,
  oldImage,
  outsideDisruptions,
  podCreations,
  podDeletions,
  podNames,
  isPodDeletion,
  quietMs,
  setPodReadiness,
  setPods,
  stateBefore,
  TestVolumes,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatus,
  waitSettled,
  withImage,
  withSpec,
} from '../support/statefulset.ts';

const labels = { foo: 'bar', baz: 'blah' };

/**
 * The controller's replacements in the watch from event `from` on: the graceful deletions of pods
 * at `oldRevision` (a recreated pod vanishing with grace period 0 is kwok's stray delete, not ours).
 * Checks that each happened while every replica was live and Ready, and returns their names in order.
 */
function replacements(watch: Recorder<Pod>, from: number, oldRevision: string, replicas: number, setName: string): string[] {
  const out: string[] = [];
  for (const d of podDeletions(watch).filter((x) => x.index >= from && x.graceful && podHash(x.pod) === oldRevision)) {
    const before = stateBefore(watch, d.index);
    for (const name of podNames(setName, replicas)) {
      const pod = before.get(name);
      assert.ok(
        pod && isReady(pod) && !isDeleting(pod),
        `${d.name} was deleted while ${name} was not Ready: ${describePods(before.values()).join('; ')}`,
      );
    }
    out.push(d.name);
  }
  return out;
}

function uidAt(list: readonly Pod[], i: number): string {
  const pod = list[i];
  assert.ok(pod, `no pod at index ${i}`);
  return uidOf(pod);
}

function partitionOf(set: MyStatefulSet, partition: number): MyStatefulSet {
  return withSpec(set, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } });
}

/** Pods below `partition` at (oldImage, current), the rest at (newImage, update). */
function assertPartitioned(list: readonly Pod[], partition: number, current: string, update: string): void {
  for (const [i, pod] of list.entries()) {
    const [image, revision] = i < partition ? [oldImage, current] : [newImage, update];
    assert.equal(podImage(pod), image, `${podName(pod)}: ${describePods([pod]).join('')}`);
    assert.equal(podHash(pod), revision, `${podName(pod)} revision`);
  }
}

/**
 * upstream rollbackTest: update with ss-1 unready (the controller waits), then in reverse ordinal
 * order; roll back with ss-1 unready again (the old revision is renumbered, not recreated), then
 * back in reverse ordinal order. With claims, every pod keeps its claims throughout.
 */
async function rollbackTest(namespace: string, set: MyStatefulSet, volumes?: TestVolumes): Promise<void> {
  const client = await testClient();
  const name = set.metadata.name ?? '';
  const claimWatch = await Recorder.start(persistentVolumeClaims, namespace);
  const watch = await Recorder.start(pods, namespace);
  const revisionWatch = await Recorder.start(controllerRevisions, namespace);
  try {
    const created = await client.create(myStatefulSets, set);
    const initial = await waitForRunningAndReady(created, podNames(name, 3));
    const first = await waitSettled(namespace, name, 3);
    const priorRevision = first.status?.currentRevision ?? '';
    for (const pod of initial) assert.equal(podHash(pod), priorRevision);

    // ss-1 stops being Ready: the update waits for it.
    await setPodReadiness(namespace, `${name}-1`, false);
    await waitFor('readyReplicas 2', () => getMsts(namespace, name), (s) => s.status?.readyReplicas === 2);
    const updateFrom = watch.events.length;
    await updateMyStatefulSet(namespace, name, (s) => withImage(s, newImage));
    const updating = await waitForStatus(namespace, name, 'a new update revision', (s) => s.status?.updateRevision !== priorRevision);
    const updateRevision = updating.status?.updateRevision ?? '';
    assert.equal(updating.status?.currentRevision, priorRevision);
    await watch.expectNoEventFor(quietMs, 'a pod was replaced while ss-1 was not Ready', isPodDeletion);

    await setPodReadiness(namespace, `${name}-1`, true);
    const done = await waitForStatus(namespace, name, 'the update complete', (s) => s.status?.currentRevision === updateRevision && s.status.readyReplicas === 3);
    const updated = await waitForRunningAndReady(created, podNames(name, 3));
    assert.equal(done.status?.updatedReplicas, 3);
    for (const pod of updated) {
      assert.equal(podImage(pod), newImage);
      assert.equal(podHash(pod), updateRevision);
    }
    await watch.caughtUp();
    assert.deepEqual(replacements(watch, updateFrom, priorRevision, 3, name), podNames(name, 3).reverse(), 'update order');

    // Roll back while ss-1 (now at the update revision) is not Ready.
    await setPodReadiness(namespace, `${name}-1`, false);
    await waitFor('readyReplicas 2', () => getMsts(namespace, name), (s) => s.status?.readyReplicas === 2);
    const revisionsBefore = revisionWatch.events.filter((e) => e.type === 'ADDED').length;
    const rollbackFrom = watch.events.length;
    await updateMyStatefulSet(namespace, name, (s) => withImage(s, oldImage));
    const rolling = await waitForStatus(namespace, name, 'the prior revision as update revision', (s) => s.status?.updateRevision === priorRevision);
    assert.equal(rolling.status?.currentRevision, updateRevision, 'current revision during the rollback');
    await watch.expectNoEventFor(quietMs, 'a pod was rolled back while ss-1 was not Ready', isPodDeletion);

    await setPodReadiness(namespace, `${name}-1`, true);
    await waitForStatus(namespace, name, 'the rollback complete', (s) => s.status?.currentRevision === priorRevision && s.status.readyReplicas === 3);
    const back = await waitForRunningAndReady(created, podNames(name, 3));
    for (const pod of back) {
      assert.equal(podImage(pod), oldImage);
      assert.equal(podHash(pod), priorRevision);
    }
    await watch.caughtUp();
    await revisionWatch.caughtUp();
    assert.deepEqual(replacements(watch, rollbackFrom, updateRevision, 3, name), podNames(name, 3).reverse(), 'rollback order');

    // The rollback reused the prior ControllerRevision, renumbered to 3: no new object.
    assert.equal(revisionWatch.events.filter((e) => e.type === 'ADDED').length, revisionsBefore, 'a ControllerRevision was created for the rollback');
    const revisions = (await client.list(controllerRevisions, { namespace })).items;
    assert.deepEqual(revisions.map((r) => `${r.metadata.name ?? ''}:${r.revision}`).sort(), [`${priorRevision}:3`, `${updateRevision}:2`].sort());

    if (volumes) {
      // Claims were created before their pods, and every pod kept its claims: none deleted or recreated.
      await claimWatch.caughtUp();
      assert.equal(assertClaimsBeforePods(created, watch, claimWatch), podCreations(watch).length);
      assert.ok(podCreations(watch).length >= 9, 'expected 3 creations, 3 updates and 3 rollbacks');
      assert.deepEqual(claimWatch.events.filter((e) => e.type === 'DELETED' || isDeleting(e.object)).map((e) => e.object.metadata.name), []);
      assert.equal(claimWatch.events.filter((e) => e.type === 'ADDED').length, 3);
      const claims = (await client.list(persistentVolumeClaims, { namespace })).items;
      assert.deepEqual(claims.map((c) => c.metadata.name).sort(), podNames(name, 3).flatMap((p) => claimNamesOf(created, p)).sort());
      for (const claim of claims) assert.equal(claim.status?.phase, 'Bound', `${claim.metadata.name ?? ''} is ${claim.status?.phase ?? 'unbound'}`);
      for (const pod of back) {
        assert.deepEqual(
          (pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.persistentVolumeClaim?.claimName),
          claimNamesOf(created, podName(pod)),
        );
      }
    }
  } finally {
    await watch.stop();
    await claimWatch.stop();
    await revisionWatch.stop();
  }
}

describe('MyStatefulSet template changes: rolling update, rollback, partitions, OnDelete (upstream statefulset.go)', function () {
  this.timeout(240_000);
  let ns: { name: string; remove: () => Promise<void> };
  let volumes: TestVolumes;
  beforeEach(async () => {
    ns = await createNamespace('sts-rollout');
    volumes = new TestVolumes(ns.name);
    await createHeadlessService(ns.name, 'test', labels);
  });
  afterEach(async () => {
    await ns.remove();
    await volumes.deleteAll();
  });

  it('rolls a template change out in reverse ordinal order and back, reusing the prior revision', async () => {
    await rollbackTest(ns.name, newMyStatefulSet(ns.name, 'ss2', { replicas: 3, labels }));
  });

  it('rolls a template change out and back with claims: every pod keeps its bound claims', async () => {
    await volumes.create(4);
    const set = newMyStatefulSet(ns.name, 'ss', { replicas: 3, labels, claims: { storageClassName: volumes.storageClassName, names: ['datadir'] } });
    await rollbackTest(ns.name, set, volumes);
  });

  it('performs a canary update and a phased rolling update with the partition, restoring deleted pods to their side of it', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, partitionOf(newMyStatefulSet(ns.name, 'ss2', { replicas: 3, labels }), 3));
    const initial = await waitForRunningAndReady(set, podNames('ss2', 3));
    const currentRevision = (await waitSettled(ns.name, 'ss2', 3)).status?.currentRevision ?? '';

    const watch = await Recorder.start(pods, ns.name);
    try {
      // Partition 3 of 3 replicas: a new revision, and no pod changes.
      await updateMyStatefulSet(ns.name, 'ss2', (s) => withImage(s, newImage));
      const withRevision = await waitForStatus(ns.name, 'ss2', 'a new update revision', (s) => s.status?.updateRevision !== currentRevision);
      const updateRevision = withRevision.status?.updateRevision ?? '';
      assert.equal(withRevision.status?.currentRevision, currentRevision);
      assert.equal(withRevision.status?.updatedReplicas ?? 0, 0);
      await watch.expectNoEventFor(quietMs, 'a pod was replaced with the partition at the replica count', isPodDeletion);
      assertPartitioned(await setPods(set), 3, currentRevision, updateRevision);
      assert.deepEqual((await setPods(set)).map(uidOf), initial.map(uidOf));

      // Canary: partition 2 updates ss2-2 only. Each phase replaces exactly the pods at or above
      // the new partition, top down, and nothing below it.
      const rollTo = async (partition: number, expected: readonly string[]): Promise<void> => {
        const from = watch.events.length;
        await updateMyStatefulSet(ns.name, 'ss2', (s) => partitionOf(s, partition));
        await waitForStatus(ns.name, 'ss2', `${3 - partition} updated replicas, all ready`, (s) => s.status?.updatedReplicas === 3 - partition && s.status.readyReplicas === 3);
        assertPartitioned(await waitForRunningAndReady(set, podNames('ss2', 3)), partition, currentRevision, updateRevision);
        await watch.caughtUp();
        const replaced = podDeletions(watch)
          .filter((d) => d.index >= from && d.graceful)
          .map((d) => d.name);
        assert.deepEqual(replaced, expected, `partition ${partition}: replaced ${replaced.join(', ')}`);
      };
      await rollTo(2, ['ss2-2']);

      // Deleted pods come back on their side of the partition.
      const restoreFrom = watch.events.length;
      const before = await setPods(set);
      await client.delete(pods, ns.name, 'ss2-0');
      await client.delete(pods, ns.name, 'ss2-2');
      const restored = await waitFor(
        'ss2-0 and ss2-2 recreated, all Ready',
        () => waitForRunningAndReady(set, podNames('ss2', 3)),
        (ps) => uidAt(ps, 0) !== uidAt(before, 0) && uidAt(ps, 2) !== uidAt(before, 2),
      );
      assertPartitioned(restored, 2, currentRevision, updateRevision);
      assert.equal(uidAt(restored, 1), uidAt(before, 1), 'ss2-1 was replaced');
      await watch.caughtUp();
      assert.deepEqual(
        podDeletions(watch).filter((d) => d.index >= restoreFrom && d.graceful).map((d) => d.uid).sort(),
        [uidAt(before, 0), uidAt(before, 2)].sort(),
        'the controller deleted pods while restoring',
      );

      // Phased: partition 1, then 0.
      await rollTo(1, ['ss2-1']);
      await rollTo(0, ['ss2-0']);
      const done = await waitSettled(ns.name, 'ss2', 3);
      assert.equal(done.status?.currentRevision, updateRevision, 'current revision on completion');
    } finally {
      await watch.stop();
    }
  });

  it('with partition 1, brings a deleted pod-0 back at the current revision while the others are updated', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, partitionOf(newMyStatefulSet(ns.name, 'ss2', { replicas: 3, labels }), 1));
    const initial = await waitForRunningAndReady(set, podNames('ss2', 3));
    const currentRevision = (await waitSettled(ns.name, 'ss2', 3)).status?.currentRevision ?? '';

    // A finalizer keeps ss2-0 terminating after its deletion, as a slow kubelet would.
    const finalizer = 'e2e.my.dev/hold';
    await updateWithRetries(pods, ns.name, 'ss2-0', (p) => ({ ...p, metadata: { ...p.metadata, finalizers: [finalizer] } }));
    const release = async (): Promise<void> => {
      try {
        await client.patch(pods, ns.name, 'ss2-0', 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
      } catch {
        // already gone or without finalizers
      }
    };
    const watch = await Recorder.start(pods, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'ss2', (s) => withImage(s, newImage));
      const partial = await waitForStatus(ns.name, 'ss2', '2 updated replicas, 3 ready', (s) => s.status?.updatedReplicas === 2 && s.status.readyReplicas === 3 && s.status.replicas === 3);
      const updateRevision = partial.status?.updateRevision ?? '';
      assert.notEqual(updateRevision, currentRevision);
      const before = await waitForRunningAndReady(set, podNames('ss2', 3));
      assertPartitioned(before, 1, currentRevision, updateRevision);
      assert.equal(uidAt(before, 0), uidAt(initial, 0));

      await client.delete(pods, ns.name, 'ss2-0');
      await watch.waitState('ss2-0 terminating', (state) => [...state.values()].some((p) => podName(p) === 'ss2-0' && isDeleting(p)));
      // While it terminates, the updated pods are left alone.
      await watch.expectNoEventFor(quietMs, 'a pod was touched while ss2-0 was terminating', (e) => podName(e.object) !== 'ss2-0');
      const held = await setPods(set);
      assert.deepEqual(held.map((p) => podName(p)), podNames('ss2', 3));

      await release();
      const after = await waitFor(
        'a new ss2-0, all Ready',
        () => waitForRunningAndReady(set, podNames('ss2', 3)),
        (ps) => uidAt(ps, 0) !== uidAt(initial, 0),
      );
      assertPartitioned(after, 1, currentRevision, updateRevision);
      assert.deepEqual(after.slice(1).map(uidOf), before.slice(1).map(uidOf), 'the updated pods were replaced');
      const status = await waitForStatus(ns.name, 'ss2', '3 ready', (s) => s.status?.readyReplicas === 3 && s.status.updatedReplicas === 2);
      assert.equal(status.status?.currentRevision, currentRevision);
      assert.equal(status.status?.currentReplicas, 1);
    } finally {
      await release();
      await watch.stop();
    }
  });

  it('with maxUnavailable 2, never has more than 2 replicas unavailable and uses that budget', async () => {
    const client = await testClient();
    const base = newMyStatefulSet(ns.name, 'ss-maxunavailable', { replicas: 5, labels });
    const set = await client.create(myStatefulSets, withSpec(base, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }));
    await waitForRunningAndReady(set, podNames(set, 5));
    const currentRevision = (await waitSettled(ns.name, 'ss-maxunavailable', 5)).status?.currentRevision ?? '';

    const watch = await Recorder.start(pods, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'ss-maxunavailable', (s) => withImage(s, newImage));
      const done = await waitForStatus(ns.name, 'ss-maxunavailable', 'the update complete', (s) => s.status?.currentRevision !== currentRevision && s.status?.currentRevision === s.status?.updateRevision && s.status?.readyReplicas === 5);
      assert.equal(done.status?.updatedReplicas, 5);
      const final = await waitForRunningAndReady(set, podNames(set, 5));
      for (const pod of final) assert.equal(podImage(pod), newImage);
      await watch.caughtUp();

      // upstream waitForMaxUnavailableRollingUpdate, over every state the watch saw. A replacement
      // kwok's stray delete removed is an outside disruption: not counted until its name is Ready again.
      const stray = new Set(outsideDisruptions(watch).map((d) => d.uid));
      const disrupted = new Set<string>();
      let worst = 0;
      for (const { state, event } of watch.replay()) {
        if (event?.type === 'DELETED' && stray.has(uidOf(event.object))) disrupted.add(podName(event.object));
        if (event && isReady(event.object) && !isDeleting(event.object)) disrupted.delete(podName(event.object));
        const live = new Map([...state.values()].filter((p) => !isDeleting(p)).map((p) => [podName(p), p]));
        const unavailable = podNames(set, 5).filter((n) => {
          const pod = live.get(n);
          return !disrupted.has(n) && (pod === undefined || !isReady(pod));
        });
        worst = Math.max(worst, unavailable.length);
        assert.ok(unavailable.length <= 2, `${unavailable.length} unavailable (${unavailable.join(', ')}): ${describePods(state.values()).join('; ')}`);
      }
      assert.equal(worst, 2, 'the rollout never used its budget of 2');
      // Highest ordinals first.
      const replaced = podDeletions(watch).filter((d) => d.graceful && podHash(d.pod) === currentRevision).map((d) => d.name);
      assert.deepEqual(replaced.slice(0, 2).sort(), podNames(set, 5).slice(3).sort(), `first replaced: ${replaced.join(', ')}`);
      assert.deepEqual([...replaced].sort(), podNames(set, 5).sort());
    } finally {
      await watch.stop();
    }
  });

  it('keeps revisionHistoryLimit old revisions besides the live ones, dropping the oldest', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 2, labels, spec: { revisionHistoryLimit: 1 } }));
    await waitForRunningAndReady(set, podNames('ss', 2));
    const names: string[] = [(await waitSettled(ns.name, 'ss', 2)).status?.currentRevision ?? ''];
    for (const image of [newImage, 'registry.k8s.io/e2e-test-images/agnhost:2.54']) {
      await updateMyStatefulSet(ns.name, 'ss', (s) => withImage(s, image));
      const done = await waitForStatus(ns.name, 'ss', `the rollout to ${image} complete`, (s) => !names.includes(s.status?.currentRevision ?? '') && s.status?.currentRevision === s.status?.updateRevision && s.status?.readyReplicas === 2);
      names.push(done.status?.currentRevision ?? '');
    }
    // Live: the third (current = update, every pod); one more may stay: the second. The first goes.
    const kept = await waitFor(
      'the first revision deleted',
      async () => (await client.list(controllerRevisions, { namespace: ns.name })).items,
      (rs) => !rs.some((r) => r.metadata.name === names[0]),
    );
    assert.deepEqual(kept.map((r) => `${r.metadata.name ?? ''}:${r.revision}`).sort(), [`${names[1] ?? ''}:2`, `${names[2] ?? ''}:3`].sort());
  });

  it('with OnDelete, leaves pods alone on a template change and recreates deleted pods at the update revision', async () => {
    const client = await testClient();
    const base = newMyStatefulSet(ns.name, 'ss2', { replicas: 3, labels });
    const set = await client.create(myStatefulSets, withSpec(base, { updateStrategy: { type: 'OnDelete' } }));
    const initial = await waitForRunningAndReady(set, podNames('ss2', 3));
    const currentRevision = (await waitSettled(ns.name, 'ss2', 3)).status?.currentRevision ?? '';

    // Deleted pods come back at the current revision.
    for (const pod of initial) await client.delete(pods, ns.name, podName(pod));
    const restored = await waitFor(
      'all three pods recreated',
      () => waitForRunningAndReady(set, podNames('ss2', 3)),
      (ps) => ps.every((p, i) => uidOf(p) !== uidAt(initial, i)),
    );
    for (const pod of restored) assert.equal(podHash(pod), currentRevision);

    const watch = await Recorder.start(pods, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'ss2', (s) => withImage(s, newImage));
      const changed = await waitForStatus(ns.name, 'ss2', 'a new update revision', (s) => s.status?.updateRevision !== currentRevision);
      const updateRevision = changed.status?.updateRevision ?? '';
      await watch.expectNoEventFor(quietMs, 'OnDelete replaced a pod', isPodDeletion);
      assert.deepEqual((await setPods(set)).map(uidOf), restored.map(uidOf));

      for (const pod of restored) await client.delete(pods, ns.name, podName(pod));
      const recreated = await waitFor(
        'all three pods recreated at the new revision',
        () => waitForRunningAndReady(set, podNames('ss2', 3)),
        (ps) => ps.every((p) => podHash(p) === updateRevision),
      );
      for (const pod of recreated) assert.equal(podImage(pod), newImage);
      // Under OnDelete the current revision never advances (upstream completeRollingUpdate is RollingUpdate only).
      const status = await waitForStatus(ns.name, 'ss2', '3 updated and ready', (s) => s.status?.updatedReplicas === 3 && s.status.readyReplicas === 3);
      assert.equal(status.status?.currentRevision, currentRevision);
      assert.equal(status.status?.updateRevision, updateRevision);
      assert.equal(status.status?.currentReplicas, 0);
      await watch.caughtUp();
      // Only the test deleted pods gracefully.
      const ours = new Set(restored.map(uidOf));
      assert.deepEqual(podDeletions(watch).filter((d) => d.graceful && !ours.has(d.uid)).map((d) => d.name), []);
    } finally {
      await watch.stop();
    }
  });
});
