// Rollout control, automatic rollback (docs/rollout-control.md "Progress deadline and automatic
// rollback"), the headline of the issue, for a MyDaemonSet and a MyStatefulSet: with
// `progressDeadlineSeconds: 10, autoRollback: true`, a rollout to an image whose pods never turn
// Ready is brought back to status.stableRevision once the deadline passes —
//   - within deadline + 30 s of the change, every pod Ready on the old image again;
//   - the RolledBack condition (True, ProgressDeadlineExceeded) and one Warning Event RolledBack,
//     both saying `rolled back from revision 2 (…) to revision 1 (…): no progress for 10 s`;
//   - the spec untouched (still the broken image, the generation of the change);
//   - the stable revision renumbered as the newest (as `kubectl rollout undo` does), no new one;
//   - `kubectl my rollout status` exits 1 with "rolled back to revision 1";
//   - no pod created or deleted for 15 s afterwards (the failed template is not tried again);
//   - maxUnavailable kept at every step, and the pods the failing rollout never reached untouched;
// and a later spec change ends the rollback (status.rollback and RolledBack removed) and rolls out.
//
// On maxUnavailable 1: the failing rollout itself leaves one node (one ordinal) without an available
// pod and stalls; the rollback replaces exactly that pod. So "at most maxUnavailable unavailable" is
// checked over every state from before the change to the end, and it is reached (1) — a rollback
// that replaced the good pods too, or all at once, would break it.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { controllerRevisions, pods } from '../../../src/api/resources.ts';
import { myDaemonSets, myStatefulSets } from '../../../src/api/workloads.ts';
import {
  assertNodeUnavailabilityBound,
  checkDaemonPodsOnNodes,
  createOwnedNodes,
  daemonSetOnOwnedNodes,
  getMds,
  hashLabel,
  image,
  listRevisions,
  nameLabel,
  notReadyImage as daemonNotReadyImage,
  OwnedNodes,
  podNode,
  prevImage,
  revisionWithHash,
  selectorString,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
  waitMds,
  withImage as withDaemonImage,
} from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { controlledBy, isDeleting, isReady, podHash, podImage, podName, uidOf } from '../support/objects.ts';
import { kubectlMy, kubectlMyFails, pluginOutput } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import {
  assertOneRolledBackEvent,
  complete,
  conditionOf,
  conditionState,
  describeRollout,
  rollbackSeenAfter,
  rolledBack as rolledBackState,
  rolledBackEventReason,
  rolledBackMessage,
  rolledBackType,
  waitForEventReason,
  waitPodsSettled,
  waitUntil,
  type RevisionRef,
} from '../support/rollout-control.ts';
import {
  assertReplicaUnavailabilityBound,
  createHeadlessService,
  describePods,
  getMsts,
  isPodDeletion,
  newImage,
  newMyStatefulSet,
  notReadyImage as setNotReadyImage,
  oldImage,
  outsideDisruptions,
  podCreations,
  podDeletions,
  podNames,
  setPods,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatus,
  waitSettled,
  withImage as withSetImage,
} from '../support/statefulset.ts';

const deadlineSeconds = 10;
/** The bound: back on the old image within the deadline plus 30 s of the change. */
const backWithinMs = (deadlineSeconds + 30) * 1000;
/** How long the rolled-back object is watched standing still. */
const stillMs = 15_000;

