// MyReplicaSet as an API object, ported from upstream test/e2e/apps/replica_set.go: the scale
// subresource (and its selector string for matchExpressions), Replace and Patch, list and delete a collection, the status endpoints (custom
// conditions survive the controller's own status writes), and the ReplicaFailure condition on an
// exceeded pod quota (kube-controller-manager's quota controller runs in this cluster).
//
// Upstream patches with strategic merge; custom resources take JSON merge patches instead.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyReplicaSet } from '../../../src/api/workloads.ts';
import { myReplicaSets } from '../../../src/api/workloads.ts';
import { isConflict } from '../../../src/runtime/client/errors.ts';
import { resourcePath } from '../../../src/runtime/client/rest.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';
import { controlledBy, isDeleting, podImage, podName, uidOf } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  agnhostImage,
  agnhostImageName,
  condition,
  eventsOf,
  exerciseScaleSubresource,
  getRs,
  labelSelector,
  newMyReplicaSet,
  observed,
  parseScale,
  pauseImage,
  podCreations,
  resourceQuotas,
  rsPods,
  rsSettled,
  selectorTerms,
  updateMyReplicaSet,
  waitForPodsRunningReady,
  waitForRs,
} from '../support/deployment.ts';

const rsPodLabels = { name: 'sample-pod', pod: agnhostImageName };

