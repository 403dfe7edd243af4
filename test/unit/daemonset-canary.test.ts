// MyDaemonSet canaries (rollingUpdate.partition and .selector) and spec.paused, as the planner
// decides them: which pods a sync replaces or creates (docs/rollout-control.md).
import assert from 'node:assert/strict';
import type { LabelSelector } from '../../src/api/meta.ts';
import type { DaemonSetUpdateStrategy, MyDaemonSet, MyDaemonSetSpec } from '../../src/api/workloads.ts';
import type { DaemonSetAction, DaemonSetSnapshot } from '../../src/controllers/daemonset/plan.ts';
import { plan } from '../../src/controllers/daemonset/plan.ts';
import { nodeUpdateState, rollingUpdateCanary, updateScope } from '../../src/controllers/daemonset/update-scope.ts';
import { controllerRevisionHashLabel } from '../../src/controllers/history/revisions.ts';
import type { PodOptions } from './daemonset-fixtures.ts';
import { daemonSet, hashOf, node, nodes, pod, podActions, ready, revisionOf, snapshot, t0, template } from './daemonset-fixtures.ts';

const oldRev = revisionOf(daemonSet(), 1, template('agent:1'));
const newRev = revisionOf(daemonSet(), 2, template('agent:2'));
const oldHash = hashOf(oldRev);
const newHash = hashOf(newRev);
const oldReady: PodOptions = { hash: oldHash, ...ready };
const newReady: PodOptions = { hash: newHash, ...ready };

interface Update {
  readonly maxUnavailable?: number | string;
  readonly maxSurge?: number | string;
  readonly partition?: number;
  readonly selector?: LabelSelector;
}

const rollingUpdate = (update: Update): DaemonSetUpdateStrategy => ({ type: 'RollingUpdate', rollingUpdate: update });

function updating(update: Update, spec: Partial<MyDaemonSetSpec> = {}): MyDaemonSet {
  return daemonSet({ spec: { template: template('agent:2'), updateStrategy: rollingUpdate(update), ...spec } });
}

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];
const allOld = (names: readonly string[]): Record<string, PodOptions> => Object.fromEntries(names.map((name) => [name, oldReady]));

/** One pod per node, named after it; nodes labelled as given. */
function rollout(
  ds: MyDaemonSet,
  podOptions: Record<string, PodOptions>,
  labels: Record<string, Record<string, string>> = {},
  nodeNames: readonly string[] = Object.keys(podOptions),
): DaemonSetSnapshot {
  return snapshot({
    ds,
    revisions: [oldRev, newRev],
    nodes: nodeNames.map((name) => node(name, { labels: labels[name] ?? {} })),
    pods: Object.entries(podOptions).map(([nodeName, opts]) => pod(`${nodeName}-pod`, nodeName, opts)),
  });
}

const canaryPool = { pool: 'canary' };

interface Row {
  readonly name: string;
  readonly snapshot: DaemonSetSnapshot;
  /** Pod creates and deletes. */
  readonly expected: readonly string[];
}

