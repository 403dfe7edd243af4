// MyStatefulSet identity and pod lifecycle, ported from upstream test/e2e/apps/statefulset.go:
// the seeds' `web` example end to end (basic identity: ordered creation, claims bound to real
// PersistentVolumes before their pods, hostname/subdomain, identity labels, DNS records), adoption
// and release of orphans, no deadlock when a predecessor fails, and failed pods recreated.
//
// Pods turn Ready within milliseconds here: creation order and "not before" are read from a watch
// opened before the action, never from polls.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from '../../../hack/cluster.ts';
import type { CoreEvent, Pod } from '../../../src/api/core.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { controllerRevisions, persistentVolumeClaims, pods } from '../../../src/api/resources.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';
import { controlledBy, controllerUid, hashLabel, isReady, podName, uidOf, updateWithRetries } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  assertClaimsBeforePods,
  byName,
  crashImage,
  createHeadlessService,
  describePods,
  endpointSlices,
  getMsts,
  newImage,
  newMyStatefulSet,
  outsideDisruptions,
  podCreations,
  podDeletions,
  podIndexLabel,
  podNameLabel,
  setPodReadiness,
  setPods,
  stateBefore,
  statefulSetEvents,
  TestVolumes,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatefulSetEvents,
  waitSettled,
  withImage,
} from '../support/statefulset.ts';

const labels = { foo: 'bar', baz: 'blah' };

function readDocs(file: string): unknown[] {
  return parseAllDocuments(readFileSync(path.join(repoRoot, 'examples', file), 'utf8')).map((d) => {
    const json: unknown = d.toJSON();
    return json;
  });
}

/**
 * examples/web-statefulset.yaml with the claim template's storage class pointed at the test's
 * volumes; `shippedClass` is the class it ships with (for examples/web-pvs.yaml).
 */
function webExample(storageClassName: string): { yaml: string; shippedClass: string } {
  let shippedClass = '';
  const rewritten = readDocs('web-statefulset.yaml').map((doc) => {
    if (!isRecord(doc) || doc.kind !== 'MyStatefulSet' || !isRecord(doc.spec) || !Array.isArray(doc.spec.volumeClaimTemplates)) return doc;
    const templates: unknown[] = doc.spec.volumeClaimTemplates;
    return {
      ...doc,
      spec: {
        ...doc.spec,
        volumeClaimTemplates: templates.map((t) => {
          if (!isRecord(t) || !isRecord(t.spec)) return t;
          shippedClass = String(t.spec.storageClassName);
          return { ...t, spec: { ...t.spec, storageClassName } };
        }),
      },
    };
  });
  return { yaml: rewritten.map((d) => stringify(d)).join('---\n'), shippedClass };
}

