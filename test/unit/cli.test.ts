import assert from 'node:assert/strict';
import type { DeploymentCondition, MyDaemonSet, MyDeployment, MyStatefulSet } from '../../src/api/workloads.ts';
import { daemonSetRolloutStatus, deploymentRolloutStatus, statefulSetRolloutStatus } from '../../src/api/rollout-status.ts';
import { historyTable } from '../../src/cli/history-table.ts';
import { parseTarget, targetLabel, targetResourceName } from '../../src/cli/target.ts';

const template = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };

function ds(generation: number, status: MyDaemonSet['status'], type: 'RollingUpdate' | 'OnDelete' = 'RollingUpdate'): MyDaemonSet {
  return { metadata: { name: 'd', generation }, spec: { selector: { matchLabels: { a: 'b' } }, template, updateStrategy: { type } }, status };
}

function sts(spec: Partial<MyStatefulSet['spec']>, status: MyStatefulSet['status'], generation = 1): MyStatefulSet {
  return { metadata: { name: 's', generation }, spec: { selector: { matchLabels: { a: 'b' } }, template, replicas: 3, ...spec }, status };
}

function deploy(generation: number, status: MyDeployment['status'], replicas = 3): MyDeployment {
  return { metadata: { name: 'web', generation }, spec: { replicas, selector: { matchLabels: { a: 'b' } }, template }, status };
}

const timedOut: DeploymentCondition = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: '' };

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

  describe('rollout status of a MyDeployment (kubectl rules)', () => {
    const rows: { name: string; obj: MyDeployment; kind: string; message: string }[] = [
      {
        name: 'waits for the spec to be observed, even past the deadline of the previous spec',
        obj: deploy(2, { observedGeneration: 1, conditions: [timedOut] }),
        kind: 'progressing',
        message: 'Waiting for deployment spec update to be observed...',
      },
      {
        name: 'fails once the controller marked the rollout as past its progress deadline',
        obj: deploy(2, { observedGeneration: 2, replicas: 4, updatedReplicas: 1, conditions: [timedOut] }),
        kind: 'failed',
        message: 'deployment "web" exceeded its progress deadline',
      },
      {
        name: 'waits for replicas to be updated',
        obj: deploy(1, { observedGeneration: 1, replicas: 4, updatedReplicas: 1, availableReplicas: 3 }),
        kind: 'progressing',
        message: 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      },
      {
        name: 'waits for old replicas to terminate',
        obj: deploy(1, { observedGeneration: 1, replicas: 5, updatedReplicas: 3, availableReplicas: 3 }),
        kind: 'progressing',
        message: 'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...',
      },
      {
        name: 'waits for updated replicas to be available',
        obj: deploy(1, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 1 }),
        kind: 'progressing',
        message: 'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
      },
      {
        name: 'is done when every replica is updated and available',
        obj: deploy(1, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
        kind: 'done',
        message: 'deployment "web" successfully rolled out',
      },
      {
        name: 'is done for a MyDeployment scaled to zero',
        obj: deploy(1, { observedGeneration: 1 }, 0),
        kind: 'done',
        message: 'deployment "web" successfully rolled out',
      },
    ];
    for (const row of rows) {
      it(row.name, () => assert.deepEqual(deploymentRolloutStatus(row.obj), { kind: row.kind, message: row.message }));
    }
  });

  describe('rollout history table', () => {
    it('lists revisions in ascending order with their change-cause, <none> without one', () => {
      assert.deepEqual(
        historyTable([
          { revision: 3n, changeCause: 'kubectl set image mdeploy/web app=web:3' },
          { revision: 1n, changeCause: undefined },
          { revision: 2n, changeCause: '' },
        ]),
        ['REVISION  CHANGE-CAUSE', '1         <none>', '2         <none>', '3         kubectl set image mdeploy/web app=web:3'],
      );
    });
    it('widens the REVISION column for revisions longer than its title, as kubectl\'s tabwriter', () => {
      assert.deepEqual(historyTable([{ revision: 3546343826724305832n, changeCause: 'big' }]), [
        'REVISION             CHANGE-CAUSE',
        '3546343826724305832  big',
      ]);
    });
    it('says so when there is no revision', () => {
      assert.deepEqual(historyTable([]), ['No rollout history found.']);
    });
  });

  describe('targets', () => {
    it('accepts short names, kinds, plural.group and the two-word form', () => {
      assert.deepEqual(parseTarget(['mds/web']), { kind: 'MyDaemonSet', name: 'web' });
      assert.deepEqual(parseTarget(['mystatefulsets.apps.my.dev/web']), { kind: 'MyStatefulSet', name: 'web' });
      assert.deepEqual(parseTarget(['msts', 'web']), { kind: 'MyStatefulSet', name: 'web' });
    });
    it('accepts every spelling of MyDeployment', () => {
      for (const type of ['mdeploy', 'mydeployment', 'mydeployments', 'mydeployment.apps.my.dev', 'MyDeployments.apps.my.dev']) {
        assert.deepEqual(parseTarget([`${type}/web`]), { kind: 'MyDeployment', name: 'web' }, type);
      }
      assert.deepEqual(parseTarget(['mdeploy', 'web']), { kind: 'MyDeployment', name: 'web' });
    });
    it('names the unsupported type', () => {
      assert.throws(() => parseTarget(['deployment/web']), /unsupported resource type "deployment": use mds \(MyDaemonSet\), msts \(MyStatefulSet\) or mdeploy \(MyDeployment\)/);
      assert.throws(() => parseTarget(['mds/']), /missing the name/);
    });
    it('names objects as kubectl does, with our kind and group', () => {
      assert.equal(targetLabel({ kind: 'MyDeployment', name: 'web' }), 'mydeployment.apps.my.dev/web');
      assert.equal(targetLabel({ kind: 'MyDaemonSet', name: 'agent' }), 'mydaemonset.apps.my.dev/agent');
      assert.equal(targetResourceName({ kind: 'MyDeployment', name: 'web' }), 'mydeployments.apps.my.dev "web"');
    });
  });
});
