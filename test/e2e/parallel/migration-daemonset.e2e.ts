// Zero-restart migration between apps/v1 DaemonSet and MyDaemonSet (issue 18, docs/migrate.md),
// driven by `kubectl my migrate` as a user runs it, against kube-controller-manager's own DaemonSet
// controller.
//
// Forward: the DaemonSet is orphan-deleted and a MyDaemonSet of the same spec adopts its pods and
// ControllerRevisions as they are: same pod UIDs, no pod deleted or created (from a pod watch opened
// before the migration), the revisions kept with their names, hashes and numbers, every pod counted
// as updated, `kubectl my rollout status` done; a template change then rolls out as usual.
// Back: a MyDaemonSet that came from apps/v1 and kept its template goes back without a restart;
// one born a MyDaemonSet has its pods adopted by the DaemonSet, which then replaces every one of
// them, because upstream matches revisions byte for byte (daemon/update.go Match) and our revision
// data is not apps/v1-defaulted — what docs/migrate.md says.
//
// Each test runs its daemon on three nodes of its own (OwnedNodes), so no other test's pods count.
import assert from 'node:assert/strict';
import type { ControllerRevision, Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet } from '../../../src/api/workloads.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import {
  checkDaemonPodsOnNodes,
  createOwnedNodes,
  daemonSetOnOwnedNodes,
  describePods,
  hashLabel,
  listRevisions,
  nameLabel,
  OwnedNodes,
  prevImage,
  selectorString,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
  withImage,
} from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';
import { controlledBy, podHash, podImage, uidOf, updateWithRetries } from '../support/objects.ts';
import { kubectlMy } from '../support/plugin.ts';
import { Recorder } from '../support/recorder.ts';
import {
  asAppsV1,
  daemonRolledOut,
  daemonSets,
  deletedWithoutAdoption,
  migrateCli,
  podChurn,
  revisionIds,
  waitObserved,
  waitPodsControlledBy,
} from '../support/migration.ts';

const dsName = 'agent';
const nodeCount = 3;
const newImage = 'registry.k8s.io/e2e-test-images/agnhost:2.54';

