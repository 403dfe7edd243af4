// Zero-restart migration between apps/v1 StatefulSet and MyStatefulSet (issue 18, docs/migrate.md),
// driven by `kubectl my migrate`, with claims bound to real PersistentVolumes by
// kube-controller-manager's binder, against its own StatefulSet controller.
//
// Forward: the StatefulSet is orphan-deleted and a MyStatefulSet of the same spec adopts its pods
// and ControllerRevisions: same pod and claim UIDs, no pod deleted or created (a pod watch opened
// before the migration), the revisions kept with names, hashes and numbers, currentRevision =
// updateRevision = the StatefulSet's, every replica updated, `kubectl my rollout status` done; a
// template change then rolls out as usual, each pod keeping its claim.
// Back: a MyStatefulSet born as one goes to apps/v1 without a restart: upstream's StatefulSet
// adopts our revisions and takes the latest as its update revision because, once re-defaulted, it
// equals the set's template (stateful_set_control.go setMatchesLatestExistingRevision, feature
// StatefulSetSemanticRevisionComparison, on by default) — what docs/migrate.md says.
import assert from 'node:assert/strict';
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../../src/api/core.ts';
import { persistentVolumeClaims, pods } from '../../../src/api/resources.ts';
import type { MyStatefulSet } from '../../../src/api/workloads.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { listRevisions, selectorString } from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { controlledBy, isReady, podImage, uidOf, updateWithRetries } from '../support/objects.ts';
import { kubectlMy } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import {
  createHeadlessService,
  describePods,
  newImage,
  newMyStatefulSet,
  podNames,
  setPods,
  settled,
  TestVolumes,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitSettled,
  withImage,
} from '../support/statefulset.ts';
import { asAppsV1, migrateCli, podChurn, revisionIds, statefulSets, waitObserved, waitPodsControlledBy } from '../support/migration.ts';

const labels = { app: 'web' };
const setName = 'web';
const replicas = 3;
const thirdImage = 'registry.k8s.io/e2e-test-images/agnhost:2.54';
const hashLabel = 'controller.kubernetes.io/hash';

/** claim name → UID, for the claims of the set's pods. */
async function claimUids(namespace: string): Promise<Record<string, string>> {
  const list = await (await testClient()).list(persistentVolumeClaims, { namespace });
  return Object.fromEntries(list.items.map((c: PersistentVolumeClaim) => [c.metadata.name ?? '', uidOf(c)]));
}

