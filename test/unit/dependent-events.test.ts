import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { OwnerReference } from '../../src/api/meta.ts';
import type { MyDaemonSet } from '../../src/api/workloads.ts';
import { podEventHandler as daemonSetPodHandler, revisionEventHandler as daemonSetRevisionHandler } from '../../src/controllers/daemonset/event-handlers.ts';
import { dependentEventHandler } from '../../src/controllers/shared/dependent-events.ts';
import type { DependentEventOptions } from '../../src/controllers/shared/dependent-events.ts';
import { controllerRefsEqual } from '../../src/controllers/shared/owner-lookup.ts';
import { podEventHandler as statefulSetPodHandler } from '../../src/controllers/statefulset/event-handlers.ts';
import { Expectations } from '../../src/runtime/expectations.ts';
import type { EventHandler } from '../../src/runtime/informer/informer.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { RecordingQueue } from '../support/recording-queue.ts';
import { uniqueName } from '../support/metrics.ts';
import { daemonSet, pod, revisionOf } from './daemonset-fixtures.ts';
import { makePod, makeSet, revisionOf as setRevisionOf } from './statefulset-fixtures.ts';

const agent = daemonSet();
/** A second MyDaemonSet in the namespace whose selector matches the same pods. */
const other: MyDaemonSet = { ...daemonSet(), metadata: { ...daemonSet().metadata, name: 'other', uid: 'other-uid' } };
const agentKey = 'ns/agent';

interface Harness {
  readonly queue: RecordingQueue;
  readonly owners: Store<MyDaemonSet>;
  readonly expectations: Expectations;
}

function harness(...owners: MyDaemonSet[]): Harness {
  const store = new Store<MyDaemonSet>();
  for (const owner of owners) store.upsert(owner);
  const expectations = new Expectations({ controller: uniqueName('dependent_events'), clock: new FakeClock() });
  return { queue: new RecordingQueue(), owners: store, expectations };
}

function handler(h: Harness, options: Partial<DependentEventOptions<Pod, MyDaemonSet>> = {}): EventHandler<Pod> {
  return dependentEventHandler<Pod, MyDaemonSet>({ ownerKind: 'MyDaemonSet', owners: h.owners, queue: h.queue, ...options });
}

/** The pod as a later watch event carries it: a new resourceVersion, with `changes` applied. */
function next(p: Pod, changes: Partial<Pod['metadata']> = {}, status: Pod['status'] = p.status): Pod {
  const resourceVersion = `${Number(p.metadata.resourceVersion ?? '1') + 1}`;
  return { ...p, metadata: { ...p.metadata, ...changes, resourceVersion }, status };
}

function withRef(p: Pod, change: Partial<OwnerReference>): Pod {
  const refs = p.metadata.ownerReferences ?? [];
  return next(p, { ownerReferences: refs.map((ref) => ({ ...ref, ...change })) });
}

const owned = (): Pod => ({ ...pod('agent-a', 'node-a'), metadata: { ...pod('agent-a', 'node-a').metadata, resourceVersion: '1' } });
const orphan = (): Pod => ({ ...owned(), metadata: { ...owned().metadata, ownerReferences: [] } });
const readyStatus: Pod['status'] = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };

