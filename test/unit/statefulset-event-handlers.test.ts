import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyStatefulSet } from '../../src/api/workloads.ts';
import {
  claimEventHandler,
  podEventHandler,
  revisionEventHandler,
  statefulSetsForClaim,
} from '../../src/controllers/statefulset/event-handlers.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { RecordingQueue } from '../support/recording-queue.ts';
import { makePod, makePvc, makeSet, nameOf, revisionOf, setRef } from './statefulset-fixtures.ts';

function setup(...sets: MyStatefulSet[]): { readonly store: Store<MyStatefulSet>; readonly queue: RecordingQueue } {
  const store = new Store<MyStatefulSet>();
  for (const set of sets) store.upsert(set);
  return { store, queue: new RecordingQueue() };
}

const web = makeSet({ claims: ['www'] });
const rev = nameOf(revisionOf(web, 1));
/** Another set in the namespace whose selector matches the same pods. */
const webby = { ...makeSet(), metadata: { ...makeSet().metadata, name: 'webby', uid: 'uid-webby' } };

function orphan(pod: Pod): Pod {
  return { ...pod, metadata: { ...pod.metadata, ownerReferences: [] } };
}

function bump(pod: Pod, changes: Partial<Pod['metadata']> = {}, status: Pod['status'] = pod.status): Pod {
  return { ...pod, metadata: { ...pod.metadata, ...changes, resourceVersion: `${Number(pod.metadata.resourceVersion ?? '0') + 1}` }, status };
}

describe('MyStatefulSet event handlers: pods', () => {
  it('enqueues the set a pod names as controller, and nothing for a stale reference', () => {
    const { store, queue } = setup(web);
    const handler = podEventHandler({ statefulSets: store, queue });
    handler.onAdd?.(makePod(web, 0, rev));
    const stale = makePod(web, 1, rev);
    handler.onAdd?.({ ...stale, metadata: { ...stale.metadata, ownerReferences: [setRef('uid-old')] } });
    assert.deepEqual(queue.added, ['ns/web']);
  });

  it('offers an orphan only to matching sets its name belongs to', () => {
    const { store, queue } = setup(web, webby);
    podEventHandler({ statefulSets: store, queue }).onAdd?.(orphan(makePod(web, 4, rev)));
    assert.deepEqual(queue.added, ['ns/web']);
  });

  it('ignores a resync that did not change the pod', () => {
    const { store, queue } = setup(web);
    const pod = makePod(web, 0, rev);
    podEventHandler({ statefulSets: store, queue }).onUpdate?.(pod, pod);
    assert.deepEqual(queue.added, []);
  });

  it('looks again after minReadySeconds when a pod turns Ready', () => {
    const slow = { ...web, spec: { ...web.spec, minReadySeconds: 10 } };
    const { store, queue } = setup(slow);
    const notReady = makePod(slow, 0, rev, { state: 'running' });
    const ready = bump(notReady, {}, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
    podEventHandler({ statefulSets: store, queue }).onUpdate?.(notReady, ready);
    assert.deepEqual(queue.added, ['ns/web']);
    assert.deepEqual(queue.delayed, ['ns/web after 10000']);
  });

  it('enqueues the former owner when the controller reference moves, and adopters when an orphan relabels', () => {
    const { store, queue } = setup(web);
    const handler = podEventHandler({ statefulSets: store, queue });
    const owned = makePod(web, 0, rev);
    const released = bump(orphan(owned), { labels: { other: 'x' } });
    handler.onUpdate?.(owned, released);
    assert.deepEqual(queue.added, ['ns/web']);
    handler.onUpdate?.(released, bump(released, { labels: { app: 'web' } }));
    assert.deepEqual(queue.added, ['ns/web', 'ns/web']);
  });

  it('enqueues the owner of a deleted pod, and nobody for a deleted orphan', () => {
    const { store, queue } = setup(web);
    const handler = podEventHandler({ statefulSets: store, queue });
    handler.onDelete?.(makePod(web, 0, rev));
    handler.onDelete?.(orphan(makePod(web, 1, rev)));
    assert.deepEqual(queue.added, ['ns/web']);
  });
});

describe('MyStatefulSet event handlers: claims and revisions', () => {
  it('maps a claim to the sets with a template that names it', () => {
    const { store } = setup(web, webby);
    assert.deepEqual(statefulSetsForClaim(makePvc('www-web-3'), store).map(nameOf), ['web']);
    assert.deepEqual(statefulSetsForClaim(makePvc('data-web-3'), store).map(nameOf), []);
    assert.deepEqual(statefulSetsForClaim(makePvc('www-web'), store).map(nameOf), []);
  });

  it('enqueues the set on claim changes, skipping resyncs', () => {
    const { store, queue } = setup(web);
    const handler = claimEventHandler({ statefulSets: store, queue });
    const claim = makePvc('www-web-0');
    handler.onAdd?.(claim);
    handler.onUpdate?.(claim, claim);
    handler.onDelete?.(claim);
    assert.deepEqual(queue.added, ['ns/web', 'ns/web']);
  });

  it('enqueues the owner of a revision, and the selecting sets of an orphan one', () => {
    const { store, queue } = setup(web);
    const handler = revisionEventHandler({ statefulSets: store, queue });
    const owned = revisionOf(web, 1);
    handler.onAdd?.(owned);
    handler.onAdd?.({ ...owned, metadata: { ...owned.metadata, ownerReferences: undefined } });
    assert.deepEqual(queue.added, ['ns/web', 'ns/web']);
  });
});
