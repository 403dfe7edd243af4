// The MyDeployment writes against a local HTTP endpoint standing in for the API server: what goes
// over the wire (merge and JSON patches, never strategic; the revision annotation apart from
// /status; preconditions), which resourceVersions are reported to the consistency store, and
// the merge-patch adoption and release of MyReplicaSets.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import { isRecord } from '../../src/api/meta.ts';
import type { MyDeployment, MyReplicaSet } from '../../src/api/workloads.ts';
import { myReplicaSets } from '../../src/api/workloads.ts';
import { DeploymentSync } from '../../src/controllers/deployment/controller.ts';
import type { WrittenResource } from '../../src/controllers/deployment/object-manager.ts';
import { realObjectManager } from '../../src/controllers/deployment/object-manager.ts';
import { deploymentOwner, ownerReferencesPatch, replicaSetClaimDecision, reportingClaimClient } from '../../src/controllers/deployment/replica-set-claim.ts';
import { claimObjects } from '../../src/controllers/shared/claim.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import type { RecordingApiServer } from '../support/recording-api-server.ts';
import { startRecordingApiServer } from '../support/recording-api-server.ts';
import { deployment, ownedReplicaSet, replicaSet } from './deployment-plan-fixtures.ts';

const d: MyDeployment = { ...deployment({ replicas: 2 }), metadata: { ...deployment().metadata, resourceVersion: '10' } };
const rsPath = '/apis/apps.my.dev/v1alpha1/namespaces/default/myreplicasets';
const dPath = '/apis/apps.my.dev/v1alpha1/namespaces/default/mydeployments/web';

