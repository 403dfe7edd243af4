// MyReplicaSet status: the counts (calculateStatus), whether they need writing
// (updateReplicaSetStatus), the selector string for the scale subresource, and the ReplicaFailure
// condition's lifecycle.
import assert from 'node:assert/strict';
import type { WorkloadCondition } from '../../src/api/meta.ts';
import type { MyReplicaSetStatus } from '../../src/api/workloads.ts';
import {
  calculateStatusCounts,
  replicaFailureConditions,
  replicaSetStatusUpdate,
} from '../../src/controllers/replicaset/status.ts';
import { iso, pod, replicaSet, t0, template } from './replicaset-fixtures.ts';

const now = t0;
const nowIso = iso(now);

describe('MyReplicaSet status', () => {
  describe('counts', () => {
    it('counts active pods, fully labelled ones, Ready ones and available ones', () => {
      const rs = replicaSet({ spec: { minReadySeconds: 60, template: template('web:1', { app: 'web', tier: 'front' }) } });
      const full = { app: 'web', tier: 'front' };
      const active = [
        pod('available', { readySince: now - 120_000, labels: full }),
        pod('ready-not-available', { readySince: now - 10_000, labels: { ...full, extra: 'x' } }),
        pod('not-ready', { notReady: true, labels: full }),
        pod('partly-labelled', { readySince: now - 120_000 }),
      ];
      const terminating = [pod('going', { deletionTimestamp: iso(now - 1000) })];
      assert.deepEqual(calculateStatusCounts(rs, active, terminating, now), {
        replicas: 4,
        fullyLabeledReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 2,
        terminatingReplicas: 1,
      });
    });

    it('takes every Ready pod as available with minReadySeconds 0, and every pod as fully labelled without template labels', () => {
      const rs = replicaSet({ spec: { template: { spec: template().spec } } });
      const active = [pod('a', { readySince: now }), pod('b', { labels: { other: 'x' } })];
      assert.deepEqual(calculateStatusCounts(rs, active, [], now), {
        replicas: 2,
        fullyLabeledReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        terminatingReplicas: 0,
      });
    });

    it('is Ready only by a Ready condition that is True', () => {
      const rs = replicaSet();
      const unknown = { ...pod('u'), status: { phase: 'Running' as const, conditions: [{ type: 'Ready', status: 'Unknown' as const }] } };
      assert.equal(calculateStatusCounts(rs, [unknown], [], now).readyReplicas, 0);
    });
  });

  describe('whether to write', () => {
    const counts = { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 1, terminatingReplicas: 0 };
    const written: MyReplicaSetStatus = { ...counts, selector: 'app=web', observedGeneration: 1 };

    it('writes the counts, the selector string and observedGeneration when anything differs', () => {
      assert.deepEqual(replicaSetStatusUpdate(replicaSet(), counts), { ...counts, selector: 'app=web', observedGeneration: 1 });
    });

    it('writes nothing when the counts, the selector and observedGeneration are as stored', () => {
      assert.equal(replicaSetStatusUpdate(replicaSet({ status: written }), counts), undefined);
    });

    it('reads absent counts as 0, but an absent terminatingReplicas differs from 0 (a pointer upstream)', () => {
      const zero = { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, terminatingReplicas: 0 };
      assert.equal(replicaSetStatusUpdate(replicaSet({ status: { selector: 'app=web', observedGeneration: 1, terminatingReplicas: 0 } }), zero), undefined);
      assert.deepEqual(replicaSetStatusUpdate(replicaSet({ status: { selector: 'app=web', observedGeneration: 1 } }), zero), {
        ...zero,
        selector: 'app=web',
        observedGeneration: 1,
      });
    });

    for (const [field, value] of [
      ['replicas', 3],
      ['fullyLabeledReplicas', 1],
      ['readyReplicas', 2],
      ['availableReplicas', 0],
      ['terminatingReplicas', 1],
      ['selector', 'app=old'],
      ['observedGeneration', 0],
    ] as const) {
      it(`writes when ${field} differs from the stored one`, () => {
        const update = replicaSetStatusUpdate(replicaSet({ status: { ...written, [field]: value } }), counts);
        assert.deepEqual(update, { ...counts, selector: 'app=web', observedGeneration: 1 });
      });
    }

    it('writes observedGeneration = generation also when the stored one is ahead', () => {
      const update = replicaSetStatusUpdate(replicaSet({ generation: 2, status: { ...written, observedGeneration: 3 } }), counts);
      assert.equal(update?.observedGeneration, 2);
    });

    it('renders matchLabels and matchExpressions sorted by key as a label query for the scale subresource', () => {
      const rs = replicaSet({
        spec: {
          selector: {
            matchLabels: { tier: 'front', app: 'web' },
            matchExpressions: [
              { key: 'env', operator: 'In', values: ['prod', 'canary'] },
              { key: 'zone', operator: 'NotIn', values: ['b'] },
              { key: 'track', operator: 'Exists' },
              { key: 'legacy', operator: 'DoesNotExist' },
            ],
          },
        },
      });
      assert.equal(replicaSetStatusUpdate(rs, counts)?.selector, 'app=web,env in (canary,prod),!legacy,tier=front,track,zone notin (b)');
    });
  });

  describe('ReplicaFailure', () => {
    const custom: WorkloadCondition = { type: 'Custom', status: 'True', reason: 'E2E', message: 'set by someone else' };
    const failedCreate = { reason: 'FailedCreate' as const, message: 'pods "web-x" is forbidden: exceeded quota: q' };

    it('is added, True with reason FailedCreate and the error, after custom conditions', () => {
      assert.deepEqual(replicaFailureConditions([custom], failedCreate, nowIso), [
        custom,
        { type: 'ReplicaFailure', status: 'True', lastTransitionTime: nowIso, reason: 'FailedCreate', message: failedCreate.message },
      ]);
    });

    it('takes the reason FailedDelete when deletes failed', () => {
      const conditions = replicaFailureConditions(undefined, { reason: 'FailedDelete', message: 'unable to delete pods: boom' }, nowIso);
      assert.deepEqual(conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: nowIso, reason: 'FailedDelete', message: 'unable to delete pods: boom' }]);
    });

    it('is never refreshed: a later failure leaves the first one as it is, whatever its status or message', () => {
      const first: WorkloadCondition = { type: 'ReplicaFailure', status: 'True', lastTransitionTime: iso(now - 60_000), reason: 'FailedCreate', message: 'first' };
      assert.equal(replicaFailureConditions([first, custom], { reason: 'FailedDelete', message: 'second' }, nowIso), undefined);
      const falseOne: WorkloadCondition = { ...first, status: 'False' };
      assert.equal(replicaFailureConditions([falseOne], failedCreate, nowIso), undefined);
    });

    it('is removed by a sync without failure, keeping the other conditions in place', () => {
      const failure: WorkloadCondition = { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'm' };
      const other: WorkloadCondition = { type: 'Other', status: 'False' };
      assert.deepEqual(replicaFailureConditions([custom, failure, other], undefined, nowIso), [custom, other]);
      assert.deepEqual(replicaFailureConditions([failure], undefined, nowIso), []);
    });

    it('leaves the conditions alone when there is no failure and none to remove', () => {
      assert.equal(replicaFailureConditions(undefined, undefined, nowIso), undefined);
      assert.equal(replicaFailureConditions([custom], undefined, nowIso), undefined);
    });

    it('runs the whole lifecycle: set once, kept through later failures, gone after a clean sync, set again', () => {
      let conditions: readonly WorkloadCondition[] | undefined = [custom];
      const step = (failure: typeof failedCreate | undefined, at: string): void => {
        conditions = replicaFailureConditions(conditions, failure, at) ?? conditions;
      };
      step(failedCreate, iso(now));
      step({ ...failedCreate, message: 'another cause' }, iso(now + 1000));
      assert.deepEqual(
        conditions.map((c) => [c.type, c.message, c.lastTransitionTime]),
        [
          ['Custom', custom.message, undefined],
          ['ReplicaFailure', failedCreate.message, iso(now)],
        ],
      );
      step(undefined, iso(now + 2000));
      assert.deepEqual(conditions, [custom]);
      step(failedCreate, iso(now + 3000));
      assert.equal(conditions.find((c) => c.type === 'ReplicaFailure')?.lastTransitionTime, iso(now + 3000));
    });
  });
});
