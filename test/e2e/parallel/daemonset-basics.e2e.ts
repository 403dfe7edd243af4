// MyDaemonSet on the shared workers, ported from upstream test/e2e/apps/daemon_set.go: run and
// stop a simple daemon, retry failed pods, list and delete a collection, status conditions set by
// others survive the controller's status writes.
//
// These daemons select every node, so the expected node set is computed from the cluster each
// time (nodes whose NoSchedule/NoExecute taints the daemon tolerates): the control-plane node and
// other tests' own nodes carry taints these daemons do not tolerate.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import { resourcePath } from '../../../src/runtime/client/rest.ts';
import type { MyDaemonSet } from '../../../src/api/workloads.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import { isConflict } from '../../../src/runtime/client/errors.ts';
import {
  crashImage,
  controlledBy,
  daemonSetEvents,
  describePods,
  eligibleNodeNames,
  isDeleting,
  listPods,
  newMyDaemonSet,
  podName,
  podNode,
  Recorder,
  selectorString,
  uidOf,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
  waitObserved,
} from '../support/daemonset.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';

const dsName = 'daemon-set';

/** The pods of `ds` that exist in the namespace right now, deleting ones included. */
async function daemonPods(ds: MyDaemonSet): Promise<Pod[]> {
  return (await listPods(ds.metadata.namespace ?? '')).filter((p) => controlledBy(p, ds));
}

