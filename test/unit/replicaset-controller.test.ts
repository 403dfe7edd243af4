// A MyReplicaSet sync end to end through the shared reconcile: caches in, requests out (against a
// local endpoint standing in for the API server). Covers what only the controller decides: which
// pods are claimed (active only; adoption after a live read; nothing while the set is deleted),
// Failed and Succeeded pods replaced but never deleted, terminating pods counted apart, the
// related pods of sibling sets, expectations across syncs and the consistency deferral.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyReplicaSet } from '../../src/api/workloads.ts';
import { ReplicaSetSync } from '../../src/controllers/replicaset/controller.ts';
import { WorkloadReconciler } from '../../src/controllers/shared/workload-reconciler.ts';
import type { ReconcileContext } from '../../src/runtime/controller.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { FakeClock } from '../support/fake-clock.ts';
import type { Answer, RecordingApiServer, ReceivedRequest } from '../support/recording-api-server.ts';
import { startRecordingApiServer } from '../support/recording-api-server.ts';
import { deploymentRef, iso, pod, readyPods, replicaSet, t0 } from './replicaset-fixtures.ts';

const key = 'ns/web';
const rsPath = '/apis/apps.my.dev/v1alpha1/namespaces/ns/myreplicasets/web';

interface Harness {
  readonly rsStore: Store<MyReplicaSet>;
  readonly podStore: Store<Pod>;
  readonly sync: ReplicaSetSync;
  readonly reconciler: WorkloadReconciler<MyReplicaSet, unknown, unknown, { readonly kind: string }>;
  /** The caches' last applied resourceVersions, as the consistency store reads them. */
  readonly sources: { readonly pods: { lastSyncResourceVersion: string }; readonly myreplicasets: { lastSyncResourceVersion: string } };
  readonly events: string[];
  reconcile(): ReturnType<WorkloadReconciler<MyReplicaSet, unknown, unknown, { readonly kind: string }>['reconcile']>;
  /** The requests of the last reconcile, as `METHOD path`. */
  requests(): string[];
}

