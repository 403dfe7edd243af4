// The MyStatefulSet executor's side of claim growth: the storage patch on the wire, its Events, its
// failures, the one-off ClaimResizeForbidden / ClaimResized, the VolumeResizing condition in the
// sync's conditions write, and the StorageClass event handler.
import assert from 'node:assert/strict';
import type { MyStatefulSet } from '../../src/api/workloads.ts';
import { CreateBackoff } from '../../src/controllers/shared/create-backoff.ts';
import { storageClassEventHandler } from '../../src/controllers/statefulset/event-handlers.ts';
import type { ExecutionResult } from '../../src/controllers/statefulset/execute.ts';
import { executeStatefulSetPlan } from '../../src/controllers/statefulset/execute.ts';
import { realObjectManager } from '../../src/controllers/statefulset/object-manager.ts';
import { OnceNotices } from '../../src/controllers/shared/once-notices.ts';
import { WritePacer } from '../../src/runtime/write-pacer.ts';
import { UnwrittenStatus } from '../../src/controllers/statefulset/unwritten-status.ts';
import type { StatefulSetSnapshot } from '../../src/controllers/statefulset/plan.ts';
import { planSync } from '../../src/controllers/statefulset/plan.ts';
import type { EventType, InvolvedObject } from '../../src/runtime/events.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { apiError } from '../support/fake-lease-api.ts';
import type { RecordingApiServer } from '../support/recording-api-server.ts';
import { startRecordingApiServer } from '../support/recording-api-server.ts';
import { claim, claims, claimsSnapshot, expandable, fixedSize, grownSet, withStatus } from './statefulset-claims-fixtures.ts';
import type { RecordedEvent } from './statefulset-execute-harness.ts';
import { eventLines, FakeObjects } from './statefulset-execute-harness.ts';
import { makeSet, now } from './statefulset-fixtures.ts';

/** The executor with fakes, running planSync (the controller's plan) on each snapshot. */
function growthHarness(): {
  readonly objects: FakeObjects;
  readonly events: RecordedEvent[];
  run(snap: StatefulSetSnapshot): Promise<ExecutionResult>;
} {
  const objects = new FakeObjects();
  const clock = new FakeClock(now);
  const events: RecordedEvent[] = [];
  const recorder = {
    event(_obj: InvolvedObject, type: EventType, reason: string, message: string): void {
      events.push({ type, reason, message });
    },
  };
  const deps = { objects, recorder, log: captureLogger().logger, createBackoff: new CreateBackoff(clock), clock, notices: new OnceNotices(), statusPacer: new WritePacer({ clock }), unwritten: new UnwrittenStatus() };
  return {
    objects,
    events,
    run: (snap) => executeStatefulSetPlan(deps, snap.set, planSync(snap, clock.now()), (set) => planSync({ ...snap, set }, clock.now())),
  };
}

const growthWrites = (calls: readonly string[]): string[] => calls.filter((c) => c.startsWith('patchClaimStorage') || c === 'writeConditions' || c === 'patchStatus');

