// The MyReplicaSet executor's rules, against a fake object manager: expectations around pod
// changes, slow start, events, the ReplicaFailure condition, the status write and what fails a
// sync. What goes over the wire is replicaset-object-manager.test.ts.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { WorkloadCondition } from '../../src/api/meta.ts';
import type { MyReplicaSet } from '../../src/api/workloads.ts';
import type { ReplicaSetAction } from '../../src/controllers/replicaset/actions.ts';
import type { ExecutorDeps } from '../../src/controllers/replicaset/execute.ts';
import { executeReplicaSetPlan, ReplicaSetSyncError } from '../../src/controllers/replicaset/execute.ts';
import type { ReplicaSetObjectManager } from '../../src/controllers/replicaset/object-manager.ts';
import { newReplicaSetPod } from '../../src/controllers/replicaset/pod-template.ts';
import type { ReplicaSetStatusFields } from '../../src/controllers/replicaset/status.ts';
import type { SyncOutcome } from '../../src/controllers/shared/workload-reconciler.ts';
import { Expectations } from '../../src/runtime/expectations.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { apiError } from '../support/fake-lease-api.ts';
import { uniqueName } from '../support/metrics.ts';
import type { ConditionsUpdate } from '../support/recorded-calls.ts';
import { batchSizes, RecordedCalls } from '../support/recorded-calls.ts';
import { iso, pod, replicaSet, t0, template } from './replicaset-fixtures.ts';

const key = 'ns/web';
const rs = replicaSet({ resourceVersion: '7' });

class FakeObjects extends RecordedCalls implements ReplicaSetObjectManager {
  private created = 0;
  readonly statuses: ReplicaSetStatusFields[] = [];
  readonly conditionWrites: (readonly WorkloadCondition[])[] = [];

  async createPod(target: Pod): Promise<Pod> {
    await this.call(`createPod ${target.metadata.generateName ?? ''}`);
    this.created++;
    return { ...target, metadata: { ...target.metadata, name: `${target.metadata.generateName ?? ''}${this.created}` } };
  }
  async deletePod(target: Pod): Promise<void> {
    await this.call(`deletePod ${target.metadata.name ?? ''}`);
  }
  async patchStatus(_rs: MyReplicaSet, status: ReplicaSetStatusFields): Promise<void> {
    await this.call('patchStatus');
    this.statuses.push(status);
  }
  async writeConditions(target: MyReplicaSet, update: ConditionsUpdate): Promise<void> {
    const written = await this.conditionsCall(target.status?.conditions, update);
    if (written !== undefined) this.conditionWrites.push(written);
  }
}

interface Harness {
  readonly objects: FakeObjects;
  readonly expectations: Expectations;
  /** `<type> <reason>: <message>`, in the order recorded. */
  readonly events: string[];
  /** The kinds of the objects events were recorded on. */
  readonly involvedKinds: string[];
  run(actions: readonly ReplicaSetAction[], target?: MyReplicaSet): Promise<SyncOutcome>;
}

function harness(): Harness {
  const clock = new FakeClock(t0);
  const objects = new FakeObjects();
  const expectations = new Expectations({ controller: uniqueName('replicaset_execute'), clock });
  const events: string[] = [];
  const involvedKinds: string[] = [];
  const deps: ExecutorDeps = {
    objects,
    expectations,
    recorder: {
      event(obj, type, reason, message) {
        involvedKinds.push(`${obj.kind} ${obj.metadata.name ?? ''}`);
        events.push(`${type} ${reason}: ${message}`);
      },
    },
    clock,
    log: silentLogger(),
  };
  return { objects, expectations, events, involvedKinds, run: (actions, target = rs) => executeReplicaSetPlan(deps, target, key, actions) };
}

const createPods = (count: number, target: MyReplicaSet = rs): ReplicaSetAction[] =>
  Array.from({ length: count }, () => ({ kind: 'createPod', pod: newReplicaSetPod(target) }));
const deletePod = (name: string): ReplicaSetAction => ({ kind: 'deletePod', pod: pod(name, { node: 'n1' }) });
const status: ReplicaSetStatusFields = {
  replicas: 1,
  fullyLabeledReplicas: 1,
  readyReplicas: 1,
  availableReplicas: 0,
  terminatingReplicas: 0,
  selector: 'app=web',
  observedGeneration: 1,
};
const writeStatus: ReplicaSetAction = { kind: 'writeStatus', status };
const requeue: ReplicaSetAction = { kind: 'requeueAfter', afterMs: 5000, reason: 'minReadySeconds' };
const serverError = (): Error => apiError(500, 'InternalError', 'etcd unavailable');
const quota = (): Error => apiError(403, 'Forbidden', 'pods "web-x" is forbidden: exceeded quota: q');
const failedCondition = (reason: string, message: string): WorkloadCondition => ({
  type: 'ReplicaFailure',
  status: 'True',
  lastTransitionTime: iso(t0),
  reason,
  message,
});