describe('MyStatefulSet basics: identity, adoption, failed predecessors and pods (upstream statefulset.go)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  let volumes: TestVolumes;
  beforeEach(async () => {
    ns = await createNamespace('sts-basics');
    volumes = new TestVolumes(ns.name);
    // upstream: the headless Service "test" governing the sets of these tests.
    await createHeadlessService(ns.name, 'test', labels);
  });
  afterEach(async () => {
    await ns.remove();
    await volumes.deleteAll();
  });

  it('runs the seeds web example: web-0, web-1, web-2 in order, www claims bound before their pods, stable network identity', async () => {
    const client = await testClient();
    const example = webExample(volumes.storageClassName);
    // The example ships with a storage class for examples/web-pvs.yaml, whose volumes cover 5 replicas.
    const pvDocs = readDocs('web-pvs.yaml');
    assert.equal(pvDocs.length, 5);
    for (const pv of pvDocs) {
      assert.ok(isRecord(pv) && isRecord(pv.spec), 'a PersistentVolume document');
      assert.equal(pv.spec.storageClassName, example.shippedClass, 'the example volumes and claims disagree on the storage class');
    }
    await volumes.create(3);

    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      await kubectl(['apply', '-n', ns.name, '-f', '-'], example.yaml);
      const set = await getMsts(ns.name, 'web');
      const running = await waitForRunningAndReady(set, ['web-0', 'web-1', 'web-2']);
      const status = (await waitSettled(ns.name, 'web', 3)).status ?? {};
      await podWatch.caughtUp();
      await claimWatch.caughtUp();

      // Created one after the other, each only once its predecessor was Running and Ready.
      const created = podCreations(podWatch);
      assert.deepEqual(created.map((c) => c.name), ['web-0', 'web-1', 'web-2']);
      for (const c of created.slice(1)) {
        const before = stateBefore(podWatch, c.index);
        const predecessor = before.get(`web-${Number(c.name.slice(4)) - 1}`);
        assert.ok(predecessor && isReady(predecessor), `${c.name} was created before its predecessor was Ready: ${describePods(before.values()).join('; ')}`);
      }
      assert.equal(podDeletions(podWatch).length, 0, 'pods were deleted');
      assert.equal(assertClaimsBeforePods(set, podWatch, claimWatch), 3);

      // Each claim is bound to one of the test's volumes, labelled from the selector, unowned (Retain/Retain).
      const claims = (await client.list(persistentVolumeClaims, { namespace: ns.name })).items;
      const bound = await waitFor(
        'www-web-0..2 Bound',
        async () => (await client.list(persistentVolumeClaims, { namespace: ns.name })).items,
        (cs) => cs.length === 3 && cs.every((c) => c.status?.phase === 'Bound'),
      );
      assert.deepEqual(claims.map((c) => c.metadata.name).sort(), ['www-web-0', 'www-web-1', 'www-web-2']);
      assert.equal(new Set(bound.map((c) => c.spec.volumeName)).size, 3, 'two claims share a volume');
      for (const claim of bound) {
        assert.ok((claim.spec.volumeName ?? '').startsWith(`e2e-${ns.name}-`), `${claim.metadata.name ?? ''} bound to ${claim.spec.volumeName ?? ''}`);
        assert.equal(claim.metadata.labels?.app, 'nginx');
        assert.deepEqual(claim.metadata.ownerReferences ?? [], []);
      }

      // Identity: DNS fields, labels, the claim volume, the controller reference.
      const revision = status.currentRevision ?? '';
      assert.match(revision, /^web-[a-z0-9]+$/);
      assert.equal(status.updateRevision, revision);
      for (const [i, pod] of running.entries()) {
        const name = `web-${i}`;
        assert.equal(pod.spec.hostname, name);
        assert.equal(pod.spec.subdomain, 'nginx');
        assert.equal(pod.metadata.labels?.[podNameLabel], name);
        assert.equal(pod.metadata.labels?.[podIndexLabel], String(i));
        assert.equal(pod.metadata.labels?.[hashLabel], revision);
        assert.equal(pod.metadata.labels?.app, 'nginx');
        assert.deepEqual(pod.spec.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim, { claimName: `www-${name}` });
        const ref = pod.metadata.ownerReferences?.find((r) => r.controller === true);
        assert.deepEqual({ kind: ref?.kind, name: ref?.name, uid: ref?.uid }, { kind: 'MyStatefulSet', name: 'web', uid: uidOf(set) });
      }
      const revisions = (await client.list(controllerRevisions, { namespace: ns.name })).items;
      assert.deepEqual(revisions.map((r) => `${r.metadata.name ?? ''}:${r.revision}`), [`${revision}:1`]);
      assert.equal(controllerUid(revisions[0] ?? set), uidOf(set));

      // The headless Service publishes each pod under its hostname: web-0.nginx.<ns>.svc resolves.
      const slices = await waitFor(
        'EndpointSlices of nginx to list web-0..2 by hostname',
        async () => (await client.list(endpointSlices, { namespace: ns.name, labelSelector: 'kubernetes.io/service-name=nginx' })).items,
        (list) =>
          list
            .flatMap((s) => s.endpoints ?? [])
            .map((e) => e.hostname ?? '')
            .sort()
            .join(',') === 'web-0,web-1,web-2',
      );
      for (const endpoint of slices.flatMap((s) => s.endpoints ?? [])) assert.equal(endpoint.targetRef?.name, endpoint.hostname);

      const createEvents = (es: readonly CoreEvent[]): string[] => es.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message ?? '');
      const reasons = createEvents(await waitForStatefulSetEvents(set, 'SuccessfulCreate for 3 pods and 3 claims', (es) => createEvents(es).length >= 6));
      for (const name of ['web-0', 'web-1', 'web-2']) {
        assert.ok(reasons.some((m) => m.includes(`Pod ${name} `)), `no SuccessfulCreate for pod ${name}: ${reasons.join('; ')}`);
        assert.ok(reasons.some((m) => m.includes(`Claim www-${name} `)), `no SuccessfulCreate for claim www-${name}`);
      }
      const table = await kubectl(['get', 'msts', 'web', '-n', ns.name]);
      assert.match(table, /^web\s+3\s+3\s+3\s+3\s+3\s+/m, table);
    } finally {
      await podWatch.stop();
      await claimWatch.stop();
    }
  });

  it('adopts a matching orphan with a member name, releases a pod whose labels stop matching, and never adopts non-members', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 1, labels }));
    const [pod] = await waitForRunningAndReady(set, ['ss-0']);
    assert.ok(pod);
    assert.ok(controlledBy(pod, set), 'ss-0 has no controller reference to the set');

    // Pods the set must never adopt: matching labels, but names that are not `ss-<ordinal>`.
    const stranger = (name: string): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns.name, labels },
      spec: { containers: [{ name: 'webserver', image: newImage }] },
    });
    const strangers = await Promise.all(['ss', 'ss-x', 'ssa-0', 'other-1', 'ss-0-1x'].map((n) => client.create(pods, stranger(n))));
    // Settled (scheduled, Ready) before the watch starts, so any later event on them is someone's act.
    await waitFor(
      'the non-member pods Running and Ready',
      () => Promise.all(strangers.map((s) => client.get(pods, ns.name, podName(s)))),
      (list) => list.every((p) => p.status?.phase === 'Running' && isReady(p)),
    );

    const watch = await Recorder.start(pods, ns.name);
    try {
      // Orphaning ss-0: the set adopts it again (same pod, nothing recreated).
      await updateWithRetries(pods, ns.name, 'ss-0', (p) => ({ ...p, metadata: { ...p.metadata, ownerReferences: [] } }));
      await watch.waitState('ss-0 orphaned and then adopted again', (state) =>
        watch.events.some((e) => uidOf(e.object) === uidOf(pod) && (e.object.metadata.ownerReferences ?? []).length === 0) &&
        [...state.values()].some((p) => uidOf(p) === uidOf(pod) && controlledBy(p, set)),
      );

      // Removing its labels: released (no controller reference), left running.
      const prevLabels = pod.metadata.labels ?? {};
      await updateWithRetries(pods, ns.name, 'ss-0', (p) => ({ ...p, metadata: { ...p.metadata, labels: {} } }));
      await watch.waitState('ss-0 released', (state) => [...state.values()].some((p) => uidOf(p) === uidOf(pod) && controllerUid(p) === undefined));

      // Labels back: adopted again.
      await updateWithRetries(pods, ns.name, 'ss-0', (p) => ({ ...p, metadata: { ...p.metadata, labels: prevLabels } }));
      await watch.waitState('ss-0 adopted after its labels came back', (state) =>
        [...state.values()].some((p) => uidOf(p) === uidOf(pod) && controlledBy(p, set) && p.metadata.labels?.foo === 'bar'),
      );

      // An orphan with a member name beyond the replicas is adopted, then deleted as condemned.
      const extra = await client.create(pods, stranger('ss-3'));
      await watch.waitState('ss-3 adopted and removed', () => podDeletions(watch).some((d) => d.uid === uidOf(extra)));
      const adoptedAt = watch.events.findIndex((e) => uidOf(e.object) === uidOf(extra) && controlledBy(e.object, set));
      const deletion = podDeletions(watch).find((d) => d.uid === uidOf(extra));
      assert.ok(adoptedAt >= 0, 'ss-3 was never adopted');
      assert.ok(deletion && deletion.index > adoptedAt, 'ss-3 was removed before it was adopted');

      await waitSettled(ns.name, 'ss', 1);
      await watch.caughtUp();
      await watch.stop();
      // Every sync above saw the non-members: none was ever given an owner, none was touched.
      for (const s of strangers) {
        const seen = watch.events.filter((e) => uidOf(e.object) === uidOf(s));
        assert.deepEqual(seen.map((e) => e.type), [], `non-member ${podName(s)} was changed: ${seen.map((e) => JSON.stringify(e.object.metadata.ownerReferences)).join(' ')}`);
        const now = await client.get(pods, ns.name, podName(s));
        assert.deepEqual(now.metadata.ownerReferences ?? [], [], `${podName(s)} was adopted`);
      }
      // ss-0 itself was never deleted or recreated through all of it.
      assert.deepEqual(
        podDeletions(watch).map((d) => d.name),
        ['ss-3'],
      );
      assert.deepEqual(podCreations(watch).map((c) => c.name), ['ss-3']);
    } finally {
      await watch.stop();
    }
  });

  it('repairs a pod whose identity labels were changed, in place', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 2, labels }));
    const [, second] = await waitForRunningAndReady(set, ['ss-0', 'ss-1']);
    assert.ok(second);
    await waitSettled(ns.name, 'ss', 2);

    const watch = await Recorder.start(pods, ns.name);
    try {
      await client.patch(pods, ns.name, 'ss-1', 'merge', { metadata: { labels: { [podNameLabel]: 'ss-7', [podIndexLabel]: '7' } } });
      const repaired = await watch.waitState('ss-1 labelled ss-1 again', (state) => {
        const pod = byName(state).get('ss-1');
        return pod !== undefined && pod.metadata.labels?.[podNameLabel] === 'ss-1' && pod.metadata.labels[podIndexLabel] === '1';
      });
      assert.equal(uidOf(byName(repaired).get('ss-1') ?? set), uidOf(second), 'ss-1 was replaced instead of repaired');
      await waitFor(
        'a SuccessfulUpdate event for ss-1',
        () => statefulSetEvents(set),
        (es) => es.some((e) => e.reason === 'SuccessfulUpdate' && (e.message ?? '').includes('Pod ss-1 ')),
      );
      await watch.caughtUp();
      assert.deepEqual(podDeletions(watch), []);
      assert.deepEqual(podCreations(watch), []);
    } finally {
      await watch.stop();
    }
  });

  it('does not deadlock when a predecessor fails: a deleted healthy pod is recreated while its successor is unready', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 2, labels }));
    const [first, second] = await waitForRunningAndReady(set, ['ss-0', 'ss-1']);
    assert.ok(first && second);
    await waitSettled(ns.name, 'ss', 2);

    // ss-1's readiness probe starts failing; the set sees 1 ready replica.
    await setPodReadiness(ns.name, 'ss-1', false);
    await waitFor('status.readyReplicas 1', () => getMsts(ns.name, 'ss'), (s) => s.status?.readyReplicas === 1);

    const watch = await Recorder.start(pods, ns.name);
    try {
      await client.delete(pods, ns.name, 'ss-0');
      const recreated = await watch.waitState('ss-0 recreated and Ready', (state) => {
        const p = byName(state).get('ss-0');
        return p !== undefined && uidOf(p) !== uidOf(first) && isReady(p);
      });
      const successor = byName(recreated).get('ss-1');
      assert.ok(successor && uidOf(successor) === uidOf(second) && !isReady(successor), 'ss-1 should still be the unready original');

      // The predecessor came back although its successor was unready the whole time.
      const creation = podCreations(watch).find((c) => c.name === 'ss-0');
      assert.ok(creation);
      const at = stateBefore(watch, creation.index).get('ss-1');
      assert.ok(at && !isReady(at), 'ss-1 was Ready when ss-0 was recreated: the test proves nothing');

      await setPodReadiness(ns.name, 'ss-1', true);
      await waitForRunningAndReady(set, ['ss-0', 'ss-1']);
      await waitSettled(ns.name, 'ss', 2);
      await watch.caughtUp();
      assert.deepEqual(podDeletions(watch).filter((d) => d.graceful).map((d) => d.uid), [uidOf(first)], 'only the deleted ss-0 may go');
      assert.ok(!podDeletions(watch).some((d) => d.uid === uidOf(second)), 'the unready ss-1 was deleted');
    } finally {
      await watch.stop();
    }
  });

  it('recreates an evicted (Failed) pod under the same name, and keeps recreating a pod that keeps failing until the template is fixed', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 1, labels }));
    const [pod] = await waitForRunningAndReady(set, ['ss-0']);
    assert.ok(pod);
    await waitSettled(ns.name, 'ss', 1);

    const watch = await Recorder.start(pods, ns.name);
    try {
      // The kubelet evicts the pod: phase Failed, reason Evicted.
      await client.patch(pods, ns.name, 'ss-0', 'merge', { status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' } }, { subresource: 'status' });
      const back = await watch.waitState('ss-0 recreated and Running', (state) => {
        const p = byName(state).get('ss-0');
        return p !== undefined && uidOf(p) !== uidOf(pod) && p.status?.phase === 'Running' && isReady(p);
      });
      assert.ok(back);
      assert.ok(podDeletions(watch).some((d) => d.uid === uidOf(pod)), 'the evicted pod was not deleted');
      const deleted = await waitFor(
        'a SuccessfulDelete event for ss-0',
        () => statefulSetEvents(set),
        (es) => es.some((e) => e.reason === 'SuccessfulDelete' && (e.message ?? '').includes('Pod ss-0 ')),
      );
      assert.ok(deleted.length > 0);

      // A template whose pods fail at once: each failed ss-0 is deleted and created again.
      await updateMyStatefulSet(ns.name, 'ss', (s) => withImage(s, crashImage));
      await watch.waitState('ss-0 created and failed at the crash image at least 3 times', () => {
        const failed = new Set(watch.events.filter((e) => e.object.spec.containers[0]?.image === crashImage && e.object.status?.phase === 'Failed').map((e) => uidOf(e.object)));
        return failed.size >= 3;
      });
      // Fixing the template ends the loop: the next ss-0 is at the fixed image and stays.
      const fixedAt = watch.events.length;
      await updateMyStatefulSet(ns.name, 'ss', (s) => withImage(s, newImage));
      const [fixed] = await waitForRunningAndReady(set, ['ss-0']);
      assert.equal(fixed?.spec.containers[0]?.image, newImage);
      await waitSettled(ns.name, 'ss', 1);
      await watch.caughtUp();
      // Until the fix, the controller removed crashing pods only once they had failed (a recreated
      // pod kwok's stray delete removed is not the controller's doing).
      const stray = new Set(outsideDisruptions(watch).map((d) => d.uid));
      const crashed = podDeletions(watch).filter((x) => x.index < fixedAt && x.pod.spec.containers[0]?.image === crashImage && !stray.has(x.uid));
      assert.ok(crashed.length >= 2, `only ${crashed.length} crashing pods were removed`);
      for (const d of crashed) {
        const last = stateBefore(watch, d.index).get(d.name);
        assert.equal(last?.status?.phase, 'Failed', `${d.name} was deleted while ${last?.status?.phase ?? 'unknown'}`);
      }
      const now = await setPods(set);
      assert.deepEqual(now.map((p) => podName(p)), ['ss-0']);
    } finally {
      await watch.stop();
    }
  });
});
