// What the pod cache keeps (src/controllers/shared/pod-cache.ts): every reader of a cached pod
// answers the same on the trimmed pod as on the pod the API server sent.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import { podForCache } from '../../src/controllers/shared/pod-cache.ts';
import { isPodActive, isPodAvailable, isPodReady, isPodTerminating } from '../../src/controllers/shared/pod-state.ts';
import { templateFromPod } from '../../src/controllers/shared/template-from-pod.ts';
import { nodeNameOfPod } from '../../src/controllers/daemonset/pod-template.ts';
import { deletionKey, maxContainerRestarts } from '../../src/controllers/replicaset/pods-to-delete.ts';
import { identityMatches, storageMatches } from '../../src/controllers/statefulset/pod-template.ts';
import { makePod, makeSet } from './statefulset-fixtures.ts';

/** A pod as the API server sends it after the kubelet ran it: admission defaults, token volume, full status. */
function asServed(pod: Pod): Pod {
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      creationTimestamp: '2025-01-01T00:00:00Z',
      generateName: 'web-',
      annotations: { 'controller.kubernetes.io/pod-deletion-cost': '5', 'example.com/note': 'x'.repeat(200) },
      finalizers: ['example.com/keep'],
      managedFields: [{ manager: 'kubelet', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }],
    },
    spec: {
      ...pod.spec,
      nodeName: 'node-7',
      containers: pod.spec.containers.map((c) => ({ ...c, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', volumeMounts: [{ name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] })),
      initContainers: [{ name: 'sidecar', image: 'proxy:1', restartPolicy: 'Always' }],
      volumes: [...(pod.spec.volumes ?? []), { name: 'kube-api-access-x', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] } }],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      priority: 0,
    },
    status: {
      ...pod.status,
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' },
        { type: 'Initialized', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' },
        ...(pod.status?.conditions ?? []),
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2025-01-01T00:00:02Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
      ],
      hostIP: '10.0.0.7',
      podIP: '10.244.0.9',
      startTime: '2025-01-01T00:00:01Z',
      containerStatuses: [{ name: 'nginx', restartCount: 3, ready: true, image: 'nginx:1', imageID: 'sha256:abc', state: { running: { startedAt: '2025-01-01T00:00:02Z' } } }],
      initContainerStatuses: [{ name: 'sidecar', restartCount: 1, ready: true, image: 'proxy:1', imageID: 'sha256:def' }],
    },
  };
}

describe('pod cache: what is kept of a pod', () => {
  const set = makeSet({ claims: ['www'] });
  const now = Date.parse('2025-01-01T00:10:00Z');
  const served = asServed(makePod(set, 2, 'web-abc'));
  const cached = podForCache(served);

  it('answers every reader of a cached pod as the whole pod does', () => {
    assert.equal(isPodReady(cached), isPodReady(served));
    assert.equal(isPodAvailable(cached, 10, now), isPodAvailable(served, 10, now));
    assert.equal(isPodActive(cached), isPodActive(served));
    assert.equal(isPodTerminating(cached), isPodTerminating(served));
    assert.equal(nodeNameOfPod(cached), nodeNameOfPod(served));
    assert.deepEqual(maxContainerRestarts(cached), maxContainerRestarts(served));
    assert.deepEqual(maxContainerRestarts(served), { regular: 3, sidecar: 1 }, 'the fixture has restarts to rank by');
    const { pod: _cachedPod, ...cachedKey } = deletionKey(cached, 0);
    const { pod: _servedPod, ...servedKey } = deletionKey(served, 0);
    assert.deepEqual(cachedKey, servedKey);
    assert.equal(identityMatches(set, cached), identityMatches(set, served));
    assert.equal(storageMatches(set, cached), storageMatches(set, served));
    assert.equal(storageMatches(set, served), true);
  });

  it('drops what nobody reads: managed fields, other annotations, the rest of the spec and status', () => {
    assert.equal(cached.metadata.managedFields, undefined);
    assert.deepEqual(cached.metadata.annotations, { 'controller.kubernetes.io/pod-deletion-cost': '5' });
    assert.equal(cached.spec.tolerations, undefined);
    assert.deepEqual(cached.spec.containers, [{ name: 'nginx' }]);
    assert.deepEqual(
      cached.status?.conditions?.map((c) => c.type),
      ['Ready'],
    );
    assert.ok(JSON.stringify(cached).length < JSON.stringify(served).length / 2, `${JSON.stringify(cached).length} of ${JSON.stringify(served).length} bytes`);
  });

  it('is idempotent and leaves the pod it was given alone', () => {
    const copy = structuredClone(served);
    assert.deepEqual(podForCache(cached), cached);
    assert.deepEqual(served, copy);
  });

  it('keeps the whole spec and every annotation of an orphan a MyDeployment may rebuild a template from', () => {
    const orphan: Pod = {
      ...served,
      metadata: { ...served.metadata, ownerReferences: [], labels: { ...served.metadata.labels, 'pod-template-hash': '5d4f8' } },
    };
    assert.deepEqual(templateFromPod(podForCache(orphan)), templateFromPod(orphan));
  });
});
