import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { WorkloadCondition } from '../../src/api/meta.ts';
import { StatefulSetSyncError } from '../../src/controllers/statefulset/execute.ts';
import type { PodUnit, StatefulSetAction, StatefulSetStatusFields } from '../../src/controllers/statefulset/plan.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import { newStatefulSetRevision } from '../../src/controllers/statefulset/revisions.ts';
import { apiError } from '../support/fake-lease-api.ts';
import type { FakeObjects } from './statefulset-execute-harness.ts';
import { eventLines, harness } from './statefulset-execute-harness.ts';
import { makePod, makePvc, makeSet, nameOf, now, revisionOf, snapshot, steady, summarize, withPods } from './statefulset-fixtures.ts';

describe('MyStatefulSet executor: revisions', () => {
  const fresh = makeSet({ claims: ['www'] });
  const rev = revisionOf(fresh, 1);

  it('creates the revision, the claim, then the pod, and records upstream-worded Events', async () => {
    const h = harness();
    const result = await h.run(snapshot(fresh, [], []));
    assert.deepEqual(h.objects.calls, [`createRevision ${nameOf(rev)}`, 'createClaim www-web-0', 'createPod web-0', 'writeConditions', 'patchStatus']);
    assert.deepEqual(eventLines(h.events), [
      'Normal SuccessfulCreate: Create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'Normal SuccessfulCreate: Create Pod web-0 in StatefulSet web successful',
    ]);
    assert.deepEqual(result, { requeueAfterMs: undefined });
  });

  it('uses a revision that already exists with the same data', async () => {
    const h = harness();
    h.objects.failures.set(`createRevision ${nameOf(rev)}`, apiError(409, 'AlreadyExists'));
    h.objects.revisions.set(nameOf(rev), rev);
    await h.run(snapshot(fresh, [], []));
    assert.deepEqual(h.objects.calls.slice(0, 3), [`createRevision ${nameOf(rev)}`, `getRevision ${nameOf(rev)}`, 'createClaim www-web-0']);
  });

  it('plans again with collisionCount + 1 when the name holds other data, and records the count', async () => {
    const h = harness();
    const other = makeSet({ image: 'other:1' });
    h.objects.failures.set(`createRevision ${nameOf(rev)}`, apiError(409, 'AlreadyExists'));
    h.objects.revisions.set(nameOf(rev), { ...revisionOf(other, 1), metadata: { ...rev.metadata } });
    const bumped = newStatefulSetRevision(fresh, 1, 1);
    await h.run(snapshot(fresh, [], []));
    assert.deepEqual(h.objects.calls.slice(0, 4), [
      `createRevision ${nameOf(rev)}`,
      `getRevision ${nameOf(rev)}`,
      `createRevision ${nameOf(bumped)}`,
      'createClaim www-web-0',
    ]);
    assert.equal(h.objects.statuses[0]?.collisionCount, 1);
    assert.equal(h.objects.statuses[0]?.updateRevision, nameOf(bumped));
  });

  it('ends the sync at a failed revision write: no pod work, no status', async () => {
    const h = harness();
    h.objects.failures.set(`createRevision ${nameOf(rev)}`, apiError(500, 'InternalError'));
    await assert.rejects(h.run(snapshot(fresh, [], [])), StatefulSetSyncError);
    assert.deepEqual(h.objects.calls, [`createRevision ${nameOf(rev)}`]);
  });
});