describe('MyStatefulSet executor: claim growth', () => {
  it('patches every claim, records ResizingClaim for each, then writes VolumeResizing and the status', async () => {
    const h = growthHarness();
    const set = grownSet('2Gi');
    h.objects.conditions = set.status?.conditions;
    await h.run(claimsSnapshot(set, claims([0, 1, 2])));
    assert.deepEqual(growthWrites(h.objects.calls), [
      'patchClaimStorage www-web-0 2Gi',
      'patchClaimStorage www-web-1 2Gi',
      'patchClaimStorage www-web-2 2Gi',
      'writeConditions',
      'patchStatus',
    ]);
    assert.deepEqual(
      eventLines(h.events),
      [0, 1, 2].map((i) => `Normal ResizingClaim: raised the storage request of claim www-web-${i} from 1Gi to 2Gi`),
    );
    assert.deepEqual(
      h.objects.conditions?.filter((c) => c.type === 'VolumeResizing').map((c) => `${c.status}/${c.reason ?? ''}`),
      ['True/Resizing'],
    );
    assert.deepEqual(h.objects.statuses[0]?.volumeClaimTemplates, [{ name: 'www', requestedStorage: '2Gi', updatedClaims: 0, resizedClaims: 0 }]);
  });

  it('sends the patches of one sync at once', async () => {
    const h = growthHarness();
    await h.run(claimsSnapshot(grownSet('2Gi'), claims([0, 1, 2])));
    const starts = h.objects.timeline.filter((e) => e.includes('patchClaimStorage'));
    assert.deepEqual(
      starts.map((e) => e.split(' ')[0]),
      ['start', 'start', 'start', 'end', 'end', 'end'],
    );
  });

  it('warns ClaimResizeFailed with the API server message and fails the sync when a patch is refused', async () => {
    const h = growthHarness();
    h.objects.failures.set('patchClaimStorage www-web-1 2Gi', apiError(403, 'Forbidden', 'exceeded quota: storage, requested: requests.storage=1Gi'));
    await assert.rejects(h.run(claimsSnapshot(grownSet('2Gi'), claims([0, 1, 2]))), /raising the storage request of claim www-web-1: exceeded quota/);
    assert.deepEqual(eventLines(h.events).filter((e) => e.startsWith('Warning')), [
      'Warning ClaimResizeFailed: could not raise the storage request of claim www-web-1 to 2Gi: exceeded quota: storage, requested: requests.storage=1Gi',
    ]);
    assert.equal(eventLines(h.events).filter((e) => e.startsWith('Normal ResizingClaim')).length, 2);
    // The condition and status are still written.
    assert.ok(h.objects.calls.includes('writeConditions'));
    assert.ok(h.objects.calls.includes('patchStatus'));
  });

  const gone: readonly { readonly name: string; readonly error: Error }[] = [
    { name: 'deleted', error: apiError(404, 'NotFound') },
    { name: 'replaced (metadata.uid is immutable)', error: apiError(422, 'Invalid', 'PersistentVolumeClaim "www-web-0" is invalid: metadata.uid: Invalid value: "uid-x": field is immutable') },
    { name: 'replaced (UID precondition)', error: apiError(409, 'Conflict', 'Precondition failed: UID in precondition: uid-www-web-0, UID in object meta: uid-x') },
  ];
  for (const { name, error } of gone) {
    it(`leaves a claim ${name} since planning to the next sync, without an Event or error`, async () => {
      const h = growthHarness();
      h.objects.failures.set('patchClaimStorage www-web-0 2Gi', error);
      await h.run(claimsSnapshot(grownSet('2Gi'), claims([0, 1, 2])));
      assert.deepEqual(
        eventLines(h.events),
        [1, 2].map((i) => `Normal ResizingClaim: raised the storage request of claim www-web-${i} from 1Gi to 2Gi`),
      );
    });
  }

  it('records ClaimResizeForbidden once per claim and size while it lasts, and again at a new size', async () => {
    const h = growthHarness();
    const fixed = claims([0, 1, 2], { className: 'fixed' });
    await h.run(claimsSnapshot(grownSet('2Gi'), fixed));
    await h.run(claimsSnapshot(grownSet('2Gi'), fixed));
    assert.deepEqual(eventLines(h.events), [0, 1, 2].map((i) => `Warning ClaimResizeForbidden: claim www-web-${i} cannot grow from 1Gi to 2Gi: StorageClass "fixed" does not allow volume expansion; it keeps its size`));
    assert.ok(!h.objects.calls.some((c) => c.startsWith('patchClaimStorage')));
    await h.run(claimsSnapshot(grownSet('3Gi'), fixed));
    assert.equal(h.events.length, 6);
  });

  it('records ClaimResized once per claim while the set is Resizing', async () => {
    const h = growthHarness();
    const resizing = withStatus(grownSet('2Gi'), {
      conditions: [
        { type: 'VolumeResizing', status: 'True', reason: 'Resizing', message: 'm', lastTransitionTime: '2025-01-01T00:00:00Z', lastUpdateTime: '2025-01-01T00:00:00Z' },
      ],
    });
    const oneDone = [claim(0, { request: '2Gi' }), ...claims([1, 2], { request: '2Gi', capacity: '1Gi' })];
    await h.run(claimsSnapshot(resizing, oneDone));
    await h.run(claimsSnapshot(resizing, oneDone));
    await h.run(claimsSnapshot(resizing, claims([0, 1, 2], { request: '2Gi' })));
    assert.deepEqual(
      eventLines(h.events),
      [0, 1, 2].map((i) => `Normal ClaimResized: claim www-web-${i} has reached its requested storage 2Gi (capacity 2Gi)`),
    );
  });
});

