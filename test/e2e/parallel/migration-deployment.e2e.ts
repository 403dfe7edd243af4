// Zero-restart migration between apps/v1 Deployment and MyDeployment (issue 18, docs/migrate.md),
// driven by `kubectl my migrate`, against kube-controller-manager's own Deployment and ReplicaSet
// controllers.
//
// Forward: the Deployment and then its ReplicaSets are orphan-deleted; the MyDeployment applied
// with the same spec names its new MyReplicaSet after the orphaned pods' pod-template-hash and
// adopts them: same pod UIDs, no pod deleted or created (a pod watch opened before the migration),
// rollout complete; a template change then rolls out as usual. Mid-rollout (a rollout stuck on a
// pod that never turns Ready), the pods of the older template are adopted by an old MyReplicaSet
// and stay until the next rollout replaces them.
// Back: the MyDeployment and its MyReplicaSets are orphan-deleted, each MyReplicaSet becomes an
// apps/v1 ReplicaSet of the same name, hash and revision, and the apps/v1 Deployment adopts those
// and takes the current one as its new ReplicaSet (template equality): no pod replaced, and
// `kubectl rollout history` keeps the revisions.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDeployment, MyReplicaSet } from '../../../src/api/workloads.ts';
import { myDeployments, myReplicaSets } from '../../../src/api/workloads.ts';
import {
  agnhostImage,
  deploymentComplete,
  describePods,
  listPods,
  listRs,
  newMyDeployment,
  notReadyImage,
  podTemplateHashLabel,
  prevAgnhostImage,
  revisionAnnotation,
  updateMyDeployment,
  waitForDeploymentComplete,
  waitForPodsRunningReady,
  withContainer,
} from '../support/deployment.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';
import { controlledBy, controllerUid, isReady, podImage, uidOf, updateWithRetries } from '../support/objects.ts';
import { kubectlMy } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import { isPodDeletion, podDeletions, quietMs } from '../support/statefulset.ts';
import {
  asAppsV1,
  deletedWithoutAdoption,
  deployments,
  migrateCli,
  podChurn,
  replicaSets,
  waitObserved,
  waitPodsControlledBy,
} from '../support/migration.ts';

const labels = { app: 'web' };
const name = 'web';
const container = 'agnhost';
const pauseLikeImage = 'registry.k8s.io/e2e-test-images/agnhost:2.54';

const hashOf = (p: Pod): string => p.metadata.labels?.[podTemplateHashLabel] ?? '';