describe('MyStatefulSet executor: pod and claim units', () => {
  const fresh = makeSet({ claims: ['www'] });
  const rev = revisionOf(fresh, 1);
  const r = nameOf(rev);

  it('does not create the pod when its claim fails, and still writes status', async () => {
    const h = harness();
    h.objects.failures.set('createClaim www-web-1', apiError(403, 'Forbidden'));
    const snap = snapshot(fresh, [makePod(fresh, 0, r)], [rev], [makePvc('www-web-0')]);
    await assert.rejects(h.run(snap), /failed to create PVC www-web-1/);
    assert.deepEqual(h.objects.calls, ['createClaim www-web-1', 'writeConditions', 'patchStatus']);
    assert.deepEqual(
      h.events.map((e) => `${e.type} ${e.reason}`),
      ['Warning FailedCreate', 'Warning FailedCreate'],
    );
    assert.match(h.events[0]?.message ?? '', /^Create Claim www-web-1 for Pod web-1 in StatefulSet web failed error: Forbidden$/);
    assert.match(h.events[1]?.message ?? '', /^Create Pod web-1 in StatefulSet web failed error: failed to create PVC www-web-1: Forbidden$/);
  });

  it('records no claim Event when the claim already exists (a stale cache), but fails the unit', async () => {
    const h = harness();
    h.objects.failures.set('createClaim www-web-1', apiError(409, 'AlreadyExists'));
    const snap = snapshot(fresh, [makePod(fresh, 0, r)], [rev], [makePvc('www-web-0')]);
    await assert.rejects(h.run(snap), StatefulSetSyncError);
    assert.deepEqual(h.objects.calls, ['createClaim www-web-1', 'writeConditions', 'patchStatus']);
    assert.deepEqual(eventLines(h.events), [
      'Warning FailedCreate: Create Pod web-1 in StatefulSet web failed error: failed to create PVC www-web-1: AlreadyExists',
    ]);
  });

  it('records no Event for a pod that already exists, and fails the sync so it runs again', async () => {
    const h = harness();
    h.objects.failures.set('createPod web-1', apiError(409, 'AlreadyExists'));
    const snap = snapshot(fresh, [makePod(fresh, 0, r)], [rev], [makePvc('www-web-0')]);
    await assert.rejects(h.run(snap), /create pod web-1/);
    assert.deepEqual(eventLines(h.events), ['Normal SuccessfulCreate: Create Claim www-web-1 Pod web-1 in StatefulSet web success']);
  });

  it('creates Parallel pods in slow-start batches and stops after a batch with a failure', async () => {
    const parallel = makeSet({ podManagementPolicy: 'Parallel', replicas: 5 });
    const prev = revisionOf(parallel, 1);
    const h = harness();
    h.objects.failures.set('createPod web-1', apiError(500, 'InternalError'));
    await assert.rejects(h.run(snapshot(parallel, [], [prev])));
    // Batches: [web-0], [web-1, web-2], [web-3, web-4]: the second fails, web-2 still ran. The
    // refusal's Warning comes once the pod work is over (settleCreates), with the condition.
    assert.deepEqual(h.objects.calls, ['createPod web-0', 'createPod web-1', 'createPod web-2', 'writeConditions', 'patchStatus']);
    assert.deepEqual(
      h.events.map((e) => `${e.reason} ${e.message.split(' ')[2] ?? ''}`),
      ['SuccessfulCreate web-0', 'SuccessfulCreate web-2', 'FailedCreate web-1'],
    );
  });

  it('runs the units of a Parallel batch concurrently, and batches one after the other', async () => {
    const parallel = makeSet({ podManagementPolicy: 'Parallel', replicas: 3 });
    const h = harness();
    await h.run(snapshot(parallel, [], [revisionOf(parallel, 1)]));
    assert.deepEqual(h.objects.timeline.slice(0, 6), [
      'start createPod web-0',
      'end createPod web-0',
      'start createPod web-1',
      'start createPod web-2',
      'end createPod web-1',
      'end createPod web-2',
    ]);
  });

  it('counts a NotFound delete as done and records SuccessfulDelete', async () => {
    const { set, rev: srev, pods } = steady({ replicas: 3 });
    const failed = makePod(set, 1, nameOf(srev), { state: 'failed' });
    const h = harness();
    h.objects.failures.set('deletePod web-1', apiError(404, 'NotFound'));
    await h.run(snapshot(set, withPods(pods, failed), [srev]));
    assert.deepEqual(eventLines(h.events), ['Normal SuccessfulDelete: Delete Pod web-1 in StatefulSet web successful']);
  });

  it('adds a failed update deletion back to currentReplicas in the status it writes', async () => {
    const { set: old, rev: rev1, pods } = steady({ replicas: 3 });
    const set = makeSet({ replicas: 3, image: 'nginx:2', status: old.status });
    const rev2 = revisionOf(set, 2);
    const snap = snapshot(set, pods, [rev1, rev2]);
    const actions = plan(snap, now);
    assert.ok(summarize(actions).includes('deletePod web-2 (update)'));
    const h = harness();
    h.objects.failures.set('deletePod web-2', apiError(500, 'InternalError'));
    await assert.rejects(h.run(snap, actions));
    assert.equal(h.objects.statuses[0]?.currentReplicas, 3);
    assert.deepEqual(eventLines(h.events), [
      'Warning FailedDelete: Delete Pod web-2 in StatefulSet web failed error: InternalError',
    ]);

    const ok = harness();
    await ok.run(snap, actions);
    assert.equal(ok.objects.statuses[0]?.currentReplicas, 2);
  });

  it('runs update deletions one after the other even under Parallel, stopping at the first failure', async () => {
    const options = { replicas: 3, podManagementPolicy: 'Parallel', updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } } as const;
    const { set: old, rev: rev1, pods } = steady(options);
    const set = makeSet({ ...options, image: 'nginx:2', generation: 2, status: old.status });
    const snap = snapshot(set, pods, [rev1, revisionOf(set, 2)]);
    const actions = plan(snap, now);
    assert.deepEqual(
      summarize(actions).filter((line) => line.startsWith('deletePod')),
      ['deletePod web-2 (update)', 'deletePod web-1 (update)'],
    );
    const h = harness();
    h.objects.failures.set('deletePod web-2', apiError(500, 'InternalError'));
    await assert.rejects(h.run(snap, actions));
    assert.deepEqual(h.objects.calls, ['deletePod web-2', 'writeConditions', 'patchStatus']);
    assert.equal(h.objects.statuses[0]?.currentReplicas, 3);
  });

  it('stops pod work at a syncError but still writes status and truncates history', async () => {
    const { set, rev: srev } = steady({ replicas: 2 });
    const old = revisionOf(makeSet({ image: 'old:1' }), 0);
    const status: StatefulSetStatusFields = {
      observedGeneration: 2,
      replicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      currentRevision: nameOf(srev),
      updateRevision: nameOf(srev),
      collisionCount: 0,
      selector: 'app=web',
    };
    const pod = makePod(set, 0, nameOf(srev), { state: 'failed' });
    const actions: StatefulSetAction[] = [
      { kind: 'syncError', message: 'boom' },
      {
        kind: 'podStep',
        step: 'replicas',
        batches: [[{ index: 0, operations: [{ operation: 'delete', podName: 'web-0', actions: [{ kind: 'deletePod', pod, reason: 'terminal' }] }] }]],
      },
      { kind: 'writeStatus', status, currentReplicasAfterUpdateDeletions: [0], eventsAfterWrite: [] },
      { kind: 'deleteRevision', revision: old },
      { kind: 'requeueAfter', afterMs: 1000, reason: 'minReadySeconds' },
    ];
    const h = harness();
    h.objects.failures.set(`deleteRevision ${nameOf(old)}`, apiError(404, 'NotFound'));
    await assert.rejects(h.run(snapshot(set, [], [srev]), actions), /boom/);
    assert.deepEqual(h.objects.calls, ['patchStatus', `deleteRevision ${nameOf(old)}`]);
  });

  it('returns the requested requeue when nothing failed', async () => {
    const { set, rev: srev } = steady({ replicas: 1 });
    const h = harness();
    const result = await h.run(snapshot(set, [], [srev]), [{ kind: 'requeueAfter', afterMs: 2500, reason: 'minReadySeconds' }]);
    assert.deepEqual(result, { requeueAfterMs: 2500 });
  });
});

