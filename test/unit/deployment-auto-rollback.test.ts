// spec.autoRollback on a MyDeployment (docs/rollout-control.md), pass by pass against the planner's
// cluster model: the rollback starts in the pass that exceeds the progress deadline (status,
// RolledBack condition, one Warning Event), runs the stable MyReplicaSet's template without ever
// writing the spec (renumbered like a `kubectl rollout undo`, the failed RS scaled down by the
// usual strategy), stays until a new generation, and ends when its MyReplicaSet is gone.
import assert from 'node:assert/strict';
import type { MyDeployment, MyDeploymentStatus, MyReplicaSet } from '../../src/api/workloads.ts';
import type { DeploymentAction } from '../../src/controllers/deployment/actions.ts';
import { executeDeploymentPlan } from '../../src/controllers/deployment/execute.ts';
import type { DeploymentObjectManager } from '../../src/controllers/deployment/object-manager.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { Cluster, deployment, lastStatus, newName, ownedReplicaSet, progressing, revisionKey, snapshot, summarize, template } from './deployment-plan-fixtures.ts';

const changeCause = 'kubernetes.io/change-cause';
const deadline = 60;
const cluster0Now = Date.parse('2026-01-01T01:00:00Z');

/** A MyDeployment of 4 rolled out at nginx:1 (change-cause v1), then edited to `image` (change-cause v2); pods of nginx:bad never become available. */
function rolledOutThenEdited(o: {
  readonly autoRollback?: boolean;
  readonly strategy?: MyDeployment['spec']['strategy'];
  readonly image?: string;
} = {}): { readonly cluster: Cluster; readonly stable: string; readonly failed: string } {
  const base = deployment({ replicas: 4, progressDeadlineSeconds: deadline, strategy: o.strategy, annotations: { [changeCause]: 'v1' } });
  const d: MyDeployment = { ...base, spec: { ...base.spec, autoRollback: o.autoRollback ?? true } };
  const cluster = new Cluster(d);
  cluster.available = (rs) => (rs.spec.template?.spec.containers[0]?.image === 'nginx:bad' ? 0 : (rs.spec.replicas ?? 1));
  untilQuiet(cluster);
  const stable = newName(cluster.d);
  assert.equal(cluster.d.status?.stableRevision, stable);
  cluster.edit({ template: template(o.image ?? 'nginx:bad') });
  cluster.d = { ...cluster.d, metadata: { ...cluster.d.metadata, annotations: { ...cluster.d.metadata.annotations, [changeCause]: 'v2' } } };
  return { cluster, stable, failed: newName(cluster.d) };
}

/** Passes until one plans no write (a requeue aside); every pass's actions. */
function untilQuiet(cluster: Cluster, max = 40): DeploymentAction[][] {
  const passes: DeploymentAction[][] = [];
  for (let i = 0; i < max; i++) {
    const actions = [...cluster.pass()];
    passes.push(actions);
    if (actions.every((a) => a.kind === 'requeueAfter')) return passes;
  }
  throw new Error(`not quiet after ${max} passes: ${summarize(passes.at(-1) ?? []).join('; ')}`);
}

/** Passes until the failed rollout is stuck, then past its deadline: the actions of that last pass. */
function exceedDeadline(cluster: Cluster): readonly DeploymentAction[] {
  untilQuiet(cluster);
  assert.equal(progressing(cluster.d.status), 'True/ReplicaSetUpdated');
  cluster.now += (deadline + 1) * 1000;
  return cluster.pass();
}

function events(actions: readonly DeploymentAction[], reason?: string): string[] {
  return summarize(actions.filter((a) => a.kind === 'event' && (reason === undefined || a.reason === reason)));
}

function condition(status: MyDeploymentStatus | undefined, type: string): string | undefined {
  const c = status?.conditions?.find((x) => x.type === type);
  return c === undefined ? undefined : `${c.status}/${c.reason ?? ''}`;
}

