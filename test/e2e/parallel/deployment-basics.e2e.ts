// MyDeployment and the MyReplicaSets it owns, ported from upstream test/e2e/apps/deployment.go:
// deletion cascading to replica sets and pods (background and foreground), RollingUpdate adopting a
// pre-made replica set with an int64 revision, Recreate never running old and new pods together
// (terminating old pods included), revisionHistoryLimit 0 deleting the adopted replica set after
// exactly one new pod, and orphaning / re-adoption by controllerRef. Beyond upstream's cases: the
// new replica set found by semantic template equality (oldest match), and a released replica set
// whose name the replacement must avoid (collisionCount).
//
// Pods turn Ready within a second here: "never" is read from watches opened before the action.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDeployment, MyReplicaSet } from '../../../src/api/workloads.ts';
import { myDeployments, myReplicaSets } from '../../../src/api/workloads.ts';
import { isNotFound } from '../../../src/runtime/client/errors.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { controlledBy, controllerUid, isDeleting, podName, uidOf, updateWithRetries } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  agnhostImage,
  agnhostImageName,
  condition,
  deploymentComplete,
  deploymentReplicaSets,
  describeDeployment,
  describePods,
  desiredReplicasAnnotation,
  eventsOf,
  getDeploy,
  labelSelector,
  lastAppliedAnnotation,
  listPods,
  listRs,
  maxReplicasAnnotation,
  newMyDeployment,
  newMyReplicaSet,
  podCreations,
  podTemplateHashLabel,
  prevAgnhostImage,
  quietMs,
  revisionAnnotation,
  revisionOf,
  rsSettled,
  stateBefore,
  updateMyDeployment,
  waitForDeployment,
  waitForDeploymentComplete,
  waitForDeploymentRevisionAndImage,
  waitForPodsRunningReady,
  waitForRs,
  withContainer,
} from '../support/deployment.ts';

