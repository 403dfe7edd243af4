import assert from 'node:assert/strict';
import type { MyReplicaSet } from '../../src/api/workloads.ts';
import { hasRevisionHistoryLimit, replicaSetsToCleanUp } from '../../src/controllers/deployment/history-cleanup.ts';
import { deployment, names, replicaSet } from './deployment-util-fixtures.ts';

function idle(name: string, revision: string, created = Number(revision)): MyReplicaSet {
  return replicaSet(name, { replicas: 0, revision, created, status: { replicas: 0, observedGeneration: 1 } });
}

describe('MyDeployment util: history cleanup (cleanupDeployment)', () => {
  it('has a limit only when set and not 2147483647', () => {
    assert.ok(hasRevisionHistoryLimit(deployment({ revisionHistoryLimit: 0 })));
    assert.ok(!hasRevisionHistoryLimit(deployment({ revisionHistoryLimit: 2147483647 })));
    assert.ok(!hasRevisionHistoryLimit(deployment()));
  });

  it('deletes none without a limit, or with 2147483647', () => {
    const olds = [idle('a', '1'), idle('b', '2')];
    assert.deepEqual(replicaSetsToCleanUp(deployment(), olds), []);
    assert.deepEqual(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 2147483647 }), olds), []);
  });

  it('deletes only the count − limit lowest revisions', () => {
    const olds = [idle('r3', '3'), idle('r1', '1'), idle('r4', '4'), idle('r2', '2')];
    assert.deepEqual(names(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 2 }), olds)), ['r1', 'r2']);
    assert.deepEqual(names(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 0 }), olds)), ['r1', 'r2', 'r3', 'r4']);
    assert.deepEqual(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 4 }), olds), []);
  });

  it('skips a busy one without taking a younger one instead', () => {
    const busy = [
      replicaSet('r1-scaled', { replicas: 1, revision: '1', status: { replicas: 0, observedGeneration: 1 } }),
      replicaSet('r2-pods', { replicas: 0, revision: '2', status: { replicas: 1, observedGeneration: 1 } }),
      replicaSet('r3-unobserved', { replicas: 0, revision: '3', generation: 2, status: { replicas: 0, observedGeneration: 1 } }),
      replicaSet('r4-absent-replicas', { revision: '4', status: { replicas: 0, observedGeneration: 1 } }),
    ];
    const olds = [...busy, idle('r5', '5'), idle('r6', '6')];
    assert.deepEqual(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 2 }), olds), []);
  });

  it('does not count RSes already being deleted', () => {
    const olds = [replicaSet('gone', { replicas: 0, revision: '1', deleting: true, status: { replicas: 0 } }), idle('r2', '2'), idle('r3', '3')];
    assert.deepEqual(names(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 1 }), olds)), ['r2']);
  });

  it('orders equal or unparsable revisions by creation', () => {
    const olds = [idle('late', '5', 50), idle('early', '5', 10), replicaSet('bad', { replicas: 0, revision: 'x', created: 0, status: { replicas: 0, observedGeneration: 1 } })];
    // 'bad' ties with anything by creation; it is the oldest.
    assert.deepEqual(names(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 1 }), olds)), ['bad', 'early']);
  });

  it('does not reorder its input', () => {
    const olds = [idle('r2', '2'), idle('r1', '1')];
    replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 0 }), olds);
    assert.deepEqual(names(olds), ['r2', 'r1']);
  });
});
