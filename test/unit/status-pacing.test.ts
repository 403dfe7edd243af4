// Which status writes may wait (WriteStatusAction.mayWait), and what the executors do with one that
// comes too soon: put it off and sync again when the pacer allows, writing the newest counts then.
import assert from 'node:assert/strict';
import { daemonSetStatusMayWait } from '../../src/controllers/daemonset/status.ts';
import type { DaemonSetStatusCounts, DaemonSetStatusFields } from '../../src/controllers/daemonset/status.ts';
import { statusWriteMayWait } from '../../src/controllers/statefulset/status.ts';
import type { StatefulSetStatusFields } from '../../src/controllers/statefulset/status.ts';
import type { StatefulSetWriteStatus } from '../../src/controllers/statefulset/actions.ts';
import type { MyStatefulSetStatus } from '../../src/api/workloads.ts';
import { daemonSet } from './daemonset-fixtures.ts';
import { conditionsAfter, makePod, makeSet, nameOf, now, revisionOf, snapshot, statusWrite, steady, summarize } from './statefulset-fixtures.ts';
import { harness } from './statefulset-execute-harness.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import type { StatefulSetSnapshot } from '../../src/controllers/statefulset/plan.ts';
import type { Pod } from '../../src/api/core.ts';

const moving: DaemonSetStatusCounts & { readonly observedGeneration: number } = {
  desiredNumberScheduled: 10,
  currentNumberScheduled: 10,
  numberMisscheduled: 0,
  numberReady: 6,
  updatedNumberScheduled: 7,
  numberAvailable: 6,
  numberUnavailable: 4,
  observedGeneration: 2,
};
const settledDs: DaemonSetStatusFields = { ...moving, numberReady: 10, updatedNumberScheduled: 10, numberAvailable: 10, numberUnavailable: 0 };

describe('status pacing: MyDaemonSet', () => {
  const observed = daemonSet({ generation: 2, status: { ...moving, numberReady: 5, observedGeneration: 2 } });

  it('lets counts that still move wait', () => {
    assert.equal(daemonSetStatusMayWait(observed, moving), true);
  });

  it('writes at once the settled end state, a new generation and a rollout-control change', () => {
    assert.equal(daemonSetStatusMayWait(observed, settledDs), false, 'settled');
    assert.equal(daemonSetStatusMayWait(daemonSet({ generation: 3, status: { ...moving, observedGeneration: 2 } }), { ...moving, observedGeneration: 3 }), false);
    assert.equal(daemonSetStatusMayWait(observed, { ...moving, stableRevision: 'agent-1' }), false);
    assert.equal(daemonSetStatusMayWait(observed, { ...settledDs, numberMisscheduled: 1 }), true, 'a misscheduled pod is not settled');
  });
});

