// MyStatefulSet claim templates that grow (kubernetes#68737; docs/volume-growth.md): raising
// volumeClaimTemplates[*].spec.resources.requests.storage with one `kubectl apply` grows every
// existing claim in place and replaces no pod; a scale-up afterwards creates its claim at the new
// size; a StorageClass without allowVolumeExpansion leaves the claims as they are and says why;
// lowering the request is refused at apply time.
//
// Claims bind to pre-created hostPath volumes of a StorageClass of the test's own (no
// provisioner). Nothing in this cluster expands a volume, so FakeVolumeResizer plays the external
// resizer and the kubelet: it writes the new size into the volume and the claim's status.capacity.
// Pods turn Ready within milliseconds, so "no pod was replaced" is read from a pod watch opened
// before the change, never from polls.
import assert from 'node:assert/strict';
import type { CoreEvent, PersistentVolumeClaim } from '../../../src/api/core.ts';
import { persistentVolumeClaims, pods } from '../../../src/api/resources.ts';
import type { MyStatefulSet } from '../../../src/api/workloads.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { createNamespace, kubectl, kubectlFails, testClient, waitFor } from '../support/env.ts';
import { uidOf } from '../support/objects.ts';
import { runPlugin } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import { conditionOf, conditionState } from '../support/rollout-control.ts';
import {
  createHeadlessService,
  getMsts,
  isPodDeletion,
  newMyStatefulSet,
  outsideDisruptions,
  podCreations,
  podDeletions,
  podNames,
  quietMs,
  statefulSetEvents,
  TestVolumes,
  waitForRunningAndReady,
  waitForStatefulSetEvents,
  waitForStatus,
  waitSettled,
  withSpec,
} from '../support/statefulset.ts';
import {
  claimCapacity,
  claimRequest,
  createStorageClass,
  FakeVolumeResizer,
  resized,
  resizeForbidden,
  resizing,
  setAllowVolumeExpansion,
  volumeResizingType,
} from '../support/volume-growth.ts';

const labels = { app: 'growing' };
const setName = 'ss';

/** The set's manifest with its claim template `www` asking for `storage` of class `className`. */
function manifest(namespace: string, className: string, storage: string, replicas = 3): MyStatefulSet {
  const set = newMyStatefulSet(namespace, setName, { replicas, labels, claims: { storageClassName: className, names: ['www'] } });
  return withClaimStorage(set, storage);
}

function withClaimStorage(set: MyStatefulSet, storage: string): MyStatefulSet {
  return withSpec(set, {
    volumeClaimTemplates: (set.spec.volumeClaimTemplates ?? []).map((t) => ({ ...t, spec: { ...t.spec, resources: { requests: { storage } } } })),
  });
}

/** `kubectl apply -f -` of the manifest, as a user applies it. */
function apply(set: MyStatefulSet): Promise<string> {
  return kubectl(['apply', '-f', '-'], JSON.stringify(set));
}

function claimName(ordinal: number): string {
  return `www-${setName}-${ordinal}`;
}

async function claimsByName(namespace: string): Promise<Map<string, PersistentVolumeClaim>> {
  const client = await testClient();
  const list = await client.list(persistentVolumeClaims, { namespace });
  return new Map(list.items.map((c) => [c.metadata.name ?? '', c]));
}

/** Waits until the claims of `ordinals` are Bound, requesting `request` and holding `capacity` (default: the request). */
function waitClaimsAt(namespace: string, ordinals: readonly number[], request: string, capacity = request): Promise<Map<string, PersistentVolumeClaim>> {
  return waitFor(
    `claims ${ordinals.map(claimName).join(', ')} Bound, requesting ${request} with ${capacity}`,
    () => claimsByName(namespace),
    (m) =>
      ordinals.every((o) => {
        const c = m.get(claimName(o));
        return c?.status?.phase === 'Bound' && claimRequest(c) === request && claimCapacity(c) === capacity;
      }),
  );
}

/** status.volumeClaimTemplates says `claims` claims of `www` requested and resized at `storage`, and VolumeResizing is Resized. */
function grownTo(set: MyStatefulSet, storage: string, claims: number): boolean {
  const [www, ...others] = set.status?.volumeClaimTemplates ?? [];
  return (
    others.length === 0 &&
    www?.name === 'www' &&
    www.requestedStorage === storage &&
    www.updatedClaims === claims &&
    www.resizedClaims === claims &&
    conditionState(set, volumeResizingType) === resized
  );
}