describe('MyDeployment object manager on the wire', () => {
  let server: RecordingApiServer;

  before(async () => {
    server = await startRecordingApiServer((request) => {
      const parsed: unknown = request.body === '' ? {} : JSON.parse(request.body);
      const answer = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {};
      return { status: 200, body: { ...answer, metadata: { name: 'x', resourceVersion: '4711' } } };
    });
  });
  after(() => server.close());
  beforeEach(() => server.received.splice(0));

  /** The object manager, and the writes it reported as `<resource>@<resourceVersion>`. */
  function manager(): { readonly writes: string[]; readonly objects: ReturnType<typeof realObjectManager> } {
    const writes: string[] = [];
    const report = (resource: WrittenResource, rv: string | undefined): number => writes.push(`${resource}@${rv ?? ''}`);
    return { writes, objects: realObjectManager(server.client, report, new AbortController().signal) };
  }

  const sent = (i: number): unknown => JSON.parse(server.received[i]?.body ?? 'null');
  const line = (i: number): string => `${server.received[i]?.method ?? ''} ${server.received[i]?.url ?? ''} ${server.received[i]?.contentType ?? ''}`;

  it('POSTs a new RS and merge-patches scale and annotations with a resourceVersion precondition', async () => {
    const { objects, writes } = manager();
    const rs = { ...ownedReplicaSet(d, 'web-1', { replicas: 2 }), metadata: { ...ownedReplicaSet(d, 'web-1', { replicas: 2 }).metadata, resourceVersion: '7' } };
    await objects.createReplicaSet(rs);
    await objects.patchReplicaSet(rs, '8', { replicas: 3, annotations: { 'deployment.kubernetes.io/desired-replicas': '2' } });
    await objects.patchReplicaSet(rs, '9', { minReadySeconds: 5, annotations: { 'deployment.kubernetes.io/revision': '4' } });
    assert.equal(line(0), `POST ${rsPath} application/json`);
    assert.equal(line(1), `PATCH ${rsPath}/web-1 application/merge-patch+json`);
    assert.deepEqual(sent(1), { metadata: { resourceVersion: '8', annotations: { 'deployment.kubernetes.io/desired-replicas': '2' } }, spec: { replicas: 3 } });
    assert.deepEqual(sent(2), { metadata: { resourceVersion: '9', annotations: { 'deployment.kubernetes.io/revision': '4' } }, spec: { minReadySeconds: 5 } });
    assert.deepEqual(writes, ['myreplicasets@4711', 'myreplicasets@4711', 'myreplicasets@4711']);
  });

  it('deletes an RS with a UID precondition', async () => {
    const { objects } = manager();
    await objects.deleteReplicaSet(ownedReplicaSet(d, 'web-1', { replicas: 0 }));
    assert.equal(line(0), `DELETE ${rsPath}/web-1 application/json`);
    assert.deepEqual(sent(0), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'web-1-uid' } });
  });

  it("writes the revision annotation to the object, and the whole status to /status, each at the resourceVersion given", async () => {
    const { objects, writes } = manager();
    await objects.setDeploymentRevision(d, '10', '3');
    await objects.updateStatus(d, '11', { observedGeneration: 1, replicas: 2, selector: 'app=web' });
    await objects.setCollisionCount(d, '12', 1);
    assert.equal(line(0), `PATCH ${dPath} application/merge-patch+json`);
    assert.deepEqual(sent(0), { metadata: { resourceVersion: '10', annotations: { 'deployment.kubernetes.io/revision': '3' } } });
    assert.equal(line(1), `PUT ${dPath}/status application/json`);
    const put = sent(1);
    assert.ok(isRecord(put) && isRecord(put.metadata));
    assert.deepEqual(put.status, { observedGeneration: 1, replicas: 2, selector: 'app=web' });
    assert.equal(put.metadata.resourceVersion, '11');
    assert.equal(line(2), `PATCH ${dPath}/status application/merge-patch+json`);
    assert.deepEqual(sent(2), { metadata: { resourceVersion: '12' }, status: { collisionCount: 1 } });
    assert.deepEqual(writes, ['mydeployments@4711', 'mydeployments@4711', 'mydeployments@4711']);
  });

  it('rolls back with a JSON patch that tests the resourceVersion and replaces template and annotations', async () => {
    const { objects } = manager();
    await objects.rollbackDeployment(d, '10', d.spec.template, { a: 'b' });
    await objects.rollbackDeployment(d, '11', undefined, {});
    assert.equal(line(0), `PATCH ${dPath} application/json-patch+json`);
    assert.deepEqual(sent(0), [
      { op: 'replace', path: '/metadata/resourceVersion', value: '10' },
      { op: 'replace', path: '/spec/template', value: d.spec.template },
      { op: 'add', path: '/metadata/annotations', value: { a: 'b' } },
    ]);
    assert.deepEqual(sent(1), [
      { op: 'replace', path: '/metadata/resourceVersion', value: '11' },
      { op: 'add', path: '/metadata/annotations', value: {} },
    ]);
  });

  it('adopts an orphan RS and releases one that stopped matching, by merge patch guarded by UID and resourceVersion', async () => {
    const owner = deploymentOwner(d);
    const foreign = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm-uid' };
    const base = replicaSet('orphan', { replicas: 1 });
    const orphan = { ...base, metadata: { ...base.metadata, labels: { app: 'web' }, resourceVersion: '3', ownerReferences: [foreign] } };
    const mine = ownedReplicaSet(d, 'stray', { replicas: 0 });
    const stray = { ...mine, metadata: { ...mine.metadata, labels: { app: 'other' }, resourceVersion: '4' } };
    const reported: string[] = [];
    let rechecks = 0;
    const claimed = await claimObjects({
      client: reportingClaimClient(server.client, (rv) => reported.push(rv ?? '')),
      resource: myReplicaSets,
      owner,
      namespace: 'default',
      candidates: [orphan, stray],
      decide: (rs) => replicaSetClaimDecision(d, rs),
      patchFor: (rs) => ({ type: 'merge', body: ownerReferencesPatch(rs, owner) }),
      ownerStillAdopting: () => {
        rechecks++;
        return Promise.resolve(true);
      },
    });
    assert.equal(rechecks, 1);
    assert.equal(claimed.length, 1);
    assert.deepEqual(
      server.received.map((r) => `${r.method} ${r.url} ${r.contentType}`),
      [`PATCH ${rsPath}/orphan application/merge-patch+json`, `PATCH ${rsPath}/stray application/merge-patch+json`],
    );
    assert.deepEqual(sent(0), {
      metadata: {
        uid: 'orphan-uid',
        resourceVersion: '3',
        ownerReferences: [foreign, { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }],
      },
    });
    assert.deepEqual(sent(1), { metadata: { uid: 'stray-uid', resourceVersion: '4', ownerReferences: [] } });
    assert.deepEqual(reported, ['4711', '4711']);
  });

  it('neither adopts nor releases for a Deployment being deleted', () => {
    const deleting = { ...d, metadata: { ...d.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const base = replicaSet('orphan', { replicas: 1 });
    const orphan = { ...base, metadata: { ...base.metadata, labels: { app: 'web' } } };
    assert.equal(replicaSetClaimDecision(d, orphan), 'adopt');
    assert.equal(replicaSetClaimDecision(deleting, orphan), 'ignore');
    const owned = ownedReplicaSet(d, 'mine', { replicas: 1 });
    assert.equal(replicaSetClaimDecision(deleting, owned), 'owned');
  });
});

