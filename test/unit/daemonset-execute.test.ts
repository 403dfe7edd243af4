// The MyDaemonSet executor's rules, against a fake object manager: the order of the phases,
// expectations around pod changes, slow start, events, history cleanup, the hash collision, the
// create backoff and what fails a sync. What goes over the wire is daemonset-object-manager.test.ts.
import assert from 'node:assert/strict';
import type { ControllerRevision, Pod } from '../../src/api/core.ts';
import type { WorkloadCondition } from '../../src/api/meta.ts';
import type { MyDaemonSet, RolloutCondition } from '../../src/api/workloads.ts';
import type { ExecutionResult, ExecutorDeps, StatusWrite } from '../../src/controllers/daemonset/execute.ts';
import { DaemonSetSyncError, executeDaemonSetPlan } from '../../src/controllers/daemonset/execute.ts';
import type { DaemonSetObjectManager } from '../../src/controllers/daemonset/object-manager.ts';
import type { DaemonSetAction, DaemonSetStatusFields, FailedPodBackoff } from '../../src/controllers/daemonset/plan.ts';
import { plan } from '../../src/controllers/daemonset/plan.ts';
import type { RolloutConditionsUpdate } from '../../src/controllers/daemonset/rollout-conditions.ts';
import { nextRolloutConditions } from '../../src/controllers/daemonset/rollout-conditions.ts';
import type { RolloutObservation } from '../../src/controllers/shared/rollout-control.ts';
import { CreateBackoff } from '../../src/controllers/shared/create-backoff.ts';
import { Expectations } from '../../src/runtime/expectations.ts';
import { WritePacer } from '../../src/runtime/write-pacer.ts';
import { CreateRamp } from '../../src/controllers/shared/create-ramp.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { apiError } from '../support/fake-lease-api.ts';
import { daemonSet, iso, nodes, pod, revisionOf, snapshot, t0, template } from './daemonset-fixtures.ts';
import { batchSizes, RecordedCalls } from '../support/recorded-calls.ts';

const key = 'ns/agent';
const ds = daemonSet();
const nameOf = (obj: { readonly metadata: { readonly name?: string } }): string => obj.metadata.name ?? '';

/** Records every call as `<verb> <name>`; `fail` decides which throw. */
class FakeObjects extends RecordedCalls implements DaemonSetObjectManager {
  /** What getRevision answers, by name. */
  readonly revisions = new Map<string, ControllerRevision>();
  /** The MyDaemonSet as the API server holds it (getDaemonSet, bumpCollisionCount). */
  live: MyDaemonSet = { ...ds, metadata: { ...ds.metadata, resourceVersion: '12' } };
  readonly createdRevisions: ControllerRevision[] = [];
  readonly bumps: { readonly resourceVersion: string | undefined; readonly collisionCount: number }[] = [];
  readonly statuses: DaemonSetStatusFields[] = [];
  /** Each conditions write: the resourceVersion of the object it was computed from, and the list. */
  readonly conditionWrites: { readonly resourceVersion: string | undefined; readonly conditions: readonly WorkloadCondition[] }[] = [];

  async createRevision(revision: ControllerRevision): Promise<ControllerRevision> {
    this.createdRevisions.push(revision);
    await this.call(`createRevision ${nameOf(revision)}`);
    return revision;
  }
  async getRevision(_namespace: string, name: string): Promise<ControllerRevision> {
    await this.call(`getRevision ${name}`);
    const found = this.revisions.get(name);
    if (!found) throw apiError(404, 'NotFound');
    return found;
  }
  async labelRevision(revision: ControllerRevision, hash: string): Promise<void> {
    await this.call(`labelRevision ${nameOf(revision)} ${hash}`);
  }
  async renumberRevision(revision: ControllerRevision, revisionNumber: number): Promise<void> {
    await this.call(`renumberRevision ${nameOf(revision)} #${revisionNumber}`);
  }
  async deleteRevision(revision: ControllerRevision): Promise<void> {
    await this.call(`deleteRevision ${nameOf(revision)}`);
  }
  async relabelPod(target: Pod, hash: string): Promise<void> {
    await this.call(`relabelPod ${nameOf(target)} ${hash}`);
  }
  async createPod(target: Pod): Promise<Pod> {
    const generateName = target.metadata.generateName ?? '';
    await this.call(`createPod ${generateName}`);
    return { ...target, metadata: { ...target.metadata, name: `${generateName}x` } };
  }
  async deletePod(target: Pod): Promise<void> {
    await this.call(`deletePod ${nameOf(target)}`);
  }
  async getDaemonSet(_namespace: string, name: string): Promise<MyDaemonSet> {
    await this.call(`getDaemonSet ${name}`);
    return this.live;
  }
  async bumpCollisionCount(live: MyDaemonSet, collisionCount: number): Promise<void> {
    await this.call(`bumpCollisionCount ${collisionCount}`);
    this.bumps.push({ resourceVersion: live.metadata.resourceVersion, collisionCount });
    this.live = { ...this.live, status: { ...this.live.status, collisionCount } };
  }
  /** What patchStatus answers: the object as written, with a resourceVersion of its own. */
  patched: MyDaemonSet = { ...ds, metadata: { ...ds.metadata, resourceVersion: '20' } };
  async patchStatus(_ds: MyDaemonSet, status: DaemonSetStatusFields): Promise<MyDaemonSet> {
    await this.call('patchStatus');
    this.statuses.push(status);
    return this.patched;
  }
  /** How many of the next writeStatusAndConditions calls meet a conflict (then getDaemonSet answers `live`). */
  conflicts = 0;
  /** Each combined write that went through: the resourceVersion it was conditional on, the fields, the list. */
  readonly combinedWrites: {
    readonly resourceVersion: string | undefined;
    readonly status: DaemonSetStatusFields | undefined;
    readonly conditions: readonly WorkloadCondition[];
  }[] = [];
  /** As the real one: recomputed from a fresh read on conflict; the fields alone when the list is unchanged. */
  async writeStatusAndConditions(
    target: MyDaemonSet,
    status: DaemonSetStatusFields | undefined,
    update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined,
  ): Promise<MyDaemonSet | undefined> {
    let current = target;
    for (;;) {
      const next = update(current.status?.conditions);
      if (next === undefined) return status === undefined ? undefined : this.patchStatus(target, status);
      await this.call('writeStatusAndConditions');
      if (this.conflicts > 0) {
        this.conflicts--;
        current = await this.getDaemonSet('ns', nameOf(target));
        continue;
      }
      this.combinedWrites.push({ resourceVersion: current.metadata.resourceVersion, status, conditions: next });
      return this.patched;
    }
  }
  /** As updateConditions: computed from the object given; no call when nothing changes. */
  async writeConditions(
    target: MyDaemonSet,
    update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined,
  ): Promise<void> {
    const next = update(target.status?.conditions);
    if (next === undefined) return;
    await this.call('writeConditions');
    this.conditionWrites.push({ resourceVersion: target.metadata.resourceVersion, conditions: next });
  }
}

