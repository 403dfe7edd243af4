import assert from 'node:assert/strict';
import { compareResourceVersions, ConsistencyStore } from '../../src/runtime/consistency.ts';

class Cache {
  lastSyncResourceVersion = '';
}

describe('ConsistencyStore', () => {
  function setup(): { readonly store: ConsistencyStore; readonly pods: Cache; readonly claims: Cache } {
    const pods = new Cache();
    const claims = new Cache();
    pods.lastSyncResourceVersion = '100';
    claims.lastSyncResourceVersion = '100';
    return { store: new ConsistencyStore({ pods, claims }), pods, claims };
  }

  it('is ready for an owner that wrote nothing', () => {
    const { store } = setup();
    assert.equal(store.ensureReady('ns/web'), undefined);
  });

  it('holds the owner back until every cache has applied its newest write', () => {
    const { store, pods, claims } = setup();
    store.wroteAt('ns/web', 'uid-1', 'pods', '105');
    store.wroteAt('ns/web', 'uid-1', 'pods', '103');
    store.wroteAt('ns/web', 'uid-1', 'claims', '104');
    assert.deepEqual(store.ensureReady('ns/web'), { resource: 'pods', wroteResourceVersion: '105', readResourceVersion: '100' });
    pods.lastSyncResourceVersion = '110';
    assert.deepEqual(store.ensureReady('ns/web'), { resource: 'claims', wroteResourceVersion: '104', readResourceVersion: '100' });
    claims.lastSyncResourceVersion = '104';
    assert.equal(store.ensureReady('ns/web'), undefined);
  });

  it('forgets the writes once ready, so an older cache later does not block', () => {
    const { store, pods } = setup();
    store.wroteAt('ns/web', 'uid-1', 'pods', '101');
    pods.lastSyncResourceVersion = '101';
    assert.equal(store.ensureReady('ns/web'), undefined);
    pods.lastSyncResourceVersion = '50';
    assert.equal(store.ensureReady('ns/web'), undefined);
  });

  it('keeps owners apart and drops a record left by an earlier owner of the same name', () => {
    const { store } = setup();
    store.wroteAt('ns/web', 'uid-1', 'pods', '200');
    store.wroteAt('ns/db', 'uid-2', 'pods', '90');
    assert.equal(store.ensureReady('ns/db'), undefined);
    store.wroteAt('ns/web', 'uid-3', 'claims', '90');
    assert.equal(store.ensureReady('ns/web'), undefined);
  });

  it('clears a record only for the UID it was written for', () => {
    const { store } = setup();
    store.wroteAt('ns/web', 'uid-1', 'pods', '200');
    store.clear('ns/web', 'uid-other');
    assert.notEqual(store.ensureReady('ns/web'), undefined);
    store.clear('ns/web');
    assert.equal(store.ensureReady('ns/web'), undefined);
  });

  it('ignores writes without a resourceVersion, to unknown resources, and unparseable versions', () => {
    const { store, pods } = setup();
    store.wroteAt('ns/web', 'uid-1', 'pods', undefined);
    store.wroteAt('ns/web', 'uid-1', 'nodes', '999');
    assert.equal(store.ensureReady('ns/web'), undefined);
    store.wroteAt('ns/web', 'uid-1', 'pods', 'abc');
    assert.equal(store.ensureReady('ns/web'), undefined);
    store.wroteAt('ns/web', 'uid-1', 'pods', '999');
    pods.lastSyncResourceVersion = '';
    assert.equal(store.ensureReady('ns/web'), undefined, 'a cache that has not listed yet does not block');
  });

  it('compares resourceVersions as integers, beyond 2^53 too', () => {
    assert.equal(compareResourceVersions('9', '10'), -1);
    assert.equal(compareResourceVersions('10', '10'), 0);
    assert.equal(compareResourceVersions('18446744073709551615', '18446744073709551614'), 1);
    assert.equal(compareResourceVersions('', '1'), undefined);
  });
});
