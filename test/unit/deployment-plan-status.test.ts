// The MyDeployment planner's status passes: the Progressing estimate and its deadline requeue
// (upstream progress.go), ReplicaFailure, history cleanup (sync.go cleanupDeployment), a
// Deployment being deleted (syncStatusOnly) and one that selects everything.
import assert from 'node:assert/strict';
import type { DeploymentCondition, MyDeployment, MyDeploymentStatus, MyReplicaSet } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { deployment, lastStatus, newName, ownedReplicaSet, progressing, revisionKey, snapshot, summarize, t0 } from './deployment-plan-fixtures.ts';

const now = t0 + 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function condition(status: DeploymentCondition['status'], reason: string, updatedAgoSeconds: number, transitionAgoSeconds = updatedAgoSeconds): DeploymentCondition {
  return {
    type: 'Progressing',
    status,
    reason,
    message: 'before',
    lastUpdateTime: iso(now - updatedAgoSeconds * 1000),
    lastTransitionTime: iso(now - transitionAgoSeconds * 1000),
  };
}

/** A Deployment mid-rollout at nginx:2: old `web-1` and the new RS, statuses and stored status as given. */
function midRollout(o: {
  readonly stored: MyDeploymentStatus;
  readonly newAvailable: number;
  readonly deadline?: number;
}): { readonly d: MyDeployment; readonly rss: MyReplicaSet[] } {
  const base = deployment({ replicas: 4, progressDeadlineSeconds: o.deadline ?? 600, annotations: { [revisionKey]: '2' }, status: o.stored });
  const d = { ...base, spec: { ...base.spec, template: { ...base.spec.template, spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } } };
  // 5 in all (surge 1) and new unavailable 2 of 2: 5 − 3 − 2 = 0 may go; nothing to scale.
  const old = ownedReplicaSet(d, 'web-1', { replicas: 3, image: 'nginx:1', revision: '1' });
  const fresh = ownedReplicaSet(d, newName(d), { replicas: 2, image: 'nginx:2', revision: '2', created: 60, available: o.newAvailable });
  return { d, rss: [old, fresh] };
}

/** The status this mid-rollout computes when nothing moved (so the stored one can equal it). */
function storedFor(conditions: readonly DeploymentCondition[], available: number): MyDeploymentStatus {
  return {
    observedGeneration: 1,
    replicas: 5,
    updatedReplicas: 2,
    readyReplicas: 3 + available,
    availableReplicas: 3 + available,
    unavailableReplicas: 2 - available,
    selector: 'app=web',
    conditions: [
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
        lastUpdateTime: iso(t0),
        lastTransitionTime: iso(t0),
      },
      ...conditions,
    ],
  };
}

