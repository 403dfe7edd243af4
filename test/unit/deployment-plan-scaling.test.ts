// The MyDeployment planner's sync pass (upstream sync.go sync, scale, isScalingEvent): a paused
// Deployment, and a scaling event that pre-empts the rollout, with proportional scaling while
// several RSes are active.
import assert from 'node:assert/strict';
import type { MyDeployment, MyReplicaSet } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { deployment, desiredKey, lastStatus, maxKey, newName, ownedReplicaSet, progressing, revisionKey, snapshot, summarize, t0 } from './deployment-plan-fixtures.ts';

const now = t0 + 3_600_000;

function withImage(d: MyDeployment, image: string): MyDeployment {
  return { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { containers: [{ name: 'app', image }] } } } };
}

function withReplicas(d: MyDeployment, replicas: number): MyDeployment {
  return { ...d, metadata: { ...d.metadata, generation: (d.metadata.generation ?? 1) + 1 }, spec: { ...d.spec, replicas } };
}

/**
 * deployment.md §2.9's worked example: 10 replicas, surge 3, unavailable 2, the new template never
 * ready: stuck at old 8 / new 5, both annotated 10 / 13.
 */
function stuckRollout(): { readonly d: MyDeployment; readonly old: MyReplicaSet; readonly fresh: MyReplicaSet } {
  const base = deployment({ replicas: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } });
  const d = withImage({ ...base, metadata: { ...base.metadata, annotations: { [revisionKey]: '2' } } }, 'nginx:2');
  const old = ownedReplicaSet(d, 'web-1', { replicas: 8, image: 'nginx:1', revision: '1', created: 0 });
  const fresh = ownedReplicaSet(d, newName(d), { replicas: 5, image: 'nginx:2', revision: '2', created: 60, available: 0 });
  return { d, old, fresh };
}

describe('MyDeployment planner: scaling events', () => {
  it('the worked example: 10 → 15 while stuck gives old 11 / new 7, both annotated 15 / 18', () => {
    const { d, old, fresh } = stuckRollout();
    const actions = plan(snapshot(withReplicas(d, 15), [old, fresh]), now);
    assert.deepEqual(summarize(actions), ['scale web-1 8→11 (15/18)', `scale ${newName(d)} 5→7 (15/18)`, 'status']);
    assert.equal(progressing(lastStatus(actions)), undefined, 'no Progressing estimate on a scaling pass');
  });

  it('10 → 30 gives 20 / 13 (the proportional-scaling e2e), 10 → 5 gives 5 / 3', () => {
    const { d, old, fresh } = stuckRollout();
    assert.deepEqual(summarize(plan(snapshot(withReplicas(d, 30), [old, fresh]), now)).slice(0, 2), [
      'scale web-1 8→20 (30/33)',
      `scale ${newName(d)} 5→13 (30/33)`,
    ]);
    assert.deepEqual(summarize(plan(snapshot(withReplicas(d, 5), [old, fresh]), now)).slice(0, 2), [
      'scale web-1 8→5 (5/8)',
      `scale ${newName(d)} 5→3 (5/8)`,
    ]);
  });

  it('writes an active RS whose annotations are behind even when its size stays (force)', () => {
    const { d, old, fresh } = stuckRollout();
    // 13 in all already (surge 3 on 10 replicas): nothing to add; the new RS still says 9 / 12.
    const stale = { ...fresh, metadata: { ...fresh.metadata, annotations: { ...fresh.metadata.annotations, [desiredKey]: '9', [maxKey]: '12' } } };
    assert.deepEqual(summarize(plan(snapshot(d, [old, stale]), now)), [`scale ${newName(d)} 5→5 (10/13)`, 'status']);
  });

  it('pre-empts the rollout: a template change together with a resize only resizes this pass', () => {
    const d0 = deployment({ replicas: 10, annotations: { [revisionKey]: '1' } });
    const old = ownedReplicaSet(d0, 'web-1', { replicas: 10, revision: '1' });
    const d = withImage(withReplicas(d0, 12), 'nginx:2');
    assert.deepEqual(summarize(plan(snapshot(d, [old]), now)), ['scale web-1 10→12 (12/15)', 'status']);
  });

  it('with a saturated new RS scales the active old ones to 0', () => {
    const d = withImage(deployment({ replicas: 4, annotations: { [revisionKey]: '2' } }), 'nginx:2');
    const fresh = ownedReplicaSet(d, newName(d), { replicas: 4, image: 'nginx:2', revision: '2', created: 60 });
    const old = ownedReplicaSet({ ...d, spec: { ...d.spec, replicas: 3 } }, 'web-1', { replicas: 2, image: 'nginx:1', revision: '1' });
    // web-1's desired-replicas (3) ≠ 4: a scaling event; the new RS holds all 4.
    assert.deepEqual(summarize(plan(snapshot(d, [old, fresh]), now)), ['scale web-1 2→0 (4/5)', 'status']);
  });

  it('does nothing to several active RSes of a Recreate Deployment', () => {
    const d2 = withImage(deployment({ replicas: 2, strategy: { type: 'Recreate' }, annotations: { [revisionKey]: '2' } }), 'nginx:2');
    const old = ownedReplicaSet(d2, 'web-1', { replicas: 1, image: 'nginx:1', revision: '1' });
    const fresh = ownedReplicaSet(d2, newName(d2), { replicas: 1, image: 'nginx:2', revision: '2', created: 60 });
    const d = withReplicas(d2, 3);
    assert.deepEqual(summarize(plan(snapshot(d, [old, fresh]), now)), ['status']);
  });
});

