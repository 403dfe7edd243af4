import assert from 'node:assert/strict';
import type { DaemonSetSnapshot } from '../../src/controllers/daemonset/plan.ts';
import { actionPhase, actionPhases, plan } from '../../src/controllers/daemonset/plan.ts';
import { daemonSet, hashOf, node, nodes, pod, ready, revisionOf, snapshot, t0, template } from './daemonset-fixtures.ts';

const v1 = template('agent:1');
const v2 = template('agent:2');
const r1 = revisionOf(daemonSet(), 1, v1);
const r2 = revisionOf(daemonSet(), 2, v2);
const surge = { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

interface Row {
  readonly name: string;
  readonly snapshot: DaemonSetSnapshot;
  readonly now: number;
}

const rows: readonly Row[] = [
  {
    name: 'a template change with failed, succeeded and missing pods',
    snapshot: snapshot({
      ds: daemonSet({ spec: { template: v2, revisionHistoryLimit: 0 } }),
      revisions: [r1, revisionOf(daemonSet(), 3, template('agent:0'))],
      nodes: nodes('n1', 'n2', 'n3', 'n4'),
      pods: [
        pod('p1', 'n1', { hash: hashOf(r1), phase: 'Failed' }),
        pod('p2', 'n2', { hash: hashOf(r1), phase: 'Succeeded' }),
        pod('p3', 'n3', { hash: hashOf(r1), ...ready }),
      ],
    }),
    now: t0,
  },
  {
    name: 'a rollback with duplicates and a rolling update',
    snapshot: snapshot({
      ds: daemonSet({ spec: { template: v1, minReadySeconds: 5 } }),
      revisions: [r1, r2, { ...r1, revision: 0, metadata: { ...r1.metadata, name: 'agent-dup', labels: { app: 'agent' } } }],
      nodes: nodes('n1', 'n2'),
      pods: [pod('p1', 'n1', { hash: hashOf(r2), ...ready }), pod('p2', 'n2', { hash: hashOf(r2), readySince: t0 - 1000 })],
    }),
    now: t0,
  },
  {
    name: 'a surge with a vanished node',
    snapshot: snapshot({
      ds: daemonSet({ spec: { template: v2, updateStrategy: surge } }),
      revisions: [r1, r2],
      nodes: [node('n1'), node('n2', { taints: [{ key: 'x', effect: 'NoSchedule' }] })],
      pods: [pod('p1', 'n1', { hash: hashOf(r1), ...ready }), pod('p-gone', 'gone', { hash: hashOf(r1), ...ready })],
    }),
    now: t0,
  },
];

describe('MyDaemonSet plan', () => {
  for (const row of rows) {
    it(`emits actions in phase order and leaves its snapshot untouched: ${row.name}`, () => {
      const frozen = deepFreeze(row.snapshot);
      const actions = plan(frozen, row.now);
      assert.ok(actions.length > 0);
      const order = actions.map((action) => actionPhases.indexOf(actionPhase(action)));
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
    });
  }

  it('is deterministic whatever order nodes and pods come in', () => {
    const base = rows[0]?.snapshot;
    assert.ok(base !== undefined);
    const shuffled = { ...base, nodes: [...base.nodes].reverse(), pods: [...base.pods].reverse(), revisions: [...base.revisions].reverse() };
    assert.deepEqual(plan(shuffled, t0), plan(base, t0));
  });
});