describe('Migration between apps/v1 Deployment and MyDeployment (kubectl my migrate)', function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => (ns = await createNamespace('mig-deploy')));
  afterEach(async () => ns.remove());

  it('adopts a Deployment\'s pods under the pod-template-hash they carry, without replacing one, then rolls out a template change', async () => {
    const client = await testClient();
    await client.create(deployments, asAppsV1(newMyDeployment(ns.name, name, 3, labels, container, agnhostImage), 'Deployment'));
    await waitObserved(deployments, ns.name, name, 'rollout complete', deploymentComplete);
    const before = await waitForPodsRunningReady(ns.name, labels, 3);
    const hash = hashOf(before[0] ?? assert.fail('no pod'));

    const watch = await Recorder.start(pods, ns.name);
    let md: MyDeployment;
    try {
      assert.deepEqual(await migrateCli(ns.name, 'deploy/web', '--apply'), [
        `deployment.apps/${name} deleted (orphaned 1 ReplicaSet)`,
        `replicaset.apps/${name}-${hash} deleted (orphaned 3 pods)`,
        `mydeployment.apps.my.dev/${name} created`,
      ]);
      md = await client.get(myDeployments, ns.name, name);
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mdeploy/${name}`, '--timeout', '90s'), /deployment "web" successfully rolled out/);
      await waitForDeploymentComplete(ns.name, name);
      const rs = await client.get(myReplicaSets, ns.name, `${name}-${hash}`);
      assert.ok(controlledBy(rs, md), 'the MyReplicaSet carries the orphaned pods\' hash and belongs to the MyDeployment');
      assert.equal(rs.metadata.labels?.[podTemplateHashLabel], hash);
      const adopted = await waitPodsControlledBy(ns.name, before.map(uidOf), rs);
      assert.deepEqual(adopted.map(uidOf).sort(), before.map(uidOf).sort());
      await watch.caughtUp();
    } finally {
      await watch.stop();
    }
    assert.deepEqual(podChurn(watch), [], 'no pod was deleted or created by the migration');
    assert.deepEqual((await listRs(ns.name)).map((r) => r.metadata.name), [`${name}-${hash}`], 'one MyReplicaSet');
    assert.deepEqual((await client.list(replicaSets, { namespace: ns.name })).items, [], 'no apps/v1 ReplicaSet left');
    const status = (await client.get(myDeployments, ns.name, name)).status;
    assert.equal(status?.updatedReplicas, 3);

    // A template change after the migration rolls out as usual.
    await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: prevAgnhostImage }));
    assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mdeploy/${name}`, '--timeout', '120s'), /successfully rolled out/);
    await waitForDeploymentComplete(ns.name, name);
    const after = await waitFor(
      `3 pods at ${prevAgnhostImage}`,
      () => listPods(ns.name, 'app=web'),
      (ps) => ps.length === 3 && ps.every((p) => podImage(p) === prevAgnhostImage && isReady(p)),
    );
    assert.ok(after.every((p) => hashOf(p) !== hash), describePods(after).join('; '));
  });

  it('adopts a rollout stuck halfway: the older pods go to an old MyReplicaSet and stay until the next rollout replaces them', async () => {
    const client = await testClient();
    const strategy = { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await client.create(deployments, asAppsV1(newMyDeployment(ns.name, name, 4, labels, container, agnhostImage, 'RollingUpdate', { strategy }), 'Deployment'));
    await waitObserved(deployments, ns.name, name, 'rollout complete', deploymentComplete);
    const oldPods = await waitForPodsRunningReady(ns.name, labels, 4);
    const oldHash = hashOf(oldPods[0] ?? assert.fail('no pod'));

    // A template whose pod never turns Ready: with maxUnavailable 0 the rollout stops at one new pod.
    await updateWithRetries(deployments, ns.name, name, (d) => withContainer(d, { image: notReadyImage }));
    const stuck = await waitFor(
      'the rollout stuck at 4 old Ready pods and 1 new Running pod',
      () => listPods(ns.name, 'app=web'),
      (ps) =>
        ps.length === 5 &&
        ps.filter((p) => hashOf(p) === oldHash && isReady(p)).length === 4 &&
        ps.some((p) => hashOf(p) !== oldHash && p.status?.phase === 'Running' && !isReady(p)),
      { timeoutMs: 90_000 },
    );
    const newPod = stuck.find((p) => hashOf(p) !== oldHash) ?? assert.fail('no new pod');
    const newHash = hashOf(newPod);
    await waitObserved(deployments, ns.name, name, '1 updated replica of 5', (d) => d.status?.updatedReplicas === 1 && d.status.replicas === 5);

    const watch = await Recorder.start(pods, ns.name);
    try {
      const out = await migrateCli(ns.name, 'deploy/web', '--apply');
      assert.equal(out[0], `deployment.apps/${name} deleted (orphaned 2 ReplicaSets)`);
      assert.deepEqual(
        out.slice(1, 3).sort(),
        [`replicaset.apps/${name}-${newHash} deleted (orphaned 1 pod)`, `replicaset.apps/${name}-${oldHash} deleted (orphaned 4 pods)`].sort(),
      );
      assert.equal(out[3], `mydeployment.apps.my.dev/${name} created`);
      const md = await client.get(myDeployments, ns.name, name);
      const byHash = await waitFor(
        'a MyReplicaSet per pod-template-hash, each holding its pods',
        async () => {
          const sets = (await listRs(ns.name)).filter((rs) => controlledBy(rs, md));
          const live = await listPods(ns.name, 'app=web');
          return { sets, live };
        },
        ({ sets, live }) =>
          sets.length === 2 &&
          live.length === 5 &&
          live.every((p) => sets.some((rs) => controlledBy(p, rs) && rs.metadata.labels?.[podTemplateHashLabel] === hashOf(p))),
        { timeoutMs: 90_000 },
      );
      const oldRs = byHash.sets.find((rs) => rs.metadata.labels?.[podTemplateHashLabel] === oldHash) ?? assert.fail('no old MyReplicaSet');
      await waitObserved(myDeployments, ns.name, name, '1 updated and 4 available of 5', (d) => d.status?.updatedReplicas === 1 && d.status.availableReplicas === 4 && d.status.replicas === 5);
      // Nothing moves while the rollout is stuck: the old pods are kept, the new one awaited.
      await watch.expectNoEventFor(quietMs, 'a pod was replaced after the adoption', (e) => e.type === 'ADDED' || isPodDeletion(e));
      assert.deepEqual(podChurn(watch), [], 'no pod was deleted or created by the migration');

      // The next template rolls out: every pod of both older templates is replaced, each adopted first.
      const changeAt = watch.events.length;
      await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: pauseLikeImage }));
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mdeploy/${name}`, '--timeout', '150s'), /successfully rolled out/);
      await waitForDeploymentComplete(ns.name, name);
      await waitFor('4 pods at the last image', () => listPods(ns.name, 'app=web'), (ps) => ps.length === 4 && ps.every((p) => podImage(p) === pauseLikeImage && isReady(p)));
      await watch.caughtUp();
      const deleted = podDeletions(watch);
      const originals = [...oldPods, newPod].map(uidOf);
      assert.deepEqual(deleted.filter((d) => d.index < changeAt).map((d) => d.name), [], 'no pod was deleted before the template change');
      assert.deepEqual(originals.filter((uid) => !deleted.some((d) => d.uid === uid)), [], 'every pod of the older templates was replaced');
      assert.deepEqual(deletedWithoutAdoption(watch, oldPods.map(uidOf), oldRs), [], 'the old pods were adopted by the old MyReplicaSet first');
    } finally {
      await watch.stop();
    }
  });

  it('goes back to apps/v1 without a restart: MyReplicaSets become ReplicaSets, which the Deployment adopts with their history', async () => {
    const client = await testClient();
    await client.create(myDeployments, newMyDeployment(ns.name, name, 3, labels, container, prevAgnhostImage));
    await waitForDeploymentComplete(ns.name, name);
    await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: agnhostImage }));
    await waitForDeploymentComplete(ns.name, name);
    const before = await waitForPodsRunningReady(ns.name, labels, 3);
    // In the order the API server lists them (by name, byte order), as migrate goes through them.
    const mine = (await listRs(ns.name)).sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
    assert.equal(mine.length, 2);
    const current = mine.find((rs) => (rs.spec.replicas ?? 0) === 3) ?? assert.fail('no MyReplicaSet with 3 replicas');
    const revisions = Object.fromEntries(mine.map((rs) => [rs.metadata.name ?? '', rs.metadata.annotations?.[revisionAnnotation] ?? '']));
    const podsOf = (rs: MyReplicaSet): number => before.filter((p) => controlledBy(p, rs)).length;

    const watch = await Recorder.start(pods, ns.name);
    try {
      assert.deepEqual(await migrateCli(ns.name, 'mdeploy/web', '--to', 'apps/v1', '--apply'), [
        `mydeployment.apps.my.dev/${name} deleted (orphaned 2 MyReplicaSets)`,
        ...mine.flatMap((rs) => [
          `myreplicaset.apps.my.dev/${rs.metadata.name ?? ''} deleted (orphaned ${podsOf(rs)} ${podsOf(rs) === 1 ? 'pod' : 'pods'})`,
          `replicaset.apps/${rs.metadata.name ?? ''} created`,
        ]),
        `deployment.apps/${name} created`,
      ]);
      const d = await client.get(deployments, ns.name, name);
      await waitObserved(deployments, ns.name, name, 'rollout complete', deploymentComplete);
      assert.match(await kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns.name, '--timeout=90s']), /successfully rolled out/);
      const rs = await client.get(replicaSets, ns.name, current.metadata.name ?? '');
      await waitPodsControlledBy(ns.name, before.map(uidOf), rs);
      const theirs = await waitFor(
        'the ReplicaSets adopted by the Deployment',
        async () => (await client.list(replicaSets, { namespace: ns.name })).items,
        (rss) => rss.length === 2 && rss.every((r) => controllerUid(r) === uidOf(d)),
      );
      assert.deepEqual(
        Object.fromEntries(theirs.map((r) => [r.metadata.name ?? '', r.metadata.annotations?.[revisionAnnotation] ?? ''])),
        revisions,
        'the same ReplicaSets, with their revisions: no new one',
      );
      await watch.caughtUp();
    } finally {
      await watch.stop();
    }
    assert.deepEqual(podChurn(watch), [], 'no pod was replaced going back');
    const history = await kubectl(['rollout', 'history', `deployment/${name}`, '-n', ns.name]);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);

    // Upstream rolls a template change out as usual from there.
    await updateWithRetries(deployments, ns.name, name, (dep) => withContainer(dep, { image: pauseLikeImage }));
    assert.match(await kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns.name, '--timeout=120s']), /successfully rolled out/);
    await waitFor('3 pods at the new image', () => listPods(ns.name, 'app=web'), (ps) => ps.length === 3 && ps.every((p) => podImage(p) === pauseLikeImage && isReady(p)));
  });
});
