// The MyDaemonSet writes against a local HTTP endpoint standing in for the API server: what goes
// over the wire for each DaemonSetObjectManager call. None is a PUT of a cached copy: creates,
// UID-guarded patches of owned fields and deletes, and status patches (conditional where they
// replace what others may have changed).
import assert from 'node:assert/strict';
import type { MyDaemonSet } from '../../src/api/workloads.ts';
import type { DaemonSetObjectManager } from '../../src/controllers/daemonset/object-manager.ts';
import { realObjectManager } from '../../src/controllers/daemonset/object-manager.ts';
import { daemonSetOwner } from '../../src/controllers/daemonset/spec-defaults.ts';
import { marshalLikeGo } from '../../src/controllers/history/go-json.ts';
import { buildRevision, controllerRevisionHashLabel } from '../../src/controllers/history/revisions.ts';
import type { RecordingApiServer, ReceivedRequest } from '../support/recording-api-server.ts';
import { startRecordingApiServer } from '../support/recording-api-server.ts';
import { daemonSet, pod, revisionOf, template } from './daemonset-fixtures.ts';

type Received = ReceivedRequest;

const dsStatus = '/apis/apps.my.dev/v1alpha1/namespaces/ns/mydaemonsets/agent/status';

describe('MyDaemonSet object manager on the wire', () => {
  let server: RecordingApiServer;

  before(async () => {
    // Every write goes through: the body echoed back (a GET answers the MyDaemonSet).
    server = await startRecordingApiServer((request) => ({
      status: request.method === 'POST' ? 201 : 200,
      body: request.body === '' ? daemonSet() : (JSON.parse(request.body) as unknown),
    }));
  });
  after(() => server.close());
  beforeEach(() => server.received.splice(0));

  const objects = (): DaemonSetObjectManager => realObjectManager(server.client, new AbortController().signal);
  const only = (): Received => {
    assert.equal(server.received.length, 1, JSON.stringify(server.received));
    const [request] = server.received;
    assert.ok(request);
    return request;
  };
  const bodyOf = (request: Received): unknown => JSON.parse(request.body);

  it("writes a new ControllerRevision's data as Go's json.Marshal would (sorted keys, HTML escapes), so later patches of it are accepted", async () => {
    // With JSON.stringify the API server would store `data` in our key order and unescaped; its
    // garbage collector's --cascade=orphan patch, adoption and renumbering then fail with
    // "data: field is immutable" (it re-encodes data the Go way and compares the bytes).
    const ds = daemonSet({
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: template('agent:1', { containers: [{ name: 'agent', image: 'agent:1', args: ['sh', '-c', 'a && b > /dev/null'] }] }),
      },
    });
    const revision = buildRevision({
      owner: daemonSetOwner(ds),
      namespace: 'ns',
      ownerAnnotations: undefined,
      template: ds.spec.template,
      revision: 1,
      collisionCount: undefined,
      hashLabel: controllerRevisionHashLabel,
    });
    await objects().createRevision(revision);
    const post = server.received.find((r) => r.method === 'POST' && r.url === '/apis/apps/v1/namespaces/ns/controllerrevisions');
    assert.ok(post, JSON.stringify(server.received));
    assert.equal(post.body, marshalLikeGo(revision));
    assert.match(post.body, /"data":\{"spec":\{"template":\{"\$patch":"replace","metadata":/);
    assert.match(post.body, /a \\u0026\\u0026 b \\u003e \/dev\/null/);
  });

  it('sets the hash label of a revision and of a pod with a merge patch of that label alone, guarded by the UID', async () => {
    const revision = revisionOf(daemonSet(), 1);
    await objects().labelRevision(revision, 'h1');
    await objects().relabelPod(pod('p1', 'n1'), 'h2');
    assert.deepEqual(
      server.received.map((r) => [r.method, r.url, r.contentType, bodyOf(r)]),
      [
        [
          'PATCH',
          `/apis/apps/v1/namespaces/ns/controllerrevisions/${revision.metadata.name ?? ''}`,
          'application/merge-patch+json',
          { metadata: { uid: revision.metadata.uid, labels: { [controllerRevisionHashLabel]: 'h1' } } },
        ],
        ['PATCH', '/api/v1/namespaces/ns/pods/p1', 'application/merge-patch+json', { metadata: { uid: 'uid-p1', labels: { [controllerRevisionHashLabel]: 'h2' } } }],
      ],
    );
  });

  it('renumbers a revision with a merge patch of `revision` alone, guarded by the UID', async () => {
    const revision = revisionOf(daemonSet(), 1);
    await objects().renumberRevision(revision, 4);
    const request = only();
    assert.equal(request.method, 'PATCH');
    assert.equal(request.contentType, 'application/merge-patch+json');
    assert.deepEqual(bodyOf(request), { metadata: { uid: revision.metadata.uid }, revision: 4 });
  });

  it('deletes pods and revisions by name with a UID precondition', async () => {
    const revision = revisionOf(daemonSet(), 1);
    await objects().deletePod(pod('p1', 'n1'));
    await objects().deleteRevision(revision);
    assert.deepEqual(
      server.received.map((r) => [r.method, r.url, bodyOf(r)]),
      [
        ['DELETE', '/api/v1/namespaces/ns/pods/p1', { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'uid-p1' } }],
        [
          'DELETE',
          `/apis/apps/v1/namespaces/ns/controllerrevisions/${revision.metadata.name ?? ''}`,
          { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: revision.metadata.uid } },
        ],
      ],
    );
  });

  it('creates a pod with a POST and answers it as created', async () => {
    const created = await objects().createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'agent-', namespace: 'ns' }, spec: { containers: [] } });
    const request = only();
    assert.deepEqual([request.method, request.url], ['POST', '/api/v1/namespaces/ns/pods']);
    assert.equal(created.metadata.generateName, 'agent-');
  });

  it('reads the MyDaemonSet live, and bumps collisionCount conditionally on the resourceVersion of that read', async () => {
    const live = await objects().getDaemonSet('ns', 'agent');
    assert.equal(live.metadata.name, 'agent');
    const read: MyDaemonSet = { ...live, metadata: { ...live.metadata, resourceVersion: '12' } };
    await objects().bumpCollisionCount(read, 3);
    assert.deepEqual(
      server.received.map((r) => [r.method, r.url]),
      [
        ['GET', '/apis/apps.my.dev/v1alpha1/namespaces/ns/mydaemonsets/agent'],
        ['PATCH', dsStatus],
      ],
    );
    const patch = server.received[1];
    assert.ok(patch);
    assert.equal(patch.contentType, 'application/merge-patch+json');
    assert.deepEqual(bodyOf(patch), { metadata: { resourceVersion: '12' }, status: { collisionCount: 3 } });
  });

  it('writes status counts as a merge patch of exactly those fields, with no precondition', async () => {
    const fields = {
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 1,
      updatedNumberScheduled: 2,
      numberAvailable: 1,
      numberUnavailable: 1,
      observedGeneration: 3,
    };
    await objects().patchStatus(daemonSet(), fields);
    const request = only();
    assert.deepEqual([request.method, request.url, request.contentType], ['PATCH', dsStatus, 'application/merge-patch+json']);
    assert.deepEqual(bodyOf(request), { status: fields });
  });

  it('writes conditions with the resourceVersion they were computed from, and makes no request when they stay', async () => {
    const base = daemonSet();
    const ds: MyDaemonSet = { ...base, metadata: { ...base.metadata, resourceVersion: '7' } };
    const condition = { type: 'ReplicaFailure', status: 'True' as const, reason: 'FailedCreate', message: 'm' };
    await objects().writeConditions(ds, () => undefined);
    assert.deepEqual(server.received, []);
    await objects().writeConditions(ds, (current) => [...(current ?? []), condition]);
    const request = only();
    assert.deepEqual([request.method, request.url], ['PATCH', dsStatus]);
    assert.deepEqual(bodyOf(request), { metadata: { resourceVersion: '7' }, status: { conditions: [condition] } });
  });
});
