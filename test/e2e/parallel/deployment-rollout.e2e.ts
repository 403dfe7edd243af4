// MyDeployment rolling updates, ported from upstream test/e2e/apps/deployment.go: rollover of a
// stuck rollout, the maxSurge / maxUnavailable bounds replayed from watches at every step of a
// 10-replica rollout, and iterative rollouts (template changes, rollbacks, scaling, pause toggles and
// pod deletions in random order) that must end complete.
//
// Pods turn Ready within a second here: the bounds are checked on every event of watches opened
// before the update, not on polls that only see the end.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import { myDeployments, myReplicaSets } from '../../../src/api/workloads.ts';
import type { MyDeployment } from '../../../src/api/workloads.ts';
import { isNotFound } from '../../../src/runtime/client/errors.ts';
import { createNamespace, testClient } from '../support/env.ts';
import { isDeleting, podName } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import { seededRandom } from '../support/reliability.ts';
import {
  agnhostImage,
  agnhostImageName,
  assertMinReady,
  assertReplicaSetSumBound,
  condition,
  deploymentReplicaSets,
  describeDeployment,
  describeReplicaSets,
  getDeploy,
  labelSelector,
  listPods,
  newMyDeployment,
  newMyReplicaSet,
  prevAgnhostImage,
  resolveFenceposts,
  rollbackToAnnotation,
  rsSettled,
  updateMyDeployment,
  waitForDeployment,
  waitForDeploymentComplete,
  waitForDeploymentRevisionAndImage,
  waitForObservedDeployment,
  waitForPodsRunningReady,
  waitForRs,
  withAnnotations,
  withContainer,
} from '../support/deployment.ts';