describe('MyStatefulSet object manager: the storage patch on the wire', () => {
  let server: RecordingApiServer;
  before(async () => {
    server = await startRecordingApiServer(() => ({ status: 200, body: { metadata: { name: 'www-web-0', resourceVersion: '31' } } }));
  });
  after(() => server.close());

  it('merge-patches spec.resources.requests.storage alone, with the claim UID as precondition, and reports the write', async () => {
    const writes: string[] = [];
    const objects = realObjectManager(server.client, (resource, rv) => writes.push(`${resource}@${rv ?? ''}`), new AbortController().signal);
    await objects.patchClaimStorage(claim(0), '2Gi');
    const request = server.received.at(-1);
    assert.equal(request?.method, 'PATCH');
    assert.equal(request.url, '/api/v1/namespaces/ns/persistentvolumeclaims/www-web-0');
    assert.equal(request.contentType, 'application/merge-patch+json');
    assert.deepEqual(JSON.parse(request.body), { metadata: { uid: 'uid-www-web-0' }, spec: { resources: { requests: { storage: '2Gi' } } } });
    assert.deepEqual(writes, ['persistentvolumeclaims@31']);
  });
});

describe('MyStatefulSet StorageClass event handler', () => {
  function setWith(name: string, reason: string | undefined): MyStatefulSet {
    const set = makeSet();
    const conditions = reason === undefined ? [] : [{ type: 'VolumeResizing', status: reason === 'Resizing' ? ('True' as const) : ('False' as const), reason }];
    return { ...set, metadata: { ...set.metadata, name, uid: `uid-${name}` }, status: { conditions } };
  }

  it('wakes the sets still growing or refused growth, not those that never grew or are done', () => {
    const store = new Store<MyStatefulSet>();
    for (const set of [setWith('never', undefined), setWith('growing', 'Resizing'), setWith('refused', 'ResizeForbidden'), setWith('done', 'Resized')]) {
      store.upsert(set);
    }
    const keys: string[] = [];
    const handler = storageClassEventHandler({ statefulSets: store, queue: { enqueue: (key: string) => keys.push(key), enqueueAfter: () => undefined } });
    handler.onUpdate?.(fixedSize, { ...fixedSize, metadata: { ...fixedSize.metadata, resourceVersion: '2' }, allowVolumeExpansion: true });
    handler.onDelete?.(expandable);
    assert.deepEqual(keys.sort(), ['ns/growing', 'ns/growing', 'ns/refused', 'ns/refused']);
  });
});

describe('OnceNotices.retain', () => {
  it('forgets the notices of states that ended, so they are reported again should they come back', () => {
    const notices = new OnceNotices();
    assert.equal(notices.firstReport('ns/web', 'a'), true);
    assert.equal(notices.firstReport('ns/web', 'b'), true);
    notices.retain('ns/web', ['b']);
    assert.equal(notices.firstReport('ns/web', 'b'), false);
    assert.equal(notices.firstReport('ns/web', 'a'), true);
  });
});
