import assert from 'node:assert/strict';
import type { MyDaemonSet } from '../../src/api/workloads.ts';
import { ownerEventHandler } from '../../src/controllers/shared/owner-events.ts';
import { Expectations } from '../../src/runtime/expectations.ts';
import type { EventHandler } from '../../src/runtime/informer/informer.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { RecordingQueue } from '../support/recording-queue.ts';
import { uniqueName } from '../support/metrics.ts';
import { daemonSet } from './daemonset-fixtures.ts';

const key = 'ns/agent';

function setup(): { readonly queue: RecordingQueue; readonly forgotten: string[]; readonly expectations: Expectations } {
  const forgotten: string[] = [];
  const expectations = new Expectations({ controller: uniqueName('owner_events'), clock: new FakeClock() });
  return { queue: new RecordingQueue(), forgotten, expectations };
}

function handlerFor({ queue, forgotten, expectations }: ReturnType<typeof setup>): EventHandler<MyDaemonSet> {
  return ownerEventHandler<MyDaemonSet>({
    queue,
    forget: (k, uid) => {
      forgotten.push(`${k} ${uid ?? '(any)'}`);
      expectations.delete(k);
    },
  });
}

const withUid = (uid: string, resourceVersion = '1'): MyDaemonSet => ({ ...daemonSet(), metadata: { ...daemonSet().metadata, uid, resourceVersion } });

describe('owner event handlers', () => {
  it('enqueues the owner on add, update and delete', () => {
    const h = setup();
    const handler = handlerFor(h);
    handler.onAdd?.(withUid('ds-uid'));
    handler.onUpdate?.(withUid('ds-uid'), withUid('ds-uid', '2'));
    handler.onDelete?.(withUid('ds-uid', '2'));
    assert.deepEqual(h.queue.added, [key, key, key]);
  });

  it('drops the expectations of a deleted owner at once, naming the instance that went', () => {
    const h = setup();
    h.expectations.expectCreations(key, 2);
    handlerFor(h).onDelete?.(withUid('ds-uid'));
    assert.equal(h.expectations.get(key), undefined);
    assert.equal(h.expectations.satisfied(key), true);
    assert.deepEqual(h.forgotten, [`${key} ds-uid`]);
  });

  it('drops them when an update shows another UID under the name (a recreate whose delete was missed)', () => {
    const h = setup();
    h.expectations.expectCreations(key, 2);
    handlerFor(h).onUpdate?.(withUid('ds-uid'), withUid('ds-uid-2', '5'));
    assert.equal(h.expectations.get(key), undefined);
    assert.deepEqual(h.forgotten, [`${key} ds-uid`]);
    assert.deepEqual(h.queue.added, [key, key]);
  });

  it('keeps them across an ordinary update and an add', () => {
    const h = setup();
    h.expectations.expectCreations(key, 2);
    const handler = handlerFor(h);
    handler.onAdd?.(withUid('ds-uid'));
    handler.onUpdate?.(withUid('ds-uid'), withUid('ds-uid', '2'));
    assert.equal(h.expectations.get(key)?.creations, 2);
    assert.deepEqual(h.forgotten, []);
  });
});
