// The seeds' Deployment chapter end to end on examples/nginx-deployment.yaml: create, update, a
// typo'd image (nginx:1.91) that stalls the rollout, rollback by `deprecated.deployment.rollback.to`
// and by copying the previous template as `kubectl rollout undo` does (the earlier replica set comes
// back renumbered with its pods untouched), history with change-cause, scaling, pause / two edits /
// resume as one rollout, a short progressDeadlineSeconds (Progressing False ProgressDeadlineExceeded,
// then recovered), and proportional scaling of a stuck rollout (upstream "deployment should support
// proportional scaling", and the seeds' 10 → 15 example).
//
// On kwok no image is pulled: the typo is `nginx:1.91-notready`, an image kwok never makes Ready.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from '../../../hack/cluster.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDeployment, MyReplicaSet } from '../../../src/api/workloads.ts';
import { myDeployments, myReplicaSets } from '../../../src/api/workloads.ts';
import { ApiError } from '../../../src/runtime/client/errors.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';
import { isDeleting, uidOf } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  changeCauseAnnotation,
  condition,
  deploymentComplete,
  deploymentReplicaSets,
  describeReplicaSets,
  desiredReplicasAnnotation,
  eventsOf,
  getDeploy,
  lastAppliedAnnotation,
  maxReplicasAnnotation,
  newMyDeployment,
  notReadyImage,
  podCreations,
  podTemplateHashLabel,
  quietMs,
  revisionAnnotation,
  revisionHistoryAnnotation,
  revisionOf,
  rollbackToAnnotation,
  rsPods,
  rsSettled,
  templateImage,
  updateMyDeployment,
  waitForDeployment,
  waitForDeploymentComplete,
  waitForDeploymentRevisionAndImage,
  waitForObservedDeployment,
  waitForRs,
  withAnnotations,
  withContainer,
} from '../support/deployment.ts';

const name = 'nginx-deployment';
const typo = 'nginx:1.91-notready';

/**
 * The MyDeployment of examples/nginx-deployment.yaml, moved to the test's namespace, with a
 * change-cause as `kubectl apply --record` would add (the file's other documents, such as its
 * Namespace, are left out).
 */
function nginxExample(namespace: string, changeCause: string): string {
  const docs = parseAllDocuments(readFileSync(path.join(repoRoot, 'examples', 'nginx-deployment.yaml'), 'utf8')).map((d) => {
    const json: unknown = d.toJSON();
    return json;
  });
  const doc = docs.find((d) => isRecord(d) && d.kind === 'MyDeployment');
  assert.ok(isRecord(doc) && isRecord(doc.metadata), 'examples/nginx-deployment.yaml holds no MyDeployment');
  assert.equal(doc.metadata.name, name);
  return stringify({ ...doc, metadata: { ...doc.metadata, namespace, annotations: { [changeCauseAnnotation]: changeCause } } });
}

/** `kubectl set image … --record`: the image and the change-cause in one write. */
function setImage(image: string): (d: MyDeployment) => MyDeployment {
  return (d) => withAnnotations(withContainer(d, { image }), { [changeCauseAnnotation]: `kubectl set image deployment.v1.apps/${name} nginx=${image} --record=true` });
}

/** The annotation keys kubectl rollout undo never copies (kubectl polymorphichelpers rollback.go annotationsToSkip). */
const skipped = new Set([lastAppliedAnnotation, revisionAnnotation, revisionHistoryAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation, rollbackToAnnotation]);

/**
 * What `kubectl rollout undo` does client side: one JSON patch replacing the template (minus
 * pod-template-hash) and the annotations (skip-list keys kept from the Deployment, the others from the
 * replica set). Guarded by a `test` of the resourceVersion read, and redone if the controller wrote in
 * between (it writes the revision annotation, which this patch would otherwise put back stale).
 */
