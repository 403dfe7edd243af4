import assert from 'node:assert/strict';
import type { MyStatefulSet, MyStatefulSetStatus } from '../../src/api/workloads.ts';
import { finalStatusWrite, freshCountsDuringSync } from '../../src/controllers/statefulset/fresh-status.ts';
import { planSync } from '../../src/controllers/statefulset/plan.ts';
import { makePod, makeSet, now, revisionOf } from './statefulset-fixtures.ts';

const replicas = 500;
const newSet = (status?: MyStatefulSetStatus): MyStatefulSet =>
  makeSet({ replicas, podManagementPolicy: 'Parallel', ...(status !== undefined ? { status } : {}) });

describe('freshCountsDuringSync (status refresh during a MyStatefulSet sync)', () => {
  const set = newSet();
  const revision = revisionOf(set, 1);
  // The first sync of a new set: no revision yet, 500 creates, its status write at the end.
  const firstSync = planSync({ set, pods: [], revisions: [], pvcs: [] }, now);
  const pods = (ready: number, created: number) =>
    Array.from({ length: created }, (_, i) => makePod(set, i, revision.metadata.name ?? '', { state: i < ready ? 'ready' : 'pending' }));

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

describe('finalStatusWrite (the write that ends a sync the refresh ran in)', () => {
  const set = newSet();
  const revision = revisionOf(set, 1);
  const name = revision.metadata.name ?? '';
  const pods = (ready: number, created: number) =>
    Array.from({ length: created }, (_, i) => makePod(set, i, name, { state: i < ready ? 'ready' : 'pending' }));
  const firstSync = planSync({ set, pods: [], revisions: [], pvcs: [] }, now);
  const own = firstSync.find((action) => action.kind === 'writeStatus');
  if (own?.kind !== 'writeStatus') throw new Error('the first sync writes status');
  // What the refresh left stored: the revision and generation, with 49 of 300 pods Ready.
  const refreshed = newSet({
    observedGeneration: 1,
    replicas: 300,
    readyReplicas: 49,
    availableReplicas: 49,
    currentReplicas: 300,
    updatedReplicas: 300,
    currentRevision: name,
    updateRevision: name,
    collisionCount: 0,
    selector: own.status.selector,
  });

  it('the sync started with nothing Ready: its own write would show 0', () => {
    assert.equal(own.status.readyReplicas, 0);
    assert.equal(own.mayWait, false, 'a new generation goes at once');
  });

  it('writes the counts the caches hold instead, with the same generation and revisions, at once', () => {
    const final = finalStatusWrite({ set: refreshed, pods: pods(110, 500), revisions: [revision], pvcs: [] }, own, now);
    assert.ok(final !== 'shown');
    assert.equal(final.status.readyReplicas, 110);
    assert.equal(final.status.replicas, 500);
    assert.equal(final.status.observedGeneration, own.status.observedGeneration);
    assert.equal(final.status.updateRevision, own.status.updateRevision);
    assert.equal(final.mayWait, false, 'the sync\u2019s own write did not wait: neither does this one');
  });

  it('writes nothing when the stored status already is what the caches say', () => {
    assert.equal(finalStatusWrite({ set: refreshed, pods: pods(49, 300), revisions: [revision], pvcs: [] }, own, now), 'shown');
  });

  it('keeps its own write when the caches have not shown the revision, or the generation moved on', () => {
    assert.equal(finalStatusWrite({ set, pods: pods(110, 500), revisions: [], pvcs: [] }, own, now), own);
    const next = { ...refreshed, metadata: { ...refreshed.metadata, generation: 2 } };
    assert.equal(finalStatusWrite({ set: next, pods: pods(110, 500), revisions: [revision], pvcs: [] }, own, now), own);
  });

  it('keeps its own write when an Event follows it', () => {
    const withEvent = { ...own, eventsAfterWrite: [{ kind: 'event' as const, type: 'Warning' as const, reason: 'RolledBack', message: 'm' }] };
    assert.equal(finalStatusWrite({ set: refreshed, pods: pods(110, 500), revisions: [revision], pvcs: [] }, withEvent, now), withEvent);
  });
});