const rows: readonly Row[] = [
  {
    name: 'partition 2 of 5 nodes updates the first 3 by name and keeps the last 2 old',
    snapshot: rollout(updating({ maxUnavailable: 5, partition: 2 }), allOld(['n5', 'n3', 'n1', 'n4', 'n2'])),
    expected: ['deletePod n1-pod outdated', 'deletePod n2-pod outdated', 'deletePod n3-pod outdated'],
  },
  {
    name: 'with a partition, maxUnavailable still paces the update in node-name order',
    snapshot: rollout(updating({ maxUnavailable: 1, partition: 2 }), allOld(five)),
    expected: ['deletePod n1-pod outdated'],
  },
  {
    name: 'counts nodes already updated against the partition',
    snapshot: rollout(updating({ maxUnavailable: 5, partition: 2 }), { ...allOld(five), n1: newReady }),
    expected: ['deletePod n2-pod outdated', 'deletePod n3-pod outdated'],
  },
  {
    name: 'counts a node whose old pod is terminating (being updated) against the partition',
    snapshot: rollout(updating({ maxUnavailable: 5, partition: 2 }), { ...allOld(five), n1: { ...oldReady, deleting: true } }),
    expected: ['deletePod n2-pod outdated', 'deletePod n3-pod outdated'],
  },
  {
    name: 'raising the partition never rolls a node back nor updates further',
    snapshot: rollout(updating({ maxUnavailable: 5, partition: 4 }), { ...allOld(five), n1: newReady, n2: newReady, n3: newReady }),
    expected: [],
  },
  {
    name: 'a partition at least the number of nodes updates nothing',
    snapshot: rollout(updating({ maxUnavailable: 5, partition: 9 }), allOld(five)),
    expected: [],
  },
  {
    name: 'leaves a kept node with an unavailable old pod alone (it does not count against maxUnavailable either)',
    snapshot: rollout(updating({ maxUnavailable: 1, partition: 1 }), { ...allOld(['n1', 'n2', 'n3']), n3: { hash: oldHash } }),
    expected: ['deletePod n1-pod outdated'],
  },
  {
    name: 'a selector updates only the matching nodes',
    snapshot: rollout(updating({ maxUnavailable: 5, selector: { matchLabels: canaryPool } }), allOld(five), { n2: canaryPool, n4: canaryPool }),
    expected: ['deletePod n2-pod outdated', 'deletePod n4-pod outdated'],
  },
  {
    name: 'a selector leaves unavailable old pods on other nodes alone, and they do not use up maxUnavailable',
    snapshot: rollout(updating({ maxUnavailable: 1, selector: { matchLabels: canaryPool } }), { n1: { hash: oldHash }, n2: oldReady, n3: oldReady }, { n2: canaryPool }),
    expected: ['deletePod n2-pod outdated'],
  },
  {
    name: 'a selector with matchExpressions',
    snapshot: rollout(
      updating({ maxUnavailable: 5, selector: { matchExpressions: [{ key: 'pool', operator: 'NotIn', values: ['canary'] }] } }),
      allOld(['n1', 'n2', 'n3']),
      { n2: canaryPool },
    ),
    expected: ['deletePod n1-pod outdated', 'deletePod n3-pod outdated'],
  },
  {
    name: 'a partition counts only the nodes the selector matches: 4 matching, partition 1 updates the first 3 of them',
    snapshot: rollout(
      updating({ maxUnavailable: 9, partition: 1, selector: { matchLabels: canaryPool } }),
      allOld(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']),
      { n1: canaryPool, n3: canaryPool, n4: canaryPool, n6: canaryPool },
    ),
    expected: ['deletePod n1-pod outdated', 'deletePod n3-pod outdated', 'deletePod n4-pod outdated'],
  },
  {
    name: 'with surge, a partition surges only onto the nodes it lets through',
    snapshot: rollout(updating({ maxUnavailable: 0, maxSurge: 5, partition: 2 }), allOld(five)),
    expected: ['createPod n1', 'createPod n2', 'createPod n3'],
  },
  {
    name: 'with surge, a partition counts a node surged onto against it',
    snapshot: snapshot({
      ds: updating({ maxUnavailable: 0, maxSurge: 5, partition: 3 }),
      revisions: [oldRev, newRev],
      nodes: nodes(...five),
      pods: [pod('n1-old', 'n1', oldReady), pod('n1-new', 'n1', { hash: newHash }), ...five.slice(1).map((name) => pod(`${name}-pod`, name, oldReady))],
    }),
    expected: ['createPod n2'],
  },
  {
    name: 'with surge, a selector surges only onto matching nodes, and leaves unavailable old pods elsewhere alone',
    snapshot: rollout(
      updating({ maxUnavailable: 0, maxSurge: 5, selector: { matchLabels: canaryPool } }),
      { n1: { hash: oldHash }, n2: oldReady, n3: oldReady },
      { n3: canaryPool },
    ),
    expected: ['createPod n3'],
  },
  {
    name: 'a kept node that lost its pod gets one from the current template (a DaemonSet only creates from its template)',
    snapshot: rollout(updating({ maxUnavailable: 5, partition: 2 }), { n1: newReady, n2: newReady, n3: newReady, n4: oldReady }, {}, five),
    expected: ['createPod n5'],
  },
  {
    name: 'OnDelete ignores partition and selector: nothing is replaced',
    snapshot: rollout(
      daemonSet({ spec: { template: template('agent:2'), updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1, selector: { matchLabels: canaryPool } } } } }),
      allOld(five),
    ),
    expected: [],
  },
];

