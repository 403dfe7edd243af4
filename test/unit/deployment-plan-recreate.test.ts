// The MyDeployment planner on Recreate Deployments (upstream recreate.go): old RSes to 0 first,
// the new RS only once no old pod runs — terminating ones included — then at full size.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyDeployment } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { Cluster, deployment, lastStatus, newName, ownedReplicaSet, revisionKey, snapshot, summarize, t0 } from './deployment-plan-fixtures.ts';

const now = t0 + 3_600_000;

function recreate(image = 'nginx:2'): MyDeployment {
  const d = deployment({ replicas: 3, strategy: { type: 'Recreate' }, annotations: { [revisionKey]: '1' }, generation: 2 });
  return { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { containers: [{ name: 'app', image }] } } } };
}

function pod(name: string, phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed', terminating = false): Pod {
  return {
    metadata: { name, namespace: 'default', ...(terminating ? { deletionTimestamp: new Date(t0).toISOString() } : {}) },
    spec: { containers: [] },
    status: { phase },
  };
}

describe('MyDeployment planner: Recreate', () => {
  it('scales every active old RS to 0 and stops, without creating the new RS', () => {
    const d = recreate();
    const old = ownedReplicaSet(d, 'web-1', { replicas: 3, image: 'nginx:1', revision: '1' });
    assert.deepEqual(summarize(plan(snapshot(d, [old]), now)), ['scale web-1 3→0 (3/3)', 'status']);
  });

  it('waits while an old RS still reports replicas', () => {
    const d = recreate();
    const old = { ...ownedReplicaSet(d, 'web-1', { replicas: 0, image: 'nginx:1', revision: '1' }), status: { replicas: 2 } };
    assert.deepEqual(summarize(plan(snapshot(d, [old]), now)), ['status']);
  });

  for (const [name, pods, waits] of [
    ['a terminating old pod', [pod('web-1-a', 'Running', true)], true],
    ['a Pending old pod', [pod('web-1-a', 'Pending')], true],
    ['only Failed and Succeeded old pods', [pod('web-1-a', 'Failed'), pod('web-1-b', 'Succeeded')], false],
  ] as const) {
    it(`${waits ? 'waits for' : 'does not wait for'} ${name}`, () => {
      const d = recreate();
      const old = ownedReplicaSet(d, 'web-1', { replicas: 0, image: 'nginx:1', revision: '1' });
      const actions = summarize(plan(snapshot(d, [old], new Map([['web-1-uid', pods]])), now));
      if (waits) assert.deepEqual(actions, ['status']);
      else assert.deepEqual(actions, [`create ${newName(d)} ×3`, 'revision 2', 'status']);
    });
  }

  it("does not wait for the new RS's own pods", () => {
    const d = recreate();
    const old = ownedReplicaSet(d, 'web-1', { replicas: 0, image: 'nginx:1', revision: '1' });
    const fresh = ownedReplicaSet(d, newName(d), { replicas: 0, image: 'nginx:2', revision: '2', created: 10 });
    const pods = new Map([[fresh.metadata.uid ?? '', [pod('new-a', 'Running', true)]]]);
    assert.deepEqual(summarize(plan(snapshot({ ...d, metadata: { ...d.metadata, annotations: { [revisionKey]: '2' } } }, [old, fresh], pods), now)), [
      `scale ${newName(d)} 0→3 (3/3)`,
      'status',
    ]);
  });

  it('runs old down, then new up, with Available only once all replicas are (maxUnavailable 0)', () => {
    const old = ownedReplicaSet(recreate('nginx:1'), 'web-1', { replicas: 3, image: 'nginx:1', revision: '1' });
    const cluster = new Cluster(recreate(), [old]);
    const name = newName(cluster.d);
    let sawOverlap = false;
    const steps: string[][] = [];
    for (let i = 0; i < 3; i++) {
      steps.push(summarize(cluster.pass()));
      const running = [...cluster.replicaSets.values()].filter((rs) => (rs.status?.replicas ?? 0) > 0);
      if (running.length > 1) sawOverlap = true;
    }
    assert.deepEqual(steps, [['scale web-1 3→0 (3/3)', 'status'], [`create ${name} ×3`, 'revision 2', 'status'], ['status']]);
    assert.equal(sawOverlap, false);
    assert.equal(cluster.d.status?.updatedReplicas, 3);
    assert.equal(cluster.d.status?.conditions?.find((c) => c.type === 'Available')?.status, 'True');
  });

  it('reports Available False with one of 3 replicas unavailable', () => {
    const d = recreate('nginx:1');
    const rs = ownedReplicaSet(d, newName(d), { replicas: 3, image: 'nginx:1', revision: '1', available: 2 });
    const status = lastStatus(plan(snapshot(d, [rs]), now));
    assert.equal(status?.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasUnavailable');
  });
});