function rs(cluster: Cluster, name: string): MyReplicaSet {
  const found = cluster.replicaSets.get(name);
  assert.ok(found !== undefined, `no replica set ${name}`);
  return found;
}

function availableNow(cluster: Cluster): number {
  return [...cluster.replicaSets.values()].reduce((sum, x) => sum + (x.status?.availableReplicas ?? 0), 0);
}

describe('MyDeployment: automatic rollback starts', () => {
  it('in the pass that exceeds the deadline: status.rollback, RolledBack True, one Warning RolledBack', () => {
    const { cluster, stable, failed } = rolledOutThenEdited();
    const actions = exceedDeadline(cluster);
    const message = `rolled back from revision 2 (${failed}) to revision 1 (${stable}): no progress for ${deadline} s`;
    assert.deepEqual(summarize(actions), ['status', `Warning RolledBack: ${message}`], 'the Event after the status write');
    const status = lastStatus(actions);
    assert.deepEqual(status?.rollback, { generation: 2, revision: stable, revisionNumber: 1, failedRevision: failed, failedRevisionNumber: 2 });
    assert.equal(progressing(status), 'False/ProgressDeadlineExceeded');
    const rolledBack = status?.conditions?.find((c) => c.type === 'RolledBack');
    assert.equal(rolledBack?.status, 'True');
    assert.equal(rolledBack?.reason, 'ProgressDeadlineExceeded');
    assert.equal(rolledBack?.message, message);
    assert.equal(status?.stableRevision, stable);
  });

  it('records one RolledBack Event however many passes follow', () => {
    const { cluster } = rolledOutThenEdited();
    const first = exceedDeadline(cluster);
    const later = untilQuiet(cluster);
    cluster.now += 10 * deadline * 1000;
    later.push(...untilQuiet(cluster));
    assert.equal(events([first, ...later].flat(), 'RolledBack').length, 1);
  });

  it('without spec.autoRollback: ProgressDeadlineExceeded only, no rollback, no Event', () => {
    const { cluster, failed } = rolledOutThenEdited({ autoRollback: false });
    const actions = exceedDeadline(cluster);
    assert.deepEqual(summarize(actions), ['status']);
    assert.equal(progressing(cluster.d.status), 'False/ProgressDeadlineExceeded');
    assert.equal(cluster.d.status?.rollback, undefined);
    assert.equal(condition(cluster.d.status, 'RolledBack'), undefined);
    untilQuiet(cluster);
    assert.ok((rs(cluster, failed).spec.replicas ?? 0) > 0, 'the failed rollout is left where it stopped');
  });

  it('not when the stable MyReplicaSet no longer exists', () => {
    const { cluster } = rolledOutThenEdited();
    untilQuiet(cluster);
    // As if the MyReplicaSet status.stableRevision names had been deleted.
    cluster.d = { ...cluster.d, status: { ...cluster.d.status, stableRevision: 'web-deleted' } };
    cluster.now += (deadline + 1) * 1000;
    const actions = cluster.pass();
    assert.equal(progressing(lastStatus(actions)), 'False/ProgressDeadlineExceeded');
    assert.equal(lastStatus(actions)?.rollback, undefined);
    assert.deepEqual(events(actions), []);
  });

  it('not when the stable revision is the failing new MyReplicaSet itself (nothing to go back to)', () => {
    const base = deployment({ replicas: 4, progressDeadlineSeconds: deadline, annotations: { [revisionKey]: '1' } });
    const d0: MyDeployment = { ...base, spec: { ...base.spec, autoRollback: true } };
    const name = newName(d0);
    const at = new Date(cluster0Now - (deadline + 1) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const stuck: MyDeploymentStatus = {
      observedGeneration: 1,
      replicas: 4,
      updatedReplicas: 4,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 2,
      selector: 'app=web',
      stableRevision: name,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'm', lastUpdateTime: at, lastTransitionTime: at }],
    };
    const d: MyDeployment = { ...d0, status: stuck };
    const actions = plan(snapshot(d, [ownedReplicaSet(d, name, { replicas: 4, revision: '1', available: 2 })]), cluster0Now);
    assert.equal(progressing(lastStatus(actions)), 'False/ProgressDeadlineExceeded');
    assert.equal(lastStatus(actions)?.rollback, undefined);
    assert.deepEqual(events(actions), []);
  });

  it('not while paused: a paused Deployment runs no deadline', () => {
    const { cluster } = rolledOutThenEdited();
    untilQuiet(cluster);
    cluster.edit({ paused: true });
    cluster.now += 10 * deadline * 1000;
    const passes = untilQuiet(cluster);
    assert.equal(progressing(cluster.d.status), 'Unknown/DeploymentPaused');
    assert.equal(cluster.d.status?.rollback, undefined);
    assert.deepEqual(events(passes.flat()), []);
  });

  it('not again when the rollback itself exceeds the deadline', () => {
    const { cluster, stable } = rolledOutThenEdited();
    exceedDeadline(cluster);
    const rollback = cluster.d.status?.rollback;
    // The stable pods stop becoming available too: the rollback gets stuck.
    cluster.available = () => 0;
    untilQuiet(cluster);
    cluster.now += (deadline + 1) * 1000;
    const passes = untilQuiet(cluster);
    assert.equal(progressing(cluster.d.status), 'False/ProgressDeadlineExceeded');
    assert.deepEqual(cluster.d.status?.rollback, rollback);
    assert.equal(cluster.d.status?.stableRevision, stable);
    assert.deepEqual(events(passes.flat(), 'RolledBack'), []);
  });
});