const createdHash = (actions: readonly DaemonSetAction[]): (string | undefined)[] =>
  actions.flatMap((action) => (action.kind === 'createPod' ? [action.pod.metadata.labels?.[controllerRevisionHashLabel]] : []));

describe('MyDaemonSet canary rolling update', () => {
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(podActions(plan(row.snapshot, t0)), row.expected);
    });
  }

  it('walks a partitioned rollout to its end: the last 2 of 5 nodes by name keep the old revision', () => {
    const ds = updating({ maxUnavailable: 1, partition: 2 });
    let state: Record<string, PodOptions> = allOld(five);
    const replaced: string[] = [];
    for (let step = 0; step < 10; step++) {
      const deletes = podActions(plan(rollout(ds, state), t0));
      if (deletes.length === 0) break;
      for (const line of deletes) {
        const nodeName = line.split(' ')[1]?.replace('-pod', '') ?? '';
        replaced.push(nodeName);
        state = { ...state, [nodeName]: newReady };
      }
    }
    assert.deepEqual(replaced, ['n1', 'n2', 'n3']);
    assert.deepEqual(Object.entries(state).filter(([, options]) => options.hash === oldHash).map(([name]) => name), ['n4', 'n5']);
  });
});

describe('MyDaemonSet pause', () => {
  const paused = (update: Update, spec: Partial<MyDaemonSetSpec> = {}): MyDaemonSet => updating(update, { paused: true, ...spec });

  it('replaces no pod because of a template change', () => {
    assert.deepEqual(podActions(plan(rollout(paused({ maxUnavailable: 5 }), allOld(five)), t0)), []);
    assert.deepEqual(podActions(plan(rollout(paused({ maxUnavailable: 0, maxSurge: 5 }), allOld(five)), t0)), []);
  });

  it('does not even replace an unavailable old pod', () => {
    assert.deepEqual(podActions(plan(rollout(paused({ maxUnavailable: 1 }), { n1: { hash: oldHash }, n2: oldReady }), t0)), []);
  });

  it('creates the current template on a node that has no pod', () => {
    const actions = plan(rollout(paused({ maxUnavailable: 5 }), allOld(['n1', 'n2']), {}, ['n1', 'n2', 'n3']), t0);
    assert.deepEqual(podActions(actions), ['createPod n3']);
    assert.deepEqual(createdHash(actions), [newHash]);
  });

  it('still deletes a failed pod, so that its node gets the current template', () => {
    const actions = plan(rollout(paused({ maxUnavailable: 5 }), { n1: { hash: oldHash, phase: 'Failed' }, n2: oldReady }), t0);
    assert.deepEqual(podActions(actions), ['deletePod n1-pod failedPod']);
  });

  it('still deletes pods on nodes that must not run them', () => {
    const s = snapshot({
      ds: paused({ maxUnavailable: 5 }),
      revisions: [oldRev, newRev],
      nodes: [node('n1'), node('n2', { taints: [{ key: 'x', effect: 'NoExecute' }] })],
      pods: [pod('n1-pod', 'n1', oldReady), pod('n2-pod', 'n2', oldReady)],
    });
    assert.deepEqual(podActions(plan(s, t0)), ['deletePod n2-pod nodeNotEligible']);
  });

  it('leaves a surge pair as it is, and retires the old pod once resumed', () => {
    const pair = (ds: MyDaemonSet): DaemonSetSnapshot =>
      snapshot({ ds, revisions: [oldRev, newRev], nodes: nodes('n1'), pods: [pod('n1-old', 'n1', oldReady), pod('n1-new', 'n1', newReady)] });
    assert.deepEqual(podActions(plan(pair(paused({ maxUnavailable: 0, maxSurge: 1 })), t0)), []);
    assert.deepEqual(podActions(plan(pair(updating({ maxUnavailable: 0, maxSurge: 1 })), t0)), ['deletePod n1-old replacedBySurgePod']);
  });

  it('leaves a surge pair whose old pod is no longer Ready as it is too', () => {
    const s = snapshot({
      ds: paused({ maxUnavailable: 0, maxSurge: 1 }),
      revisions: [oldRev, newRev],
      nodes: nodes('n1'),
      pods: [pod('n1-old', 'n1', { hash: oldHash }), pod('n1-new', 'n1', { hash: newHash })],
    });
    assert.deepEqual(podActions(plan(s, t0)), []);
  });
});