async function undoTo(namespace: string, rs: MyReplicaSet): Promise<MyDeployment> {
  const client = await testClient();
  const template = rs.spec.template;
  assert.ok(template);
  const labels = { ...template.metadata?.labels };
  delete labels[podTemplateHashLabel];
  for (let attempt = 0; ; attempt++) {
    const d = await getDeploy(namespace, name);
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (skipped.has(k)) annotations[k] = v;
    for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!skipped.has(k)) annotations[k] = v;
    try {
      return await client.patch(myDeployments, namespace, name, 'json', [
        { op: 'test', path: '/metadata/resourceVersion', value: d.metadata.resourceVersion },
        { op: 'replace', path: '/spec/template', value: { ...template, metadata: { ...template.metadata, labels } } },
        { op: 'replace', path: '/metadata/annotations', value: annotations },
      ]);
    } catch (err) {
      // A failed `test` operation answers 422.
      if (!(err instanceof ApiError && err.code === 422) || attempt >= 20) throw err;
    }
  }
}

/** Revision → change-cause over the Deployment's replica sets, ascending (kubectl rollout history). */
function history(rss: readonly MyReplicaSet[]): string[] {
  return rss
    .map((rs) => ({ rev: BigInt(revisionOf(rs) || '0'), cause: rs.metadata.annotations?.[changeCauseAnnotation] ?? '<none>' }))
    .sort((a, b) => (a.rev < b.rev ? -1 : a.rev > b.rev ? 1 : 0))
    .map((h) => `${h.rev} ${h.cause}`);
}

