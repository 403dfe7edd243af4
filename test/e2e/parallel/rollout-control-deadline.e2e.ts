// Rollout control, progress deadline (docs/rollout-control.md "Conditions"): a MyDaemonSet or
// MyStatefulSet with `progressDeadlineSeconds: 10` rolled to an image whose pods never turn Ready
// reports Progressing True/RolloutProgressing, then False/ProgressDeadlineExceeded once 10 s pass
// without progress; `kubectl my rollout status` exits 1 on it; a good image turns it back to
// True/RolloutComplete. Without autoRollback nothing is rolled back.
//
// Each test runs a twin without progressDeadlineSeconds through the very same stuck rollout, at the
// same time: it must never report ProgressDeadlineExceeded, and the twin with a deadline proves the
// setup would have produced it (the negative check can fail). The twin without is watched for at
// least 17 s after the change, i.e. ≥ 15 s stuck, longer than the deadline and its requeue.
//
// Timing: the deadline counts from Progressing's lastUpdateTime, which has whole seconds, so it can
// pass 9 s after the change at the earliest; it must have passed 40 s after it (deadline, the
// controller's requeue, and a loaded machine). The conditions are read from a watch of the
// workload objects opened before the change: every state they went through, not the polls' sample.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet, MyStatefulSet } from '../../../src/api/workloads.ts';
import { myDaemonSets, myStatefulSets } from '../../../src/api/workloads.ts';
import {
  checkDaemonPodsOnNodes,
  createOwnedNodes,
  daemonSetOnOwnedNodes,
  getMds,
  notReadyImage as daemonNotReadyImage,
  OwnedNodes,
  prevImage,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
  waitMds,
  withImage as withDaemonImage,
} from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { controlledBy, podImage } from '../support/objects.ts';
import { kubectlMy, kubectlMyFails } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import {
  complete,
  conditionOf,
  conditionState,
  conditionTrail,
  deadlineExceeded,
  describeRollout,
  describeTrail,
  progressing,
  progressingIn,
  rolledBackType,
  waitUntil,
  type RolloutControlled,
} from '../support/rollout-control.ts';
import {
  createHeadlessService,
  getMsts,
  newImage,
  newMyStatefulSet,
  notReadyImage as setNotReadyImage,
  podCreations,
  podNames,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatus,
  waitSettled,
  withImage as withSetImage,
} from '../support/statefulset.ts';

const deadlineSeconds = 10;
/** The latest the deadline may be reported after the change. */
const exceededWithinMs = 40_000;
/** The twin without a deadline is watched at least this long after the change. */
const untimedWatchMs = 17_000;

/**
 * The Progressing trail of `name` for generation `generation` (the stuck rollout): RolloutProgressing,
 * then ProgressDeadlineExceeded with no RolloutComplete between, the latter seen between
 * (deadline − 1) s and exceededWithinMs after `changedAt`.
 */
function assertExceededInTime<T extends RolloutControlled>(watch: Recorder<T>, name: string, generation: number, changedAt: number): void {
  const trail = conditionTrail(watch, name);
  const shown = describeTrail(trail, changedAt);
  const ofChange = trail.filter((s) => s.generation === generation);
  const moving = ofChange.findIndex((s) => s.state === progressing);
  const exceeded = ofChange.findIndex((s) => s.state === deadlineExceeded);
  assert.ok(moving >= 0, `${name}: never True/RolloutProgressing for the stuck rollout: ${shown}`);
  assert.ok(exceeded > moving, `${name}: not ProgressDeadlineExceeded after RolloutProgressing: ${shown}`);
  assert.ok(!ofChange.slice(moving, exceeded).some((s) => s.state === complete), `${name}: complete while stuck: ${shown}`);
  const after = (ofChange[exceeded]?.at ?? 0) - changedAt;
  assert.ok(after >= (deadlineSeconds - 1) * 1000, `${name}: deadline reported ${after} ms after the change, before ${deadlineSeconds} s: ${shown}`);
  assert.ok(after <= exceededWithinMs, `${name}: deadline reported ${after} ms after the change: ${shown}`);
}

/** The trail of `name` never shows ProgressDeadlineExceeded, and the stuck generation showed RolloutProgressing. */
function assertNeverExceeded<T extends RolloutControlled>(watch: Recorder<T>, name: string, generation: number, changedAt: number): void {
  const trail = conditionTrail(watch, name);
  const shown = describeTrail(trail, changedAt);
  assert.ok(!trail.some((s) => s.state === deadlineExceeded), `${name} has no progressDeadlineSeconds, yet: ${shown}`);
  assert.ok(trail.some((s) => s.generation === generation && s.state === progressing), `${name}: never RolloutProgressing while stuck: ${shown}`);
}

/** Nothing was rolled back: no status.rollback, no RolledBack condition. */
function assertNotRolledBack(obj: RolloutControlled): void {
  assert.equal(obj.status?.rollback, undefined, describeRollout(obj));
  assert.equal(conditionOf(obj, rolledBackType), undefined, describeRollout(obj));
}