/** The VolumeResizing states (`status/reason`, `-` for none) the set watch saw, each change once. */
function resizingTrail(watch: Recorder<MyStatefulSet>): string[] {
  const trail: string[] = [];
  for (const { state } of watch.replay()) {
    const [set] = state.values();
    const now = set === undefined ? '-' : conditionState(set, volumeResizingType);
    if (trail.at(-1) !== now) trail.push(now);
  }
  return trail;
}

function eventsWithReason(events: readonly CoreEvent[], reason: string): CoreEvent[] {
  return events.filter((e) => e.reason === reason);
}

describe('MyStatefulSet claim templates that grow (kubernetes#68737)', function () {
  this.timeout(240_000);
  let ns: { name: string; remove: () => Promise<void> };
  let cleanups: (() => Promise<void>)[];
  beforeEach(async () => {
    ns = await createNamespace('sts-grow');
    cleanups = [];
    await createHeadlessService(ns.name, 'test', labels);
  });
  afterEach(async () => {
    await ns.remove();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** A StorageClass of this test and `count` 1Gi volumes of it, removed after the test. */
  async function storage(allowVolumeExpansion: boolean, count: number): Promise<TestVolumes> {
    const sc = await createStorageClass(`e2e-${ns.name}`, allowVolumeExpansion);
    const volumes = new TestVolumes(ns.name, sc.name);
    cleanups.push(sc.remove, () => volumes.deleteAll());
    await volumes.create(count);
    return volumes;
  }

  /** The set applied at 1Gi, its pods Running and Ready, its claims Bound at 1Gi. */
  async function runningAt1Gi(className: string): Promise<{ set: MyStatefulSet; claims: Map<string, PersistentVolumeClaim> }> {
    await apply(manifest(ns.name, className, '1Gi'));
    const set = await getMsts(ns.name, setName);
    await waitForRunningAndReady(set, podNames(setName, 3));
    await waitSettled(ns.name, setName, 3);
    const claims = await waitClaimsAt(ns.name, [0, 1, 2], '1Gi');
    return { set, claims };
  }

  it('1Gi → 2Gi with one kubectl apply grows all three claims in place, replaces no pod, ends Resized; a scale-up creates its claim at 2Gi', async () => {
    const volumes = await storage(true, 3);
    const { set, claims: before } = await runningAt1Gi(volumes.storageClassName);
    // An untouched set carries neither the condition nor the status field.
    const untouched = await getMsts(ns.name, setName);
    assert.equal(conditionState(untouched, volumeResizingType), '-');
    assert.equal(untouched.status?.volumeClaimTemplates, undefined);

    const podWatch = await Recorder.start(pods, ns.name);
    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    const setWatch = await Recorder.start(myStatefulSets, ns.name);
    let resizer: FakeVolumeResizer | undefined;
    try {
      const changedAt = Date.now();
      await apply(manifest(ns.name, volumes.storageClassName, '2Gi'));
      // kubectl my rollout status waits for the claims too: still running while they lag.
      let statusExited = false;
      const status = runPlugin(ns.name, 'rollout', 'status', `msts/${setName}`, '--timeout', '180s').finally(() => {
        statusExited = true;
      });
      const patched = await waitForStatus(ns.name, setName, 'every request raised, no volume grown yet, VolumeResizing True/Resizing', (s) => {
        const [www] = s.status?.volumeClaimTemplates ?? [];
        return www?.updatedClaims === 3 && www.resizedClaims === 0 && conditionState(s, volumeResizingType) === resizing;
      });
      assert.match(
        conditionOf(patched, volumeResizingType)?.message ?? '',
        /^0 of 3 claims have reached their requested storage; waiting for the volumes of www-ss-0, www-ss-1, www-ss-2 to be expanded$/,
      );
      await waitClaimsAt(ns.name, [0, 1, 2], '2Gi', '1Gi');
      // A window in which nothing else happens: no pod is replaced, and rollout status keeps waiting.
      await podWatch.expectNoEventFor(quietMs, 'a pod was replaced while the claims grew', (e) => e.type === 'ADDED' || isPodDeletion(e));
      assert.equal(statusExited, false, 'kubectl my rollout status returned while every claim was still at 1Gi');

      resizer = FakeVolumeResizer.start(ns.name);
      const done = await waitForStatus(ns.name, setName, 'every claim resized to 2Gi and VolumeResizing False/Resized', (s) => grownTo(s, '2Gi', 3));
      console.log(`      every claim at 2Gi and VolumeResizing Resized ${((Date.now() - changedAt) / 1000).toFixed(1)} s after the apply (resizer started after ${quietMs / 1000} s)`);
      assert.equal(done.metadata.uid, set.metadata.uid);
      const statusRun = await status;
      assert.equal(statusRun.code, 0, `kubectl my rollout status: ${statusRun.stdout}${statusRun.stderr}`);
      await setWatch.caughtUp();
      assert.deepEqual(resizingTrail(setWatch), ['-', resizing, resized], 'VolumeResizing went other ways than absent, Resizing, Resized');

      // The same claims, grown in place: only the storage request changed in their spec.
      const after = await waitClaimsAt(ns.name, [0, 1, 2], '2Gi');
      for (const [name, claim] of before) {
        const grown = after.get(name);
        assert.ok(grown, `claim ${name} gone`);
        assert.equal(uidOf(grown), uidOf(claim), `claim ${name} was replaced`);
        assert.deepEqual({ ...grown.spec, resources: undefined }, { ...claim.spec, resources: undefined }, `claim ${name}: more than the request changed`);
      }
      assert.deepEqual([...resizer.expansions].sort(), [0, 1, 2].map((o) => `${claimName(o)}: 1Gi -> 2Gi`));

      // No pod was created or deleted for it (a stray kwok delete is nobody's doing: spec control-plane.md).
      await podWatch.expectNoEventFor(quietMs, 'a pod was replaced after the claims grew', (e) => e.type === 'ADDED' || isPodDeletion(e));
      const stray = new Set(outsideDisruptions(podWatch).map((d) => d.name));
      assert.deepEqual(podDeletions(podWatch).filter((d) => !stray.has(d.name)).map((d) => d.name), [], 'pods deleted for the growth');
      assert.deepEqual(podCreations(podWatch).filter((c) => !stray.has(c.name)).map((c) => c.name), [], 'pods created for the growth');

      // Each request was raised before its volume grew, one write each.
      for (const o of [0, 1, 2]) {
        const seen = claimWatch.events.filter((e) => e.object.metadata.name === claimName(o)).map((e) => `${claimRequest(e.object) ?? ''}/${claimCapacity(e.object) ?? ''}`);
        assert.ok(seen.includes('2Gi/1Gi'), `claim ${claimName(o)}: request raised before the volume grew, saw ${seen.join(', ')}`);
      }
      const events = await waitForStatefulSetEvents(
        set,
        'ResizingClaim and ClaimResized for each claim',
        (es) => eventsWithReason(es, 'ResizingClaim').length === 3 && eventsWithReason(es, 'ClaimResized').length === 3,
      );
      assert.deepEqual(
        eventsWithReason(events, 'ResizingClaim').map((e) => e.message).sort(),
        [0, 1, 2].map((o) => `raised the storage request of claim ${claimName(o)} from 1Gi to 2Gi`),
      );
      assert.deepEqual(
        eventsWithReason(events, 'ClaimResized').map((e) => e.message).sort(),
        [0, 1, 2].map((o) => `claim ${claimName(o)} has reached its requested storage 2Gi (capacity 2Gi)`),
      );

      // A scale-up afterwards: the new claim is created at 2Gi (and binds to a 2Gi volume).
      await volumes.create(1, '2Gi');
      await apply(manifest(ns.name, volumes.storageClassName, '2Gi', 4));
      await waitForRunningAndReady(set, podNames(setName, 4));
      await waitClaimsAt(ns.name, [0, 1, 2, 3], '2Gi');
      await waitForStatus(ns.name, setName, 'four claims counted, still Resized', (s) => grownTo(s, '2Gi', 4));
      assert.equal(eventsWithReason(await statefulSetEvents(set), 'ResizingClaim').length, 3, 'the new claim was patched');
    } finally {
      await resizer?.stop();
      await podWatch.stop();
      await claimWatch.stop();
      await setWatch.stop();
    }
  });

  it('a StorageClass without allowVolumeExpansion: Warning ClaimResizeForbidden, ResizeForbidden, the claims keep 1Gi; allowing expansion lets them grow', async () => {
    const volumes = await storage(false, 3);
    const { set } = await runningAt1Gi(volumes.storageClassName);
    const resizer = FakeVolumeResizer.start(ns.name);
    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      await apply(manifest(ns.name, volumes.storageClassName, '2Gi'));
      const refused = await waitForStatus(ns.name, setName, 'VolumeResizing False/ResizeForbidden', (s) => conditionState(s, volumeResizingType) === resizeForbidden);
      const message = refused.status?.conditions?.find((c) => c.type === volumeResizingType)?.message ?? '';
      assert.match(message, new RegExp(`^3 claims cannot grow and keep their size: ${claimName(0)} \\(StorageClass "${volumes.storageClassName}" does not allow volume expansion\\)`));
      assert.deepEqual(refused.status?.volumeClaimTemplates, [{ name: 'www', requestedStorage: '2Gi', updatedClaims: 0, resizedClaims: 0 }]);
      const events = await waitForStatefulSetEvents(set, 'ClaimResizeForbidden for each claim', (es) => eventsWithReason(es, 'ClaimResizeForbidden').length === 3);
      for (const e of eventsWithReason(events, 'ClaimResizeForbidden')) assert.equal(e.type, 'Warning');
      assert.deepEqual(
        eventsWithReason(events, 'ClaimResizeForbidden').map((e) => e.message).sort(),
        [0, 1, 2].map((o) => `claim ${claimName(o)} cannot grow from 1Gi to 2Gi: StorageClass "${volumes.storageClassName}" does not allow volume expansion; it keeps its size`),
      );
      // The claims keep their size: no request is raised, and the Warning is not repeated per sync.
      await claimWatch.expectNoEventFor(quietMs, 'a claim changed although its class refuses expansion', (e) => claimRequest(e.object) !== '1Gi');
      await waitClaimsAt(ns.name, [0, 1, 2], '1Gi');
      const again = await statefulSetEvents(set);
      assert.equal(eventsWithReason(again, 'ClaimResizeForbidden').length, 3);
      assert.ok(eventsWithReason(again, 'ClaimResizeForbidden').every((e) => (e.count ?? 1) === 1), 'ClaimResizeForbidden recorded more than once');
      assert.equal(eventsWithReason(again, 'ResizingClaim').length, 0);
      // kubectl my rollout status gives up on a refusing class (docs/volume-growth.md).
      const status = await runPlugin(ns.name, 'rollout', 'status', `msts/${setName}`, '--timeout', '60s');
      assert.equal(status.code, 1, `kubectl my rollout status: ${status.stdout}${status.stderr}`);
      assert.match(status.stderr, new RegExp(`statefulset "${setName}" cannot grow its claims: 3 claims cannot grow`));

      // The class changes its mind: the StorageClass watch wakes the set, and the claims grow.
      await setAllowVolumeExpansion(volumes.storageClassName, true);
      await waitForStatus(ns.name, setName, 'VolumeResizing False/Resized after expansion was allowed', (s) => conditionState(s, volumeResizingType) === resized, {
        timeoutMs: 120_000,
      });
      await waitClaimsAt(ns.name, [0, 1, 2], '2Gi');
      const stray = new Set(outsideDisruptions(podWatch).map((d) => d.name));
      assert.deepEqual(podDeletions(podWatch).filter((d) => !stray.has(d.name)).map((d) => d.name), [], 'pods deleted for the growth');
    } finally {
      await resizer.stop();
      await claimWatch.stop();
      await podWatch.stop();
    }
  });

  it('lowering the request is refused at apply time naming the field; other claim-template fields stay immutable', async () => {
    const sc = await createStorageClass(`e2e-${ns.name}`, true);
    cleanups.push(sc.remove);
    // No volumes: the claims stay Pending, which changes nothing for admission.
    await apply(manifest(ns.name, sc.name, '2Gi'));
    const stored = await getMsts(ns.name, setName);

    // docs/volume-growth.md "What may change": the CRD's CEL rule names the field.
    const lowered = await kubectlFails(['apply', '-f', '-'], JSON.stringify(manifest(ns.name, sc.name, '1Gi')));
    assert.match(lowered, /spec\.volumeClaimTemplates\[0\]\.spec\.resources\.requests\.storage/);
    assert.match(lowered, /claims cannot shrink/);
    const otherClass = manifest(ns.name, sc.name, '2Gi');
    const changedClass = withSpec(otherClass, {
      volumeClaimTemplates: (otherClass.spec.volumeClaimTemplates ?? []).map((t) => ({ ...t, spec: { ...t.spec, storageClassName: 'another' } })),
    });
    assert.match(await kubectlFails(['apply', '-f', '-'], JSON.stringify(changedClass)), /volumeClaimTemplates: only spec\.resources\.requests\.storage may change/);

    const after = await getMsts(ns.name, setName);
    assert.equal(after.metadata.generation, stored.metadata.generation, 'a refused apply changed the set');
    assert.equal(after.spec.volumeClaimTemplates?.[0]?.spec.resources?.requests?.storage, '2Gi');
    // Raising it is one apply.
    await apply(manifest(ns.name, sc.name, '3Gi'));
    assert.equal((await getMsts(ns.name, setName)).spec.volumeClaimTemplates?.[0]?.spec.resources?.requests?.storage, '3Gi');
  });
});
