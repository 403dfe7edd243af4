// MyDaemonSet template changes on the shared workers, ported from upstream
// test/e2e/apps/daemon_set.go (OnDelete, RollingUpdate, rollback without unnecessary restarts)
// plus the seeds' rollback, which renumbers a revision instead of creating one.
//
// Pods turn Ready within milliseconds here, so every "never" below is checked over the event
// sequence of a watch opened before the change, not by polling.
import assert from 'node:assert/strict';
import type { ControllerRevision, Pod } from '../../../src/api/core.ts';
import { controllerRevisions, pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet } from '../../../src/api/workloads.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import {
  controlledBy,
  describePods,
  eligibleNodeNames,
  hashLabel,
  image,
  isAvailable,
  isDeleting,
  listPods,
  listRevisions,
  nameLabel,
  newMyDaemonSet,
  notReadyImage,
  podHash,
  podImage,
  podName,
  podNode,
  prevImage,
  Recorder,
  selectorString,
  uidOf,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
  waitObserved,
  withImage,
} from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';

const dsName = 'daemon-set';
const label = { [nameLabel]: dsName };

/** The revision whose hash the given pods carry; asserts they all carry the same one. */
function revisionOfPods(revisions: readonly ControllerRevision[], podList: readonly Pod[]): ControllerRevision {
  const hashes = new Set(podList.filter((p) => !isDeleting(p)).map(podHash));
  assert.equal(hashes.size, 1, `pods carry several hashes: ${describePods(podList).join('; ')}`);
  const [hash] = hashes;
  assert.ok(hash, 'pods carry no controller-revision-hash');
  const revision = revisions.find((r) => r.metadata.labels?.[hashLabel] === hash);
  assert.ok(revision, `no ControllerRevision with hash ${hash}: ${revisions.map((r) => r.metadata.name ?? '').join(', ')}`);
  return revision;
}

async function waitRevisions(namespace: string, count: number): Promise<ControllerRevision[]> {
  return waitFor(`${count} ControllerRevisions`, () => listRevisions(namespace, selectorString(label)), (rs) => rs.length === count);
}

/** Live pods of `ds` (not being deleted, not terminal) by node, in a replayed state. */
function livePodsByNode(state: Map<string, Pod>, ds: MyDaemonSet): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of state.values()) {
    if (!controlledBy(pod, ds) || isDeleting(pod) || pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') continue;
    const node = podNode(pod);
    out.set(node, [...(out.get(node) ?? []), pod]);
  }
  return out;
}