describe('MyDeployment planner: Progressing and the progress deadline', () => {
  it('requeues for just after lastUpdateTime + progressDeadlineSeconds when nothing changed', () => {
    const { d, rss } = midRollout({ stored: storedFor([condition('True', 'ReplicaSetUpdated', 100)], 0), newAvailable: 0 });
    assert.deepEqual(summarize(plan(snapshot(d, rss), now)), [`requeue after ${(600 - 100) * 1000 + 1000} ms`]);
  });

  it('requeues after a second when the deadline is less than a second away', () => {
    const { d, rss } = midRollout({ stored: storedFor([condition('True', 'ReplicaSetUpdated', 600)], 0), newAvailable: 0 });
    assert.deepEqual(summarize(plan(snapshot(d, rss), now)), ['requeue after 1000 ms']);
  });

  it('times out once the deadline passed without progress: False / ProgressDeadlineExceeded', () => {
    const { d, rss } = midRollout({ stored: storedFor([condition('True', 'ReplicaSetUpdated', 601, 700)], 0), newAvailable: 0 });
    const status = lastStatus(plan(snapshot(d, rss), now));
    assert.equal(progressing(status), 'False/ProgressDeadlineExceeded');
    const c = status?.conditions?.find((x) => x.type === 'Progressing');
    assert.equal(c?.message, `ReplicaSet "${newName(d)}" has timed out progressing.`);
    assert.equal(c?.lastTransitionTime, iso(now));
  });

  it('does not requeue a timed-out rollout, and recovers from it on progress (ReplicaSetUpdated, new transition time)', () => {
    const timedOut = condition('False', 'ProgressDeadlineExceeded', 50);
    const stuck = midRollout({ stored: storedFor([timedOut], 0), newAvailable: 0 });
    assert.deepEqual(summarize(plan(snapshot(stuck.d, stuck.rss), now)), []);
    const moving = midRollout({ stored: storedFor([timedOut], 0), newAvailable: 1 });
    const status = lastStatus(plan(snapshot(moving.d, moving.rss), now));
    assert.equal(progressing(status), 'True/ReplicaSetUpdated');
    assert.equal(status?.conditions?.find((x) => x.type === 'Progressing')?.lastTransitionTime, iso(now));
  });

  it('on progress rewrites ReplicaSetUpdated with lastUpdateTime now, keeping a True transition time', () => {
    const { d, rss } = midRollout({ stored: storedFor([condition('True', 'ReplicaSetUpdated', 300, 900)], 0), newAvailable: 1 });
    const c = lastStatus(plan(snapshot(d, rss), now))?.conditions?.find((x) => x.type === 'Progressing');
    assert.deepEqual(
      { reason: c?.reason, message: c?.message, lastUpdateTime: c?.lastUpdateTime, lastTransitionTime: c?.lastTransitionTime },
      { reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newName(d)}" is progressing.`, lastUpdateTime: iso(now), lastTransitionTime: iso(now - 900_000) },
    );
  });

  it('leaves Progressing alone once NewReplicaSetAvailable with every replica updated (a pod going unready is no new rollout)', () => {
    const d = deployment({ replicas: 2, progressDeadlineSeconds: 600, annotations: { [revisionKey]: '1' } });
    const rs = ownedReplicaSet(d, newName(d), { replicas: 2, revision: '1', available: 1 });
    const complete = condition('True', 'NewReplicaSetAvailable', 5000);
    const stored = { ...d, status: { conditions: [complete] } };
    const status = lastStatus(plan(snapshot(stored, [rs]), now));
    assert.deepEqual(status?.conditions?.find((x) => x.type === 'Progressing'), complete);
  });

  it('removes Progressing without a deadline, and treats 2147483647 as none', () => {
    for (const deadline of [undefined, 2147483647]) {
      const base = deployment({ replicas: 1, annotations: { [revisionKey]: '1' }, status: { conditions: [condition('True', 'ReplicaSetUpdated', 10)] } });
      const d = deadline === undefined ? base : { ...base, spec: { ...base.spec, progressDeadlineSeconds: deadline } };
      const rs = ownedReplicaSet(d, newName(d), { replicas: 1, revision: '1' });
      assert.equal(progressing(lastStatus(plan(snapshot(d, [rs]), now))), undefined);
    }
  });

  it('never marks a timed-out rollout paused', () => {
    const base = deployment({ replicas: 1, progressDeadlineSeconds: 60, annotations: { [revisionKey]: '1' } });
    const d = { ...base, spec: { ...base.spec, paused: true }, status: { conditions: [condition('False', 'ProgressDeadlineExceeded', 10)] } };
    const rs = ownedReplicaSet(d, newName(d), { replicas: 1, revision: '1' });
    const actions = plan(snapshot(d, [rs]), now);
    assert.ok(actions.every((a) => a.kind !== 'writeStatus' || progressing(a.status) === 'False/ProgressDeadlineExceeded'));
  });
});