describe('MyDaemonSet: run, stop, failed pods, collections and status (upstream daemon_set.go)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => (ns = await createNamespace('ds-basics')));
  afterEach(async () => ns.remove());

  it('runs one pod on every node it tolerates, revives a deleted pod, and its pods go when it is deleted', async () => {
    const client = await testClient();
    const ds = await client.create(myDaemonSets, newMyDaemonSet(ns.name, dsName));
    const expected = await eligibleNodeNames(ds);
    assert.ok(expected.length >= 2, `need at least 2 schedulable workers, found ${expected.join(', ')}`);
    assert.ok(!expected.includes('control-plane'), 'the control-plane taint is not tolerated');
    const running = await waitDaemonPodsOnNodes(ds, expected);
    await waitDaemonStatus(ns.name, dsName, expected.length);

    // The pods are the daemon's: controller reference, generateName, one per node.
    for (const pod of running) {
      const ref = pod.metadata.ownerReferences?.find((r) => r.controller === true);
      assert.deepEqual(
        { kind: ref?.kind, name: ref?.name, uid: ref?.uid, block: ref?.blockOwnerDeletion },
        { kind: 'MyDaemonSet', name: dsName, uid: uidOf(ds), block: true },
      );
      assert.equal(pod.metadata.generateName, `${dsName}-`);
    }

    // Stop a daemon pod: the daemon is revived on that node, the others are left alone.
    const [victim, ...others] = running;
    assert.ok(victim);
    await client.delete(pods, ns.name, podName(victim));
    const revived = await waitDaemonPodsOnNodes(ds, expected);
    const replacement = revived.find((p) => p.spec.nodeName === victim.spec.nodeName);
    assert.ok(replacement, `no pod on ${victim.spec.nodeName ?? ''}: ${describePods(revived).join('; ')}`);
    assert.notEqual(uidOf(replacement), uidOf(victim), 'the deleted pod was not replaced');
    assert.deepEqual(
      others.map(uidOf).sort(),
      revived.filter((p) => p !== replacement).map(uidOf).sort(),
      'pods on the other nodes were replaced too',
    );
    await waitDaemonStatus(ns.name, dsName, expected.length);

    // Delete the daemon (background propagation): the garbage collector removes its pods.
    await client.delete(myDaemonSets, ns.name, dsName);
    await waitFor('the daemon pods to be garbage-collected', () => daemonPods(ds), (ps) => ps.length === 0, { timeoutMs: 60_000 });
  });

  it('replaces a pod whose phase was set to Failed (upstream: should retry creating failed daemon pods)', async () => {
    const client = await testClient();
    const ds = await client.create(myDaemonSets, newMyDaemonSet(ns.name, dsName));
    const expected = await eligibleNodeNames(ds);
    const running = await waitDaemonPodsOnNodes(ds, expected);
    await waitDaemonStatus(ns.name, dsName, expected.length);

    const [victim] = running;
    assert.ok(victim);
    // As upstream: write phase Failed through the status subresource, no resourceVersion precondition.
    await client.update(pods, { ...victim, metadata: { ...victim.metadata, resourceVersion: undefined }, status: { ...victim.status, phase: 'Failed' } }, { subresource: 'status' });

    const revived = await waitDaemonPodsOnNodes(ds, expected);
    const replacement = revived.find((p) => p.spec.nodeName === victim.spec.nodeName);
    assert.ok(replacement);
    assert.notEqual(uidOf(replacement), uidOf(victim));
    await waitFor(
      'the failed pod to be deleted completely',
      () => daemonPods(ds),
      (ps) => !ps.some((p) => uidOf(p) === uidOf(victim)),
    );
    const warnings = await waitFor(
      'a FailedDaemonPod Warning event',
      () => daemonSetEvents(ds),
      (evs) => evs.some((e) => e.reason === 'FailedDaemonPod' && e.type === 'Warning'),
    );
    const message = warnings.find((e) => e.reason === 'FailedDaemonPod')?.message ?? '';
    assert.match(message, new RegExp(`${ns.name}/${podName(victim)} on node ${victim.spec.nodeName ?? ''}`));
  });

  it('keeps replacing pods that crash, never two at once on a node, backing off per node, with FailedDaemonPod events', async () => {
    const client = await testClient();
    const watch = await Recorder.start(pods, ns.name);
    try {
      const ds = await client.create(myDaemonSets, newMyDaemonSet(ns.name, 'crasher', { image: crashImage }));
      const expected = await eligibleNodeNames(ds);

      /** Per node: when each failed pod was removed (its DELETED or deletionTimestamp event), in order. */
      const kills = (): Map<string, { uid: string; at: number; index: number }[]> => {
        const out = new Map<string, { uid: string; at: number; index: number }[]>();
        const seen = new Set<string>();
        watch.events.forEach((event, index) => {
          if (seen.has(uidOf(event.object))) return;
          if (event.type !== 'DELETED' && !isDeleting(event.object)) return;
          seen.add(uidOf(event.object));
          const node = podNode(event.object);
          out.set(node, [...(out.get(node) ?? []), { uid: uidOf(event.object), at: event.at, index }]);
        });
        return out;
      };
      // Four replacements per node take about 1 + 2 + 4 s of backoff after the first crash.
      await waitFor(
        'four failed pods removed on every node',
        () => Promise.resolve(kills()),
        (k) => expected.every((n) => (k.get(n)?.length ?? 0) >= 4),
        { timeoutMs: 90_000 },
      );
      // The first four removals per node, all made while the MyDaemonSet existed.
      const byNode = new Map([...kills()].map(([node, list]) => [node, list.slice(0, 4)]));
      await client.delete(myDaemonSets, ns.name, 'crasher');
      await watch.stop();

      // Every removed pod had failed, and a pod with another UID followed it on the same node.
      const failed = new Set<string>();
      for (const { state } of watch.replay()) {
        for (const p of state.values()) if (p.status?.phase === 'Failed') failed.add(uidOf(p));
        // Invariant: never two pods on a node that are not being deleted (a Failed one counts).
        const perNode = new Map<string, number>();
        for (const p of state.values()) {
          if (!controlledBy(p, ds) || isDeleting(p)) continue;
          const node = podNode(p);
          perNode.set(node, (perNode.get(node) ?? 0) + 1);
        }
        for (const [node, count] of perNode) assert.ok(count <= 1, `${count} live daemon pods on ${node} at once: ${describePods([...state.values()]).join('; ')}`);
      }
      for (const node of expected) {
        const list = byNode.get(node) ?? [];
        for (const kill of list) {
          assert.ok(failed.has(kill.uid), `pod ${kill.uid} on ${node} was removed without having failed`);
          // A replacement with another UID was added for the same node after the removal (the
          // fourth may have been cut short by the MyDaemonSet's deletion).
          if (kill === list[3]) break;
          const replacement = watch.events.find((e, i) => i > kill.index && e.type === 'ADDED' && podNode(e.object) === node);
          assert.ok(replacement && uidOf(replacement.object) !== kill.uid, `no replacement on ${node} after ${kill.uid} was removed`);
        }
        // Per-node backoff (1 s doubling): the third removal waits ≥ 2 s after the second, the
        // fourth ≥ 4 s after the third. A lower bound with slack for watch latency; without
        // backoff a pod that crashes 0.5 s after scheduling would be replaced every ~0.6 s.
        const [, second, third, fourth] = list;
        assert.ok(second && third && fourth);
        assert.ok(third.at - second.at >= 1_500, `on ${node} the third failed pod went ${third.at - second.at} ms after the second`);
        assert.ok(fourth.at - third.at >= 3_000, `on ${node} the fourth failed pod went ${fourth.at - third.at} ms after the third`);
      }
      const warnings = (await daemonSetEvents(ds)).filter((e) => e.reason === 'FailedDaemonPod');
      assert.ok(warnings.length > 0 && warnings.every((e) => e.type === 'Warning'), JSON.stringify(warnings));
      assert.match(warnings[0]?.message ?? '', /Found failed daemon pod .* on node .*, will try to kill it/);
    } finally {
      await watch.stop();
    }
  });

  it('lists MyDaemonSets by label across namespaces and deletes them as a collection (API and kubectl -l)', async () => {
    const client = await testClient();
    // upstream: one labelled daemon, listed by label in all namespaces, removed with deleteCollection.
    const label = { [`daemonset-name`]: dsName, 'e2e.my.dev/suite': ns.name };
    const labelled = (name: string, extra: Record<string, string>): MyDaemonSet => {
      const base = newMyDaemonSet(ns.name, name);
      return { ...base, metadata: { ...base.metadata, labels: { ...label, ...extra } } };
    };
    const first = await client.create(myDaemonSets, labelled(dsName, {}));
    const expected = await eligibleNodeNames(first);
    await waitDaemonPodsOnNodes(first, expected);
    await waitDaemonStatus(ns.name, dsName, expected.length);

    const listed = await client.list(myDaemonSets, { labelSelector: selectorString(label) });
    assert.deepEqual(
      listed.items.map((d) => `${d.metadata.namespace ?? ''}/${d.metadata.name ?? ''}`),
      [`${ns.name}/${dsName}`],
    );
    await client.deleteCollection(myDaemonSets, { namespace: ns.name, labelSelector: selectorString(label), gracePeriodSeconds: 1 });
    assert.equal((await client.list(myDaemonSets, { labelSelector: selectorString(label) })).items.length, 0);
    await waitFor('its pods to be garbage-collected', () => daemonPods(first), (ps) => ps.length === 0, { timeoutMs: 60_000 });

    // The same through kubectl: two daemons selected by label, one command.
    const batch = { ...label, batch: 'two' };
    const a = await client.create(myDaemonSets, labelled('daemon-a', { batch: 'two' }));
    const b = await client.create(myDaemonSets, labelled('daemon-b', { batch: 'two' }));
    await waitDaemonPodsOnNodes(a, expected);
    await waitDaemonPodsOnNodes(b, expected);
    const names = (await kubectl(['get', 'mds', '-A', '-l', selectorString(batch), '-o', 'name'])).trim().split('\n').sort();
    assert.deepEqual(names, ['mydaemonset.apps.my.dev/daemon-a', 'mydaemonset.apps.my.dev/daemon-b']);
    const out = await kubectl(['delete', 'mds', '-n', ns.name, '-l', selectorString(batch)]);
    assert.match(out, /daemon-a" deleted/);
    assert.match(out, /daemon-b" deleted/);
    assert.equal((await kubectl(['get', 'mds', '-n', ns.name, '-o', 'name'])).trim(), '');
    await waitFor(
      'their pods to be garbage-collected',
      async () => [...(await daemonPods(a)), ...(await daemonPods(b))],
      (ps) => ps.length === 0,
      { timeoutMs: 60_000 },
    );
  });

  it('keeps conditions others put in its status through its own status writes (upstream: should verify changes to a daemon set status)', async () => {
    const client = await testClient();
    const created = await client.create(myDaemonSets, {
      ...newMyDaemonSet(ns.name, dsName),
      metadata: { name: dsName, namespace: ns.name, labels: { [`daemonset-name`]: dsName } },
    });
    const expected = await eligibleNodeNames(created);
    const running = await waitDaemonPodsOnNodes(created, expected);
    await waitDaemonStatus(ns.name, dsName, expected.length);

    // GET /status answers the object with its status.
    const viaStatus = await client.request<MyDaemonSet>({ method: 'GET', path: resourcePath(myDaemonSets, ns.name, dsName, 'status') });
    assert.equal(viaStatus.status?.desiredNumberScheduled, expected.length);

    const watch = await Recorder.start(myDaemonSets, ns.name);
    try {
      // Update (PUT) the status with one more condition, retrying on conflict.
      for (let attempt = 0; ; attempt++) {
        const current = await client.get(myDaemonSets, ns.name, dsName);
        const conditions = [...(current.status?.conditions ?? []), { type: 'StatusUpdate', status: 'True' as const, reason: 'E2E', message: 'Set from e2e test' }];
        try {
          await client.update(myDaemonSets, { ...current, status: { ...current.status, conditions } }, { subresource: 'status' });
          break;
        } catch (err) {
          if (!isConflict(err) || attempt > 10) throw err;
        }
      }
      // Make the controller write its status: a new generation to observe, and a pod to replace.
      const bumped = await updateMyDaemonSet(ns.name, dsName, (ds) => ({ ...ds, spec: { ...ds.spec, revisionHistoryLimit: 5 } }));
      await waitObserved(ns.name, dsName);
      const victim = running[0];
      assert.ok(victim);
      await client.delete(pods, ns.name, podName(victim));
      await waitDaemonPodsOnNodes(created, expected);
      await waitDaemonStatus(ns.name, dsName, expected.length);

      // Patch (JSON merge patch, as upstream) the status: conditions become [StatusPatched].
      await client.patch(myDaemonSets, ns.name, dsName, 'merge', { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } }, { subresource: 'status' });
      await updateMyDaemonSet(ns.name, dsName, (ds) => ({ ...ds, spec: { ...ds.spec, revisionHistoryLimit: 6 } }));
      const final = await waitObserved(ns.name, dsName);
      await waitDaemonStatus(ns.name, dsName, expected.length);
      await watch.caughtUp();
      await watch.stop();

      // The patch's condition is kept; the controller's own Progressing (docs/rollout-control.md),
      // which the patch removed, is set again beside it.
      assert.deepEqual(
        final.status?.conditions?.map((c) => c.type).sort(),
        ['Progressing', 'StatusPatched'],
      );
      // Replay: once the StatusUpdate condition was written, every later version kept it until the
      // patch replaced the list; after the patch every version has StatusPatched. And the
      // controller did write the status in both stretches (observedGeneration moved, counts changed).
      let phase: 'before' | 'updated' | 'patched' = 'before';
      const writesByController = { updated: 0, patched: 0 };
      let lastObserved = 0;
      for (const { event } of watch.replay()) {
        if (!event) continue;
        const types = (event.object.status?.conditions ?? []).map((c) => c.type);
        if (phase === 'before' && types.includes('StatusUpdate')) phase = 'updated';
        else if (phase === 'updated' && types.includes('StatusPatched')) phase = 'patched';
        else if (phase === 'updated') assert.ok(types.includes('StatusUpdate'), `a status write dropped StatusUpdate: ${JSON.stringify(event.object.status)}`);
        else if (phase === 'patched') assert.ok(types.includes('StatusPatched'), `a status write dropped StatusPatched: ${JSON.stringify(event.object.status)}`);
        const observed = event.object.status?.observedGeneration ?? 0;
        if (phase !== 'before' && observed > lastObserved) writesByController[phase]++;
        lastObserved = Math.max(lastObserved, observed);
      }
      assert.equal(phase, 'patched');
      assert.ok(writesByController.updated > 0 && writesByController.patched > 0, JSON.stringify(writesByController));
      assert.ok((final.status?.observedGeneration ?? 0) > (bumped.metadata.generation ?? 0));
    } finally {
      await watch.stop();
    }
  });
});
