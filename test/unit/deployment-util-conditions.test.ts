import assert from 'node:assert/strict';
import type { DeploymentCondition, MyDeploymentStatus } from '../../src/api/workloads.ts';
import {
  availableType,
  failedRSCreateReason,
  foundNewRSReason,
  getCondition,
  minimumReplicasAvailable,
  minimumReplicasUnavailable,
  newCondition,
  newReplicaSetReason,
  newRSAvailableReason,
  pausedReason,
  progressingType,
  removeCondition,
  replicaFailureType,
  replicaSetToDeploymentCondition,
  replicaSetUpdatedReason,
  resumedReason,
  setCondition,
  timedOutReason,
} from '../../src/controllers/deployment/conditions.ts';
import { t0 } from './deployment-util-fixtures.ts';

const at = (s: number): string => new Date(t0 + s * 1000).toISOString().replace('.000Z', 'Z');

describe('MyDeployment util: conditions', () => {
  it('uses the upstream types and reasons', () => {
    assert.deepEqual(
      [progressingType, availableType, replicaFailureType],
      ['Progressing', 'Available', 'ReplicaFailure'],
    );
    assert.deepEqual(
      [newReplicaSetReason, foundNewRSReason, newRSAvailableReason, replicaSetUpdatedReason, timedOutReason, pausedReason, resumedReason, failedRSCreateReason],
      ['NewReplicaSetCreated', 'FoundNewReplicaSet', 'NewReplicaSetAvailable', 'ReplicaSetUpdated', 'ProgressDeadlineExceeded', 'DeploymentPaused', 'DeploymentResumed', 'ReplicaSetCreateError'],
    );
    assert.deepEqual([minimumReplicasAvailable, minimumReplicasUnavailable], ['MinimumReplicasAvailable', 'MinimumReplicasUnavailable']);
  });

  it('newCondition stamps both times with now, in whole seconds', () => {
    assert.deepEqual(newCondition(progressingType, 'True', newReplicaSetReason, 'Created new replica set "a"', t0 + 1500), {
      type: 'Progressing',
      status: 'True',
      lastUpdateTime: at(1),
      lastTransitionTime: at(1),
      reason: 'NewReplicaSetCreated',
      message: 'Created new replica set "a"',
    });
  });

  describe('setCondition (SetDeploymentCondition)', () => {
    const progressing = newCondition(progressingType, 'True', replicaSetUpdatedReason, 'ReplicaSet "a" is progressing.', t0);
    const custom: DeploymentCondition = { type: 'Custom', status: 'True', reason: 'Mine' };
    const status: MyDeploymentStatus = { replicas: 1, conditions: [progressing, custom] };

    it('appends a new type last', () => {
      const available = newCondition(availableType, 'True', minimumReplicasAvailable, 'm', t0);
      assert.deepEqual(setCondition(status, available).conditions, [progressing, custom, available]);
    });
    it('leaves the same status and reason untouched (message and times stay)', () => {
      const again = newCondition(progressingType, 'True', replicaSetUpdatedReason, 'another message', t0 + 60_000);
      assert.equal(setCondition(status, again), status);
    });
    it('same status, new reason: replaced and moved last, lastTransitionTime kept, lastUpdateTime new', () => {
      const done = newCondition(progressingType, 'True', newRSAvailableReason, 'done', t0 + 60_000);
      const next = setCondition(status, done);
      assert.deepEqual(next.conditions, [custom, { ...done, lastTransitionTime: at(0) }]);
    });
    it('status change: both times new', () => {
      const failed = newCondition(progressingType, 'False', timedOutReason, 'timed out', t0 + 60_000);
      assert.deepEqual(setCondition(status, failed).conditions, [custom, failed]);
    });
    it('does not modify the status given', () => {
      const before = structuredClone(status);
      setCondition(status, newCondition(progressingType, 'False', timedOutReason, 'x', t0 + 1000));
      assert.deepEqual(status, before);
    });
    it('works on a status without conditions', () => {
      const c = newCondition(availableType, 'True', minimumReplicasAvailable, 'm', t0);
      assert.deepEqual(setCondition({}, c), { conditions: [c] });
    });
  });

  it('getCondition finds by type', () => {
    const c = newCondition(availableType, 'False', minimumReplicasUnavailable, 'm', t0);
    assert.equal(getCondition({ conditions: [c] }, availableType), c);
    assert.equal(getCondition({ conditions: [c] }, progressingType), undefined);
    assert.equal(getCondition(undefined, progressingType), undefined);
  });

  it('removeCondition drops the type, and the list when it empties', () => {
    const c = newCondition(progressingType, 'True', replicaSetUpdatedReason, 'm', t0);
    const other: DeploymentCondition = { type: 'Custom', status: 'True' };
    assert.deepEqual(removeCondition({ replicas: 2, conditions: [c, other] }, progressingType), { replicas: 2, conditions: [other] });
    assert.deepEqual(removeCondition({ replicas: 2, conditions: [c] }, progressingType), { replicas: 2 });
    const untouched: MyDeploymentStatus = { conditions: [other] };
    assert.equal(removeCondition(untouched, progressingType), untouched);
  });

  it('replicaSetToDeploymentCondition copies an RS condition with lastUpdateTime = lastTransitionTime', () => {
    assert.deepEqual(replicaSetToDeploymentCondition({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: at(5) }), {
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message: 'quota',
      lastTransitionTime: at(5),
      lastUpdateTime: at(5),
    });
  });
});