describe('Migration between apps/v1 StatefulSet and MyStatefulSet (kubectl my migrate)', function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  let volumes: TestVolumes;
  beforeEach(async () => {
    ns = await createNamespace('mig-sts');
    volumes = new TestVolumes(ns.name);
    await createHeadlessService(ns.name, 'test', labels);
    await volumes.create(replicas);
  });
  afterEach(async () => {
    await ns.remove();
    await volumes.deleteAll();
  });

  const manifest = (): MyStatefulSet =>
    newMyStatefulSet(ns.name, setName, { replicas, labels, claims: { storageClassName: volumes.storageClassName, names: ['www'] } });
  const revisionsNow = (): Promise<ControllerRevision[]> => listRevisions(ns.name, selectorString(labels));

  it('adopts a StatefulSet\'s pods, claims and ControllerRevisions without replacing a pod, then rolls out a template change', async () => {
    const client = await testClient();
    const sts = await client.create(statefulSets, asAppsV1(manifest(), 'StatefulSet'));
    const first = await waitObserved(statefulSets, ns.name, setName, `${replicas} replicas rolled out`, settled(replicas));
    await updateWithRetries(statefulSets, ns.name, setName, (s) => withImage(s, newImage));
    const rolled = await waitObserved(
      statefulSets,
      ns.name,
      setName,
      `${replicas} replicas at a new revision`,
      (s) => settled(replicas)(s) && s.status?.updateRevision !== first.status?.updateRevision,
    );
    const before = await waitForRunningAndReady(sts, podNames(setName, replicas));
    const revisionsBefore = await waitFor('2 ControllerRevisions', revisionsNow, (rs) => rs.length === 2);
    const claimsBefore = await claimUids(ns.name);
    assert.deepEqual(Object.keys(claimsBefore).sort(), podNames(setName, replicas).map((p) => `www-${p}`));

    const watch = await Recorder.start(pods, ns.name);
    let msts: MyStatefulSet;
    try {
      assert.deepEqual(await migrateCli(ns.name, 'sts/web', '--apply'), [
        `statefulset.apps/${setName} deleted (orphaned ${replicas} pods, 2 ControllerRevisions; ${replicas} claims kept)`,
        `mystatefulset.apps.my.dev/${setName} created`,
      ]);
      msts = await client.get(myStatefulSets, ns.name, setName);
      const status = (await waitSettled(ns.name, setName, replicas)).status;
      assert.equal(status?.updateRevision, rolled.status?.updateRevision, 'the MyStatefulSet runs the StatefulSet\'s update revision');
      assert.equal(status?.currentRevision, rolled.status?.updateRevision);
      assert.equal(status?.updatedReplicas, replicas);
      assert.match(
        await kubectlMy(ns.name, 'rollout', 'status', `msts/${setName}`, '--timeout', '90s'),
        // kubectl's StatefulSet status viewer says "partitioned" whenever rollingUpdate is set, and
        // the apps/v1 default {partition: 0} always sets it (kubectl prints the same for the StatefulSet).
        new RegExp(`partitioned roll out complete: ${replicas} new pods have been updated`),
      );
      const adopted = await waitPodsControlledBy(ns.name, before.map(uidOf), msts);
      assert.deepEqual(adopted.map(uidOf).sort(), before.map(uidOf).sort());
      await watch.caughtUp();
    } finally {
      await watch.stop();
    }
    assert.deepEqual(podChurn(watch), [], 'no pod was deleted or created by the migration');
    assert.deepEqual(await claimUids(ns.name), claimsBefore, 'the same claims');
    const revisionsAfter = await waitFor('the revisions adopted', revisionsNow, (rs) => rs.every((r) => controlledBy(r, msts)));
    assert.deepEqual(revisionIds(revisionsAfter, hashLabel), revisionIds(revisionsBefore, hashLabel));

    // A template change after the migration: revision 3, every pod replaced, every claim kept.
    await updateMyStatefulSet(ns.name, setName, (s) => withImage(s, thirdImage));
    const after = await waitFor(
      `every pod at ${thirdImage}, Ready`,
      async () => ({ set: await client.get(myStatefulSets, ns.name, setName), pods: await setPods(msts) }),
      (v) =>
        settled(replicas)(v.set) &&
        v.set.status?.updateRevision !== rolled.status?.updateRevision &&
        v.pods.length === replicas &&
        v.pods.every((p: Pod) => podImage(p) === thirdImage && isReady(p)),
      { timeoutMs: 150_000 },
    );
    assert.ok(after.pods.every((p) => !before.some((b) => uidOf(b) === uidOf(p))), describePods(after.pods).join('; '));
    assert.deepEqual(await claimUids(ns.name), claimsBefore, 'each pod kept its claim through the rollout');
    assert.equal(Math.max(...(await revisionsNow()).map((r) => r.revision)), 3);
    assert.match(await kubectlMy(ns.name, 'rollout', 'status', `msts/${setName}`, '--timeout', '90s'), new RegExp(`partitioned roll out complete: ${replicas} new pods have been updated`));
  });

  it('goes back to apps/v1 without a restart: the StatefulSet takes our latest revision as its own', async () => {
    const client = await testClient();
    const msts = await client.create(myStatefulSets, manifest());
    const ours = await waitSettled(ns.name, setName, replicas);
    const before = await waitForRunningAndReady(msts, podNames(setName, replicas));
    const claimsBefore = await claimUids(ns.name);
    const ourRevision = ours.status?.updateRevision ?? '';

    const watch = await Recorder.start(pods, ns.name);
    try {
      assert.deepEqual(await migrateCli(ns.name, 'msts/web', '--to', 'apps/v1', '--apply'), [
        `mystatefulset.apps.my.dev/${setName} deleted (orphaned ${replicas} pods, 1 ControllerRevision; ${replicas} claims kept)`,
        `statefulset.apps/${setName} created`,
      ]);
      const sts = await client.get(statefulSets, ns.name, setName);
      await waitPodsControlledBy(ns.name, before.map(uidOf), sts);
      const back = await waitObserved(statefulSets, ns.name, setName, `${replicas} replicas rolled out`, settled(replicas));
      assert.equal(back.status?.updateRevision, ourRevision, 'upstream took our revision as its update revision');
      await watch.caughtUp();
    } finally {
      await watch.stop();
    }
    assert.deepEqual(podChurn(watch), [], 'no pod was replaced going back');
    assert.deepEqual(await claimUids(ns.name), claimsBefore);
    const revisions = await revisionsNow();
    assert.deepEqual(
      revisions.map((r) => r.metadata.name),
      [ourRevision],
      'no revision of kube-controller-manager\'s own',
    );
  });
});
