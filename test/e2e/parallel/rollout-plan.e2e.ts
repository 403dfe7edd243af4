// `kubectl my rollout plan` (issue 19, docs/rollout-plan.md): the steps it predicts for a change
// are the steps the controllers then take when the change is applied for real, and the plan itself
// applies nothing. Each test settles a workload, plans a change with `-o json` (checking from a pod
// watch that no pod was created or deleted and that the spec and generation stayed), applies the
// same change, and compares the prediction with what a watch opened before the change recorded:
//
// - MyStatefulSet `web`, 5 replicas, OrderedReady, partition 2: web-4, web-3, web-2, one at a time;
// - MyDaemonSet on 5 nodes of its own, maxUnavailable 2: the original pods deleted in the watch's
//   order, cut into the predicted step sizes, are the predicted steps (as sets, in order);
// - MyDeployment of 10, maxSurge 3, maxUnavailable 2: the MyReplicaSet sizes the rollout went
//   through are the predicted ones. Its new pods turn Ready only when the test says so
//   (support/paced-readiness.ts), in the order of events the plan assumes (oldest new pods first,
//   a batch at a time, once the controllers are quiet); with kwok making each pod Ready on its own
//   the sizes between the first and the last step would depend on timing;
// - a paused MyDaemonSet, the live spec again, and a change the API server refuses.
//
// Pods of the first two turn Ready within milliseconds: what happened in which order is read from
// the watch, never from polls.
import assert from 'node:assert/strict';
import { pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet } from '../../../src/api/workloads.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../../../src/api/workloads.ts';
import {
  assertNodeUnavailabilityBound,
  checkDaemonPodsOnNodes,
  createOwnedNodes,
  daemonSetOnOwnedNodes,
  getMds,
  OwnedNodes,
  prevImage,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
  withImage as withDaemonImage,
} from '../support/daemonset.ts';
import {
  agnhostImage,
  agnhostImageName,
  deploymentReplicaSets,
  describeReplicaSets,
  getDeploy,
  newMyDeployment,
  prevAgnhostImage,
  updateMyDeployment,
  waitForDeploymentComplete,
  waitForPodsRunningReady,
  withContainer,
} from '../support/deployment.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { isDeleting, isReady, podImage, podName, uidOf } from '../support/objects.ts';
import { pacedImage, paceRollout } from '../support/paced-readiness.ts';
import { kubectlMy, kubectlMyFails, pluginOutput } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import {
  assertNothingApplied,
  describeSizes,
  groupBySizes,
  manifest,
  ManifestDir,
  originalDeletions,
  ownedReplicaSetNames,
  planJson,
  replaceSteps,
  replicaSetSizeSequence,
  replicaSetSteps,
  sizesOver,
} from '../support/rollout-plan.ts';
import {
  describePods,
  getMsts,
  isPodDeletion,
  newImage,
  newMyStatefulSet,
  oldImage,
  podNames,
  quietMs,
  setPods,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatus,
  waitSettled,
  withImage as withSetImage,
} from '../support/statefulset.ts';

const noPodReplaced = /no pod would be replaced/;

