// Rollout control, automatic rollback of a MyDeployment (docs/rollout-control.md: `spec.autoRollback`
// is our extension on all three kinds; MyDeployment keeps upstream's progress deadline). With
// `progressDeadlineSeconds: 10, autoRollback: true`, 4 replicas and the default 25 %/25 % rolling
// update, a rollout to an image whose pods never turn Ready stalls with 3 old pods Ready and 2 new
// ones not; past the deadline the Deployment goes back to the stable MyReplicaSet (the one of
// status.stableRevision) —
//   - within deadline + 30 s of the change: 4 Ready pods of that MyReplicaSet, the failed one at 0;
//   - RolledBack True/ProgressDeadlineExceeded and one Warning Event RolledBack, both saying
//     `rolled back from revision 2 (…) to revision 1 (…): no progress for 10 s`;
//   - the spec untouched (the broken image, the generation of the change), no new MyReplicaSet,
//     the stable one renumbered revision 3 as `kubectl rollout undo` would;
//   - `kubectl my rollout status` exits 1 with "rolled back to revision 1";
//   - upstream's bounds at every step: ≥ 3 pods Ready, Σ replicas ≤ 5; the 3 pods that stayed Ready
//     through the failing rollout are never deleted;
//   - nothing moves for 15 s; a later spec change ends the rollback and rolls out.
import assert from 'node:assert/strict';
import type { MyReplicaSet } from '../../../src/api/workloads.ts';
import { myDeployments, myReplicaSets } from '../../../src/api/workloads.ts';
import { pods } from '../../../src/api/resources.ts';
import {
  agnhostImage,
  assertMinReady,
  assertReplicaSetSumBound,
  deploymentComplete,
  describeReplicaSets,
  getDeploy,
  getRs,
  labelSelector,
  listPods,
  listRs,
  newMyDeployment,
  notReadyImage,
  podDeletions,
  podTemplateHashLabel,
  prevAgnhostImage,
  revisionOf,
  rsSettled,
  templateImage,
  updateMyDeployment,
  waitForDeployment,
  waitForDeploymentComplete,
  waitForDeploymentRevisionAndImage,
  waitForRs,
  withContainer,
} from '../support/deployment.ts';
import { createNamespace, testClient } from '../support/env.ts';
import { controlledBy, isDeleting, isReady } from '../support/objects.ts';
import { kubectlMy, kubectlMyFails, pluginOutput } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import {
  assertOneRolledBackEvent,
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

const name = 'web';
const labels = { app: 'web' };
const replicas = 4;
const deadlineSeconds = 10;
/** The bound: back on the old image within the deadline plus 30 s of the change. */
const backWithinMs = (deadlineSeconds + 30) * 1000;
/** How long the rolled-back Deployment is watched standing still. */
const stillMs = 15_000;

function hashOf(rs: MyReplicaSet): string {
  return rs.metadata.labels?.[podTemplateHashLabel] ?? '';
}

describe('Rollout control: automatic rollback (MyDeployment)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => (ns = await createNamespace('rc-rollback-deploy')));
  afterEach(async () => ns.remove());

  it('past the progress deadline, goes back to the stable MyReplicaSet without a spec write, within 25 %/25 %, and stays there until a new spec', async () => {
    const client = await testClient();
    await client.create(
      myDeployments,
      newMyDeployment(ns.name, name, replicas, labels, 'web', agnhostImage, 'RollingUpdate', { progressDeadlineSeconds: deadlineSeconds, autoRollback: true }),
    );
    await waitForDeploymentComplete(ns.name, name);
    const { newRs: stableRs } = await waitForDeploymentRevisionAndImage(ns.name, name, '1', agnhostImage);
    const stable: RevisionRef = { name: stableRs.metadata.name ?? '', number: 1 };
    const stableHash = hashOf(stableRs);
    await waitForDeployment(ns.name, name, `stableRevision ${stable.name}`, (d) => d.status?.stableRevision === stable.name);

    const podWatch = await Recorder.start(pods, ns.name);
    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    const deployWatch = await Recorder.start(myDeployments, ns.name);
    try {
      const changedAt = Date.now();
      const broken = await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: notReadyImage }));
      const generation = broken.metadata.generation ?? 0;

      const backBy = changedAt + backWithinMs;
      await waitUntil('status.rollback recorded for the broken generation', () => getDeploy(ns.name, name), (d) => d.status?.rollback?.generation === generation, backBy);
      await waitUntil(
        `${replicas} Ready pods of the stable MyReplicaSet and no other`,
        async () => ({ rs: await getRs(ns.name, stable.name), pods: (await listPods(ns.name, labelSelector(labels))).filter((p) => !isDeleting(p)) }),
        ({ rs, pods: live }) => rsSettled(replicas)(rs) && live.length === replicas && live.every((p) => isReady(p) && p.metadata.labels?.[podTemplateHashLabel] === stableHash),
        backBy,
      );
      console.log(`      back on the stable MyReplicaSet, every pod Ready: ${((Date.now() - changedAt) / 1000).toFixed(1)} s after the change (deadline 10 s)`);

      // The failed revision: the one other MyReplicaSet, of the broken template, scaled to 0.
      const others = (await listRs(ns.name)).filter((rs) => controlledBy(rs, broken) && rs.metadata.name !== stable.name);
      assert.equal(others.length, 1, `no new MyReplicaSet for the rollback: ${describeReplicaSets(others).join('; ')}`);
      const [failedRs] = others;
      assert.ok(failedRs);
      assert.equal(templateImage(failedRs), notReadyImage);
      const failed: RevisionRef = { name: failedRs.metadata.name ?? '', number: Number(revisionOf(failedRs)) };
      assert.equal(failed.number, 2);
      await waitForRs(ns.name, failed.name, 'scaled to 0', (rs) => (rs.spec.replicas ?? 1) === 0 && (rs.status?.replicas ?? 0) === 0, { timeoutMs: 30_000 });
      const message = rolledBackMessage(failed, stable, deadlineSeconds);

      const rolledBack = await waitForDeployment(ns.name, name, 'RolledBack True and the rollback complete', (d) => deploymentComplete(d) && conditionState(d, rolledBackType) === rolledBackState, { timeoutMs: 30_000 });
      assert.deepEqual(rolledBack.status?.rollback, {
        generation,
        revision: stable.name,
        revisionNumber: stable.number,
        failedRevision: failed.name,
        failedRevisionNumber: failed.number,
      });
      assert.equal(conditionOf(rolledBack, rolledBackType)?.message, message);
      assert.equal(rolledBack.status?.stableRevision, stable.name, describeRollout(rolledBack));
      // The spec is the user's: still the broken template, at the generation of the change.
      assert.equal(rolledBack.metadata.generation, generation);
      assert.deepEqual(rolledBack.spec, broken.spec);
      assert.equal(templateImage(rolledBack), notReadyImage);

      await waitForEventReason(broken, rolledBackEventReason);
      await assertOneRolledBackEvent(broken, message);
      // As `kubectl rollout undo`: the stable MyReplicaSet is the newest revision again.
      await waitForRs(ns.name, stable.name, 'revision 3', (rs) => revisionOf(rs) === '3', { timeoutMs: 30_000 });
      const status = await kubectlMyFails(ns.name, 'rollout', 'status', `mdeploy/${name}`, '--timeout', '20s');
      assert.equal(status.code, 1, pluginOutput(status));
      assert.match(status.stderr, new RegExp(`rolled back to revision ${stable.number}\\b`));

      // It stays there: no pod created or deleted, no MyReplicaSet made.
      await waitPodsSettled(podWatch, replicas);
      await Promise.all([
        podWatch.expectNoEventFor(stillMs, 'the rolled-back MyDeployment moved a pod', (e) => e.type === 'ADDED' || e.type === 'DELETED' || isDeleting(e.object)),
        rsWatch.expectNoEventFor(stillMs, 'the rolled-back MyDeployment made a MyReplicaSet', (e) => e.type === 'ADDED'),
      ]);
      const still = await getDeploy(ns.name, name);
      assert.equal(still.metadata.generation, generation);
      assert.deepEqual(still.status?.rollback, rolledBack.status?.rollback);
      assert.equal(conditionState(still, rolledBackType), rolledBackState, describeRollout(still));
      await assertOneRolledBackEvent(broken, message);
      await podWatch.caughtUp();
      await rsWatch.caughtUp();
      await deployWatch.caughtUp();

      // upstream's bounds for 4 replicas at 25 %/25 % (surge 1, unavailable 1), failing rollout and rollback alike.
      assert.equal(assertMinReady(podWatch, labels, replicas - 1), replicas - 1, 'the failing rollout never took a pod away');
      assertReplicaSetSumBound(rsWatch, broken, replicas + 1);
      // Of the stable pods only the one the failing rollout scaled away went; the broken ones all went.
      const deleted = podDeletions(podWatch);
      const stableGone = deleted.filter((d) => d.pod.metadata.labels?.[podTemplateHashLabel] === stableHash);
      const brokenMade = podWatch.events.filter((e) => e.type === 'ADDED' && e.object.metadata.labels?.[podTemplateHashLabel] === hashOf(failedRs));
      assert.equal(stableGone.length, 1, 'the rollback deleted pods of the stable revision');
      assert.equal(brokenMade.length, 2, 'the failing rollout made 2 pods (one surge, one in place of the old pod scaled away)');
      assert.deepEqual(
        deleted.filter((d) => d.pod.metadata.labels?.[podTemplateHashLabel] === hashOf(failedRs)).map((d) => d.uid).sort(),
        brokenMade.map((e) => e.object.metadata.uid ?? '').sort(),
      );
      const startedAfter = rollbackSeenAfter(deployWatch, name, generation, changedAt);
      assert.ok(startedAfter !== undefined && startedAfter >= (deadlineSeconds - 1) * 1000, `rollback recorded ${startedAfter ?? '-'} ms after the change`);

      // A new spec ends the rollback and rolls out as usual: a new MyReplicaSet, revision 4.
      await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: prevAgnhostImage }));
      await waitForDeploymentComplete(ns.name, name);
      const { newRs } = await waitForDeploymentRevisionAndImage(ns.name, name, '4', prevAgnhostImage);
      const ended = await waitForDeployment(ns.name, name, 'no rollback, no RolledBack, the new MyReplicaSet stable', (d) => {
        return d.status?.rollback === undefined && conditionOf(d, rolledBackType) === undefined && d.status?.stableRevision === newRs.metadata.name;
      });
      assert.equal(templateImage(ended), prevAgnhostImage);
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mdeploy/${name}`, '--timeout', '60s'), /successfully rolled out/);
      await assertOneRolledBackEvent(broken, message);
    } finally {
      await podWatch.stop();
      await rsWatch.stop();
      await deployWatch.stop();
    }
  });
});
