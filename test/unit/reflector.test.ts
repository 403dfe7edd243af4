import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.ts';
import { resource } from '../../src/api/resources.ts';
import { TransportError, WatchIdleError } from '../../src/runtime/client/errors.ts';
import type { WatchEvent } from '../../src/runtime/client/watch-decoder.ts';
import { Reflector } from '../../src/runtime/informer/reflector.ts';
import type { StoreDelta } from '../../src/runtime/informer/store.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { registry } from '../../src/runtime/metrics/registry.ts';
import { FakeClock } from '../support/fake-clock.ts';
import type { FakeWatch } from '../support/fake-lister-watcher.ts';
import { FakeListerWatcher } from '../support/fake-lister-watcher.ts';
import { apiError } from '../support/fake-lease-api.ts';

// Objects carry only metadata: the reflector never looks further.
type Pod = KubeObject;
const pods = resource<Pod>('', 'v1', 'pods', 'Pod', true);

function pod(name: string, resourceVersion: string, uid = `uid-${name}`): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name, uid, resourceVersion } };
}

const added = (obj: Pod): WatchEvent<Pod> => ({ type: 'ADDED', object: obj });
const modified = (obj: Pod): WatchEvent<Pod> => ({ type: 'MODIFIED', object: obj });
const deleted = (obj: Pod): WatchEvent<Pod> => ({ type: 'DELETED', object: obj });
const bookmark = (resourceVersion: string): WatchEvent<Pod> => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion } } });
/** An ERROR event: its object is a Status, not a Pod. */
const expiredStatus = { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (30)', metadata: {} };
const expired = (): WatchEvent<Pod> => ({ type: 'ERROR', object: expiredStatus });

interface Harness {
  readonly clock: FakeClock;
  readonly lw: FakeListerWatcher<Pod>;
  readonly store: Store<Pod>;
  readonly reflector: Reflector<Pod>;
  /** Every delta passed to onDeltas, as `type:name@resourceVersion`. */
  readonly deltas: string[];
  /** Aborts the reflector and waits for run() to return. */
  stop(): Promise<void>;
}

function startReflector(): Harness {
  const clock = new FakeClock();
  const lw = new FakeListerWatcher<Pod>();
  const store = new Store<Pod>();
  const deltas: string[] = [];
  const record = (batch: readonly StoreDelta<Pod>[]): void => {
    for (const d of batch) deltas.push(`${d.type}:${d.obj.metadata.name ?? ''}@${d.obj.metadata.resourceVersion ?? ''}`);
  };
  const reflector = new Reflector<Pod>({
    listerWatcher: lw,
    resource: pods,
    store,
    onDeltas: record,
    logger: silentLogger(),
    clock,
    random: () => 0,
    watchTimeoutSeconds: () => 300,
  });
  const abort = new AbortController();
  const run = reflector.run(abort.signal);
  return {
    clock,
    lw,
    store,
    reflector,
    deltas,
    stop: async () => {
      abort.abort();
      await run;
    },
  };
}

/** The store's contents as sorted `name@resourceVersion`. */
function contents(store: Store<Pod>): string[] {
  return store
    .list()
    .map((p) => `${p.metadata.name ?? ''}@${p.metadata.resourceVersion ?? ''}`)
    .sort();
}

/** Answers the next list and returns the watch the reflector opens after it. */
async function listThenWatch(h: Harness, items: readonly Pod[], resourceVersion: string): Promise<FakeWatch<Pod>> {
  (await h.lw.nextList()).resolve({ items, resourceVersion });
  return h.lw.nextWatch();
}

async function restarts(reason: string): Promise<number> {
  const metric = await registry.getSingleMetric('my_workload_informer_watch_restarts_total')?.get();
  return metric?.values.find((v) => v.labels.resource === 'pods' && v.labels.reason === reason)?.value ?? 0;
}

async function relists(): Promise<number> {
  const metric = await registry.getSingleMetric('my_workload_informer_relists_total')?.get();
  return metric?.values.find((v) => v.labels.resource === 'pods')?.value ?? 0;
}

describe('Reflector', () => {
  it('lists, fills the store, then watches from the list resourceVersion', async () => {
    const h = startReflector();
    const list = await h.lw.nextList();
    assert.deepEqual(list.options, { limit: 500 });
    assert.equal(h.reflector.hasSynced, false);
    list.resolve({ items: [pod('a', '5'), pod('b', '6')], resourceVersion: '10' });
    const watch = await h.lw.nextWatch();
    assert.equal(h.reflector.hasSynced, true);
    assert.equal(h.reflector.lastSyncResourceVersion, '10');
    assert.deepEqual(contents(h.store), ['a@5', 'b@6']);
    assert.deepEqual(h.deltas, ['add:a@5', 'add:b@6']);
    const { signal: _signal, ...options } = watch.options;
    assert.deepEqual(options, { resourceVersion: '10', allowWatchBookmarks: true, timeoutSeconds: 300, idleTimeoutMs: undefined });
    await h.stop();
  });

  it('applies watch events to the store and follows their resourceVersion; bookmarks only move it', async () => {
    const h = startReflector();
    const watch = await listThenWatch(h, [pod('a', '5'), pod('b', '6')], '10');
    await watch.send(added(pod('c', '11')));
    await watch.send(modified(pod('a', '12')));
    await watch.send(deleted(pod('b', '13')));
    assert.deepEqual(contents(h.store), ['a@12', 'c@11']);
    assert.equal(h.reflector.lastSyncResourceVersion, '13');
    await watch.send(bookmark('20'));
    assert.equal(h.reflector.lastSyncResourceVersion, '20');
    assert.deepEqual(h.deltas.slice(2), ['add:c@11', 'update:a@12', 'delete:b@13']);
    await h.stop();
  });

  it('drops managedFields before storing', async () => {
    const h = startReflector();
    const withFields: Pod = { ...pod('a', '5'), metadata: { ...pod('a', '5').metadata, managedFields: [{ manager: 'kubectl' }] } };
    const watch = await listThenWatch(h, [withFields], '10');
    assert.equal(h.store.get('ns/a')?.metadata.managedFields, undefined);
    await watch.send(modified({ ...withFields, metadata: { ...withFields.metadata, resourceVersion: '11' } }));
    assert.equal(h.store.get('ns/a')?.metadata.managedFields, undefined);
    await h.stop();
  });

  it('resumes from the last resourceVersion when the server ends a watch, without relisting', async () => {
    const h = startReflector();
    const first = await listThenWatch(h, [pod('a', '5')], '10');
    const closedBefore = await restarts('closed');
    await first.send(added(pod('b', '11')));
    first.close();
    const second = await h.lw.nextWatch();
    assert.equal(second.options.resourceVersion, '11');
    assert.equal(h.lw.listCalls, 1);
    assert.equal(h.clock.waiting, 0, 'no backoff after a watch that delivered events');
    assert.equal(await restarts('closed'), closedBefore + 1);
    await h.stop();
  });

  it('relists at once after a 410 ERROR event, and the store converges on the new list', async () => {
    const h = startReflector();
    const watch = await listThenWatch(h, [pod('a', '5'), pod('b', '6')], '10');
    const goneBefore = await restarts('gone');
    const relistsBefore = await relists();
    await watch.send(expired());
    const relist = await h.lw.nextList();
    assert.equal(h.clock.waiting, 0, 'a relist is not backed off');
    // While the watch was gone: a was deleted, b updated, c created.
    relist.resolve({ items: [pod('b', '15'), pod('c', '16')], resourceVersion: '30' });
    const next = await h.lw.nextWatch();
    assert.equal(next.options.resourceVersion, '30');
    assert.deepEqual(contents(h.store), ['b@15', 'c@16']);
    assert.deepEqual(h.deltas.slice(2), ['update:b@15', 'add:c@16', 'delete:a@5']);
    assert.equal(await restarts('gone'), goneBefore + 1);
    assert.equal(await relists(), relistsBefore + 1);
    await h.stop();
  });

  it('relists after the watch request itself is answered 410 Gone', async () => {
    const h = startReflector();
    const watch = await listThenWatch(h, [pod('a', '5')], '10');
    watch.fail(apiError(410, 'Expired'));
    const relist = await h.lw.nextList();
    relist.resolve({ items: [], resourceVersion: '40' });
    const next = await h.lw.nextWatch();
    assert.equal(next.options.resourceVersion, '40');
    assert.deepEqual(contents(h.store), []);
    await h.stop();
  });

  it('backs off exponentially on watch failures and resumes from the last resourceVersion', async () => {
    const h = startReflector();
    const first = await listThenWatch(h, [pod('a', '5')], '10');
    await first.send(added(pod('b', '11')));
    first.fail(new TransportError('WATCH', '/api/v1/pods', new Error('socket hang up')));
    await h.clock.untilWaiting();
    assert.equal(h.clock.nextDeadline(), h.clock.now() + 800);
    h.clock.advance(799);
    assert.equal(h.lw.watchCalls, 1, 'no watch before the backoff has passed');
    h.clock.advance(1);
    const second = await h.lw.nextWatch();
    assert.equal(second.options.resourceVersion, '11');
    second.fail(new TransportError('WATCH', '/api/v1/pods', new Error('socket hang up')));
    await h.clock.untilWaiting();
    assert.equal(h.clock.nextDeadline(), h.clock.now() + 1_600);
    h.clock.advance(1_600);
    const third = await h.lw.nextWatch();
    assert.equal(third.options.resourceVersion, '11');
    assert.equal(h.lw.listCalls, 1);
    await h.stop();
  });

  it('retries a failed list after the backoff, and is not synced until a list succeeds', async () => {
    const h = startReflector();
    (await h.lw.nextList()).reject(apiError(500, 'InternalError'));
    await h.clock.untilWaiting();
    assert.equal(h.reflector.hasSynced, false);
    assert.equal(h.clock.nextDeadline(), h.clock.now() + 800);
    h.clock.advance(800);
    await listThenWatch(h, [pod('a', '5')], '10');
    assert.equal(h.reflector.hasSynced, true);
    assert.equal(h.lw.listCalls, 2);
    await h.stop();
  });

  it('backs off after a watch the server closes at once without events', async () => {
    const h = startReflector();
    const first = await listThenWatch(h, [], '10');
    first.close();
    await h.clock.untilWaiting();
    assert.equal(h.clock.nextDeadline(), h.clock.now() + 800);
    h.clock.advance(800);
    const second = await h.lw.nextWatch();
    assert.equal(second.options.resourceVersion, '10');
    await h.stop();
  });

  it('counts an idle watch by its typed error, apart from other failures', async () => {
    const h = startReflector();
    const idleBefore = await restarts('idle');
    const errorBefore = await restarts('error');
    const first = await listThenWatch(h, [], '10');
    first.fail(new WatchIdleError('/api/v1/pods', 120_000));
    await h.clock.untilWaiting();
    assert.equal(await restarts('idle'), idleBefore + 1);
    assert.equal(await restarts('error'), errorBefore);
    h.clock.advance(800);
    const second = await h.lw.nextWatch();
    second.fail(new TransportError('WATCH', '/api/v1/pods', new Error('watch idle for 5 ms')));
    await h.clock.untilWaiting();
    assert.equal(await restarts('idle'), idleBefore + 1, 'a message that mentions idleness is not enough');
    assert.equal(await restarts('error'), errorBefore + 1);
    await h.stop();
  });

  it('stops while waiting for a list, a watch event or a backoff', async () => {
    const listing = startReflector();
    await listing.lw.nextList();
    await listing.stop();

    const watching = startReflector();
    const watch = await listThenWatch(watching, [], '10');
    await watching.stop();
    assert.equal(watch.ended, true);

    const backingOff = startReflector();
    (await backingOff.lw.nextList()).reject(apiError(500, 'InternalError'));
    await backingOff.clock.untilWaiting();
    await backingOff.stop();
    assert.equal(backingOff.clock.waiting, 0);
  });
});
