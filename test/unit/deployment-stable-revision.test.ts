// status.stableRevision of a MyDeployment (docs/rollout-control.md): the new MyReplicaSet once a
// rollout is complete with every replica updated and available, never while paused or with a
// rollback.to pending, kept otherwise; and the status write carrying it (and an automatic
// rollback) through passes that do not mean to change it.
import assert from 'node:assert/strict';
import type { MyDeployment, MyDeploymentStatus } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { calculateStatus } from '../../src/controllers/deployment/status.ts';
import { deploymentStatusEqual } from '../../src/controllers/deployment/status-equality.ts';
import { Cluster, deployment, lastStatus, newName, ownedReplicaSet, revisionKey, snapshot, template } from './deployment-plan-fixtures.ts';

const rollback = { generation: 1, revision: 'web-a', revisionNumber: 1, failedRevision: 'web-b', failedRevisionNumber: 2 } as const;

function withImage(d: MyDeployment, image: string): MyDeployment {
  return { ...d, spec: { ...d.spec, template: template(image) } };
}

/** Passes until one plans no write, calling `after` after each. */
function untilQuiet(cluster: Cluster, after: () => void = () => undefined, max = 30): void {
  for (let i = 0; i < max; i++) {
    const actions = cluster.pass();
    after();
    if (actions.every((a) => a.kind === 'requeueAfter')) return;
  }
  throw new Error(`not quiet after ${max} passes`);
}

describe('MyDeployment: status.stableRevision', () => {
  it('is written in the pass that finds the first rollout complete, not before', () => {
    const cluster = new Cluster(deployment({ replicas: 3, progressDeadlineSeconds: 600 }));
    const first = cluster.pass();
    assert.equal(lastStatus(first)?.stableRevision, undefined, 'pods not available yet');
    cluster.pass();
    assert.equal(cluster.d.status?.stableRevision, newName(cluster.d));
  });

  it('moves to the new MyReplicaSet only once every old replica is gone', () => {
    const cluster = new Cluster(deployment({ replicas: 4, progressDeadlineSeconds: 600 }));
    untilQuiet(cluster);
    const v1 = newName(cluster.d);
    cluster.edit({ template: template('nginx:2') });
    const v2 = newName(cluster.d);
    const seen: (string | undefined)[] = [];
    untilQuiet(cluster, () => seen.push(cluster.d.status?.stableRevision));
    assert.equal(seen.at(-1), v2);
    const firstV2 = seen.indexOf(v2);
    assert.ok(firstV2 > 0 && seen.slice(0, firstV2).every((s) => s === v1), `v1 until complete: ${seen.join(' ')}`);
    assert.equal(cluster.replicaSets.get(v1)?.spec.replicas, 0);
  });

  it('is written on its own for a complete Deployment that has none yet (an upgrade)', () => {
    const d = deployment({ replicas: 2, progressDeadlineSeconds: 600, annotations: { [revisionKey]: '1' } });
    const rs = ownedReplicaSet(d, newName(d), { replicas: 2, revision: '1' });
    const cluster = new Cluster(d, [rs]);
    untilQuiet(cluster);
    const settled = cluster.d;
    assert.equal(settled.status?.stableRevision, newName(d));
    // Drop only the stable revision: the one difference is enough for a write.
    const { stableRevision: _s, ...rest } = settled.status ?? {};
    const actions = plan(snapshot({ ...settled, status: rest }, [...cluster.replicaSets.values()]), cluster.now);
    assert.equal(lastStatus(actions)?.stableRevision, newName(d));
  });

  it('is not written while paused, nor with a rollback.to pending', () => {
    const base = deployment({ replicas: 2, progressDeadlineSeconds: 600, annotations: { [revisionKey]: '1' } });
    const rs = ownedReplicaSet(base, newName(base), { replicas: 2, revision: '1' });
    assert.equal(lastStatus(plan(snapshot(base, [rs]), 0))?.stableRevision, newName(base), 'control: written when not paused');
    const paused: MyDeployment = { ...base, spec: { ...base.spec, paused: true } };
    const pausedStatus = lastStatus(plan(snapshot(paused, [rs]), 0));
    assert.ok(pausedStatus !== undefined);
    assert.equal(pausedStatus.stableRevision, undefined);

    const pending = deployment({
      replicas: 2,
      progressDeadlineSeconds: 600,
      annotations: { [revisionKey]: '1', 'deprecated.deployment.rollback.to': '1' },
    });
    const actions = plan(snapshot(pending, [rs]), 0);
    assert.ok(actions.every((a) => a.kind !== 'writeStatus' || a.status.stableRevision === undefined));
  });

  it('is kept through passes that do not complete a rollout', () => {
    const d = deployment({ replicas: 4, progressDeadlineSeconds: 600, annotations: { [revisionKey]: '2' }, status: { stableRevision: 'web-old' } });
    const moving = withImage(d, 'nginx:2');
    const old = ownedReplicaSet(moving, 'web-1', { replicas: 4, image: 'nginx:1', revision: '1' });
    const status = lastStatus(plan(snapshot(moving, [old]), 0));
    assert.equal(status?.stableRevision, 'web-old');
  });
});

describe('MyDeployment: status carried over by calculateStatus', () => {
  const fenceposts = { maxSurge: 1, maxUnavailable: 0 };

  it('keeps stableRevision and a rollback in force with its RolledBack condition', () => {
    const rolledBack = { type: 'RolledBack', status: 'True' as const, reason: 'ProgressDeadlineExceeded', message: 'm' };
    const d = deployment({ replicas: 1, status: { stableRevision: 'web-a', rollback, conditions: [rolledBack] } });
    const status = calculateStatus(d, [], undefined, fenceposts, 0);
    assert.equal(status.stableRevision, 'web-a');
    assert.deepEqual(status.rollback, rollback);
    assert.deepEqual(status.conditions?.[0], rolledBack);
  });

  it('drops a stale rollback (an older generation) and its RolledBack condition, keeping other types', () => {
    const rolledBack = { type: 'RolledBack', status: 'True' as const, reason: 'ProgressDeadlineExceeded', message: 'm' };
    const custom = { type: 'Custom', status: 'True' as const, reason: 'Theirs' };
    const d = deployment({ replicas: 1, generation: 2, status: { stableRevision: 'web-a', rollback, conditions: [rolledBack, custom] } });
    const status = calculateStatus(d, [], undefined, fenceposts, 0);
    assert.equal(status.rollback, undefined);
    assert.equal(status.stableRevision, 'web-a');
    assert.deepEqual(
      status.conditions?.map((c) => c.type),
      ['Custom', 'Available'],
    );
  });
});

describe('MyDeployment: status equality with the rollout-control fields', () => {
  const base: MyDeploymentStatus = { replicas: 1, stableRevision: 'web-a', rollback };

  it('sees a change of stableRevision or of any rollback field', () => {
    assert.ok(deploymentStatusEqual(base, { ...base, rollback: { ...rollback } }));
    assert.ok(!deploymentStatusEqual(base, { ...base, stableRevision: 'web-b' }));
    assert.ok(!deploymentStatusEqual(base, { replicas: 1, stableRevision: 'web-a' }));
    assert.ok(!deploymentStatusEqual(base, { ...base, rollback: { ...rollback, generation: 2 } }));
    assert.ok(!deploymentStatusEqual(base, { ...base, rollback: { ...rollback, failedRevisionNumber: 3 } }));
  });
});
