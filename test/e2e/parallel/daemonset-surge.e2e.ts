// MyDaemonSet surge rollout, ported from upstream test/e2e/apps/daemon_set.go ("should surge pods
// onto nodes when spec was updated and update strategy is RollingUpdate"): maxSurge 20 %,
// maxUnavailable 0, minReadySeconds 10, a template change through an env var.
//
// Upstream polls and checks its invariants on each poll; here a watch opened before the change is
// replayed, so every intermediate state is checked, with availability judged at the moment the
// test received each event (never earlier than the operator acted on it). Expect ~45 s: each node
// waits minReadySeconds for its new pod.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet } from '../../../src/api/workloads.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import {
  controlledBy,
  describePods,
  eligibleNodeNames,
  isAvailable,
  isDeleting,
  listRevisions,
  nameLabel,
  newMyDaemonSet,
  podHash,
  podNode,
  Recorder,
  selectorString,
  uidOf,
  updateMyDaemonSet,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
} from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';

const dsName = 'daemon-set';
const minReadySeconds = 10;
/** upstream: maxSurgeOverlap — an old pod may run beside its replacement at most this long. */
const maxSurgeOverlapMs = 60_000;

function version(pod: Pod): string {
  const env = pod.spec.containers[0]?.env;
  const first = Array.isArray(env) ? (env[0] as { value?: unknown } | undefined) : undefined;
  return typeof first?.value === 'string' ? first.value : '';
}

function withVersion(ds: MyDaemonSet, value: string): MyDaemonSet {
  const [first, ...rest] = ds.spec.template.spec.containers;
  assert.ok(first);
  return {
    ...ds,
    spec: {
      ...ds.spec,
      template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, containers: [{ ...first, env: [{ name: 'VERSION', value }] }, ...rest] } },
    },
  };
}

describe('MyDaemonSet surge rollout (upstream daemon_set.go)', function () {
  this.timeout(240_000);
  let ns: { name: string; remove: () => Promise<void> };
  before(async () => (ns = await createNamespace('ds-surge')));
  after(async () => ns.remove());

  it('surges new pods onto nodes (maxSurge 20%, maxUnavailable 0, minReadySeconds 10) keeping every node available', async () => {
    const client = await testClient();
    const base = newMyDaemonSet(ns.name, dsName, {
      spec: {
        minReadySeconds,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } },
      },
    });
    const ds = await client.create(myDaemonSets, withVersion(base, '1'));
    const expected = await eligibleNodeNames(ds);
    assert.ok(expected.length >= 2);
    // 20 % of the desired count, rounded up.
    const maxSurge = Math.ceil((expected.length * 20) / 100);
    const before = await waitDaemonPodsOnNodes(ds, expected, { timeoutMs: 60_000 });
    await waitDaemonStatus(ns.name, dsName, expected.length, { timeoutMs: 60_000 });
    const firstRevisions = await listRevisions(ns.name, selectorString({ [nameLabel]: dsName }));
    assert.equal(firstRevisions.length, 1);
    assert.equal(firstRevisions[0]?.revision, 1);

    const watch = await Recorder.start(pods, ns.name);
    try {
      const changedAt = Date.now();
      await updateMyDaemonSet(ns.name, dsName, (d) => withVersion(d, '2'));
      const after = await waitFor(
        'every node to run one available pod of version 2',
        () => waitDaemonPodsOnNodes(ds, expected, { timeoutMs: 150_000 }),
        (ps) => ps.every((p) => version(p) === '2'),
        { timeoutMs: 150_000 },
      );
      await waitDaemonStatus(ns.name, dsName, expected.length, { timeoutMs: 30_000 });
      const took = Date.now() - changedAt;
      await watch.caughtUp();
      await watch.stop();

      const errors: string[] = [];
      const versions = new Set<string>();
      let surged = 0;
      /** node → when a live new pod first appeared beside a live old pod there. */
      const overlapSince = new Map<string, number>();
      for (const { state, at } of watch.replay()) {
        const live: Pod[] = [...state.values()].filter((p) => controlledBy(p, ds) && !isDeleting(p));
        const byNode = new Map<string, Pod[]>();
        for (const p of live) {
          versions.add(version(p));
          // Unbound pods count for the node their injected affinity names.
          const node = podNode(p);
          byNode.set(node, [...(byNode.get(node) ?? []), p]);
        }
        const where = (): string => describePods(live).join('; ');
        // maxSurge: at most that many nodes hold a new pod that is not available yet.
        const newUnavailable = [...byNode.values()].filter((ps) => ps.some((p) => version(p) === '2' && !isAvailable(p, minReadySeconds, at))).length;
        if (newUnavailable > maxSurge) errors.push(`${newUnavailable} nodes with an unavailable new pod > maxSurge ${maxSurge}: ${where()}`);
        for (const node of expected) {
          const ps = byNode.get(node) ?? [];
          // maxUnavailable 0: every node keeps an available pod throughout.
          if (!ps.some((p) => isAvailable(p, minReadySeconds, at))) errors.push(`${node} has no available pod: ${where()}`);
          // Never more than one live pod of a version on a node.
          for (const v of ['1', '2']) {
            const n = ps.filter((p) => version(p) === v).length;
            if (n > 1) errors.push(`${node} runs ${n} pods of version ${v}: ${where()}`);
          }
          const both = ps.some((p) => version(p) === '1') && ps.some((p) => version(p) === '2');
          if (both && !overlapSince.has(node)) {
            overlapSince.set(node, at);
            surged++;
          }
          const since = overlapSince.get(node);
          if (both && since !== undefined && at - since > maxSurgeOverlapMs) errors.push(`${node}: an old pod ran beside its replacement for ${at - since} ms`);
          if (!both) overlapSince.delete(node);
        }
      }
      if (versions.size > 2) errors.push(`versions seen: ${[...versions].join(', ')}`);
      assert.deepEqual(errors.slice(0, 10), []);
      // The rollout really surged: every node had its new pod beside the old one for a while.
      assert.ok(surged >= expected.length, `only ${surged} surges for ${expected.length} nodes`);
      // Each node waited minReadySeconds for its new pod, at most maxSurge nodes at a time.
      assert.ok(took >= Math.ceil(expected.length / maxSurge) * minReadySeconds * 1000, `the rollout took only ${took} ms`);

      const revisions = await listRevisions(ns.name, selectorString({ [nameLabel]: dsName }));
      assert.equal(revisions.length, 2);
      const newHash = after[0] ? podHash(after[0]) : '';
      const current = revisions.find((r) => r.metadata.labels?.['controller-revision-hash'] === newHash);
      assert.ok(current);
      assert.equal(current.revision, 2);
      for (const pod of after) assert.equal(podHash(pod), current.metadata.labels?.['controller-revision-hash']);
      assert.ok(after.every((p) => !before.some((b) => uidOf(b) === uidOf(p))), 'some old pod survived');
    } finally {
      await watch.stop();
    }
  });
});