interface Harness {
  readonly objects: FakeObjects;
  readonly expectations: Expectations;
  readonly clock: FakeClock;
  /** `<type> <reason>: <message>`, in the order recorded. */
  readonly events: string[];
  /** What the executor handed back to the reconciler's failed-pod backoff. */
  readonly recordedBackoff: (readonly [string, FailedPodBackoff])[];
  /** The resourceVersions of status writes reported as starting or clearing a rollback. */
  readonly rollbackWrites: (string | undefined)[];
  run(actions: readonly DaemonSetAction[], target?: MyDaemonSet): Promise<ExecutionResult>;
}

function harness(
  refresh?: (clock: FakeClock) => () => DaemonSetStatusFields | undefined,
  finalStatus: (own: StatusWrite) => StatusWrite | 'shown' = (own) => own,
): Harness {
  const clock = new FakeClock(t0);
  const statusPacer = new WritePacer({ clock, intervalMs: 1000 });
  const objects = new FakeObjects();
  const expectations = new Expectations({ controller: 'test', clock });
  const events: string[] = [];
  const recordedBackoff: (readonly [string, FailedPodBackoff])[] = [];
  const rollbackWrites: (string | undefined)[] = [];
  const warned = new Map<string, string>();
  const deps: ExecutorDeps = {
    objects,
    expectations,
    recorder: {
      event(_obj, type, reason, message) {
        events.push(`${type} ${reason}: ${message}`);
      },
    },
    recordFailedBackoff(backoffKey, backoff) {
      recordedBackoff.push([backoffKey, backoff]);
    },
    createBackoff: new CreateBackoff(clock),
    statusPacer,
    createRamp: new CreateRamp(),
    ...(refresh !== undefined ? { statusRefresh: { pacer: statusPacer, compute: refresh(clock), finalStatus } } : {}),
    clock,
    warnings: {
      first(warnKey, once) {
        if (warned.get(warnKey) === once) return false;
        warned.set(warnKey, once);
        return true;
      },
    },
    wroteRollback: (resourceVersion) => rollbackWrites.push(resourceVersion),
  };
  return {
    objects,
    expectations,
    clock,
    events,
    recordedBackoff,
    rollbackWrites,
    run: (actions, target = ds) => executeDaemonSetPlan(deps, target, key, actions, silentLogger()),
  };
}

/** A daemon pod to create on `node`; the fake names its calls by generateName. */
function createPod(node: string): DaemonSetAction {
  const target: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: `agent-${node}-`, namespace: 'ns' }, spec: { containers: [] } };
  return { kind: 'createPod', nodeName: node, pod: target };
}
const createPods = (count: number): DaemonSetAction[] => Array.from({ length: count }, (_, i) => createPod(`n${i + 1}`));
const deletePod = (name: string): DaemonSetAction => ({ kind: 'deletePod', pod: pod(name, 'n1'), reason: 'excessPod' });
const status: DaemonSetStatusFields = {
  currentNumberScheduled: 1,
  numberMisscheduled: 0,
  desiredNumberScheduled: 1,
  numberReady: 0,
  updatedNumberScheduled: 1,
  numberAvailable: 0,
  numberUnavailable: 1,
  observedGeneration: 1,
};
const writeStatus: DaemonSetAction = { kind: 'writeStatus', status };
const revision = revisionOf(ds, 1);
const old = (n: number): ControllerRevision => revisionOf(ds, n, template(`agent:old-${n}`));
const cleanup = (n: number): DaemonSetAction => ({ kind: 'deleteRevision', revision: old(n), reason: 'historyLimit' });

