import assert from 'node:assert/strict';
import type { MyStatefulSet, MyStatefulSetStatus } from '../../src/api/workloads.ts';
import { freshCountsDuringSync } from '../../src/controllers/statefulset/fresh-status.ts';
import { planSync } from '../../src/controllers/statefulset/plan.ts';
import { makePod, makeSet, now, revisionOf } from './statefulset-fixtures.ts';

const replicas = 500;
const newSet = (status?: MyStatefulSetStatus): MyStatefulSet =>
  makeSet({ replicas, podManagementPolicy: 'Parallel', ...(status !== undefined ? { status } : {}) });

describe('freshCountsDuringSync (status refresh during a MyStatefulSet sync)', () => {
  const set = newSet();
  const revision = revisionOf(set, 1);
  const hash = revision.metadata.labels?.['controller-revision-hash'] ?? '';
  // The first sync of a new set: no revision yet, 500 creates, its status write at the end.
  const firstSync = planSync({ set, pods: [], revisions: [], pvcs: [] }, now);
  const pods = (ready: number, created: number) =>
    Array.from({ length: created }, (_, i) => makePod(set, i, hash, { state: i < ready ? 'ready' : 'pending' }));

  it('the first sync of a new set plans its revision, its pods and one status write at the end', () => {
    assert.deepEqual(
      firstSync.map((action) => action.kind),
      ['createRevision', 'podStep', 'rolloutConditions', 'writeStatus'],
    );
  });

  it('during its pod work, writes the counts the caches show with the revision and generation the sync will write', () => {
    const status = freshCountsDuringSync({ set, pods: pods(100, 300), revisions: [revision], pvcs: [] }, firstSync, now);
    assert.equal(status?.replicas, 300);
    assert.equal(status?.readyReplicas, 100);
    assert.equal(status?.updateRevision, revision.metadata.name);
    assert.equal(status?.currentRevision, revision.metadata.name);
    assert.equal(status?.observedGeneration, 1);
  });

  it('writes nothing while the cache has not shown the revision the sync created', () => {
    assert.equal(freshCountsDuringSync({ set, pods: pods(100, 300), revisions: [], pvcs: [] }, firstSync, now), undefined);
  });

  it('writes nothing when the counts settled (the sync writes that state at once)', () => {
    assert.equal(freshCountsDuringSync({ set, pods: pods(replicas, replicas), revisions: [revision], pvcs: [] }, firstSync, now), undefined);
  });

  it('writes nothing that differs from the sync\u2019s own write beyond the counts (another revision)', () => {
    const other = revisionOf(makeSet({ replicas, podManagementPolicy: 'Parallel', image: 'nginx:2' }), 1);
    const ownWithOther = firstSync.map((action) =>
      action.kind === 'writeStatus' ? { ...action, status: { ...action.status, updateRevision: other.metadata.name ?? '' } } : action,
    );
    assert.equal(freshCountsDuringSync({ set, pods: pods(100, 300), revisions: [revision], pvcs: [] }, ownWithOther, now), undefined);
  });

  it('once the set holds its revisions, moves counts only', () => {
    const written = newSet({
      observedGeneration: 1,
      replicas: 200,
      readyReplicas: 50,
      availableReplicas: 50,
      currentReplicas: 200,
      updatedReplicas: 200,
      currentRevision: revision.metadata.name ?? '',
      updateRevision: revision.metadata.name ?? '',
      collisionCount: 0,
    });
    const sync = planSync({ set: written, pods: pods(50, 200), revisions: [revision], pvcs: [] }, now);
    const status = freshCountsDuringSync({ set: written, pods: pods(150, 400), revisions: [revision], pvcs: [] }, sync, now);
    assert.equal(status?.replicas, 400);
    assert.equal(status?.readyReplicas, 150);
  });
});
