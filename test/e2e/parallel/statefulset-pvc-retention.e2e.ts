// MyStatefulSet persistentVolumeClaimRetentionPolicy, ported from upstream test/e2e/apps/statefulset.go
// ("Non-retain StatefulSetPersistentVolumeClaimPolicy"), with claims bound to real PersistentVolumes
// by kube-controller-manager's binder: whenDeleted Delete and Retain, whenScaled Delete and Retain,
// and a claim controlled by another owner, which the policy leaves alone (Warning ConflictingController).
//
// The policy is carried by owner references and carried out by the garbage collector; the tests
// check both the references (from a claim watch) and what a user sees: which claims are left.
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from '../../../src/api/core.ts';
import type { KubeObject, OwnerReference } from '../../../src/api/meta.ts';
import { configMaps, persistentVolumeClaims, pods } from '../../../src/api/resources.ts';
import type { MyStatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy } from '../../../src/api/workloads.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { isNotFound } from '../../../src/runtime/client/errors.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { isDeleting, uidOf, updateWithRetries } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  assertClaimsBeforePods,
  createHeadlessService,
  newMyStatefulSet,
  podCreations,
  podNames,
  quietMs,
  setPods,
  statefulSetEvents,
  TestVolumes,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatus,
  waitSettled,
  withSpec,
} from '../support/statefulset.ts';

const labels = { foo: 'bar', baz: 'blah' };

function claimName(ordinal: number): string {
  return `datadir-ss-${ordinal}`;
}

