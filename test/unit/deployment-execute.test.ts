// The MyDeployment executor's rules, against a fake object manager: plan order, the first failure
// ends the pass (except the old-RS scale-downs, which swallow theirs), what a taken RS name
// means, the Events of writes, and the resourceVersions threaded from one write to the next.
// What goes over the wire is deployment-object-manager.test.ts.
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../src/api/core.ts';
import type { MyDeployment, MyDeploymentStatus, MyReplicaSet } from '../../src/api/workloads.ts';
import type { DeploymentAction } from '../../src/controllers/deployment/actions.ts';
import { DeploymentSyncError, executeDeploymentPlan } from '../../src/controllers/deployment/execute.ts';
import type { DeploymentObjectManager, ReplicaSetPatch } from '../../src/controllers/deployment/object-manager.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import type { ExecutionResult } from '../../src/controllers/deployment/execute.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { apiError } from '../support/fake-lease-api.ts';
import { RecordedCalls } from '../support/recorded-calls.ts';
import { deployment, newName, ownedReplicaSet, revisionKey, snapshot, t0 } from './deployment-plan-fixtures.ts';

const now = t0 + 3_600_000;
const d: MyDeployment = { ...deployment({ replicas: 3, progressDeadlineSeconds: 600 }), metadata: { ...deployment().metadata, resourceVersion: '100' } };
const old = { ...ownedReplicaSet(d, 'web-1', { replicas: 3, image: 'nginx:0', revision: '1' }), metadata: { ...ownedReplicaSet(d, 'web-1', { replicas: 3 }).metadata, resourceVersion: '50' } };

/** Records `<call> <name> @<resourceVersion>`; each write answers with the next resourceVersion. */
class FakeObjects extends RecordedCalls implements DeploymentObjectManager {
  private rv = 1000;
  /** What getReplicaSet returns. */
  live: MyReplicaSet | undefined;
  readonly statuses: MyDeploymentStatus[] = [];
  readonly patches: ReplicaSetPatch[] = [];

  private next<T extends MyReplicaSet | MyDeployment>(obj: T): T {
    this.rv++;
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
  }
  async createReplicaSet(rs: MyReplicaSet): Promise<MyReplicaSet> {
    await this.call(`createReplicaSet ${rs.metadata.name ?? ''}`);
    return this.next(rs);
  }
  async getReplicaSet(_namespace: string, name: string): Promise<MyReplicaSet> {
    await this.call(`getReplicaSet ${name}`);
    if (this.live === undefined) throw apiError(404, 'NotFound');
    return this.live;
  }
  async patchReplicaSet(rs: MyReplicaSet, resourceVersion: string | undefined, patch: ReplicaSetPatch): Promise<MyReplicaSet> {
    await this.call(`patchReplicaSet ${rs.metadata.name ?? ''} @${resourceVersion ?? ''}`);
    this.patches.push(patch);
    return this.next(rs);
  }
  async deleteReplicaSet(rs: MyReplicaSet): Promise<void> {
    await this.call(`deleteReplicaSet ${rs.metadata.name ?? ''}`);
  }
  async setDeploymentRevision(target: MyDeployment, resourceVersion: string | undefined, revision: string): Promise<MyDeployment> {
    await this.call(`setDeploymentRevision ${revision} @${resourceVersion ?? ''}`);
    return this.next(target);
  }
  async rollbackDeployment(
    target: MyDeployment,
    resourceVersion: string | undefined,
    template: PodTemplateSpec | undefined,
    annotations: Readonly<Record<string, string>>,
  ): Promise<MyDeployment> {
    await this.call(`rollbackDeployment ${template === undefined ? 'clear' : 'template'} ${Object.keys(annotations).join(',')} @${resourceVersion ?? ''}`);
    return this.next(target);
  }
  async updateStatus(target: MyDeployment, resourceVersion: string | undefined, status: MyDeploymentStatus): Promise<MyDeployment> {
    await this.call(`updateStatus @${resourceVersion ?? ''}`);
    this.statuses.push(status);
    return this.next(target);
  }
  async setCollisionCount(target: MyDeployment, resourceVersion: string | undefined, collisionCount: number): Promise<MyDeployment> {
    await this.call(`setCollisionCount ${collisionCount} @${resourceVersion ?? ''}`);
    return this.next(target);
  }
}

interface Run {
  readonly objects: FakeObjects;
  readonly events: string[];
  readonly execute: (actions: readonly DeploymentAction[], target?: MyDeployment) => Promise<ExecutionResult>;
}

