import assert from 'node:assert/strict';
import type { MyDaemonSet, MyStatefulSet } from '../../src/api/workloads.ts';
import { daemonSetRolloutStatus, statefulSetRolloutStatus } from '../../src/api/rollout-status.ts';
import { parseTarget } from '../../src/cli/target.ts';

const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };

function ds(generation: number, status: MyDaemonSet['status'], type: 'RollingUpdate' | 'OnDelete' = 'RollingUpdate'): MyDaemonSet {
  return { metadata: { name: 'd', generation }, spec: { selector: { matchLabels: { a: 'b' } }, template, updateStrategy: { type } }, status };
}

function sts(spec: Partial<MyStatefulSet['spec']>, status: MyStatefulSet['status'], generation = 1): MyStatefulSet {
  return { metadata: { name: 's', generation }, spec: { selector: { matchLabels: { a: 'b' } }, template, replicas: 3, ...spec }, status };
}

describe('kubectl my', () => {
  describe('rollout status of a MyDaemonSet (kubectl rules)', () => {
    const rows: { name: string; obj: MyDaemonSet; kind: string; message: RegExp }[] = [
      { name: 'waits for the spec to be observed', obj: ds(2, { observedGeneration: 1 }), kind: 'progressing', message: /spec update to be observed/ },
      {
        name: 'waits for pods to be updated',
        obj: ds(1, { observedGeneration: 1, desiredNumberScheduled: 4, updatedNumberScheduled: 2, numberAvailable: 4 }),
        kind: 'progressing',
        message: /2 out of 4 new pods have been updated/,
      },
      {
        name: 'waits for updated pods to be available',
        obj: ds(1, { observedGeneration: 1, desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 3 }),
        kind: 'progressing',
        message: /3 of 4 updated pods are available/,
      },
      {
        name: 'is done when every desired pod is updated and available',
        obj: ds(1, { observedGeneration: 1, desiredNumberScheduled: 4, updatedNumberScheduled: 4, numberAvailable: 4 }),
        kind: 'done',
        message: /successfully rolled out/,
      },
      { name: 'refuses OnDelete', obj: ds(1, {}, 'OnDelete'), kind: 'unsupported', message: /only available for RollingUpdate/ },
    ];
    for (const row of rows) {
      it(row.name, () => {
        const status = daemonSetRolloutStatus(row.obj);
        assert.equal(status.kind, row.kind);
        assert.match(status.message, row.message);
      });
    }
  });

  describe('rollout status of a MyStatefulSet (kubectl rules)', () => {
    it('waits for readiness, then for the partitioned pods, then is done', () => {
      const partitioned = { updateStrategy: { type: 'RollingUpdate' as const, rollingUpdate: { partition: 1 } } };
      assert.match(statefulSetRolloutStatus(sts(partitioned, { observedGeneration: 1, readyReplicas: 2 })).message, /1 pods to be ready/);
      assert.match(
        statefulSetRolloutStatus(sts(partitioned, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1 })).message,
        /1 out of 2 new pods/,
      );
      assert.equal(statefulSetRolloutStatus(sts(partitioned, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 2 })).kind, 'done');
    });

    it('without a rollingUpdate block, is done when currentRevision reaches updateRevision', () => {
      const base = { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 3 };
      assert.equal(statefulSetRolloutStatus(sts({}, { ...base, currentRevision: 'a', updateRevision: 'b' })).kind, 'progressing');
      assert.equal(statefulSetRolloutStatus(sts({}, { ...base, currentRevision: 'b', updateRevision: 'b' })).kind, 'done');
    });
  });

  describe('targets', () => {
    it('accepts short names, kinds, plural.group and the two-word form', () => {
      assert.deepEqual(parseTarget(['mds/web']), { kind: 'MyDaemonSet', name: 'web' });
      assert.deepEqual(parseTarget(['mystatefulsets.apps.my.dev/web']), { kind: 'MyStatefulSet', name: 'web' });
      assert.deepEqual(parseTarget(['msts', 'web']), { kind: 'MyStatefulSet', name: 'web' });
    });
    it('names the unsupported type', () => {
      assert.throws(() => parseTarget(['deployment/web']), /unsupported resource type "deployment"/);
      assert.throws(() => parseTarget(['mds/']), /missing the name/);
    });
  });
});