describe('status pacing: MyStatefulSet', () => {
  const { set, rev } = steady({ replicas: 3 });
  const base = set.status as MyStatefulSetStatus & StatefulSetStatusFields;
  const next = (fields: Partial<StatefulSetStatusFields>): StatefulSetStatusFields => ({ ...base, rollback: undefined, ...fields });

  it('lets counts that still move wait, and writes the settled end state at once', () => {
    const midRollout = { ...set, status: { ...set.status, readyReplicas: 2, availableReplicas: 2 } };
    assert.equal(statusWriteMayWait(midRollout, next({ readyReplicas: 1, availableReplicas: 1 })), true);
    assert.equal(statusWriteMayWait(midRollout, next({})), false, 'all 3 ready, available and updated');
  });

  it('writes at once a new generation, a revision, the collision count', () => {
    assert.equal(statusWriteMayWait(set, next({ readyReplicas: 2, observedGeneration: 2 })), false);
    assert.equal(statusWriteMayWait(set, next({ readyReplicas: 2, updateRevision: 'web-2' })), false);
    assert.equal(statusWriteMayWait(set, next({ readyReplicas: 2, collisionCount: 1 })), false);
    assert.equal(nameOf(rev), base.currentRevision);
  });

  it('counts a partitioned rollout settled once the ordinals it lets through are updated', () => {
    const partitioned = steady({ replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }).set;
    assert.equal(statusWriteMayWait(partitioned, next({ updatedReplicas: 1, currentReplicas: 2 })), false);
    assert.equal(statusWriteMayWait(partitioned, next({ updatedReplicas: 0, currentReplicas: 2, readyReplicas: 2 })), true);
  });

  it('lets currentReplicas wait under a RollingUpdate without a rollingUpdate block too (the planner reads the put-off value)', () => {
    const bare = steady({ replicas: 3, updateStrategy: { type: 'RollingUpdate' } }).set;
    assert.equal(statusWriteMayWait(bare, next({ currentReplicas: 2, updatedReplicas: 0, readyReplicas: 2 })), true);
  });

  describe('read-your-intended-write: a put-off currentReplicas picks the revision of a recreated pod', () => {
    // `type: RollingUpdate` without a rollingUpdate block: a recreated pod whose index is below
    // status.currentReplicas comes back at the current revision (pod-template.ts revisionForOrdinal).
    const rev1 = revisionOf(makeSet({ image: 'nginx:1' }), 1);
    const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
    const [r1, r2] = [nameOf(rev1), nameOf(rev2)];
    const counts = { observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 0, collisionCount: 0, selector: 'app=web' };
    // The stored status still says 3 current: the write after web-2's update deletion was put off.
    const stale = makeSet({
      image: 'nginx:2',
      updateStrategy: { type: 'RollingUpdate' },
      status: { ...counts, currentReplicas: 3, currentRevision: r1, updateRevision: r2 },
    });
    const pods = [makePod(stale, 0, r1), makePod(stale, 1, r1)];
    const created = (snap: StatefulSetSnapshot): string[] => summarize(plan(snap, now)).filter((line) => line.startsWith('createPod'));

    it('the stored value alone brings web-2 back at the old revision', () => {
      assert.deepEqual(created(snapshot(stale, pods, [rev1, rev2])), [`createPod web-2 @${r1}`]);
    });

    it('the put-off value brings it back at the update revision, as upstream with the write done', () => {
      const unwrittenStatus = { currentReplicas: 2, currentRevision: r1, updateRevision: r2 };
      assert.deepEqual(created({ ...snapshot(stale, pods, [rev1, rev2]), unwrittenStatus }), [`createPod web-2 @${r2}`]);
    });

    it('ignores a put-off value computed for other revisions', () => {
      const unwrittenStatus = { currentReplicas: 2, currentRevision: r1, updateRevision: 'web-other' };
      assert.deepEqual(created({ ...snapshot(stale, pods, [rev1, rev2]), unwrittenStatus }), [`createPod web-2 @${r1}`]);
    });

    it('the executor keeps the value it put off, per set UID, and drops it once written or nothing is to write', async () => {
      const h = harness();
      const key = 'ns/web';
      const before = makeSet({
        image: 'nginx:2',
        updateStrategy: { type: 'RollingUpdate' },
        status: { ...counts, currentReplicas: 3, currentRevision: r1, updateRevision: r2 },
      });
      const all = [makePod(before, 0, r1), makePod(before, 1, r1), makePod(before, 2, r1)];
      // First sync: deletes web-2 for the update; the first write of an object goes at once.
      const first = plan(snapshot(before, all, [rev1, rev2]), h.clock.now());
      await h.run(snapshot(before, all, [rev1, rev2]), first);
      // The rollout conditions it wrote (a condition change is never put off).
      const written = { ...before, status: { ...before.status, conditions: conditionsAfter(before, first) } };
      assert.equal(h.objects.statuses.length, 1);
      assert.equal(h.unwritten.of(key, written), undefined);
      // web-0 turns unready within the interval: that write is put off with currentReplicas 2.
      h.clock.advance(100);
      const moving = [makePod(written, 0, r1, { state: 'running' }), all[1] as Pod];
      const put = await h.run(snapshot(written, moving, [rev1, rev2]));
      assert.equal(h.objects.statuses.length, 1);
      assert.ok((put.requeueAfterMs ?? 0) > 0);
      assert.deepEqual(h.unwritten.of(key, written), { currentReplicas: 2, currentRevision: r1, updateRevision: r2 });
      assert.equal(h.unwritten.of(key, { ...written, metadata: { ...written.metadata, uid: 'another' } }), undefined, 'another incarnation');
      // After the interval the write goes, and the stored value is the newest again.
      h.clock.advance(1000);
      await h.run(snapshot(written, moving, [rev1, rev2]));
      assert.equal(h.objects.statuses.length, 2);
      assert.equal(h.unwritten.of(key, written), undefined);
    });
  });

  it('the executor puts off a write that may wait within the interval, asks to sync when it ends, and writes urgent ones at once', async () => {
    const h = harness();
    const { set: s, rev: r, pods } = steady({ replicas: 3 });
    const notReady = makePod(s, 2, nameOf(r), { state: 'running' });
    const snap = snapshot(s, [...pods.slice(0, 2), notReady], [r]);
    const actions = plan(snap, h.clock.now());
    assert.equal(statusWrite(actions)?.mayWait, true);
    await h.run(snap, actions);
    assert.equal(h.objects.statuses.length, 1, 'the first write of an object goes at once');
    h.clock.advance(300);
    const put = await h.run(snap, actions);
    assert.equal(h.objects.statuses.length, 1);
    assert.equal(put.requeueAfterMs, 700);
    const urgent = actions.map((a) => (a.kind === 'writeStatus' ? { ...a, mayWait: false } : a));
    await h.run(snap, urgent);
    assert.equal(h.objects.statuses.length, 2);
    h.clock.advance(1000);
    await h.run(snap, actions);
    assert.equal(h.objects.statuses.length, 3);
    assert.equal(revisionOf(s, 1).metadata.name, nameOf(r));
  });
});

