// The MyReplicaSet writes against a local HTTP endpoint standing in for the API server: what goes
// over the wire for each ReplicaSetObjectManager call, and which resourceVersions it reports to
// the consistency store.
import assert from 'node:assert/strict';
import type { ReplicaSetObjectManager, WrittenResource } from '../../src/controllers/replicaset/object-manager.ts';
import { realObjectManager } from '../../src/controllers/replicaset/object-manager.ts';
import { newReplicaSetPod } from '../../src/controllers/replicaset/pod-template.ts';
import type { Answer, RecordingApiServer, ReceivedRequest } from '../support/recording-api-server.ts';
import { startRecordingApiServer } from '../support/recording-api-server.ts';
import { pod, replicaSet } from './replicaset-fixtures.ts';

const rsStatus = '/apis/apps.my.dev/v1alpha1/namespaces/ns/myreplicasets/web/status';

describe('MyReplicaSet object manager on the wire', () => {
  let server: RecordingApiServer;
  /** What the endpoint answers; by default the body echoed back with resourceVersion "42". */
  let answer: (request: ReceivedRequest) => Answer;
  const reported: [WrittenResource, string | undefined][] = [];

  const echo = (request: ReceivedRequest): Answer => {
    const body: unknown = request.body === '' ? {} : JSON.parse(request.body);
    const object = typeof body === 'object' && body !== null ? body : {};
    return { status: request.method === 'POST' ? 201 : 200, body: { ...object, metadata: { name: 'web-abcde', resourceVersion: '42' } } };
  };

  before(async () => {
    server = await startRecordingApiServer((request) => answer(request));
  });
  after(() => server.close());
  beforeEach(() => {
    server.received.splice(0);
    reported.splice(0);
    answer = echo;
  });

  const objects = (): ReplicaSetObjectManager =>
    realObjectManager(server.client, (resource, resourceVersion) => reported.push([resource, resourceVersion]), new AbortController().signal);
  const only = (): ReceivedRequest => {
    assert.equal(server.received.length, 1, JSON.stringify(server.received));
    const [request] = server.received;
    assert.ok(request);
    return request;
  };
  const bodyOf = (request: ReceivedRequest): unknown => JSON.parse(request.body);

  it('creates a pod with a POST of the pod as built, and reports the created resourceVersion', async () => {
    const target = newReplicaSetPod(replicaSet());
    const created = await objects().createPod(target);
    const request = only();
    assert.deepEqual([request.method, request.url], ['POST', '/api/v1/namespaces/ns/pods']);
    assert.deepEqual(bodyOf(request), target);
    assert.equal(created.metadata.name, 'web-abcde');
    assert.deepEqual(reported, [['pods', '42']]);
  });

  it('deletes a pod by name with a UID precondition, and reports nothing: delete expectations hold the next sync, as upstream OnWrite', async () => {
    await objects().deletePod(pod('p1'));
    const request = only();
    assert.deepEqual(
      [request.method, request.url, bodyOf(request)],
      ['DELETE', '/api/v1/namespaces/ns/pods/p1', { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'uid-p1' } }],
    );
    assert.deepEqual(reported, []);
  });

  it('writes the status fields as a merge patch of exactly those fields on /status, with no precondition', async () => {
    const fields = {
      replicas: 2,
      fullyLabeledReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      terminatingReplicas: 0,
      selector: 'app=web',
      observedGeneration: 3,
    };
    await objects().patchStatus(replicaSet(), fields);
    const request = only();
    assert.deepEqual([request.method, request.url, request.contentType], ['PATCH', rsStatus, 'application/merge-patch+json']);
    assert.deepEqual(bodyOf(request), { status: fields });
    assert.deepEqual(reported, [['myreplicasets', '42']]);
  });

  it('writes conditions with the resourceVersion they were computed from, and makes no request when they stay', async () => {
    const rs = replicaSet({ resourceVersion: '7' });
    const condition = { type: 'ReplicaFailure', status: 'True' as const, reason: 'FailedCreate', message: 'm' };
    await objects().writeConditions(rs, () => undefined);
    assert.deepEqual(server.received, []);
    assert.deepEqual(reported, []);
    await objects().writeConditions(rs, (current) => [...(current ?? []), condition]);
    const request = only();
    assert.deepEqual([request.method, request.url, request.contentType], ['PATCH', rsStatus, 'application/merge-patch+json']);
    assert.deepEqual(bodyOf(request), { metadata: { resourceVersion: '7' }, status: { conditions: [condition] } });
    assert.deepEqual(reported, [['myreplicasets', '42']]);
  });
});
