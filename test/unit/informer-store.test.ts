import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.ts';
import { Backoff } from '../../src/runtime/informer/backoff.ts';
import { dropManagedFields } from '../../src/runtime/informer/reflector.ts';
import { applyWatchEvent, controllerIndex, namespaceIndex, replaceAll, Store } from '../../src/runtime/informer/store.ts';
import { FakeClock } from '../support/fake-clock.ts';

function obj(name: string, rv: string, uid = `uid-${name}`, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { metadata: { namespace: 'ns', name, uid, resourceVersion: rv, ...extra } };
}

function summary(deltas: ReturnType<typeof replaceAll>): string[] {
  return deltas.map((d) => `${d.type}:${d.obj.metadata.name ?? ''}@${d.obj.metadata.resourceVersion ?? ''}`);
}

describe('informer store', () => {
  describe('relist (replaceAll)', () => {
    const table: { name: string; before: KubeObject[]; list: KubeObject[]; deltas: string[] }[] = [
      { name: 'adds everything into an empty store', before: [], list: [obj('a', '1'), obj('b', '2')], deltas: ['add:a@1', 'add:b@2'] },
      { name: 'emits nothing for unchanged objects', before: [obj('a', '1')], list: [obj('a', '1')], deltas: [] },
      { name: 'updates objects whose resourceVersion changed', before: [obj('a', '1')], list: [obj('a', '5')], deltas: ['update:a@5'] },
      {
        name: 'deletes objects missing from the list with their last known state',
        before: [obj('a', '1'), obj('b', '2')],
        list: [obj('a', '1')],
        deltas: ['delete:b@2'],
      },
      {
        name: 'turns a same-name object with a new UID into delete + add',
        before: [obj('a', '1', 'old')],
        list: [obj('a', '7', 'new')],
        deltas: ['delete:a@1', 'add:a@7'],
      },
    ];
    for (const row of table) {
      it(row.name, () => {
        const store = new Store<KubeObject>();
        for (const o of row.before) store.upsert(o);
        assert.deepEqual(summary(replaceAll(store, row.list)), row.deltas);
        assert.deepEqual(
          store.list().map((o) => `${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''}`).sort(),
          row.list.map((o) => `${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''}`).sort(),
        );
      });
    }
  });

  describe('watch events', () => {
    it('adds, updates and deletes', () => {
      const store = new Store<KubeObject>();
      assert.deepEqual(summary(applyWatchEvent(store, 'ADDED', obj('a', '1'))), ['add:a@1']);
      assert.deepEqual(summary(applyWatchEvent(store, 'MODIFIED', obj('a', '2'))), ['update:a@2']);
      assert.deepEqual(summary(applyWatchEvent(store, 'DELETED', obj('a', '3'))), ['delete:a@3']);
      assert.equal(store.size, 0);
    });

    it('replaces an object whose UID changed under the same name', () => {
      const store = new Store<KubeObject>();
      applyWatchEvent(store, 'ADDED', obj('a', '1', 'u1'));
      assert.deepEqual(summary(applyWatchEvent(store, 'ADDED', obj('a', '4', 'u2'))), ['delete:a@1', 'add:a@4']);
      assert.equal(store.get('ns/a')?.metadata.uid, 'u2');
    });

    it('keeps the current object when a delete of an older incarnation arrives', () => {
      const store = new Store<KubeObject>();
      applyWatchEvent(store, 'ADDED', obj('a', '4', 'u2'));
      applyWatchEvent(store, 'DELETED', obj('a', '3', 'u1'));
      assert.equal(store.get('ns/a')?.metadata.uid, 'u2');
    });
  });

  describe('indexes', () => {
    it('finds objects by namespace and controller UID and follows updates', () => {
      const owned = (name: string, owner: string): KubeObject =>
        obj(name, '1', `uid-${name}`, {
          ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: owner, uid: owner, controller: true }],
        });
      const store = new Store<KubeObject>();
      store.upsert(owned('a', 'o1'));
      store.upsert(owned('b', 'o1'));
      store.upsert({ metadata: { namespace: 'other', name: 'c', uid: 'c' } });
      assert.deepEqual(store.byIndex(controllerIndex, 'o1').map((o) => o.metadata.name).sort(), ['a', 'b']);
      assert.equal(store.byIndex(namespaceIndex, 'other').length, 1);
      store.upsert(owned('b', 'o2'));
      assert.deepEqual(store.byIndex(controllerIndex, 'o1').map((o) => o.metadata.name), ['a']);
      assert.deepEqual(store.byIndex(controllerIndex, 'o2').map((o) => o.metadata.name), ['b']);
      store.remove('ns/a');
      assert.deepEqual(store.byIndex(controllerIndex, 'o1'), []);
    });

    it('supports custom indexes such as pod node name', () => {
      const store = new Store<KubeObject & { spec?: { nodeName?: string } }>({ nodeName: (p) => [p.spec?.nodeName ?? ''] });
      store.upsert({ metadata: { namespace: 'ns', name: 'p', uid: 'p' }, spec: { nodeName: 'n1' } });
      assert.equal(store.byIndex('nodeName', 'n1').length, 1);
    });
  });

  it('drops managedFields without touching the input', () => {
    const input = obj('a', '1', 'u', { managedFields: [{ manager: 'x' }] });
    const out = dropManagedFields(input);
    assert.equal(out.metadata.managedFields, undefined);
    assert.equal(input.metadata.managedFields?.length, 1);
  });

  describe('reflector backoff', () => {
    it('doubles from 800 ms to a 30 s cap, each delay jittered within [d, 2d)', () => {
      const clock = new FakeClock();
      const low = new Backoff(clock, { random: () => 0 });
      const seq = Array.from({ length: 8 }, () => low.next());
      assert.deepEqual(seq, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
      const high = new Backoff(clock, { random: () => 0.999 });
      assert.ok(high.next() < 1600 && high.next() >= 1600);
    });

    it('starts over after two quiet minutes', () => {
      const clock = new FakeClock();
      const b = new Backoff(clock, { random: () => 0 });
      b.next();
      b.next();
      b.next();
      clock.advance(120_001);
      assert.equal(b.next(), 800);
    });
  });
});
