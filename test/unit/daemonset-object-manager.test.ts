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

describe('MyDaemonSet object manager: status and conditions in one write', () => {
  let server: RecordingApiServer;
  /** How many PATCHes of the status answer 409 Conflict before one goes through. */
  let conflicts = 0;
  /** What a GET answers: the MyDaemonSet as someone else left it. */
  let live: MyDaemonSet = daemonSet();

  before(async () => {
    server = await startRecordingApiServer((request) => {
      if (request.method === 'GET') return { status: 200, body: live };
      if (conflicts > 0) {
        conflicts--;
        return { status: 409, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Conflict', code: 409, message: 'the object has been modified' } };
      }
      const written = daemonSet();
      return { status: 200, body: { ...written, metadata: { ...written.metadata, resourceVersion: '30' } } };
    });
  });
  after(() => server.close());
  beforeEach(() => {
    server.received.splice(0);
    conflicts = 0;
  });

  const objects = (): DaemonSetObjectManager => realObjectManager(server.client, new AbortController().signal);
  const bodies = (): unknown[] => server.received.map((r): unknown => (r.body === '' ? `${r.method} ${r.url}` : JSON.parse(r.body)));
  const at = (resourceVersion: string, conditions: MyDaemonSet['status'] = {}): MyDaemonSet => {
    const base = daemonSet();
    return { ...base, metadata: { ...base.metadata, resourceVersion }, status: conditions };
  };
  const fields = {
    desiredNumberScheduled: 1,
    currentNumberScheduled: 1,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 1,
    numberAvailable: 0,
    numberUnavailable: 1,
    rollback: null,
  };
  const progressing = { type: 'Progressing', status: 'True' as const, reason: 'RolloutProgressing' };

  it('sends the fields (a null rollback removes it) and the conditions in one merge patch with the resourceVersion', async () => {
    const written = await objects().writeStatusAndConditions(at('7'), fields, (current) => [...(current ?? []), progressing]);
    assert.equal(written?.metadata.resourceVersion, '30');
    assert.deepEqual(server.received.map((r) => [r.method, r.url, r.contentType]), [['PATCH', dsStatus, 'application/merge-patch+json']]);
    assert.deepEqual(bodies(), [{ metadata: { resourceVersion: '7' }, status: { ...fields, conditions: [progressing] } }]);
  });

  it('on a conflict reads the object again and recomputes the conditions from it', async () => {
    conflicts = 1;
    const custom = { type: 'Custom', status: 'True' as const };
    live = at('9', { conditions: [custom] });
    await objects().writeStatusAndConditions(at('7'), fields, (current) => [...(current ?? []), progressing]);
    assert.deepEqual(bodies(), [
      { metadata: { resourceVersion: '7' }, status: { ...fields, conditions: [progressing] } },
      `GET ${dsStatus.replace('/status', '')}`,
      { metadata: { resourceVersion: '9' }, status: { ...fields, conditions: [custom, progressing] } },
    ]);
  });

  it('patches the fields alone, without a precondition, when the conditions need no change; nothing at all without fields', async () => {
    await objects().writeStatusAndConditions(at('7'), fields, () => undefined);
    assert.deepEqual(bodies(), [{ status: fields }]);
    server.received.splice(0);
    assert.equal(await objects().writeStatusAndConditions(at('7'), undefined, () => undefined), undefined);
    assert.deepEqual(server.received, []);
  });

  it('gives up on an object replaced meanwhile (another UID)', async () => {
    conflicts = 1;
    const other = at('9');
    live = { ...other, metadata: { ...other.metadata, uid: 'another' } };
    assert.equal(await objects().writeStatusAndConditions(at('7'), fields, () => [progressing]), undefined);
    assert.equal(server.received.length, 2);
  });
});