const createBatchSizes = (timeline: readonly string[]): number[] => batchSizes(timeline, 'createPod');

const serverError = (): Error => apiError(500, 'InternalError', 'etcd unavailable');

describe('MyDaemonSet executor: history', () => {
  it('writes history one call at a time, in plan order, before anything else', async () => {
    const h = harness();
    const duplicate = { ...revision, metadata: { ...revision.metadata, name: 'agent-dup' } };
    await h.run([
      { kind: 'labelRevision', revision: old(2), hash: nameOf(old(2)) },
      { kind: 'relabelPod', pod: pod('p1', 'n1'), hash: 'h1' },
      { kind: 'deleteRevision', revision: duplicate, reason: 'duplicate' },
      { kind: 'updateRevisionNumber', revision, revisionNumber: 3 },
      createPod('n1'),
      writeStatus,
    ]);
    assert.deepEqual(h.objects.calls, [
      `labelRevision ${nameOf(old(2))} ${nameOf(old(2))}`,
      'relabelPod p1 h1',
      'deleteRevision agent-dup',
      `renumberRevision ${nameOf(revision)} #3`,
      'createPod agent-n1-',
      'patchStatus',
    ]);
    const history = h.objects.timeline.slice(0, 8);
    assert.deepEqual(
      history.map((e) => e.split(' ')[0]),
      ['start', 'end', 'start', 'end', 'start', 'end', 'start', 'end'],
      'each history call ends before the next starts',
    );
  });

  it('ends the sync at a failed history write: no pod change, no event, not even the status', async () => {
    const h = harness();
    const failure = serverError();
    h.objects.failures.set('relabelPod p1 h1', failure);
    const actions: DaemonSetAction[] = [
      { kind: 'relabelPod', pod: pod('p1', 'n1'), hash: 'h1' },
      { kind: 'updateRevisionNumber', revision, revisionNumber: 3 },
      { kind: 'event', type: 'Normal', reason: 'SucceededDaemonPod', message: 'm' },
      createPod('n1'),
      writeStatus,
    ];
    await assert.rejects(h.run(actions), (err) => err === failure);
    assert.deepEqual(h.objects.calls, ['relabelPod p1 h1']);
    assert.deepEqual(h.events, []);
    assert.equal(h.expectations.get(key), undefined);
  });

  it('takes a duplicate revision already gone (NotFound, or replaced: UID precondition) as deleted', async () => {
    const h = harness();
    const dup = (name: string): DaemonSetAction => ({
      kind: 'deleteRevision',
      revision: { ...revision, metadata: { ...revision.metadata, name } },
      reason: 'duplicate',
    });
    h.objects.failures.set('deleteRevision dup-1', apiError(404, 'NotFound'));
    h.objects.failures.set('deleteRevision dup-2', apiError(409, 'Conflict', 'Precondition failed: UID in precondition: a, UID in object meta: b'));
    assert.deepEqual(await h.run([dup('dup-1'), dup('dup-2'), writeStatus]), { requeueAfterMs: undefined });
    assert.deepEqual(h.objects.calls, ['deleteRevision dup-1', 'deleteRevision dup-2', 'patchStatus']);
  });

  it('hands the planned revision to createRevision as it is (the object manager owns its encoding)', async () => {
    const h = harness();
    await h.run([{ kind: 'createRevision', revision }]);
    assert.equal(h.objects.createdRevisions[0], revision);
  });

  it('carries on with a revision that already exists with the same data', async () => {
    const h = harness();
    h.objects.failures.set(`createRevision ${nameOf(revision)}`, apiError(409, 'AlreadyExists'));
    h.objects.revisions.set(nameOf(revision), { ...revision, metadata: { ...revision.metadata, uid: 'earlier' } });
    await h.run([{ kind: 'createRevision', revision }, createPod('n1'), writeStatus]);
    assert.deepEqual(h.objects.calls, [`createRevision ${nameOf(revision)}`, `getRevision ${nameOf(revision)}`, 'createPod agent-n1-', 'patchStatus']);
  });

  it('on a hash collision bumps status.collisionCount of the DaemonSet just read, fails the sync, and the retry hashes anew', async () => {
    const h = harness();
    const snap = snapshot({ ds, nodes: nodes('n1') });
    const first = plan(snap, t0);
    const taken = first.find((a) => a.kind === 'createRevision')?.revision;
    assert.ok(taken);
    h.objects.failures.set(`createRevision ${nameOf(taken)}`, apiError(409, 'AlreadyExists'));
    h.objects.revisions.set(nameOf(taken), { ...revisionOf(ds, 1, template('other:1')), metadata: taken.metadata });

    await assert.rejects(h.run(first), (err) => err instanceof DaemonSetSyncError && /hash collision/.test(err.message));
    assert.deepEqual(h.objects.calls, [`createRevision ${nameOf(taken)}`, `getRevision ${nameOf(taken)}`, 'getDaemonSet agent', 'bumpCollisionCount 1']);
    assert.deepEqual(h.objects.bumps, [{ resourceVersion: '12', collisionCount: 1 }], 'conditional on the resourceVersion just read');
    assert.equal(h.expectations.get(key), undefined, 'no pod change after a failed history write');

    // The queue retries: the cache now shows collisionCount 1, so the revision gets another name.
    h.objects.calls.splice(0);
    const retried = plan({ ...snap, ds: h.objects.live }, t0);
    const fresh = retried.find((a) => a.kind === 'createRevision')?.revision;
    assert.ok(fresh);
    assert.notEqual(nameOf(fresh), nameOf(taken));
    assert.deepEqual(await h.run(retried, h.objects.live), { requeueAfterMs: undefined });
    assert.deepEqual(h.objects.calls, [`createRevision ${nameOf(fresh)}`, 'createPod agent-', 'writeStatusAndConditions']);
  });

  it('does not bump a collisionCount someone else moved since the cache saw it, and still fails the sync', async () => {
    const h = harness();
    h.objects.failures.set(`createRevision ${nameOf(revision)}`, apiError(409, 'AlreadyExists'));
    h.objects.revisions.set(nameOf(revision), { ...old(1), metadata: revision.metadata });
    h.objects.live = { ...h.objects.live, status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, collisionCount: 1 } };
    await assert.rejects(h.run([{ kind: 'createRevision', revision }, writeStatus]), DaemonSetSyncError);
    assert.deepEqual(h.objects.calls, [`createRevision ${nameOf(revision)}`, `getRevision ${nameOf(revision)}`, 'getDaemonSet agent']);
    assert.deepEqual(h.objects.bumps, []);
  });
});

