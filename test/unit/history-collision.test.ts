import assert from 'node:assert/strict';
import type { ControllerRevision } from '../../src/api/core.ts';
import type { CollisionCountDecision } from '../../src/controllers/history/collision.ts';
import { collisionCountDecision, isSameRevision } from '../../src/controllers/history/collision.ts';

const revision = (data: unknown): ControllerRevision => ({ metadata: { name: 'agent-abc' }, data, revision: 1 });

describe('revision name collisions', () => {
  it('treats a revision with our data as ours, whatever its key order', () => {
    assert.equal(isSameRevision(revision({ spec: { a: 1, b: 2 } }), revision({ spec: { b: 2, a: 1 } })), true);
  });

  it('treats a revision with other data as a collision', () => {
    assert.equal(isSameRevision(revision({ spec: { a: 1 } }), revision({ spec: { a: 2 } })), false);
  });

  interface Row {
    readonly name: string;
    readonly used: number | undefined;
    readonly live: number | undefined;
    readonly expected: CollisionCountDecision;
  }
  const rows: readonly Row[] = [
    { name: 'bumps an absent collisionCount to 1', used: undefined, live: undefined, expected: { kind: 'bump', collisionCount: 1 } },
    { name: 'bumps the current collisionCount by one', used: 2, live: 2, expected: { kind: 'bump', collisionCount: 3 } },
    { name: 'does not bump when the hash came from a stale collisionCount', used: 1, live: 2, expected: { kind: 'stale' } },
    { name: 'tells absent from 0, as upstream compares pointers', used: undefined, live: 0, expected: { kind: 'stale' } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(collisionCountDecision(row.used, row.live), row.expected);
    });
  }
});