describe('MyReplicaSet API: scale subresource, replace and patch, collections, status endpoints, quota (upstream replica_set.go)', function () {
  this.timeout(240_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('mrs-api');
  });
  afterEach(async () => ns.remove());

  it('has a working scale subresource: GET, PUT and merge-PATCH /scale, status.selector selecting its pods', async () => {
    const client = await testClient();
    const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'test-rs', 1, rsPodLabels, agnhostImageName, agnhostImage));
    await waitForRs(ns.name, 'test-rs', '1 replica available', rsSettled(1));
    const scale = await exerciseScaleSubresource(myReplicaSets, ns.name, 'test-rs');
    assert.deepEqual(selectorTerms(scale.status.selector), ['name=sample-pod', 'pod=agnhost']);

    await waitForRs(ns.name, 'test-rs', '4 replicas available', rsSettled(4));
    const after = parseScale(await client.request<unknown>({ method: 'GET', path: resourcePath(myReplicaSets, ns.name, 'test-rs', 'scale') }));
    assert.deepEqual({ spec: after.spec.replicas, status: after.status.replicas }, { spec: 4, status: 4 });
    // The selector string selects exactly the set's pods (what an HPA does with it).
    const selected = await client.list(pods, { namespace: ns.name, labelSelector: after.status.selector });
    assert.deepEqual(selected.items.map(podName).sort(), (await rsPods(rs)).map(podName).sort());
    const out = await kubectl(['scale', 'mrs', 'test-rs', '-n', ns.name, '--replicas=2']);
    assert.match(out, /scaled/);
    await waitForRs(ns.name, 'test-rs', '2 replicas available after kubectl scale', rsSettled(2));
  });

  it('selects by matchExpressions: adopts only matching orphans and renders the selector for /scale as a label selector string', async () => {
    const client = await testClient();
    const base = newMyReplicaSet(ns.name, 'expr', 2, { app: 'expr', tier: 'web' }, agnhostImageName, agnhostImage);
    const rs = await client.create(myReplicaSets, {
      ...base,
      spec: {
        ...base.spec,
        selector: {
          matchLabels: { app: 'expr' },
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['web', 'api'] },
            { key: 'canary', operator: 'DoesNotExist' },
          ],
        },
      },
    });
    await waitForRs(ns.name, 'expr', '2 replicas available', rsSettled(2));
    const scale = parseScale(await client.request<unknown>({ method: 'GET', path: resourcePath(myReplicaSets, ns.name, 'expr', 'scale') }));
    // upstream labels.Selector String(): requirements sorted by key, values sorted.
    assert.equal(scale.status.selector, 'app=expr,!canary,tier in (api,web)');
    const selected = await client.list(pods, { namespace: ns.name, labelSelector: scale.status.selector });
    assert.deepEqual(selected.items.map(podName).sort(), (await rsPods(rs)).map(podName).sort());

    // Orphans: a canary is not selected, an `api` one is (and is one too many, so one pod goes).
    const orphan = (podName: string, labels: Record<string, string>): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: podName, namespace: ns.name, labels },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: agnhostImageName, image: agnhostImage }] },
    });
    const canary = await client.create(pods, orphan('canary', { app: 'expr', tier: 'web', canary: 'true' }));
    const api = await client.create(pods, orphan('api', { app: 'expr', tier: 'api' }));
    await waitFor(
      'the api orphan adopted or removed',
      async () => {
        const current = await client.list(pods, { namespace: ns.name });
        return current.items.find((p) => uidOf(p) === uidOf(api));
      },
      (p) => p === undefined || isDeleting(p) || controlledBy(p, rs),
    );
    await waitForRs(ns.name, 'expr', '2 replicas again', rsSettled(2));
    const stillOrphan = await client.get(pods, ns.name, 'canary');
    assert.equal(uidOf(stillOrphan), uidOf(canary));
    assert.deepEqual(stillOrphan.metadata.ownerReferences ?? [], [], 'the canary pod was adopted');
  });

  it('is replaced and patched: spec.replicas 2 by update, then labels, replicas 3 and the template by merge patch', async () => {
    const client = await testClient();
    const watch = await Recorder.start(myReplicaSets, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      const created = await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'test-rs', 1, rsPodLabels, agnhostImageName, agnhostImage));
      await waitForPodsRunningReady(ns.name, rsPodLabels, 1);

      await updateMyReplicaSet(ns.name, 'test-rs', (rs) => ({ ...rs, spec: { ...rs.spec, replicas: 2 } }));
      // Both pods of the first template exist before the template changes (upstream races here).
      await waitForPodsRunningReady(ns.name, rsPodLabels, 2);
      const patched = await client.patch(myReplicaSets, ns.name, 'test-rs', 'merge', {
        metadata: { labels: { 'test-rs': 'patched' } },
        spec: { replicas: 3, template: { spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'test-rs', image: pauseImage }] } } },
      });
      assert.ok(BigInt(patched.metadata.resourceVersion ?? '0') > BigInt(created.metadata.resourceVersion ?? '0'), 'the patch did not raise the resourceVersion');
      await watch.waitState('test-rs patched with 3 ready and available replicas', (state) =>
        [...state.values()].some(
          (rs) =>
            rs.metadata.labels?.['test-rs'] === 'patched' &&
            rs.status?.readyReplicas === 3 &&
            rs.status.availableReplicas === 3 &&
            rs.spec.template?.spec.containers[0]?.image === pauseImage &&
            rs.spec.template.spec.terminationGracePeriodSeconds === 0,
        ),
        { timeoutMs: 120_000 },
      );
      // A ReplicaSet does not roll: the pods it had keep the old template, only the third is new.
      const running = await waitForPodsRunningReady(ns.name, rsPodLabels, 3);
      assert.deepEqual(running.map(podImage).sort(), [agnhostImage, agnhostImage, pauseImage]);
      await podWatch.caughtUp();
      assert.equal(podCreations(podWatch).length, 3);
    } finally {
      await watch.stop();
      await podWatch.stop();
    }
  });

  it('lists MyReplicaSets across namespaces by label and deletes a collection of them, their pods with them', async () => {
    const client = await testClient();
    const e2eValue = randomBytes(3).toString('hex');
    const labels = { ...rsPodLabels, e2e: e2eValue };
    await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'test-rs', 3, labels, agnhostImageName, agnhostImage));
    await waitForPodsRunningReady(ns.name, labels, 3);
    const listed = await client.list(myReplicaSets, { labelSelector: `e2e=${e2eValue}` });
    assert.deepEqual(listed.items.map((rs) => `${rs.metadata.namespace ?? ''}/${rs.metadata.name ?? ''}`), [`${ns.name}/test-rs`]);

    await client.deleteCollection(myReplicaSets, { namespace: ns.name, labelSelector: `e2e=${e2eValue}`, gracePeriodSeconds: 1 });
    const after = await client.list(myReplicaSets, { labelSelector: `e2e=${e2eValue}` });
    assert.deepEqual(after.items, []);
    await waitFor(
      'the pods of the deleted MyReplicaSet gone',
      async () => (await client.list(pods, { namespace: ns.name, labelSelector: labelSelector(labels) })).items.map(podName),
      (names) => names.length === 0,
      { timeoutMs: 90_000 },
    );
  });

  it('reads, updates and patches the status subresource, and keeps conditions it does not own through its own status writes', async () => {
    const client = await testClient();
    const watch = await Recorder.start(myReplicaSets, ns.name);
    try {
      const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'test-rs', 1, rsPodLabels, agnhostImageName, agnhostImage));
      await waitForPodsRunningReady(ns.name, rsPodLabels, 1);
      await waitForRs(ns.name, 'test-rs', '1 replica available', rsSettled(1));

      const viaStatus = await client.request<MyReplicaSet>({ method: 'GET', path: resourcePath(myReplicaSets, ns.name, 'test-rs', 'status') });
      assert.equal(viaStatus.metadata.name, 'test-rs');
      assert.equal(viaStatus.status?.replicas, 1);

      // PUT /status with a condition appended (retried on conflict: the controller writes status too).
      for (let attempt = 0; ; attempt++) {
        const current = await getRs(ns.name, 'test-rs');
        const conditions = [...(current.status?.conditions ?? []), { type: 'StatusUpdate', status: 'True' as const, reason: 'E2E', message: 'Set from e2e test' }];
        try {
          await client.update(myReplicaSets, { ...current, status: { ...current.status, conditions } }, { subresource: 'status' });
          break;
        } catch (err) {
          if (!isConflict(err) || attempt >= 20) throw err;
        }
      }
      await watch.waitState('the StatusUpdate condition', (state) =>
        [...state.values()].some((s) => s.metadata.labels?.name === 'sample-pod' && s.metadata.labels.pod === agnhostImageName && condition(s, 'StatusUpdate')?.message === 'Set from e2e test'),
      );

      // A merge patch of /status: the conditions list becomes this one.
      await client.patch(myReplicaSets, ns.name, 'test-rs', 'merge', { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } }, { subresource: 'status' });
      await watch.waitState('the StatusPatched condition', (state) => [...state.values()].some((s) => condition(s, 'StatusPatched') !== undefined));
      const patchedAt = watch.events.findIndex((e) => condition(e.object, 'StatusPatched') !== undefined);

      // The controller writes status again (a new generation, new replicas); the condition survives.
      await updateMyReplicaSet(ns.name, 'test-rs', (r) => ({ ...r, spec: { ...r.spec, replicas: 2 } }));
      await waitForRs(ns.name, 'test-rs', '2 replicas available', rsSettled(2));
      await watch.caughtUp();
      const after = watch.events.slice(patchedAt);
      for (const e of after) {
        assert.deepEqual(condition(e.object, 'StatusPatched'), { type: 'StatusPatched', status: 'True' }, `status lost the condition: ${JSON.stringify(e.object.status)}`);
      }
      assert.ok(after.filter((e) => e.object.status?.replicas === 2).length >= 1, 'the controller never wrote status after the patch');
      assert.ok(controlledBy((await rsPods(rs))[0] ?? rs, rs));
    } finally {
      await watch.stop();
    }
  });

  it('surfaces ReplicaFailure when a pod quota refuses creations, and drops it once the quota suffices', async () => {
    const client = await testClient();
    const name = 'condition-test';
    await client.create(resourceQuotas, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns.name }, spec: { hard: { pods: '2' } } });
    // The quota admits nothing until kube-controller-manager has computed its status.
    await waitFor('the quota synced', () => client.get(resourceQuotas, ns.name, name), (q) => q.status?.hard?.pods === '2', { timeoutMs: 60_000 });

    const watch = await Recorder.start(myReplicaSets, ns.name);
    try {
      const rs = await client.create(myReplicaSets, newMyReplicaSet(ns.name, name, 3, { name }, agnhostImageName, agnhostImage));
      const failing = await watch.waitState(
        'ReplicaFailure on the current generation',
        (state) => [...state.values()].some((r) => observed(r) && condition(r, 'ReplicaFailure') !== undefined),
        { timeoutMs: 60_000 },
      );
      const failure = [...failing.values()].map((r) => condition(r, 'ReplicaFailure')).find((c) => c !== undefined);
      assert.equal(failure?.status, 'True');
      assert.equal(failure.reason, 'FailedCreate');
      assert.match(failure.message ?? '', /exceeded quota/);
      const warnings = await waitFor(
        'a FailedCreate event',
        () => eventsOf(rs),
        (es) => es.some((e) => e.reason === 'FailedCreate' && e.type === 'Warning'),
      );
      assert.match(warnings.find((e) => e.reason === 'FailedCreate')?.message ?? '', /^Error creating: .*exceeded quota/);
      const active = (await rsPods(rs)).filter((p) => !isDeleting(p));
      assert.equal(active.length, 2, 'more pods than the quota allows');

      const scaled = await updateMyReplicaSet(ns.name, name, (r) => ({ ...r, spec: { ...r.spec, replicas: 2 } }));
      await waitForRs(
        ns.name,
        name,
        'no ReplicaFailure on the current generation',
        (r) => (r.status?.observedGeneration ?? 0) >= (scaled.metadata.generation ?? 1) && condition(r, 'ReplicaFailure') === undefined,
        { timeoutMs: 60_000 },
      );
      await waitForRs(ns.name, name, '2 replicas available', rsSettled(2));
    } finally {
      await watch.stop();
    }
  });
});