describe('MyDeployment basics: reaping, adoption, Recreate, history cleanup, controllerRef (upstream deployment.go)', function () {
  this.timeout(240_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('mdeploy-basics');
  });
  afterEach(async () => ns.remove());

  it('cascades the deletion of a MyDeployment to its replica sets and pods, after copying its annotations to the new replica set', async () => {
    const client = await testClient();
    const name = 'test-new-deployment';
    const podLabels = { name: agnhostImageName };
    const d = newMyDeployment(ns.name, name, 1, podLabels, agnhostImageName, agnhostImage);
    const watch = await Recorder.start(myDeployments, ns.name);
    let created: MyDeployment;
    let newRs: MyReplicaSet;
    let complete: MyDeployment;
    try {
      created = await client.create(myDeployments, {
        ...d,
        metadata: { ...d.metadata, annotations: { test: 'should-copy-to-replica-set', [lastAppliedAnnotation]: 'should-not-copy-to-replica-set' } },
      });
      newRs = (await waitForDeploymentRevisionAndImage(ns.name, name, '1', agnhostImage)).newRs;
      complete = await waitForDeploymentComplete(ns.name, name);
      await waitForDeployment(ns.name, name, 'Progressing NewReplicaSetAvailable', (x) => condition(x, 'Progressing')?.reason === 'NewReplicaSetAvailable');
      await watch.caughtUp();
    } finally {
      await watch.stop();
    }
    // Conditions as upstream words them: the rollout went from a created replica set to an available one.
    const reasons = watch.events.map((e) => condition(e.object, 'Progressing')?.reason ?? '').filter((r, i, all) => r !== '' && r !== all[i - 1]);
    assert.equal(reasons[0], 'NewReplicaSetCreated', `Progressing reasons: ${reasons.join(' → ')}`);
    assert.equal(reasons.at(-1), 'NewReplicaSetAvailable', `Progressing reasons: ${reasons.join(' → ')}`);
    const final = await getDeploy(ns.name, name);
    assert.deepEqual(
      [condition(final, 'Available'), condition(final, 'Progressing')].map((c) => `${c?.status ?? ''} ${c?.reason ?? ''} ${c?.message ?? ''}`),
      [
        'True MinimumReplicasAvailable Deployment has minimum availability.',
        `True NewReplicaSetAvailable ReplicaSet "${newRs.metadata.name ?? ''}" has successfully progressed.`,
      ],
    );
    assert.equal(complete.status?.selector, 'name=agnhost');
    const scaled = await waitFor('a ScalingReplicaSet event', () => eventsOf(created), (es) => es.some((e) => e.reason === 'ScalingReplicaSet'));
    assert.equal(scaled.find((e) => e.reason === 'ScalingReplicaSet')?.message, `Scaled up replica set ${newRs.metadata.name ?? ''} from 0 to 1`);

    // The new replica set: `<deployment>-<pod-template-hash>`, hash in its labels, selector and template.
    const hash = newRs.metadata.labels?.[podTemplateHashLabel] ?? '';
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/, `pod-template-hash ${hash}`);
    assert.equal(newRs.metadata.name, `${name}-${hash}`);
    assert.equal(newRs.spec.selector.matchLabels?.[podTemplateHashLabel], hash);
    assert.equal(newRs.spec.template?.metadata?.labels?.[podTemplateHashLabel], hash);
    assert.ok(controlledBy(newRs, created), 'the new replica set is not controlled by the MyDeployment');
    assert.equal(newRs.metadata.annotations?.test, 'should-copy-to-replica-set');
    assert.equal(newRs.metadata.annotations?.[lastAppliedAnnotation], undefined, 'last-applied-configuration was copied');
    assert.equal(newRs.metadata.annotations?.[desiredReplicasAnnotation], '1');
    assert.equal(newRs.metadata.annotations?.[maxReplicasAnnotation], '2');
    const running = await waitForPodsRunningReady(ns.name, podLabels, 1);
    assert.equal(running[0]?.metadata.labels?.[podTemplateHashLabel], hash);
    assert.ok(running[0] && controlledBy(running[0], newRs));

    // Background deletion (the default): the garbage collector removes the replica set and its pods.
    await client.delete(myDeployments, ns.name, name);
    await waitFor(
      'the MyDeployment gone',
      async () => {
        try {
          return describeDeployment(await getDeploy(ns.name, name));
        } catch (err) {
          if (isNotFound(err)) return 'gone';
          throw err;
        }
      },
      (s) => s === 'gone',
    );
    await waitFor('no replica set matching the selector', async () => (await listRs(ns.name, labelSelector(podLabels))).map((rs) => rs.metadata.name), (l) => l.length === 0, { timeoutMs: 90_000 });
    await waitFor('no pods matching the selector', async () => describePods(await listPods(ns.name, labelSelector(podLabels))), (l) => l.length === 0, { timeoutMs: 90_000 });
  });

  it('deleted in the foreground, outlives its replica set and pods and creates nothing meanwhile', async () => {
    const client = await testClient();
    const name = 'foreground';
    const podLabels = { name };
    const d = await client.create(myDeployments, newMyDeployment(ns.name, name, 3, podLabels, agnhostImageName, agnhostImage));
    await waitForDeploymentComplete(ns.name, name);
    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      await client.delete(myDeployments, ns.name, name, { propagationPolicy: 'Foreground' });
      await waitFor(
        'the MyDeployment gone after its dependents',
        async () => {
          try {
            return (await getDeploy(ns.name, name)).metadata.finalizers ?? [];
          } catch (err) {
            if (isNotFound(err)) return 'gone';
            throw err;
          }
        },
        (v) => v === 'gone',
        { timeoutMs: 90_000 },
      );
      await rsWatch.caughtUp();
      await podWatch.caughtUp();
      assert.deepEqual(rsWatch.events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name), [], 'a replica set was created during the deletion');
      assert.deepEqual(describePods(podCreations(podWatch).map((c) => c.pod)), [], 'pods were created during the deletion');
      assert.deepEqual(await listRs(ns.name), []);
      assert.deepEqual(describePods((await listPods(ns.name)).filter((p) => p.metadata.labels?.name === name)), []);
      assert.ok(uidOf(d) !== '');
    } finally {
      await rsWatch.stop();
      await podWatch.stop();
    }
  });

  it('adopts a running replica set and rolls it to a new one whose revision is the int64 after 3546343826724305832', async () => {
    const client = await testClient();
    const rsPodLabels = { name: 'sample-pod', pod: agnhostImageName };
    const rsRevision = '3546343826724305832';
    const adoptee = await client.create(
      myReplicaSets,
      newMyReplicaSet(ns.name, 'test-rolling-update-controller', 1, rsPodLabels, agnhostImageName, agnhostImage, { annotations: { [revisionAnnotation]: rsRevision } }),
    );
    await waitForPodsRunningReady(ns.name, rsPodLabels, 1);

    const name = 'test-rolling-update-deployment';
    const d = await client.create(myDeployments, newMyDeployment(ns.name, name, 1, { name: 'sample-pod' }, agnhostImageName, agnhostImage));
    const next = (BigInt(rsRevision) + 1n).toString();
    assert.equal(next, '3546343826724305833');
    const { newRs } = await waitForDeploymentRevisionAndImage(ns.name, name, next, agnhostImage);
    const complete = await waitForDeploymentComplete(ns.name, name);

    const sets = await deploymentReplicaSets(complete);
    assert.deepEqual(sets.old.map(uidOf), [uidOf(adoptee)], 'exactly one old replica set, the adopted one');
    assert.notEqual(uidOf(newRs), uidOf(adoptee));
    const old = await waitForRs(ns.name, 'test-rolling-update-controller', 'scaled to 0', rsSettled(0));
    assert.ok(controlledBy(old, d), 'the adopted replica set is not controlled by the MyDeployment');
    assert.equal(old.metadata.annotations?.[revisionAnnotation], rsRevision, 'the adopted revision changed');
  });

  it('finds its new replica set by template equality, not by name or hash: of two matches, with quantities spelt differently and empty lists, the oldest', async () => {
    const client = await testClient();
    const name = 'semantic';
    const made = (rsName: string, hash: string, replicas: number, container: Record<string, unknown>): MyReplicaSet => {
      const labels = { name, [podTemplateHashLabel]: hash };
      const base = newMyReplicaSet(ns.name, rsName, replicas, labels, agnhostImageName, agnhostImage);
      const template = { metadata: { labels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: agnhostImageName, image: agnhostImage, ...container }] } };
      return { ...base, spec: { ...base.spec, template } };
    };
    // Older: the same template written differently (0.5 CPU, 1Gi, an empty env list).
    const older = await client.create(myReplicaSets, made(`${name}-older`, 'older', 2, { env: [], resources: { limits: { cpu: '0.5', memory: '1Gi' } } }));
    await waitForRs(ns.name, `${name}-older`, '2 ready', rsSettled(2));
    const younger = await client.create(myReplicaSets, made(`${name}-younger`, 'younger', 1, { resources: { limits: { cpu: '500m', memory: '1024Mi' } } }));
    await waitForRs(ns.name, `${name}-younger`, '1 ready', rsSettled(1));

    const podWatch = await Recorder.start(pods, ns.name);
    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    try {
      const base = newMyDeployment(ns.name, name, 3, { name }, agnhostImageName, agnhostImage);
      await client.create(myDeployments, withContainer(base, { resources: { limits: { cpu: '500m', memory: '1024Mi' } } }));
      // (this test's own template comparison is textual, so the sets are checked by name below)
      const done = await waitForDeployment(ns.name, name, 'complete', (d) => deploymentComplete(d));
      assert.equal(revisionOf(done), '1');
      await waitForRs(ns.name, `${name}-older`, '3 ready, revision 1', (rs) => rsSettled(3)(rs) && revisionOf(rs) === '1');
      await waitForRs(ns.name, `${name}-younger`, 'scaled to 0', rsSettled(0));
      await rsWatch.caughtUp();
      await podWatch.caughtUp();
      assert.deepEqual(rsWatch.events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name), [], 'a replica set was created although one matched');
      const created = podCreations(podWatch);
      assert.equal(created.length, 1, describePods(created.map((c) => c.pod)).join('; '));
      assert.ok(created[0] && controlledBy(created[0].pod, older), 'the new pod is not the older set’s');
      assert.ok(controlledBy(await client.get(myReplicaSets, ns.name, `${name}-younger`), done));
      assert.notEqual(uidOf(younger), '');
    } finally {
      await podWatch.stop();
      await rsWatch.stop();
    }
  });

  it('Recreate: never runs new pods beside old ones, and reports no mixed status', async () => {
    const client = await testClient();
    const name = 'test-recreate-deployment';
    const podLabels = { name: 'sample-pod-3' };
    // upstream uses 1 replica; 3 make "no new pod while an old one exists" mean more.
    await client.create(myDeployments, newMyDeployment(ns.name, name, 3, podLabels, agnhostImageName, prevAgnhostImage, 'Recreate'));
    await waitForDeploymentRevisionAndImage(ns.name, name, '1', prevAgnhostImage);
    await waitForDeploymentComplete(ns.name, name);

    const deployWatch = await Recorder.start(myDeployments, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      const updated = await updateMyDeployment(ns.name, name, (u) => withContainer(u, { name: 'agnhost-new', image: agnhostImage }));
      await waitForDeploymentRevisionAndImage(ns.name, name, '2', agnhostImage);
      await waitForDeployment(
        ns.name,
        name,
        'replicas = updated = spec for the new generation',
        (x) => (x.status?.replicas ?? 0) === 3 && (x.status?.updatedReplicas ?? 0) === 3 && (x.status?.observedGeneration ?? 0) >= (updated.metadata.generation ?? 1),
        { timeoutMs: 120_000 },
      );
      await waitForDeploymentComplete(ns.name, name);
      await deployWatch.caughtUp();
      await podWatch.caughtUp();

      // upstream watchRecreateDeployment: never updated > 0 while replicas ≠ updated.
      for (const e of deployWatch.events) {
        const s = e.object.status ?? {};
        assert.ok(!((s.updatedReplicas ?? 0) > 0 && (s.replicas ?? 0) !== (s.updatedReplicas ?? 0)), `new pods beside old ones: ${describeDeployment(e.object)}`);
      }
      // And from the pods themselves: when each new pod was created, no old pod (terminating included) existed.
      const created = podCreations(podWatch).filter((c) => c.pod.spec.containers[0]?.image === agnhostImage);
      assert.equal(created.length, 3, describePods(created.map((c) => c.pod)).join('; '));
      for (const c of created) {
        const before = [...stateBefore(podWatch, c.index).values()];
        const old = before.filter((p: Pod) => p.spec.containers[0]?.image === prevAgnhostImage);
        assert.deepEqual(describePods(old), [], `${podName(c.pod)} was created while old pods existed`);
      }
    } finally {
      await deployWatch.stop();
      await podWatch.stop();
    }
  });

  it('Recreate: waits for a terminating old pod to go before creating the new replica set', async () => {
    const client = await testClient();
    const name = 'recreate-terminating';
    const podLabels = { name };
    await client.create(myDeployments, newMyDeployment(ns.name, name, 2, podLabels, agnhostImageName, prevAgnhostImage, 'Recreate'));
    await waitForDeploymentComplete(ns.name, name);
    const [held] = await listPods(ns.name, labelSelector(podLabels));
    assert.ok(held);
    // The finalizer keeps the old pod terminating once its replica set deletes it.
    await client.patch(pods, ns.name, podName(held), 'merge', { metadata: { finalizers: ['e2e.my.dev/hold'] } });
    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    try {
      await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: agnhostImage }));
      const waiting = await waitForDeployment(ns.name, name, 'old replica set at 0, one old pod terminating', (d, sets) =>
        sets.all.length === 1 && sets.old.every((rs) => rs.spec.replicas === 0 && (rs.status?.replicas ?? 0) === 0) && d.status?.terminatingReplicas === 1,
      );
      assert.equal(waiting.status?.replicas, 0);
      await rsWatch.expectNoEventFor(quietMs, 'the new replica set was created while an old pod was terminating', (e) => e.type === 'ADDED');
      assert.ok(isDeleting(await client.get(pods, ns.name, podName(held))), 'the held pod is not terminating');
    } finally {
      await client.patch(pods, ns.name, podName(held), 'merge', { metadata: { finalizers: null } });
      await rsWatch.stop();
    }
    // The pod's deletion (not a resync) wakes the Recreate rollout.
    await waitForDeploymentRevisionAndImage(ns.name, name, '2', agnhostImage, { timeoutMs: 30_000 });
    const done = await waitForDeploymentComplete(ns.name, name);
    assert.equal(done.status?.terminatingReplicas ?? 0, 0);
  });

  it('with revisionHistoryLimit 0, creates exactly one new pod and deletes the adopted replica set', async () => {
    const client = await testClient();
    const rsPodLabels = { name: 'cleanup-pod', pod: agnhostImageName };
    await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'test-cleanup-controller', 1, rsPodLabels, agnhostImageName, agnhostImage));
    await waitForPodsRunningReady(ns.name, rsPodLabels, 1);

    const watch = await Recorder.start(pods, ns.name);
    try {
      const name = 'test-cleanup-deployment';
      await client.create(myDeployments, newMyDeployment(ns.name, name, 1, { name: 'cleanup-pod' }, agnhostImageName, agnhostImage, 'RollingUpdate', { revisionHistoryLimit: 0 }));
      const complete = await waitForDeploymentComplete(ns.name, name);
      await waitFor(
        'no old replica sets left',
        async () => (await deploymentReplicaSets(complete)).old.map((rs) => rs.metadata.name),
        (old) => old.length === 0,
        { timeoutMs: 120_000 },
      );
      await waitFor('the adopted replica set deleted', async () => (await listRs(ns.name)).map((rs) => rs.metadata.name), (l) => !l.includes('test-cleanup-controller'));
      await watch.expectNoEventFor(quietMs, 'a second pod was created', (e) => e.type === 'ADDED');
      const created = podCreations(watch);
      assert.equal(created.length, 1, `pods created: ${describePods(created.map((c) => c.pod)).join('; ')}`);
      const [only] = created;
      assert.equal(only?.pod.spec.containers[0]?.name, agnhostImageName);
      assert.equal(only?.pod.metadata.labels?.pod, undefined, 'the created pod has the old template');
    } finally {
      await watch.stop();
    }
  });

  it('releases a replica set whose labels stop matching, and names its replacement past the collision with collisionCount', async () => {
    const client = await testClient();
    const name = 'test-release';
    const podLabels = { name };
    const d = await client.create(myDeployments, newMyDeployment(ns.name, name, 1, podLabels, agnhostImageName, agnhostImage));
    const first = (await waitForDeploymentRevisionAndImage(ns.name, name, '1', agnhostImage)).newRs;
    await waitForDeploymentComplete(ns.name, name);

    // Relabelled away from the selector: released, and its template still matches, so the
    // replacement's first name `<name>-<hash>` is taken: collisionCount 1 gives another hash.
    await updateWithRetries(myReplicaSets, ns.name, first.metadata.name ?? '', (rs) => ({ ...rs, metadata: { ...rs.metadata, labels: { name: 'released' } } }));
    const replaced = await waitForDeployment(
      ns.name,
      name,
      'a new replica set after the release, rollout complete',
      (x, sets) => sets.newRs !== undefined && uidOf(sets.newRs) !== uidOf(first) && deploymentComplete(x),
    );
    assert.equal(replaced.status?.collisionCount, 1, describeDeployment(replaced));
    const sets = await deploymentReplicaSets(replaced);
    assert.deepEqual(sets.old, [], 'the released replica set is still counted as old');
    assert.notEqual(sets.newRs?.metadata.name, first.metadata.name);
    const released = await client.get(myReplicaSets, ns.name, first.metadata.name ?? '');
    assert.equal(controllerUid(released), undefined, 'the relabelled replica set is still controlled');
    assert.equal(released.spec.replicas, 1, 'the released replica set was scaled');
    // Two sets of pods now: the released set keeps its pod; the Deployment has one of its own.
    const ownPods = (await listPods(ns.name, labelSelector(podLabels))).filter((p) => sets.newRs !== undefined && controlledBy(p, sets.newRs) && !isDeleting(p));
    assert.equal(ownPods.length, 1);
    assert.ok(controlledBy(sets.newRs ?? released, d));
  });

  it('orphans its replica set when deleted with propagationPolicy Orphan, and a new MyDeployment with the same selector adopts that same replica set', async () => {
    const client = await testClient();
    const podLabels = { name: agnhostImageName };
    const first = await client.create(myDeployments, newMyDeployment(ns.name, 'test-orphan-deployment', 1, podLabels, agnhostImageName, agnhostImage));
    await waitForDeploymentComplete(ns.name, 'test-orphan-deployment');
    const [rs] = await listRs(ns.name, labelSelector(podLabels));
    assert.ok(rs);
    assert.equal((await listRs(ns.name, labelSelector(podLabels))).length, 1);
    assert.equal(controllerUid(rs), uidOf(first));
    const podsBefore = (await listPods(ns.name, labelSelector(podLabels))).map(uidOf).sort();

    await client.delete(myDeployments, ns.name, 'test-orphan-deployment', { propagationPolicy: 'Orphan', uid: uidOf(first) });
    await waitFor(
      'the replica set orphaned',
      () => listRs(ns.name, labelSelector(podLabels)),
      (l: MyReplicaSet[]) => l.length === 1 && l.every((r) => controllerUid(r) === undefined),
      { timeoutMs: 90_000 },
    );

    const second: MyDeployment = await client.create(myDeployments, newMyDeployment(ns.name, 'test-adopt-deployment', 1, podLabels, agnhostImageName, agnhostImage));
    await waitForDeploymentComplete(ns.name, 'test-adopt-deployment');
    const after = await waitFor(
      'the replica set controlled by the new MyDeployment',
      () => listRs(ns.name, labelSelector(podLabels)),
      (l) => l.length > 0 && l.every((r) => controllerUid(r) === uidOf(second)),
    );
    assert.deepEqual(after.map(uidOf), [uidOf(rs)], 'a different replica set, or more than one');
    // Its pods were kept through both changes of owner.
    const podsAfter = (await listPods(ns.name, labelSelector(podLabels))).filter((p) => !isDeleting(p)).map(uidOf).sort();
    assert.deepEqual(podsAfter, podsBefore);
  });
});
