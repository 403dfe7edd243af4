// Rollout control, MyDaemonSet canaries (docs/rollout-control.md "MyDaemonSet canaries", OpenKruise
// Advanced DaemonSet semantics): `rollingUpdate.partition` keeps the last N nodes by name on the old
// revision, `rollingUpdate.selector` updates only the nodes it matches, both within maxUnavailable
// (scaled against every node that runs the pod), and such a rollout is complete
// (Progressing RolloutComplete, `kubectl my rollout status` "partitioned roll out complete") while
// the nodes held back still run the old revision — which a partitioned rollout never makes stable.
//
// Each test makes its own five nodes (names `e2e-<namespace>-<i>`, so name order is index order),
// tainted so that no other test's daemon runs there. Which pods went, in which order, and how many
// nodes lacked an available pod at once are read from a pod watch opened before the change.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet, RollingUpdateDaemonSet } from '../../../src/api/workloads.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import {
  assertNodeUnavailabilityBound,
  checkDaemonPodsOnNodes,
  createOwnedNodes,
  daemonSetOnOwnedNodes,
  describePods,
  getMds,
  image,
  listRevisions,
  nameLabel,
  OwnedNodes,
  podNode,
  prevImage,
  revisionWithHash,
  selectorString,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
  waitMds,
  withImage,
} from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { podHash, podImage, uidOf } from '../support/objects.ts';
import { kubectlMy } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import { complete, conditionState, describeRollout, progressingIn, waitPodsSettled } from '../support/rollout-control.ts';
import { isPodDeletion, podDeletions, quietMs } from '../support/statefulset.ts';

const dsName = 'agent';

function withRollingUpdate(ds: MyDaemonSet, rollingUpdate: RollingUpdateDaemonSet): MyDaemonSet {
  return { ...ds, spec: { ...ds.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate } } };
}

/** The nodes whose pods the controller replaced (graceful deletions) between two watch event indexes, in order. */
function replacedNodes(watch: Recorder<Pod>, from: number, to = Number.POSITIVE_INFINITY): string[] {
  return podDeletions(watch)
    .filter((d) => d.graceful && d.index >= from && d.index < to)
    .map((d) => podNode(d.pod));
}