const createBatchSizes = (timeline: readonly string[]): number[] => batchSizes(timeline, 'createPod');

/** Fails the `nth` call named `call` (1-based), once. */
function failNth(objects: FakeObjects, call: string, nth: number, error: Error): void {
  let seen = 0;
  objects.fail = (c) => (c === call && ++seen === nth ? error : undefined);
}

describe('MyReplicaSet executor: creates', () => {
  it('creates in slow-start batches of 1, 2, 4, 8, … and records SuccessfulCreate for each', async () => {
    const h = harness();
    const outcome = await h.run([...createPods(10), writeStatus]);
    assert.deepEqual(createBatchSizes(h.objects.timeline), [1, 2, 4, 3]);
    assert.equal(h.events.length, 10);
    assert.equal(h.events[0], 'Normal SuccessfulCreate: Created pod: web-1');
    assert.deepEqual(new Set(h.involvedKinds), new Set(['MyReplicaSet web']));
    assert.deepEqual(outcome, { requeueAfterMs: undefined });
  });

  it('expects every create before the first call, and keeps what it created expected until observed', async () => {
    const h = harness();
    const seen: (number | undefined)[] = [];
    h.objects.onStart = (call) => {
      if (call.startsWith('createPod')) seen.push(h.expectations.get(key)?.creations);
    };
    await h.run(createPods(3));
    assert.equal(seen[0], 3);
    assert.equal(h.expectations.get(key)?.creations, 3);
    assert.equal(h.expectations.satisfied(key), false);
  });

  it('stops after the first batch with a failure, lowers the expectations by every create not made, and fails the sync', async () => {
    const h = harness();
    // Batch 1 (1 pod) goes through; batch 2 (2 pods) has one failure; 7 are never tried.
    failNth(h.objects, 'createPod web-', 3, quota());
    await assert.rejects(h.run([...createPods(10), writeStatus, requeue]), (err: unknown) => {
      assert.ok(err instanceof ReplicaSetSyncError);
      assert.equal(err.message, 'pods "web-x" is forbidden: exceeded quota: q');
      return true;
    });
    assert.deepEqual(createBatchSizes(h.objects.timeline), [1, 2]);
    assert.equal(h.expectations.get(key)?.creations, 2, 'two created, waiting for their add events');
    assert.deepEqual(h.events, [
      'Normal SuccessfulCreate: Created pod: web-1',
      'Normal SuccessfulCreate: Created pod: web-2',
      'Warning FailedCreate: Error creating: pods "web-x" is forbidden: exceeded quota: q',
    ]);
    // The status still goes out, after the ReplicaFailure condition.
    assert.deepEqual(h.objects.calls.slice(-2), ['writeConditions', 'patchStatus']);
    assert.deepEqual(h.objects.conditionWrites, [[failedCondition('FailedCreate', 'pods "web-x" is forbidden: exceeded quota: q')]]);
  });

  it('takes a refusal because the namespace is terminating as a success: no event, expectation kept, no failure', async () => {
    const h = harness();
    h.objects.failures.set('createPod web-', apiError(403, 'Forbidden', 'unable to create new content in namespace ns because it is being terminated'));
    const outcome = await h.run([...createPods(3), writeStatus]);
    assert.deepEqual(createBatchSizes(h.objects.timeline), [1, 2]);
    assert.deepEqual(h.events, []);
    assert.equal(h.expectations.get(key)?.creations, 3);
    assert.deepEqual(h.objects.conditionWrites, []);
    assert.deepEqual(outcome, { requeueAfterMs: undefined });
  });

  it('refuses a pod without labels before any request, with no event, and reports it as the failure', async () => {
    const h = harness();
    const unlabelled = replicaSet({ spec: { template: { spec: template().spec } } });
    await assert.rejects(h.run(createPods(4, unlabelled), unlabelled), /unable to create pods, no labels/);
    assert.deepEqual(h.objects.calls, ['writeConditions']);
    assert.deepEqual(h.events, []);
    assert.equal(h.expectations.satisfied(key), true, 'all four creates lowered');
    assert.deepEqual(h.objects.conditionWrites, [[failedCondition('FailedCreate', 'unable to create pods, no labels')]]);
  });
});