describe('MyDeployment planner: ReplicaFailure', () => {
  it("copies the new RS's ReplicaFailure (stamped with its transition time) and drops it once gone", () => {
    const d = deployment({ replicas: 2, annotations: { [revisionKey]: '1' } });
    const rs = ownedReplicaSet(d, newName(d), { replicas: 2, revision: '1', available: 1 });
    const failing = {
      ...rs,
      status: { ...rs.status, conditions: [{ type: 'ReplicaFailure', status: 'True' as const, reason: 'FailedCreate', message: 'quota', lastTransitionTime: iso(t0) }] },
    };
    const status = lastStatus(plan(snapshot(d, [failing]), now));
    assert.deepEqual(status?.conditions?.find((x) => x.type === 'ReplicaFailure'), {
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message: 'quota',
      lastTransitionTime: iso(t0),
      lastUpdateTime: iso(t0),
    });
    const healed = lastStatus(plan(snapshot({ ...d, status }, [rs]), now));
    assert.equal(healed?.conditions?.find((x) => x.type === 'ReplicaFailure'), undefined);
  });
});

describe('MyDeployment planner: history cleanup', () => {
  const rss = (d: MyDeployment): MyReplicaSet[] => [
    ownedReplicaSet(d, newName(d), { replicas: 2, revision: '4', created: 40 }),
    ownedReplicaSet(d, 'web-1', { replicas: 0, image: 'nginx:a', revision: '1', created: 0 }),
    { ...ownedReplicaSet(d, 'web-2', { replicas: 0, image: 'nginx:b', revision: '2', created: 10 }), status: { replicas: 1 } },
    ownedReplicaSet(d, 'web-3', { replicas: 0, image: 'nginx:c', revision: '3', created: 20 }),
  ];
  const completeStatus: MyDeploymentStatus = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 };

  it('once the stored status is complete, deletes the oldest beyond revisionHistoryLimit, skipping busy ones', () => {
    const d = deployment({ replicas: 2, revisionHistoryLimit: 1, annotations: { [revisionKey]: '4' }, status: completeStatus });
    // 3 old, limit 1: the 2 oldest are looked at; web-2 still has a pod and is skipped, web-3 stays.
    assert.deepEqual(summarize(plan(snapshot(d, rss(d)), now)).filter((a) => a.startsWith('delete')), ['delete web-1']);
  });

  it('not while the stored status is incomplete, nor without a limit', () => {
    const incomplete = deployment({ replicas: 2, revisionHistoryLimit: 1, annotations: { [revisionKey]: '4' } });
    assert.deepEqual(summarize(plan(snapshot(incomplete, rss(incomplete)), now)).filter((a) => a.startsWith('delete')), []);
    const unlimited = deployment({ replicas: 2, annotations: { [revisionKey]: '4' }, status: completeStatus });
    assert.deepEqual(summarize(plan(snapshot(unlimited, rss(unlimited)), now)).filter((a) => a.startsWith('delete')), []);
  });
});

describe('MyDeployment planner: deletion and SelectingAll', () => {
  it('a Deployment being deleted only gets its status, even with a new template', () => {
    const d0 = deployment({ replicas: 2, annotations: { [revisionKey]: '1' } });
    const old = ownedReplicaSet(d0, 'web-1', { replicas: 2, revision: '1' });
    const d = {
      ...d0,
      metadata: { ...d0.metadata, deletionTimestamp: iso(now) },
      spec: { ...d0.spec, template: { ...d0.spec.template, spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } },
    };
    assert.deepEqual(summarize(plan(snapshot(d, [old]), now)), ['status']);
  });

  it('an empty selector: Warning SelectingAll and observedGeneration, nothing else', () => {
    const d0 = deployment({ replicas: 2, generation: 3 });
    const d = { ...d0, spec: { ...d0.spec, selector: {} } };
    const actions = plan(snapshot(d, []), now);
    assert.deepEqual(summarize(actions), [
      'Warning SelectingAll: This deployment is selecting all pods. A non-empty selector is required.',
      'status',
    ]);
    assert.equal(lastStatus(actions)?.observedGeneration, 3);
    const observed = { ...d, status: { observedGeneration: 3 } };
    assert.deepEqual(summarize(plan(snapshot(observed, []), now)), ['Warning SelectingAll: This deployment is selecting all pods. A non-empty selector is required.']);
  });
});
