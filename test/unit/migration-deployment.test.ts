import assert from 'node:assert/strict';
import type { Pod, PodTemplateSpec } from '../../src/api/core.ts';
import type { MyDeployment, MyDeploymentStatus, MyReplicaSet } from '../../src/api/workloads.ts';
import type { CreateReplicaSetAction, DeploymentAction } from '../../src/controllers/deployment/actions.ts';
import { DeploymentSync } from '../../src/controllers/deployment/controller.ts';
import { executeDeploymentPlan } from '../../src/controllers/deployment/execute.ts';
import type { DeploymentObjectManager } from '../../src/controllers/deployment/object-manager.ts';
import { orphanedPodGroups, orphanedPodsAdoption } from '../../src/controllers/deployment/orphaned-pods.ts';
import type { DeploymentSnapshot } from '../../src/controllers/deployment/plan.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { podTemplateHash } from '../../src/controllers/deployment/pod-template-hash.ts';
import { templateFromPod } from '../../src/controllers/shared/template-from-pod.ts';
import { Store } from '../../src/runtime/informer/store.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { apiError } from '../support/fake-lease-api.ts';
import { RecordedCalls } from '../support/recorded-calls.ts';
import { startRecordingApiServer } from '../support/recording-api-server.ts';
import { progressing, settled, summarize } from './deployment-plan-fixtures.ts';
import { adoptedBy, migratedDeployment, orphaned, upstreamDeploymentHash, upstreamDeploymentPods } from './migration-fixtures.ts';

const d = migratedDeployment;
const now = Date.parse('2026-12-06T05:00:10Z');
const pods = upstreamDeploymentPods.map(orphaned);
const upstreamName = `nginx-deployment-${upstreamDeploymentHash}`;

function snapshotOf(deployment: MyDeployment, orphanedPods: readonly Pod[], extra: Partial<DeploymentSnapshot> = {}): DeploymentSnapshot {
  return { deployment, replicaSets: [], podsByReplicaSet: new Map(), orphanedPods, ...extra };
}

function creates(actions: readonly DeploymentAction[]): CreateReplicaSetAction[] {
  return actions.filter((a): a is CreateReplicaSetAction => a.kind === 'createReplicaSet');
}

function withImage(template: PodTemplateSpec, image: string): PodTemplateSpec {
  return { ...template, spec: { ...template.spec, containers: template.spec.containers.map((c) => ({ ...c, image })) } };
}

function withTemplate(deployment: MyDeployment, template: PodTemplateSpec): MyDeployment {
  return { ...deployment, spec: { ...deployment.spec, template } };
}

/** A pod like the fixture's, made by another ReplicaSet of the Deployment: another hash and image, created later. */
function podOf(base: Pod, hash: string, image: string, name: string, created: string): Pod {
  return {
    ...base,
    metadata: { ...base.metadata, name, uid: `uid-${name}`, creationTimestamp: created, labels: { ...base.metadata.labels, 'pod-template-hash': hash } },
    spec: { ...base.spec, containers: base.spec.containers.map((c) => ({ ...c, image })) },
  };
}

const v2Image = 'nginx:1.16.1';
const v2 = withTemplate(d, withImage(d.spec.template, v2Image));
const [first, second] = pods;
assert.ok(first !== undefined && second !== undefined);
/** Mid-rollout: two pods of the manifest's template (84dc858676), two of the next one. */
const midRollout = [first, second, podOf(first, '5d59d67564', v2Image, 'nginx-deployment-5d59d67564-aaaaa', '2026-12-06T04:20:00Z'), podOf(second, '5d59d67564', v2Image, 'nginx-deployment-5d59d67564-bbbbb', '2026-12-06T04:20:01Z')];

