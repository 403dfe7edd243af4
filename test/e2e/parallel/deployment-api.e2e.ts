// MyDeployment as an API object, ported from upstream test/e2e/apps/deployment.go: the scale
// subresource, the lifecycle (patches, update, status tampering the controller repairs, delete a
// collection), the status endpoints, and a HorizontalPodAutoscaler (autoscaling/v2) whose target
// resolves through the scale subresource. Also: annotations and minReadySeconds reaching the current
// replica set without a rollout, and ReplicaFailure copied from it (pod quota).
//
// Upstream patches with strategic merge; custom resources take JSON merge patches instead. A custom
// resource refuses an unconditional PUT, so upstream's update without resourceVersion becomes a
// read-modify-write.
import assert from 'node:assert/strict';
import { pods } from '../../../src/api/resources.ts';
import type { MyDeployment } from '../../../src/api/workloads.ts';
import { myDeployments, myReplicaSets } from '../../../src/api/workloads.ts';
import { isConflict } from '../../../src/runtime/client/errors.ts';
import { resourcePath } from '../../../src/runtime/client/rest.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';
import { podName, updateWithRetries } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  agnhostImage,
  agnhostImageName,
  condition,
  deploymentComplete,
  describeDeployment,
  exerciseScaleSubresource,
  getDeploy,
  horizontalPodAutoscalers,
  labelSelector,
  newMyDeployment,
  pauseImage,
  prevAgnhostImage,
  quietMs,
  resourceQuotas,
  revisionAnnotation,
  revisionOf,
  selectorTerms,
  templateImage,
  waitForDeployment,
  waitForDeploymentComplete,
  waitForDeploymentRevisionAndImage,
  withContainer,
} from '../support/deployment.ts';

function replicasOf(d: MyDeployment): { ready: number; updated: number; unavailable: number } {
  const s = d.status ?? {};
  return { ready: s.readyReplicas ?? 0, updated: s.updatedReplicas ?? 0, unavailable: s.unavailableReplicas ?? 0 };
}

