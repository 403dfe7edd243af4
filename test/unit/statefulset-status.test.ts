import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyStatefulSetStatus } from '../../src/api/workloads.ts';
import type { StatefulSetSnapshot } from '../../src/controllers/statefulset/plan.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import { makePod, makeSet, nameOf, now, revisionOf, snapshot, steady, summarize, withPods, writtenStatus } from './statefulset-fixtures.ts';

const rev1 = revisionOf(makeSet({ image: 'nginx:1' }), 1);
const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
const r1 = nameOf(rev1);
const r2 = nameOf(rev2);
function readyWithoutTransition(pod: Pod): Pod {
  return { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
}
const secondsAgo = (s: number): string => new Date(now - s * 1000).toISOString();

interface Row {
  readonly name: string;
  readonly snapshot: StatefulSetSnapshot;
  readonly now: number;
  readonly expected: unknown;
}

describe('MyStatefulSet planner: status', () => {
  const base = {
    observedGeneration: 1,
    currentRevision: r1,
    updateRevision: r2,
    collisionCount: 0,
    selector: 'app=web',
  };
  const rolling = makeSet({ image: 'nginx:2', replicas: 2, podManagementPolicy: 'Parallel', status: { currentRevision: r1, updateRevision: r2 } });
  const rows: Row[] = [
    {
      name: 'counts terminating and condemned pods as replicas but not as current or updated',
      snapshot: snapshot(
        rolling,
        [
          makePod(rolling, 0, r1),
          makePod(rolling, 1, r2, { state: 'terminating-ready' }),
          makePod(rolling, 2, r2, { state: 'running' }),
        ],
        [rev1, rev2],
      ),
      now,
      expected: { ...base, replicas: 3, readyReplicas: 2, availableReplicas: 2, currentReplicas: 1, updatedReplicas: 1 },
    },
    {
      name: 'counts a Ready pod as available only after minReadySeconds',
      snapshot: snapshot(
        { ...rolling, spec: { ...rolling.spec, minReadySeconds: 30 } },
        [makePod(rolling, 0, r1, { readyAt: secondsAgo(31) }), makePod(rolling, 1, r2, { readyAt: secondsAgo(5) })],
        [rev1, rev2],
      ),
      now,
      expected: { ...base, replicas: 2, readyReplicas: 2, availableReplicas: 1, currentReplicas: 1, updatedReplicas: 1 },
    },
    {
      name: 'does not count a Pending pod with a Ready condition as ready',
      snapshot: snapshot(
        rolling,
        [
          { ...makePod(rolling, 0, r2), status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: secondsAgo(60) }] } },
          makePod(rolling, 1, r2),
        ],
        [rev1, rev2],
      ),
      now,
      expected: { ...base, replicas: 2, readyReplicas: 1, availableReplicas: 1, currentReplicas: 0, updatedReplicas: 2 },
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(writtenStatus(plan(row.snapshot, row.now)), row.expected);
    });
  }

  describe('when to write', () => {
    const { set, rev, pods } = steady();
    const withStatus = (status: Partial<MyStatefulSetStatus>) => ({ ...set, status: { ...set.status, ...status } });
    const writeRows: Row[] = [
      { name: 'writes nothing when status already matches', snapshot: snapshot(set, pods, [rev]), now, expected: [] },
      { name: 'writes when the generation grew', snapshot: snapshot({ ...set, metadata: { ...set.metadata, generation: 2 } }, pods, [rev]), now, expected: ['writeStatus'] },
      { name: 'writes when a count changed', snapshot: snapshot(withStatus({ readyReplicas: 2 }), pods, [rev]), now, expected: ['writeStatus'] },
      { name: 'writes the selector string for the scale subresource', snapshot: snapshot(withStatus({ selector: undefined }), pods, [rev]), now, expected: ['writeStatus'] },
      { name: 'ignores foreign conditions (the executor merges and keeps them)', snapshot: snapshot(withStatus({ conditions: [...(set.status?.conditions ?? []), { type: 'Foo', status: 'True' }] }), pods, [rev]), now, expected: [] },
      { name: 'does not write for collisionCount alone (as upstream)', snapshot: snapshot(withStatus({ collisionCount: undefined }), pods, [rev]), now, expected: [] },
    ];
    for (const row of writeRows) {
      it(row.name, () => {
        assert.deepEqual(summarize(plan(row.snapshot, row.now)), row.expected);
      });
    }
  });

  describe('minReadySeconds requeue', () => {
    const { set, rev, pods } = steady({ minReadySeconds: 30 });
    const requeueRows: Row[] = [
      {
        name: 'requeues when the earliest ready pod becomes available',
        snapshot: snapshot(set, withPods(pods, makePod(set, 1, nameOf(rev), { readyAt: secondsAgo(10) }), makePod(set, 2, nameOf(rev), { readyAt: secondsAgo(25) })), [rev]),
        now,
        // Pods not yet available after completion: Progressing stays RolloutComplete (no write).
        expected: ['writeStatus', 'requeueAfter 5000'],
      },
      {
        name: 'falls back to minReadySeconds when no ready pod has a transition time',
        snapshot: snapshot(
          set,
          withPods(pods, readyWithoutTransition(makePod(set, 2, nameOf(rev)))),
          [rev],
        ),
        now,
        expected: ['writeStatus', 'requeueAfter 30000'],
      },
      { name: 'does not requeue when every ready pod is available', snapshot: snapshot(set, pods, [rev]), now, expected: [] },
    ];
    for (const row of requeueRows) {
      it(row.name, () => {
        assert.deepEqual(summarize(plan(row.snapshot, row.now)), row.expected);
      });
    }
  });

  it('reports the collision count the revision was named with', () => {
    const set = makeSet({ status: { collisionCount: 2 } });
    const status = writtenStatus(plan(snapshot(set, [], []), now));
    assert.equal((status as { collisionCount: number }).collisionCount, 2);
  });
});