function harness(): Run {
  const objects = new FakeObjects();
  const events: string[] = [];
  const recorder = {
    event(obj: { readonly kind: string; readonly metadata: { readonly name?: string } }, type: string, reason: string, message: string): void {
      events.push(`${obj.kind}/${obj.metadata.name ?? ''} ${type} ${reason}: ${message}`);
    },
  };
  return { objects, events, execute: (actions, target = d) => executeDeploymentPlan({ objects, recorder, log: silentLogger() }, target, actions, now) };
}

const scale = (rs: MyReplicaSet, replicas: number, swallowError?: true): DeploymentAction => ({
  kind: 'scaleReplicaSet',
  rs,
  replicas,
  desiredReplicas: 3,
  maxReplicas: 4,
  ...(swallowError ? { swallowError } : {}),
});

describe('MyDeployment executor', () => {
  it("runs a first rollout's plan in order: create, revision annotation (not /status), then the status writes", async () => {
    const { objects, events, execute } = harness();
    const result = await execute(plan(snapshot(d, []), now));
    assert.deepEqual(objects.calls, [`createReplicaSet ${newName(d)}`, 'setDeploymentRevision 1 @100', 'updateStatus @1002', 'updateStatus @1003']);
    assert.deepEqual(events, [`MyDeployment/web Normal ScalingReplicaSet: Scaled up replica set ${newName(d)} from 0 to 3`]);
    assert.equal(result.requeueAfterMs, undefined);
  });

  it('threads resourceVersions: a second write to the same RS carries what the first returned', async () => {
    const { objects, execute } = harness();
    await execute([scale(old, 2, true), { ...scale({ ...old, spec: { ...old.spec, replicas: 2 } }, 1, true) }, { kind: 'writeStatus', status: {} }]);
    assert.deepEqual(objects.calls, ['patchReplicaSet web-1 @50', 'patchReplicaSet web-1 @1001', 'updateStatus @100']);
    assert.deepEqual(objects.patches[0], { replicas: 2, annotations: { 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' } });
  });

  it('records "Scaled up|down replica set NAME from A to B" only when the size changed', async () => {
    const { events, execute } = harness();
    await execute([scale(old, 5), scale({ ...old, spec: { ...old.spec, replicas: 5 } }, 1), scale({ ...old, spec: { ...old.spec, replicas: 1 } }, 1)]);
    assert.deepEqual(events, [
      'MyDeployment/web Normal ScalingReplicaSet: Scaled up replica set web-1 from 3 to 5',
      'MyDeployment/web Normal ScalingReplicaSet: Scaled down replica set web-1 from 5 to 1',
    ]);
  });

  it('stops at the first failure with an error; nothing after it runs', async () => {
    const { objects, events, execute } = harness();
    objects.failures.set('patchReplicaSet web-1 @50', apiError(409, 'Conflict'));
    await assert.rejects(
      execute([scale(old, 1), { kind: 'writeStatus', status: {} }, { kind: 'event', type: 'Normal', reason: 'X', message: 'y' }]),
      (err: unknown) => err instanceof DeploymentSyncError && /scaling replica set web-1/.test(err.message),
    );
    assert.deepEqual(objects.calls, ['patchReplicaSet web-1 @50']);
    assert.deepEqual(events, []);
  });

  it('swallows a failed old-RS scale-down: skips the rest of that step and goes on to the status', async () => {
    const other = ownedReplicaSet(d, 'web-2', { replicas: 2 });
    const { objects, execute } = harness();
    objects.failures.set('patchReplicaSet web-1 @50', apiError(409, 'Conflict'));
    const result = await execute([scale(old, 1, true), scale(other, 0, true), { kind: 'writeStatus', status: {} }]);
    assert.deepEqual(objects.calls, ['patchReplicaSet web-1 @50', 'updateStatus @100']);
    assert.equal(result.requeueAfterMs, undefined);
  });

  it("ends the pass quietly when the new RS's name is taken by our own RS with this template (a lagging cache)", async () => {
    const { objects, events, execute } = harness();
    const actions = plan(snapshot(d, []), now);
    objects.failures.set(`createReplicaSet ${newName(d)}`, apiError(409, 'AlreadyExists'));
    const create = actions[0];
    assert.ok(create?.kind === 'createReplicaSet');
    objects.live = { ...create.rs, metadata: { ...create.rs.metadata, uid: 'rs-uid' } };
    assert.deepEqual(await execute(actions), { requeueAfterMs: undefined });
    assert.deepEqual(objects.calls, [`createReplicaSet ${newName(d)}`, `getReplicaSet ${newName(d)}`]);
    assert.deepEqual(events, []);
  });

  it('raises status.collisionCount and fails when the name is taken by another template', async () => {
    const { objects, events, execute } = harness();
    const collided = { ...d, status: { collisionCount: 2 } };
    const actions = plan(snapshot(collided, []), now);
    const name = actions[0]?.kind === 'createReplicaSet' ? (actions[0].rs.metadata.name ?? '') : '';
    objects.failures.set(`createReplicaSet ${name}`, apiError(409, 'AlreadyExists'));
    objects.live = ownedReplicaSet(d, name, { replicas: 3, image: 'nginx:other' });
    await assert.rejects(execute(actions, collided), DeploymentSyncError);
    assert.deepEqual(objects.calls, [`createReplicaSet ${name}`, `getReplicaSet ${name}`, 'setCollisionCount 3 @100']);
    assert.deepEqual(events, []);
  });

  it('ends the pass without an error or Event when the namespace is terminating', async () => {
    const { objects, events, execute } = harness();
    const actions = plan(snapshot(d, []), now);
    objects.failures.set(
      `createReplicaSet ${newName(d)}`,
      apiError(403, 'Forbidden', 'myreplicasets "x" is forbidden: unable to create new content in namespace default because it is being terminated'),
    );
    assert.deepEqual(await execute(actions), { requeueAfterMs: undefined });
    assert.deepEqual(objects.calls, [`createReplicaSet ${newName(d)}`]);
    assert.deepEqual(events, []);
  });

  it('on another create failure writes Progressing ReplicaSetCreateError (with a deadline), warns, and fails', async () => {
    for (const deadline of [true, false]) {
      const { objects, events, execute } = harness();
      const target = deadline ? d : { ...d, spec: { ...d.spec, progressDeadlineSeconds: undefined } };
      const actions = plan(snapshot(target, []), now);
      objects.failures.set(`createReplicaSet ${newName(d)}`, apiError(403, 'Forbidden', 'exceeded quota'));
      await assert.rejects(execute(actions, target), DeploymentSyncError);
      const message = `Failed to create new replica set "${newName(d)}": exceeded quota`;
      assert.deepEqual(events, [`MyDeployment/web Warning ReplicaSetCreateError: ${message}`]);
      if (deadline) {
        assert.deepEqual(objects.calls, [`createReplicaSet ${newName(d)}`, 'updateStatus @100']);
        const c = objects.statuses[0]?.conditions?.find((x) => x.type === 'Progressing');
        assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'ReplicaSetCreateError', message]);
      } else {
        assert.deepEqual(objects.calls, [`createReplicaSet ${newName(d)}`]);
      }
    }
  });

  it('treats a history delete that finds nothing (or another RS under the name) as done, and fails on anything else', async () => {
    const a = ownedReplicaSet(d, 'web-a', { replicas: 0 });
    const b = ownedReplicaSet(d, 'web-b', { replicas: 0 });
    const c = ownedReplicaSet(d, 'web-c', { replicas: 0 });
    const { objects, execute } = harness();
    objects.failures.set('deleteReplicaSet web-a', apiError(404, 'NotFound'));
    objects.failures.set('deleteReplicaSet web-b', apiError(409, 'Conflict'));
    objects.failures.set('deleteReplicaSet web-c', apiError(500, 'InternalError'));
    await assert.rejects(
      execute([a, b, c, a].map((rs): DeploymentAction => ({ kind: 'deleteReplicaSet', rs }))),
      /deleting old replica set web-c/,
    );
    assert.deepEqual(objects.calls, ['deleteReplicaSet web-a', 'deleteReplicaSet web-b', 'deleteReplicaSet web-c']);
  });

  it('rolls back with the annotations given, records planned Events on the MyDeployment, and returns the requeue', async () => {
    const { objects, events, execute } = harness();
    const result = await execute([
      { kind: 'rollbackDeployment', template: d.spec.template, annotations: { [revisionKey]: '2' } },
      { kind: 'event', type: 'Normal', reason: 'DeploymentRollback', message: 'Rolled back deployment "web" to revision 1' },
      { kind: 'requeueAfter', afterMs: 5000, reason: 'progressDeadline' },
    ]);
    assert.deepEqual(objects.calls, [`rollbackDeployment template ${revisionKey} @100`]);
    assert.deepEqual(events, ['MyDeployment/web Normal DeploymentRollback: Rolled back deployment "web" to revision 1']);
    assert.equal(result.requeueAfterMs, 5000);
  });

  it('fails on a planned syncError without running what follows', async () => {
    const { objects, execute } = harness();
    await assert.rejects(execute([{ kind: 'syncError', message: 'bad maxSurge' }, { kind: 'writeStatus', status: {} }]), /bad maxSurge/);
    assert.deepEqual(objects.calls, []);
  });
});