describe('kubectl my rollout plan: the predicted steps are the ones the rollout takes', function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  let manifests: ManifestDir;
  beforeEach(async () => {
    ns = await createNamespace('rollout-plan');
    owned = new OwnedNodes(ns.name);
    manifests = await ManifestDir.create();
  });
  afterEach(async () => {
    await manifests.remove();
    await owned.deleteAll();
    await ns.remove();
  });

  /** A settled daemon on the test's nodes with this rolling update; it and its pods. */
  async function settledDaemon(name: string, nodeNames: readonly string[], maxUnavailable: number) {
    const client = await testClient();
    const ds = await client.create(
      myDaemonSets,
      daemonSetOnOwnedNodes(ns.name, name, owned, { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } } } }),
    );
    const initial = await waitDaemonPodsOnNodes(ds, nodeNames);
    await waitDaemonStatus(ns.name, name, nodeNames.length);
    return { ds: await getMds(ns.name, name), initial };
  }

  it('MyStatefulSet of 5, OrderedReady, partition 2 (-f, YAML): predicts web-4, web-3, web-2 one per step, and the rollout deletes exactly those, in that order', async () => {
    const client = await testClient();
    const created = await client.create(
      myStatefulSets,
      newMyStatefulSet(ns.name, 'web', {
        replicas: 5,
        spec: { podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } },
      }),
    );
    const initial = await waitForRunningAndReady(created, podNames('web', 5));
    await waitSettled(ns.name, 'web', 5);
    const live = await getMsts(ns.name, 'web');
    const changed = withSetImage(live, newImage);
    const file = await manifests.write('web.yaml', manifest(live, changed.spec));

    const watch = await Recorder.start(pods, ns.name);
    try {
      const plan = await planJson(ns.name, 'msts/web', '-f', file);
      await assertNothingApplied(myStatefulSets, live, watch, 0);
      assert.equal(plan.kind, 'MyStatefulSet');
      assert.equal(plan.name, 'web');
      const predicted = replaceSteps(plan);
      assert.deepEqual(predicted, [['web-4'], ['web-3'], ['web-2']]);

      await updateMyStatefulSet(ns.name, 'web', (s) => ({ ...s, spec: changed.spec }));
      await waitForStatus(ns.name, 'web', '3 updated, 2 current, 5 ready', (s) => {
        const st = s.status ?? {};
        return st.replicas === 5 && st.readyReplicas === 5 && st.updatedReplicas === 3 && st.currentReplicas === 2;
      });
      const done = await waitFor(
        'web-0 and web-1 at the old image, web-2…4 at the new one, all Ready',
        () => setPods(created),
        (ps) => ps.length === 5 && ps.every((p, i) => isReady(p) && !isDeleting(p) && podImage(p) === (i < 2 ? oldImage : newImage)),
      );
      // The partition holds: web-0 and web-1 are never replaced.
      const kept = new Set(initial.slice(0, 2).map(uidOf));
      await watch.expectNoEventFor(quietMs, 'a pod below the partition was replaced', (e) => isPodDeletion(e) && kept.has(uidOf(e.object)));
      await watch.caughtUp();

      assert.deepEqual(originalDeletions(watch, initial), predicted.flat(), `deletions of the original pods; now: ${describePods(done).join('; ')}`);
      assert.deepEqual(done.slice(0, 2).map(uidOf), initial.slice(0, 2).map(uidOf), 'web-0 and web-1 are the original pods');
    } finally {
      await watch.stop();
    }
  });

  it('MyDaemonSet on 5 nodes, maxUnavailable 2 (--image): predicts steps of 2, 2 and 1 pods, and the rollout deletes the original pods step by step', async () => {
    const nodeNames = await createOwnedNodes(owned, 5);
    const { ds, initial } = await settledDaemon('agent', nodeNames, 2);

    const watch = await Recorder.start(pods, ns.name);
    try {
      const plan = await planJson(ns.name, 'mds/agent', '--image', `app=${prevImage}`);
      await assertNothingApplied(myDaemonSets, ds, watch, 0);
      assert.equal(plan.kind, 'MyDaemonSet');
      assert.equal(plan.name, 'agent');
      const predicted = replaceSteps(plan);
      assert.deepEqual(predicted.map((s) => s.length), [2, 2, 1], JSON.stringify(predicted));
      assert.deepEqual(predicted.flat().sort(), initial.map(podName).sort(), 'each original pod is replaced once');

      await updateMyDaemonSet(ns.name, 'agent', (d) => withDaemonImage(d, prevImage));
      await waitFor(
        'every node on the new image',
        () => checkDaemonPodsOnNodes(ds, nodeNames),
        (c) => c.ok && c.pods.every((p) => podImage(p) === prevImage),
      );
      await waitDaemonStatus(ns.name, 'agent', 5);
      await watch.caughtUp();

      const deleted = originalDeletions(watch, initial);
      const observed = groupBySizes(deleted, predicted.map((s) => s.length)).map((g) => [...g].sort());
      assert.deepEqual(observed, predicted, `original pods in the order the watch saw them deleted: ${deleted.join(', ')}`);
      // The same, said as the order: no pod of a step goes before every pod of the step before it.
      const position = new Map(deleted.map((n, i) => [n, i]));
      for (let k = 0; k + 1 < predicted.length; k++) {
        const lastOfStep = Math.max(...(predicted[k] ?? []).map((n) => position.get(n) ?? Infinity));
        const firstOfNext = Math.min(...(predicted[k + 1] ?? []).map((n) => position.get(n) ?? -Infinity));
        assert.ok(lastOfStep < firstOfNext, `a pod of step ${k + 2} was deleted before step ${k + 1} was through: ${deleted.join(', ')}`);
      }
      assertNodeUnavailabilityBound(watch, ds, nodeNames, 2);
    } finally {
      await watch.stop();
    }
  });

  it('MyDeployment of 10, maxSurge 3, maxUnavailable 2 (-f, JSON): the MyReplicaSet sizes predicted per step are the ones the rollout goes through', async () => {
    const client = await testClient();
    const name = 'web';
    const labels = { name };
    // Longer than writing one round of Ready pods takes (support/paced-readiness.ts).
    const minReadySeconds = 3;
    await client.create(
      myDeployments,
      newMyDeployment(ns.name, name, 10, labels, agnhostImageName, agnhostImage, 'RollingUpdate', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
        minReadySeconds,
      }),
    );
    await waitForDeploymentComplete(ns.name, name);
    await waitForPodsRunningReady(ns.name, labels, 10);
    const live = await getDeploy(ns.name, name);
    const [oldRs, ...others] = (await deploymentReplicaSets(live)).all;
    assert.ok(oldRs && others.length === 0, 'one MyReplicaSet before the change');
    const oldName = oldRs.metadata.name ?? '';
    const changed = withContainer(live, { image: pacedImage(prevAgnhostImage) });
    const file = await manifests.write('web.json', manifest(live, changed.spec));

    const podWatch = await Recorder.start(pods, ns.name);
    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    try {
      const plan = await planJson(ns.name, `mdeploy/${name}`, '-f', file);
      await assertNothingApplied(myDeployments, live, podWatch, 0);
      await rsWatch.caughtUp();
      const fromEvent = rsWatch.events.length;
      assert.deepEqual(
        rsWatch.events.filter((e) => e.type !== 'MODIFIED' || (e.object.spec.replicas ?? 1) !== 10).map((e) => `${e.type} ${e.object.metadata.name ?? ''}`),
        [],
        'a MyReplicaSet was created, deleted or resized while the plan ran',
      );
      assert.equal(plan.kind, 'MyDeployment');
      assert.equal(plan.name, name);
      const predicted = replicaSetSteps(plan);
      const newNames = [...new Set(predicted.flatMap((s) => Object.keys(s)))].filter((n) => n !== oldName);
      assert.equal(newNames.length, 1, `the plan should name the old set ${oldName} and one new set: ${describeSizes(predicted)}`);
      const newName = newNames[0] ?? '';
      const names = [oldName, newName].sort();
      const expected = predicted.map((s) => sizesOver(s, names));
      // (new, old): the new set created at maxSurge 3 beside the 10 old; each later step follows the
      // new pods of one growth becoming available (3, then 2, then 3, then 2).
      const sequence: [number, number][] = [[3, 10], [3, 8], [5, 8], [5, 5], [8, 5], [8, 3], [10, 3], [10, 0]];
      assert.deepEqual(expected, sequence.map(([n, o]) => sizesOver({ [newName]: n, [oldName]: o }, names)), describeSizes(expected));

      const updated = await updateMyDeployment(ns.name, name, (d) => ({ ...d, spec: changed.spec }));
      const rounds = await paceRollout(updated, rsWatch, podWatch, { minReadySeconds });
      const complete = await waitForDeploymentComplete(ns.name, name);
      await rsWatch.caughtUp();

      const uid = uidOf(complete);
      const sets = (await deploymentReplicaSets(complete)).all;
      assert.deepEqual(ownedReplicaSetNames(rsWatch, uid), names, `the sets the rollout used: ${describeReplicaSets(sets).join('; ')}`);
      const observed = replicaSetSizeSequence(rsWatch, uid, names, fromEvent);
      assert.deepEqual(
        observed,
        expected,
        `observed ${describeSizes(observed)}\npredicted ${describeSizes(expected)}\nReady rounds: ${rounds.join(', ')}`,
      );
    } finally {
      await podWatch.stop();
      await rsWatch.stop();
    }
  });

  it('predicts no step for a paused MyDaemonSet or for the live spec, and refuses a change the API server refuses, applying nothing', async () => {
    const nodeNames = await createOwnedNodes(owned, 2);
    const { ds: live } = await settledDaemon('edge', nodeNames, 1);
    const watch = await Recorder.start(pods, ns.name);
    try {
      // The live spec again: nothing changes, nothing is replaced.
      const same = await manifests.write('same.yaml', manifest(live, live.spec));
      const unchanged = await planJson(ns.name, 'mds/edge', '-f', same);
      assert.deepEqual(unchanged, { kind: 'MyDaemonSet', name: 'edge', steps: [] });
      assert.match(await kubectlMy(ns.name, 'rollout', 'plan', 'mds/edge', '-f', same), noPodReplaced);
      await assertNothingApplied(myDaemonSets, live, watch, 0);

      // maxUnavailable 0 with maxSurge 0: the dry run is refused by the CRD's rule, which names the field.
      const invalid: MyDaemonSet = { ...live, spec: { ...live.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } };
      const bad = await manifests.write('invalid.json', manifest(live, invalid.spec));
      const refused = await kubectlMyFails(ns.name, 'rollout', 'plan', 'mds/edge', '-f', bad, '-o', 'json');
      assert.equal(refused.code, 1, pluginOutput(refused));
      assert.match(pluginOutput(refused), /"edge" is invalid/);
      assert.match(pluginOutput(refused), /spec\.updateStrategy[\w.]*: [\w ]+: .*rollingUpdate\.maxUnavailable cannot be 0 when rollingUpdate\.maxSurge is 0/);
      await assertNothingApplied(myDaemonSets, live, watch, 0);

      // Paused: a new image replaces no pod.
      await kubectlMy(ns.name, 'rollout', 'pause', 'mds/edge');
      const paused = await getMds(ns.name, 'edge');
      assert.equal(paused.spec.paused, true);
      const plan = await planJson(ns.name, 'mds/edge', '--image', `app=${prevImage}`);
      assert.deepEqual(plan, { kind: 'MyDaemonSet', name: 'edge', steps: [] });
      assert.match(await kubectlMy(ns.name, 'rollout', 'plan', 'mds/edge', '--image', `app=${prevImage}`), noPodReplaced);
      await assertNothingApplied(myDaemonSets, paused, watch, 0);
    } finally {
      await watch.stop();
    }
  });
});
