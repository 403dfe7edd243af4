// Rollout control, pause (docs/rollout-control.md "Pause"): `spec.paused` on a MyDaemonSet and a
// MyStatefulSet, set and cleared through `kubectl my rollout pause|resume`. While paused, a template
// change replaces no pod and Progressing is Unknown/RolloutPaused, but pods are still created by
// the kind's usual rule: a MyDaemonSet fills a deleted pod's node and a new node from the current
// template; a MyStatefulSet recreates a deleted ordinal, and creates a scaled-up one, at the revision
// of its ordinal (current below the partition, update at or above it). Resuming completes the rollout.
//
// Both objects carry a short progressDeadlineSeconds and stay paused for longer than it: "no
// deadline runs while paused" is checked over the recorded watch of the objects.
//
// Pods turn Ready within milliseconds here, so "no pod was replaced" is read from a pod watch
// opened before the pause, never from polls.
import assert from 'node:assert/strict';
import { pods } from '../../../src/api/resources.ts';
import { myDaemonSets, myStatefulSets } from '../../../src/api/workloads.ts';
import {
  assertNodeUnavailabilityBound,
  checkDaemonPodsOnNodes,
  createOwnedNodes,
  daemonSetOnOwnedNodes,
  getMds,
  image,
  OwnedNodes,
  podNode,
  prevImage,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
  waitMds,
  withImage as withDaemonImage,
} from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { isDeleting, isReady, podHash, podImage, podName, uidOf } from '../support/objects.ts';
import { kubectlMy, kubectlMyFails } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import { complete, conditionState, conditionTrail, deadlineExceeded, describeTrail, paused, progressingIn, statesOfGeneration } from '../support/rollout-control.ts';
import {
  createHeadlessService,
  describePods,
  isPodDeletion,
  newImage,
  newMyStatefulSet,
  oldImage,
  podDeletions,
  podNames,
  quietMs,
  setPods,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatus,
  waitSettled,
  withImage as withSetImage,
  withSpec,
} from '../support/statefulset.ts';

/** Short enough that it would fire while paused, were it running (requeue included). */
const deadlineSeconds = 8;
/** How long each object stays paused at least, measured from Progressing RolloutPaused. */
const pausedAtLeastMs = 12_000;