describe('dependent event handlers: the controller reference', () => {
  it('compares references in every field, an absent field differing from false', () => {
    const ref = owned().metadata.ownerReferences?.[0];
    assert.ok(ref);
    assert.equal(controllerRefsEqual(ref, { ...ref }), true);
    assert.equal(controllerRefsEqual(undefined, undefined), true);
    assert.equal(controllerRefsEqual(ref, undefined), false);
    for (const change of [{ name: 'x' }, { apiVersion: 'apps.my.dev/v1' }, { kind: 'Other' }, { uid: 'u' }, { controller: false }]) {
      assert.equal(controllerRefsEqual(ref, { ...ref, ...change }), false, JSON.stringify(change));
    }
    const { blockOwnerDeletion: _dropped, ...withoutBlock } = ref;
    assert.equal(controllerRefsEqual(withoutBlock, { ...withoutBlock, blockOwnerDeletion: false }), false);
  });

  it('enqueues the former owner when the reference changes only in name (the new name resolves to nothing)', () => {
    const h = harness(agent);
    handler(h).onUpdate?.(owned(), withRef(owned(), { name: 'renamed' }));
    assert.deepEqual(h.queue.added, [agentKey]);
  });

  it('enqueues the former owner when the reference changes only in apiVersion or blockOwnerDeletion, then the current one', () => {
    const h = harness(agent);
    handler(h).onUpdate?.(owned(), withRef(owned(), { apiVersion: 'apps.my.dev/v1beta1' }));
    handler(h).onUpdate?.(owned(), withRef(owned(), { blockOwnerDeletion: false }));
    assert.deepEqual(h.queue.added, [agentKey, agentKey, agentKey, agentKey]);
  });

  it('enqueues the former owner and the adopters when the reference stops being the controller', () => {
    const h = harness(agent);
    handler(h).onUpdate?.(owned(), withRef(owned(), { controller: false }));
    assert.deepEqual(h.queue.added, [agentKey, agentKey]);
  });

  it('enqueues the owner once when the reference is unchanged, and nothing for a resync', () => {
    const h = harness(agent);
    handler(h).onUpdate?.(owned(), next(owned(), { labels: { app: 'agent', extra: 'x' } }));
    handler(h).onUpdate?.(owned(), owned());
    assert.deepEqual(h.queue.added, [agentKey]);
  });

  it('ignores a dependent controlled by an owner the cache does not hold under that UID', () => {
    const h = harness(agent);
    const stale = withRef(owned(), { uid: 'old-uid' });
    handler(h, { expectations: h.expectations }).onAdd?.(stale);
    handler(h).onDelete?.(stale);
    assert.deepEqual(h.queue.added, []);
  });
});

describe('dependent event handlers: expectations', () => {
  it('observes a creation when a controlled pod is added, none for an orphan', () => {
    const h = harness(agent);
    h.expectations.expectCreations(agentKey, 2);
    const handle = handler(h, { expectations: h.expectations });
    handle.onAdd?.(owned());
    handle.onAdd?.(orphan());
    assert.equal(h.expectations.get(agentKey)?.creations, 1);
    assert.deepEqual(h.queue.added, [agentKey, agentKey]);
  });

  it('observes a deletion, by UID, when a controlled pod is deleted', () => {
    const h = harness(agent);
    h.expectations.expectDeletions(agentKey, ['uid-agent-a', 'uid-agent-b']);
    handler(h, { expectations: h.expectations }).onDelete?.(owned());
    assert.deepEqual(h.expectations.get(agentKey)?.deletions, ['uid-agent-b']);
    assert.deepEqual(h.queue.added, [agentKey]);
  });

  it('counts a pod first seen terminating as deleted, not created', () => {
    const h = harness(agent);
    h.expectations.expectCreations(agentKey, 1);
    h.expectations.expectDeletions(agentKey, ['uid-agent-a']);
    handler(h, { expectations: h.expectations }).onAdd?.(next(owned(), { deletionTimestamp: '2026-01-01T00:00:00Z' }));
    assert.equal(h.expectations.get(agentKey)?.creations, 1);
    assert.deepEqual(h.expectations.get(agentKey)?.deletions, []);
    assert.deepEqual(h.queue.added, [agentKey]);
  });

  it('with expectations, counts a pod turning terminating as deleted and schedules no recheck', () => {
    const h = harness(agent);
    h.expectations.expectDeletions(agentKey, ['uid-agent-a']);
    const handle = handler(h, { expectations: h.expectations, recheckAfterMs: () => 5_000 });
    handle.onUpdate?.(owned(), next(owned(), { deletionTimestamp: '2026-01-01T00:00:00Z' }, readyStatus));
    assert.equal(h.expectations.satisfied(agentKey), true);
    assert.deepEqual(h.queue.added, [agentKey]);
    assert.deepEqual(h.queue.delayed, []);
  });

  it('without expectations, a pod turning terminating is an ordinary update', () => {
    const h = harness(agent);
    handler(h, { recheckAfterMs: () => 5_000 }).onUpdate?.(owned(), next(owned(), { deletionTimestamp: '2026-01-01T00:00:00Z' }));
    assert.deepEqual(h.queue.added, [agentKey]);
    assert.deepEqual(h.queue.delayed, [`${agentKey} after 5000`]);
  });
});