function owners(claim: KubeObject): string[] {
  return (claim.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}${r.controller === true ? ' (controller)' : ''}`);
}

/** The UID of claim `ordinal` in `claims`; fails when it is missing. */
function claimUid(claims: ReadonlyMap<string, PersistentVolumeClaim>, ordinal: number): string {
  const claim = claims.get(claimName(ordinal));
  assert.ok(claim, `no claim ${claimName(ordinal)}`);
  return uidOf(claim);
}

async function claimsByName(namespace: string): Promise<Map<string, PersistentVolumeClaim>> {
  const client = await testClient();
  const list = await client.list(persistentVolumeClaims, { namespace });
  return new Map(list.items.map((c) => [c.metadata.name ?? '', c]));
}

/** Waits until exactly the claims of `ordinals` exist (none terminating) and are Bound. */
async function waitClaims(namespace: string, ordinals: readonly number[]): Promise<Map<string, PersistentVolumeClaim>> {
  const expected = ordinals.map(claimName).sort();
  return waitFor(
    `exactly claims ${expected.join(', ')}, Bound`,
    () => claimsByName(namespace),
    (m) =>
      [...m.keys()].sort().join(',') === expected.join(',') && [...m.values()].every((c) => c.status?.phase === 'Bound' && !isDeleting(c)),
  );
}

describe('MyStatefulSet PVC retention policy (upstream statefulset.go, non-retain policies)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  let volumes: TestVolumes;
  beforeEach(async () => {
    ns = await createNamespace('sts-pvc');
    volumes = new TestVolumes(ns.name);
    await createHeadlessService(ns.name, 'test', labels);
  });
  afterEach(async () => {
    await ns.remove();
    await volumes.deleteAll();
  });

  function newSet(replicas: number, policy?: StatefulSetPersistentVolumeClaimRetentionPolicy): MyStatefulSet {
    return newMyStatefulSet(ns.name, 'ss', {
      replicas,
      labels,
      claims: { storageClassName: volumes.storageClassName, names: ['datadir'] },
      ...(policy ? { spec: { persistentVolumeClaimRetentionPolicy: policy } } : {}),
    });
  }

  it('whenDeleted: Delete — claims are owned by the set, kept on scale-down, and deleted with the set', async () => {
    const client = await testClient();
    await volumes.create(3);
    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      const set = await client.create(myStatefulSets, newSet(3, { whenDeleted: 'Delete' }));
      await waitForRunningAndReady(set, podNames('ss', 3));
      await waitSettled(ns.name, 'ss', 3);
      const claims = await waitFor(
        'claims 0..2 Bound and controlled by the set',
        () => waitClaims(ns.name, [0, 1, 2]),
        (m) => [...m.values()].every((c) => owners(c).join() === 'MyStatefulSet/ss (controller)' && c.metadata.ownerReferences?.[0]?.uid === uidOf(set)),
      );
      await claimWatch.caughtUp();
      await podWatch.caughtUp();
      assert.equal(assertClaimsBeforePods(set, podWatch, claimWatch), 3);

      // whenScaled is Retain: the scaled-away claim stays, still the set's.
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 2 }));
      await waitForRunningAndReady(set, podNames('ss', 2));
      await waitSettled(ns.name, 'ss', 2);
      await claimWatch.expectNoEventFor(quietMs, 'a claim changed after the scale-down', () => true);
      const kept = await waitClaims(ns.name, [0, 1, 2]);
      assert.deepEqual([...kept.values()].map(uidOf).sort(), [...claims.values()].map(uidOf).sort());
      const scaledAway = kept.get(claimName(2));
      assert.ok(scaledAway);
      assert.deepEqual(owners(scaledAway), ['MyStatefulSet/ss (controller)']);

      await client.delete(myStatefulSets, ns.name, 'ss');
      await waitFor('every claim deleted with the set', () => claimsByName(ns.name), (m) => m.size === 0);
      await waitFor('the pods gone', () => client.list(pods, { namespace: ns.name }), (l) => l.items.length === 0);
    } finally {
      await claimWatch.stop();
      await podWatch.stop();
    }
  });

  it('whenDeleted: Retain — claims stay unowned after the set is deleted, and a new set of that name reuses them', async () => {
    const client = await testClient();
    await volumes.create(3);
    const set = await client.create(myStatefulSets, newSet(3));
    await waitForRunningAndReady(set, podNames('ss', 3));
    await waitSettled(ns.name, 'ss', 3);
    const claims = await waitClaims(ns.name, [0, 1, 2]);
    for (const claim of claims.values()) assert.deepEqual(owners(claim), []);

    await client.delete(myStatefulSets, ns.name, 'ss');
    // The garbage collector removed the pods: it has dealt with every dependent of the set.
    await waitFor('the pods gone', () => client.list(pods, { namespace: ns.name }), (l) => l.items.length === 0);
    const left = await waitClaims(ns.name, [0, 1, 2]);
    assert.deepEqual([...left.values()].map(uidOf).sort(), [...claims.values()].map(uidOf).sort());

    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    try {
      const again = await client.create(myStatefulSets, newSet(3));
      const running = await waitForRunningAndReady(again, podNames('ss', 3));
      await waitSettled(ns.name, 'ss', 3);
      await claimWatch.caughtUp();
      assert.deepEqual(claimWatch.events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name), [], 'claims were created again');
      for (const pod of running) {
        const claim = left.get(`datadir-${pod.metadata.name ?? ''}`);
        assert.ok(claim);
        assert.equal(pod.spec.volumes?.find((v) => v.name === 'datadir')?.persistentVolumeClaim?.claimName, claim.metadata.name);
      }
    } finally {
      await claimWatch.stop();
    }
  });

  it('whenScaled: Delete — claims of scaled-away pods are handed to their pods and deleted; claim 0 stays', async () => {
    const client = await testClient();
    await volumes.create(5);
    const set = await client.create(myStatefulSets, newSet(3, { whenScaled: 'Delete' }));
    await waitForRunningAndReady(set, podNames('ss', 3));
    await waitSettled(ns.name, 'ss', 3);
    const before = await waitClaims(ns.name, [0, 1, 2]);
    // Not scaled away: no owner (whenDeleted is Retain).
    for (const claim of before.values()) assert.deepEqual(owners(claim), []);

    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 1 }));
      await waitForRunningAndReady(set, ['ss-0']);
      const after = await waitClaims(ns.name, [0]);
      assert.equal(claimUid(after, 0), claimUid(before, 0));
      await claimWatch.caughtUp();
      // Each scaled-away claim was controlled by its own pod (that pod's UID) before it went.
      for (const ordinal of [1, 2]) {
        const pod = podWatch.initial.find((p) => p.metadata.name === `ss-${ordinal}`);
        assert.ok(pod);
        const handed = claimWatch.events.find(
          (e) => e.object.metadata.name === claimName(ordinal) && e.object.metadata.ownerReferences?.some((r: OwnerReference) => r.kind === 'Pod' && r.uid === uidOf(pod) && r.controller === true),
        );
        assert.ok(handed, `${claimName(ordinal)} was never owned by its pod`);
      }
      assert.ok(!claimWatch.events.some((e) => e.object.metadata.name === claimName(0) && e.type !== 'ADDED'), 'claim 0 was touched');

      // Scaling up again creates new claims, before their pods, bound to fresh volumes.
      const upFrom = podWatch.events.length;
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 3 }));
      await waitForRunningAndReady(set, podNames('ss', 3));
      await waitSettled(ns.name, 'ss', 3);
      const recreated = await waitClaims(ns.name, [0, 1, 2]);
      await podWatch.caughtUp();
      await claimWatch.caughtUp();
      for (const ordinal of [1, 2]) assert.notEqual(claimUid(recreated, ordinal), claimUid(before, ordinal));
      assert.ok(podWatch.events.slice(upFrom).some((e) => e.type === 'ADDED'));
      assert.equal(assertClaimsBeforePods(set, podWatch, claimWatch), 2);
    } finally {
      await claimWatch.stop();
      await podWatch.stop();
    }
  });

  it('whenScaled: Delete — pods scaled straight back up wait until their old claims are gone, then get fresh ones', async () => {
    const client = await testClient();
    await volumes.create(6);
    const set = await client.create(myStatefulSets, newSet(3, { whenScaled: 'Delete', whenDeleted: 'Delete' }));
    await waitForRunningAndReady(set, podNames('ss', 3));
    await waitSettled(ns.name, 'ss', 3);
    const before = await waitClaims(ns.name, [0, 1, 2]);
    // Hold the old claims 1 and 2 once deleted, as a slow volume detach would: the race with the
    // garbage collector, made certain.
    const hold = 'e2e.my.dev/hold';
    const release = async (): Promise<void> => {
      for (const ordinal of [1, 2]) {
        try {
          await updateWithRetries(persistentVolumeClaims, ns.name, claimName(ordinal), (c) =>
            c.metadata.uid === claimUid(before, ordinal) ? { ...c, metadata: { ...c.metadata, finalizers: (c.metadata.finalizers ?? []).filter((f) => f !== hold) } } : c,
          );
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    };
    for (const ordinal of [1, 2]) {
      await updateWithRetries(persistentVolumeClaims, ns.name, claimName(ordinal), (c) => ({ ...c, metadata: { ...c.metadata, finalizers: [...(c.metadata.finalizers ?? []), hold] } }));
    }

    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 1 }));
      await podWatch.waitState('ss-1 and ss-2 gone', (state) => [...state.values()].every((p) => p.metadata.name === 'ss-0'));
      await claimWatch.waitState('the old claims 1 and 2 deleted, held by the finalizer', (state) =>
        [1, 2].every((o) => [...state.values()].some((c) => uidOf(c) === claimUid(before, o) && isDeleting(c))),
      );
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 3 }));
      await waitForStatus(ns.name, 'ss', 'the scale-up observed');
      await podWatch.expectNoEventFor(quietMs, 'a pod was created while its old claim was still there', (e) => e.type === 'ADDED');

      await release();
      await waitForRunningAndReady(set, podNames('ss', 3));
      await waitSettled(ns.name, 'ss', 3);
      const after = await waitFor(
        'claims 0..2 Bound, 1 and 2 replaced, all controlled by the set',
        () => waitClaims(ns.name, [0, 1, 2]),
        (m) => claimUid(m, 1) !== claimUid(before, 1) && claimUid(m, 2) !== claimUid(before, 2) && [...m.values()].every((c) => owners(c).join() === 'MyStatefulSet/ss (controller)'),
      );
      assert.equal(claimUid(after, 0), claimUid(before, 0));
      await claimWatch.caughtUp();
      await podWatch.caughtUp();
      // Each new pod was created on its fresh claim, after the old one was gone.
      assert.equal(assertClaimsBeforePods(set, podWatch, claimWatch), 2);
      for (const c of podCreations(podWatch)) {
        let state = new Map<string, PersistentVolumeClaim>();
        for (const step of claimWatch.replay()) {
          if (step.event !== undefined && BigInt(step.event.object.metadata.resourceVersion ?? '0') > BigInt(c.pod.metadata.resourceVersion ?? '0')) break;
          state = step.state;
        }
        const claim = [...state.values()].find((x) => x.metadata.name === `datadir-${c.name}`);
        assert.ok(claim, `${c.name} was created without its claim`);
        assert.notEqual(uidOf(claim), claimUid(before, Number(c.name.slice('ss-'.length))), `${c.name} was created while its old claim was still there`);
      }
    } finally {
      await release();
      await claimWatch.stop();
      await podWatch.stop();
    }
  });

  it('whenScaled: Retain — claims of scaled-away pods stay, and the pods that come back reuse them', async () => {
    const client = await testClient();
    await volumes.create(3);
    const set = await client.create(myStatefulSets, newSet(3, { whenScaled: 'Retain', whenDeleted: 'Retain' }));
    await waitForRunningAndReady(set, podNames('ss', 3));
    await waitSettled(ns.name, 'ss', 3);
    const before = await waitClaims(ns.name, [0, 1, 2]);

    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 1 }));
      await waitFor('ss-1 and ss-2 gone', () => setPods(set), (ps) => ps.length === 1);
      await waitSettled(ns.name, 'ss', 1);
      await claimWatch.expectNoEventFor(quietMs, 'a claim changed after the scale-down', () => true);
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 3 }));
      await waitForRunningAndReady(set, podNames('ss', 3));
      await waitSettled(ns.name, 'ss', 3);
      const after = await waitClaims(ns.name, [0, 1, 2]);
      assert.deepEqual([...after.values()].map(uidOf).sort(), [...before.values()].map(uidOf).sort());
      await claimWatch.caughtUp();
      assert.deepEqual(claimWatch.events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`), [], 'claims changed');
    } finally {
      await claimWatch.stop();
    }
  });

  it('leaves a claim controlled by another owner alone with whenScaled: Delete, warning ConflictingController', async () => {
    const client = await testClient();
    await volumes.create(5);
    const set = await client.create(myStatefulSets, newSet(3));
    await waitForRunningAndReady(set, podNames('ss', 3));
    await waitSettled(ns.name, 'ss', 3);
    await waitClaims(ns.name, [0, 1, 2]);

    const dummy = await client.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'dummy-controller', namespace: ns.name } });
    const foreign: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: dummy.metadata.name ?? '', uid: uidOf(dummy), controller: true };
    const claim1 = await updateWithRetries(persistentVolumeClaims, ns.name, claimName(1), (c) => ({ ...c, metadata: { ...c.metadata, ownerReferences: [foreign] } }));

    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete', whenDeleted: 'Retain' } }));
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 0 }));
      await waitFor('no pods', () => setPods(set), (ps) => ps.length === 0);
      // Claims 0 and 2 go; claim 1 stays.
      const left = await waitClaims(ns.name, [1]);
      assert.equal(claimUid(left, 1), uidOf(claim1));

      // Its pod comes back while the other controller still owns it: the claim is used as it is,
      // the set adds no reference of its own, and says so.
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 2 }));
      await waitForRunningAndReady(set, podNames('ss', 2));
      await waitSettled(ns.name, 'ss', 2);
      const both = await waitClaims(ns.name, [0, 1]);
      assert.equal(claimUid(both, 1), uidOf(claim1), 'claim 1 was recreated instead of reused');
      const warning = await waitFor(
        'a ConflictingController Warning about claim 1',
        () => statefulSetEvents(set),
        (es) => es.some((e) => e.reason === 'ConflictingController' && e.type === 'Warning' && (e.message ?? '').includes(claimName(1))),
      );
      assert.ok(warning.length > 0);
      await claimWatch.caughtUp();
      for (const e of claimWatch.events.filter((x) => x.object.metadata.name === claimName(1))) {
        assert.deepEqual(e.object.metadata.ownerReferences, [foreign], `claim 1's owners changed: ${owners(e.object).join(', ')}`);
      }

      // Once the other owner lets go, the policy applies to claim 1 as well.
      await updateWithRetries(persistentVolumeClaims, ns.name, claimName(1), (c) => ({ ...c, metadata: { ...c.metadata, ownerReferences: [] } }));
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 1 }));
      await waitForRunningAndReady(set, ['ss-0']);
      await waitClaims(ns.name, [0]);
    } finally {
      await claimWatch.stop();
    }
  });

  it('removes its own references from a claim another controller took over (whenDeleted: Delete), which then survives the set', async () => {
    const client = await testClient();
    await volumes.create(2);
    const set = await client.create(myStatefulSets, newSet(2, { whenDeleted: 'Delete' }));
    await waitForRunningAndReady(set, podNames('ss', 2));
    await waitSettled(ns.name, 'ss', 2);
    const setRef = (controller: boolean): OwnerReference => ({
      apiVersion: 'apps.my.dev/v1alpha1',
      kind: 'MyStatefulSet',
      name: 'ss',
      uid: uidOf(set),
      controller,
      blockOwnerDeletion: true,
    });
    await waitFor('both claims controlled by the set', () => waitClaims(ns.name, [0, 1]), (m) => [...m.values()].every((c) => owners(c).join() === 'MyStatefulSet/ss (controller)'));

    const dummy = await client.create(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'random-owner', namespace: ns.name } });
    const foreign: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: dummy.metadata.name ?? '', uid: uidOf(dummy), controller: true };
    // Another controller takes claim 1 over; the set's reference is left behind as a plain owner.
    await updateWithRetries(persistentVolumeClaims, ns.name, claimName(1), (c) => ({ ...c, metadata: { ...c.metadata, ownerReferences: [foreign, setRef(false)] } }));

    const cleaned = await waitFor(
      'the set to remove its reference from claim 1',
      () => claimsByName(ns.name),
      (m) => JSON.stringify(m.get(claimName(1))?.metadata.ownerReferences) === JSON.stringify([foreign]),
    );
    const claim0 = cleaned.get(claimName(0));
    assert.ok(claim0);
    assert.deepEqual(owners(claim0), ['MyStatefulSet/ss (controller)'], 'claim 0 lost its owner');
    await waitFor(
      'a ConflictingController Warning about claim 1',
      () => statefulSetEvents(set),
      (es) => es.some((e) => e.reason === 'ConflictingController' && e.type === 'Warning' && (e.message ?? '').includes(claimName(1))),
    );

    await client.delete(myStatefulSets, ns.name, 'ss');
    await waitFor('the pods gone', () => client.list(pods, { namespace: ns.name }), (l) => l.items.length === 0);
    const left = await waitFor('claim 0 deleted with the set', () => claimsByName(ns.name), (m) => !m.has(claimName(0)));
    assert.deepEqual([...left.keys()], [claimName(1)]);
    assert.deepEqual(left.get(claimName(1))?.metadata.ownerReferences, [foreign]);
  });
});