describe('MyDeployment, the seeds: rollback, history, pause and resume, progress deadline, proportional scaling', function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('mdeploy-seeds');
  });
  afterEach(async () => ns.remove());

  it('rolls a typo’d image back, by rollback.to and by template copy, to the previous replica set renumbered with its pods untouched; history keeps change-cause', async () => {
    const applyCause = 'kubectl apply --filename=examples/nginx-deployment.yaml --record=true';
    await kubectl(['apply', '-n', ns.name, '-f', '-'], nginxExample(ns.name, applyCause));
    await waitForDeploymentRevisionAndImage(ns.name, name, '1', 'nginx:1.7.9');
    await waitForDeploymentComplete(ns.name, name);

    await updateMyDeployment(ns.name, name, setImage('nginx:1.9.1'));
    const { newRs: good } = await waitForDeploymentRevisionAndImage(ns.name, name, '2', 'nginx:1.9.1');
    await waitForDeploymentComplete(ns.name, name);
    const goodPods = (await rsPods(good)).filter((p) => !isDeleting(p)).map(uidOf).sort();
    assert.equal(goodPods.length, 3);

    // The typo: one new pod that never turns Ready; 3 replicas at 25% allow 1 surge and 0 unavailable.
    await updateMyDeployment(ns.name, name, setImage(typo));
    const { newRs: bad } = await waitForDeploymentRevisionAndImage(ns.name, name, '3', typo);
    await waitForRs(ns.name, bad.metadata.name ?? '', '1 pod, never Ready', (rs) => rs.spec.replicas === 1 && rs.status?.replicas === 1 && (rs.status.readyReplicas ?? 0) === 0);
    const stalled = await waitForDeployment(ns.name, name, 'stalled: 3 old available, 1 new unavailable', (d, sets) =>
      (d.status?.availableReplicas ?? 0) === 3 && (d.status?.updatedReplicas ?? 0) === 1 && sets.all.length === 3 && (sets.old.find((r) => uidOf(r) === uidOf(good))?.spec.replicas ?? 0) === 3,
    );
    assert.equal(condition(stalled, 'Available')?.status, 'True');
    assert.equal(condition(stalled, 'Progressing')?.status, 'True');
    const rss = (await deploymentReplicaSets(stalled)).all;
    assert.deepEqual(history(rss), [
      `1 ${applyCause}`,
      `2 kubectl set image deployment.v1.apps/${name} nginx=nginx:1.9.1 --record=true`,
      `3 kubectl set image deployment.v1.apps/${name} nginx=${typo} --record=true`,
    ]);
    for (const rs of rss) assert.equal(rs.metadata.annotations?.[lastAppliedAnnotation], undefined, 'last-applied-configuration copied to a replica set');

    const podWatch = await Recorder.start(pods, ns.name);
    try {
      // 1. The controller's rollback: to revision 0 = the previous one (2).
      await updateMyDeployment(ns.name, name, (d) => withAnnotations(d, { [rollbackToAnnotation]: '0' }));
      await waitForDeploymentRevisionAndImage(ns.name, name, '4', 'nginx:1.9.1');
      const back = await waitForDeploymentComplete(ns.name, name);
      assert.equal(back.metadata.annotations?.[rollbackToAnnotation], undefined, 'the rollback annotation stayed');
      assert.equal(back.metadata.annotations?.[changeCauseAnnotation], `kubectl set image deployment.v1.apps/${name} nginx=nginx:1.9.1 --record=true`);
      const renumbered = await waitForRs(ns.name, good.metadata.name ?? '', 'revision 4, history 2', (rs) => revisionOf(rs) === '4' && rs.metadata.annotations?.[revisionHistoryAnnotation] === '2');
      assert.equal(uidOf(renumbered), uidOf(good));
      await waitForRs(ns.name, bad.metadata.name ?? '', 'scaled to 0', rsSettled(0));
      assert.deepEqual((await rsPods(good)).filter((p) => !isDeleting(p)).map(uidOf).sort(), goodPods, 'the pods of revision 2 were replaced');
      const rolledBack = await waitFor('a DeploymentRollback event', () => eventsOf(back), (es) => es.some((e) => e.reason === 'DeploymentRollback'));
      assert.equal(rolledBack.find((e) => e.reason === 'DeploymentRollback')?.message, `Rolled back deployment "${name}" to revision 2`);

      // 2. The typo again: revision 3's replica set is the match, renumbered 5.
      await updateMyDeployment(ns.name, name, setImage(typo));
      await waitForDeploymentRevisionAndImage(ns.name, name, '5', typo);
      const again = await waitForRs(ns.name, bad.metadata.name ?? '', 'revision 5, history 3, 1 pod', (rs) => revisionOf(rs) === '5' && rs.metadata.annotations?.[revisionHistoryAnnotation] === '3' && rs.spec.replicas === 1);
      assert.equal(uidOf(again), uidOf(bad));

      // 3. kubectl rollout undo: the second-highest revision (4, nginx:1.9.1) copied into the Deployment.
      const current = await getDeploy(ns.name, name);
      const sets = await deploymentReplicaSets(current);
      const previous = [...sets.all].sort((a, b) => (BigInt(revisionOf(b) || '0') > BigInt(revisionOf(a) || '0') ? 1 : -1))[1];
      assert.equal(previous && uidOf(previous), uidOf(good));
      assert.ok(previous);
      await undoTo(ns.name, previous);
      await waitForDeploymentRevisionAndImage(ns.name, name, '6', 'nginx:1.9.1');
      const undone = await waitForDeploymentComplete(ns.name, name);
      const good6 = await waitForRs(ns.name, good.metadata.name ?? '', 'revision 6, history 2,4', (rs) => revisionOf(rs) === '6' && rs.metadata.annotations?.[revisionHistoryAnnotation] === '2,4');
      assert.equal(good6.metadata.annotations?.[changeCauseAnnotation], undone.metadata.annotations?.[changeCauseAnnotation]);
      await waitForRs(ns.name, bad.metadata.name ?? '', 'scaled to 0 again', rsSettled(0));
      await podWatch.caughtUp();
      assert.deepEqual((await rsPods(good)).filter((p) => !isDeleting(p)).map(uidOf).sort(), goodPods, 'the pods of revision 2 were replaced');
      // Only the typo's pod was ever created meanwhile.
      assert.deepEqual(
        podCreations(podWatch).map((c) => c.pod.spec.containers[0]?.image),
        [typo],
      );
      assert.deepEqual(history((await deploymentReplicaSets(undone)).all).map((h) => h.split(' ')[0]), ['1', '5', '6']);
    } finally {
      await podWatch.stop();
    }
  });

  it('scales with kubectl, makes two edits while paused into exactly one rollout on resume, refuses impossible rollbacks, and holds a rollback until resumed', async () => {
    const client = await testClient();
    await kubectl(['apply', '-n', ns.name, '-f', '-'], nginxExample(ns.name, 'created'));
    await waitForDeploymentComplete(ns.name, name);
    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    const deployWatch = await Recorder.start(myDeployments, ns.name);
    try {
      assert.match(await kubectl(['scale', `mdeploy/${name}`, '-n', ns.name, '--replicas=5']), /scaled/);
      await waitForDeployment(ns.name, name, '5 replicas complete', (d) => d.spec.replicas === 5 && deploymentComplete(d));

      await client.patch(myDeployments, ns.name, name, 'merge', { spec: { paused: true } });
      await waitForDeployment(ns.name, name, 'Progressing Unknown / DeploymentPaused', (d) => condition(d, 'Progressing')?.reason === 'DeploymentPaused' && condition(d, 'Progressing')?.status === 'Unknown');
      await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: 'nginx:1.9.1' }));
      const edited = await updateMyDeployment(ns.name, name, (d) => withContainer(d, { resources: { limits: { cpu: '200m', memory: '512Mi' } } }));
      await waitForObservedDeployment(ns.name, name, edited.metadata.generation ?? 1);
      await rsWatch.expectNoEventFor(quietMs, 'a replica set was created while paused', (e) => e.type === 'ADDED');
      assert.equal(revisionOf(await getDeploy(ns.name, name)), '1');

      await client.patch(myDeployments, ns.name, name, 'merge', { spec: { paused: false } });
      await waitForDeploymentRevisionAndImage(ns.name, name, '2', 'nginx:1.9.1');
      const done = await waitForDeployment(
        ns.name,
        name,
        'complete with Progressing NewReplicaSetAvailable',
        (d) => deploymentComplete(d) && condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable',
      );
      await rsWatch.caughtUp();
      await deployWatch.caughtUp();
      const added = rsWatch.events.filter((e) => e.type === 'ADDED').map((e) => e.object);
      assert.equal(added.length, 1, `replica sets created: ${added.map((r) => r.metadata.name ?? '').join(', ')}`);
      const container = added[0]?.spec.template?.spec.containers[0];
      assert.equal(container?.image, 'nginx:1.9.1');
      assert.deepEqual(container?.resources, { limits: { cpu: '200m', memory: '512Mi' } });
      assert.ok(
        deployWatch.events.some((e) => condition(e.object, 'Progressing')?.reason === 'DeploymentResumed'),
        'Progressing never showed DeploymentResumed',
      );
      assert.equal(done.spec.replicas, 5);

      // Rollback requests the controller cannot honour: each is dropped with a Warning, nothing rolls.
      const rollbackWarnings = async (reason: string, to: string, message: string): Promise<void> => {
        await updateMyDeployment(ns.name, name, (d) => withAnnotations(d, { [rollbackToAnnotation]: to }));
        const seen = await waitFor(`a ${reason} event`, () => eventsOf(done), (es) => es.some((e) => e.reason === reason));
        const warning = seen.find((e) => e.reason === reason);
        assert.deepEqual({ type: warning?.type, message: warning?.message }, { type: 'Warning', message });
        await waitForDeployment(ns.name, name, 'the rollback annotation removed', (d) => d.metadata.annotations?.[rollbackToAnnotation] === undefined);
      };
      await rollbackWarnings('DeploymentRollbackRevisionNotFound', '99', 'Unable to find the revision to rollback to.');
      await rollbackWarnings('DeploymentRollbackTemplateUnchanged', '2', `The rollback revision contains the same template as current deployment "${name}"`);
      const after = await getDeploy(ns.name, name);
      assert.equal(revisionOf(after), '2');
      assert.equal(templateImage(after), 'nginx:1.9.1');
      await rsWatch.expectNoEventFor(quietMs, 'a replica set was created by a refused rollback', (e) => e.type === 'ADDED');

      // A rollback requested while paused waits for the resume.
      await client.patch(myDeployments, ns.name, name, 'merge', { spec: { paused: true } });
      const requested = await updateMyDeployment(ns.name, name, (d) => withAnnotations(d, { [rollbackToAnnotation]: '1' }));
      await waitForObservedDeployment(ns.name, name, requested.metadata.generation ?? 1);
      await deployWatch.expectNoEventFor(quietMs, 'a paused MyDeployment was rolled back', (e) => templateImage(e.object) !== 'nginx:1.9.1' || e.object.metadata.annotations?.[rollbackToAnnotation] === undefined);
      await client.patch(myDeployments, ns.name, name, 'merge', { spec: { paused: false } });
      await waitForDeploymentRevisionAndImage(ns.name, name, '3', 'nginx:1.7.9');
      const rolled = await waitForDeploymentComplete(ns.name, name);
      assert.equal(rolled.metadata.annotations?.[rollbackToAnnotation], undefined);
      assert.equal(rolled.spec.template.spec.containers[0]?.resources, undefined, 'the rolled-back template kept the limits');
    } finally {
      await rsWatch.stop();
      await deployWatch.stop();
    }
  });

  it('reports ProgressDeadlineExceeded after progressDeadlineSeconds on a never-Ready image, NewReplicaSetAvailable once the template is fixed, and no Progressing without a deadline', async () => {
    const client = await testClient();
    const deadline = 10;
    await client.create(myDeployments, newMyDeployment(ns.name, 'deadline', 2, { app: 'deadline' }, 'nginx', 'nginx:1.7.9', 'RollingUpdate', { progressDeadlineSeconds: deadline }));
    await waitForDeployment(ns.name, 'deadline', 'complete, Progressing NewReplicaSetAvailable', (d) => deploymentComplete(d) && condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable');

    const changedAt = Date.now();
    await updateMyDeployment(ns.name, 'deadline', (d) => withContainer(d, { image: typo }));
    const { newRs } = await waitForDeploymentRevisionAndImage(ns.name, 'deadline', '2', typo);
    const failed = await waitForDeployment(
      ns.name,
      'deadline',
      'Progressing False / ProgressDeadlineExceeded',
      (d) => condition(d, 'Progressing')?.status === 'False' && condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded',
      { timeoutMs: 90_000 },
    );
    const elapsed = Date.now() - changedAt;
    // Condition times have second resolution: the deadline may start up to 1 s before the update.
    assert.ok(elapsed >= (deadline - 1) * 1000, `timed out after ${elapsed} ms, before the ${deadline} s deadline`);
    // Requeued for the deadline (upstream requeueStuckDeployment), not noticed on some later event.
    assert.ok(elapsed <= (deadline + 20) * 1000, `timed out only after ${elapsed} ms`);
    assert.equal(condition(failed, 'Progressing')?.message, `ReplicaSet "${newRs.metadata.name ?? ''}" has timed out progressing.`);
    // 2 replicas at 25%: 0 unavailable, so the old pods stay and the Deployment stays available.
    assert.equal(condition(failed, 'Available')?.status, 'True');
    assert.equal(failed.status?.availableReplicas, 2);

    await updateMyDeployment(ns.name, 'deadline', (d) => withContainer(d, { image: 'nginx:1.9.1' }));
    await waitForDeploymentRevisionAndImage(ns.name, 'deadline', '3', 'nginx:1.9.1');
    const fixed = await waitForDeployment(
      ns.name,
      'deadline',
      'complete, Progressing True / NewReplicaSetAvailable',
      (d) => deploymentComplete(d) && condition(d, 'Progressing')?.status === 'True' && condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable',
    );
    assert.equal(templateImage(fixed), 'nginx:1.9.1');

    // 2147483647 means no deadline: the Progressing condition goes away on the next rollout pass.
    await updateMyDeployment(ns.name, 'deadline', (d) => ({ ...d, spec: { ...d.spec, progressDeadlineSeconds: 2147483647 } }));
    const noDeadline = await waitForDeployment(ns.name, 'deadline', 'no Progressing condition', (d) => deploymentComplete(d) && condition(d, 'Progressing') === undefined, { timeoutMs: 60_000 });
    assert.equal(condition(noDeadline, 'Available')?.status, 'True');
  });

  it('scales a stuck rollout proportionally: 10 (surge 3, unavailable 2) stuck at 8 old / 5 new, to 15 → 11 / 7, to 30 → 20 / 13, paused to 5 → 5 / 3', async () => {
    const client = await testClient();
    const dname = 'webserver-deployment';
    const labels = { name: 'webserver' };
    await client.create(
      myDeployments,
      newMyDeployment(ns.name, dname, 10, labels, 'httpd', 'webserver:2.4', 'RollingUpdate', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      }),
    );
    const complete = await waitForDeploymentComplete(ns.name, dname);
    const firstRs = (await deploymentReplicaSets(complete)).newRs;
    assert.ok(firstRs);
    const firstName = firstRs.metadata.name ?? '';

    const updated = await updateMyDeployment(ns.name, dname, (d) => withContainer(d, { image: notReadyImage }));
    await waitForObservedDeployment(ns.name, dname, updated.metadata.generation ?? 1);
    // First rollout's set: 10 − 2 = 8 available; second: 10 + 3 − 8 = 5, none available.
    await waitForRs(ns.name, firstName, 'spec 8, 8 available', (rs) => rs.spec.replicas === 8 && rs.status?.replicas === 8 && rs.status.availableReplicas === 8 && (rs.status.observedGeneration ?? 0) >= (rs.metadata.generation ?? 1));
    const stuck = await waitForDeployment(ns.name, dname, 'a second replica set of 5', (_d, sets) => sets.newRs?.spec.replicas === 5 && sets.newRs.status?.replicas === 5);
    const secondName = (await deploymentReplicaSets(stuck)).newRs?.metadata.name ?? '';
    const second = await waitForRs(ns.name, secondName, '5 pods, none available', (rs) => rs.status?.replicas === 5 && (rs.status.availableReplicas ?? 0) === 0);
    assert.equal(second.status?.availableReplicas ?? 0, 0);
    assert.ok((stuck.status?.availableReplicas ?? 0) >= 8, `below minimum availability: ${stuck.status?.availableReplicas ?? 0}`);
    // unavailableReplicas counts against the replica sets' sizes (13), not spec.replicas (10).
    await waitForDeployment(ns.name, dname, 'unavailableReplicas 5 of 13', (d) => d.status?.unavailableReplicas === 5 && d.status.availableReplicas === 8 && d.status.replicas === 13);

    const sizes = async (replicas: number, first: number, next: number): Promise<void> => {
      await updateMyDeployment(ns.name, dname, (d) => ({ ...d, spec: { ...d.spec, replicas } }));
      const maxReplicas = String(replicas + 3);
      for (const [rsName, size] of [
        [firstName, first],
        [secondName, next],
      ] as const) {
        await waitForRs(
          ns.name,
          rsName,
          `spec ${size}, ${size} pods, desired ${replicas} / max ${maxReplicas}`,
          (rs) =>
            rs.spec.replicas === size &&
            rs.status?.replicas === size &&
            rs.metadata.annotations?.[desiredReplicasAnnotation] === String(replicas) &&
            rs.metadata.annotations[maxReplicasAnnotation] === maxReplicas,
        );
      }
      // Still stuck: nothing moves any more.
      const watch = await Recorder.start(myReplicaSets, ns.name);
      try {
        await watch.expectNoEventFor(quietMs, `a replica set was resized after scaling to ${replicas}`, (e) => {
          const want = e.object.metadata.name === firstName ? first : e.object.metadata.name === secondName ? next : 0;
          return e.object.spec.replicas !== want;
        });
      } finally {
        await watch.stop();
      }
    };
    // The seeds' example, then upstream's 30 (from 11 / 7 of max 18: 20 and 13 again).
    await sizes(15, 11, 7);
    await sizes(30, 20, 13);
    await waitForDeployment(ns.name, dname, 'status: 33 replicas, 13 updated', (d) => d.status?.replicas === 33 && d.status.updatedReplicas === 13);

    // Paused, scaled down to 5: allowed 5 + 3 = 8, removed in proportion (round(20·8/33) = 5, round(13·8/33) = 3).
    await client.patch(myDeployments, ns.name, dname, 'merge', { spec: { paused: true } });
    await sizes(5, 5, 3);
    // Fixed and resumed, the rollout completes on the new template.
    await updateMyDeployment(ns.name, dname, (d) => withContainer({ ...d, spec: { ...d.spec, paused: false } }, { image: 'webserver:2.5' }));
    await waitForDeploymentRevisionAndImage(ns.name, dname, '3', 'webserver:2.5');
    const done = await waitForDeploymentComplete(ns.name, dname);
    const final = await deploymentReplicaSets(done);
    assert.deepEqual(final.old.map((rs) => rs.spec.replicas), [0, 0], describeReplicaSets(final.all).join('; '));
  });
});