/** Pods of `owner` the watch saw created with `image`. */
function createdWith(watch: Recorder<Pod>, owner: RolloutControlled, image: string): number {
  return watch.events.filter((e) => e.type === 'ADDED' && controlledBy(e.object, owner) && podImage(e.object) === image).length;
}

describe('Rollout control: progress deadline (MyDaemonSet, MyStatefulSet)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  beforeEach(async () => {
    ns = await createNamespace('rc-deadline');
    owned = new OwnedNodes(ns.name);
  });
  afterEach(async () => {
    await owned.deleteAll();
    await ns.remove();
  });

  it('MyDaemonSet: a stuck rollout exceeds progressDeadlineSeconds 10 (status exits 1), a fix completes it; its twin without a deadline never exceeds', async () => {
    const client = await testClient();
    const nodeNames = await createOwnedNodes(owned, 3);
    const strategy = { type: 'RollingUpdate' as const, rollingUpdate: { maxUnavailable: 1 } };
    const twins: MyDaemonSet[] = [
      await client.create(myDaemonSets, daemonSetOnOwnedNodes(ns.name, 'timed', owned, { spec: { progressDeadlineSeconds: deadlineSeconds, updateStrategy: strategy } })),
      await client.create(myDaemonSets, daemonSetOnOwnedNodes(ns.name, 'untimed', owned, { spec: { updateStrategy: strategy } })),
    ];
    for (const ds of twins) {
      await waitDaemonPodsOnNodes(ds, nodeNames);
      await waitDaemonStatus(ns.name, ds.metadata.name ?? '', nodeNames.length);
      await waitMds(ns.name, ds.metadata.name ?? '', 'Progressing True/RolloutComplete', progressingIn(complete));
    }
    const [timed, untimed] = twins;
    assert.ok(timed && untimed);

    const dsWatch = await Recorder.start(myDaemonSets, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      const changedAt = Date.now();
      const [stuckTimed, stuckUntimed] = await Promise.all(['timed', 'untimed'].map((n) => updateMyDaemonSet(ns.name, n, (d) => withDaemonImage(d, daemonNotReadyImage))));
      const generation = stuckTimed?.metadata.generation ?? 0;
      const untimedGeneration = stuckUntimed?.metadata.generation ?? 0;
      // maxUnavailable 1: each replaces one node's pod with one that never turns Ready, and stops.
      for (const name of ['timed', 'untimed']) {
        await waitMds(ns.name, name, 'one node updated and unavailable', (d) => d.status?.updatedNumberScheduled === 1 && d.status.numberUnavailable === 1 && d.status.numberAvailable === 2);
      }

      const exceeded = await waitUntil(
        'timed: Progressing False/ProgressDeadlineExceeded',
        () => getMds(ns.name, 'timed'),
        (d) => d.metadata.generation === generation && conditionState(d) === deadlineExceeded,
        changedAt + exceededWithinMs,
      );
      assertNotRolledBack(exceeded);
      const failed = await kubectlMyFails(ns.name, 'rollout', 'status', 'mds/timed', '--timeout', '30s');
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /"timed" exceeded its progress deadline/);

      // The twin without a deadline, stuck as long and longer: never.
      await dsWatch.expectNoEventFor(
        Math.max(0, changedAt + untimedWatchMs - Date.now()),
        'untimed reported a deadline it does not have',
        (e) => e.object.metadata.name === 'untimed' && conditionState(e.object) === deadlineExceeded,
      );
      const stuck = await getMds(ns.name, 'untimed');
      assert.equal(conditionState(stuck), progressing, describeRollout(stuck));
      assert.equal(stuck.status?.updatedNumberScheduled, 1, describeRollout(stuck));
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'mds/untimed', '--watch=false'), /Waiting for daemon set "untimed" rollout to finish/);

      // A good image: the rollout moves again and completes.
      const fixed = await Promise.all(['timed', 'untimed'].map((n) => updateMyDaemonSet(ns.name, n, (d) => withDaemonImage(d, prevImage))));
      for (const ds of fixed) {
        const name = ds.metadata.name ?? '';
        await waitFor(`${name}: every node on the good image`, () => checkDaemonPodsOnNodes(ds, nodeNames), (c) => c.ok && c.pods.every((p) => podImage(p) === prevImage));
        await waitDaemonStatus(ns.name, name, nodeNames.length);
        await waitMds(ns.name, name, 'Progressing True/RolloutComplete', progressingIn(complete));
      }
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'mds/timed', '--timeout', '60s'), /successfully rolled out/);
      await dsWatch.caughtUp();
      await podWatch.caughtUp();
      await dsWatch.stop();
      await podWatch.stop();

      assertExceededInTime(dsWatch, 'timed', generation, changedAt);
      assertNeverExceeded(dsWatch, 'untimed', untimedGeneration, changedAt);
      for (const name of ['timed', 'untimed']) {
        const trail = conditionTrail(dsWatch, name);
        assert.equal(trail[trail.length - 1]?.state, complete, describeTrail(trail, changedAt));
      }
      // Both were stuck alike: one never-Ready pod each, no more, nothing rolled back.
      assert.equal(createdWith(podWatch, timed, daemonNotReadyImage), 1);
      assert.equal(createdWith(podWatch, untimed, daemonNotReadyImage), 1);
      assertNotRolledBack(await getMds(ns.name, 'timed'));
    } finally {
      await dsWatch.stop();
      await podWatch.stop();
    }
  });

  it('MyStatefulSet: a stuck rollout exceeds progressDeadlineSeconds 10 (status exits 1), a fix completes it; its twin without a deadline never exceeds', async () => {
    const client = await testClient();
    const twins: MyStatefulSet[] = [];
    for (const [name, extra] of [
      ['timed', { progressDeadlineSeconds: deadlineSeconds }],
      ['untimed', {}],
    ] as const) {
      const labels = { app: name };
      await createHeadlessService(ns.name, name, labels);
      twins.push(await client.create(myStatefulSets, newMyStatefulSet(ns.name, name, { replicas: 2, labels, serviceName: name, spec: extra })));
    }
    for (const set of twins) {
      await waitForRunningAndReady(set, podNames(set, 2));
      await waitSettled(ns.name, set.metadata.name ?? '', 2);
      await waitForStatus(ns.name, set.metadata.name ?? '', 'Progressing True/RolloutComplete', progressingIn(complete));
    }
    const [timed, untimed] = twins;
    assert.ok(timed && untimed);

    const setWatch = await Recorder.start(myStatefulSets, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      const changedAt = Date.now();
      const [stuckTimed, stuckUntimed] = await Promise.all(['timed', 'untimed'].map((n) => updateMyStatefulSet(ns.name, n, (s) => withSetImage(s, setNotReadyImage))));
      const generation = stuckTimed?.metadata.generation ?? 0;
      const untimedGeneration = stuckUntimed?.metadata.generation ?? 0;
      // The top ordinal is replaced by a pod that never turns Ready; OrderedReady stops there.
      for (const name of ['timed', 'untimed']) {
        await waitForStatus(ns.name, name, 'the top ordinal updated, not Ready', (s) => s.status?.updatedReplicas === 1 && s.status.readyReplicas === 1 && s.status.replicas === 2);
      }

      const exceeded = await waitUntil(
        'timed: Progressing False/ProgressDeadlineExceeded',
        () => getMsts(ns.name, 'timed'),
        (s) => s.metadata.generation === generation && conditionState(s) === deadlineExceeded,
        changedAt + exceededWithinMs,
      );
      assertNotRolledBack(exceeded);
      const failed = await kubectlMyFails(ns.name, 'rollout', 'status', 'msts/timed', '--timeout', '30s');
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /"timed" exceeded its progress deadline/);

      await setWatch.expectNoEventFor(
        Math.max(0, changedAt + untimedWatchMs - Date.now()),
        'untimed reported a deadline it does not have',
        (e) => e.object.metadata.name === 'untimed' && conditionState(e.object) === deadlineExceeded,
      );
      const stuck = await getMsts(ns.name, 'untimed');
      assert.equal(conditionState(stuck), progressing, describeRollout(stuck));
      assert.equal(stuck.status?.updatedReplicas, 1, describeRollout(stuck));
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'msts/untimed', '--watch=false'), /Waiting for/);

      await Promise.all(['timed', 'untimed'].map((n) => updateMyStatefulSet(ns.name, n, (s) => withSetImage(s, newImage))));
      for (const set of twins) {
        const name = set.metadata.name ?? '';
        await waitForStatus(ns.name, name, 'the good image rolled out', (s) => (s.status?.currentRevision ?? '') === s.status?.updateRevision && s.status?.updatedReplicas === 2 && s.status.readyReplicas === 2);
        const final = await waitForRunningAndReady(set, podNames(set, 2));
        for (const pod of final) assert.equal(podImage(pod), newImage);
        await waitForStatus(ns.name, name, 'Progressing True/RolloutComplete', progressingIn(complete));
      }
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'msts/timed', '--timeout', '60s'), /complete/);
      await setWatch.caughtUp();
      await podWatch.caughtUp();
      await setWatch.stop();
      await podWatch.stop();

      assertExceededInTime(setWatch, 'timed', generation, changedAt);
      assertNeverExceeded(setWatch, 'untimed', untimedGeneration, changedAt);
      for (const name of ['timed', 'untimed']) {
        const trail = conditionTrail(setWatch, name);
        assert.equal(trail[trail.length - 1]?.state, complete, describeTrail(trail, changedAt));
      }
      // Both were stuck alike: the top ordinal at the never-Ready image, once each (kwok's stray
      // delete of a recreated name would add one more: tolerated by counting names, not pods).
      for (const set of twins) {
        const names = new Set(podCreations(podWatch).filter((c) => controlledBy(c.pod, set) && podImage(c.pod) === setNotReadyImage).map((c) => c.name));
        assert.deepEqual([...names], [`${set.metadata.name ?? ''}-1`]);
      }
      assertNotRolledBack(await getMsts(ns.name, 'timed'));
    } finally {
      await setWatch.stop();
      await podWatch.stop();
    }
  });
});
