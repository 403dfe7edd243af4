import assert from 'node:assert/strict';
import {
  getEndOrdinal,
  getPersistentVolumeClaimName,
  getPodName,
  getStartOrdinal,
  isMemberOf,
  ordinalInRange,
  parentNameAndOrdinal,
  podClaimDecision,
  splitByOrdinal,
} from '../../src/controllers/statefulset/identity.ts';
import { makePod, makeSet, nameOf, setRef } from './statefulset-fixtures.ts';

describe('MyStatefulSet identity', () => {
  const parseRows = [
    { name: 'a plain member name', podName: 'web-0', expected: { parent: 'web', ordinal: 0 } },
    { name: 'a dashed set name', podName: 'my-web-12', expected: { parent: 'my-web', ordinal: 12 } },
    { name: 'leading zeros', podName: 'web-007', expected: { parent: 'web', ordinal: 7 } },
    { name: 'no ordinal suffix', podName: 'web', expected: { parent: '', ordinal: -1 } },
    { name: 'a non-numeric suffix', podName: 'web-x1', expected: { parent: '', ordinal: -1 } },
    { name: 'an ordinal beyond int32', podName: 'web-2147483648', expected: { parent: 'web', ordinal: -1 } },
    { name: 'the largest int32 ordinal', podName: 'web-2147483647', expected: { parent: 'web', ordinal: 2147483647 } },
    { name: 'a double dash', podName: 'web--1', expected: { parent: 'web-', ordinal: 1 } },
  ];
  for (const row of parseRows) {
    it(`parses parent and ordinal from ${row.name}`, () => {
      assert.deepEqual(parentNameAndOrdinal(row.podName), row.expected);
    });
  }

  it('names pods <set>-<ordinal> and claims <claim>-<set>-<ordinal>', () => {
    const set = makeSet();
    assert.equal(getPodName(set, 4), 'web-4');
    assert.equal(getPersistentVolumeClaimName(set, 'www', 4), 'www-web-4');
  });

  it('counts only names with the set name as parent as members', () => {
    const set = makeSet();
    assert.equal(isMemberOf(set, { metadata: { name: 'web-3' } }), true);
    assert.equal(isMemberOf(set, { metadata: { name: 'webby-3' } }), false);
    assert.equal(isMemberOf(set, { metadata: { name: 'other-web-3' } }), false);
  });

  const rangeRows = [
    { name: 'no ordinals.start', set: makeSet({ replicas: 3 }), expected: { start: 0, end: 2, inRange: [0, 1, 2] } },
    {
      name: 'ordinals.start 5',
      set: makeSet({ replicas: 3, ordinals: { start: 5 } }),
      expected: { start: 5, end: 7, inRange: [5, 6, 7] },
    },
    { name: 'zero replicas', set: makeSet({ replicas: 0, ordinals: { start: 2 } }), expected: { start: 2, end: 1, inRange: [] } },
  ];
  for (const row of rangeRows) {
    it(`puts replicas in [start, start+replicas) with ${row.name}`, () => {
      const inRange = [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((o) => ordinalInRange(row.set, o));
      assert.deepEqual(
        { start: getStartOrdinal(row.set), end: getEndOrdinal(row.set), inRange },
        row.expected,
      );
    });
  }

  it('splits members into replica slots and condemned pods, highest ordinal first', () => {
    const set = makeSet({ replicas: 2, ordinals: { start: 1 } });
    const pods = [0, 4, 1, 3].map((o) => makePod(set, o, 'r'));
    const split = splitByOrdinal(set, pods);
    assert.deepEqual(
      split.replicas.map((p) => (p === undefined ? undefined : nameOf(p))),
      ['web-1', undefined],
    );
    assert.deepEqual(split.condemned.map(nameOf), ['web-4', 'web-3', 'web-0']);
  });

  describe('claiming pods', () => {
    const set = makeSet();
    const orphan = makePod(set, 1, 'r');
    const bare = { ...orphan, metadata: { ...orphan.metadata, ownerReferences: [] } };
    const rows = [
      { name: 'adopts a matching member orphan', set, pod: bare, expected: 'adopt' },
      {
        name: 'ignores an orphan whose name does not belong to the set',
        set,
        pod: { ...bare, metadata: { ...bare.metadata, name: 'other-1' } },
        expected: 'ignore',
      },
      {
        name: 'releases an owned pod whose name stopped belonging to the set',
        set,
        pod: { ...orphan, metadata: { ...orphan.metadata, name: 'webx-1', ownerReferences: [setRef()] } },
        expected: 'release',
      },
      {
        name: 'releases an owned pod whose labels stopped matching',
        set,
        pod: { ...orphan, metadata: { ...orphan.metadata, labels: { app: 'other' } } },
        expected: 'release',
      },
      {
        name: 'neither adopts nor releases while the set is being deleted',
        set: makeSet({ deletionTimestamp: '2025-01-01T00:00:00Z' }),
        pod: bare,
        expected: 'ignore',
      },
      { name: 'keeps an owned member', set, pod: orphan, expected: 'owned' },
    ];
    for (const row of rows) {
      it(row.name, () => {
        assert.equal(podClaimDecision(row.set, row.pod), row.expected);
      });
    }
  });
});