describe('Rollout control: MyDaemonSet canaries (rollingUpdate.partition and .selector)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  beforeEach(async () => {
    ns = await createNamespace('rc-canary');
    owned = new OwnedNodes(ns.name);
  });
  afterEach(async () => {
    await owned.deleteAll();
    await ns.remove();
  });

  /** A settled daemon on the nodes at `image`, its only revision stable; returns it, its pods and that revision's name. */
  async function settledDaemon(nodeNames: readonly string[], maxUnavailable: number | string) {
    const client = await testClient();
    const ds = await client.create(
      myDaemonSets,
      daemonSetOnOwnedNodes(ns.name, dsName, owned, { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } } } }),
    );
    const initial = await waitDaemonPodsOnNodes(ds, nodeNames);
    await waitDaemonStatus(ns.name, dsName, nodeNames.length);
    const [first] = await waitFor('one ControllerRevision', () => listRevisions(ns.name, selectorString({ [nameLabel]: dsName })), (rs) => rs.length === 1);
    const stable = first?.metadata.name ?? '';
    await waitMds(ns.name, dsName, `stableRevision ${stable} and Progressing True/RolloutComplete`, (d) => d.status?.stableRevision === stable && conditionState(d) === complete);
    return { ds, initial, stable };
  }

  /** Waits until each node runs one available pod, at `prevImage` on `updated` and at `image` elsewhere. */
  function waitImages(ds: MyDaemonSet, nodeNames: readonly string[], updated: readonly string[]) {
    return waitFor(
      `new image on [${updated.join(', ')}] only`,
      () => checkDaemonPodsOnNodes(ds, nodeNames),
      (c) => c.ok && c.pods.every((p) => podImage(p) === (updated.includes(podNode(p)) ? prevImage : image)),
    );
  }

  it('partition 2 of 5 keeps the last 2 nodes by name, updating the others in name order one at a time; lowered to 0, the rollout completes and becomes stable', async () => {
    const nodeNames = await createOwnedNodes(owned, 5);
    const { ds, initial, stable } = await settledDaemon(nodeNames, 1);
    const updatedNodes = nodeNames.slice(0, 3);
    const keptNodes = nodeNames.slice(3);

    const watch = await Recorder.start(pods, ns.name);
    try {
      await updateMyDaemonSet(ns.name, dsName, (d) => withRollingUpdate(withImage(d, prevImage), { maxUnavailable: 1, partition: 2 }));
      const partitioned = await waitMds(ns.name, dsName, '3 of 5 nodes updated, every pod available, RolloutComplete', (d) => {
        const s = d.status ?? {};
        return s.desiredNumberScheduled === 5 && s.updatedNumberScheduled === 3 && s.numberAvailable === 5 && (s.numberUnavailable ?? 0) === 0 && conditionState(d) === complete;
      });
      const held = await waitImages(ds, nodeNames, updatedNodes);
      for (const node of keptNodes) {
        const pod = held.pods.find((p) => podNode(p) === node);
        assert.ok(pod && initial.some((p) => uidOf(p) === uidOf(pod)), `the pod on ${node} was replaced: ${describePods(held.pods).join('; ')}`);
      }
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '60s'), /partitioned roll out complete: 3 new pods have been updated/);
      // A partitioned rollout is not stable: the stable revision is still the first one.
      assert.equal(partitioned.status?.stableRevision, stable, describeRollout(partitioned));
      await waitPodsSettled(watch, nodeNames.length);
      await watch.expectNoEventFor(quietMs, 'the rollout went past the partition', (e) => e.type === 'ADDED' || isPodDeletion(e));
      assert.equal((await getMds(ns.name, dsName)).status?.stableRevision, stable);

      const lowerFrom = watch.events.length;
      await updateMyDaemonSet(ns.name, dsName, (d) => withRollingUpdate(d, { maxUnavailable: 1, partition: 0 }));
      const done = await waitImages(ds, nodeNames, nodeNames);
      await waitDaemonStatus(ns.name, dsName, 5);
      const [newHash, ...others] = new Set(done.pods.map(podHash));
      assert.ok(newHash !== undefined && others.length === 0, describePods(done.pods).join('; '));
      const current = revisionWithHash(await listRevisions(ns.name, selectorString({ [nameLabel]: dsName })), newHash);
      assert.ok(current, `no ControllerRevision with hash ${newHash}`);
      assert.equal(current.revision, 2);
      await waitMds(ns.name, dsName, `Progressing RolloutComplete and stableRevision ${current.metadata.name ?? ''}`, (d) => progressingIn(complete)(d) && d.status?.stableRevision === current.metadata.name);
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '60s'), /successfully rolled out/);
      await watch.caughtUp();
      await watch.stop();

      assert.deepEqual(replacedNodes(watch, 0, lowerFrom), updatedNodes, 'with the partition: the first 3 nodes, in name order');
      assert.deepEqual(replacedNodes(watch, lowerFrom), keptNodes, 'once lowered: the 2 kept nodes, in name order');
      assert.equal(assertNodeUnavailabilityBound(watch, ds, nodeNames, 1), 1, 'no node was ever without an available pod: nothing rolled');
    } finally {
      await watch.stop();
    }
  });

  it('a node selector updates only the canary pool; with partition 1 the last canary node by name waits; maxUnavailable 30 % of all 5 nodes (2) holds', async () => {
    const canaryIndexes = [1, 2, 4];
    const pool = { pool: 'canary' };
    const nodeNames = await createOwnedNodes(owned, 5, (i) => (canaryIndexes.includes(i) ? pool : { pool: 'main' }));
    const canary = canaryIndexes.map((i) => owned.name(i)).sort();
    const outside = nodeNames.filter((n) => !canary.includes(n));
    // Rounded up as upstream's maxUnavailable: 30 % of the 5 nodes running the pod is 2; of the 3 canary nodes it would be 1.
    const maxUnavailable = '30%';
    const { ds, initial, stable } = await settledDaemon(nodeNames, maxUnavailable);
    const initialOn = (node: string) => initial.find((p) => podNode(p) === node);

    const watch = await Recorder.start(pods, ns.name);
    try {
      // Selector and partition 1: of the canary nodes, the last by name keeps the old revision.
      await updateMyDaemonSet(ns.name, dsName, (d) => withRollingUpdate(withImage(d, prevImage), { maxUnavailable, selector: { matchLabels: pool }, partition: 1 }));
      const firstWave = canary.slice(0, 2);
      const waiting = await waitMds(ns.name, dsName, '2 canary nodes updated, every pod available, RolloutComplete', (d) => {
        const s = d.status ?? {};
        return s.desiredNumberScheduled === 5 && s.updatedNumberScheduled === 2 && s.numberAvailable === 5 && conditionState(d) === complete;
      });
      let now = await waitImages(ds, nodeNames, firstWave);
      for (const node of [...outside, canary[2] ?? '']) {
        const before = initialOn(node);
        const pod = now.pods.find((p) => podNode(p) === node);
        assert.ok(before && pod && uidOf(pod) === uidOf(before), `the pod on ${node} was replaced: ${describePods(now.pods).join('; ')}`);
      }
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '60s'), /partitioned roll out complete: 2 new pods have been updated/);
      assert.equal(waiting.status?.stableRevision, stable, describeRollout(waiting));
      await waitPodsSettled(watch, nodeNames.length);
      await watch.expectNoEventFor(quietMs, 'the rollout went past the partition or the selector', (e) => e.type === 'ADDED' || isPodDeletion(e));

      // Partition 0: the whole canary pool, and still not the other nodes.
      const secondFrom = watch.events.length;
      await updateMyDaemonSet(ns.name, dsName, (d) => withRollingUpdate(d, { maxUnavailable, selector: { matchLabels: pool } }));
      await waitMds(ns.name, dsName, 'the 3 canary nodes updated, every pod available, RolloutComplete', (d) => {
        const s = d.status ?? {};
        return s.updatedNumberScheduled === 3 && s.numberAvailable === 5 && conditionState(d) === complete;
      });
      now = await waitImages(ds, nodeNames, canary);
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '60s'), /partitioned roll out complete: 3 new pods have been updated/);
      await waitPodsSettled(watch, nodeNames.length);
      await watch.expectNoEventFor(quietMs, 'the rollout went past the selector', (e) => e.type === 'ADDED' || isPodDeletion(e));
      const stillStable = await getMds(ns.name, dsName);
      assert.equal(stillStable.status?.stableRevision, stable, `a canary rollout was made stable: ${describeRollout(stillStable)}`);

      // No selector: every node, and the rollout is stable.
      const thirdFrom = watch.events.length;
      await updateMyDaemonSet(ns.name, dsName, (d) => withRollingUpdate(d, { maxUnavailable }));
      now = await waitImages(ds, nodeNames, nodeNames);
      await waitDaemonStatus(ns.name, dsName, 5);
      const [newHash, ...others] = new Set(now.pods.map(podHash));
      assert.ok(newHash !== undefined && others.length === 0, describePods(now.pods).join('; '));
      const current = revisionWithHash(await listRevisions(ns.name, selectorString({ [nameLabel]: dsName })), newHash);
      assert.ok(current, `no ControllerRevision with hash ${newHash}`);
      await waitMds(ns.name, dsName, `Progressing RolloutComplete and stableRevision ${current.metadata.name ?? ''}`, (d) => progressingIn(complete)(d) && d.status?.stableRevision === current.metadata.name);
      await watch.caughtUp();
      await watch.stop();

      assert.deepEqual(replacedNodes(watch, 0, secondFrom).sort(), firstWave, 'with the selector and partition 1');
      assert.deepEqual(replacedNodes(watch, secondFrom, thirdFrom), [canary[2]], 'with the selector alone');
      assert.deepEqual(replacedNodes(watch, thirdFrom).sort(), outside, 'with neither');
      // Both waves of two went at once: the budget is 2 of all 5 nodes, never more.
      assert.equal(assertNodeUnavailabilityBound(watch, ds, nodeNames, 2), 2, 'maxUnavailable 30 % (2 nodes) was never used in full');
    } finally {
      await watch.stop();
    }
  });
});