describe('Rollout control: pause and resume (MyDaemonSet, MyStatefulSet)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  beforeEach(async () => {
    ns = await createNamespace('rc-pause');
    owned = new OwnedNodes(ns.name);
  });
  afterEach(async () => {
    await owned.deleteAll();
    await ns.remove();
  });

  it('MyDaemonSet: paused, a template change replaces no pod; a deleted pod and a new node get the new template; resume completes the rollout', async () => {
    const client = await testClient();
    const dsName = 'agent';
    const nodeNames = await createOwnedNodes(owned, 3);
    const ds = await client.create(
      myDaemonSets,
      daemonSetOnOwnedNodes(ns.name, dsName, owned, {
        spec: { progressDeadlineSeconds: deadlineSeconds, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } },
      }),
    );
    const initial = await waitDaemonPodsOnNodes(ds, nodeNames);
    await waitDaemonStatus(ns.name, dsName, nodeNames.length);
    await waitMds(ns.name, dsName, 'Progressing True/RolloutComplete', progressingIn(complete));
    const [first] = initial;
    assert.ok(first);
    const oldHash = podHash(first);
    assert.notEqual(oldHash, '');
    const label = `mydaemonset.apps.my.dev/${dsName}`;

    const podWatch = await Recorder.start(pods, ns.name);
    const dsWatch = await Recorder.start(myDaemonSets, ns.name);
    try {
      assert.match(await kubectlMy(ns.name, 'rollout', 'pause', `mds/${dsName}`), new RegExp(`^${label.replaceAll('.', '\\.')} paused$`, 'm'));
      assert.equal((await getMds(ns.name, dsName)).spec.paused, true);
      assert.match((await kubectlMyFails(ns.name, 'rollout', 'pause', `mds/${dsName}`)).stderr, new RegExp(`"${dsName}" is already paused`));

      const changed = await updateMyDaemonSet(ns.name, dsName, (d) => withDaemonImage(d, prevImage));
      const generation = changed.metadata.generation ?? 0;
      const pausedDs = await waitMds(ns.name, dsName, 'the image change observed and Progressing Unknown/RolloutPaused', (d) => d.metadata.generation === generation && conditionState(d) === paused);
      const pausedSince = Date.now();
      assert.equal(pausedDs.status?.updatedNumberScheduled, 0, 'a pod was updated while paused');
      // The operator made its decision for this generation before writing observedGeneration: nothing moves.
      await podWatch.expectNoEventFor(quietMs, 'a paused MyDaemonSet replaced a pod', (e) => e.type === 'ADDED' || isPodDeletion(e));

      // A pod deleted by someone else comes back from the current template, with the new hash.
      const victimNode = nodeNames[1] ?? '';
      const victim = initial.find((p) => podNode(p) === victimNode);
      assert.ok(victim, `no pod on ${victimNode}`);
      await client.delete(pods, ns.name, podName(victim));
      const refilled = await waitFor(
        `a pod of the new template on ${victimNode}`,
        () => checkDaemonPodsOnNodes(ds, nodeNames),
        (c) => c.ok && c.pods.some((p) => podNode(p) === victimNode && podImage(p) === prevImage),
      );
      const newHash = podHash(refilled.pods.find((p) => podNode(p) === victimNode) ?? victim);
      assert.notEqual(newHash, oldHash, 'the replacement carries the old revision');
      for (const pod of refilled.pods.filter((p) => podNode(p) !== victimNode)) {
        assert.ok(initial.some((p) => uidOf(p) === uidOf(pod)), `${podName(pod)} on ${podNode(pod)} was replaced while paused`);
        assert.equal(podHash(pod), oldHash);
      }

      // A node that joins gets the current template too.
      await owned.create(3);
      await owned.waitReady([3]);
      const newNode = owned.name(3);
      const allNodes = [...nodeNames, newNode].sort();
      await waitFor(
        `a pod of the new template on ${newNode}`,
        () => checkDaemonPodsOnNodes(ds, allNodes),
        (c) => c.ok && c.pods.some((p) => podNode(p) === newNode && podHash(p) === newHash),
      );
      await waitMds(ns.name, dsName, '2 of 4 nodes updated, all available, still paused', (d) => {
        const s = d.status ?? {};
        return s.desiredNumberScheduled === 4 && s.updatedNumberScheduled === 2 && s.numberAvailable === 4 && conditionState(d) === paused;
      });

      // Paused for longer than the deadline (and its requeue): it must not have run.
      await dsWatch.expectNoEventFor(Math.max(0, pausedSince + pausedAtLeastMs - Date.now()), 'a progress deadline ran while paused', (e) => conditionState(e.object) === deadlineExceeded);
      const resumeFrom = podWatch.events.length;
      const beforeResume = podDeletions(podWatch).filter((d) => d.graceful);
      assert.deepEqual(beforeResume.map((d) => d.uid), [uidOf(victim)], 'only the pod the test deleted went while paused');

      const resumedAt = Date.now();
      assert.match(await kubectlMy(ns.name, 'rollout', 'resume', `mds/${dsName}`), new RegExp(`^${label.replaceAll('.', '\\.')} resumed$`, 'm'));
      assert.notEqual((await getMds(ns.name, dsName)).spec.paused, true);
      const done = await waitFor(
        'every node on the new template',
        () => checkDaemonPodsOnNodes(ds, allNodes),
        (c) => c.ok && c.pods.every((p) => podImage(p) === prevImage && podHash(p) === newHash),
      );
      await waitDaemonStatus(ns.name, dsName, allNodes.length);
      await waitMds(ns.name, dsName, 'Progressing True/RolloutComplete after the resume', progressingIn(complete));
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '60s'), /successfully rolled out/);
      await podWatch.caughtUp();
      await dsWatch.caughtUp();
      await podWatch.stop();
      await dsWatch.stop();

      // After the resume the rollout replaced exactly the two pods the pause had kept, one node at a time.
      const kept = initial.filter((p) => podNode(p) !== victimNode);
      const afterResume = podDeletions(podWatch).filter((d) => d.graceful && d.index >= resumeFrom);
      assert.deepEqual(afterResume.map((d) => d.uid).sort(), kept.map(uidOf).sort(), describePods(done.pods).join('; '));
      // maxUnavailable 1 from the resume on, on every node; before it, only the test's deletion left a gap.
      assert.equal(assertNodeUnavailabilityBound(podWatch, ds, allNodes, 1, { fromEvent: resumeFrom }), 1, 'the resumed rollout made no gap');
      assertNodeUnavailabilityBound(podWatch, ds, nodeNames, 1);

      const trail = conditionTrail(dsWatch, dsName);
      const shown = describeTrail(trail, dsWatch.startedAt);
      assert.ok(statesOfGeneration(trail, generation).includes(paused), `never RolloutPaused for the image change: ${shown}`);
      // Only the paused time is judged: after the resume the deadline runs again, as it should.
      assert.ok(!trail.some((s) => s.at < resumedAt && s.state === deadlineExceeded), `a deadline was reported while paused: ${shown}`);
      assert.equal(trail[trail.length - 1]?.state, complete, shown);
      for (const pod of done.pods) assert.notEqual(podImage(pod), image);
    } finally {
      await podWatch.stop();
      await dsWatch.stop();
    }
  });

  it('MyStatefulSet: paused, a template change replaces no pod; scale-up and deleted pods come at the revision of their ordinal; resume completes the rollout', async () => {
    const client = await testClient();
    const labels = { app: 'web' };
    await createHeadlessService(ns.name, 'test', labels);
    const strategy = (partition: number) => ({ type: 'RollingUpdate' as const, rollingUpdate: { partition } });
    const set = await client.create(
      myStatefulSets,
      newMyStatefulSet(ns.name, 'web', { replicas: 3, labels, spec: { progressDeadlineSeconds: deadlineSeconds, updateStrategy: strategy(1) } }),
    );
    const initial = await waitForRunningAndReady(set, podNames('web', 3));
    const current = (await waitSettled(ns.name, 'web', 3)).status?.currentRevision ?? '';
    assert.notEqual(current, '');
    await waitForStatus(ns.name, 'web', 'Progressing True/RolloutComplete', progressingIn(complete));

    const podWatch = await Recorder.start(pods, ns.name);
    const setWatch = await Recorder.start(myStatefulSets, ns.name);
    try {
      assert.match(await kubectlMy(ns.name, 'rollout', 'pause', 'msts/web'), /^mystatefulset\.apps\.my\.dev\/web paused$/m);
      assert.match((await kubectlMyFails(ns.name, 'rollout', 'pause', 'msts/web')).stderr, /"web" is already paused/);

      const changed = await updateMyStatefulSet(ns.name, 'web', (s) => withSetImage(s, newImage));
      const generation = changed.metadata.generation ?? 0;
      const pausedSet = await waitForStatus(ns.name, 'web', 'Progressing Unknown/RolloutPaused and a new update revision', (s) => {
        return s.metadata.generation === generation && conditionState(s) === paused && (s.status?.updateRevision ?? current) !== current;
      });
      const pausedSince = Date.now();
      const update = pausedSet.status?.updateRevision ?? '';
      assert.equal(pausedSet.status?.currentRevision, current);
      await podWatch.expectNoEventFor(quietMs, 'a paused MyStatefulSet replaced a pod', (e) => e.type === 'ADDED' || isPodDeletion(e));

      // Scale-up: web-3 is at or above the partition, so it is made at the update revision.
      await updateMyStatefulSet(ns.name, 'web', (s) => withSpec(s, { replicas: 4 }));
      const [, , , web3] = await waitForRunningAndReady(set, podNames('web', 4));
      assert.ok(web3);
      assert.equal(podHash(web3), update, describePods([web3]).join(''));
      assert.equal(podImage(web3), newImage);

      // Deleted pods come back at their ordinal's revision: web-0 (below the partition) current, web-1 update.
      const recreated = async (name: string): Promise<void> => {
        const before = (await setPods(set)).find((p) => podName(p) === name);
        assert.ok(before, `no ${name}`);
        await client.delete(pods, ns.name, name);
        await waitFor(
          `${name} recreated and Ready`,
          () => setPods(set),
          (ps) => ps.length === 4 && ps.every((p) => !isDeleting(p) && isReady(p)) && ps.some((p) => podName(p) === name && uidOf(p) !== uidOf(before)),
        );
      };
      await recreated('web-0');
      await recreated('web-1');
      const whilePaused = await waitForRunningAndReady(set, podNames('web', 4));
      assert.deepEqual(
        whilePaused.map((p) => `${podName(p)}@${podHash(p)} ${podImage(p)}`),
        [`web-0@${current} ${oldImage}`, `web-1@${update} ${newImage}`, `web-2@${current} ${oldImage}`, `web-3@${update} ${newImage}`],
        describePods(whilePaused).join('; '),
      );
      const [, , web2] = initial;
      assert.ok(web2);
      assert.ok(whilePaused.some((p) => uidOf(p) === uidOf(web2)), 'web-2 was replaced while paused');
      await waitForStatus(ns.name, 'web', 'still paused', (s) => conditionState(s) === paused && s.status?.readyReplicas === 4);

      await setWatch.expectNoEventFor(Math.max(0, pausedSince + pausedAtLeastMs - Date.now()), 'a progress deadline ran while paused', (e) => conditionState(e.object) === deadlineExceeded);
      assert.deepEqual(
        podDeletions(podWatch).filter((d) => d.graceful).map((d) => d.name),
        ['web-0', 'web-1'],
        'only the pods the test deleted went while paused',
      );
      const resumeFrom = podWatch.events.length;

      // Resumed: the rollout goes on down to the partition (web-2), web-0 stays.
      const resumedAt = Date.now();
      assert.match(await kubectlMy(ns.name, 'rollout', 'resume', 'msts/web'), /^mystatefulset\.apps\.my\.dev\/web resumed$/m);
      await waitForStatus(ns.name, 'web', 'the partitioned rollout complete', (s) => {
        const st = s.status ?? {};
        return st.updatedReplicas === 3 && st.readyReplicas === 4 && st.replicas === 4 && conditionState(s) === complete;
      });
      const partitioned = await waitForRunningAndReady(set, podNames('web', 4));
      assert.deepEqual(partitioned.map(podHash), [current, update, update, update], describePods(partitioned).join('; '));

      // Partition 0: web-0 too, and the rollout is complete.
      await updateMyStatefulSet(ns.name, 'web', (s) => withSpec(s, { updateStrategy: strategy(0) }));
      const done = await waitSettled(ns.name, 'web', 4);
      assert.equal(done.status?.currentRevision, update);
      await waitForStatus(ns.name, 'web', 'Progressing True/RolloutComplete', progressingIn(complete));
      const final = await waitForRunningAndReady(set, podNames('web', 4));
      for (const pod of final) assert.equal(podImage(pod), newImage);
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'msts/web', '--timeout', '60s'), /complete/);
      await podWatch.caughtUp();
      await setWatch.caughtUp();
      await podWatch.stop();
      await setWatch.stop();

      const afterResume = podDeletions(podWatch).filter((d) => d.graceful && d.index >= resumeFrom);
      assert.deepEqual(
        afterResume.map((d) => `${d.name}@${podHash(d.pod)}`),
        [`web-2@${current}`, `web-0@${current}`],
        'after the resume: web-2, then web-0 once the partition was lowered',
      );
      const trail = conditionTrail(setWatch, 'web');
      const shown = describeTrail(trail, setWatch.startedAt);
      assert.ok(statesOfGeneration(trail, generation).includes(paused), `never RolloutPaused for the image change: ${shown}`);
      assert.ok(!trail.some((s) => s.at < resumedAt && s.state === deadlineExceeded), `a deadline was reported while paused: ${shown}`);
      assert.equal(trail[trail.length - 1]?.state, complete, shown);
    } finally {
      await podWatch.stop();
      await setWatch.stop();
    }
  });
});
