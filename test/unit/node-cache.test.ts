// The operator's Node cache keeps what the DaemonSet controller reads, and nothing else.
import assert from 'node:assert/strict';
import type { Node } from '../../src/api/core.ts';
import { nodeForCache } from '../../src/controllers/daemonset/node-cache.ts';
import { nodeShouldRunDaemonPod } from '../../src/controllers/daemonset/node-eligibility.ts';
import { daemonSet, node } from './daemonset-fixtures.ts';

const kwokNode = (base: Node): Node => ({
  ...base,
  metadata: { ...base.metadata, uid: 'u1', resourceVersion: '7', annotations: { 'kwok.x-k8s.io/node': 'fake' } },
  status: {
    allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
    capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }],
  },
});

describe('nodeForCache', () => {
  it('keeps name, uid, resourceVersion, labels, taints and unschedulable; drops status and annotations', () => {
    const full = kwokNode(node('n1', { labels: { zone: 'a' }, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }], unschedulable: true }));
    const cached = nodeForCache(full);
    assert.deepEqual(cached, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', uid: 'u1', resourceVersion: '7', labels: { 'kubernetes.io/hostname': 'n1', zone: 'a' } },
      spec: { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }], unschedulable: true },
    });
  });

  it('decides daemon pod placement exactly as the full node does', () => {
    const tainted = kwokNode(node('n2', { taints: [{ key: 'k', effect: 'NoExecute' }] }));
    const selective = daemonSet({ spec: { template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'a' }], nodeSelector: { zone: 'b' } } } } });
    for (const n of [tainted, kwokNode(node('n3', { labels: { zone: 'b' } })), kwokNode(node('n4'))]) {
      for (const ds of [daemonSet(), selective]) {
        assert.deepEqual(nodeShouldRunDaemonPod(nodeForCache(n), ds), nodeShouldRunDaemonPod(n, ds));
      }
    }
  });
});