describe('MyDaemonSet executor: bookkeeping', () => {
  it('records Events and hands failed-pod backoff to the reconciler before the pod changes; requeues at the earliest wait', async () => {
    const h = harness();
    const backoff = { delayMs: 2_000, lastUpdateMs: t0 };
    let seenAtDelete: number | undefined;
    h.objects.onStart = (call) => {
      if (call.startsWith('deletePod')) seenAtDelete = h.recordedBackoff.length;
    };
    const result = await h.run([
      { kind: 'recordFailedBackoff', key: 'ds-uid/1/n1', backoff },
      { kind: 'event', type: 'Warning', reason: 'FailedDaemonPod', message: 'Found failed daemon pod ns/p1 on node n1, will try to kill it' },
      { kind: 'requeueAfter', afterMs: 4_000, reason: 'failedPodBackoff' },
      { kind: 'requeueAfter', afterMs: 1_500, reason: 'failedPodBackoff' },
      { kind: 'deletePod', pod: pod('p1', 'n1'), reason: 'failedPod' },
      writeStatus,
      { kind: 'requeueAfter', afterMs: 3_000, reason: 'minReadySeconds' },
    ]);
    assert.deepEqual(h.recordedBackoff, [['ds-uid/1/n1', backoff]]);
    assert.equal(seenAtDelete, 1);
    assert.deepEqual(h.events, ['Warning FailedDaemonPod: Found failed daemon pod ns/p1 on node n1, will try to kill it', 'Normal SuccessfulDelete: Deleted pod: p1']);
    assert.deepEqual(result, { requeueAfterMs: 1_500 });
  });
});

