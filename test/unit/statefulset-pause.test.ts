// spec.paused on a MyStatefulSet (docs/rollout-control.md "Pause"): no pod is deleted for its
// revision; creations, scale-down and failed-pod replacement go on as usual.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyStatefulSet, MyStatefulSetSpec } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import type { PodState, SetOptions } from './statefulset-fixtures.ts';
import {
  conditionLines,
  conditionsAfter,
  makePod,
  makeSet,
  nameOf,
  now,
  podWork,
  requeues,
  revisionOf,
  snapshot,
  writtenStatus,
} from './statefulset-fixtures.ts';

const rev1 = revisionOf(makeSet({ image: 'nginx:1' }), 1);
const rev2 = revisionOf(makeSet({ image: 'nginx:2' }), 2);
const r1 = nameOf(rev1);
const r2 = nameOf(rev2);
/** A third template's revision name, which only a stuck pod carries. */
const r3 = nameOf(revisionOf(makeSet({ image: 'nginx:3' }), 3));

/** A paused set at nginx:2 whose status says current = r1, update = `update`. */
function paused(update: string, options: SetOptions = {}): MyStatefulSet {
  return makeSet({
    image: 'nginx:2',
    paused: true,
    progressDeadlineSeconds: 60,
    ...options,
    status: { observedGeneration: 1, currentRevision: r1, updateRevision: update, ...options.status },
  });
}

function withSpec(set: MyStatefulSet, spec: Partial<MyStatefulSetSpec>): MyStatefulSet {
  return { ...set, spec: { ...set.spec, ...spec } };
}

/** Pods web-<i> labelled with revisions[i] in state states[i] (default ready). */
function podsAt(set: MyStatefulSet, revisions: readonly string[], states: readonly (PodState | undefined)[] = []): Pod[] {
  return revisions.map((revision, i) => makePod(set, i, revision, { state: states[i] ?? 'ready' }));
}

describe('MyStatefulSet planner: spec.paused', () => {
  it('records the new revision of a template change but deletes no pod for it', () => {
    const set = paused(r1);
    const actions = plan(snapshot(set, podsAt(set, [r1, r1, r1]), [rev1]), now);
    assert.deepEqual(podWork(actions), [`createRevision ${r2} #2`]);
    assert.equal((writtenStatus(actions) as { updateRevision: string }).updateRevision, r2);
  });

  it('says Progressing Unknown/RolloutPaused, and runs no deadline', () => {
    const set = paused(r2);
    const actions = plan(snapshot(set, podsAt(set, [r1, r1, r1]), [rev1, rev2]), now);
    const conditions = conditionsAfter(set, actions);
    assert.deepEqual(conditionLines(conditions), ['Progressing=Unknown/RolloutPaused']);
    assert.equal(conditions[0]?.message, 'MyStatefulSet "web" is paused');
    assert.deepEqual(requeues(actions), []);
  });

  it('recreates a deleted pod at the update revision (index at or above the partition)', () => {
    const set = paused(r2);
    assert.deepEqual(podWork(plan(snapshot(set, podsAt(set, [r1, r1]), [rev1, rev2]), now)), [`createPod web-2 @${r2}`]);
  });

  it('recreates a deleted pod below the partition at the current revision', () => {
    const set = paused(r2, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const pods = podsAt(set, [r1, r1, r1]).slice(1);
    assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), [`createPod web-0 @${r1}`]);
  });

  it('scales up at the revision each ordinal would get anyway (OrderedReady: one at a time)', () => {
    const set = paused(r2, { replicas: 5 });
    assert.deepEqual(podWork(plan(snapshot(set, podsAt(set, [r1, r1, r1]), [rev1, rev2]), now)), [`createPod web-3 @${r2}`]);
  });

  it('scales up under Parallel with a partition: current below it, update at or above it', () => {
    const set = paused(r2, { replicas: 5, podManagementPolicy: 'Parallel', updateStrategy: { rollingUpdate: { partition: 4 } } });
    assert.deepEqual(podWork(plan(snapshot(set, podsAt(set, [r1, r1, r1]), [rev1, rev2]), now)), [
      `createPod web-3 @${r1}`,
      `createPod web-4 @${r2}`,
    ]);
  });

  it('still scales down', () => {
    const set = paused(r2, { replicas: 2 });
    assert.deepEqual(podWork(plan(snapshot(set, podsAt(set, [r1, r1, r1]), [rev1, rev2]), now)), ['deletePod web-2 (scaleDown)']);
  });

  it('still replaces a failed pod', () => {
    const set = paused(r2);
    assert.deepEqual(podWork(plan(snapshot(set, podsAt(set, [r1, r1, r1], ['ready', 'failed']), [rev1, rev2]), now)), [
      'deletePod web-1 (terminal)',
    ]);
  });

  it('does not replace a stuck pod of an abandoned revision (kubernetes#67250) while paused', () => {
    const set = paused(r2, { podManagementPolicy: 'Parallel' });
    const pods = podsAt(set, [r1, r1, r3], ['ready', 'ready', 'running']);
    assert.deepEqual(podWork(plan(snapshot(set, pods, [rev1, rev2]), now)), []);
    const resumed = withSpec(set, { paused: false });
    assert.deepEqual(podWork(plan(snapshot(resumed, pods, [rev1, rev2]), now)), [
      'event Warning AbandonedRevision',
      'deletePod web-2 (abandonedRevision)',
    ]);
  });

  it('deletes nothing with maxUnavailable either', () => {
    const set = paused(r2, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } });
    assert.deepEqual(podWork(plan(snapshot(set, podsAt(set, [r1, r1, r1]), [rev1, rev2]), now)), []);
  });

  it('leaves OnDelete as it is (it never deletes for a revision)', () => {
    const set = paused(r2, { updateStrategy: { type: 'OnDelete' } });
    assert.deepEqual(podWork(plan(snapshot(set, podsAt(set, [r1, r1]), [rev1, rev2]), now)), [`createPod web-2 @${r2}`]);
  });

  it('resumes the rolling update once spec.paused is false again, restarting the progress clock', () => {
    const set = paused(r2, {
      generation: 2,
      status: {
        observedGeneration: 1,
        conditions: [{ type: 'Progressing', status: 'Unknown', reason: 'RolloutPaused', lastUpdateTime: '2025-01-01T00:00:00Z' }],
      },
    });
    const resumed = withSpec(set, { paused: false });
    const actions = plan(snapshot(resumed, podsAt(resumed, [r1, r1, r1]), [rev1, rev2]), now);
    assert.deepEqual(podWork(actions), ['deletePod web-2 (update)']);
    const progressing = conditionsAfter(resumed, actions)[0];
    assert.equal(`${progressing?.status}/${progressing?.reason}`, 'True/RolloutProgressing');
    assert.equal(progressing?.lastUpdateTime, '2025-01-01T00:10:00Z');
    assert.deepEqual(requeues(actions), ['progressDeadline 61000']);
  });
});