describe('MyReplicaSet executor: deletes', () => {
  it('expects the deletes by pod key before the calls, deletes all at once and records SuccessfulDelete', async () => {
    const h = harness();
    const seen: (readonly string[] | undefined)[] = [];
    h.objects.onStart = () => seen.push(h.expectations.get(key)?.deletions);
    const outcome = await h.run([deletePod('a'), deletePod('b'), deletePod('c'), writeStatus]);
    assert.deepEqual(seen[0], ['ns/a', 'ns/b', 'ns/c']);
    assert.deepEqual(
      h.objects.timeline.slice(0, 3),
      ['start deletePod a', 'start deletePod b', 'start deletePod c'],
      'every delete starts before any ends',
    );
    assert.deepEqual(h.events, ['Normal SuccessfulDelete: Deleted pod: a', 'Normal SuccessfulDelete: Deleted pod: b', 'Normal SuccessfulDelete: Deleted pod: c']);
    assert.deepEqual(h.expectations.get(key)?.deletions, ['ns/a', 'ns/b', 'ns/c'], 'waiting for the delete events');
    assert.deepEqual(outcome, { requeueAfterMs: undefined });
  });

  it('takes NotFound (and a failed UID precondition) as already gone: no event, no failure, the key no longer expected', async () => {
    const h = harness();
    h.objects.failures.set('deletePod a', apiError(404, 'NotFound', 'pods "a" not found'));
    h.objects.failures.set('deletePod b', apiError(409, 'Conflict', 'Precondition failed: UID in precondition: uid-b, UID in object meta: other'));
    await h.run([deletePod('a'), deletePod('b'), deletePod('c')]);
    assert.deepEqual(h.events, ['Normal SuccessfulDelete: Deleted pod: c']);
    assert.deepEqual(h.expectations.get(key)?.deletions, ['ns/c']);
    assert.deepEqual(h.objects.conditionWrites, []);
  });

  it('records FailedDelete for another error, lowers its key and fails the sync with ReplicaFailure FailedDelete', async () => {
    const h = harness();
    h.objects.failures.set('deletePod b', serverError());
    await assert.rejects(h.run([deletePod('a'), deletePod('b'), writeStatus, requeue]), /etcd unavailable/);
    assert.deepEqual(h.events, ['Normal SuccessfulDelete: Deleted pod: a', 'Warning FailedDelete: Error deleting: etcd unavailable']);
    assert.deepEqual(h.expectations.get(key)?.deletions, ['ns/a']);
    assert.deepEqual(h.objects.conditionWrites, [[failedCondition('FailedDelete', 'unable to delete pods: etcd unavailable')]]);
    assert.equal(h.objects.statuses.length, 1, 'the status is written all the same');
  });

  it('replaces delete keys left from before, as upstream ExpectDeletions does', async () => {
    const h = harness();
    h.expectations.expectDeletions(key, ['ns/old']);
    await h.run([deletePod('a')]);
    assert.deepEqual(h.expectations.get(key)?.deletions, ['ns/a']);
  });
});

describe('MyReplicaSet executor: status and outcome', () => {
  it('writes the status and asks for the availability requeue when nothing failed', async () => {
    const h = harness();
    const outcome = await h.run([writeStatus, requeue]);
    assert.deepEqual(h.objects.calls, ['patchStatus']);
    assert.deepEqual(h.objects.statuses, [status]);
    assert.deepEqual(outcome, { requeueAfterMs: 5000 });
  });

  it('makes no call for a plan without pod changes or status', async () => {
    const h = harness();
    assert.deepEqual(await h.run([]), { requeueAfterMs: undefined });
    assert.deepEqual(h.objects.calls, []);
  });

  it('keeps an existing ReplicaFailure through a later failure (no refresh, no write)', async () => {
    const h = harness();
    const failing = replicaSet({ status: { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'first' }] } });
    h.objects.failures.set('createPod web-', quota());
    await assert.rejects(h.run(createPods(1, failing), failing));
    assert.deepEqual(h.objects.conditionWrites, []);
  });

  it('removes ReplicaFailure after a sync without failure, also one that made no pod change, and keeps custom conditions', async () => {
    const h = harness();
    const custom: WorkloadCondition = { type: 'Custom', status: 'True' };
    const failing = replicaSet({ status: { conditions: [custom, { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'm' }] } });
    await h.run([writeStatus], failing);
    assert.deepEqual(h.objects.conditionWrites, [[custom]]);
    assert.deepEqual(h.objects.calls, ['writeConditions', 'patchStatus']);
  });

  it('fails the sync when the status write fails, without the requeue', async () => {
    const h = harness();
    h.objects.failures.set('patchStatus', serverError());
    await assert.rejects(h.run([writeStatus, requeue]), (err: unknown) => err instanceof ReplicaSetSyncError && /updating status: etcd unavailable/.test(err.message));
  });

  it('reports the status error before the pod error when both failed', async () => {
    const h = harness();
    h.objects.failures.set('createPod web-', quota());
    h.objects.failures.set('patchStatus', serverError());
    await assert.rejects(h.run([...createPods(1), writeStatus]), /updating status/);
    assert.equal(h.expectations.satisfied(key), true);
  });
});
