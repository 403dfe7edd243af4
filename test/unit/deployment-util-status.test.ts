import assert from 'node:assert/strict';
import type { DeploymentCondition } from '../../src/api/workloads.ts';
import { availableType, minimumReplicasAvailable, minimumReplicasUnavailable, newCondition, progressingType } from '../../src/controllers/deployment/conditions.ts';
import { calculateStatus, terminatingReplicasOf } from '../../src/controllers/deployment/status.ts';
import { deployment, replicaSet, t0 } from './deployment-util-fixtures.ts';

const now = t0 + 100_000;
const availableTrue = newCondition(availableType, 'True', minimumReplicasAvailable, 'Deployment has minimum availability.', now);
const availableFalse = newCondition(availableType, 'False', minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now);

describe('MyDeployment util: calculateStatus', () => {
  const old = replicaSet('old', { replicas: 2, status: { replicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 1, terminatingReplicas: 1 } });
  const fresh = replicaSet('new', { replicas: 4, status: { replicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1, terminatingReplicas: 0 } });

  it('sums the RS statuses; unavailable uses the RS spec sum; Available False below replicas − maxUnavailable', () => {
    const d = deployment({ replicas: 5, generation: 7 });
    assert.deepEqual(calculateStatus(d, [old, fresh], fresh, { maxSurge: 1, maxUnavailable: 1 }, now), {
      observedGeneration: 7,
      replicas: 5,
      updatedReplicas: 2,
      readyReplicas: 4,
      availableReplicas: 3,
      unavailableReplicas: 3, // (2 + 4) − 3, not 5 − 3
      terminatingReplicas: 1,
      selector: 'app=web',
      conditions: [availableFalse],
    });
  });

  it('Available True at exactly replicas − maxUnavailable', () => {
    const d = deployment({ replicas: 4 });
    const status = calculateStatus(d, [old, fresh], fresh, { maxSurge: 1, maxUnavailable: 1 }, now);
    assert.deepEqual(status.conditions, [availableTrue]);
  });

  it('Recreate (maxUnavailable 0) needs every replica available', () => {
    const d = deployment({ replicas: 4, strategy: { type: 'Recreate' } });
    assert.deepEqual(calculateStatus(d, [old, fresh], fresh, { maxSurge: 0, maxUnavailable: 0 }, now).conditions, [availableFalse]);
  });

  it('0 replicas and no RS: counters 0, Available True, updated 0', () => {
    const status = calculateStatus(deployment({ replicas: 0 }), [], undefined, { maxSurge: 0, maxUnavailable: 0 }, now);
    assert.equal(status.replicas, 0);
    assert.equal(status.updatedReplicas, 0);
    assert.equal(status.unavailableReplicas, 0);
    assert.equal(status.terminatingReplicas, 0);
    assert.deepEqual(status.conditions, [availableTrue]);
  });

  it('never reports negative unavailable replicas (more available than the specs ask, while scaling down)', () => {
    const shrinking = replicaSet('a', { replicas: 1, status: { replicas: 3, availableReplicas: 3 } });
    assert.equal(calculateStatus(deployment({ replicas: 1 }), [shrinking], shrinking, { maxSurge: 0, maxUnavailable: 0 }, now).unavailableReplicas, 0);
  });

  it('keeps collisionCount and every stored condition (custom ones too), Available updated in place by the setter', () => {
    const progressing = newCondition(progressingType, 'True', 'ReplicaSetUpdated', 'm', t0);
    const custom: DeploymentCondition = { type: 'example.com/Custom', status: 'True', reason: 'Mine' };
    const oldAvailable = newCondition(availableType, 'True', minimumReplicasAvailable, 'Deployment has minimum availability.', t0);
    const d = deployment({ replicas: 1, status: { collisionCount: 2, conditions: [progressing, oldAvailable, custom] } });
    const status = calculateStatus(d, [fresh], fresh, { maxSurge: 1, maxUnavailable: 0 }, now);
    assert.equal(status.collisionCount, 2);
    // Same status and reason: the stored Available stays as it was, times included.
    assert.deepEqual(status.conditions, [progressing, oldAvailable, custom]);
    const failing = calculateStatus(deployment({ replicas: 9, status: d.status }), [fresh], fresh, { maxSurge: 1, maxUnavailable: 0 }, now);
    assert.deepEqual(failing.conditions, [progressing, custom, availableFalse]);
  });

  it('leaves collisionCount out when it was never set and does not modify the Deployment', () => {
    const d = deployment({ replicas: 1, status: { replicas: 9 } });
    const before = structuredClone(d);
    const status = calculateStatus(d, [fresh], fresh, { maxSurge: 1, maxUnavailable: 0 }, now);
    assert.equal('collisionCount' in status, false);
    assert.deepEqual(d, before);
  });

  it('renders every kind of selector requirement as a label query', () => {
    const base = deployment();
    const d = {
      ...base,
      spec: {
        ...base.spec,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['b', 'a'] }, { key: 'x', operator: 'DoesNotExist' as const }] },
      },
    };
    assert.equal(calculateStatus(d, [], undefined, { maxSurge: 0, maxUnavailable: 0 }, now).selector, 'app=web,tier in (a,b),!x');
  });

  describe('terminatingReplicas', () => {
    it('skips RSes never synced that report none', () => {
      const unsynced = replicaSet('u', { status: { observedGeneration: 0 } });
      assert.equal(terminatingReplicasOf([old, unsynced]), 1);
      assert.equal(terminatingReplicasOf([replicaSet('bare')]), 0);
    });
    it('is unknown when a synced RS does not report it', () => {
      const silent = replicaSet('s', { status: { observedGeneration: 3 } });
      assert.equal(terminatingReplicasOf([old, silent]), undefined);
      const status = calculateStatus(deployment(), [old, silent], undefined, { maxSurge: 0, maxUnavailable: 0 }, now);
      assert.equal('terminatingReplicas' in status, false);
    });
  });
});