describe('dependent event handlers: orphans', () => {
  it('offers an added orphan to every selecting owner the kind lets adopt it', () => {
    const h = harness(agent, other);
    handler(h).onAdd?.(orphan());
    handler(h, { mayAdopt: (owner) => owner.metadata.name === 'other' }).onAdd?.(orphan());
    assert.deepEqual(h.queue.added, [agentKey, 'ns/other', 'ns/other']);
  });

  it('offers an updated orphan again only when its labels or reference changed', () => {
    const h = harness(agent);
    const handle = handler(h);
    handle.onUpdate?.(orphan(), next(orphan()));
    assert.deepEqual(h.queue.added, []);
    handle.onUpdate?.(orphan(), next(orphan(), { labels: { app: 'agent', tier: 'x' } }));
    assert.deepEqual(h.queue.added, [agentKey]);
  });

  it('enqueues the former owner and the adopters when a pod is released', () => {
    const h = harness(agent, other);
    handler(h).onUpdate?.(owned(), next(orphan()));
    assert.deepEqual(h.queue.added, [agentKey, agentKey, 'ns/other']);
  });

  it('does not offer an orphan controlled by another kind, nor wait for an orphan delete', () => {
    const h = harness(agent);
    const foreign = withRef(owned(), { kind: 'ReplicaSet' });
    handler(h).onAdd?.(foreign);
    handler(h).onDelete?.(orphan());
    assert.deepEqual(h.queue.added, []);
  });
});

describe('dependent event handlers: readiness recheck per kind', () => {
  const turnedReady = (p: Pod): Pod => next(p, {}, readyStatus);

  it('MyDaemonSet: minReadySeconds and one second after a pod turned Ready', () => {
    const slow: MyDaemonSet = { ...agent, spec: { ...agent.spec, minReadySeconds: 10 } };
    const h = harness(slow);
    const handle = daemonSetPodHandler({ daemonSets: h.owners, pods: new Store<Pod>(), expectations: h.expectations, queue: h.queue });
    handle.onUpdate?.(owned(), turnedReady(owned()));
    handle.onUpdate?.(turnedReady(owned()), next(turnedReady(owned())));
    assert.deepEqual(h.queue.delayed, [`${agentKey} after 11000`]);
    assert.deepEqual(h.queue.added, [agentKey, agentKey]);
  });

  it('MyDaemonSet: no recheck without minReadySeconds', () => {
    const h = harness(agent);
    daemonSetPodHandler({ daemonSets: h.owners, pods: new Store<Pod>(), expectations: h.expectations, queue: h.queue }).onUpdate?.(
      owned(),
      turnedReady(owned()),
    );
    assert.deepEqual(h.queue.delayed, []);
  });

  it('MyStatefulSet: exactly minReadySeconds after a pod turned Ready', () => {
    const set = makeSet({ minReadySeconds: 3 });
    const sets = new Store<typeof set>();
    sets.upsert(set);
    const queue = new RecordingQueue();
    const notReady = makePod(set, 0, 'rev', { state: 'running' });
    statefulSetPodHandler({ statefulSets: sets, queue }).onUpdate?.(notReady, next(notReady, {}, readyStatus));
    assert.deepEqual(queue.delayed, ['ns/web after 3000']);
  });
});

describe('dependent event handlers: revisions', () => {
  it('MyDaemonSet revisions carry no expectations and no recheck', () => {
    const h = harness(agent);
    h.expectations.expectCreations(agentKey, 1);
    const revision = { ...revisionOf(agent, 1), metadata: { ...revisionOf(agent, 1).metadata, resourceVersion: '1' } };
    const handle = daemonSetRevisionHandler({ daemonSets: h.owners, pods: new Store<Pod>(), expectations: h.expectations, queue: h.queue });
    handle.onAdd?.(revision);
    handle.onUpdate?.(revision, { ...revision, metadata: { ...revision.metadata, resourceVersion: '2' } });
    handle.onDelete?.(revision);
    assert.equal(h.expectations.get(agentKey)?.creations, 1);
    assert.deepEqual(h.queue.added, [agentKey, agentKey, agentKey]);
  });

  it('a revision first seen terminating wakes only its owner', () => {
    const set = makeSet();
    const sets = new Store<typeof set>();
    sets.upsert(set);
    const queue = new RecordingQueue();
    const revision = setRevisionOf(set, 1);
    const handle = dependentEventHandler({ ownerKind: 'MyStatefulSet', owners: sets, queue });
    handle.onAdd?.({ ...revision, metadata: { ...revision.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } });
    handle.onAdd?.({ ...revision, metadata: { ...revision.metadata, ownerReferences: [], deletionTimestamp: '2025-01-01T00:00:00Z' } });
    assert.deepEqual(queue.added, ['ns/web']);
  });
});
