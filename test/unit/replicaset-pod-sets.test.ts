// The pod sets a MyReplicaSet sync reads: what the claim does with an active pod (also while the
// set is being deleted), which terminating pods count, and the related pods of sibling sets.
import assert from 'node:assert/strict';
import { claimedTerminatingPods, getIndirectlyRelatedPods, replicaSetPodClaimDecision } from '../../src/controllers/replicaset/pod-sets.ts';
import { replicaSetOwner } from '../../src/controllers/replicaset/spec-defaults.ts';
import { iso, pod, replicaSet, t0 } from './replicaset-fixtures.ts';

const rs = replicaSet();
const owner = replicaSetOwner(rs);
const deleting = replicaSet({ deletionTimestamp: iso(t0) });
const other = replicaSet({ uid: 'other-uid' });

describe('MyReplicaSet pod sets', () => {
  describe('claim decision', () => {
    const cases = [
      { name: 'owned and selected', pod: pod('a'), live: 'owned', whileDeleted: 'owned' },
      { name: 'owned, no longer selected', pod: pod('b', { labels: { app: 'debug' } }), live: 'release', whileDeleted: 'ignore' },
      { name: 'a selected orphan', pod: pod('c', { owner: null }), live: 'adopt', whileDeleted: 'ignore' },
      { name: 'an orphan not selected', pod: pod('d', { owner: null, labels: { app: 'api' } }), live: 'ignore', whileDeleted: 'ignore' },
      { name: "another controller's pod", pod: pod('e', { owner: other }), live: 'ignore', whileDeleted: 'ignore' },
    ] as const;
    for (const c of cases) {
      it(`${c.name}: ${c.live}; while the set is being deleted: ${c.whileDeleted}`, () => {
        assert.equal(replicaSetPodClaimDecision(rs, owner, c.pod), c.live);
        assert.equal(replicaSetPodClaimDecision(deleting, replicaSetOwner(deleting), c.pod), c.whileDeleted);
      });
    }
  });

  it('counts as terminating only pods being deleted, not terminal, controlled by the set and selected', () => {
    const at = iso(t0);
    const candidates = [
      pod('terminating', { deletionTimestamp: at }),
      pod('active'),
      pod('failed-and-deleted', { deletionTimestamp: at, phase: 'Failed' }),
      pod('orphan', { deletionTimestamp: at, owner: null }),
      pod('someone-elses', { deletionTimestamp: at, owner: other }),
      pod('relabelled', { deletionTimestamp: at, labels: { app: 'debug' } }),
    ];
    assert.deepEqual(
      claimedTerminatingPods(rs, owner, candidates).map((p) => p.metadata.name),
      ['terminating'],
    );
  });

  it('gathers the pods matching any sibling selector, each once, in any state', () => {
    const wide = replicaSet({ name: 'wide', uid: 'wide-uid', spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'web-old'] }] } } });
    const old = replicaSet({ name: 'old', uid: 'old-uid', spec: { selector: { matchLabels: { app: 'web-old' } } } });
    const pods = [
      pod('w1'),
      pod('o1', { labels: { app: 'web-old' }, owner: old }),
      pod('gone', { phase: 'Failed' }),
      pod('api', { labels: { app: 'api' }, owner: null }),
    ];
    assert.deepEqual(
      getIndirectlyRelatedPods([rs, wide, old], pods).map((p) => p.metadata.name),
      ['w1', 'gone', 'o1'],
    );
    assert.deepEqual(getIndirectlyRelatedPods([], pods), []);
  });
});
