// Which pods a MyReplicaSet deletes first (upstream ActivePodsWithRanks.Less and
// getPodsRankedByRelatedPodsOnSameNode): one test per rule, each with a pair of pods that differ
// in that rule and win the later ones the other way round, so only that rule can decide.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import {
  afterOrZero,
  deletesBefore,
  deletionKey,
  getPodsRankedByRelatedPodsOnSameNode,
  getPodsToDelete,
  logarithmicRankDiff,
  maxContainerRestarts,
  podDeletionCost,
  podDeletionCostAnnotation,
} from '../../src/controllers/replicaset/pods-to-delete.ts';
import type { PodOptions } from './replicaset-fixtures.ts';
import { iso, pod, t0 } from './replicaset-fixtures.ts';

const hour = 3_600_000;
const now = t0;

/** Restart counts as a kubelet reports them. */
const restarts = (n: number): Record<string, unknown> => ({ containerStatuses: [{ name: 'web', restartCount: n }] });

/** A pod that every later rule would put last: Ready long ago, no restarts, created long ago. */
const base = (name: string, options: PodOptions = {}): Pod => pod(name, { node: 'n1', readySince: now - 100 * hour, created: now - 200 * hour, ...options });

/**
 * Asserts `first` goes before `second` both ways round the comparison, with the ranks given.
 * `second` is built to win every later rule, so the rule under test alone decides. Without ranks,
 * getPodsToDelete must pick `first` too.
 */
function assertFirst(first: Pod, second: Pod, ranks?: readonly [number, number]): void {
  const a = deletionKey(first, ranks?.[0] ?? 0);
  const b = deletionKey(second, ranks?.[1] ?? 0);
  assert.equal(deletesBefore(a, b, now), true, `${first.metadata.name ?? ''} should go before ${second.metadata.name ?? ''}`);
  assert.equal(deletesBefore(b, a, now), false, `${second.metadata.name ?? ''} should not go before ${first.metadata.name ?? ''}`);
  if (ranks !== undefined) return;
  assert.deepEqual(
    getPodsToDelete([second, first], [], 1, now).map((p) => p.metadata.name),
    [first.metadata.name],
  );
}

// The "later rules" a loser wins: recently Ready, many restarts, newly created.
const winsLaterRules: PodOptions = { readySince: now - 1000, created: now - 2000, status: restarts(9) };