describe('MyDaemonSet executor: pod changes', () => {
  it('raises the expectations by every create and delete before the first call', async () => {
    const h = harness();
    const seen: unknown[] = [];
    h.objects.onStart = () => seen.push(h.expectations.get(key));
    await h.run([...createPods(3), deletePod('a'), deletePod('b')]);
    const expected = { creations: 3, deletions: ['uid-a', 'uid-b'], setAt: t0 };
    assert.deepEqual(seen[0], expected, 'raised before the first call');
    assert.deepEqual(h.expectations.get(key), expected, 'left for the informers to observe');
    assert.equal(h.expectations.satisfied(key), false);
  });

  it('creates in slow-start batches of 1, 2, 4, … while they succeed, and deletes all at once', async () => {
    const h = harness();
    await h.run([...createPods(10), deletePod('a'), deletePod('b'), deletePod('c')]);
    assert.deepEqual(createBatchSizes(h.objects.timeline), [1, 2, 4, 3]);
    const deletes = h.objects.timeline.filter((e) => e.includes(' deletePod '));
    assert.deepEqual(
      deletes.map((e) => e.split(' ')[0]),
      ['start', 'start', 'start', 'end', 'end', 'end'],
    );
    assert.equal(h.events.filter((e) => e.startsWith('Normal SuccessfulCreate: Created pod: agent-n')).length, 10);
    assert.deepEqual(
      h.events.filter((e) => e.includes('Delete')),
      ['Normal SuccessfulDelete: Deleted pod: a', 'Normal SuccessfulDelete: Deleted pod: b', 'Normal SuccessfulDelete: Deleted pod: c'],
    );
  });

  it('stops at the first batch with a failure and lowers the create expectation by the failed and the skipped creates', async () => {
    const h = harness();
    h.objects.failures.set('createPod agent-n3-', apiError(403, 'Forbidden', 'pods "agent-n3-q" is forbidden: exceeded quota: q'));
    await assert.rejects(h.run([...createPods(10), writeStatus]), /exceeded quota/);
    assert.deepEqual(createBatchSizes(h.objects.timeline), [1, 2]);
    assert.deepEqual(h.objects.calls, ['createPod agent-n1-', 'createPod agent-n2-', 'createPod agent-n3-', 'writeConditions', 'patchStatus']);
    // 10 raised; 1 failed and 7 never tried are lowered: the 2 made are still to be observed.
    assert.equal(h.expectations.get(key)?.creations, 2);
    assert.deepEqual(
      h.events.filter((e) => e.startsWith('Warning')),
      ['Warning FailedCreate: Error creating: pods "agent-n3-q" is forbidden: exceeded quota: q'],
    );
  });

  it('lowers the expectation of each failed delete; a pod already gone (NotFound, UID precondition) is no error and no FailedDelete', async () => {
    const h = harness();
    h.objects.failures.set('deletePod b', apiError(404, 'NotFound'));
    h.objects.failures.set('deletePod c', apiError(409, 'Conflict', 'Precondition failed: UID in precondition: uid-c, UID in object meta: other'));
    h.objects.failures.set('deletePod d', serverError());
    await assert.rejects(h.run([deletePod('a'), deletePod('b'), deletePod('c'), deletePod('d'), writeStatus]), (err) => {
      assert.ok(err instanceof DaemonSetSyncError);
      assert.equal(err.message, 'etcd unavailable');
      return true;
    });
    assert.deepEqual(h.expectations.get(key)?.deletions, ['uid-a']);
    assert.deepEqual(h.events, ['Normal SuccessfulDelete: Deleted pod: a', 'Warning FailedDelete: Error deleting: etcd unavailable']);
    assert.ok(h.objects.calls.includes('patchStatus'));
  });

  it('takes a create refused because the namespace is terminating as neither an error nor a refusal, and leaves its expectation', async () => {
    const h = harness();
    h.objects.failures.set('createPod agent-n1-', apiError(403, 'Forbidden', 'unable to create new content in namespace ns because it is being terminated'));
    assert.deepEqual(await h.run([...createPods(3), writeStatus]), { requeueAfterMs: undefined });
    assert.deepEqual(createBatchSizes(h.objects.timeline), [1, 2], 'the run goes on');
    assert.equal(h.expectations.get(key)?.creations, 3);
    assert.deepEqual(h.objects.conditionWrites, []);
    assert.ok(!h.events.some((e) => e.startsWith('Warning')));
  });

  it('makes no expectation call at all when the plan changes no pod', async () => {
    const h = harness();
    await h.run([writeStatus]);
    assert.equal(h.expectations.get(key), undefined);
  });
});

describe('MyDaemonSet executor: history cleanup, status and outcome', () => {
  it('skips history cleanup after a failed create, and still writes the status', async () => {
    const h = harness();
    h.objects.failures.set('createPod agent-n1-', serverError());
    await assert.rejects(h.run([createPod('n1'), cleanup(1), writeStatus]), DaemonSetSyncError);
    assert.deepEqual(h.objects.calls, ['createPod agent-n1-', 'writeConditions', 'patchStatus']);
  });

  it('skips history cleanup after a failed delete, and still writes the status', async () => {
    const h = harness();
    h.objects.failures.set('deletePod a', serverError());
    await assert.rejects(h.run([deletePod('a'), cleanup(1), writeStatus]), DaemonSetSyncError);
    assert.deepEqual(h.objects.calls, ['deletePod a', 'patchStatus']);
  });

  it('cleans up after pod changes that went through, takes a revision already gone as deleted, and stops at the first failure', async () => {
    const h = harness();
    h.objects.failures.set(`deleteRevision ${nameOf(old(1))}`, apiError(404, 'NotFound'));
    h.objects.failures.set(`deleteRevision ${nameOf(old(2))}`, serverError());
    await assert.rejects(h.run([createPod('n1'), cleanup(1), cleanup(2), cleanup(3), writeStatus]), /etcd unavailable/);
    assert.deepEqual(h.objects.calls, ['createPod agent-n1-', `deleteRevision ${nameOf(old(1))}`, `deleteRevision ${nameOf(old(2))}`, 'patchStatus']);
  });

  it('writes exactly the planned status fields, then requeues for minReadySeconds', async () => {
    const h = harness();
    const result = await h.run([writeStatus, { kind: 'requeueAfter', afterMs: 5_000, reason: 'minReadySeconds' }]);
    assert.deepEqual(h.objects.statuses, [status]);
    assert.deepEqual(result, { requeueAfterMs: 5_000 });
  });

  it('fails the sync when the status write fails', async () => {
    const h = harness();
    h.objects.failures.set('patchStatus', serverError());
    await assert.rejects(h.run([writeStatus, { kind: 'requeueAfter', afterMs: 5_000, reason: 'minReadySeconds' }]), DaemonSetSyncError);
  });

  it("fails the sync with the plan's own error once the pod changes and the status are done", async () => {
    const h = harness();
    await assert.rejects(
      h.run([createPod('n1'), writeStatus, { kind: 'syncError', message: 'invalid value for IntOrString: invalid type: string "x%"' }]),
      (err) => err instanceof DaemonSetSyncError && err.message === 'invalid value for IntOrString: invalid type: string "x%"',
    );
    assert.deepEqual(h.objects.calls, ['createPod agent-n1-', 'patchStatus']);
  });
});