/** A graceful deletion (the controller's or the test's): deletionTimestamp set with a grace period. */
function isGracefulDeletionStart(e: { type: string; object: Pod }): boolean {
  return e.type === 'MODIFIED' && isDeleting(e.object) && (e.object.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}

describe('Rollout control: automatic rollback (MyDaemonSet, MyStatefulSet)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  beforeEach(async () => {
    ns = await createNamespace('rc-rollback');
    owned = new OwnedNodes(ns.name);
  });
  afterEach(async () => {
    await owned.deleteAll();
    await ns.remove();
  });

  it('MyDaemonSet: past the progress deadline, every node goes back to the stable revision without a spec write, and stays there until a new spec', async () => {
    const client = await testClient();
    const dsName = 'agent';
    const maxUnavailable = 1;
    const nodeNames = await createOwnedNodes(owned, 3);
    const ds = await client.create(
      myDaemonSets,
      daemonSetOnOwnedNodes(ns.name, dsName, owned, {
        spec: { progressDeadlineSeconds: deadlineSeconds, autoRollback: true, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } } },
      }),
    );
    const initial = await waitDaemonPodsOnNodes(ds, nodeNames);
    await waitDaemonStatus(ns.name, dsName, nodeNames.length);
    const selector = selectorString({ [nameLabel]: dsName });
    const [first] = await waitFor('one ControllerRevision', () => listRevisions(ns.name, selector), (rs) => rs.length === 1);
    assert.ok(first);
    const stable: RevisionRef = { name: first.metadata.name ?? '', number: first.revision };
    assert.equal(stable.number, 1);
    const stableHash = first.metadata.labels?.[hashLabel] ?? '';
    await waitMds(ns.name, dsName, `stableRevision ${stable.name} and RolloutComplete`, (d) => d.status?.stableRevision === stable.name && conditionState(d) === complete);

    const podWatch = await Recorder.start(pods, ns.name);
    const dsWatch = await Recorder.start(myDaemonSets, ns.name);
    try {
      const changedAt = Date.now();
      const broken = await updateMyDaemonSet(ns.name, dsName, (d) => withDaemonImage(d, daemonNotReadyImage));
      const generation = broken.metadata.generation ?? 0;

      const backBy = changedAt + backWithinMs;
      await waitUntil('status.rollback recorded for the broken generation', () => getMds(ns.name, dsName), (d) => d.status?.rollback?.generation === generation, backBy);
      const back = await waitUntil(
        'every node back on the stable revision, available',
        () => checkDaemonPodsOnNodes(ds, nodeNames),
        (c) => c.ok && c.pods.every((p) => podHash(p) === stableHash && podImage(p) === image),
        backBy,
      );
      console.log(`      back on the stable revision, every node available: ${((Date.now() - changedAt) / 1000).toFixed(1)} s after the change (deadline 10 s)`);

      // The failing rollout replaced maxUnavailable nodes with never-Ready pods, then stalled.
      const brokenPods = podWatch.events.filter((e) => e.type === 'ADDED' && controlledBy(e.object, ds) && podImage(e.object) === daemonNotReadyImage).map((e) => e.object);
      assert.equal(brokenPods.length, maxUnavailable, describePods(brokenPods).join('; '));
      const [brokenPod] = brokenPods;
      assert.ok(brokenPod);
      const failedRevision = revisionWithHash(await listRevisions(ns.name, selector), podHash(brokenPod));
      assert.ok(failedRevision, `no ControllerRevision for the broken pods' hash ${podHash(brokenPod)}`);
      const failed: RevisionRef = { name: failedRevision.metadata.name ?? '', number: failedRevision.revision };
      assert.equal(failed.number, 2);
      const message = rolledBackMessage(failed, stable, deadlineSeconds);

      const rolledBack = await waitMds(ns.name, dsName, 'RolledBack True and the rollback itself complete', (d) => conditionState(d, rolledBackType) === rolledBackState && conditionState(d) === complete);
      assert.deepEqual(rolledBack.status?.rollback, {
        generation,
        revision: stable.name,
        revisionNumber: stable.number,
        failedRevision: failed.name,
        failedRevisionNumber: failed.number,
      });
      assert.equal(conditionOf(rolledBack, rolledBackType)?.message, message);
      assert.equal(rolledBack.status?.stableRevision, stable.name, describeRollout(rolledBack));
      // The spec is the user's (GitOps): the broken template is still there, at the generation of the change.
      assert.equal(rolledBack.metadata.generation, generation);
      assert.deepEqual(rolledBack.spec, broken.spec);
      await waitDaemonStatus(ns.name, dsName, nodeNames.length);

      await waitForEventReason(ds, rolledBackEventReason);
      await assertOneRolledBackEvent(ds, message);
      // As `kubectl rollout undo`: the stable revision is now the newest, and no revision was made for it.
      await waitFor('the stable revision renumbered 3', () => listRevisions(ns.name, selector), (rs) => rs.length === 2 && rs.some((r) => r.metadata.name === stable.name && r.revision === 3));
      const status = await kubectlMyFails(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '20s');
      assert.equal(status.code, 1, pluginOutput(status));
      assert.match(status.stderr, new RegExp(`rolled back to revision ${stable.number}\\b`));

      // It stays there: no pod created or deleted, the failed template is not tried again.
      await waitPodsSettled(podWatch, nodeNames.length);
      await podWatch.expectNoEventFor(stillMs, 'the rolled-back MyDaemonSet moved a pod', (e) => e.type === 'ADDED' || isPodDeletion(e));
      const still = await getMds(ns.name, dsName);
      assert.equal(still.metadata.generation, generation);
      assert.deepEqual(still.status?.rollback, rolledBack.status?.rollback);
      assert.equal(conditionState(still, rolledBackType), rolledBackState, describeRollout(still));
      await assertOneRolledBackEvent(ds, message);
      await podWatch.caughtUp();
      await dsWatch.caughtUp();

      // Never more than maxUnavailable nodes without an available pod, one pod per node (no surge).
      assert.equal(assertNodeUnavailabilityBound(podWatch, ds, nodeNames, maxUnavailable), maxUnavailable);
      // Only the node the failing rollout reached moved: its first pod, then the broken one. The others were never touched.
      const brokenNode = podNode(brokenPod);
      const firstOnBrokenNode = initial.find((p) => podNode(p) === brokenNode);
      assert.ok(firstOnBrokenNode);
      assert.deepEqual(
        podDeletions(podWatch).filter((d) => d.graceful).map((d) => d.uid),
        [uidOf(firstOnBrokenNode), uidOf(brokenPod)],
        describePods(podDeletions(podWatch).map((d) => d.pod)).join('; '),
      );
      for (const pod of initial.filter((p) => podNode(p) !== brokenNode)) {
        assert.ok(back.pods.some((p) => uidOf(p) === uidOf(pod)), `${podName(pod)} on ${podNode(pod)} was replaced`);
      }
      // Not before the deadline (lastUpdateTime has whole seconds: 1 s of slack).
      const startedAfter = rollbackSeenAfter(dsWatch, dsName, generation, changedAt);
      assert.ok(startedAfter !== undefined && startedAfter >= (deadlineSeconds - 1) * 1000, `rollback recorded ${startedAfter ?? '-'} ms after the change`);

      // A new spec ends the rollback and rolls out as usual.
      await updateMyDaemonSet(ns.name, dsName, (d) => withDaemonImage(d, prevImage));
      const done = await waitFor('every node on the new image', () => checkDaemonPodsOnNodes(ds, nodeNames), (c) => c.ok && c.pods.every((p) => podImage(p) === prevImage));
      await waitDaemonStatus(ns.name, dsName, nodeNames.length);
      const [newHash, ...others] = new Set(done.pods.map(podHash));
      assert.ok(newHash !== undefined && others.length === 0, describePods(done.pods).join('; '));
      const current = revisionWithHash(await listRevisions(ns.name, selector), newHash);
      assert.ok(current);
      assert.equal(current.revision, 4);
      const ended = await waitMds(ns.name, dsName, 'no rollback, no RolledBack, the new revision stable', (d) => {
        return d.status?.rollback === undefined && conditionOf(d, rolledBackType) === undefined && conditionState(d) === complete && d.status?.stableRevision === current.metadata.name;
      });
      assert.equal(ended.spec.template.spec.containers[0]?.image, prevImage);
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '60s'), /successfully rolled out/);
      await assertOneRolledBackEvent(ds, message);
    } finally {
      await podWatch.stop();
      await dsWatch.stop();
    }
  });

  it('MyStatefulSet: past the progress deadline, the broken ordinal goes back to the stable revision without a spec write, and stays there until a new spec', async () => {
    const client = await testClient();
    const labels = { app: 'web' };
    await createHeadlessService(ns.name, 'test', labels);
    const set = await client.create(
      myStatefulSets,
      newMyStatefulSet(ns.name, 'web', { replicas: 3, labels, spec: { progressDeadlineSeconds: deadlineSeconds, autoRollback: true } }),
    );
    const names = podNames('web', 3);
    const initial = await waitForRunningAndReady(set, names);
    const stableName = (await waitSettled(ns.name, 'web', 3)).status?.currentRevision ?? '';
    const stable: RevisionRef = { name: stableName, number: (await client.get(controllerRevisions, ns.name, stableName)).revision };
    assert.equal(stable.number, 1);
    await waitForStatus(ns.name, 'web', `stableRevision ${stable.name} and RolloutComplete`, (s) => s.status?.stableRevision === stable.name && conditionState(s) === complete);

    const podWatch = await Recorder.start(pods, ns.name);
    const setWatch = await Recorder.start(myStatefulSets, ns.name);
    try {
      const changedAt = Date.now();
      const broken = await updateMyStatefulSet(ns.name, 'web', (s) => withSetImage(s, setNotReadyImage));
      const generation = broken.metadata.generation ?? 0;

      const backBy = changedAt + backWithinMs;
      await waitUntil('status.rollback recorded for the broken generation', () => getMsts(ns.name, 'web'), (s) => s.status?.rollback?.generation === generation, backBy);
      const back = await waitUntil(
        'web-0…2 Ready on the stable revision',
        () => setPods(set),
        (ps) =>
          ps.length === 3 &&
          ps.every((p, i) => podName(p) === names[i] && !isDeleting(p) && isReady(p) && podHash(p) === stable.name && podImage(p) === oldImage),
        backBy,
      );
      console.log(`      back on the stable revision, every pod Ready: ${((Date.now() - changedAt) / 1000).toFixed(1)} s after the change (deadline 10 s)`);

      // The failing rollout replaced the top ordinal with a never-Ready pod, then stalled (OrderedReady).
      const brokenPods = podCreations(podWatch).filter((c) => podImage(c.pod) === setNotReadyImage);
      assert.deepEqual([...new Set(brokenPods.map((c) => c.name))], ['web-2'], describePods(brokenPods.map((c) => c.pod)).join('; '));
      const [brokenPod] = brokenPods;
      assert.ok(brokenPod);
      const failedName = podHash(brokenPod.pod);
      const failed: RevisionRef = { name: failedName, number: (await client.get(controllerRevisions, ns.name, failedName)).revision };
      assert.notEqual(failed.name, stable.name);
      assert.equal(failed.number, 2);
      const message = rolledBackMessage(failed, stable, deadlineSeconds);

      const rolledBack = await waitForStatus(ns.name, 'web', 'RolledBack True and the rollback itself complete', (s) => conditionState(s, rolledBackType) === rolledBackState && conditionState(s) === complete);
      assert.deepEqual(rolledBack.status?.rollback, {
        generation,
        revision: stable.name,
        revisionNumber: stable.number,
        failedRevision: failed.name,
        failedRevisionNumber: failed.number,
      });
      assert.equal(conditionOf(rolledBack, rolledBackType)?.message, message);
      assert.equal(rolledBack.status?.stableRevision, stable.name, describeRollout(rolledBack));
      assert.equal(rolledBack.metadata.generation, generation);
      assert.deepEqual(rolledBack.spec, broken.spec);
      const settled = await waitSettled(ns.name, 'web', 3);
      assert.equal(settled.status?.currentRevision, stable.name);
      assert.equal(settled.status?.updateRevision, stable.name);

      await waitForEventReason(set, rolledBackEventReason);
      await assertOneRolledBackEvent(set, message);
      await waitFor(
        'the stable revision renumbered 3',
        async () => (await client.list(controllerRevisions, { namespace: ns.name })).items.filter((r) => controlledBy(r, set)),
        (rs) => rs.length === 2 && rs.some((r) => r.metadata.name === stable.name && r.revision === 3),
      );
      const status = await kubectlMyFails(ns.name, 'rollout', 'status', 'msts/web', '--timeout', '20s');
      assert.equal(status.code, 1, pluginOutput(status));
      assert.match(status.stderr, new RegExp(`rolled back to revision ${stable.number}\\b`));

      // It stays there. A pod kwok's stray delete removes by name (outsideDisruptions) comes back,
      // which is the set's usual rule, not the rollback: only the controller's deletions and other
      // creations count.
      await waitPodsSettled(podWatch, names.length);
      const stillFrom = podWatch.events.length;
      await podWatch.expectNoEventFor(stillMs, 'the rolled-back MyStatefulSet deleted a pod', isGracefulDeletionStart);
      await podWatch.caughtUp();
      const strays = new Set(outsideDisruptions(podWatch).filter((d) => d.index >= stillFrom).map((d) => d.name));
      const created = podCreations(podWatch).filter((c) => c.index >= stillFrom && !strays.has(c.name));
      assert.deepEqual(created.map((c) => c.name), [], 'the rolled-back MyStatefulSet created a pod');
      for (const c of podCreations(podWatch).filter((x) => x.index >= stillFrom)) assert.equal(podHash(c.pod), stable.name, 'a pod came back at another revision');
      const still = await getMsts(ns.name, 'web');
      assert.equal(still.metadata.generation, generation);
      assert.deepEqual(still.status?.rollback, rolledBack.status?.rollback);
      assert.equal(conditionState(still, rolledBackType), rolledBackState, describeRollout(still));
      await assertOneRolledBackEvent(set, message);
      await setWatch.caughtUp();

      // One replica unavailable at most throughout (OrderedReady, no maxUnavailable), and that budget used.
      assert.equal(assertReplicaUnavailabilityBound(podWatch, names, 1), 1);
      // web-0 and web-1 never left; web-2 went twice: for the rollout, then for the rollback.
      assert.deepEqual(
        podDeletions(podWatch).filter((d) => d.graceful).map((d) => `${d.name}@${podHash(d.pod)}`),
        [`web-2@${stable.name}`, `web-2@${failed.name}`],
      );
      for (const pod of initial.slice(0, 2)) assert.ok(back.some((p) => uidOf(p) === uidOf(pod)), `${podName(pod)} was replaced`);
      const startedAfter = rollbackSeenAfter(setWatch, 'web', generation, changedAt);
      assert.ok(startedAfter !== undefined && startedAfter >= (deadlineSeconds - 1) * 1000, `rollback recorded ${startedAfter ?? '-'} ms after the change`);

      // A new spec ends the rollback and rolls out as usual.
      await updateMyStatefulSet(ns.name, 'web', (s) => withSetImage(s, newImage));
      const done = await waitForStatus(ns.name, 'web', 'the new image rolled out', (s) => {
        const st = s.status ?? {};
        return st.currentRevision === st.updateRevision && ![stable.name, failed.name, undefined].includes(st.updateRevision) && st.updatedReplicas === 3 && st.readyReplicas === 3;
      });
      const current = done.status?.updateRevision ?? '';
      assert.equal((await client.get(controllerRevisions, ns.name, current)).revision, 4);
      for (const pod of await waitForRunningAndReady(set, names)) assert.equal(podImage(pod), newImage);
      const ended = await waitForStatus(ns.name, 'web', 'no rollback, no RolledBack, the new revision stable', (s) => {
        return s.status?.rollback === undefined && conditionOf(s, rolledBackType) === undefined && conditionState(s) === complete && s.status?.stableRevision === current;
      });
      assert.equal(ended.spec.template.spec.containers[0]?.image, newImage);
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', 'msts/web', '--timeout', '60s'), /complete/);
      await assertOneRolledBackEvent(set, message);
    } finally {
      await podWatch.stop();
      await setWatch.stop();
    }
  });
});
