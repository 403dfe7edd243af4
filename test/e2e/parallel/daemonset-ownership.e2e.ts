// MyDaemonSet ownership on the shared workers: deleting with `--cascade=orphan` leaves the pods
// (and revisions) running, and a new MyDaemonSet with the same selector adopts them as they are;
// a second pod on a node — an orphan matching the selector, or one already claiming the daemon as
// controller — is adopted and removed, and the oldest pod stays.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { controllerRevisions, pods } from '../../../src/api/resources.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import {
  controllerUid,
  controlledBy,
  describePods,
  eligibleNodeNames,
  image,
  isDeleting,
  listPods,
  listRevisions,
  nameLabel,
  newMyDaemonSet,
  podName,
  Recorder,
  selectorString,
  uidOf,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
} from '../support/daemonset.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';

const label = { [nameLabel]: 'daemon' };

describe('MyDaemonSet ownership: orphaning, adoption, duplicate pods', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => (ns = await createNamespace('ds-owner')));
  afterEach(async () => ns.remove());

  it('orphans its pods on delete --cascade=orphan, and a new MyDaemonSet with the same selector adopts the same pods', async () => {
    const client = await testClient();
    const first = await client.create(myDaemonSets, newMyDaemonSet(ns.name, 'daemon-a', { labels: label }));
    const expected = await eligibleNodeNames(first);
    const original = await waitDaemonPodsOnNodes(first, expected);
    await waitDaemonStatus(ns.name, 'daemon-a', expected.length);
    const [revision] = await waitFor('one ControllerRevision', () => listRevisions(ns.name, selectorString(label)), (rs) => rs.length === 1);
    assert.ok(revision);

    const out = await kubectl(['delete', 'mds', 'daemon-a', '-n', ns.name, '--cascade=orphan', '--wait=false']);
    assert.match(out, /daemon-a" deleted/);
    // The garbage collector removes the owner references, then the MyDaemonSet itself.
    const orphaned = await waitFor(
      'the pods and the revision orphaned, the MyDaemonSet gone',
      async () => ({
        pods: (await listPods(ns.name, selectorString(label))).filter((p) => !isDeleting(p)),
        revisions: await listRevisions(ns.name, selectorString(label)),
        daemons: (await client.list(myDaemonSets, { namespace: ns.name })).items.length,
      }),
      (s) =>
        s.daemons === 0 &&
        s.pods.length === original.length &&
        s.pods.every((p) => (p.metadata.ownerReferences ?? []).length === 0) &&
        s.revisions.length === 1 &&
        s.revisions.every((r) => (r.metadata.ownerReferences ?? []).length === 0),
    );
    assert.deepEqual(orphaned.pods.map(uidOf).sort(), original.map(uidOf).sort(), 'orphaned pods were replaced');

    const podWatch = await Recorder.start(pods, ns.name);
    const revisionWatch = await Recorder.start(controllerRevisions, ns.name);
    try {
      const second = await client.create(myDaemonSets, newMyDaemonSet(ns.name, 'daemon-b', { labels: label }));
      const adopted = await waitDaemonPodsOnNodes(second, expected);
      await waitDaemonStatus(ns.name, 'daemon-b', expected.length);
      await podWatch.caughtUp();
      await revisionWatch.caughtUp();
      await podWatch.stop();
      await revisionWatch.stop();

      assert.deepEqual(adopted.map(uidOf).sort(), original.map(uidOf).sort(), 'the new MyDaemonSet did not adopt the same pods');
      for (const pod of adopted) {
        const ref = pod.metadata.ownerReferences?.find((r) => r.controller === true);
        assert.equal(ref?.name, 'daemon-b');
        assert.equal(ref?.uid, uidOf(second));
      }
      assert.deepEqual(
        podWatch.events.filter((e) => e.type === 'ADDED' || e.type === 'DELETED' || isDeleting(e.object)).map((e) => `${e.type} ${podName(e.object)}`),
        [],
        'pods were created or deleted during the adoption',
      );
      // Its revision was adopted too: the same object, now owned by daemon-b, and none created.
      const revisions = await listRevisions(ns.name, selectorString(label));
      assert.deepEqual(revisions.map(uidOf), [uidOf(revision)]);
      assert.equal(controllerUid(revisions[0] ?? revision), uidOf(second));
      assert.equal(revisionWatch.events.filter((e) => e.type === 'ADDED').length, 0);
    } finally {
      await podWatch.stop();
      await revisionWatch.stop();
    }
  });

  it('reduces a node with two pods to one, keeping the oldest: an adopted orphan and a pod naming it as controller', async () => {
    const client = await testClient();
    const ds = await client.create(myDaemonSets, newMyDaemonSet(ns.name, 'daemon', { labels: label }));
    const expected = await eligibleNodeNames(ds);
    const running = await waitDaemonPodsOnNodes(ds, expected);
    await waitDaemonStatus(ns.name, 'daemon', expected.length);
    const [keeper] = running;
    assert.ok(keeper);
    const node = keeper.spec.nodeName ?? '';
    // Creation times have one-second resolution: make the extra pods strictly younger. Their names
    // sort before the daemon's, so only the age can make the controller keep its own pod.
    const keeperCreated = Date.parse(keeper.metadata.creationTimestamp ?? '');
    await waitFor('a later second', () => Promise.resolve(Date.now()), (now) => now >= keeperCreated + 2_000, { timeoutMs: 5_000, intervalMs: 100 });

    const extra = (name: string, owned: boolean): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns.name,
        labels: label,
        ...(owned
          ? { ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDaemonSet', name: 'daemon', uid: uidOf(ds), controller: true, blockOwnerDeletion: true }] }
          : {}),
      },
      // Bound straight to the node, as a stale second create would end up.
      spec: { nodeName: node, containers: [{ name: 'app', image }] },
    });

    const watch = await Recorder.start(pods, ns.name);
    try {
      // 1. An orphan with the daemon's labels: adopted (controller reference set), then removed.
      const orphan = await client.create(pods, extra('a-orphan', false));
      await waitFor('the orphan to be gone', () => listPods(ns.name), (ps) => !ps.some((p) => uidOf(p) === uidOf(orphan)));
      // 2. A pod that already names the daemon as its controller: removed.
      const twin = await client.create(pods, extra('a-twin', true));
      await waitFor('the twin to be gone', () => listPods(ns.name), (ps) => !ps.some((p) => uidOf(p) === uidOf(twin)));

      const after = await waitDaemonPodsOnNodes(ds, expected);
      await waitDaemonStatus(ns.name, 'daemon', expected.length);
      await watch.caughtUp();
      await watch.stop();
      assert.deepEqual(after.map(uidOf).sort(), running.map(uidOf).sort(), `the daemon's own pods changed: ${describePods(after).join('; ')}`);

      // The orphan was adopted (an event shows the daemon as its controller) before it was removed.
      const adoptedAt = watch.events.findIndex((e) => uidOf(e.object) === uidOf(orphan) && controlledBy(e.object, ds));
      const deletedAt = watch.events.findIndex((e) => uidOf(e.object) === uidOf(orphan) && (e.type === 'DELETED' || isDeleting(e.object)));
      assert.ok(adoptedAt >= 0, 'the orphan was never adopted');
      assert.ok(deletedAt > adoptedAt, `the orphan was removed (event ${deletedAt}) before being adopted (event ${adoptedAt})`);
      const removed = new Set(watch.events.filter((e) => e.type === 'DELETED' || isDeleting(e.object)).map((e) => uidOf(e.object)));
      assert.deepEqual([...removed].sort(), [uidOf(orphan), uidOf(twin)].sort(), 'only the extra pods may be removed');
      assert.equal(watch.events.filter((e) => e.type === 'ADDED').length, 2, 'the controller created pods');
    } finally {
      await watch.stop();
    }
  });
});
