import assert from 'node:assert/strict';
import type { ControllerRevision } from '../../src/api/core.ts';
import type { MyStatefulSet } from '../../src/api/workloads.ts';
import {
  orphanRevisionsToAdopt,
  resolveStatefulSetRevisions,
  revisionCreateConflict,
  truncateHistory,
  withCollisionCount,
} from '../../src/controllers/statefulset/revisions.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import { makePod, makeSet, nameOf, now, revisionOf, setRef, summarize } from './statefulset-fixtures.ts';

const v1 = makeSet({ image: 'nginx:1' });
const v2 = makeSet({ image: 'nginx:2' });
const v3 = makeSet({ image: 'nginx:3' });
const rev1 = revisionOf(v1, 1);
const rev2 = revisionOf(v2, 2);

function withStatus(set: MyStatefulSet, currentRevision: string, updateRevision = currentRevision): MyStatefulSet {
  return { ...set, status: { currentRevision, updateRevision } };
}

describe('MyStatefulSet revisions', () => {
  const rows: {
    name: string;
    set: MyStatefulSet;
    revisions: readonly ControllerRevision[];
    expected: { current: string; update: string; updateNumber: number; write: string };
  }[] = [
    {
      name: 'creates revision 1 for a new set and makes it current',
      set: v1,
      revisions: [],
      expected: { current: nameOf(rev1), update: nameOf(rev1), updateNumber: 1, write: `create ${nameOf(rev1)}` },
    },
    {
      name: 'keeps the latest revision when the template is unchanged',
      set: withStatus(v1, nameOf(rev1)),
      revisions: [rev1],
      expected: { current: nameOf(rev1), update: nameOf(rev1), updateNumber: 1, write: 'none' },
    },
    {
      name: 'creates latest + 1 for a changed template, current staying put',
      set: withStatus(v2, nameOf(rev1)),
      revisions: [rev1],
      expected: { current: nameOf(rev1), update: nameOf(rev2), updateNumber: 2, write: `create ${nameOf(rev2)}` },
    },
    {
      name: 'renumbers an older equal revision on rollback instead of creating one',
      set: withStatus(v1, nameOf(rev2)),
      revisions: [rev2, rev1],
      expected: { current: nameOf(rev2), update: nameOf(rev1), updateNumber: 3, write: `renumber ${nameOf(rev1)} to 3` },
    },
    {
      name: 'treats a currentRevision naming no revision as the update revision',
      set: withStatus(v2, 'web-gone'),
      revisions: [rev1],
      expected: { current: nameOf(rev2), update: nameOf(rev2), updateNumber: 2, write: `create ${nameOf(rev2)}` },
    },
    {
      name: 'keeps a latest revision whose data differs only outside the template (semantic comparison)',
      set: withStatus(v1, nameOf(rev1)),
      revisions: [{ ...rev1, data: { spec: { template: { ...v1.spec.template, $patch: 'replace' }, note: 'extra' } } }],
      expected: { current: nameOf(rev1), update: nameOf(rev1), updateNumber: 1, write: 'none' },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const r = resolveStatefulSetRevisions(row.set, row.revisions);
      const write =
        r.write.kind === 'none'
          ? 'none'
          : r.write.kind === 'create'
            ? `create ${nameOf(r.write.revision)}`
            : `renumber ${nameOf(r.write.revision)} to ${r.write.revisionNumber}`;
      assert.deepEqual(
        { current: nameOf(r.currentRevision), update: nameOf(r.updateRevision), updateNumber: r.updateRevision.revision, write },
        row.expected,
      );
    });
  }

  it('names a new revision <set>-<hash> with the hash label, template labels, annotations and a controller reference', () => {
    const set = { ...v1, metadata: { ...v1.metadata, annotations: { note: 'x' } } };
    const { write } = resolveStatefulSetRevisions(set, []);
    assert.equal(write.kind, 'create');
    if (write.kind !== 'create') return;
    const hash = write.revision.metadata.labels?.['controller.kubernetes.io/hash'] ?? '';
    assert.equal(nameOf(write.revision), `web-${hash}`);
    assert.deepEqual(write.revision.metadata.labels, { app: 'web', 'controller.kubernetes.io/hash': hash });
    assert.deepEqual(write.revision.metadata.annotations, { note: 'x' });
    assert.deepEqual(write.revision.metadata.ownerReferences, [setRef()]);
    assert.deepEqual(write.revision.data, { spec: { template: { ...v1.spec.template, $patch: 'replace' } } });
  });

  it('probes another name after a collision and keeps the existing one when its data is ours', () => {
    const first = resolveStatefulSetRevisions(v2, [rev1]);
    assert.equal(first.write.kind, 'create');
    if (first.write.kind !== 'create') return;
    const wanted = first.write.revision;
    const squatter = { ...wanted, data: v3.spec.template };
    assert.deepEqual(revisionCreateConflict(wanted, wanted, 0), { kind: 'useExisting' });
    const conflict = revisionCreateConflict(squatter, wanted, 0);
    assert.deepEqual(conflict, { kind: 'retryWithCollisionCount', collisionCount: 1 });
    const retried = resolveStatefulSetRevisions(withCollisionCount(v2, 1), [rev1]);
    assert.notEqual(nameOf(retried.updateRevision), nameOf(wanted));
    assert.equal(retried.collisionCount, 1);
  });

  describe('history truncation', () => {
    const revs = [1, 2, 3, 4, 5, 6].map((n) => revisionOf(makeSet({ image: `nginx:${n}` }), n));
    const names = revs.map(nameOf);
    const live = {
      currentRevision: names[4] ?? '',
      updateRevision: names[5] ?? '',
      pods: [makePod(v1, 0, names[1] ?? '')],
    };
    const truncRows = [
      { name: 'deletes the oldest non-live revisions beyond the limit', limit: 2, expected: [names[0]] },
      { name: 'never counts or deletes live revisions (current, update, pods)', limit: 0, expected: [names[0], names[2], names[3]] },
      { name: 'keeps everything within the default limit of 10', limit: undefined, expected: [] },
      { name: 'keeps everything with a negative limit', limit: -1, expected: [] },
    ];
    for (const row of truncRows) {
      it(row.name, () => {
        const set = makeSet({ revisionHistoryLimit: row.limit });
        assert.deepEqual(truncateHistory(set, [...revs].reverse(), live).map(nameOf), row.expected);
      });
    }

    it('plans truncation after the status write, the new revision not counting', () => {
      const set = makeSet({ image: 'nginx:7', revisionHistoryLimit: 1, status: { currentRevision: names[5] } });
      const pods = [0, 1, 2].map((o) => makePod(set, o, names[5] ?? ''));
      const rev7 = revisionOf(set, 7);
      assert.deepEqual(summarize(plan({ set, pods, revisions: revs, pvcs: [] }, now)), [
        `createRevision ${nameOf(rev7)} #7`,
        `deletePod web-2 (update)`,
        'rolloutConditions',
        'writeStatus',
        `deleteRevision ${names[0] ?? ''}`,
        `deleteRevision ${names[1] ?? ''}`,
        `deleteRevision ${names[2] ?? ''}`,
        `deleteRevision ${names[3] ?? ''}`,
      ]);
    });
  });

  describe('orphan adoption', () => {
    const orphan = { ...rev1, metadata: { ...rev1.metadata, ownerReferences: [] } };
    const foreign = { ...rev2, metadata: { ...rev2.metadata, ownerReferences: [setRef('uid-other')] } };
    const unmatched = { ...orphan, metadata: { ...orphan.metadata, name: 'web-x', labels: { app: 'other' } } };
    it('adopts orphans that match the selector, nothing owned or unmatched', () => {
      assert.deepEqual(orphanRevisionsToAdopt(v1, [orphan, foreign, unmatched, rev1]).map(nameOf), [nameOf(rev1)]);
    });
    it('adopts nothing while the set is being deleted', () => {
      assert.deepEqual(orphanRevisionsToAdopt(makeSet({ deletionTimestamp: '2025-01-01T00:00:00Z' }), [orphan]), []);
    });
  });
});