describe('MyDaemonSet executor: fresh counts during a long burst', () => {
  it('writes the counts the caches hold once per interval while creates run, then puts the sync\'s own older counts off', async () => {
    // Each create takes 300 ms; the counts the caches hold move with them.
    const h = harness((clock) => () => ({ ...status, numberReady: Math.floor((clock.now() - t0) / 300) }));
    h.objects.onStart = (call) => {
      if (call.startsWith('createPod')) h.clock.advance(300);
    };
    const result = await h.run([...createPods(7), { kind: 'writeStatus', status, mayWait: true }]);
    const timeline = h.objects.timeline.map((entry) => entry.replace(/ agent-n\d+-$/, ''));
    const firstWrite = timeline.indexOf('start patchStatus');
    assert.ok(firstWrite >= 0 && firstWrite < timeline.lastIndexOf('end createPod'), `a write while creates run: ${timeline.join(', ')}`);
    assert.ok(h.objects.statuses.length >= 1);
    assert.ok(h.objects.statuses.every((written) => written.numberReady > 0), 'the fresh counts, not the planned ones');
    assert.ok((result.requeueAfterMs ?? 0) > 0, 'the planned write comes too soon after the fresh one: put off');
    assert.equal(h.clock.waiting, 0, 'the refresh stopped with the sync');
  });

  it('ends with the counts the caches hold when the sync\'s own write may not wait, and with none when the stored status says them', async () => {
    const ready = (h: Harness): number => Math.floor((h.clock.now() - t0) / 300);
    const runWith = async (finalStatus: (h: Harness) => (own: StatusWrite) => StatusWrite | 'shown'): Promise<number[]> => {
      const made: { h?: Harness } = {};
      const self = (): Harness => {
        if (made.h === undefined) throw new Error('no harness yet');
        return made.h;
      };
      const h = harness(() => () => ({ ...status, numberReady: ready(self()) }), (own) => finalStatus(self())(own));
      h.objects.onStart = (call) => {
        if (call.startsWith('createPod')) h.clock.advance(300);
      };
      made.h = h;
      // The first sync of a set: its write observes the generation and may not wait.
      await h.run([...createPods(7), { kind: 'writeStatus', status: { ...status, observedGeneration: 1 }, mayWait: false }]);
      return h.objects.statuses.map((written) => written.numberReady);
    };
    const control = await runWith(() => (own) => own);
    assert.ok(control.length >= 2, control.join(', '));
    assert.equal(control.at(-1), status.numberReady, `the control: the sync's own counts go last: ${control.join(', ')}`);
    const fresh = await runWith((h) => (own) => ({ ...own, status: { ...own.status, numberReady: ready(h) } }));
    assert.ok(fresh.every((count, i) => i === 0 || count >= (fresh[i - 1] ?? 0)), `never back: ${fresh.join(', ')}`);
    assert.equal(fresh.length, control.length);
    assert.deepEqual(await runWith(() => () => 'shown'), control.slice(0, -1));
  });

  it('does not refresh a sync without pod changes', async () => {
    let asked = 0;
    const h = harness(() => () => {
      asked++;
      return status;
    });
    await h.run([{ kind: 'writeStatus', status, mayWait: true }]);
    assert.equal(asked, 0);
    assert.equal(h.clock.waiting, 0);
  });
});