describe('MyDaemonSet update scope', () => {
  it('classifies a node by its live pods', () => {
    const one = (opts: PodOptions): ReturnType<typeof pod>[] => [pod('p', 'n1', opts)];
    assert.equal(nodeUpdateState(one(newReady), newHash), 'updated');
    assert.equal(nodeUpdateState(one(oldReady), newHash), 'old');
    assert.equal(nodeUpdateState(undefined, newHash), 'inFlight');
    assert.equal(nodeUpdateState(one({ ...oldReady, deleting: true }), newHash), 'inFlight');
    assert.equal(nodeUpdateState([pod('a', 'n1', oldReady), pod('b', 'n1', newReady)], newHash), 'inFlight');
    assert.equal(nodeUpdateState([pod('a', 'n1', oldReady), pod('b', 'n1', oldReady)], newHash), 'inFlight');
  });

  it('reads a canary only from a RollingUpdate that sets a partition or a selector', () => {
    assert.equal(rollingUpdateCanary(updating({ maxUnavailable: 1 })), undefined);
    assert.equal(rollingUpdateCanary(updating({ partition: 0 })), undefined);
    assert.deepEqual(rollingUpdateCanary(updating({ partition: 2 })), { partition: 2, selector: undefined });
    assert.deepEqual(rollingUpdateCanary(updating({ partition: -3, selector: { matchLabels: canaryPool } })), {
      partition: 0,
      selector: { matchLabels: canaryPool },
    });
    const onDelete = daemonSet({ spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 2 } } } });
    assert.equal(rollingUpdateCanary(onDelete), undefined);
  });

  it('counts updatable, updated and in-flight nodes and holds the rest back', () => {
    const ds = updating({ partition: 1, selector: { matchLabels: canaryPool } });
    const canary = rollingUpdateCanary(ds);
    const nodeList = ['n1', 'n2', 'n3', 'n4', 'n5'].map((name) => node(name, { labels: name === 'n5' ? {} : canaryPool }));
    const byNode = new Map([
      ['n1', [pod('a', 'n1', newReady)]],
      ['n3', [pod('c', 'n3', oldReady)]],
      ['n4', [pod('d', 'n4', oldReady)]],
      ['n5', [pod('e', 'n5', oldReady)]],
    ]);
    const scope = updateScope(ds, canary, nodeList, byNode, newHash);
    assert.deepEqual(
      { ...scope, held: [...scope.held].sort() },
      { updatable: ['n1', 'n2', 'n3', 'n4'], maxUpdated: 3, updated: 1, inFlight: 1, held: ['n4', 'n5'] },
    );
  });
});