describe('MyStatefulSet executor: runs the planned batches as given', () => {
  const { set, rev, pods } = steady({ replicas: 4 });
  const terminalDeletion = (index: number): PodUnit => {
    const pod = pods[index];
    assert.ok(pod);
    return { index, operations: [{ operation: 'delete', podName: nameOf(pod), actions: [{ kind: 'deletePod', pod, reason: 'terminal' }] }] };
  };
  const podStep = (batches: readonly (readonly PodUnit[])[]): StatefulSetAction => ({ kind: 'podStep', step: 'replicas', batches });

  it('runs the units of a batch at once, batch after batch, and none after a batch with a failed unit', async () => {
    const h = harness();
    h.objects.failures.set('deletePod web-1', apiError(500, 'InternalError'));
    const actions = [podStep([[terminalDeletion(0)], [terminalDeletion(1), terminalDeletion(2)], [terminalDeletion(3)]])];
    await assert.rejects(h.run(snapshot(set, pods, [rev]), actions), /delete pod web-1: InternalError/);
    assert.deepEqual(h.objects.timeline, [
      'start deletePod web-0',
      'end deletePod web-0',
      'start deletePod web-1',
      'start deletePod web-2',
      'end deletePod web-1',
      'end deletePod web-2',
    ]);
    assert.deepEqual(eventLines(h.events), [
      'Normal SuccessfulDelete: Delete Pod web-0 in StatefulSet web successful',
      'Warning FailedDelete: Delete Pod web-1 in StatefulSet web failed error: InternalError',
      'Normal SuccessfulDelete: Delete Pod web-2 in StatefulSet web successful',
    ]);
  });

  it('skips later steps after a failed one', async () => {
    const h = harness();
    h.objects.failures.set('deletePod web-0', apiError(500, 'InternalError'));
    const later: StatefulSetAction = { kind: 'podStep', step: 'condemned', batches: [[terminalDeletion(3)]] };
    await assert.rejects(h.run(snapshot(set, pods, [rev]), [podStep([[terminalDeletion(0)]]), later]));
    assert.deepEqual(h.objects.calls, ['deletePod web-0']);
  });

  it('OrderedReady: stops at the first failed unit, leaving the next replica alone', async () => {
    const relabelled = (pod: Pod): Pod => ({
      ...pod,
      metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, 'statefulset.kubernetes.io/pod-name': 'x' } },
    });
    const broken = withPods(pods, ...pods.slice(0, 2).map(relabelled));
    const snap = snapshot(set, broken, [rev]);
    const step = plan(snap, now).find((a) => a.kind === 'podStep');
    assert.deepEqual(step?.kind === 'podStep' ? step.batches.map((b) => b.map((u) => u.index)) : [], [[0], [1]]);
    const h = harness();
    h.objects.failures.set('getPod web-0', apiError(500, 'InternalError'));
    for (const pod of broken) h.objects.livePods.set(nameOf(pod), pod);
    await assert.rejects(h.run(snap), /update pod web-0: InternalError/);
    assert.deepEqual(h.objects.calls, ['getPod web-0']);
    assert.deepEqual(eventLines(h.events), ['Warning FailedUpdate: Update Pod web-0 in StatefulSet web failed error: InternalError']);
  });

  it('stops a unit at its first failed call: no repair after its claims failed', async () => {
    const parallel = makeSet({ claims: ['www'], podManagementPolicy: 'Parallel', replicas: 1 });
    const prev = revisionOf(parallel, 1);
    const pending = makePod(parallel, 0, nameOf(prev), { state: 'pending' });
    const relabelled = { ...pending, metadata: { ...pending.metadata, labels: { ...pending.metadata.labels, 'statefulset.kubernetes.io/pod-name': 'x' } } };
    const h = harness();
    h.objects.failures.set('createClaim www-web-0', apiError(500, 'InternalError'));
    await assert.rejects(h.run(snapshot(parallel, [relabelled], [prev])), /failed to create PVC www-web-0/);
    assert.deepEqual(h.objects.calls, ['createClaim www-web-0', 'writeConditions', 'patchStatus']);
  });

  it('writes currentReplicas for the update deletions that went through: the first of two did', async () => {
    const options = { replicas: 3, podManagementPolicy: 'Parallel', updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } } as const;
    const { set: old, rev: rev1, pods: current } = steady(options);
    const updated = makeSet({ ...options, image: 'nginx:2', generation: 2, status: old.status });
    const snap = snapshot(updated, current, [rev1, revisionOf(updated, 2)]);

    const secondFails = harness();
    secondFails.objects.failures.set('deletePod web-1', apiError(500, 'InternalError'));
    await assert.rejects(secondFails.run(snap));
    assert.deepEqual(secondFails.objects.calls, ['deletePod web-2', 'deletePod web-1', 'writeConditions', 'patchStatus']);
    assert.equal(secondFails.objects.statuses[0]?.currentReplicas, 2);

    // NotFound: the pod is gone, which is what the deletion was for.
    const gone = harness();
    gone.objects.failures.set('deletePod web-1', apiError(404, 'NotFound'));
    await gone.run(snap);
    assert.equal(gone.objects.statuses[0]?.currentReplicas, 1);
  });

  it('writes the planned currentReplicas when an earlier step failed before any update deletion', async () => {
    const { set: old, rev: rev1, pods: current } = steady({ replicas: 3 });
    const updated = makeSet({ replicas: 3, image: 'nginx:2', status: old.status });
    const h = harness();
    const actions = plan(snapshot(updated, current, [rev1, revisionOf(updated, 2)]), now);
    const write = actions.find((a) => a.kind === 'writeStatus');
    assert.ok(write?.kind === 'writeStatus');
    assert.deepEqual(write.currentReplicasAfterUpdateDeletions, [3, 2]);
    await assert.rejects(h.run(snapshot(updated, current, [rev1]), [{ kind: 'syncError', message: 'boom' }, ...actions]), /boom/);
    assert.equal(h.objects.statuses[0]?.currentReplicas, 3);
  });
});