describe('Migration between apps/v1 DaemonSet and MyDaemonSet (kubectl my migrate)', function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  let nodeNames: string[];
  beforeEach(async () => {
    ns = await createNamespace('mig-ds');
    owned = new OwnedNodes(ns.name);
    nodeNames = await createOwnedNodes(owned, nodeCount);
  });
  afterEach(async () => {
    await owned.deleteAll();
    await ns.remove();
  });

  const revisionsNow = (): Promise<ControllerRevision[]> => listRevisions(ns.name, selectorString({ [nameLabel]: dsName }));

  /** An apps/v1 DaemonSet on the test's nodes, rolled out at `image`, then at prevImage (two revisions); its pods. */
  async function rolledOutDaemonSet(revisions: 1 | 2): Promise<{ ds: MyDaemonSet; pods: Pod[] }> {
    const client = await testClient();
    const ds = await client.create(daemonSets, asAppsV1(daemonSetOnOwnedNodes(ns.name, dsName, owned), 'DaemonSet'));
    await waitObserved(daemonSets, ns.name, dsName, `${nodeCount} pods updated and available`, daemonRolledOut(nodeCount));
    if (revisions === 2) {
      await updateWithRetries(daemonSets, ns.name, dsName, (d) => withImage(d, prevImage));
      await waitObserved(daemonSets, ns.name, dsName, `${nodeCount} pods at ${prevImage}`, daemonRolledOut(nodeCount));
    }
    const running = await waitDaemonPodsOnNodes(ds, nodeNames);
    await waitFor(`${revisions} ControllerRevisions`, revisionsNow, (rs) => rs.length === revisions);
    return { ds, pods: running };
  }

  it('adopts a DaemonSet\'s pods and ControllerRevisions without replacing a pod, then rolls out a template change', async () => {
    const client = await testClient();
    const { ds, pods: before } = await rolledOutDaemonSet(2);
    const revisionsBefore = await revisionsNow();
    const currentHash = podHash(before[0] ?? assert.fail('no pod'));
    assert.ok(before.every((p) => podHash(p) === currentHash && podImage(p) === prevImage), describePods(before).join('; '));

    // --dry-run says what would happen and changes nothing.
    const dry = await migrateCli(ns.name, 'ds/agent', '--dry-run', '--apply');
    assert.equal(dry[0], `daemonset.apps/${dsName} deleted (orphaned ${nodeCount} pods, 2 ControllerRevisions) (dry run)`);
    assert.equal(dry.at(-1), `mydaemonset.apps.my.dev/${dsName} created (dry run)`);
    assert.equal(uidOf(await client.get(daemonSets, ns.name, dsName)), uidOf(ds));
    const untouched = (await client.list(pods, { namespace: ns.name })).items;
    assert.ok(untouched.length === nodeCount && untouched.every((p) => controlledBy(p, ds)), 'the dry run orphaned no pod');

    const watch = await Recorder.start(pods, ns.name);
    let mds: MyDaemonSet;
    try {
      assert.deepEqual(await migrateCli(ns.name, 'ds/agent', '--apply'), [
        `daemonset.apps/${dsName} deleted (orphaned ${nodeCount} pods, 2 ControllerRevisions)`,
        `mydaemonset.apps.my.dev/${dsName} created`,
      ]);
      mds = await client.get(myDaemonSets, ns.name, dsName);
      await waitDaemonStatus(ns.name, dsName, nodeCount);
      assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '90s'), /daemon set "agent" successfully rolled out/);
      const adopted = await waitPodsControlledBy(ns.name, before.map(uidOf), mds);
      assert.deepEqual(adopted.map(uidOf).sort(), before.map(uidOf).sort(), 'the same pods');
      await watch.caughtUp();
    } finally {
      await watch.stop();
    }
    assert.deepEqual(podChurn(watch), [], 'no pod was deleted or created by the migration');

    // The revisions are kube-controller-manager's, now ours: same UIDs, names, hashes and numbers,
    // the pods' hash still the newest one, and no revision of our own made for the same template.
    const revisionsAfter = await waitFor('the revisions adopted', revisionsNow, (rs) => rs.every((r) => controlledBy(r, mds)));
    assert.deepEqual(revisionIds(revisionsAfter, hashLabel), revisionIds(revisionsBefore, hashLabel));
    const newest = [...revisionsAfter].sort((a, b) => b.revision - a.revision)[0];
    assert.equal(newest?.metadata.labels?.[hashLabel], currentHash);
    assert.equal((await client.get(myDaemonSets, ns.name, dsName)).status?.updatedNumberScheduled, nodeCount);

    // A template change after the migration is an ordinary rollout: revision 3, every pod replaced.
    await updateMyDaemonSet(ns.name, dsName, (d) => withImage(d, newImage));
    await waitFor(
      `every pod at ${newImage}`,
      () => checkDaemonPodsOnNodes(mds, nodeNames),
      (c) => c.ok && c.pods.every((p) => podImage(p) === newImage && podHash(p) !== currentHash),
      { timeoutMs: 120_000 },
    );
    await waitDaemonStatus(ns.name, dsName, nodeCount);
    assert.match(await kubectlMy(ns.name, 'rollout', 'status', `mds/${dsName}`, '--timeout', '90s'), /successfully rolled out/);
    const revisionsLast = await revisionsNow();
    assert.equal(revisionsLast.length, 3);
    assert.equal(Math.max(...revisionsLast.map((r) => r.revision)), 3);
  });

  it('goes back to apps/v1 without a restart when the template never changed under the MyDaemonSet', async () => {
    const client = await testClient();
    const { pods: original } = await rolledOutDaemonSet(1);
    await migrateCli(ns.name, 'ds/agent', '--apply');
    const mds = await client.get(myDaemonSets, ns.name, dsName);
    await waitDaemonStatus(ns.name, dsName, nodeCount);
    await waitPodsControlledBy(ns.name, original.map(uidOf), mds);

    const watch = await Recorder.start(pods, ns.name);
    let back: MyDaemonSet;
    try {
      assert.deepEqual(await migrateCli(ns.name, 'mds/agent', '--to', 'apps/v1', '--apply'), [
        `mydaemonset.apps.my.dev/${dsName} deleted (orphaned ${nodeCount} pods, 1 ControllerRevision)`,
        `daemonset.apps/${dsName} created`,
        'note: the DaemonSet controller may replace the pods: see "Back to apps/v1" in docs/migrate.md',
      ]);
      back = await client.get(daemonSets, ns.name, dsName);
      await waitPodsControlledBy(ns.name, original.map(uidOf), back);
      await waitObserved(daemonSets, ns.name, dsName, `${nodeCount} pods updated and available`, daemonRolledOut(nodeCount));
      await watch.caughtUp();
    } finally {
      await watch.stop();
    }
    // kube-controller-manager finds its own revision (byte-equal data), and the pods' template
    // generation 1 matches the new DaemonSet's: nothing to update.
    assert.deepEqual(podChurn(watch), [], 'no pod was replaced going back');
    const revisions = await revisionsNow();
    assert.equal(revisions.length, 1, `no new revision: ${Object.keys(revisionIds(revisions, hashLabel)).join(', ')}`);
    assert.ok(revisions.every((r) => controlledBy(r, back)));
  });

  it('going back from a MyDaemonSet born as one, the DaemonSet adopts its pods and then replaces each of them', async () => {
    const client = await testClient();
    const mds = await client.create(myDaemonSets, daemonSetOnOwnedNodes(ns.name, dsName, owned));
    const original = await waitDaemonPodsOnNodes(mds, nodeNames);
    await waitDaemonStatus(ns.name, dsName, nodeCount);
    const ourRevisions = await waitFor('one ControllerRevision', revisionsNow, (rs) => rs.length === 1);
    const ourHash = podHash(original[0] ?? assert.fail('no pod'));

    const watch = await Recorder.start(pods, ns.name);
    let back: MyDaemonSet;
    let replaced: Pod[];
    try {
      const out = await migrateCli(ns.name, 'mds/agent', '--to', 'apps/v1', '--apply');
      assert.equal(out[0], `mydaemonset.apps.my.dev/${dsName} deleted (orphaned ${nodeCount} pods, 1 ControllerRevision)`);
      assert.equal(out[1], `daemonset.apps/${dsName} created`);
      back = await client.get(daemonSets, ns.name, dsName);
      const check = await waitFor(
        'every pod replaced by the DaemonSet controller',
        () => checkDaemonPodsOnNodes(back, nodeNames),
        (c) => c.ok && c.pods.every((p) => !original.some((o) => uidOf(o) === uidOf(p)) && podHash(p) !== ourHash),
        { timeoutMs: 150_000 },
      );
      replaced = [...check.pods];
      await waitObserved(daemonSets, ns.name, dsName, `${nodeCount} pods updated and available`, daemonRolledOut(nodeCount));
      await watch.caughtUp();
    } finally {
      await watch.stop();
    }
    // What upstream does (docs/migrate.md "Back to apps/v1"): it adopts the orphans and our
    // revision, finds no revision whose data equals its apps/v1-defaulted template byte for byte,
    // creates one of its own, and rolls the pods it does not count as updated (our pods carry
    // neither its hash nor a pod-template-generation label).
    assert.deepEqual(deletedWithoutAdoption(watch, original.map(uidOf), back), [], 'each pod was adopted before it was replaced');
    const revisions = await revisionsNow();
    const theirs = revisions.filter((r) => !ourRevisions.some((o) => o.metadata.name === r.metadata.name));
    assert.equal(theirs.length, 1, `one revision of kube-controller-manager's: ${Object.keys(revisionIds(revisions, hashLabel)).join(', ')}`);
    assert.ok(replaced.every((p) => podHash(p) === theirs[0]?.metadata.labels?.[hashLabel]), describePods(replaced).join('; '));
  });
});
