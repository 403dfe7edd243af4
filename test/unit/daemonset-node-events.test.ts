import assert from 'node:assert/strict';
import type { Node } from '../../src/api/core.ts';
import type { MyDaemonSet } from '../../src/api/workloads.ts';
import { nodeChangeNeedsSync, shouldIgnoreNodeUpdate } from '../../src/controllers/daemonset/node-events.ts';
import { daemonSet, node } from './daemonset-fixtures.ts';

const evicting = node('n1', { taints: [{ key: 'x', effect: 'NoExecute' }] });
const cordonedOff = node('n1', { taints: [{ key: 'x', effect: 'NoSchedule' }] });

interface Row {
  readonly name: string;
  readonly node: Node;
  readonly ds: MyDaemonSet;
  readonly scheduled: boolean;
  readonly expected: boolean;
}

const rows: readonly Row[] = [
  { name: 'syncs when an eligible node has no pod', node: node('n1'), ds: daemonSet(), scheduled: false, expected: true },
  { name: 'stays quiet when an eligible node has its pod', node: node('n1'), ds: daemonSet(), scheduled: true, expected: false },
  { name: 'syncs when a node must lose its pod', node: evicting, ds: daemonSet(), scheduled: true, expected: true },
  { name: 'stays quiet when a NoSchedule node keeps its pod', node: cordonedOff, ds: daemonSet(), scheduled: true, expected: false },
  {
    name: 'syncs a scheduled node while the status reports misscheduled pods',
    node: node('n1'),
    ds: daemonSet({ status: { numberMisscheduled: 1 } }),
    scheduled: true,
    expected: true,
  },
  { name: 'stays quiet for an ineligible node without a pod', node: evicting, ds: daemonSet(), scheduled: false, expected: false },
];

describe('MyDaemonSet node events', () => {
  for (const row of rows) {
    it(row.name, () => {
      assert.equal(nodeChangeNeedsSync(row.node, row.ds, row.scheduled), row.expected);
    });
  }

  it('ignores node updates that change neither labels nor taints', () => {
    const before = node('n1', { labels: { a: 'b' } });
    const heartbeat: Node = { ...before, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    assert.equal(shouldIgnoreNodeUpdate(before, heartbeat), true);
    assert.equal(shouldIgnoreNodeUpdate(before, node('n1', { labels: { a: 'c' } })), false);
    assert.equal(shouldIgnoreNodeUpdate(before, node('n1', { labels: { a: 'b' }, taints: [{ key: 't', effect: 'NoSchedule' }] })), false);
    assert.equal(shouldIgnoreNodeUpdate(node('n1', { taints: [] }), node('n1')), true);
  });
});