describe('MyDeployment rolling updates: rollover, surge and availability bounds, iterative rollouts (upstream deployment.go)', function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('mdeploy-rollout');
  });
  afterEach(async () => ns.remove());

  it('rolls over a stuck rollout: a new template mid-rollout scales both earlier replica sets to 0', async () => {
    const client = await testClient();
    const rsPodLabels = { name: 'rollover-pod', pod: agnhostImageName };
    await client.create(myReplicaSets, newMyReplicaSet(ns.name, 'test-rollover-controller', 1, rsPodLabels, agnhostImageName, agnhostImage));
    await waitForPodsRunningReady(ns.name, rsPodLabels, 1);
    await waitForRs(ns.name, 'test-rollover-controller', 'ready', rsSettled(1));

    // upstream's unpullable image; here one kwok never makes Ready, so the rollout is stuck for sure.
    const name = 'test-rollover-deployment';
    const stuckImage = 'gcr.io/google_samples/gb-redisslave:nonexistent-notready';
    const created = await client.create(
      myDeployments,
      newMyDeployment(ns.name, name, 1, { name: 'rollover-pod' }, 'redis-slave', stuckImage, 'RollingUpdate', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        minReadySeconds: 10,
      }),
    );
    await waitForDeployment(ns.name, name, 'updatedReplicas ≥ 1', (d) => (d.status?.updatedReplicas ?? 0) >= 1 && (d.status?.observedGeneration ?? 0) >= (created.metadata.generation ?? 1));
    const { newRs: stuckRs } = await waitForDeploymentRevisionAndImage(ns.name, name, '1', stuckImage);
    assert.equal(stuckRs.spec.minReadySeconds, 10, 'minReadySeconds not copied to the new replica set');
    // Both replica sets hold one pod: the adopted one cannot go before the new pod is available.
    await waitForRs(ns.name, 'test-rollover-controller', 'spec = status = 1', (rs) => rs.spec.replicas === 1 && rs.status?.replicas === 1);
    await waitForRs(ns.name, stuckRs.metadata.name ?? '', 'spec = status = 1', (rs) => rs.spec.replicas === 1 && rs.status?.replicas === 1);

    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    const deployWatch = await Recorder.start(myDeployments, ns.name);
    try {
      const updated = await updateMyDeployment(ns.name, name, (d) => withContainer(d, { name: agnhostImageName, image: agnhostImage }));
      await waitForObservedDeployment(ns.name, name, updated.metadata.generation ?? 1);
      await waitForDeploymentRevisionAndImage(ns.name, name, '2', agnhostImage);
      await waitForDeploymentComplete(ns.name, name);
      await rsWatch.caughtUp();
      await deployWatch.caughtUp();
      // upstream waitForDeploymentCompleteAndCheckRolling, on every event: Σ spec ≤ 1 + 1, available ≥ 1 − 0.
      assertReplicaSetSumBound(rsWatch, updated, 2);
      for (const e of deployWatch.events) {
        assert.ok((e.object.status?.availableReplicas ?? 0) >= 1, `available below 1: ${describeDeployment(e.object)}`);
      }
      await waitForRs(ns.name, 'test-rollover-controller', '0 replicas', rsSettled(0));
      await waitForRs(ns.name, stuckRs.metadata.name ?? '', '0 replicas', rsSettled(0));
    } finally {
      await rsWatch.stop();
      await deployWatch.stop();
    }
  });

  it('keeps Σ replica set sizes ≤ replicas + maxSurge and Ready pods ≥ replicas − maxUnavailable at every step of a 10-replica rollout (25%/25%)', async () => {
    const client = await testClient();
    const name = 'bounded';
    const labels = { name };
    const replicas = 10;
    const { surge, unavailable } = resolveFenceposts(replicas, '25%', '25%');
    assert.deepEqual({ surge, unavailable }, { surge: 3, unavailable: 2 });
    await client.create(
      myDeployments,
      newMyDeployment(ns.name, name, replicas, labels, agnhostImageName, prevAgnhostImage, 'RollingUpdate', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      }),
    );
    await waitForDeploymentComplete(ns.name, name);
    await waitForPodsRunningReady(ns.name, labels, replicas);

    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    const deployWatch = await Recorder.start(myDeployments, ns.name);
    try {
      const updated = await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: agnhostImage }));
      await waitForDeploymentRevisionAndImage(ns.name, name, '2', agnhostImage);
      const complete = await waitForDeploymentComplete(ns.name, name);
      const running = await waitForPodsRunningReady(ns.name, labels, replicas);
      assert.ok(running.every((p: Pod) => p.spec.containers[0]?.image === agnhostImage), 'old pods are left');
      await rsWatch.caughtUp();
      await podWatch.caughtUp();
      await deployWatch.caughtUp();

      // upstream checkRollingUpdateStatus, on every status the controller wrote: available ≥ 8.
      for (const e of deployWatch.events) {
        assert.ok((e.object.status?.availableReplicas ?? 0) >= replicas - unavailable, `below minimum availability: ${describeDeployment(e.object)}`);
      }
      const highest = assertReplicaSetSumBound(rsWatch, updated, replicas + surge);
      // How low Ready goes depends on when the new pods' readiness reaches the controller: only the bound is asserted.
      assertMinReady(podWatch, labels, replicas - unavailable);
      // The surge was used (the new set starts at 3 while the old one still has 10), or the test proves little.
      assert.ok(highest > replicas, `the surge was never used (highest Σ ${highest})`);
      const sets = await deploymentReplicaSets(complete);
      assert.equal(sets.old.length, 1, describeReplicaSets(sets.all).join('; '));
      assert.equal(sets.old[0]?.spec.replicas, 0);
    } finally {
      await rsWatch.stop();
      await podWatch.stop();
      await deployWatch.stop();
    }
  });

  it('with maxSurge 0 and maxUnavailable 1, never goes above replicas and keeps replicas − 1 Ready', async () => {
    const client = await testClient();
    const name = 'no-surge';
    const labels = { name };
    const replicas = 4;
    await client.create(
      myDeployments,
      newMyDeployment(ns.name, name, replicas, labels, agnhostImageName, prevAgnhostImage, 'RollingUpdate', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      }),
    );
    await waitForDeploymentComplete(ns.name, name);
    await waitForPodsRunningReady(ns.name, labels, replicas);
    const rsWatch = await Recorder.start(myReplicaSets, ns.name);
    const podWatch = await Recorder.start(pods, ns.name);
    try {
      const updated = await updateMyDeployment(ns.name, name, (d) => withContainer(d, { image: agnhostImage }));
      await waitForDeploymentRevisionAndImage(ns.name, name, '2', agnhostImage);
      await waitForDeploymentComplete(ns.name, name);
      await waitForPodsRunningReady(ns.name, labels, replicas);
      await rsWatch.caughtUp();
      await podWatch.caughtUp();
      assertReplicaSetSumBound(rsWatch, updated, replicas);
      assertMinReady(podWatch, labels, replicas - 1);
    } finally {
      await rsWatch.stop();
      await podWatch.stop();
    }
  });

  it('eventually progresses through random template changes, rollbacks, scaling, pause toggles and pod deletions', async () => {
    const client = await testClient();
    const seed = Number(process.env.E2E_SEED ?? Date.now() % 2 ** 31);
    const rand = seededRandom(seed);
    const log: string[] = [`seed ${seed}`];
    const name = 'webserver';
    const labels = { name: agnhostImageName };
    await client.create(
      myDeployments,
      newMyDeployment(ns.name, name, 6, labels, agnhostImageName, agnhostImage, 'RollingUpdate', { progressDeadlineSeconds: 300, revisionHistoryLimit: 2 }),
    );
    const randomScale = (d: MyDeployment, i: number): MyDeployment => {
      const r = rand();
      const current = d.spec.replicas ?? 1;
      if (r < 0.3) {
        log.push(`${i}: scale up to ${current + 1}`);
        return { ...d, spec: { ...d.spec, replicas: current + 1 } };
      }
      if (r < 0.6 && current > 1) {
        log.push(`${i}: scale down to ${current - 1}`);
        return { ...d, spec: { ...d.spec, replicas: current - 1 } };
      }
      return d;
    };

    try {
      let last = await getDeploy(ns.name, name);
      const steps = 10;
      for (let i = 0; i < steps; i++) {
        // Sometimes let the controller catch up first, sometimes pile the next change on.
        if (rand() < 0.5) await waitForObservedDeployment(ns.name, name, last.metadata.generation ?? 1, { timeoutMs: 60_000 });
        const n = rand();
        if (n < 0.2) {
          log.push(`${i}: new rollout (env A${i})`);
          last = await updateMyDeployment(ns.name, name, (d) => {
            const first = d.spec.template.spec.containers[0];
            const raw: unknown = first?.env;
            const env: unknown[] = Array.isArray(raw) ? raw.map((e: unknown): unknown => e) : [];
            return randomScale(withContainer(d, { env: [...env, { name: `A${i}`, value: String(i) }] }), i);
          });
        } else if (n < 0.4) {
          log.push(`${i}: roll back to the previous revision`);
          last = await updateMyDeployment(ns.name, name, (d) => withAnnotations(d, { [rollbackToAnnotation]: '0' }));
        } else if (n < 0.6) {
          log.push(`${i}: scale`);
          last = await updateMyDeployment(ns.name, name, (d) => randomScale(d, i));
        } else if (n < 0.8) {
          log.push(`${i}: ${last.spec.paused ? 'resume' : 'pause'}`);
          last = await updateMyDeployment(ns.name, name, (d) => randomScale({ ...d, spec: { ...d.spec, paused: !d.spec.paused } }, i));
        } else {
          const victims = (await listPods(ns.name, labelSelector(labels))).filter((p) => !isDeleting(p) && rand() >= 0.5);
          log.push(`${i}: delete pods ${victims.map(podName).join(', ') || '(none)'}`);
          for (const p of victims) {
            try {
              await client.delete(pods, ns.name, podName(p));
            } catch (err) {
              if (!isNotFound(err)) throw err;
            }
          }
        }
      }
      last = await getDeploy(ns.name, name);
      if (last.spec.paused) {
        log.push('resume at the end');
        last = await updateMyDeployment(ns.name, name, (d) => ({ ...d, spec: { ...d.spec, paused: false } }));
      }
      await waitForObservedDeployment(ns.name, name, last.metadata.generation ?? 1);
      const complete = await waitForDeploymentComplete(ns.name, name, { timeoutMs: 180_000 });
      await waitForDeployment(ns.name, name, 'Progressing True / NewReplicaSetAvailable', (d) => condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' && condition(d, 'Progressing')?.status === 'True');
      // revisionHistoryLimit 2: at most two old replica sets stay once the rollout is complete.
      await waitForDeployment(ns.name, name, 'at most 2 old replica sets', (_d, sets) => sets.old.length <= 2, { timeoutMs: 60_000 });
      await waitForPodsRunningReady(ns.name, labels, complete.spec.replicas ?? 1);
    } catch (err) {
      throw new Error(`iterative rollout failed; steps: ${log.join(' | ')}`, { cause: err });
    }
  });
});
