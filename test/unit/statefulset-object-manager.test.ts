// The MyStatefulSet writes against a local HTTP endpoint standing in for the API server: what goes
// over the wire, and which resourceVersions are reported to the consistency store.
import assert from 'node:assert/strict';
import { marshalLikeGo } from '../../src/controllers/history/go-json.ts';
import type { WrittenResource } from '../../src/controllers/statefulset/object-manager.ts';
import { realObjectManager } from '../../src/controllers/statefulset/object-manager.ts';
import type { RecordingApiServer } from '../support/recording-api-server.ts';
import { startRecordingApiServer } from '../support/recording-api-server.ts';
import { makePod, makeSet, revisionOf } from './statefulset-fixtures.ts';

describe('MyStatefulSet object manager on the wire', () => {
  let server: RecordingApiServer;
  /** What the endpoint answers: the body it got with this resourceVersion set. */
  const answerResourceVersion = '4711';

  before(async () => {
    server = await startRecordingApiServer((request) => {
      const parsed: unknown = request.body === '' ? {} : JSON.parse(request.body);
      const answer = typeof parsed === 'object' && parsed !== null ? parsed : {};
      return { status: 200, body: { ...answer, metadata: { name: 'x', resourceVersion: answerResourceVersion } } };
    });
  });
  after(() => server.close());
  beforeEach(() => server.received.splice(0));

  function manager(): { readonly writes: string[]; readonly objects: ReturnType<typeof realObjectManager> } {
    const writes: string[] = [];
    const wrote = (resource: WrittenResource, resourceVersion: string | undefined): void => {
      writes.push(`${resource}@${resourceVersion ?? ''}`);
    };
    return { writes, objects: realObjectManager(server.client, wrote, new AbortController().signal) };
  }

  it("writes a revision's data as Go's json.Marshal would, so renumbering and adoption patches are accepted later", async () => {
    // Found on the cluster: with JSON.stringify bytes a rollback's renumbering of a template with
    // `&&` in a command failed with "data: field is immutable", as did every strategic patch.
    const base = makeSet();
    const set = {
      ...base,
      spec: {
        ...base.spec,
        template: { ...base.spec.template, spec: { containers: [{ name: 'nginx', image: 'nginx:1', command: ['sh', '-c', 'a && b > /dev/null'] }] } },
      },
    };
    const revision = revisionOf(set, 1);
    await manager().objects.createRevision(revision);
    const post = server.received.find((r) => r.method === 'POST' && r.url === '/apis/apps/v1/namespaces/ns/controllerrevisions');
    assert.ok(post, 'revision POSTed');
    assert.equal(post.body, marshalLikeGo(revision));
    assert.match(post.body, /"\$patch":"replace","metadata"/);
    assert.match(post.body, /a \\u0026\\u0026 b \\u003e \/dev\/null/);
  });

  it('reports the resourceVersion of every pod, claim and status write', async () => {
    const set = makeSet({ claims: ['www'] });
    const pod = makePod(set, 0, 'web-abc');
    const { writes, objects } = manager();
    await objects.createPod(pod);
    await objects.updatePod(pod);
    await objects.deletePod(pod);
    await objects.createClaim({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'www-web-0', namespace: 'ns' }, spec: {} });
    await objects.patchStatus(set, {
      observedGeneration: 1,
      replicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      currentRevision: 'r',
      updateRevision: 'r',
      collisionCount: 0,
      selector: 'app=web',
    });
    assert.deepEqual(writes, ['pods@4711', 'pods@4711', 'pods@4711', 'persistentvolumeclaims@4711', 'mystatefulsets@4711']);
  });

  it('reads a pod live (the retry of a conflicting repair) and reports no write for it', async () => {
    const { writes, objects } = manager();
    await objects.getPod('ns', 'web-1');
    assert.deepEqual(
      server.received.map((r) => `${r.method} ${r.url}`),
      ['GET /api/v1/namespaces/ns/pods/web-1'],
    );
    assert.deepEqual(writes, []);
  });

  it('deletes a pod by name with a UID precondition, and patches claim owners conditionally', async () => {
    const set = makeSet();
    const pod = makePod(set, 2, 'web-abc', { uid: 'uid-7' });
    const { objects } = manager();
    await objects.deletePod(pod);
    await objects.patchClaimOwnerReferences(
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'www-web-2', namespace: 'ns', resourceVersion: '12' }, spec: {} },
      [],
    );
    const [del, patch] = server.received;
    assert.equal(del?.method, 'DELETE');
    assert.equal(del?.url, '/api/v1/namespaces/ns/pods/web-2');
    assert.deepEqual(JSON.parse(del?.body ?? '{}'), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'uid-7' } });
    assert.equal(patch?.method, 'PATCH');
    assert.deepEqual(JSON.parse(patch?.body ?? '{}'), { metadata: { resourceVersion: '12', ownerReferences: [] } });
  });
});