describe('MyReplicaSet: which pods are deleted first', () => {
  describe('ActivePodsWithRanks.Less, rule by rule', () => {
    it('1. an unscheduled pod before a scheduled one', () => {
      assertFirst(base('unscheduled', { node: undefined }), base('scheduled', { ...winsLaterRules, phase: 'Pending', notReady: true, readySince: undefined }));
    });

    it('1. two pods on different nodes are not told apart by the node', () => {
      const a = deletionKey(base('a', { node: 'n1' }), 0);
      const b = deletionKey(base('b', { node: 'n2' }), 0);
      assert.equal(deletesBefore(a, b, now), false);
      assert.equal(deletesBefore(b, a, now), false);
    });

    it('2. Pending before Unknown before Running; an empty phase counts as Pending', () => {
      const pending = base('pending', { phase: 'Pending' });
      const unknown = base('unknown', { ...winsLaterRules, phase: 'Unknown' });
      const running = base('running', { ...winsLaterRules, phase: 'Running' });
      assertFirst(pending, unknown);
      assertFirst(unknown, running);
      const noPhase: Pod = { ...base('none'), status: { conditions: base('none').status?.conditions } };
      assertFirst(noPhase, unknown);
    });

    it('3. not Ready before Ready', () => {
      assertFirst(base('unready', { readySince: undefined, notReady: true }), base('ready', winsLaterRules));
      assertFirst(base('no-condition', { readySince: undefined }), base('ready', winsLaterRules));
    });

    it('4. the lower pod-deletion-cost first', () => {
      const cheap = base('cheap', { annotations: { [podDeletionCostAnnotation]: '-5' } });
      const dear = base('dear', { ...winsLaterRules, annotations: { [podDeletionCostAnnotation]: '10' } });
      assertFirst(cheap, dear, [0, 3]);
    });

    it('5. the higher rank (more related pods on its node) first', () => {
      assertFirst(base('crowded'), base('alone', winsLaterRules), [3, 1]);
    });

    it('6. both Ready: the one Ready for a shorter time first, by log2 bucket', () => {
      const recent = base('recent', { readySince: now - 10 * 1000 });
      const old = base('old', { readySince: now - 10 * hour, created: now - 1000, status: restarts(9) });
      assertFirst(recent, old);
    });

    it('6. Ready times in the same log2 bucket: the smaller UID first, whatever the exact times', () => {
      // Ages 40 min and 50 min: both in bucket floor(log2(ns)) = 41.
      const a = base('a', { uid: 'aaa', readySince: now - 40 * 60_000 });
      const b = base('b', { uid: 'bbb', readySince: now - 50 * 60_000, created: now - 1000, status: restarts(9) });
      assert.equal(logarithmicRankDiff(now - 40 * 60_000, now - 50 * 60_000, now), 0);
      assertFirst(a, b);
      const c = base('c', { uid: 'aaa', readySince: now - 50 * 60_000 });
      const d = base('d', { uid: 'bbb', readySince: now - 40 * 60_000, created: now - 1000, status: restarts(9) });
      assertFirst(c, d);
    });

    it('6. a Ready pod without a Ready time goes first', () => {
      const unknownSince: Pod = { ...base('unknown-since'), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
      assertFirst(unknownSince, base('recent', { ...winsLaterRules, readySince: now - 1000 }));
    });

    it('7. more restarts of a regular container first', () => {
      assertFirst(base('crashy', { status: restarts(5) }), base('calm', { status: restarts(1), created: now - 1000 }));
    });

    it('7. equal regular restarts: more restarts of a sidecar (restartable init container) first', () => {
      const initContainers = [
        { name: 'sidecar', restartPolicy: 'Always' },
        { name: 'setup', restartPolicy: undefined },
      ];
      const sidecarRestarts = (sidecar: number, setup: number): Record<string, unknown> => ({
        containerStatuses: [{ name: 'web', restartCount: 1 }],
        initContainerStatuses: [
          { name: 'sidecar', restartCount: sidecar },
          { name: 'setup', restartCount: setup },
        ],
      });
      assertFirst(
        base('sidecar-crashy', { initContainers, status: sidecarRestarts(4, 0) }),
        base('setup-crashy', { initContainers, status: sidecarRestarts(1, 50), created: now - 1000 }),
      );
    });

    it('8. the newer pod first, by log2 bucket of the age, then the smaller UID', () => {
      assertFirst(base('new', { created: now - 60_000 }), base('old', { created: now - 10 * hour, uid: 'a' }));
      // 50 and 40 minutes: one bucket, so the older pod with the smaller UID goes first.
      assertFirst(base('x', { uid: 'a', created: now - 50 * 60_000 }), base('y', { uid: 'b', created: now - 40 * 60_000 }));
    });

    it('8. a pod without a creation time goes first', () => {
      const noTime: Pod = { ...base('no-time'), metadata: { ...base('no-time').metadata, creationTimestamp: undefined } };
      assertFirst(noTime, base('new', { created: now - 1000, uid: 'a' }));
    });

    it('9. otherwise neither goes first', () => {
      const a = deletionKey(base('a', { uid: 'same' }), 0);
      const b = deletionKey(base('b', { uid: 'same' }), 0);
      assert.equal(deletesBefore(a, b, now), false);
      assert.equal(deletesBefore(b, a, now), false);
    });
  });

  describe('getPodsToDelete', () => {
    it('takes the first `diff` pods after sorting by the rules', () => {
      const pods = [
        base('ready-old'),
        base('pending', { phase: 'Pending', readySince: undefined }),
        base('unscheduled', { node: undefined, readySince: undefined }),
        base('unready', { readySince: undefined, notReady: true }),
      ];
      assert.deepEqual(
        getPodsToDelete(pods, [], 3, now).map((p) => p.metadata.name),
        ['unscheduled', 'pending', 'unready'],
      );
    });

    it('does not sort when every pod goes', () => {
      const pods = [base('ready-old'), base('unscheduled', { node: undefined })];
      assert.deepEqual(
        getPodsToDelete(pods, [], 2, now).map((p) => p.metadata.name),
        ['ready-old', 'unscheduled'],
      );
    });

    it('never modifies the list it is given', () => {
      const pods = Object.freeze([base('a'), base('b', { node: undefined })]);
      getPodsToDelete(pods, [], 1, now);
      assert.deepEqual(
        pods.map((p) => p.metadata.name),
        ['a', 'b'],
      );
    });
  });

  describe('getPodsRankedByRelatedPodsOnSameNode', () => {
    it('ranks by active related pods on the same node; an unscheduled pod ranks with the other unscheduled ones', () => {
      const toRank = [base('a', { node: 'n1' }), base('b', { node: 'n2' }), base('c', { node: undefined }), base('d', { node: 'n3' })];
      const related = [
        ...toRank,
        base('r1', { node: 'n1' }),
        base('r2', { node: 'n1' }),
        base('r3', { node: undefined }),
        base('gone', { node: 'n2', phase: 'Failed' }),
        base('done', { node: 'n2', phase: 'Succeeded' }),
        base('leaving', { node: 'n2', deletionTimestamp: iso(now) }),
      ];
      assert.deepEqual(
        getPodsRankedByRelatedPodsOnSameNode(toRank, related).map((r) => [r.pod.metadata.name, r.rank]),
        [
          ['a', 3],
          ['b', 1],
          ['c', 2],
          ['d', 1],
        ],
      );
    });

    it('ranks everything 0 without related pods (a set without controller)', () => {
      assert.deepEqual(
        getPodsRankedByRelatedPodsOnSameNode([base('a')], []).map((r) => r.rank),
        [0],
      );
    });
  });

  describe('pod-deletion-cost', () => {
    const rows: readonly (readonly [string | undefined, number])[] = [
      [undefined, 0],
      ['0', 0],
      ['100', 100],
      ['-100', -100],
      ['-007', -7],
      ['2147483647', 2147483647],
      ['-2147483648', -2147483648],
      ['2147483648', 0],
      ['+10', 0],
      ['010', 0],
      ['00', 0],
      ['1.5', 0],
      ['-', 0],
      ['', 0],
      [' 1', 0],
      ['abc', 0],
    ];
    for (const [value, expected] of rows) {
      it(`reads ${JSON.stringify(value)} as ${expected}`, () => {
        const annotations = value === undefined ? undefined : { [podDeletionCostAnnotation]: value };
        assert.equal(podDeletionCost(base('p', { annotations })), expected);
      });
    }
  });

  describe('time comparisons', () => {
    it('afterOrZero: a zero time counts as after every other', () => {
      assert.equal(afterOrZero(undefined, now), true);
      assert.equal(afterOrZero(now, undefined), false);
      assert.equal(afterOrZero(undefined, undefined), true);
      assert.equal(afterOrZero(now, now - 1), true);
      assert.equal(afterOrZero(now - 1, now), false);
    });

    it('logarithmicRankDiff: buckets are floor(log2(age in ns)), −1 for an age ≤ 0', () => {
      // 1 s = 1e9 ns: bucket 29 (2^29 = 5.4e8 ≤ 1e9 < 2^30); 2 s: bucket 30; in the future: −1.
      assert.equal(logarithmicRankDiff(now - 1000, now - 2000, now), -1);
      assert.equal(logarithmicRankDiff(now - 2000, now - 1000, now), 1);
      assert.equal(logarithmicRankDiff(now + 1000, now - 1000, now), -1 - 29);
      assert.equal(logarithmicRankDiff(now, now + 5, now), 0);
    });
  });

  describe('maxContainerRestarts', () => {
    it('reads regular and sidecar restarts apart, ignoring plain init containers and malformed statuses', () => {
      const p = base('p', {
        initContainers: [
          { name: 'sidecar', restartPolicy: 'Always' },
          { name: 'init', image: 'x' },
        ],
        status: {
          containerStatuses: [{ name: 'a', restartCount: 2 }, { name: 'b', restartCount: 7 }, { name: 'c' }, 'junk'],
          initContainerStatuses: [
            { name: 'sidecar', restartCount: 3 },
            { name: 'init', restartCount: 99 },
          ],
        },
      });
      assert.deepEqual(maxContainerRestarts(p), { regular: 7, sidecar: 3 });
      assert.deepEqual(maxContainerRestarts(base('q')), { regular: 0, sidecar: 0 });
    });
  });
});