describe('MyDeployment taking over an apps/v1 Deployment’s orphaned pods (migration)', () => {
  it('creates its new MyReplicaSet under the orphaned pods’ pod-template-hash, sized to keep them all', () => {
    const actions = plan(snapshotOf(d, pods), now);
    const [create, ...others] = creates(actions);
    assert.ok(create !== undefined);
    assert.deepEqual(others, []);
    const { rs } = create;
    assert.equal(rs.metadata.name, upstreamName);
    assert.deepEqual(rs.metadata.labels, { app: 'nginx-d', 'pod-template-hash': upstreamDeploymentHash });
    assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'nginx-d', 'pod-template-hash': upstreamDeploymentHash } });
    assert.deepEqual(rs.spec.template?.metadata?.labels, { app: 'nginx-d', 'pod-template-hash': upstreamDeploymentHash });
    assert.deepEqual(rs.spec.template?.spec, d.spec.template.spec);
    assert.equal(rs.spec.replicas, 3);
    assert.deepEqual(rs.metadata.annotations, {
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    assert.equal(create.oldForOrphanedPods, undefined);
    assert.deepEqual(summarize(actions), [`create ${upstreamName} ×3`, 'revision 1', 'status']);
    assert.equal(progressing(actions.findLast((a) => a.kind === 'writeStatus')?.status), 'True/NewReplicaSetCreated');
  });

  it('then finds that MyReplicaSet as its new one and reports the rollout complete, scaling nothing', () => {
    const [create] = creates(plan(snapshotOf(d, pods), now));
    assert.ok(create !== undefined);
    const rs = settled({ ...adoptedBy(create.rs, d), metadata: { ...adoptedBy(create.rs, d).metadata, uid: 'rs-uid', creationTimestamp: '2026-12-06T05:00:10Z' } });
    const status: MyDeploymentStatus = { observedGeneration: 1 };
    const next: MyDeployment = { ...d, metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '1' } }, status };
    const actions = plan({ deployment: next, replicaSets: [rs], podsByReplicaSet: new Map() }, now + 1000);
    assert.deepEqual(
      actions.filter((a) => a.kind !== 'writeStatus' && a.kind !== 'requeueAfter'),
      [],
    );
    const written = actions.findLast((a) => a.kind === 'writeStatus');
    assert.ok(written?.kind === 'writeStatus');
    assert.equal(written.status.updatedReplicas, 3);
    assert.equal(written.status.availableReplicas, 3);
    assert.equal(progressing(written.status), 'True/NewReplicaSetAvailable');
  });

  it('gives the pods of another template an old MyReplicaSet and the new one the usual hash', () => {
    const actions = plan(snapshotOf(v2, pods), now);
    const [old, created, ...others] = creates(actions);
    assert.ok(old !== undefined && created !== undefined);
    assert.deepEqual(others, []);
    assert.equal(old.oldForOrphanedPods, true);
    assert.equal(old.rs.metadata.name, upstreamName);
    assert.equal(old.rs.spec.replicas, 3);
    assert.equal(old.rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(old.rs.spec.selector, { matchLabels: { app: 'nginx-d', 'pod-template-hash': upstreamDeploymentHash } });
    const oldPod = pods[0];
    assert.ok(oldPod !== undefined);
    const rebuilt = templateFromPod(oldPod);
    assert.deepEqual(old.rs.spec.template, { ...rebuilt, metadata: { ...rebuilt.metadata, labels: { ...rebuilt.metadata?.labels, 'pod-template-hash': upstreamDeploymentHash } } });
    assert.equal(created.rs.metadata.name, `nginx-deployment-${podTemplateHash(v2.spec.template, undefined)}`);
    assert.equal(created.rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    // maxSurge 25% of 3 = 1: 3 old + 1 new.
    assert.equal(created.rs.spec.replicas, 1);
    assert.deepEqual(summarize(actions).slice(-2), ['revision 2', 'status']);
  });

  it('mid-rollout adopts both generations: the older one as an old MyReplicaSet, the newer under its own hash', () => {
    const actions = plan(snapshotOf(v2, midRollout), now);
    assert.deepEqual(summarize(actions), [`create ${upstreamName} ×2`, 'create nginx-deployment-5d59d67564 ×2', 'revision 2', 'status']);
    const [old, created] = creates(actions);
    assert.equal(old?.rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(old?.rs.spec.template?.spec.containers[0]?.image, 'nginx:1.14.2');
    assert.equal(created?.rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.deepEqual(created?.rs.spec.template?.spec, v2.spec.template.spec);
  });

  it('under Recreate with old pods running gives the new MyReplicaSet only the pods it adopts', () => {
    const recreate: MyDeployment = { ...v2, spec: { ...v2.spec, strategy: { type: 'Recreate' } } };
    assert.deepEqual(summarize(plan(snapshotOf(recreate, midRollout), now)), [`create ${upstreamName} ×2`, 'create nginx-deployment-5d59d67564 ×2', 'revision 2', 'status']);
    const onlyCurrent = midRollout.slice(2);
    assert.deepEqual(summarize(plan(snapshotOf(recreate, onlyCurrent), now)), ['create nginx-deployment-5d59d67564 ×3', 'revision 1', 'status']);
  });

  it('falls back to the usual hash when a MyReplicaSet holds the name already, another’s or ours', () => {
    const usual = summarize(plan(snapshotOf(d, []), now));
    assert.deepEqual(summarize(plan(snapshotOf(d, pods, { takenReplicaSetNames: new Set([upstreamName]) }), now)), usual);
    // Ours under that name but with another template (so not the new one): e.g. made by an earlier pass.
    const [old] = creates(plan(snapshotOf(v2, pods), now));
    assert.ok(old !== undefined);
    const owned = settled(adoptedBy({ ...old.rs, metadata: { ...old.rs.metadata, uid: 'rs-old', creationTimestamp: '2026-12-06T05:00:00Z' } }, d));
    const [created, ...others] = creates(plan(snapshotOf(d, pods, { replicaSets: [owned] }), now));
    assert.equal(created?.rs.metadata.name, `nginx-deployment-${podTemplateHash(d.spec.template, undefined)}`);
    assert.deepEqual(others, []);
  });

  it('is unchanged without orphaned pods: the usual hash, and the rollout goes on in the same pass', () => {
    assert.deepEqual(summarize(plan(snapshotOf(d, []), now)), [`create nginx-deployment-${podTemplateHash(d.spec.template, undefined)} ×3`, 'revision 1', 'status', 'status']);
  });

  it('takes over only pods controlled by nobody, alive, selected, and labelled with a hash', () => {
    const [pod] = pods;
    assert.ok(pod !== undefined);
    const ignored: Pod[] = [
      upstreamDeploymentPods[0] ?? pod,
      { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-12-06T05:00:00Z' } },
      { ...pod, status: { phase: 'Succeeded' } },
      { ...pod, metadata: { ...pod.metadata, labels: { app: 'other', 'pod-template-hash': upstreamDeploymentHash } } },
      { ...pod, metadata: { ...pod.metadata, labels: { app: 'nginx-d' } } },
      { ...pod, metadata: { ...pod.metadata, namespace: 'elsewhere' } },
    ];
    assert.deepEqual(orphanedPodGroups(d, ignored), []);
    assert.equal(orphanedPodsAdoption({ d, pods: ignored, takenNames: new Set(), baseRevision: 0n, desiredReplicas: 3, maxReplicas: 4 }), undefined);
  });

  it('between two groups made from the template prefers the one without extra labels', () => {
    const [pod] = pods;
    assert.ok(pod !== undefined);
    const relabelled = podOf(pod, 'bcdfg', 'nginx:1.14.2', 'nginx-deployment-bcdfg-ccccc', '2026-12-06T04:30:00Z');
    const stale: Pod = { ...relabelled, metadata: { ...relabelled.metadata, labels: { ...relabelled.metadata.labels, version: 'a' } } };
    const adoption = orphanedPodsAdoption({ d, pods: [...pods, stale], takenNames: new Set(), baseRevision: 0n, desiredReplicas: 3, maxReplicas: 4 });
    assert.equal(adoption?.current?.hash, upstreamDeploymentHash);
    assert.deepEqual(adoption.oldReplicaSets.map((rs) => rs.metadata.name), ['nginx-deployment-bcdfg']);
  });

  describe('executor', () => {
    class FakeObjects extends RecordedCalls implements DeploymentObjectManager {
      async createReplicaSet(rs: MyReplicaSet): Promise<MyReplicaSet> {
        await this.call(`createReplicaSet ${rs.metadata.name ?? ''}`);
        return rs;
      }
      async getReplicaSet(_namespace: string, name: string): Promise<MyReplicaSet> {
        await this.call(`getReplicaSet ${name}`);
        throw apiError(404, 'NotFound');
      }
      async patchReplicaSet(rs: MyReplicaSet): Promise<MyReplicaSet> {
        await this.call(`patchReplicaSet ${rs.metadata.name ?? ''}`);
        return rs;
      }
      async deleteReplicaSet(rs: MyReplicaSet): Promise<void> {
        await this.call(`deleteReplicaSet ${rs.metadata.name ?? ''}`);
      }
      async setDeploymentRevision(target: MyDeployment, _rv: string | undefined, revision: string): Promise<MyDeployment> {
        await this.call(`setDeploymentRevision ${revision}`);
        return target;
      }
      async rollbackDeployment(target: MyDeployment): Promise<MyDeployment> {
        await this.call('rollbackDeployment');
        return target;
      }
      async updateStatus(target: MyDeployment): Promise<MyDeployment> {
        await this.call('updateStatus');
        return target;
      }
      async setCollisionCount(target: MyDeployment, _rv: string | undefined, collisionCount: number): Promise<MyDeployment> {
        await this.call(`setCollisionCount ${collisionCount}`);
        return target;
      }
    }

    it('skips an old MyReplicaSet whose name is taken and goes on with the new one', async () => {
      const objects = new FakeObjects();
      objects.failures.set(`createReplicaSet ${upstreamName}`, apiError(409, 'AlreadyExists'));
      const events: string[] = [];
      const recorder = { event: (_o: unknown, type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`) };
      await executeDeploymentPlan({ objects, recorder, log: silentLogger() }, v2, plan(snapshotOf(v2, midRollout), now), now);
      assert.deepEqual(objects.calls, [`createReplicaSet ${upstreamName}`, 'createReplicaSet nginx-deployment-5d59d67564', 'setDeploymentRevision 2', 'updateStatus']);
      assert.deepEqual(events, ['Normal ScalingReplicaSet Scaled up replica set nginx-deployment-5d59d67564 from 0 to 2']);
    });

    it('fails the pass on another error creating an old MyReplicaSet, before the new one', async () => {
      const objects = new FakeObjects();
      objects.failures.set(`createReplicaSet ${upstreamName}`, apiError(403, 'Forbidden', 'exceeded quota'));
      await assert.rejects(
        executeDeploymentPlan({ objects, recorder: { event: () => undefined }, log: silentLogger() }, v2, plan(snapshotOf(v2, midRollout), now), now),
        /creating replica set nginx-deployment-84dc858676 for orphaned pods: /,
      );
      assert.deepEqual(objects.calls, [`createReplicaSet ${upstreamName}`]);
    });
  });

  describe('controller snapshot', () => {
    it('reads the orphaned pods and taken names from the caches only when no MyReplicaSet matches the template', async () => {
      const server = await startRecordingApiServer(() => ({ status: 500, body: {} }));
      try {
        const podStore = new Store<Pod>();
        const [owned] = upstreamDeploymentPods;
        assert.ok(owned !== undefined);
        for (const pod of [...pods, { ...owned, metadata: { ...owned.metadata, name: 'still-owned' } }]) podStore.upsert(pod);
        const [create] = creates(plan(snapshotOf(d, pods), now));
        assert.ok(create !== undefined);
        const foreign = settled(adoptedBy({ ...create.rs, metadata: { ...create.rs.metadata, uid: 'foreign-uid' } }, { apiVersion: 'v1', kind: 'X', metadata: { name: 'x', uid: 'x' } }));
        const replicaSets = new Store<MyReplicaSet>();
        replicaSets.upsert(foreign);
        const sync = new DeploymentSync({
          client: server.client,
          recorder: { event: () => undefined },
          replicaSets,
          pods: podStore,
          sources: { myreplicasets: { lastSyncResourceVersion: '1' }, mydeployments: { lastSyncResourceVersion: '1' } },
        });
        const ctx = { key: 'mig/nginx-deployment', log: silentLogger(), reconcileID: 'r', signal: new AbortController().signal, expectationsSatisfied: true };
        const claimed = await sync.claim(d, ctx);
        assert.deepEqual(
          claimed.orphanedPods?.map((p) => p.metadata.name),
          pods.map((p) => p.metadata.name),
        );
        assert.deepEqual([...(claimed.takenReplicaSetNames ?? [])], [upstreamName]);

        const ownedMatching = settled(adoptedBy({ ...create.rs, metadata: { ...create.rs.metadata, uid: 'own-uid' } }, d));
        const withNew = new Store<MyReplicaSet>();
        withNew.upsert(ownedMatching);
        const steady = new DeploymentSync({
          client: server.client,
          recorder: { event: () => undefined },
          replicaSets: withNew,
          pods: podStore,
          sources: { myreplicasets: { lastSyncResourceVersion: '1' }, mydeployments: { lastSyncResourceVersion: '1' } },
        });
        const steadyClaim = await steady.claim(d, ctx);
        assert.equal(steadyClaim.orphanedPods, undefined);
        assert.deepEqual(server.received, []);
      } finally {
        await server.close();
      }
    });
  });
});