describe('MyDaemonSet executor: refused creates', () => {
  it('ReplicaFailure written from the cached object, one Warning per cause, creates held back with a growing wait', async () => {
    const h = harness();
    let refusals = 0;
    h.objects.fail = (call) => {
      if (!call.startsWith('createPod')) return undefined;
      refusals++;
      return apiError(
        403,
        'Forbidden',
        `pods "agent-${'abcde'.slice(refusals % 5)}${refusals}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0`,
      );
    };
    const actions = [createPod('node-1')];
    let target = daemonSet({ status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0 } });
    target = { ...target, metadata: { ...target.metadata, resourceVersion: '7' } };
    const run = async (): Promise<unknown> => {
      try {
        return await h.run(actions, target);
      } catch (err) {
        return err;
      }
    };
    const posts = (): number => h.objects.calls.filter((c) => c.startsWith('createPod')).length;

    assert.match(String(await run()), /exceeded quota/);
    assert.equal(posts(), 1);
    const [written] = h.objects.conditionWrites;
    assert.ok(written);
    assert.equal(written.resourceVersion, '7', 'the list is computed from the object of that resourceVersion');
    assert.deepEqual(
      written.conditions.map((c) => [c.type, c.status, c.reason]),
      [['ReplicaFailure', 'True', 'FailedCreate']],
    );
    target = { ...target, status: { ...target.status, conditions: written.conditions } };

    // Retried at once: held back, no request, requeued for the rest of the wait.
    assert.deepEqual(await run(), { requeueAfterMs: 1_000 });
    assert.equal(posts(), 1);
    for (const wait of [1_000, 2_000, 4_000]) {
      h.clock.advance(wait);
      assert.match(String(await run()), /exceeded quota/);
    }
    assert.equal(posts(), 4);
    assert.equal(h.objects.conditionWrites.length, 1, 'the same cause under another pod name leaves the condition alone');
    const warnings = h.events.filter((e) => e.includes(' FailedCreate: '));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^Warning FailedCreate: Error creating: pods "agent-\w+" is forbidden: exceeded quota: q/);

    // Lifted: the next try goes through and the condition goes.
    h.objects.fail = () => undefined;
    h.clock.advance(8_000);
    assert.deepEqual(await run(), { requeueAfterMs: undefined });
    assert.equal(posts(), 5);
    assert.deepEqual(h.objects.conditionWrites[1]?.conditions, []);
  });

  it('holds creates back while the create backoff runs, and still deletes; the create expectation is not raised', async () => {
    const h = harness();
    h.objects.failures.set('createPod agent-n1-', serverError());
    await assert.rejects(h.run([createPod('n1')]), DaemonSetSyncError);
    h.objects.calls.splice(0);
    h.clock.advance(400);
    const result = await h.run([createPod('n1'), deletePod('a')]);
    assert.deepEqual(h.objects.calls, ['deletePod a']);
    assert.deepEqual(result, { requeueAfterMs: 600 });
    assert.equal(h.expectations.get(key)?.creations, 0);
  });
});

