import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { imageRuntimeEnv } from '../../bench/operator-process.ts';
import type { MyDeployment, MyDeploymentStatus } from '../../src/api/workloads.ts';
import { apiVersion, myDeployments, myReplicaSets } from '../../src/api/workloads.ts';
import type { PodCounts } from '../../bench/pod-watch.ts';
import { defaultDaemonTolerations, nodeNameOfPod } from '../../src/controllers/daemonset/pod-template.ts';
import {
  daemonSetManifest,
  daemonSetStatusReady,
  deploymentManifest,
  deploymentResource,
  deploymentSettled,
  exactlyReady,
  imagePatch,
  imageV1,
  imageV2,
  rawPod,
  replicaSetResource,
  statusReadyReplicas,
} from '../../bench/workloads.ts';

function deployment(options: { readonly replicas?: number; readonly generation?: number; readonly status?: MyDeploymentStatus }): MyDeployment {
  const d = deploymentManifest('builtin', 'bench-builtin', 'bench-deploy', options.replicas ?? 500);
  return {
    ...d,
    metadata: { ...d.metadata, generation: options.generation ?? 2 },
    ...(options.status ? { status: options.status } : {}),
  };
}

const rolledOut: MyDeploymentStatus = { observedGeneration: 2, replicas: 500, updatedReplicas: 500, readyReplicas: 500, availableReplicas: 500 };

describe('deploymentSettled (bench/workloads.ts)', () => {
  const rows: readonly { readonly name: string; readonly d: MyDeployment; readonly replicas: number; readonly expected: boolean }[] = [
    { name: 'holds once every replica is updated and available at the observed generation', d: deployment({ status: rolledOut }), replicas: 500, expected: true },
    { name: 'holds past the generation too (a later write already observed)', d: deployment({ status: { ...rolledOut, observedGeneration: 3 } }), replicas: 500, expected: true },
    { name: 'waits while the controller has not seen the latest spec', d: deployment({ status: { ...rolledOut, observedGeneration: 1 } }), replicas: 500, expected: false },
    { name: 'waits without a status', d: deployment({}), replicas: 500, expected: false },
    { name: 'waits while old replicas remain (replicas above updated)', d: deployment({ status: { ...rolledOut, replicas: 625 } }), replicas: 500, expected: false },
    { name: 'waits while new replicas are missing', d: deployment({ status: { ...rolledOut, updatedReplicas: 375 } }), replicas: 500, expected: false },
    { name: 'waits while updated replicas are not available', d: deployment({ status: { ...rolledOut, availableReplicas: 499 } }), replicas: 500, expected: false },
    { name: 'is false when the spec asks for another count', d: deployment({ replicas: 400, status: rolledOut }), replicas: 500, expected: false },
    { name: 'reads counts of 0 left off the wire as 0', d: deployment({ replicas: 0, generation: 1, status: { observedGeneration: 1 } }), replicas: 0, expected: true },
    { name: 'defaults spec.replicas to 1 as apps/v1 does', d: { ...deployment({ status: { ...rolledOut, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }), spec: { ...deployment({}).spec, replicas: undefined } }, replicas: 1, expected: true },
  ];
  for (const row of rows) {
    it(row.name, () => assert.equal(deploymentSettled(row.d, row.replicas), row.expected));
  }
});

function counts(total: number, ready: Readonly<Record<string, number>>): PodCounts {
  const readyByImage = new Map(Object.entries(ready));
  return { total, terminating: 0, readyByImage, liveByImage: readyByImage };
}

describe('exactlyReady (bench/workloads.ts)', () => {
  const rows: readonly { readonly name: string; readonly counts: PodCounts; readonly expected: boolean }[] = [
    { name: 'holds with exactly N pods, all Ready on the image', counts: counts(500, { [imageV2]: 500 }), expected: true },
    { name: 'waits while an old pod is still there', counts: counts(501, { [imageV2]: 500, [imageV1]: 1 }), expected: false },
    { name: 'waits while a terminating pod is still there', counts: { ...counts(501, { [imageV2]: 500 }), terminating: 1 }, expected: false },
    { name: 'waits while a new pod is not Ready', counts: counts(500, { [imageV2]: 499 }), expected: false },
    { name: 'is false for Ready pods on the other image', counts: counts(500, { [imageV1]: 500 }), expected: false },
  ];
  for (const row of rows) {
    it(row.name, () => assert.equal(exactlyReady(row.counts, 500, imageV2), row.expected));
  }

  it('holds for 0 replicas in an empty namespace', () => {
    assert.equal(exactlyReady(counts(0, {}), 0, imageV1), true);
  });
});

describe('deploymentManifest (bench/workloads.ts)', () => {
  it('sends the same spec to both sides, as apps/v1 Deployment and as MyDeployment', () => {
    const builtin = deploymentManifest('builtin', 'ns', 'bench-deploy', 500);
    const ours = deploymentManifest('ours', 'ns', 'bench-deploy', 500);
    assert.equal(builtin.apiVersion, 'apps/v1');
    assert.equal(builtin.kind, 'Deployment');
    assert.equal(ours.apiVersion, apiVersion);
    assert.equal(ours.kind, 'MyDeployment');
    assert.deepEqual(ours.spec, builtin.spec);
    assert.deepEqual(ours.metadata, builtin.metadata);
  });

  it('rolls out with the apps/v1 defaults maxSurge 25% and maxUnavailable 25%, on image v1', () => {
    const d = deploymentManifest('builtin', 'ns', 'bench-deploy', 500);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    assert.equal(d.spec.replicas, 500);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'bench-deploy' } });
    assert.deepEqual(d.spec.template.metadata?.labels, { app: 'bench-deploy' });
    assert.equal(d.spec.template.spec?.containers[0]?.image, imageV1);
  });

  it('changes only the image in the rollout patch', () => {
    assert.deepEqual(imagePatch(imageV2), { spec: { template: { spec: { containers: [{ name: 'app', image: imageV2 }] } } } });
  });
});

