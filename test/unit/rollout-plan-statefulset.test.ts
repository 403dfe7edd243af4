// kubectl my rollout plan for a MyStatefulSet: the simulated rollout (the StatefulSet planner over
// a simulated cluster) gives the existing pods each step replaces, in order.
import assert from 'node:assert/strict';
import type { MyStatefulSet } from '../../src/api/workloads.ts';
import { simulateStatefulSet } from '../../src/cli/rollout-plan/simulate-statefulset.ts';
import type { SetOptions } from './statefulset-fixtures.ts';
import { makePod, makeSet, nameOf, now, revisionOf } from './statefulset-fixtures.ts';

/** A MyStatefulSet of `replicas` rolled out at nginx:1 (web-0…), changed to nginx:2 with `options`. */
function changed(options: SetOptions = {}, replicas = 5) {
  const before = makeSet({ replicas });
  const revision = revisionOf(before, 1);
  const name = nameOf(revision);
  const status = { observedGeneration: 1, replicas, readyReplicas: replicas, availableReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, currentRevision: name, updateRevision: name };
  const set: MyStatefulSet = { ...makeSet({ replicas, image: 'nginx:2', generation: 2, ...options }), status };
  return { set, pods: Array.from({ length: replicas }, (_, i) => makePod(before, i, name)), pvcs: [], revisions: [revision] };
}

describe('kubectl my rollout plan: MyStatefulSet simulation', () => {
  it('5 replicas, partition 2: web-4, web-3, web-2, one at a time', () => {
    assert.deepEqual(simulateStatefulSet(changed({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }), now), [
      ['web-4'],
      ['web-3'],
      ['web-2'],
    ]);
  });

  it('reverse ordinals, one at a time, by default', () => {
    assert.deepEqual(simulateStatefulSet(changed({}, 3), now), [['web-2'], ['web-1'], ['web-0']]);
  });

  it('Parallel with maxUnavailable 2: two at a time from the top', () => {
    const options: SetOptions = { podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } };
    assert.deepEqual(simulateStatefulSet(changed(options), now), [['web-3', 'web-4'], ['web-1', 'web-2'], ['web-0']]);
  });

  it('OrderedReady with maxUnavailable 2: two deleted together as well, recreated one by one', () => {
    const options: SetOptions = { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } };
    assert.deepEqual(simulateStatefulSet(changed(options), now), [['web-3', 'web-4'], ['web-1', 'web-2'], ['web-0']]);
  });

  it('paused: nothing is replaced', () => {
    assert.deepEqual(simulateStatefulSet(changed({ paused: true }), now), []);
  });

  it('OnDelete: nothing is replaced', () => {
    assert.deepEqual(simulateStatefulSet(changed({ updateStrategy: { type: 'OnDelete' } }), now), []);
  });

  it('a scale-down with the same template replaces nothing', () => {
    const cluster = changed({}, 5);
    const set = { ...cluster.set, spec: { ...makeSet({ replicas: 3 }).spec } };
    assert.deepEqual(simulateStatefulSet({ ...cluster, set }, now), []);
  });

  it('a scale-down with a new template replaces only the pods that stay', () => {
    const cluster = changed({ replicas: 3 }, 5);
    assert.deepEqual(simulateStatefulSet(cluster, now), [['web-2'], ['web-1'], ['web-0']]);
  });

  it('claims are created for new pods of a set with claim templates, and the steps are the same', () => {
    assert.deepEqual(simulateStatefulSet(changed({ claims: ['data'] }, 2), now), [['web-1'], ['web-0']]);
  });
});