describe('MyDeployment API: scale subresource, lifecycle, status endpoints, HPA (upstream deployment.go)', function () {
  this.timeout(240_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('mdeploy-api');
  });
  afterEach(async () => ns.remove());

  it('has a working scale subresource: GET, PUT and merge-PATCH /scale, status.selector selecting its pods', async () => {
    const client = await testClient();
    const name = 'test-new-deployment';
    await client.create(myDeployments, newMyDeployment(ns.name, name, 1, { name: agnhostImageName }, agnhostImageName, agnhostImage));
    await waitForDeploymentRevisionAndImage(ns.name, name, '1', agnhostImage);
    await waitForDeploymentComplete(ns.name, name);

    const scale = await exerciseScaleSubresource(myDeployments, ns.name, name);
    assert.deepEqual(selectorTerms(scale.status.selector), ['name=agnhost']);
    const complete = await waitForDeploymentComplete(ns.name, name);
    assert.equal(complete.spec.replicas, 4);
    // The selector string is the spec selector rendered, and selects the Deployment's pods.
    const selected = await client.list(pods, { namespace: ns.name, labelSelector: complete.status?.selector });
    assert.equal(selected.items.length, 4, selected.items.map(podName).join(', '));
    const out = await kubectl(['scale', 'mdeploy', name, '-n', ns.name, '--replicas=2']);
    assert.match(out, /scaled/);
    await waitForDeployment(ns.name, name, '2 replicas, complete', (d) => d.spec.replicas === 2 && deploymentComplete(d));
    // Down to 0: complete with nothing, still Available.
    await kubectl(['scale', 'mdeploy', name, '-n', ns.name, '--replicas=0']);
    const none = await waitForDeployment(ns.name, name, '0 replicas, complete', (d) => d.spec.replicas === 0 && deploymentComplete(d));
    assert.equal(condition(none, 'Available')?.status, 'True');
    await waitFor('no pods left', async () => (await client.list(pods, { namespace: ns.name, labelSelector: 'name=agnhost' })).items.map(podName), (l) => l.length === 0);
  });

  it('runs the lifecycle: create, patch, list, update, tampered status repaired by the controller, delete a collection', async () => {
    const client = await testClient();
    const name = 'test-deployment';
    const staticLabels = { 'test-deployment-static': 'true' };
    const watch = await Recorder.start(myDeployments, ns.name);
    try {
      const base = newMyDeployment(ns.name, name, 2, staticLabels, name, prevAgnhostImage);
      const created = await client.create(myDeployments, {
        ...base,
        spec: { ...base.spec, template: { ...base.spec.template, spec: { ...base.spec.template.spec, terminationGracePeriodSeconds: 1 } } },
      });
      await watch.waitState('2 ready replicas', (state) => [...state.values()].some((d) => d.status?.readyReplicas === 2), { timeoutMs: 120_000 });

      // Merge patch: a label, 1 replica, a new image and grace period.
      const patched = await client.patch(myDeployments, ns.name, name, 'merge', {
        metadata: { labels: { 'test-deployment': 'patched' } },
        spec: { replicas: 1, template: { spec: { terminationGracePeriodSeconds: 2, containers: [{ name, image: pauseImage }] } } },
      });
      assert.ok(BigInt(patched.metadata.resourceVersion ?? '0') > BigInt(created.metadata.resourceVersion ?? '0'), 'the patch did not raise the resourceVersion');
      await watch.waitState(
        '1 ready and updated replica of the patched template, none unavailable',
        (state) =>
          [...state.values()].some(
            (d) =>
              d.metadata.labels?.['test-deployment-static'] === 'true' &&
              replicasOf(d).ready === 1 &&
              replicasOf(d).updated === 1 &&
              replicasOf(d).unavailable === 0 &&
              (d.status?.replicas ?? 0) === 1 &&
              templateImage(d) === pauseImage &&
              d.spec.template.spec.terminationGracePeriodSeconds === 2,
          ),
        { timeoutMs: 120_000 },
      );

      const listed = await client.list(myDeployments, { labelSelector: labelSelector(staticLabels) });
      assert.ok(listed.items.some((d) => d.metadata.name === name && d.metadata.namespace === ns.name), 'not found by label across namespaces');

      // Update: a label, 2 replicas, another image.
      await updateWithRetries(myDeployments, ns.name, name, (d) =>
        withContainer({ ...d, metadata: { ...d.metadata, labels: { ...d.metadata.labels, 'test-deployment': 'updated' } }, spec: { ...d.spec, replicas: 2 } }, { image: agnhostImage }),
      );
      const viaStatus = await client.request<MyDeployment>({ method: 'GET', path: resourcePath(myDeployments, ns.name, name, 'status') });
      assert.equal(templateImage(viaStatus), agnhostImage);
      assert.equal(viaStatus.metadata.labels?.['test-deployment'], 'updated');
      const repairedState = (d: MyDeployment): boolean =>
        replicasOf(d).ready === 2 && replicasOf(d).updated === 2 && replicasOf(d).unavailable === 0 && templateImage(d) === agnhostImage && deploymentComplete(d);
      await watch.waitState('2 ready and updated replicas of the updated template', (state) => [...state.values()].some(repairedState), { timeoutMs: 120_000 });

      // Tamper with status: the watch sees it, and the controller puts the truth back.
      await client.patch(myDeployments, ns.name, name, 'merge', { status: { readyReplicas: 0, availableReplicas: 0 } }, { subresource: 'status' });
      await watch.waitState('the tampered status', () => watch.events.some((e) => e.type === 'MODIFIED' && e.object.status?.readyReplicas === 0 && (e.object.status.availableReplicas ?? 0) === 0 && templateImage(e.object) === agnhostImage));
      const tamperedAt = watch.events.findIndex((e) => e.type === 'MODIFIED' && e.object.status?.readyReplicas === 0 && templateImage(e.object) === agnhostImage);
      await watch.waitState('status repaired by the controller', () => watch.events.slice(tamperedAt + 1).some((e) => repairedState(e.object)), { timeoutMs: 60_000 });

      // Delete the collection: the watch sees it go.
      await client.deleteCollection(myDeployments, { namespace: ns.name, labelSelector: labelSelector(staticLabels), gracePeriodSeconds: 1 });
      await watch.waitState('the MyDeployment deleted', () => watch.events.some((e) => e.type === 'DELETED' && e.object.metadata.name === name), { timeoutMs: 60_000 });
    } finally {
      await watch.stop();
    }
  });

  it('reads, updates and patches the status subresource; its own conditions come back, custom ones stay', async () => {
    const client = await testClient();
    const name = 'test-deployment-status';
    const podLabels = { name: agnhostImageName, e2e: 'testing' };
    const watch = await Recorder.start(myDeployments, ns.name);
    try {
      await client.create(myDeployments, newMyDeployment(ns.name, name, 1, podLabels, agnhostImageName, agnhostImage));
      await waitForDeploymentRevisionAndImage(ns.name, name, '1', agnhostImage);
      await waitForDeploymentComplete(ns.name, name);

      const viaStatus = await client.request<MyDeployment>({ method: 'GET', path: resourcePath(myDeployments, ns.name, name, 'status') });
      assert.equal(viaStatus.metadata.name, name);
      assert.equal(viaStatus.status?.replicas, 1);

      for (let attempt = 0; ; attempt++) {
        const current = await getDeploy(ns.name, name);
        const conditions = [...(current.status?.conditions ?? []), { type: 'StatusUpdate', status: 'True' as const, reason: 'E2E', message: 'Set from e2e test' }];
        try {
          await client.update(myDeployments, { ...current, status: { ...current.status, conditions } }, { subresource: 'status' });
          break;
        } catch (err) {
          if (!isConflict(err) || attempt >= 20) throw err;
        }
      }
      await watch.waitState('the StatusUpdate condition', (state) =>
        [...state.values()].some((d) => d.metadata.labels?.e2e === 'testing' && condition(d, 'StatusUpdate')?.reason === 'E2E' && condition(d, 'StatusUpdate')?.message === 'Set from e2e test'),
      );

      // A merge patch of /status replaces the conditions list; the controller (enqueued by the
      // status-only update) adds Available and Progressing back and keeps StatusPatched.
      await client.patch(myDeployments, ns.name, name, 'merge', { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } }, { subresource: 'status' });
      await watch.waitState('the StatusPatched condition', () => watch.events.some((e) => condition(e.object, 'StatusPatched') !== undefined));
      const restored = await waitForDeployment(
        ns.name,
        name,
        'Available and Progressing back beside StatusPatched',
        (d) => condition(d, 'StatusPatched')?.status === 'True' && condition(d, 'Available')?.status === 'True' && condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable',
        { timeoutMs: 60_000 },
      );
      assert.deepEqual(condition(restored, 'StatusPatched'), { type: 'StatusPatched', status: 'True' });
    } finally {
      await watch.stop();
    }
  });

  it('copies new annotations (never removing one) and minReadySeconds to its current replica set without a rollout, and restores its revision annotation', async () => {
    const client = await testClient();
    const name = 'annotated';
    const labels = { name };
    await client.create(myDeployments, newMyDeployment(ns.name, name, 2, labels, agnhostImageName, agnhostImage));
    const { newRs } = await waitForDeploymentRevisionAndImage(ns.name, name, '1', agnhostImage);
    await waitForDeploymentComplete(ns.name, name);
    const podsBefore = (await client.list(pods, { namespace: ns.name, labelSelector: labelSelector(labels) })).items.map((p) => p.metadata.uid ?? '').sort();

    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    try {
      await updateWithRetries(myDeployments, ns.name, name, (d) => ({
        ...d,
        metadata: { ...d.metadata, annotations: { ...d.metadata.annotations, 'e2e.my.dev/team': 'blue' } },
        spec: { ...d.spec, minReadySeconds: 3 },
      }));
      const rs = await waitFor(
        'the annotation and minReadySeconds on the replica set',
        () => client.get(myReplicaSets, ns.name, newRs.metadata.name ?? ''),
        (r) => r.metadata.annotations?.['e2e.my.dev/team'] === 'blue' && r.spec.minReadySeconds === 3,
      );
      assert.equal(rs.metadata.annotations?.[revisionAnnotation], '1');
      await waitForDeploymentComplete(ns.name, name);
      await rsWatch.expectNoEventFor(quietMs, 'a replica set was created', (e) => e.type === 'ADDED');

      // Copying only adds and overwrites: an annotation removed from the Deployment stays on the set.
      const removed = await updateWithRetries(myDeployments, ns.name, name, (d) => {
        const annotations: Record<string, string> = { ...d.metadata.annotations, 'e2e.my.dev/other': 'x' };
        delete annotations['e2e.my.dev/team'];
        return { ...d, metadata: { ...d.metadata, annotations } };
      });
      assert.equal(removed.metadata.annotations?.['e2e.my.dev/team'], undefined);
      const kept = await waitFor('the new annotation copied', () => client.get(myReplicaSets, ns.name, newRs.metadata.name ?? ''), (r) => r.metadata.annotations?.['e2e.my.dev/other'] === 'x');
      assert.equal(kept.metadata.annotations?.['e2e.my.dev/team'], 'blue', 'an annotation was removed from the replica set');
    } finally {
      await rsWatch.stop();
    }
    const podsAfter = (await client.list(pods, { namespace: ns.name, labelSelector: labelSelector(labels) })).items.map((p) => p.metadata.uid ?? '').sort();
    assert.deepEqual(podsAfter, podsBefore, 'pods were replaced');
    assert.equal(revisionOf(await getDeploy(ns.name, name)), '1');

    // Someone strips the revision annotation: the controller writes it back from the replica set.
    await client.patch(myDeployments, ns.name, name, 'merge', { metadata: { annotations: { [revisionAnnotation]: null } } });
    await waitForDeployment(ns.name, name, 'the revision annotation back', (d) => revisionOf(d) === '1', { timeoutMs: 60_000 });
  });

  it('copies its new replica set’s ReplicaFailure (pod quota exceeded) and drops it once the quota suffices', async () => {
    const client = await testClient();
    const name = 'quota';
    await client.create(resourceQuotas, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns.name }, spec: { hard: { pods: '2' } } });
    await waitFor('the quota synced', () => client.get(resourceQuotas, ns.name, name), (q) => q.status?.hard?.pods === '2', { timeoutMs: 60_000 });
    await client.create(myDeployments, newMyDeployment(ns.name, name, 3, { name }, agnhostImageName, agnhostImage));
    const failing = await waitForDeployment(ns.name, name, 'ReplicaFailure from its replica set', (d) => condition(d, 'ReplicaFailure')?.status === 'True', { timeoutMs: 60_000 });
    const failure = condition(failing, 'ReplicaFailure');
    assert.equal(failure?.reason, 'FailedCreate');
    assert.match(failure?.message ?? '', /exceeded quota/);
    // 3 replicas at 25%: 0 may be unavailable, and only 2 pods fit the quota.
    assert.deepEqual([condition(failing, 'Available')?.status, condition(failing, 'Available')?.reason], ['False', 'MinimumReplicasUnavailable']);
    await updateWithRetries(myDeployments, ns.name, name, (d) => ({ ...d, spec: { ...d.spec, replicas: 2 } }));
    const fixed = await waitForDeployment(ns.name, name, 'complete without ReplicaFailure', (d) => deploymentComplete(d) && condition(d, 'ReplicaFailure') === undefined, { timeoutMs: 60_000 });
    assert.equal(fixed.status?.availableReplicas, 2);
  });

  it('is the scale target of a HorizontalPodAutoscaler: read and resized through /scale, selector usable', async () => {
    const client = await testClient();
    const name = 'hpa-target';
    await client.create(myDeployments, newMyDeployment(ns.name, name, 1, { name }, agnhostImageName, agnhostImage));
    await waitForDeploymentComplete(ns.name, name);

    // No metrics server here: the HPA can still read the scale and enforce minReplicas through it.
    await client.create(horizontalPodAutoscalers, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace: ns.name },
      spec: {
        scaleTargetRef: { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name },
        minReplicas: 2,
        maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      },
    });
    const scaled = await waitForDeployment(ns.name, name, 'resized to minReplicas 2 by the HPA', (d) => d.spec.replicas === 2 && deploymentComplete(d), { timeoutMs: 120_000 });
    assert.equal(scaled.status?.replicas, 2);

    // Next HPA pass (15 s period): the scale read succeeds, the selector parses, metrics are missing.
    const hpa = await waitFor(
      'the HPA to report AbleToScale True and ScalingActive False for want of metrics',
      () => client.get(horizontalPodAutoscalers, ns.name, name),
      (h) => {
        const able = h.status?.conditions?.find((c) => c.type === 'AbleToScale');
        const active = h.status?.conditions?.find((c) => c.type === 'ScalingActive');
        return able?.status === 'True' && active?.status === 'False' && h.status?.currentReplicas === 2;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    const able = hpa.status?.conditions?.find((c) => c.type === 'AbleToScale');
    const active = hpa.status?.conditions?.find((c) => c.type === 'ScalingActive');
    assert.equal(able?.status, 'True', JSON.stringify(hpa.status));
    assert.equal(active?.reason, 'FailedGetResourceMetric', `the scale selector was not usable: ${JSON.stringify(hpa.status)}`);
    const d = await getDeploy(ns.name, name);
    assert.equal(d.spec.replicas, 2, describeDeployment(d));
  });
});