describe('MyStatefulSet executor: pod repair retries on conflict (upstream UpdateStatefulPod)', () => {
  const podNameLabel = 'statefulset.kubernetes.io/pod-name';
  const { set, rev, pods } = steady({ replicas: 2 });
  /** web-1 with its pod-name label changed by someone: the sync plans a repair (updatePod). */
  const broken = (pod: Pod, extra: Readonly<Record<string, string>> = {}, resourceVersion = '100'): Pod => ({
    ...pod,
    metadata: { ...pod.metadata, resourceVersion, labels: { ...pod.metadata.labels, [podNameLabel]: 'web-9', ...extra } },
  });
  const web1 = pods[1];
  assert.ok(web1);
  const snap = snapshot(set, withPods(pods, broken(web1)), [rev]);
  const conflict = (): Error => apiError(409, 'Conflict');

  it('plans the repair as one updatePod', () => {
    assert.deepEqual(summarize(plan(snap, now)), ['updatePod web-1']);
  });

  it('reads the pod, repairs that copy and PUTs it with the resourceVersion read, keeping a field another client set', async () => {
    const h = harness();
    // Since the cache saw it (resourceVersion 100), another client set a label and an annotation.
    const live = broken(web1, { team: 'b' }, '105');
    h.objects.livePods.set('web-1', { ...live, metadata: { ...live.metadata, annotations: { 'example.com/owner': 'someone' } } });
    await h.run(snap);
    assert.deepEqual(h.objects.calls, ['getPod web-1', 'updatePod web-1']);
    assert.equal(h.objects.updatedPods.length, 1);
    const put = h.objects.updatedPods[0];
    assert.equal(put?.metadata.resourceVersion, '105');
    assert.equal(put?.metadata.labels?.team, 'b');
    assert.equal(put?.metadata.annotations?.['example.com/owner'], 'someone');
    assert.equal(put?.metadata.labels?.[podNameLabel], 'web-1');
    assert.deepEqual(eventLines(h.events), ['Normal SuccessfulUpdate: Update Pod web-1 in StatefulSet web successful']);
  });

  it('re-reads the pod after a conflict and repairs the fresh copy, keeping what the other writer changed', async () => {
    const h = harness();
    h.objects.failOnce.set('updatePod web-1', [conflict()]);
    h.objects.livePods.set('web-1', broken(web1, { team: 'a' }, '101'));
    await h.run(snap);
    assert.deepEqual(h.objects.calls, ['getPod web-1', 'updatePod web-1', 'getPod web-1', 'updatePod web-1']);
    const second = h.objects.updatedPods[1];
    assert.equal(second?.metadata.resourceVersion, '101');
    assert.equal(second?.metadata.labels?.team, 'a');
    assert.equal(second?.metadata.labels?.[podNameLabel], 'web-1');
    assert.deepEqual(eventLines(h.events), ['Normal SuccessfulUpdate: Update Pod web-1 in StatefulSet web successful']);
  });

  it('PUTs each attempt with the resourceVersion of the read just before it', async () => {
    const h = harness();
    h.objects.failOnce.set('updatePod web-1', [conflict(), conflict()]);
    h.objects.liveOnce.set('web-1', [broken(web1, {}, '101'), broken(web1, { team: 'c' }, '102')]);
    h.objects.livePods.set('web-1', broken(web1, { team: 'd' }, '103'));
    await h.run(snap);
    assert.deepEqual(
      h.objects.updatedPods.map((p) => `${p.metadata.resourceVersion ?? ''} ${p.metadata.labels?.team ?? '-'} ${p.metadata.labels?.[podNameLabel] ?? ''}`),
      ['101 - web-1', '102 c web-1', '103 d web-1'],
    );
  });

  it('goes through on the last of 4 attempts', async () => {
    const h = harness();
    h.objects.failOnce.set('updatePod web-1', [conflict(), conflict(), conflict()]);
    h.objects.livePods.set('web-1', broken(web1, {}, '101'));
    await h.run(snap);
    assert.equal(h.objects.calls.filter((c) => c === 'updatePod web-1').length, 4);
    assert.deepEqual(eventLines(h.events), ['Normal SuccessfulUpdate: Update Pod web-1 in StatefulSet web successful']);
  });

  it('writes nothing more when the fresh copy needs no repair any more', async () => {
    const h = harness();
    h.objects.failOnce.set('updatePod web-1', [conflict()]);
    h.objects.livePods.set('web-1', { ...web1, metadata: { ...web1.metadata, resourceVersion: '101' } });
    await h.run(snap);
    // The first PUT is the plan's (upstream's first UpdatePod, decided from its cache); after the
    // conflict the fresh copy is looked at again.
    assert.deepEqual(h.objects.calls, ['getPod web-1', 'updatePod web-1', 'getPod web-1']);
    assert.deepEqual(eventLines(h.events), ['Normal SuccessfulUpdate: Update Pod web-1 in StatefulSet web successful']);
  });

  it('gives up after 4 conflicting writes with FailedUpdate, as retry.DefaultBackoff does', async () => {
    const h = harness();
    h.objects.failures.set('updatePod web-1', conflict());
    h.objects.livePods.set('web-1', broken(web1, {}, '101'));
    await assert.rejects(h.run(snap), /update pod web-1: Conflict/);
    assert.deepEqual(h.objects.calls, [
      'getPod web-1',
      'updatePod web-1',
      'getPod web-1',
      'updatePod web-1',
      'getPod web-1',
      'updatePod web-1',
      'getPod web-1',
      'updatePod web-1',
    ]);
    assert.deepEqual(eventLines(h.events), ['Warning FailedUpdate: Update Pod web-1 in StatefulSet web failed error: Conflict']);
  });

  it('does not repair a pod of the same name with another UID: the unit fails', async () => {
    const h = harness();
    const newer = broken(web1, {}, '101');
    h.objects.livePods.set('web-1', { ...newer, metadata: { ...newer.metadata, uid: 'uid-newer' } });
    await assert.rejects(h.run(snap), /pod web-1 is another pod now \(uid uid-newer, planned for uid-pod-1\)/);
    assert.deepEqual(h.objects.calls, ['getPod web-1']);
    assert.deepEqual(eventLines(h.events), [
      'Warning FailedUpdate: Update Pod web-1 in StatefulSet web failed error: pod web-1 is another pod now (uid uid-newer, planned for uid-pod-1)',
    ]);
  });

  it('fails with the read error when the pod is gone, and does not retry other errors', async () => {
    const gone = harness();
    await assert.rejects(gone.run(snap), /NotFound/);
    assert.deepEqual(gone.objects.calls, ['getPod web-1']);
    assert.deepEqual(eventLines(gone.events), ['Warning FailedUpdate: Update Pod web-1 in StatefulSet web failed error: NotFound']);

    const invalid = harness();
    invalid.objects.livePods.set('web-1', broken(web1, {}, '101'));
    invalid.objects.failOnce.set('updatePod web-1', [apiError(422, 'Invalid')]);
    await assert.rejects(invalid.run(snap), /Invalid/);
    assert.deepEqual(invalid.objects.calls, ['getPod web-1', 'updatePod web-1']);
  });
});