describe('status refresh during a MyStatefulSet sync\'s pod work', () => {
  it('writes the counts the caches hold once per interval while a Parallel scale-up creates pods', async () => {
    // A Parallel set scaled 0 → 7: creates in batches of 1, 2 and 4, each create taking 300 ms.
    const { set, rev } = steady({ replicas: 7, podManagementPolicy: 'Parallel' });
    const h = harness((clock) => () => ({ ...(set.status as StatefulSetStatusFields), readyReplicas: Math.floor((clock.now() - now) / 300) }));
    h.objects.onStart = (call) => {
      if (call.startsWith('createPod')) h.clock.advance(300);
    };
    await h.run(snapshot(set, [], [rev]));
    const timeline = h.objects.timeline.map((entry) => entry.replace(/ web-\d+$/, ''));
    const firstWrite = timeline.indexOf('start patchStatus');
    assert.ok(firstWrite >= 0 && firstWrite < timeline.lastIndexOf('end createPod'), `a write while creates run: ${timeline.join(', ')}`);
    assert.ok((h.objects.statuses[0]?.readyReplicas ?? 0) > 0, 'the fresh counts');
    assert.equal(h.clock.waiting, 0, 'the refresh stopped with the sync');
  });

  it('ends with the write planned from the caches, not the older counts the sync started from', async () => {
    const { set, rev } = steady({ replicas: 7, podManagementPolicy: 'Parallel' });
    const readyNow = (): number => Math.floor((h.clock.now() - now) / 300);
    // As a first sync's write: it may not wait. The stand-in reads the same caches the refresh does.
    const fresh = (own: StatefulSetWriteStatus): StatefulSetWriteStatus => ({ ...own, mayWait: false, status: { ...own.status, readyReplicas: readyNow() + 1 } });
    const h = harness(() => () => ({ ...(set.status as StatefulSetStatusFields), readyReplicas: readyNow() }), fresh);
    h.objects.onStart = (call) => {
      if (call.startsWith('createPod')) h.clock.advance(300);
    };
    await h.run(snapshot(set, [], [rev]));
    const ready = h.objects.statuses.map((status) => status.readyReplicas);
    assert.ok(ready.length >= 2, `the refresh wrote and the sync ended with a write: ${ready.join(', ')}`);
    assert.equal(ready.at(-1), readyNow() + 1, `the last write is the fresh one: ${ready.join(', ')}`);
    assert.ok(ready.every((count, i) => i === 0 || count >= (ready[i - 1] ?? 0)), `never back: ${ready.join(', ')}`);

    // The sync's own write, were it made, would take the counts back to the none it started from;
    // 'shown' (the stored status already says what the caches do) makes none.
    const runWith = async (finalWrite: (own: StatefulSetWriteStatus) => StatefulSetWriteStatus | 'shown'): Promise<number[]> => {
      const other = harness((clock) => () => ({ ...(set.status as StatefulSetStatusFields), readyReplicas: Math.floor((clock.now() - now) / 300) }), finalWrite);
      other.objects.onStart = (call) => {
        if (call.startsWith('createPod')) other.clock.advance(300);
      };
      await other.run(snapshot(set, [], [rev]));
      return other.objects.statuses.map((status) => status.readyReplicas);
    };
    const own = await runWith((write) => ({ ...write, mayWait: false }));
    assert.equal(own.at(-1), 0, `the control: the sync's own write goes back: ${own.join(', ')}`);
    const skipped = await runWith(() => 'shown');
    assert.deepEqual(skipped, own.slice(0, -1));
  });

  it('leaves a rolling update that deletes pods alone: only the sync knows which deletions went through', async () => {
    const rev1 = revisionOf(makeSet({ image: 'nginx:1' }), 1);
    const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
    const set = makeSet({
      image: 'nginx:2',
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 3 } },
      status: { observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 0, currentRevision: nameOf(rev1), updateRevision: nameOf(rev2), collisionCount: 0, selector: 'app=web' },
    });
    let asked = 0;
    const h = harness(() => () => {
      asked++;
      return undefined;
    });
    h.objects.onStart = (call) => {
      if (call.startsWith('deletePod')) h.clock.advance(2000);
    };
    const actions = plan(snapshot(set, [0, 1, 2].map((i) => makePod(set, i, nameOf(rev1))), [rev1, rev2]), h.clock.now());
    assert.ok(summarize(actions).some((line) => line.endsWith('(update)')), summarize(actions).join(', '));
    await h.run(snapshot(set, [], [rev1, rev2]), actions);
    assert.equal(asked, 0);
    assert.equal(h.clock.waiting, 0);
  });
});
