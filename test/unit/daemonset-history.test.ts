import assert from 'node:assert/strict';
import type { ControllerRevision } from '../../src/api/core.ts';
import type { DaemonSetSnapshot } from '../../src/controllers/daemonset/plan.ts';
import { plan } from '../../src/controllers/daemonset/plan.ts';
import { constructHistory } from '../../src/controllers/daemonset/history.ts';
import { daemonSet, describeAction, hashOf, nodes, pod, ready, revisionOf, snapshot, t0, template } from './daemonset-fixtures.ts';

const v1 = template('agent:1');
const v2 = template('agent:2');
const v3 = template('agent:3');
const dsV1 = daemonSet({ spec: { template: v1 } });
const dsV2 = daemonSet({ spec: { template: v2 } });

const r1 = revisionOf(dsV1, 1, v1);
const r2 = revisionOf(dsV1, 2, v2);
const r3 = revisionOf(dsV1, 3, v3);

/** A revision with the same data under another name (as after a collisionCount bump). */
function duplicateOf(revision: ControllerRevision, number: number, name: string): ControllerRevision {
  return {
    ...revision,
    revision: number,
    metadata: { ...revision.metadata, name, labels: { ...revision.metadata.labels, 'controller-revision-hash': name.slice('agent-'.length) } },
  };
}

function unlabelled(revision: ControllerRevision): ControllerRevision {
  return { ...revision, metadata: { ...revision.metadata, labels: { app: 'agent' } } };
}

const historyKinds = new Set(['labelRevision', 'createRevision', 'relabelPod', 'deleteRevision', 'updateRevisionNumber']);

interface Row {
  readonly name: string;
  readonly snapshot: DaemonSetSnapshot;
  readonly now: number;
  /** The history actions of the plan, in order. */
  readonly expected: readonly string[];
}

/** Revisions named by number for readability: agent-<hash> is opaque. */
const names = new Map([r1, r2, r3].map((r) => [r.metadata.name ?? '', `r${r.revision}`]));
const readable = (line: string): string => [...names].reduce((text, [name, short]) => text.replaceAll(name, short), line);

const manyOld = Array.from({ length: 11 }, (_, i) => revisionOf(dsV1, i + 1, template(`agent:old-${i}`)));