describe('MyStatefulSet executor: kubernetes#67250 replacement', () => {
  it('records Warning AbandonedRevision, then the deletion and its SuccessfulDelete', async () => {
    const base = makeSet({ image: 'nginx:1' });
    const rev1 = revisionOf(base, 1);
    const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
    const set = makeSet({ image: 'nginx:1', status: { observedGeneration: 1, currentRevision: nameOf(rev1), updateRevision: nameOf(rev2) } });
    const pods = [makePod(set, 0, nameOf(rev1)), makePod(set, 1, nameOf(rev1)), makePod(set, 2, nameOf(rev2), { state: 'running' })];
    const h = harness();
    await h.run(snapshot(set, pods, [rev1, rev2]));
    assert.deepEqual(h.objects.calls, [`renumberRevision ${nameOf(rev1)} #3`, 'deletePod web-2', 'writeConditions', 'patchStatus']);
    assert.deepEqual(
      h.events.map((e) => `${e.type} ${e.reason}`),
      ['Warning AbandonedRevision', 'Normal SuccessfulDelete'],
    );
    assert.match(h.events[0]?.message ?? '', new RegExp(`^Pod web-2 at revision ${nameOf(rev2)}, `));
  });
});

describe('MyStatefulSet executor: refused creates (ReplicaFailure, one Warning per cause, create backoff)', () => {
  // Its status observes the generation: the snapshot never changes, so a fresh status would make
  // every sync a new generation seen (progress) and move Progressing's lastUpdateTime each time.
  const set = makeSet({ replicas: 1, status: { observedGeneration: 1 } });
  const rev = revisionOf(set, 1);
  const quota = (name: string): Error =>
    apiError(403, 'Forbidden', `pods "${name}" is forbidden: exceeded quota: nopods, requested: pods=1, used: pods=0, limited: pods=0`);
  const replicaFailure = (objects: FakeObjects): WorkloadCondition | undefined => objects.conditions?.find((c) => c.type === 'ReplicaFailure');

  it('sets ReplicaFailure with the API server message, records one Warning, and holds creates back 1 s, 2 s … until one goes through', async () => {
    const h = harness();
    const snap = snapshot(set, [], [rev]);
    h.objects.failures.set('createPod web-0', quota('web-0'));

    await assert.rejects(h.run(snap), /exceeded quota/);
    const condition = replicaFailure(h.objects);
    assert.equal(condition?.status, 'True');
    assert.equal(condition?.reason, 'FailedCreate');
    assert.match(condition?.message ?? '', /^pods "web-0" is forbidden: exceeded quota: nopods/);
    assert.deepEqual(eventLines(h.events), [`Warning FailedCreate: Create Pod web-0 in StatefulSet web failed error: ${condition?.message ?? ''}`]);

    // At once (the work queue's retry): no create, no Event, requeued for when the wait is over.
    h.objects.calls.splice(0);
    assert.deepEqual(await h.run(snap), { requeueAfterMs: 1_000 });
    assert.deepEqual(h.objects.calls, ['patchStatus']);

    // After 1 s: tried again, refused for the same cause: no second Warning; the next wait is 2 s.
    h.clock.advance(1_000);
    h.objects.calls.splice(0);
    await assert.rejects(h.run(snap), /exceeded quota/);
    assert.deepEqual(h.objects.calls, ['createPod web-0', 'patchStatus']);
    assert.equal(h.events.length, 1);
    assert.equal(replicaFailure(h.objects)?.lastTransitionTime, condition?.lastTransitionTime);
    h.clock.advance(1_999);
    assert.deepEqual(await h.run(snap), { requeueAfterMs: 1 });

    // The quota is lifted: the create goes through and the condition is removed.
    h.clock.advance(1);
    h.objects.failures.delete('createPod web-0');
    h.objects.calls.splice(0);
    assert.deepEqual(await h.run(snap), { requeueAfterMs: undefined });
    assert.deepEqual(h.objects.calls, ['createPod web-0', 'writeConditions', 'patchStatus']);
    assert.equal(replicaFailure(h.objects), undefined);
  });

  it('records a new Warning and replaces the message when the cause changes, keeping other conditions', async () => {
    const h = harness();
    const snap = snapshot(set, [], [rev]);
    h.objects.conditions = [{ type: 'Example', status: 'True', reason: 'SetByAnotherClient' }];
    h.objects.failures.set('createPod web-0', quota('web-0'));
    await assert.rejects(h.run(snap));
    h.clock.advance(1_000);
    h.objects.failures.set('createPod web-0', apiError(403, 'Forbidden', 'pods "web-0" is forbidden: maximum cpu usage per Container is 1, but limit is 2'));
    await assert.rejects(h.run(snap));
    assert.equal(h.events.length, 2);
    assert.match(h.events[1]?.message ?? '', /maximum cpu usage per Container/);
    assert.deepEqual(
      h.objects.conditions?.map((c) => `${c.type} ${c.reason ?? ''}`),
      ['Example SetByAnotherClient', 'ReplicaFailure FailedCreate', 'Progressing RolloutProgressing'],
    );
    assert.match(replicaFailure(h.objects)?.message ?? '', /maximum cpu usage/);
  });

  it('treats a refused claim like a refused pod: the claim and pod Warnings once, creates held back', async () => {
    const withClaims = makeSet({ replicas: 1, claims: ['www'] });
    const claimRev = revisionOf(withClaims, 1);
    const h = harness();
    const snap = snapshot(withClaims, [], [claimRev]);
    h.objects.failures.set(
      'createClaim www-web-0',
      apiError(403, 'Forbidden', 'persistentvolumeclaims "www-web-0" is forbidden: exceeded quota: noclaims, requested: requests.storage=1Gi'),
    );
    await assert.rejects(h.run(snap));
    assert.deepEqual(
      h.events.map((e) => `${e.reason} ${e.message.split(' ').slice(0, 3).join(' ')}`),
      ['FailedCreate Create Claim www-web-0', 'FailedCreate Create Pod web-0'],
    );
    assert.match(replicaFailure(h.objects)?.message ?? '', /^persistentvolumeclaims "www-web-0" is forbidden/);
    h.objects.calls.splice(0);
    assert.deepEqual(await h.run(snap), { requeueAfterMs: 1_000 });
    assert.deepEqual(h.objects.calls, ['patchStatus']);
  });
});
