// Which MyReplicaSets a pod event wakes, and the expectations it feeds (upstream replica_set.go
// addPod, updatePod, deletePod): creations by count, deletions by pod key `namespace/name`.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyReplicaSet } from '../../src/api/workloads.ts';
import { podEventHandler } from '../../src/controllers/replicaset/event-handlers.ts';
import { Expectations } from '../../src/runtime/expectations.ts';
import type { EventHandler } from '../../src/runtime/informer/informer.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { uniqueName } from '../support/metrics.ts';
import { RecordingQueue } from '../support/recording-queue.ts';
import { iso, pod, replicaSet, t0 } from './replicaset-fixtures.ts';

const web = replicaSet({ spec: { minReadySeconds: 10 } });
/** Another set in the namespace whose selector matches the same pods. */
const twin = replicaSet({ name: 'twin', uid: 'twin-uid', spec: { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } } });
/** A set selecting other pods. */
const api = replicaSet({ name: 'api', uid: 'api-uid', spec: { selector: { matchLabels: { app: 'api' } } } });
/** A set with an empty selector: never woken for orphans. */
const everything = replicaSet({ name: 'everything', uid: 'everything-uid', spec: { selector: {} } });

interface Harness {
  readonly queue: RecordingQueue;
  readonly expectations: Expectations;
  readonly handler: EventHandler<Pod>;
}

function harness(...sets: MyReplicaSet[]): Harness {
  const store = new Store<MyReplicaSet>();
  for (const rs of sets.length > 0 ? sets : [web, twin, api, everything]) store.upsert(rs);
  const expectations = new Expectations({ controller: uniqueName('replicaset_events'), clock: new FakeClock(t0) });
  const queue = new RecordingQueue();
  return { queue, expectations, handler: podEventHandler({ replicaSets: store, expectations, queue }) };
}

/** The pod as a later watch event carries it: a new resourceVersion, with `changes` applied. */
function next(p: Pod, changes: Partial<Pod['metadata']> = {}, status: Pod['status'] = p.status): Pod {
  const resourceVersion = `${Number(p.metadata.resourceVersion ?? '1') + 1}`;
  return { ...p, metadata: { ...p.metadata, ...changes, resourceVersion }, status };
}

const owned = (): Pod => pod('web-a', { node: 'n1', owner: web, notReady: true });
const orphan = (): Pod => pod('stray', { node: 'n1', owner: null });
const deleting = { deletionTimestamp: iso(t0) };

describe('MyReplicaSet pod event handlers', () => {
  it('a controlled pod added is a creation observed, and wakes its set', () => {
    const h = harness();
    h.expectations.expectCreations('ns/web', 2);
    h.handler.onAdd?.(owned());
    assert.equal(h.expectations.get('ns/web')?.creations, 1);
    assert.deepEqual(h.queue.added, ['ns/web']);
  });

  it('a controlled pod deleted is a deletion observed by its key namespace/name, not its UID', () => {
    const h = harness();
    h.expectations.expectDeletions('ns/web', ['ns/web-a', 'ns/web-b']);
    h.handler.onDelete?.(owned());
    assert.deepEqual(h.expectations.get('ns/web')?.deletions, ['ns/web-b']);
    assert.deepEqual(h.queue.added, ['ns/web']);
  });

  it('a pod turning terminating counts as deleted, and its final delete does not count twice', () => {
    const h = harness();
    h.expectations.expectDeletions('ns/web', ['ns/web-a', 'ns/web-b']);
    const terminating = next(owned(), deleting);
    h.handler.onUpdate?.(owned(), terminating);
    assert.deepEqual(h.expectations.get('ns/web')?.deletions, ['ns/web-b']);
    h.handler.onDelete?.(terminating);
    assert.deepEqual(h.expectations.get('ns/web')?.deletions, ['ns/web-b']);
    assert.equal(h.expectations.satisfied('ns/web'), false);
  });

  it('a pod added already terminating (seen after a restart) is a deletion, not a creation', () => {
    const h = harness();
    h.expectations.expectCreations('ns/web', 1);
    h.expectations.expectDeletions('ns/web', ['ns/web-a']);
    h.handler.onAdd?.(next(owned(), deleting));
    assert.deepEqual(h.expectations.get('ns/web'), { creations: 1, deletions: [], setAt: t0 });
  });

  it('an orphan added wakes every set whose non-empty selector matches it', () => {
    const h = harness();
    h.handler.onAdd?.(orphan());
    assert.deepEqual(h.queue.added, ['ns/web', 'ns/twin']);
  });

  it('an orphan updated wakes the matching sets only when its labels changed', () => {
    const h = harness();
    h.handler.onUpdate?.(orphan(), next(orphan()));
    assert.deepEqual(h.queue.added, []);
    h.handler.onUpdate?.(orphan(), next(orphan(), { labels: { app: 'api' } }));
    assert.deepEqual(h.queue.added, ['ns/api']);
  });

  it('a pod released by its set wakes the former owner and the sets that may adopt it', () => {
    const h = harness();
    h.handler.onUpdate?.(owned(), next(owned(), { ownerReferences: [] }));
    assert.deepEqual(h.queue.added, ['ns/web', 'ns/web', 'ns/twin']);
  });

  it('an orphan deleted wakes nobody', () => {
    const h = harness();
    h.handler.onDelete?.(orphan());
    assert.deepEqual(h.queue.added, []);
  });

  it('ignores pods controlled by another kind or by a set of the same name with another UID', () => {
    const h = harness();
    const daemonPod: Pod = {
      ...orphan(),
      metadata: { ...orphan().metadata, ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDaemonSet', name: 'web', uid: 'rs-uid', controller: true }] },
    };
    h.expectations.expectCreations('ns/web', 1);
    h.handler.onAdd?.(daemonPod);
    h.handler.onAdd?.(pod('old-owner', { owner: replicaSet({ uid: 'recreated' }) }));
    assert.deepEqual(h.queue.added, []);
    assert.equal(h.expectations.get('ns/web')?.creations, 1);
  });

  it('a resync (same resourceVersion) is ignored', () => {
    const h = harness();
    h.handler.onUpdate?.(owned(), owned());
    assert.deepEqual(h.queue.added, []);
  });

  it('a pod turning Ready wakes its set now and again exactly minReadySeconds later', () => {
    const h = harness();
    h.handler.onUpdate?.(owned(), next(owned(), {}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(t0) }] }));
    assert.deepEqual(h.queue.added, ['ns/web']);
    assert.deepEqual(h.queue.delayed, ['ns/web after 10000']);
  });

  it('without minReadySeconds a pod turning Ready only wakes its set now', () => {
    const plain = replicaSet();
    const h = harness(plain);
    const p = pod('web-a', { owner: plain, notReady: true });
    h.handler.onUpdate?.(p, next(p, {}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }));
    assert.deepEqual(h.queue.added, ['ns/web']);
    assert.deepEqual(h.queue.delayed, []);
  });
});
