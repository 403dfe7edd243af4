// The MyStatefulSet executor's side of rollout control: the conditions write (Progressing,
// RolledBack) folded into the sync's one conditional write, the Warning RolledBack after the
// status write, the one-off RollbackRevisionNotFound, the stale rollback cleared on the wire.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { AutomaticRollback, MyStatefulSet, RolloutCondition } from '../../src/api/workloads.ts';
import { realObjectManager } from '../../src/controllers/statefulset/object-manager.ts';
import { OnceNotices } from '../../src/controllers/shared/once-notices.ts';
import { apiError } from '../support/fake-lease-api.ts';
import type { RecordingApiServer } from '../support/recording-api-server.ts';
import { startRecordingApiServer } from '../support/recording-api-server.ts';
import { eventLines, harness } from './statefulset-execute-harness.ts';
import type { SetOptions } from './statefulset-fixtures.ts';
import { makePod, makeSet, nameOf, revisionOf, secondsBefore, snapshot } from './statefulset-fixtures.ts';

const rev1 = revisionOf(makeSet({ image: 'nginx:1' }), 1);
const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
const r1 = nameOf(rev1);
const r2 = nameOf(rev2);
const rolledBackMessage = `rolled back from revision 2 (${r2}) to revision 1 (${r1}): no progress for 600 s`;
const rollback: AutomaticRollback = { generation: 1, revision: r1, revisionNumber: 1, failedRevision: r2, failedRevisionNumber: 2 };

function progressing(secondsAgo: number): RolloutCondition {
  return {
    type: 'Progressing',
    status: 'True',
    lastUpdateTime: secondsBefore(secondsAgo),
    lastTransitionTime: secondsBefore(secondsAgo),
    reason: 'RolloutProgressing',
    message: `MyStatefulSet "web" is progressing: rolling out revision ${r2}`,
  };
}

/** nginx:2 (r2) stuck at web-2 over r1, the stable revision; autoRollback with a 600 s deadline. */
function failing(options: SetOptions = {}): MyStatefulSet {
  return makeSet({
    image: 'nginx:2',
    progressDeadlineSeconds: 600,
    autoRollback: true,
    ...options,
    status: {
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 2,
      availableReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 1,
      currentRevision: r1,
      updateRevision: r2,
      collisionCount: 0,
      selector: 'app=web',
      stableRevision: r1,
      ...options.status,
    },
  });
}

const stuckPods = (set: MyStatefulSet): Pod[] => [
  makePod(set, 0, r1),
  makePod(set, 1, r1),
  makePod(set, 2, r2, { state: 'running' }),
];