describe('MyDeployment: automatic rollback in force', () => {
  it('renumbers the stable MyReplicaSet to revision 3 and rolls the failed one down, never below replicas − maxUnavailable', () => {
    const { cluster, stable, failed } = rolledOutThenEdited();
    exceedDeadline(cluster);
    const steps: string[][] = [];
    const available: number[] = [];
    for (const actions of untilQuiet(cluster)) {
      steps.push(summarize(actions));
      available.push(availableNow(cluster));
    }
    assert.deepEqual(steps.slice(0, 4), [
      [`update ${stable} revision 3`],
      ['revision 3', `scale ${failed} 2→0 (4/5) swallow`, 'status'],
      [`scale ${stable} 3→4 (4/5)`, 'status'],
      ['status'],
    ]);
    assert.ok(
      available.every((n) => n >= 3),
      `maxUnavailable 1 of 4: ${available.join(' ')}`,
    );
    assert.equal(cluster.sizes(), `${stable}=4 ${failed}=0`);
    assert.equal(rs(cluster, stable).metadata.annotations?.[revisionKey], '3');
    assert.equal(rs(cluster, stable).metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(cluster.d.metadata.annotations?.[revisionKey], '3');
  });

  it('keeps the stable revision\'s change-cause on its MyReplicaSet (not the failed one\'s)', () => {
    const { cluster, stable } = rolledOutThenEdited();
    exceedDeadline(cluster);
    untilQuiet(cluster);
    assert.equal(rs(cluster, stable).metadata.annotations?.[changeCause], 'v1');
    assert.equal(cluster.d.metadata.annotations?.[changeCause], 'v2', "the Deployment's own annotations are not written");
  });

  it('never writes the spec: no rollback write in any pass, the template stays the failed one', () => {
    const { cluster, failed } = rolledOutThenEdited();
    const passes = [exceedDeadline(cluster), ...untilQuiet(cluster)];
    assert.ok(passes.flat().every((a) => a.kind !== 'rollbackDeployment'));
    assert.equal(cluster.d.spec.template.spec.containers[0]?.image, 'nginx:bad');
    assert.equal(cluster.d.metadata.generation, 2);
    assert.equal(newName(cluster.d), failed);
  });

  it('evaluates Progressing on the rollback: complete once every pod is back, RolledBack and status.rollback kept', () => {
    const { cluster, stable } = rolledOutThenEdited();
    exceedDeadline(cluster);
    const rollback = cluster.d.status?.rollback;
    untilQuiet(cluster);
    assert.equal(progressing(cluster.d.status), 'True/NewReplicaSetAvailable');
    assert.equal(
      cluster.d.status?.conditions?.find((c) => c.type === 'Progressing')?.message,
      `ReplicaSet "${stable}" has successfully progressed.`,
    );
    assert.equal(condition(cluster.d.status, 'RolledBack'), 'True/ProgressDeadlineExceeded');
    assert.deepEqual(cluster.d.status?.rollback, rollback);
    assert.equal(cluster.d.status?.updatedReplicas, 4);
    assert.equal(cluster.d.status?.stableRevision, stable);
    // Stays there: much later, the failed template is not tried again.
    cluster.now += 3_600_000;
    assert.deepEqual(summarize(cluster.pass()), []);
  });

  it('Recreate: the failed MyReplicaSet goes to 0 first, then the stable one back to full size', () => {
    const { cluster, stable, failed } = rolledOutThenEdited({ strategy: { type: 'Recreate' } });
    exceedDeadline(cluster);
    assert.ok(cluster.d.status?.rollback !== undefined);
    const steps = untilQuiet(cluster).map(summarize);
    assert.deepEqual(steps[0], [`update ${stable} revision 3`]);
    assert.deepEqual(steps[1]?.slice(0, 2), ['revision 3', `scale ${failed} 4→0 (4/4)`]);
    assert.deepEqual(steps[2]?.slice(0, 1), [`scale ${stable} 0→4 (4/4)`]);
    assert.equal(cluster.sizes(), `${stable}=4 ${failed}=0`);
    assert.equal(progressing(cluster.d.status), 'True/NewReplicaSetAvailable');
  });

  it('the executor writes status against the Deployment as read: its template is never sent', async () => {
    const { cluster, failed } = rolledOutThenEdited();
    exceedDeadline(cluster);
    cluster.pass(); // the renumbering
    const d = cluster.d;
    const actions = plan(snapshot(d, [...cluster.replicaSets.values()]), cluster.now);
    const sent: MyDeployment[] = [];
    const calls: string[] = [];
    const echo = <T>(x: T): Promise<T> => Promise.resolve(x);
    const objects: DeploymentObjectManager = {
      createReplicaSet: (x) => (calls.push('createReplicaSet'), echo(x)),
      getReplicaSet: () => Promise.reject(new Error('unexpected')),
      patchReplicaSet: (x) => (calls.push(`patchReplicaSet ${x.metadata.name ?? ''}`), echo(x)),
      deleteReplicaSet: () => (calls.push('deleteReplicaSet'), Promise.resolve()),
      setDeploymentRevision: (x, _rv, revision) => (calls.push(`setDeploymentRevision ${revision}`), echo(x)),
      rollbackDeployment: (x) => (calls.push('rollbackDeployment'), echo(x)),
      updateStatus: (x) => (calls.push('updateStatus'), sent.push(x), echo(x)),
      setCollisionCount: (x) => (calls.push('setCollisionCount'), echo(x)),
    };
    await executeDeploymentPlan({ objects, recorder: { event: () => undefined }, log: silentLogger() }, d, actions, cluster.now);
    assert.deepEqual(calls, ['setDeploymentRevision 3', `patchReplicaSet ${failed}`, 'updateStatus']);
    for (const x of sent) assert.equal(x.spec.template.spec.containers[0]?.image, 'nginx:bad');
  });
});

describe('MyDeployment: automatic rollback ends', () => {
  it('with a new generation: rollback and RolledBack removed, the new template rolls out and becomes stable', () => {
    const { cluster, stable } = rolledOutThenEdited();
    exceedDeadline(cluster);
    untilQuiet(cluster);
    cluster.edit({ template: template('nginx:3') });
    const fixed = newName(cluster.d);
    const first = cluster.pass();
    const status = lastStatus(first);
    assert.equal(status?.rollback, undefined);
    assert.equal(condition(status, 'RolledBack'), undefined);
    assert.equal(status?.stableRevision, stable, 'kept until the new rollout completes');
    assert.equal(summarize(first)[0], `create ${fixed} ×1`);
    untilQuiet(cluster);
    assert.equal(cluster.d.status?.stableRevision, fixed);
    assert.equal(cluster.d.metadata.annotations?.[revisionKey], '4');
    assert.equal(progressing(cluster.d.status), 'True/NewReplicaSetAvailable');
    assert.equal(rs(cluster, fixed).spec.replicas, 4);
  });

  it('a new generation with the failed template again rolls it out again, and can roll back again', () => {
    const { cluster, stable, failed } = rolledOutThenEdited();
    exceedDeadline(cluster);
    untilQuiet(cluster);
    cluster.edit({ minReadySeconds: 0 }); // any spec change: a new generation, same template
    const first = cluster.pass();
    assert.equal(lastStatus(first)?.rollback, undefined);
    const actions = exceedDeadline(cluster);
    assert.deepEqual(lastStatus(actions)?.rollback, {
      generation: 3,
      revision: stable,
      revisionNumber: 3,
      failedRevision: failed,
      failedRevisionNumber: 4,
    });
    assert.equal(events(actions, 'RolledBack').length, 1);
  });

  it('when its MyReplicaSet is gone: one Warning RollbackRevisionNotFound, rollback removed, the spec rolls out', () => {
    const { cluster, stable, failed } = rolledOutThenEdited();
    exceedDeadline(cluster);
    untilQuiet(cluster);
    cluster.replicaSets.delete(stable);
    const first = cluster.pass();
    assert.deepEqual(summarize(first).slice(0, 2), [
      'status',
      `Warning RollbackRevisionNotFound: cannot roll back to revision 1 (${stable}): no such MyReplicaSet; running the spec's template`,
    ]);
    const cleared = first.find((a) => a.kind === 'writeStatus');
    assert.ok(cleared?.kind === 'writeStatus');
    assert.equal(cleared.status.rollback, undefined);
    assert.equal(condition(cleared.status, 'RolledBack'), undefined);
    const later = untilQuiet(cluster);
    assert.deepEqual(events(later.flat(), 'RollbackRevisionNotFound'), []);
    assert.equal(rs(cluster, failed).spec.replicas, 4, 'the spec template is run again');
    assert.ok(later.flat().every((a) => a.kind !== 'rollbackDeployment'));
  });

  it('a rollback.to request takes precedence: the spec is rolled back from its own template, nothing swapped', () => {
    const { cluster, stable, failed } = rolledOutThenEdited();
    exceedDeadline(cluster);
    untilQuiet(cluster);
    cluster.d = {
      ...cluster.d,
      metadata: { ...cluster.d.metadata, annotations: { ...cluster.d.metadata.annotations, 'deprecated.deployment.rollback.to': '0' } },
    };
    // The spec's MyReplicaSet is the new one again (renumbered above the stable one), then the
    // request (revision 0: the one before the latest) rolls the spec back to the stable template.
    const passes = [cluster.pass(), cluster.pass()].map(summarize);
    assert.deepEqual(passes, [
      [`update ${failed} revision 4`],
      ['revision 4', 'rollback to nginx:1', 'Normal DeploymentRollback: Rolled back deployment "web" to revision 3'],
    ]);
    assert.equal(cluster.d.spec.template.spec.containers[0]?.image, 'nginx:1');
    assert.equal(cluster.d.metadata.generation, 3);
    untilQuiet(cluster);
    assert.equal(cluster.d.status?.rollback, undefined, 'the new generation ends the automatic rollback');
    assert.equal(condition(cluster.d.status, 'RolledBack'), undefined);
    assert.equal(rs(cluster, stable).spec.replicas, 4);
    assert.equal(rs(cluster, stable).metadata.annotations?.[revisionKey], '5');
  });
});