describe('MyDeployment planner: paused', () => {
  it('creates no RS for a new template, notes DeploymentPaused, and writes status without a Progressing estimate', () => {
    const d0 = deployment({ replicas: 3, progressDeadlineSeconds: 600, annotations: { [revisionKey]: '1' } });
    const old = ownedReplicaSet(d0, 'web-1', { replicas: 3, revision: '1' });
    const d = { ...withImage(d0, 'nginx:2'), spec: { ...withImage(d0, 'nginx:2').spec, paused: true } };
    const actions = plan(snapshot(d, [old]), now);
    assert.deepEqual(summarize(actions), ['status', 'status']);
    const paused = actions[0];
    assert.ok(paused?.kind === 'writeStatus');
    assert.equal(progressing(paused.status), 'Unknown/DeploymentPaused');
    assert.equal(paused.status.conditions?.find((c) => c.type === 'Progressing')?.message, 'Deployment is paused');
    assert.equal(progressing(lastStatus(actions)), 'Unknown/DeploymentPaused');
  });

  it('scales proportionally while paused mid-rollout', () => {
    const { d, old, fresh } = stuckRollout();
    const paused = { ...withReplicas(d, 15), spec: { ...withReplicas(d, 15).spec, paused: true } };
    assert.deepEqual(summarize(plan(snapshot(paused, [old, fresh]), now)), ['scale web-1 8→11 (15/18)', `scale ${newName(d)} 5→7 (15/18)`, 'status']);
  });

  it('cleans up history while paused, unless a rollback waits', () => {
    const d0 = deployment({ replicas: 2, revisionHistoryLimit: 1, annotations: { [revisionKey]: '3' } });
    const d = { ...d0, spec: { ...d0.spec, paused: true } };
    const rss = [
      ownedReplicaSet(d, newName(d), { replicas: 2, revision: '3', created: 30 }),
      ownedReplicaSet(d, 'web-1', { replicas: 0, image: 'nginx:0', revision: '1', created: 0 }),
      ownedReplicaSet(d, 'web-2', { replicas: 0, image: 'nginx:9', revision: '2', created: 10 }),
    ];
    assert.deepEqual(summarize(plan(snapshot(d, rss), now)), ['delete web-1', 'status']);
    const waiting = { ...d, metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, 'deprecated.deployment.rollback.to': '1' } } };
    assert.deepEqual(summarize(plan(snapshot(waiting, rss), now)), ['status'], 'the rollback waits for resume, and so does cleanup');
  });

  it('still renumbers an existing new RS (and ends the pass there)', () => {
    const d0 = deployment({ replicas: 2, annotations: { [revisionKey]: '1' } });
    const d = { ...d0, spec: { ...d0.spec, paused: true } };
    const back = ownedReplicaSet(d, newName(d), { replicas: 0, revision: '1' });
    const current = ownedReplicaSet(d, 'web-2', { replicas: 2, image: 'nginx:2', revision: '2', created: 60 });
    assert.deepEqual(summarize(plan(snapshot(d, [back, current]), now)), [`update ${newName(d)} revision 3`]);
  });

  it('notes DeploymentResumed once resumed, which restarts the deadline', () => {
    const d0 = deployment({ replicas: 2, progressDeadlineSeconds: 60, annotations: { [revisionKey]: '1' } });
    const pausedLongAgo = { type: 'Progressing', status: 'Unknown' as const, reason: 'DeploymentPaused', message: 'Deployment is paused', lastUpdateTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' };
    const d = { ...d0, status: { conditions: [pausedLongAgo] } };
    const rs = ownedReplicaSet(d, newName(d), { replicas: 2, revision: '1', available: 1 });
    const actions = plan(snapshot(d, [rs]), now);
    const resumed = actions[0];
    assert.ok(resumed?.kind === 'writeStatus');
    assert.equal(progressing(resumed.status), 'Unknown/DeploymentResumed');
    assert.equal(resumed.status.conditions?.find((c) => c.type === 'Progressing')?.lastUpdateTime, '2026-01-01T01:00:00Z');
    assert.notEqual(progressing(lastStatus(actions)), 'False/ProgressDeadlineExceeded');
  });
});