describe('deploymentResource and replicaSetResource (bench/workloads.ts)', () => {
  it('are apps/v1 deployments and replicasets for the built-in side', () => {
    const d = deploymentResource('builtin');
    const rs = replicaSetResource('builtin');
    assert.deepEqual([d.group, d.version, d.plural, d.kind, d.namespaced], ['apps', 'v1', 'deployments', 'Deployment', true]);
    assert.deepEqual([rs.group, rs.version, rs.plural, rs.kind, rs.namespaced], ['apps', 'v1', 'replicasets', 'ReplicaSet', true]);
  });

  it('are ours for our side', () => {
    assert.equal(deploymentResource('ours'), myDeployments);
    assert.equal(replicaSetResource('ours'), myReplicaSets);
  });
});

describe('the raw loops\' pods (bench/workloads.ts)', () => {
  it('binds the floor loop\'s pod to its node itself', () => {
    const pod = rawPod('bound', 'bench-raw', 'raw-0', 'kwok-node-0000');
    assert.equal(pod.spec.nodeName, 'kwok-node-0000');
    assert.equal(pod.spec.affinity, undefined);
  });

  it('leaves the plain unbound pod to the scheduler, with nothing pinning it', () => {
    const pod = rawPod('unbound', 'bench-raw', 'raw-0', 'kwok-node-0000');
    assert.equal(pod.spec.nodeName, undefined);
    assert.equal(pod.spec.affinity, undefined);
    assert.equal(pod.spec.tolerations, undefined);
    assert.equal(pod.spec.containers[0]?.image, imageV1);
  });

  it("gives the daemon-shaped pod a daemon pod's node affinity and tolerations, unbound", () => {
    const pod = rawPod('daemon', 'bench-raw', 'raw-7', 'kwok-node-0007');
    assert.equal(pod.spec.nodeName, undefined);
    assert.deepEqual(pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['kwok-node-0007'] }] }],
    });
    assert.deepEqual(pod.spec.tolerations, defaultDaemonTolerations);
    assert.equal(nodeNameOfPod(pod), 'kwok-node-0007');
    assert.deepEqual(pod.metadata, { name: 'raw-7', namespace: 'bench-raw', labels: { app: 'bench-raw' } });
  });
});

describe('the status counts the status lag reads (bench/workloads.ts)', () => {
  it('reads numberReady of a DaemonSet and readyReplicas of a StatefulSet or Deployment, 0 when left off the wire', () => {
    const ds = daemonSetManifest('builtin', 'ns', 'ds', 100);
    assert.equal(daemonSetStatusReady(ds), 0);
    assert.equal(daemonSetStatusReady({ ...ds, status: { currentNumberScheduled: 5, numberMisscheduled: 0, desiredNumberScheduled: 5, numberReady: 4 } }), 4);
    const d = deployment({ status: rolledOut });
    assert.equal(statusReadyReplicas(d), 500);
    assert.equal(statusReadyReplicas(deployment({})), 0);
  });
});

describe('bench: the operator runs with the image runtime env', () => {
  it('reads NODE_OPTIONS and MALLOC_ARENA_MAX from ENV instructions, continuations and quotes included', () => {
    const dockerfile = 'FROM x\nENV A=1 \\\n    NODE_OPTIONS="--max-semi-space-size=2" \\\n    MALLOC_ARENA_MAX=2\nRUN true\nENV MALLOC_ARENA_MAX=4\n';
    assert.deepEqual(imageRuntimeEnv(dockerfile), { NODE_OPTIONS: '--max-semi-space-size=2', MALLOC_ARENA_MAX: '4' });
  });

  it('finds both in the project Dockerfile', () => {
    const env = imageRuntimeEnv(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8'));
    assert.match(env.NODE_OPTIONS ?? '', /--max-semi-space-size=\d+/);
    assert.equal(env.MALLOC_ARENA_MAX, '2');
  });
});
