import assert from 'node:assert/strict';
import type { MyDeploymentStatus } from '../../src/api/workloads.ts';
import { newCondition, newRSAvailableReason, progressingType, replicaSetUpdatedReason, timedOutReason } from '../../src/controllers/deployment/conditions.ts';
import { deploymentComplete, deploymentProgressing, deploymentTimedOut, hasProgressDeadline } from '../../src/controllers/deployment/progress.ts';
import { deployment, t0 } from './deployment-util-fixtures.ts';

describe('MyDeployment util: progress', () => {
  it('hasProgressDeadline: set and not 2147483647', () => {
    assert.ok(hasProgressDeadline(deployment({ progressDeadlineSeconds: 600 })));
    assert.ok(hasProgressDeadline(deployment({ progressDeadlineSeconds: 0 })));
    assert.ok(!hasProgressDeadline(deployment({ progressDeadlineSeconds: 2147483647 })));
    assert.ok(!hasProgressDeadline(deployment()));
  });

  describe('deploymentComplete', () => {
    const d = deployment({ replicas: 3, generation: 2 });
    const complete: MyDeploymentStatus = { updatedReplicas: 3, replicas: 3, availableReplicas: 3, observedGeneration: 2 };
    it('is true when updated = replicas = available = spec.replicas and the generation is observed', () => {
      assert.ok(deploymentComplete(d, complete));
      assert.ok(deploymentComplete(d, { ...complete, observedGeneration: 3 }));
    });
    for (const [field, value] of [['updatedReplicas', 2], ['replicas', 4], ['availableReplicas', 2], ['observedGeneration', 1]] as const) {
      it(`is false with ${field} ${value}`, () => assert.ok(!deploymentComplete(d, { ...complete, [field]: value })));
    }
    it('is true for 0 replicas with an empty status', () => {
      assert.ok(deploymentComplete(deployment({ replicas: 0, generation: 0 }), {}));
    });
  });

  describe('deploymentProgressing', () => {
    const stored: MyDeploymentStatus = { replicas: 5, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 };
    const d = deployment({ status: stored });
    const rows: ReadonlyArray<readonly [string, MyDeploymentStatus, boolean]> = [
      ['more updated replicas', { ...stored, updatedReplicas: 3, replicas: 6 }, true],
      ['fewer old replicas', { ...stored, replicas: 4 }, true],
      ['more ready replicas', { ...stored, readyReplicas: 4 }, true],
      ['more available replicas', { ...stored, availableReplicas: 4 }, true],
      ['nothing better', stored, false],
      ['fewer available only', { ...stored, availableReplicas: 2 }, false],
      ['more old replicas', { ...stored, replicas: 6 }, false],
    ];
    for (const [name, status, expected] of rows) it(`${expected ? 'sees' : 'does not see'} progress with ${name}`, () => assert.equal(deploymentProgressing(d, status), expected));
    it('compares against an absent stored status as zeros', () => {
      assert.ok(deploymentProgressing(deployment(), { readyReplicas: 1 }));
    });
  });

  describe('deploymentTimedOut', () => {
    const d = deployment({ progressDeadlineSeconds: 600 });
    const progressing = (reason: string, s: number): MyDeploymentStatus => ({ conditions: [newCondition(progressingType, 'True', reason, 'm', t0 + s * 1000)] });
    it('is true once lastUpdateTime + deadline is before now', () => {
      assert.ok(deploymentTimedOut(d, progressing(replicaSetUpdatedReason, 0), t0 + 600_001));
      assert.ok(!deploymentTimedOut(d, progressing(replicaSetUpdatedReason, 0), t0 + 600_000));
      assert.ok(!deploymentTimedOut(d, progressing(replicaSetUpdatedReason, 0), t0 + 1000));
    });
    it('is never after NewReplicaSetAvailable, always once ProgressDeadlineExceeded', () => {
      assert.ok(!deploymentTimedOut(d, progressing(newRSAvailableReason, 0), t0 + 10_000_000));
      assert.ok(deploymentTimedOut(d, { conditions: [newCondition(progressingType, 'False', timedOutReason, 'm', t0)] }, t0));
    });
    it('is false without a deadline or a Progressing condition', () => {
      assert.ok(!deploymentTimedOut(deployment({ progressDeadlineSeconds: 2147483647 }), progressing(replicaSetUpdatedReason, 0), t0 + 10_000_000));
      assert.ok(!deploymentTimedOut(d, {}, t0 + 10_000_000));
    });
    it('treats a missing lastUpdateTime as long past (Go zero time)', () => {
      assert.ok(deploymentTimedOut(d, { conditions: [{ type: progressingType, status: 'True', reason: replicaSetUpdatedReason }] }, t0));
    });
  });
});