describe('MyDaemonSet template changes: OnDelete, RollingUpdate, rollbacks (upstream daemon_set.go)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => (ns = await createNamespace('ds-rollout')));
  afterEach(async () => ns.remove());

  it('leaves pods alone on a template change with OnDelete, and a deleted pod comes back at the new revision', async () => {
    const client = await testClient();
    const ds = await client.create(myDaemonSets, newMyDaemonSet(ns.name, dsName, { spec: { updateStrategy: { type: 'OnDelete' } } }));
    const expected = await eligibleNodeNames(ds);
    const before = await waitDaemonPodsOnNodes(ds, expected);
    await waitDaemonStatus(ns.name, dsName, expected.length);
    const first = revisionOfPods(await waitRevisions(ns.name, 1), before);
    assert.equal(first.revision, 1);
    const firstHash = first.metadata.labels?.[hashLabel] ?? '';

    const watch = await Recorder.start(pods, ns.name);
    try {
      await updateMyDaemonSet(ns.name, dsName, (d) => withImage(d, prevImage));
      // Once the operator has observed the new generation it has made its decision for it (pod
      // changes are issued before the status write); revision 2 exists, and no pod moved.
      await waitObserved(ns.name, dsName);
      const revisions = await waitRevisions(ns.name, 2);
      const current = revisions.find((r) => r.metadata.labels?.[hashLabel] !== firstHash);
      assert.ok(current);
      assert.equal(current.revision, 2);
      const untouched = await waitDaemonPodsOnNodes(ds, expected);
      assert.deepEqual(untouched.map(uidOf).sort(), before.map(uidOf).sort(), 'OnDelete replaced pods');
      for (const pod of untouched) {
        assert.equal(podImage(pod), image);
        assert.equal(podHash(pod), firstHash);
      }
      const status = (await client.get(myDaemonSets, ns.name, dsName)).status;
      assert.equal(status?.updatedNumberScheduled, 0);

      // Deleting one pod brings it back from the new template; the others stay at revision 1.
      const [victim] = untouched;
      assert.ok(victim);
      await client.delete(pods, ns.name, podName(victim));
      const after = await waitFor(
        `a pod at the new revision on ${victim.spec.nodeName ?? ''}`,
        () => waitDaemonPodsOnNodes(ds, expected),
        (ps) => ps.some((p) => p.spec.nodeName === victim.spec.nodeName && podHash(p) === current.metadata.labels?.[hashLabel]),
      );
      for (const pod of after) {
        if (pod.spec.nodeName === victim.spec.nodeName) assert.equal(podImage(pod), prevImage);
        else assert.equal(podHash(pod), firstHash, `${podName(pod)} was updated although OnDelete`);
      }
      await waitFor('updatedNumberScheduled 1', () => client.get(myDaemonSets, ns.name, dsName), (d) => d.status?.updatedNumberScheduled === 1);
      await watch.caughtUp();
      await watch.stop();
      // Over the whole watch: the deleted pod was the only one removed, its replacement the only one added.
      const removed = new Set(watch.events.filter((e) => e.type === 'DELETED' || isDeleting(e.object)).map((e) => uidOf(e.object)));
      const added = new Set(watch.events.filter((e) => e.type === 'ADDED').map((e) => uidOf(e.object)));
      assert.deepEqual([...removed], [uidOf(victim)]);
      assert.equal(added.size, 1);
    } finally {
      await watch.stop();
    }
  });

  it('rolls pods to the new revision with at most maxUnavailable (1) node lacking an available pod at any moment', async () => {
    const client = await testClient();
    const ds = await client.create(
      myDaemonSets,
      newMyDaemonSet(ns.name, dsName, { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } } }),
    );
    const expected = await eligibleNodeNames(ds);
    assert.ok(expected.length >= 2);
    const before = await waitDaemonPodsOnNodes(ds, expected);
    await waitDaemonStatus(ns.name, dsName, expected.length);
    const first = revisionOfPods(await waitRevisions(ns.name, 1), before);
    assert.equal(first.revision, 1);

    const watch = await Recorder.start(pods, ns.name);
    try {
      const updated = await updateMyDaemonSet(ns.name, dsName, (d) => withImage(d, prevImage));
      assert.ok(BigInt(updated.metadata.resourceVersion ?? '0') > BigInt(ds.metadata.resourceVersion ?? '0'), 'the update did not raise the resourceVersion');
      const after = await waitFor(
        'every node to run an available pod with the new image',
        () => waitDaemonPodsOnNodes(ds, expected),
        (ps) => ps.every((p) => podImage(p) === prevImage),
      );
      await waitDaemonStatus(ns.name, dsName, expected.length);
      await watch.caughtUp();
      await watch.stop();

      const revisions = await waitRevisions(ns.name, 2);
      const current = revisionOfPods(revisions, after);
      assert.equal(current.revision, 2);
      assert.notEqual(current.metadata.name, first.metadata.name);
      assert.ok(revisions.some((r) => r.metadata.uid === first.metadata.uid && r.revision === 1), 'revision 1 is kept as history');

      // Replay: at every step at most one node lacks an available pod, and no node ever has two
      // live pods (maxSurge 0: the old pod goes before the new one is created).
      let worst = 0;
      let steps = 0;
      for (const { state } of watch.replay()) {
        steps++;
        const byNode = livePodsByNode(state, ds);
        const unavailable = expected.filter((n) => !(byNode.get(n) ?? []).some((p) => isAvailable(p, 0, 0)));
        worst = Math.max(worst, unavailable.length);
        assert.ok(unavailable.length <= 1, `${unavailable.length} nodes without an available pod (${unavailable.join(', ')}): ${describePods([...state.values()]).join('; ')}`);
        for (const [node, list] of byNode) assert.ok(list.length <= 1, `${list.length} live pods on ${node}: ${describePods(list).join('; ')}`);
      }
      // The invariant was tested on a real rollout: every node went through a gap.
      assert.equal(worst, 1);
      const replaced = new Set(watch.events.filter((e) => e.type === 'DELETED').map((e) => uidOf(e.object)));
      assert.deepEqual([...replaced].sort(), before.map(uidOf).sort());
      assert.ok(steps > 4 * expected.length, `only ${steps} states recorded`);
    } finally {
      await watch.stop();
    }
  });

  it('rolls back a stuck rollout without restarting the pods still at the old revision', async () => {
    const client = await testClient();
    const nodesNow = await eligibleNodeNames(newMyDaemonSet(ns.name, dsName));
    assert.ok(nodesNow.length >= 2, 'needs at least 2 schedulable nodes');
    // Enough budget that several pods switch, and at least one stays at the old revision.
    const maxUnavailable = nodesNow.length - 1;
    const ds = await client.create(
      myDaemonSets,
      newMyDaemonSet(ns.name, dsName, { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } } } }),
    );
    const expected = await eligibleNodeNames(ds);
    const initial = await waitDaemonPodsOnNodes(ds, expected);
    await waitDaemonStatus(ns.name, dsName, expected.length);
    const firstHash = podHash(initial[0] ?? initial[initial.length - 1] ?? { metadata: {}, spec: { containers: [] } });
    assert.notEqual(firstHash, '');

    const watch = await Recorder.start(pods, ns.name);
    try {
      // A template whose pods never turn Ready: the rollout replaces maxUnavailable pods and stops.
      await updateMyDaemonSet(ns.name, dsName, (d) => withImage(d, notReadyImage));
      const midway = await waitFor(
        `${maxUnavailable} pods at the new (never Ready) revision`,
        async () => (await listPods(ns.name)).filter((p) => controlledBy(p, ds) && !isDeleting(p)),
        (ps) => ps.filter((p) => podImage(p) === notReadyImage).length === maxUnavailable && ps.length === expected.length,
      );
      const existing = midway.filter((p) => podImage(p) === image);
      const newPods = midway.filter((p) => podImage(p) === notReadyImage);
      assert.ok(existing.length >= 1 && newPods.length >= 1, describePods(midway).join('; '));

      // Roll back before the rollout completes.
      const rolledBack = await updateMyDaemonSet(ns.name, dsName, (d) => withImage(d, image));
      const after = await waitFor(
        'every node back at the old image and available',
        () => waitDaemonPodsOnNodes(rolledBack, expected),
        (ps) => ps.every((p) => podImage(p) === image),
      );
      await waitDaemonStatus(ns.name, dsName, expected.length);
      await watch.caughtUp();
      await watch.stop();

      // The pods that never left the old revision were not restarted: same UIDs, never deleted.
      const afterUids = new Set(after.map(uidOf));
      for (const pod of existing) {
        assert.ok(afterUids.has(uidOf(pod)), `${podName(pod)} was restarted`);
        const touched = watch.events.filter((e) => uidOf(e.object) === uidOf(pod) && (e.type === 'DELETED' || isDeleting(e.object)));
        assert.equal(touched.length, 0, `${podName(pod)} was deleted during the rollback`);
      }
      // The never-Ready pods were replaced, and everything is back at the first revision's hash.
      for (const pod of newPods) assert.ok(!afterUids.has(uidOf(pod)), `${podName(pod)} (never Ready) survived the rollback`);
      for (const pod of after) assert.equal(podHash(pod), firstHash);
    } finally {
      await watch.stop();
    }
  });

  it('rolls back v1 → v2 → v1 by renumbering the v1 ControllerRevision to 3, creating no new revision object', async () => {
    const client = await testClient();
    const v1 = 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2';
    const v2 = 'quay.io/fluentd_elasticsearch/fluentd:v2.6.0';
    // A command with `&&`: the API server escapes it in revision data, which renumbering must survive.
    const base = newMyDaemonSet(ns.name, dsName, { image: v1 });
    const [container] = base.spec.template.spec.containers;
    assert.ok(container);
    const withCommand: MyDaemonSet = {
      ...base,
      spec: { ...base.spec, template: { ...base.spec.template, spec: { ...base.spec.template.spec, containers: [{ ...container, command: ['sh', '-c', 'mkdir -p /var/log/fluentd && exec fluentd'] }] } } },
    };
    const ds = await client.create(myDaemonSets, withCommand);
    const expected = await eligibleNodeNames(ds);
    const atV1 = await waitDaemonPodsOnNodes(ds, expected);
    await waitDaemonStatus(ns.name, dsName, expected.length);
    const revV1 = revisionOfPods(await waitRevisions(ns.name, 1), atV1);
    assert.equal(revV1.revision, 1);

    await updateMyDaemonSet(ns.name, dsName, (d) => withImage(d, v2));
    const atV2 = await waitFor('every pod at v2', () => waitDaemonPodsOnNodes(ds, expected), (ps) => ps.every((p) => podImage(p) === v2));
    await waitDaemonStatus(ns.name, dsName, expected.length);
    const revV2 = revisionOfPods(await waitRevisions(ns.name, 2), atV2);
    assert.equal(revV2.revision, 2);

    const revisionWatch = await Recorder.start(controllerRevisions, ns.name);
    try {
      await updateMyDaemonSet(ns.name, dsName, (d) => withImage(d, v1));
      const back = await waitFor('every pod back at v1', () => waitDaemonPodsOnNodes(ds, expected), (ps) => ps.every((p) => podImage(p) === v1));
      await waitDaemonStatus(ns.name, dsName, expected.length);
      await waitFor(
        'the v1 revision renumbered to 3',
        () => client.get(controllerRevisions, ns.name, revV1.metadata.name ?? ''),
        (r) => r.revision === 3,
      );
      await revisionWatch.caughtUp();
      await revisionWatch.stop();

      const revisions = await listRevisions(ns.name, selectorString(label));
      assert.deepEqual(
        revisions.map((r) => `${r.metadata.uid ?? ''}:${r.revision}`).sort(),
        [`${uidOf(revV1)}:3`, `${uidOf(revV2)}:2`].sort(),
        'expected the two original revision objects, v1 renumbered to 3',
      );
      assert.equal(revisionWatch.events.filter((e) => e.type === 'ADDED').length, 0, 'a new ControllerRevision was created');
      assert.equal(revisionOfPods(revisions, back).metadata.uid, uidOf(revV1));
      // The revision's content is unchanged; only its number moved.
      const now = revisions.find((r) => r.metadata.uid === uidOf(revV1));
      assert.deepEqual(now?.data, revV1.data);
    } finally {
      await revisionWatch.stop();
    }
  });
});