describe('DeploymentSync claim and consistency', () => {
  let server: RecordingApiServer;
  const live: MyDeployment = { ...d, metadata: { ...d.metadata, uid: 'd-uid' } };

  before(async () => {
    server = await startRecordingApiServer((request) => {
      if (request.method === 'GET') return { status: 200, body: live };
      const parsed: unknown = JSON.parse(request.body);
      const patch = isRecord(parsed) && isRecord(parsed.metadata) ? parsed.metadata : {};
      return { status: 200, body: { ...replicaSet('orphan', { replicas: 1 }), metadata: { ...replicaSet('orphan').metadata, ...patch, resourceVersion: '20' } } };
    });
  });
  after(() => server.close());
  beforeEach(() => server.received.splice(0));

  it('adopts matching orphans after one live read of the Deployment, groups pods by RS, and defers the next sync until the caches show its writes', async () => {
    const owned = ownedReplicaSet(d, 'web-1', { replicas: 1 });
    const base = replicaSet('orphan', { replicas: 1 });
    const orphan = { ...base, metadata: { ...base.metadata, labels: { app: 'web' }, resourceVersion: '3' } };
    const foreign = { ...base, metadata: { ...base.metadata, name: 'foreign', uid: 'foreign-uid', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'x', controller: true }] } };
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'default', uid: 'p-uid', ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyReplicaSet', name: 'web-1', uid: 'web-1-uid', controller: true }] },
      spec: { containers: [] },
    };
    const replicaSets = new Store<MyReplicaSet>();
    for (const rs of [owned, orphan, foreign]) replicaSets.upsert(rs);
    const pods = new Store<Pod>();
    pods.upsert(pod);
    const rsSource = { lastSyncResourceVersion: '10' };
    const sync = new DeploymentSync({
      client: server.client,
      recorder: { event: () => undefined },
      replicaSets,
      pods,
      sources: { myreplicasets: rsSource, mydeployments: { lastSyncResourceVersion: '10' } },
    });
    const ctx = { key: 'default/web', log: silentLogger(), reconcileID: 'r', signal: new AbortController().signal, expectationsSatisfied: true };
    const claimed = await sync.claim(live, ctx);
    assert.deepEqual(
      claimed.replicaSets.map((rs) => rs.metadata.name),
      ['web-1', 'orphan'],
    );
    assert.deepEqual(
      server.received.map((r) => `${r.method} ${r.url}`),
      [`GET ${dPath}`, `PATCH ${rsPath}/orphan`],
    );
    assert.deepEqual([...claimed.podsByReplicaSet.entries()].map(([uid, list]) => `${uid}:${list.length}`), ['web-1-uid:1', 'orphan-uid:0']);
    assert.deepEqual(sync.defer('default/web')?.fields, { resource: 'myreplicasets', wroteResourceVersion: '20', readResourceVersion: '10' });
    rsSource.lastSyncResourceVersion = '20';
    assert.equal(sync.defer('default/web'), undefined);
  });
});
