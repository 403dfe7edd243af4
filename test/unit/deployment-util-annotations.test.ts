import assert from 'node:assert/strict';
import {
  changeCauseAnnotation,
  desiredReplicasAnnotation,
  desiredReplicasOf,
  isScalingEvent,
  lastAppliedAnnotation,
  lastRevision,
  maxReplicasAnnotation,
  maxReplicasOf,
  maxRevision,
  newReplicaSetAnnotations,
  replicasAnnotationsChanged,
  revisionAnnotation,
  revisionHistoryAnnotation,
  revisionOf,
  rollbackAnnotations,
  rollbackTo,
  rollbackToAnnotation,
  withReplicasAnnotations,
} from '../../src/controllers/deployment/annotations.ts';
import { deployment, replicaSet } from './deployment-util-fixtures.ts';

describe('MyDeployment util: annotations', () => {
  it('uses the upstream keys', () => {
    assert.equal(revisionAnnotation, 'deployment.kubernetes.io/revision');
    assert.equal(revisionHistoryAnnotation, 'deployment.kubernetes.io/revision-history');
    assert.equal(desiredReplicasAnnotation, 'deployment.kubernetes.io/desired-replicas');
    assert.equal(maxReplicasAnnotation, 'deployment.kubernetes.io/max-replicas');
    assert.equal(rollbackToAnnotation, 'deprecated.deployment.rollback.to');
    assert.equal(changeCauseAnnotation, 'kubernetes.io/change-cause');
    assert.equal(lastAppliedAnnotation, 'kubectl.kubernetes.io/last-applied-configuration');
  });

  describe('revisions (int64)', () => {
    it('reads a revision as int64, 0 when absent, undefined when unparsable', () => {
      assert.equal(revisionOf(replicaSet('a', { revision: '3546343826724305832' })), 3546343826724305832n);
      assert.equal(revisionOf(replicaSet('a')), 0n);
      assert.equal(revisionOf(replicaSet('a', { revision: 'x' })), undefined);
      assert.equal(revisionOf(replicaSet('a', { revision: '9223372036854775808' })), undefined);
    });
    it('gives max + 1 exactly past 2^53 (3546343826724305832 + 1)', () => {
      const rss = [replicaSet('a', { revision: '3546343826724305832' }), replicaSet('b', { revision: '7' })];
      assert.equal(String(maxRevision(rss) + 1n), '3546343826724305833');
    });
    it('MaxRevision skips unparsable revisions and is 0 with none', () => {
      assert.equal(maxRevision([]), 0n);
      assert.equal(maxRevision([replicaSet('a', { revision: 'x' }), replicaSet('b', { revision: '2' })]), 2n);
    });
    it('LastRevision is the second highest; a repeated highest counts twice; 0 with one', () => {
      assert.equal(lastRevision([replicaSet('a', { revision: '1' }), replicaSet('b', { revision: '3' }), replicaSet('c', { revision: '2' })]), 2n);
      assert.equal(lastRevision([replicaSet('a', { revision: '5' }), replicaSet('b', { revision: '5' })]), 5n);
      assert.equal(lastRevision([replicaSet('a', { revision: '5' })]), 0n);
      assert.equal(lastRevision([replicaSet('a', { revision: 'x' }), replicaSet('b', { revision: '4' }), replicaSet('c', { revision: '9' })]), 4n);
    });
  });

  describe('newReplicaSetAnnotations (SetNewReplicaSetAnnotations)', () => {
    const d = deployment({
      replicas: 10,
      annotations: {
        [changeCauseAnnotation]: 'kubectl set image',
        team: 'a',
        [lastAppliedAnnotation]: '{}',
        [revisionAnnotation]: '99',
        [rollbackToAnnotation]: '1',
        [revisionHistoryAnnotation]: '1,2',
        [desiredReplicasAnnotation]: '1',
        [maxReplicasAnnotation]: '1',
      },
    });

    it('for a new RS: copies all but the skip list, sets the revision and desired/max replicas', () => {
      const result = newReplicaSetAnnotations(d, replicaSet('n'), '4', false);
      assert.deepEqual(result, {
        changed: true,
        annotations: {
          [changeCauseAnnotation]: 'kubectl set image',
          team: 'a',
          [revisionAnnotation]: '4',
          [desiredReplicasAnnotation]: '10',
          [maxReplicasAnnotation]: '13',
        },
      });
    });

    it('uses 0 surge for Recreate in max-replicas', () => {
      const r = deployment({ replicas: 3, strategy: { type: 'Recreate' } });
      assert.equal(newReplicaSetAnnotations(r, replicaSet('n'), '1', false).annotations[maxReplicasAnnotation], '3');
    });

    it('for an existing RS: never removes keys and leaves desired/max alone', () => {
      const rs = replicaSet('n', { revision: '4', annotations: { mine: 'kept', team: 'old', [desiredReplicasAnnotation]: '5' } });
      const result = newReplicaSetAnnotations(d, rs, '4', true);
      assert.equal(result.changed, true);
      assert.deepEqual(result.annotations, {
        [revisionAnnotation]: '4',
        mine: 'kept',
        team: 'a',
        [desiredReplicasAnnotation]: '5',
        [changeCauseAnnotation]: 'kubectl set image',
      });
    });

    it('reports no change when everything is already there', () => {
      const rs = replicaSet('n', { revision: '4', annotations: { team: 'a', [changeCauseAnnotation]: 'kubectl set image' } });
      assert.equal(newReplicaSetAnnotations(d, rs, '4', true).changed, false);
    });

    it('never lowers a revision', () => {
      const rs = replicaSet('n', { revision: '7', annotations: { team: 'a', [changeCauseAnnotation]: 'kubectl set image' } });
      const result = newReplicaSetAnnotations(d, rs, '4', true);
      assert.equal(result.changed, false);
      assert.equal(result.annotations[revisionAnnotation], '7');
      assert.equal(result.annotations[revisionHistoryAnnotation], undefined);
    });

    it('raises a re-used RS revision and appends the old one to revision-history', () => {
      const plain = deployment();
      const first = newReplicaSetAnnotations(plain, replicaSet('n', { revision: '2' }), '5', true);
      assert.equal(first.annotations[revisionAnnotation], '5');
      assert.equal(first.annotations[revisionHistoryAnnotation], '2');
      const again = newReplicaSetAnnotations(plain, replicaSet('n', { revision: '5', annotations: { [revisionHistoryAnnotation]: '2' } }), '8', true);
      assert.equal(again.annotations[revisionHistoryAnnotation], '2,5');
    });

    it('does not start a history for an RS that had no revision', () => {
      const result = newReplicaSetAnnotations(deployment(), replicaSet('n'), '3', true);
      assert.equal(result.annotations[revisionAnnotation], '3');
      assert.equal(result.annotations[revisionHistoryAnnotation], undefined);
    });

    it('drops the oldest history entries to stay within 2000 characters', () => {
      const entries = Array.from({ length: 400 }, (_, i) => String(1000 + i)); // 400 × 5 − 1 = 1999 chars
      const history = entries.join(',');
      assert.equal(history.length, 1999);
      const rs = replicaSet('n', { revision: '77777', annotations: { [revisionHistoryAnnotation]: history } });
      const result = newReplicaSetAnnotations(deployment(), rs, '99999', true);
      const next = result.annotations[revisionHistoryAnnotation] ?? '';
      assert.ok(next.length <= 2000, `length ${next.length}`);
      assert.ok(next.endsWith(',77777'));
      // 1999 + 1 + 5 = 2005 > 2000: dropping "1000," (5 chars) is enough.
      assert.ok(next.startsWith('1001,'), next.slice(0, 20));
      assert.equal(next.length, 2000);
    });

    it('keeps a history that fits exactly', () => {
      const rs = replicaSet('n', { revision: '3', annotations: { [revisionHistoryAnnotation]: '1,2' } });
      const result = newReplicaSetAnnotations(deployment(), rs, '4', true, 5);
      assert.equal(result.annotations[revisionHistoryAnnotation], '1,2,3');
      const tight = newReplicaSetAnnotations(deployment(), rs, '4', true, 4);
      assert.equal(tight.annotations[revisionHistoryAnnotation], '2,3');
    });

    it('gives up on an RS whose revision is not an integer (changed false, revision kept)', () => {
      const rs = replicaSet('n', { revision: 'abc' });
      const result = newReplicaSetAnnotations(d, rs, '4', true);
      assert.equal(result.changed, false);
      assert.equal(result.annotations[revisionAnnotation], 'abc');
      // The copy still happened, as on upstream's rsCopy; it is written only with a minReadySeconds change.
      assert.equal(result.annotations.team, 'a');
    });

    it('gives up on a non-integer new revision', () => {
      assert.equal(newReplicaSetAnnotations(deployment(), replicaSet('n'), 'x', true).changed, false);
    });

    it('does not modify the RS', () => {
      const rs = replicaSet('n', { revision: '2' });
      const before = structuredClone(rs);
      newReplicaSetAnnotations(d, rs, '5', false);
      assert.deepEqual(rs, before);
    });
  });

  describe('desired/max replicas annotations', () => {
    it('sets both and reports a change only when one differs', () => {
      const rs = replicaSet('a', { annotations: { x: 'y' } });
      assert.deepEqual(withReplicasAnnotations(rs, 10, 13), {
        changed: true,
        annotations: { x: 'y', [desiredReplicasAnnotation]: '10', [maxReplicasAnnotation]: '13' },
      });
      const done = replicaSet('a', { annotations: { [desiredReplicasAnnotation]: '10', [maxReplicasAnnotation]: '13' } });
      assert.equal(withReplicasAnnotations(done, 10, 13).changed, false);
      assert.equal(replicasAnnotationsChanged(done, 10, 13), false);
      assert.equal(replicasAnnotationsChanged(done, 10, 14), true);
      assert.equal(replicasAnnotationsChanged(done, 11, 13), true);
      assert.equal(replicasAnnotationsChanged(replicaSet('b'), 0, 0), true);
    });

    it('reads them as non-negative int32, else undefined', () => {
      const read = (v: string): number | undefined => desiredReplicasOf(replicaSet('a', { annotations: { [desiredReplicasAnnotation]: v } }));
      assert.equal(read('10'), 10);
      assert.equal(read('0'), 0);
      assert.equal(read('2147483647'), 2147483647);
      assert.equal(read('2147483648'), undefined);
      assert.equal(read('-1'), undefined);
      assert.equal(read('+1'), undefined);
      assert.equal(read('x'), undefined);
      assert.equal(desiredReplicasOf(replicaSet('a')), undefined);
      assert.equal(maxReplicasOf(replicaSet('a', { annotations: { [maxReplicasAnnotation]: '13' } })), 13);
    });
  });

  describe('isScalingEvent', () => {
    const d = deployment({ replicas: 15 });
    it('is true when an active RS was sized for other replicas', () => {
      assert.ok(isScalingEvent(d, [replicaSet('a', { replicas: 8, annotations: { [desiredReplicasAnnotation]: '10' } })]));
    });
    it('ignores RSes at 0, without or with an invalid annotation', () => {
      assert.ok(!isScalingEvent(d, [replicaSet('a', { replicas: 0, annotations: { [desiredReplicasAnnotation]: '10' } })]));
      assert.ok(!isScalingEvent(d, [replicaSet('a', { replicas: 3 })]));
      assert.ok(!isScalingEvent(d, [replicaSet('a', { replicas: 3, annotations: { [desiredReplicasAnnotation]: 'ten' } })]));
    });
    it('is false when every active RS agrees', () => {
      assert.ok(!isScalingEvent(d, [replicaSet('a', { replicas: 8, annotations: { [desiredReplicasAnnotation]: '15' } }), replicaSet('b', { replicas: 7, annotations: { [desiredReplicasAnnotation]: '15' } })]));
      assert.ok(!isScalingEvent(d, []));
    });
  });

  describe('rollback', () => {
    it('keeps the skip-list annotations of the Deployment and takes every other one from the RS', () => {
      const d = deployment({
        annotations: { [revisionAnnotation]: '5', [lastAppliedAnnotation]: '{}', [rollbackToAnnotation]: '2', [changeCauseAnnotation]: 'v5', onlyOnDeployment: 'x' },
      });
      const rs = replicaSet('a', { revision: '2', annotations: { [changeCauseAnnotation]: 'v2', [revisionHistoryAnnotation]: '1', [desiredReplicasAnnotation]: '3', fromRs: 'y' } });
      assert.deepEqual(rollbackAnnotations(d, rs), {
        [revisionAnnotation]: '5',
        [lastAppliedAnnotation]: '{}',
        [rollbackToAnnotation]: '2',
        [changeCauseAnnotation]: 'v2',
        fromRs: 'y',
      });
    });
    it('parses rollback.to as int64; absent, empty or bad → undefined', () => {
      assert.equal(rollbackTo(deployment({ annotations: { [rollbackToAnnotation]: '0' } })), 0n);
      assert.equal(rollbackTo(deployment({ annotations: { [rollbackToAnnotation]: '3546343826724305832' } })), 3546343826724305832n);
      assert.equal(rollbackTo(deployment({ annotations: { [rollbackToAnnotation]: '' } })), undefined);
      assert.equal(rollbackTo(deployment({ annotations: { [rollbackToAnnotation]: 'two' } })), undefined);
      assert.equal(rollbackTo(deployment()), undefined);
    });
  });
});