const rows: readonly Row[] = [
  {
    name: 'creates the first revision as number 1',
    snapshot: snapshot({ ds: dsV1, nodes: nodes('n1') }),
    now: t0,
    expected: ['createRevision #1'],
  },
  {
    name: 'creates revision 2 after a template change',
    snapshot: snapshot({ ds: dsV2, revisions: [r1], nodes: nodes('n1') }),
    now: t0,
    expected: ['createRevision #2'],
  },
  {
    name: 'does nothing when the current revision is already the newest',
    snapshot: snapshot({ ds: dsV2, revisions: [r1, r2] }),
    now: t0,
    expected: [],
  },
  {
    name: 'on rollback renumbers the matching old revision instead of creating one',
    snapshot: snapshot({ ds: dsV1, revisions: [r1, r2] }),
    now: t0,
    expected: ['updateRevisionNumber r1 #3'],
  },
  {
    name: 'labels a revision that lacks the hash label with its own name',
    snapshot: snapshot({ ds: dsV2, revisions: [unlabelled(r1), r2] }),
    now: t0,
    expected: ['labelRevision r1 r1'],
  },
  {
    name: 'keeps the highest of equal revisions, relabels pods not carrying its hash, deletes the others',
    snapshot: snapshot({
      ds: dsV2,
      revisions: [r1, r2, duplicateOf(r2, 4, 'agent-dup')],
      nodes: nodes('n1', 'n2', 'n3'),
      pods: [pod('p-r2', 'n1', { hash: hashOf(r2) }), pod('p-dup', 'n2', { hash: 'dup' }), pod('p-r1', 'n3', { hash: hashOf(r1) })],
    }),
    now: t0,
    expected: ['relabelPod p-r2', 'relabelPod p-r1', 'deleteRevision r2 duplicate'],
  },
  {
    name: 'renumbers the kept duplicate when an old revision is newer',
    snapshot: snapshot({ ds: dsV1, revisions: [r1, duplicateOf(r1, 2, 'agent-dup'), r3] }),
    now: t0,
    expected: ['deleteRevision r1 duplicate', 'updateRevisionNumber agent-dup #4'],
  },
  {
    name: 'deletes the oldest revisions beyond revisionHistoryLimit, skipping those a pod carries',
    snapshot: snapshot({
      ds: daemonSet({ spec: { template: template('agent:4'), revisionHistoryLimit: 1 } }),
      revisions: [r1, r2, r3, revisionOf(dsV1, 4, template('agent:4'))],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash: hashOf(r2), ...ready })],
    }),
    now: t0,
    expected: ['deleteRevision r1 historyLimit', 'deleteRevision r3 historyLimit'],
  },
  {
    name: 'counts live revisions toward the limit but never deletes them',
    snapshot: snapshot({
      ds: daemonSet({ spec: { template: v3, revisionHistoryLimit: 0 } }),
      revisions: [r1, r2, r3],
      nodes: nodes('n1', 'n2'),
      pods: [pod('p1', 'n1', { hash: hashOf(r1), ...ready }), pod('p2', 'n2', { hash: hashOf(r2), ...ready })],
    }),
    now: t0,
    expected: [],
  },
  {
    name: 'keeps a revision alive for a terminal pod that is being deleted',
    snapshot: snapshot({
      ds: daemonSet({ spec: { template: v3, revisionHistoryLimit: 0 } }),
      revisions: [r1, r2, r3],
      nodes: nodes('n1'),
      pods: [pod('p1', 'n1', { hash: hashOf(r1), phase: 'Failed', deleting: true }), pod('p2', 'n1', { hash: hashOf(r3), ...ready, created: t0 })],
    }),
    now: t0,
    expected: ['deleteRevision r2 historyLimit'],
  },
  {
    name: 'keeps 10 old revisions by default',
    snapshot: snapshot({ ds: dsV2, revisions: [...manyOld, revisionOf(dsV1, 12, v2)] }),
    now: t0,
    expected: [`deleteRevision ${manyOld[0]?.metadata.name ?? ''} historyLimit`],
  },
  {
    name: 'still constructs history while expectations are unsatisfied, but does not clean it up',
    snapshot: snapshot({ ds: daemonSet({ spec: { template: v3, revisionHistoryLimit: 0 } }), revisions: [r1, r2], expectationsSatisfied: false }),
    now: t0,
    expected: ['createRevision #3'],
  },
];

describe('MyDaemonSet history', () => {
  for (const row of rows) {
    it(row.name, () => {
      const actions = plan(row.snapshot, row.now).filter((action) => historyKinds.has(action.kind));
      assert.deepEqual(actions.map(describeAction).map(readable), row.expected);
    });
  }

  it('builds the new revision: name, labels, annotations, owner, data', () => {
    const ds = daemonSet({ spec: { template: v2 }, annotations: { team: 'infra' } });
    const { current, hash } = constructHistory(ds, [r1], []);
    assert.equal(current.metadata.name, `agent-${hash}`);
    assert.deepEqual(current.metadata.labels, { app: 'agent', 'controller-revision-hash': hash });
    assert.deepEqual(current.metadata.annotations, { team: 'infra' });
    assert.equal(current.metadata.ownerReferences?.[0]?.uid, 'ds-uid');
    assert.deepEqual(current.data, { spec: { template: { ...v2, $patch: 'replace' } } });
    assert.equal(current.revision, 2);
  });

  it('keeps the hash of a rolled-back revision, so its pods stay up to date', () => {
    const { hash, current } = constructHistory(dsV1, [r1, r2], []);
    assert.equal(hash, hashOf(r1));
    assert.equal(current.revision, 3);
  });

  it('changes the hash when collisionCount changes', () => {
    const plain = constructHistory(dsV2, [], []).hash;
    const bumped = constructHistory(daemonSet({ spec: { template: v2 }, status: { collisionCount: 1 } }), [], []).hash;
    assert.notEqual(plain, bumped);
  });

  it('labels the pods it creates with the new revision hash', () => {
    const actions = plan(snapshot({ ds: dsV2, revisions: [r1], nodes: nodes('n1') }), t0);
    const created = actions.find((action) => action.kind === 'createRevision');
    const createdPod = actions.find((action) => action.kind === 'createPod');
    assert.ok(created?.kind === 'createRevision' && createdPod?.kind === 'createPod');
    assert.equal(createdPod.pod.metadata.labels?.['controller-revision-hash'], hashOf(created.revision));
  });
});