describe('MyDaemonSet executor: rollout status and conditions', () => {
  const deadline = 600;
  const observation = (overrides: Partial<RolloutObservation> = {}): RolloutObservation => ({
    paused: false,
    deadlineSeconds: deadline,
    complete: false,
    progressed: true,
    subject: 'MyDaemonSet "agent"',
    revision: 'agent-f',
    ...overrides,
  });
  const rolledBack: RolloutCondition = {
    type: 'RolledBack',
    status: 'True',
    lastUpdateTime: iso(t0),
    lastTransitionTime: iso(t0),
    reason: 'ProgressDeadlineExceeded',
    message: 'rolled back from revision 2 (agent-f) to revision 1 (agent-s): no progress for 600 s',
  };
  const conditions = (update: Partial<RolloutConditionsUpdate> = {}): DaemonSetAction => ({
    kind: 'writeRolloutConditions',
    update: { observation: observation(), rolledBack: undefined, now: t0, ...update },
  });
  const record = { generation: 1, revision: 'agent-s', revisionNumber: 1, failedRevision: 'agent-f', failedRevisionNumber: 2 };
  const withRollback: DaemonSetAction = { kind: 'writeStatus', status: { ...status, rollback: record } };
  const cached = (conditionList: readonly RolloutCondition[] = []): MyDaemonSet => ({
    ...ds,
    metadata: { ...ds.metadata, resourceVersion: '7' },
    status: { ...ds.status, conditions: conditionList },
  });

  it('writes the status fields and the conditions in one patch, conditional on the cached resourceVersion', async () => {
    const h = harness();
    await h.run([writeStatus, conditions()], cached());
    assert.deepEqual(h.objects.calls, ['writeStatusAndConditions']);
    const [write] = h.objects.combinedWrites;
    assert.equal(write?.resourceVersion, '7');
    assert.deepEqual(write?.status, status);
    assert.deepEqual(
      write?.conditions.map((c) => `${c.type} ${c.status} ${c.reason ?? ''}`),
      ['Progressing True RolloutProgressing'],
    );
  });

  it('writes the conditions alone when no status field changes', async () => {
    const h = harness();
    await h.run([conditions()], cached());
    assert.deepEqual(h.objects.calls, ['writeStatusAndConditions']);
    assert.equal(h.objects.combinedWrites[0]?.status, undefined);
  });

  it('on a conflict recomputes the conditions from the live object, keeping a condition set meanwhile', async () => {
    const h = harness();
    const custom: RolloutCondition = { type: 'Custom', status: 'True' };
    h.objects.live = { ...cached([custom]), metadata: { ...ds.metadata, resourceVersion: '9' } };
    h.objects.conflicts = 1;
    await h.run([writeStatus, conditions()], cached());
    assert.deepEqual(h.objects.calls, ['writeStatusAndConditions', 'getDaemonSet agent', 'writeStatusAndConditions']);
    const [write] = h.objects.combinedWrites;
    assert.equal(write?.resourceVersion, '9');
    assert.deepEqual(write?.status, status, 'the fields go again as they are');
    assert.deepEqual(write?.conditions.map((c) => c.type), ['Custom', 'Progressing']);
  });

  it('patches the status fields alone when the live conditions already say it', async () => {
    const h = harness();
    const live = nextRolloutConditions([], { observation: observation(), rolledBack: undefined, now: t0 }).conditions;
    h.objects.live = { ...cached(live), metadata: { ...ds.metadata, resourceVersion: '9' } };
    h.objects.conflicts = 1;
    await h.run([writeStatus, conditions()], cached());
    assert.deepEqual(h.objects.calls, ['writeStatusAndConditions', 'getDaemonSet agent', 'patchStatus']);
    assert.deepEqual(h.objects.statuses, [status]);
  });

  it('records the Warning RolledBack once, with the write that turns RolledBack True, and reports the rollback write', async () => {
    const h = harness();
    const start = conditions({ observation: observation({ progressed: false }), rolledBack });
    await h.run([withRollback, start], cached());
    assert.deepEqual(h.events, [`Warning RolledBack: ${rolledBack.message ?? ''}`]);
    assert.deepEqual(h.rollbackWrites, ['20'], 'the resourceVersion the write answered');

    // Planned again from a cache that missed the write: the live object has RolledBack already.
    const written = h.objects.combinedWrites[0]?.conditions ?? [];
    h.objects.live = { ...cached(written), metadata: { ...ds.metadata, resourceVersion: '21' } };
    h.objects.conflicts = 1;
    await h.run([withRollback, start], cached());
    assert.equal(h.events.length, 1, 'no second Warning');
  });

  it('records no Warning RolledBack when the write fails, and fails the sync', async () => {
    const h = harness();
    h.objects.failures.set('writeStatusAndConditions', serverError());
    await assert.rejects(
      h.run([withRollback, conditions({ rolledBack }), { kind: 'requeueAfter', afterMs: 1_000, reason: 'progressDeadline' }], cached()),
      DaemonSetSyncError,
    );
    assert.deepEqual(h.events, []);
    assert.deepEqual(h.rollbackWrites, []);
  });

  it('reports a status patch that clears a rollback, and none that does not touch it', async () => {
    const h = harness();
    await h.run([writeStatus]);
    await h.run([{ kind: 'writeStatus', status: { ...status, rollback: null } }]);
    assert.deepEqual(h.rollbackWrites, ['20']);
  });

  it('requeues at the progress deadline once the writes went through', async () => {
    const h = harness();
    const result = await h.run([conditions(), { kind: 'requeueAfter', afterMs: 601_000, reason: 'progressDeadline' }], cached());
    assert.deepEqual(result, { requeueAfterMs: 601_000 });
  });

  it('warns once per token and key', async () => {
    const h = harness();
    const warn = (once: string): DaemonSetAction => ({ kind: 'warnOnce', reason: 'RollbackRevisionNotFound', message: `gone ${once}`, once });
    await h.run([warn('uid/2/agent-s')]);
    await h.run([warn('uid/2/agent-s')]);
    await h.run([warn('uid/3/agent-s')]);
    assert.deepEqual(h.events, ['Warning RollbackRevisionNotFound: gone uid/2/agent-s', 'Warning RollbackRevisionNotFound: gone uid/3/agent-s']);
  });
});

describe('MyDaemonSet executor: paced status writes', () => {
  it('puts off counts that may wait within the interval and asks to sync when it ends; urgent writes go at once', async () => {
    const h = harness();
    const paced: DaemonSetAction = { kind: 'writeStatus', status, mayWait: true };
    await h.run([paced]);
    assert.equal(h.objects.statuses.length, 1, 'the first write of an object goes at once');
    h.clock.advance(400);
    assert.deepEqual(await h.run([paced]), { requeueAfterMs: 600 });
    assert.equal(h.objects.statuses.length, 1);
    await h.run([writeStatus]);
    assert.equal(h.objects.statuses.length, 2, 'a write that may not wait');
    h.clock.advance(1000);
    await h.run([paced]);
    assert.equal(h.objects.statuses.length, 3);
  });
});

describe('MyDaemonSet executor: slow start across the syncs of a large run', () => {
  it('starts the sync after a full burst where the burst ended; a failure still stops the run after one batch', async () => {
    const h = harness();
    await h.run(createPods(250));
    assert.deepEqual(createBatchSizes(h.objects.timeline), [1, 2, 4, 8, 16, 32, 64, 123]);
    h.objects.timeline.length = 0;
    await h.run(createPods(250));
    assert.deepEqual(createBatchSizes(h.objects.timeline), [128, 122], 'the API server took 250 pods: no climb from 1 again');
    h.objects.timeline.length = 0;
    h.objects.failures.set('createPod agent-n1-', apiError(403, 'Forbidden', 'pods "agent-n1-q" is forbidden: exceeded quota: q'));
    await assert.rejects(h.run(createPods(250)), /exceeded quota/);
    assert.deepEqual(createBatchSizes(h.objects.timeline), [128], 'one batch of calls, then the run stops (CreateRamp starts the next at 1)');
  });
});
