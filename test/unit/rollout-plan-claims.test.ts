// What `kubectl my rollout plan` simulates from: the objects each controller's claim would leave it
// with, computed from listed objects without a write (owned ones, and orphans it would adopt).
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import { controllerOf } from '../../src/api/meta.ts';
import { daemonSetClaim, deploymentClaim, statefulSetClaim } from '../../src/cli/rollout-plan/claimed.ts';
import { newReplicaSetPod } from '../../src/controllers/replicaset/pod-template.ts';
import { daemonSet, pod, revisionOf } from './daemonset-fixtures.ts';
import { deployment, ownedReplicaSet, replicaSet } from './deployment-plan-fixtures.ts';
import { makePod, makeSet, nameOf, revisionOf as setRevisionOf } from './statefulset-fixtures.ts';

const names = (objs: readonly { readonly metadata: { readonly name?: string } }[]): string[] => objs.map((o) => o.metadata.name ?? '');
const orphan = (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, ownerReferences: [] } });
const ownedBy = (p: Pod, uid: string): Pod => ({ ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid, controller: true }] } });

describe('kubectl my rollout plan: what the controllers claim', () => {
  it('a MyDaemonSet: its pods, matching orphans adopted; neither other controllers\' pods nor ones that stopped matching', () => {
    const ds = daemonSet();
    const unmatched = pod('agent-d', 'node-d');
    const claim = daemonSetClaim(
      ds,
      [pod('agent-a', 'node-a'), orphan(pod('agent-b', 'node-b')), ownedBy(pod('agent-c', 'node-c'), 'other'), { ...unmatched, metadata: { ...unmatched.metadata, labels: { app: 'else' } } }],
      [revisionOf(ds, 1)],
    );
    assert.deepEqual(names(claim.pods), ['agent-a', 'agent-b']);
    assert.equal(controllerOf(claim.pods[1] ?? pod('x', 'x'))?.uid, 'ds-uid', 'the adopted pod carries our controller reference');
    assert.equal(claim.revisions.length, 1);
  });

  it('a MyDaemonSet being deleted claims nothing', () => {
    const ds = daemonSet({ deletionTimestamp: '2026-01-01T00:00:00Z' });
    assert.deepEqual(daemonSetClaim(ds, [pod('agent-a', 'node-a')], [revisionOf(ds, 1)]), { pods: [], revisions: [] });
  });

  it('a MyStatefulSet: member pods only, and orphan revisions adopted', () => {
    const set = makeSet();
    const revision = setRevisionOf(set, 1);
    const orphanRevision = { ...revision, metadata: { ...revision.metadata, name: 'web-orphan', ownerReferences: [] } };
    const stranger = makePod(set, 1, nameOf(revision));
    const claim = statefulSetClaim(
      set,
      [makePod(set, 0, nameOf(revision)), orphan(makePod(set, 2, nameOf(revision))), { ...stranger, metadata: { ...stranger.metadata, name: 'db-1' } }],
      [revision, orphanRevision],
    );
    assert.deepEqual(names(claim.pods), ['web-0', 'web-2']);
    assert.deepEqual(names(claim.revisions), [nameOf(revision), 'web-orphan']);
    assert.equal(controllerOf(claim.revisions[1] ?? revision)?.uid, set.metadata.uid);
  });

  it('a MyDeployment: its MyReplicaSets, and each one\'s active and terminating pods', () => {
    const d = deployment({ replicas: 2 });
    const rs = ownedReplicaSet(d, 'web-1', { replicas: 2 });
    const unowned = replicaSet('other-1', { replicas: 1 });
    const foreign = { ...unowned, metadata: { ...unowned.metadata, labels: { app: 'web' } } };
    const base = newReplicaSetPod(rs);
    const mk = (name: string, extra: Partial<Pod['metadata']> = {}): Pod => ({ ...base, metadata: { ...base.metadata, name, uid: name, ...extra } });
    const claim = deploymentClaim(d, [rs, foreign], [mk('a'), mk('b', { ownerReferences: [] }), mk('c', { deletionTimestamp: '2026-01-01T00:00:00Z' }), mk('d', { ownerReferences: [], labels: { app: 'else' } })]);
    assert.deepEqual(names(claim.replicaSets), ['web-1', 'other-1'], 'the orphan MyReplicaSet matching the selector is adopted');
    assert.deepEqual(names(claim.pods), ['a', 'b', 'c']);
  });
});