describe('MyReplicaSet controller sync', () => {
  let server: RecordingApiServer;
  /** The set the live GET answers (adoption's recheck). */
  let live: MyReplicaSet | undefined;
  let created = 0;

  const answer = (request: ReceivedRequest): Answer => {
    const body: unknown = request.body === '' ? {} : JSON.parse(request.body);
    const object = typeof body === 'object' && body !== null ? body : {};
    if (request.method === 'GET' && request.url === rsPath) {
      return live === undefined ? { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' } } : { status: 200, body: live };
    }
    if (request.method === 'POST') {
      created++;
      return { status: 201, body: { ...object, metadata: { name: `web-${created}`, namespace: 'ns', resourceVersion: `${100 + created}` } } };
    }
    if (request.method === 'PATCH' && request.url.startsWith('/api/v1/namespaces/ns/pods/')) {
      const name = request.url.split('/').at(-1) ?? '';
      const patch = 'metadata' in object && typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {};
      const refs = 'ownerReferences' in patch ? patch.ownerReferences : undefined;
      return { status: 200, body: { ...pod(name, { node: 'n1', owner: null }), metadata: { ...pod(name).metadata, ownerReferences: refs, resourceVersion: '200' } } };
    }
    if (request.method === 'DELETE') return { status: 200, body: { kind: 'Pod', metadata: { resourceVersion: '300', deletionTimestamp: iso(t0) } } };
    return { status: 200, body: { metadata: { resourceVersion: '400' } } };
  };

  before(async () => {
    server = await startRecordingApiServer((request) => answer(request));
  });
  after(() => server.close());
  beforeEach(() => {
    server.received.splice(0);
    live = undefined;
    created = 0;
  });

  function harness(sets: readonly MyReplicaSet[], pods: readonly Pod[]): Harness {
    const rsStore = new Store<MyReplicaSet>();
    const podStore = new Store<Pod>();
    for (const rs of sets) rsStore.upsert(rs);
    for (const p of pods) podStore.upsert(p);
    const sources = { pods: { lastSyncResourceVersion: '1' }, myreplicasets: { lastSyncResourceVersion: '1' } };
    const events: string[] = [];
    const clock = new FakeClock(t0);
    const recorder = { event: (_obj: unknown, type: string, reason: string, message: string): number => events.push(`${type} ${reason}: ${message}`) };
    const sync = new ReplicaSetSync(server.client, { pods: podStore, replicaSets: rsStore }, recorder, sources, clock);
    const reconciler = new WorkloadReconciler({ owners: rsStore, sync, clock });
    const ctx: ReconcileContext = { log: silentLogger(), reconcileID: 'r', signal: new AbortController().signal };
    let seen = 0;
    return {
      rsStore,
      podStore,
      sync,
      reconciler,
      sources,
      events,
      reconcile: () => {
        seen = server.received.length;
        return reconciler.reconcile(key, ctx);
      },
      requests: () => server.received.slice(seen).map((r) => `${r.method} ${r.url}`),
    };
  }

  const statusBody = (): unknown => {
    const request = server.received.find((r) => r.method === 'PATCH' && r.url === `${rsPath}/status`);
    assert.ok(request, 'a status write');
    return JSON.parse(request.body);
  };

  it('replaces Failed and Succeeded pods without deleting them, and does not count them', async () => {
    const rs = replicaSet({ spec: { replicas: 2 } });
    const h = harness([rs], [pod('ok', { node: 'n1', readySince: t0 - 60_000 }), pod('failed', { phase: 'Failed' }), pod('done', { phase: 'Succeeded' })]);
    assert.deepEqual(await h.reconcile(), { kind: 'done' });
    assert.deepEqual(h.requests(), ['POST /api/v1/namespaces/ns/pods', `PATCH ${rsPath}/status`]);
    assert.deepEqual(statusBody(), {
      status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, terminatingReplicas: 0, selector: 'app=web', observedGeneration: 1 },
    });
    assert.deepEqual(h.events, ['Normal SuccessfulCreate: Created pod: web-1']);
  });

  it('counts its terminating pods as terminatingReplicas, not replicas, and replaces them', async () => {
    const h = harness([replicaSet({ spec: { replicas: 1 } })], [pod('going', { node: 'n1', deletionTimestamp: iso(t0) }), pod('other-set', { owner: replicaSet({ uid: 'x' }), deletionTimestamp: iso(t0) })]);
    await h.reconcile();
    assert.deepEqual(h.requests(), ['POST /api/v1/namespaces/ns/pods', `PATCH ${rsPath}/status`]);
    assert.deepEqual(statusBody(), {
      status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, terminatingReplicas: 1, selector: 'app=web', observedGeneration: 1 },
    });
  });

  it('adopts a matching orphan after one live read of the set, and counts it', async () => {
    const rs = replicaSet({ spec: { replicas: 3 } });
    live = rs;
    const h = harness([rs], [...readyPods(2), pod('stray-a', { owner: null }), pod('stray-b', { owner: null }), pod('other', { owner: null, labels: { app: 'api' } })]);
    await h.reconcile();
    assert.deepEqual(h.requests(), [
      `GET ${rsPath}`,
      'PATCH /api/v1/namespaces/ns/pods/stray-a',
      'PATCH /api/v1/namespaces/ns/pods/stray-b',
      'DELETE /api/v1/namespaces/ns/pods/stray-a',
      `PATCH ${rsPath}/status`,
    ]);
    const adoption = server.received.find((r) => r.url.endsWith('/pods/stray-a'));
    assert.ok(adoption);
    assert.equal(adoption.contentType, 'application/strategic-merge-patch+json');
    assert.deepEqual(JSON.parse(adoption.body), {
      metadata: {
        uid: 'uid-stray-a',
        ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
      },
    });
  });

  it('fails the sync, with one live read for all orphans, when that read shows the set being deleted', async () => {
    live = replicaSet({ deletionTimestamp: iso(t0) });
    const h = harness([replicaSet({ spec: { replicas: 1 } })], [pod('stray-a', { owner: null }), pod('stray-b', { owner: null })]);
    await assert.rejects(h.reconcile(), /claiming pods for web: 2 failed/);
    assert.deepEqual(h.requests(), [`GET ${rsPath}`]);
  });

  it('fails the sync when the live read finds another set under the name, or none', async () => {
    live = replicaSet({ uid: 'recreated' });
    const h = harness([replicaSet({ spec: { replicas: 1 } })], [pod('stray', { owner: null })]);
    await assert.rejects(h.reconcile(), (err: unknown) => err instanceof Error && err.cause instanceof Error && /has just been deleted/.test(err.cause.message));
    live = undefined;
    await assert.rejects(h.reconcile(), /claiming pods/);
    assert.deepEqual(h.requests(), [`GET ${rsPath}`]);
  });

  it('releases a pod it controls whose labels no longer match', async () => {
    const h = harness([replicaSet({ spec: { replicas: 1 } })], [pod('kept', { node: 'n1' }), pod('relabelled', { labels: { app: 'debug' } })]);
    await h.reconcile();
    assert.deepEqual(h.requests(), ['PATCH /api/v1/namespaces/ns/pods/relabelled', `PATCH ${rsPath}/status`]);
    const release = server.received.find((r) => r.url.endsWith('/pods/relabelled'));
    assert.ok(release);
    assert.deepEqual(JSON.parse(release.body), { metadata: { uid: 'uid-relabelled', ownerReferences: [{ $patch: 'delete', uid: 'rs-uid' }] } });
  });

  it('while the set is being deleted: keeps its matching pods, adopts and releases nothing, creates nothing, writes the status', async () => {
    const rs = replicaSet({ deletionTimestamp: iso(t0) });
    const h = harness([rs], [pod('kept', { node: 'n1' }), pod('relabelled', { labels: { app: 'debug' } }), pod('stray', { owner: null })]);
    await h.reconcile();
    assert.deepEqual(h.requests(), [`PATCH ${rsPath}/status`]);
    assert.deepEqual(statusBody(), {
      status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 0, availableReplicas: 0, terminatingReplicas: 0, selector: 'app=web', observedGeneration: 1 },
    });
  });

  it('does nothing for a set with an empty selector', async () => {
    const h = harness([replicaSet({ spec: { selector: {} } })], [pod('stray', { owner: null })]);
    assert.deepEqual(await h.reconcile(), { kind: 'done' });
    assert.deepEqual(h.requests(), []);
  });

  it('scales down the pod on the node most crowded by its sibling sets (same controller UID)', async () => {
    const controller = deploymentRef();
    const rs = replicaSet({ controller, spec: { replicas: 1 } });
    const sibling = replicaSet({ name: 'web-old', uid: 'old-uid', controller, spec: { selector: { matchLabels: { app: 'web-old' } } } });
    const stranger = replicaSet({ name: 'api', uid: 'api-uid', controller: deploymentRef('other'), spec: { selector: { matchLabels: { app: 'api' } } } });
    const oldPods = ['o1', 'o2'].map((name) => pod(name, { node: 'n1', owner: sibling, labels: { app: 'web-old' } }));
    const apiPods = ['a1', 'a2', 'a3'].map((name) => pod(name, { node: 'n2', owner: stranger, labels: { app: 'api' } }));
    const ours = [pod('p1', { node: 'n1', readySince: t0 - 60_000 }), pod('p2', { node: 'n2', readySince: t0 - 60_000 })];
    const h = harness([rs, sibling, stranger], [...ours, ...oldPods, ...apiPods]);
    await h.reconcile();
    assert.deepEqual(h.requests(), ['DELETE /api/v1/namespaces/ns/pods/p1', `PATCH ${rsPath}/status`]);
    assert.deepEqual(h.events, ['Normal SuccessfulDelete: Deleted pod: p1']);
  });

  it('without a controller, ranks without related pods', async () => {
    const rs = replicaSet({ spec: { replicas: 1 } });
    const others = ['o1', 'o2'].map((name) => pod(name, { node: 'n1', owner: null, labels: { app: 'web-old' } }));
    // Ready 40 and 50 minutes ago: one log2 bucket.
    const ours = [pod('p1', { node: 'n1', readySince: t0 - 40 * 60_000, uid: 'b' }), pod('p2', { node: 'n2', readySince: t0 - 50 * 60_000, uid: 'a' })];
    const h = harness([rs], [...ours, ...others]);
    await h.reconcile();
    // The pods crowding n1 are no relatives: equal ranks, and the ready times' bucket leaves it to the UID.
    assert.deepEqual(h.requests(), ['DELETE /api/v1/namespaces/ns/pods/p2', `PATCH ${rsPath}/status`]);
  });

  it('waits for the caches to show its writes, then for the created pods to be observed, before planning more', async () => {
    const rs = replicaSet({ spec: { replicas: 3 } });
    const h = harness([rs], []);
    await h.reconcile();
    assert.equal(h.requests().filter((r) => r.startsWith('POST')).length, 3);

    // The pod cache has not seen the creates (resourceVersions 101…103): put off.
    assert.deepEqual(await h.reconcile(), { kind: 'requeue' });
    assert.deepEqual(h.requests(), []);

    // Caches caught up with the writes, but no pod event lowered the expectations: status only.
    h.sources.pods.lastSyncResourceVersion = '400';
    h.sources.myreplicasets.lastSyncResourceVersion = '400';
    assert.deepEqual(await h.reconcile(), { kind: 'done' });
    assert.deepEqual(h.requests(), [`PATCH ${rsPath}/status`]);

    // Gone from the cache: everything kept for the key is dropped.
    h.rsStore.remove(key);
    assert.deepEqual(await h.reconcile(), { kind: 'done' });
    assert.equal(h.sync.expectations.get(key), undefined);
  });

  it('fails the sync on a refused create, after writing ReplicaFailure and the status', async () => {
    const h = harness([replicaSet({ spec: { replicas: 1, template: { metadata: { labels: {} }, spec: { containers: [] } } } })], []);
    await assert.rejects(h.reconcile(), /unable to create pods, no labels/);
    assert.deepEqual(h.requests(), [`PATCH ${rsPath}/status`, `PATCH ${rsPath}/status`]);
    const [conditions] = server.received.map((r) => JSON.parse(r.body) as unknown);
    assert.deepEqual(conditions, {
      metadata: {},
      status: { conditions: [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: iso(t0), reason: 'FailedCreate', message: 'unable to create pods, no labels' }] },
    });
  });
});
