// kubectl my rollout plan for a MyDeployment: the simulated rollout (the Deployment planner and the
// MyReplicaSet planner over a simulated cluster) gives every MyReplicaSet's size after each change.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { DeploymentStrategy, MyDeployment, MyReplicaSet } from '../../src/api/workloads.ts';
import { newReplicaSetPod } from '../../src/controllers/replicaset/pod-template.ts';
import { simulateDeployment } from '../../src/cli/rollout-plan/simulate-deployment.ts';
import { deployment, newName, ownedReplicaSet, revisionKey, t0 } from './deployment-plan-fixtures.ts';

const now = t0 + 3_600_000;

/** `n` pods of `rs`, Ready for an hour. */
function podsOf(rs: MyReplicaSet, n: number): Pod[] {
  return Array.from({ length: n }, (_, i) => {
    const pod = newReplicaSetPod(rs);
    return {
      ...pod,
      metadata: { ...pod.metadata, name: `${rs.metadata.name ?? ''}-${i}`, uid: `${rs.metadata.name ?? ''}-pod-${i}`, creationTimestamp: new Date(t0).toISOString() },
      spec: { ...pod.spec, nodeName: `node-${i % 3}` },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(t0).toISOString() }] },
    };
  });
}

/** A Deployment of `replicas` rolled out at nginx:1 (RS web-1), then changed to nginx:2. */
function changed(replicas: number, strategy?: DeploymentStrategy, extra: Partial<MyDeployment['spec']> = {}) {
  const before = deployment({ replicas, strategy, progressDeadlineSeconds: 600, annotations: { [revisionKey]: '1' } });
  const old = ownedReplicaSet(before, 'web-1', { replicas, revision: '1' });
  const d: MyDeployment = {
    ...before,
    metadata: { ...before.metadata, generation: 2 },
    spec: { ...before.spec, ...extra, template: { ...before.spec.template, spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  };
  return { d, cluster: { d, replicaSets: [old], pods: podsOf(old, replicas) } };
}

/** Each step as (new, old). */
function pairs(steps: readonly Record<string, number>[], newRS: string): [number, number][] {
  return steps.map((step) => [step[newRS] ?? -1, step['web-1'] ?? -1]);
}

describe('kubectl my rollout plan: MyDeployment simulation', () => {
  it('10 replicas, maxSurge 3, maxUnavailable 2: pods become available in the order they were created', () => {
    const { d, cluster } = changed(10, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } });
    const steps = simulateDeployment(cluster, now);
    assert.deepEqual(pairs(steps, newName(d)), [
      [3, 10],
      [3, 8],
      [5, 8],
      [5, 5],
      [8, 5],
      [8, 3],
      [10, 3],
      [10, 0],
    ]);
    assert.deepEqual(Object.keys(steps[0] ?? {}), ['web-1', newName(d)], 'old first, the new one last, named as the controller names it');
  });

  it('Recreate: the old MyReplicaSet goes to 0, then the new one to full size', () => {
    const { d, cluster } = changed(4, { type: 'Recreate' });
    assert.deepEqual(pairs(simulateDeployment(cluster, now), newName(d)), [
      [0, 0],
      [4, 0],
    ]);
  });

  it('the 25%/25% defaults over 4 replicas: one up, one down', () => {
    const { d, cluster } = changed(4);
    assert.deepEqual(pairs(simulateDeployment(cluster, now), newName(d)), [
      [1, 4],
      [1, 3],
      [2, 3],
      [2, 2],
      [3, 2],
      [3, 1],
      [4, 1],
      [4, 0],
    ]);
  });

  it('a paused MyDeployment changes no size', () => {
    const { cluster } = changed(10, undefined, { paused: true });
    assert.deepEqual(simulateDeployment(cluster, now), []);
  });

  it('an unchanged template changes no size', () => {
    const { cluster } = changed(3);
    const same = { ...cluster.d, spec: { ...cluster.d.spec, template: cluster.replicaSets[0]?.spec.template ?? cluster.d.spec.template } };
    assert.deepEqual(simulateDeployment({ ...cluster, d: same }, now), []);
  });

  it('minReadySeconds holds each scale-down until the new pods have been Ready that long', () => {
    const { d, cluster } = changed(10, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } }, { minReadySeconds: 30 });
    assert.deepEqual(pairs(simulateDeployment(cluster, now), newName(d)).at(-1), [10, 0]);
  });
});
