// The pod a MyReplicaSet creates (upstream GetPodFromTemplate) and the refusal of one without labels.
import assert from 'node:assert/strict';
import { newReplicaSetPod, noLabelsMessage, podCreateRefusal } from '../../src/controllers/replicaset/pod-template.ts';
import { replicaSet, template } from './replicaset-fixtures.ts';

describe('MyReplicaSet pod template', () => {
  it('copies labels, annotations, finalizers and spec, and adds generateName and the controller reference', () => {
    const rs = replicaSet({
      spec: {
        template: {
          metadata: { labels: { app: 'web' }, annotations: { note: 'x' }, finalizers: ['example.com/keep'], name: 'ignored' },
          spec: { ...template().spec, terminationGracePeriodSeconds: 5 },
        },
      },
    });
    const before = JSON.stringify(rs);
    const pod = newReplicaSetPod(rs);
    assert.deepEqual(pod, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: 'web-',
        namespace: 'ns',
        labels: { app: 'web' },
        annotations: { note: 'x' },
        finalizers: ['example.com/keep'],
        ownerReferences: [
          { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { containers: [{ name: 'web', image: 'web:1' }], terminationGracePeriodSeconds: 5 },
    });
    assert.equal(JSON.stringify(rs), before, 'the template is never modified');
    assert.equal(podCreateRefusal(pod), undefined);
  });

  it('leaves out empty annotations and finalizers', () => {
    const pod = newReplicaSetPod(replicaSet());
    assert.equal(pod.metadata.annotations, undefined);
    assert.equal(pod.metadata.finalizers, undefined);
  });

  it('uses the bare name as generateName when `<name>-` cannot prefix a pod name', () => {
    const long = 'a'.repeat(253);
    assert.equal(newReplicaSetPod(replicaSet({ name: long })).metadata.generateName, long);
    assert.equal(newReplicaSetPod(replicaSet({ name: 'a'.repeat(252) })).metadata.generateName, `${'a'.repeat(252)}-`);
  });

  it('refuses a pod without labels, with upstream words', () => {
    const unlabelled = newReplicaSetPod(replicaSet({ spec: { template: { metadata: { labels: {} }, spec: template().spec } } }));
    assert.equal(podCreateRefusal(unlabelled), noLabelsMessage);
    assert.equal(noLabelsMessage, 'unable to create pods, no labels');
    const noTemplate = newReplicaSetPod(replicaSet({ spec: { template: undefined } }));
    assert.equal(podCreateRefusal(noTemplate), noLabelsMessage);
  });
});