const conditionLines = (conditions: readonly RolloutCondition[] | undefined): string[] =>
  (conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`);

describe('MyStatefulSet executor: rollout control', () => {
  it('starts a rollback: conditions, then the status with the rollback, then one Warning RolledBack', async () => {
    const set = failing({ status: { conditions: [progressing(601)] } });
    const h = harness();
    // The API server holds a condition another client set since the cache saw the set.
    h.objects.conditions = [{ type: 'Example', status: 'True', reason: 'SetByAnotherClient' }, progressing(601)];
    let eventsAtStatusWrite = -1;
    h.objects.onStart = (call) => {
      if (call === 'patchStatus') eventsAtStatusWrite = h.events.length;
    };
    await h.run(snapshot(set, stuckPods(set), [rev1, rev2]));
    assert.deepEqual(h.objects.calls, ['writeConditions', 'patchStatus']);
    assert.deepEqual(h.objects.statuses[0]?.rollback, rollback);
    assert.deepEqual(conditionLines(h.objects.conditions), [
      'Example=True/SetByAnotherClient',
      'Progressing=False/ProgressDeadlineExceeded',
      'RolledBack=True/ProgressDeadlineExceeded',
    ]);
    assert.equal(eventsAtStatusWrite, 0, 'no Event before the status write');
    assert.deepEqual(eventLines(h.events), [`Warning RolledBack: ${rolledBackMessage}`]);
  });

  it('records no Warning when the status write fails; the next sync starts the rollback again and records it once', async () => {
    const set = failing({ status: { conditions: [progressing(601)] } });
    const h = harness();
    h.objects.conditions = set.status?.conditions;
    h.objects.failures.set('patchStatus', apiError(500, 'InternalError'));
    await assert.rejects(h.run(snapshot(set, stuckPods(set), [rev1, rev2])), /writing status/);
    assert.deepEqual(h.objects.calls, ['writeConditions', 'patchStatus']);
    assert.deepEqual(h.events, []);

    // The informer shows the conditions written; status.rollback is still missing.
    h.objects.failures.delete('patchStatus');
    h.objects.calls.splice(0);
    const after = failing({ status: { conditions: h.objects.conditions ?? [] } });
    await h.run(snapshot(after, stuckPods(after), [rev1, rev2]));
    assert.deepEqual(h.objects.calls, ['patchStatus']);
    assert.deepEqual(h.objects.statuses.at(-1)?.rollback, rollback);
    assert.deepEqual(eventLines(h.events), [`Warning RolledBack: ${rolledBackMessage}`]);
  });

  it('writes Progressing together with ReplicaFailure in one conditional write', async () => {
    const set = makeSet({ replicas: 1, progressDeadlineSeconds: 600, status: { observedGeneration: 1 } });
    const h = harness();
    h.objects.failures.set('createPod web-0', apiError(403, 'Forbidden', 'pods "web-0" is forbidden: exceeded quota'));
    await assert.rejects(h.run(snapshot(set, [], [revisionOf(set, 1)])));
    assert.deepEqual(h.objects.calls, ['createPod web-0', 'writeConditions', 'patchStatus']);
    assert.deepEqual(conditionLines(h.objects.conditions), ['ReplicaFailure=True/FailedCreate', 'Progressing=True/RolloutProgressing']);
  });

  it('returns the progress deadline requeue of a rollout still within it', async () => {
    const set = failing({ status: { conditions: [progressing(100)] } });
    const h = harness();
    assert.deepEqual(await h.run(snapshot(set, stuckPods(set), [rev1, rev2])), { requeueAfterMs: 501_000 });
    assert.deepEqual(h.objects.calls, []);
  });

  it('records RollbackRevisionNotFound once for a rollback whose revision is gone, not on every sync', async () => {
    const gone = { ...rollback, revision: 'web-gone' };
    const set = failing({ status: { rollback: gone, conditions: [progressing(10)] } });
    const h = harness();
    for (let i = 0; i < 3; i++) await h.run(snapshot(set, stuckPods(set), [rev1, rev2]));
    assert.deepEqual(eventLines(h.events), [
      "Warning RollbackRevisionNotFound: cannot roll back to revision 1 (web-gone): no such ControllerRevision; running the spec's template until the next change of the spec",
    ]);
  });

  it('clears a stale rollback: rollback null in the status patch, RolledBack removed', async () => {
    const set = failing({
      generation: 2,
      status: { rollback, conditions: [progressing(10), { type: 'RolledBack', status: 'True', reason: 'ProgressDeadlineExceeded' }] },
    });
    const h = harness();
    h.objects.conditions = set.status?.conditions;
    await h.run(snapshot(set, stuckPods(set), [rev1, rev2]));
    assert.equal(h.objects.statuses[0]?.rollback, null);
    assert.deepEqual(conditionLines(h.objects.conditions), ['Progressing=True/RolloutProgressing']);
    assert.deepEqual(h.events, []);
  });
});

describe('OnceNotices', () => {
  it('says first once per notice and key, again for a newer notice or after forget', () => {
    const notices = new OnceNotices();
    assert.equal(notices.firstReport('ns/web', 'a'), true);
    assert.equal(notices.firstReport('ns/web', 'a'), false);
    assert.equal(notices.firstReport('ns/db', 'a'), true);
    assert.equal(notices.firstReport('ns/web', 'b'), true);
    notices.forget('ns/web');
    assert.equal(notices.firstReport('ns/web', 'b'), true);
  });
});

describe('MyStatefulSet object manager: rollout-control status on the wire', () => {
  let server: RecordingApiServer;
  before(async () => {
    server = await startRecordingApiServer(() => ({ status: 200, body: { metadata: { name: 'web', resourceVersion: '9' } } }));
  });
  after(() => server.close());

  it('sends rollback: null in the merge patch, and leaves out what it does not change', async () => {
    const objects = realObjectManager(server.client, () => undefined, new AbortController().signal);
    const counts = {
      observedGeneration: 2,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: r2,
      updateRevision: r2,
      collisionCount: 0,
      selector: 'app=web',
    };
    await objects.patchStatus(makeSet(), { ...counts, rollback: null });
    await objects.patchStatus(makeSet(), { ...counts, stableRevision: r2 });
    const bodies = server.received.filter((r) => r.method === 'PATCH').map((r): unknown => JSON.parse(r.body));
    assert.deepEqual(bodies, [{ status: { ...counts, rollback: null } }, { status: { ...counts, stableRevision: r2 } }]);
  });
});
