// Beyond upstream: kubernetes#67250. With OrderedReady, a rollout to a template whose pod never
// turns Ready stops at the top pod; upstream stays stuck after the template is reverted (or changed
// again) until someone deletes that pod by hand. Ours deletes a not-Ready pod whose revision is
// neither currentRevision nor updateRevision, so the rollout recovers by itself — and, like
// upstream, still waits for a not-Ready pod at currentRevision (the known-good template).
//
// The rule keeps to the partition (a stuck pod below it is never replaced) and, under Parallel, to
// maxUnavailable (replacements count until they are Ready); each replacement is announced by a
// Warning AbandonedRevision on the set.
//
// No test here deletes a pod except the last, which shows the safety rule and the manual way out.
import assert from 'node:assert/strict';
import type { CoreEvent, Pod } from '../../../src/api/core.ts';
import { controllerRevisions, pods } from '../../../src/api/resources.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { createNamespace, testClient } from '../support/env.ts';
import { isDeleting, isReady, podHash, podImage, podName, uidOf } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  byName,
  createHeadlessService,
  describePods,
  isPodDeletion,
  newImage,
  newMyStatefulSet,
  notReadyImage,
  oldImage,
  podCreations,
  podDeletions,
  podNames,
  quietMs,
  setPods,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatefulSetEvents,
  waitForStatus,
  waitSettled,
  withImage,
  withSpec,
} from '../support/statefulset.ts';

const labels = { app: 'web' };

describe('MyStatefulSet stuck rollout recovery (kubernetes#67250)', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('sts-stuck');
    await createHeadlessService(ns.name, 'test', labels);
  });
  afterEach(async () => ns.remove());

  /**
   * A set of 3 at oldImage rolled to the never-Ready image: web-2 is replaced by a pod that never
   * turns Ready, and the rollout stays there. Returns what the recovery is checked against.
   */
  async function stuckRollout(watch: Recorder<Pod>): Promise<{ initial: Pod[]; good: string; broken: string }> {
    const client = await testClient();
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'web', { replicas: 3, labels }));
    const initial = await waitForRunningAndReady(set, podNames('web', 3));
    const good = (await waitSettled(ns.name, 'web', 3)).status?.currentRevision ?? '';

    await updateMyStatefulSet(ns.name, 'web', (s) => withImage(s, notReadyImage));
    const stuck = await waitForStatus(ns.name, 'web', 'web-2 at the broken revision, not Ready', (s) => s.status?.updatedReplicas === 1 && s.status.readyReplicas === 2);
    const broken = stuck.status?.updateRevision ?? '';
    assert.notEqual(broken, good);
    assert.equal(stuck.status?.currentRevision, good);
    await watch.waitState('web-2 Running at the broken image', (state) => {
      const pod = byName(state).get('web-2');
      return pod !== undefined && podImage(pod) === notReadyImage && pod.status?.phase === 'Running' && !isReady(pod);
    });
    // Stuck: nothing else moves.
    await watch.expectNoEventFor(quietMs, 'the rollout went on past a pod that is not Ready', (e) => e.type === 'DELETED' || isDeleting(e.object) || e.type === 'ADDED');
    const now = await setPods(set);
    assert.deepEqual(now.slice(0, 2).map(uidOf), initial.slice(0, 2).map(uidOf), `web-0 and web-1 were replaced: ${describePods(now).join('; ')}`);
    return { initial, good, broken };
  }

  it('recovers by itself when the template is reverted: the broken pod is replaced, the others are never touched', async () => {
    const client = await testClient();
    const watch = await Recorder.start(pods, ns.name);
    const revisionWatch = await Recorder.start(controllerRevisions, ns.name);
    try {
      const { initial, good, broken } = await stuckRollout(watch);
      const revertFrom = watch.events.length;
      const revisionsBefore = revisionWatch.events.filter((e) => e.type === 'ADDED').length;

      await updateMyStatefulSet(ns.name, 'web', (s) => withImage(s, oldImage));
      const set = await client.get(myStatefulSets, ns.name, 'web');
      const recovered = await waitForRunningAndReady(set, podNames('web', 3));
      const done = await waitSettled(ns.name, 'web', 3);
      assert.equal(done.status?.currentRevision, good);
      assert.equal(done.status?.updateRevision, good);
      await watch.caughtUp();
      await revisionWatch.caughtUp();

      for (const pod of recovered) {
        assert.equal(podImage(pod), oldImage);
        assert.equal(podHash(pod), good);
      }
      assert.deepEqual(recovered.slice(0, 2).map(uidOf), initial.slice(0, 2).map(uidOf), 'web-0 or web-1 was restarted');
      // The only pod removed after the revert was the broken one, by the controller.
      const removed = podDeletions(watch).filter((d) => d.index >= revertFrom && d.graceful);
      assert.deepEqual(removed.map((d) => `${d.name}@${podHash(d.pod)}`), [`web-2@${broken}`]);
      // web-2 was deleted twice by now (the rollout, then the recovery): one Event counted twice.
      const events = await waitForStatefulSetEvents(set, 'the Warning AbandonedRevision and the second SuccessfulDelete of web-2', (es) =>
        es.some((e) => e.reason === 'AbandonedRevision') &&
        es.some((e) => e.reason === 'SuccessfulDelete' && (e.message ?? '').includes('Pod web-2 ') && (e.count ?? 1) >= 2),
      );
      const warnings = events.filter((e) => e.reason === 'AbandonedRevision');
      assert.deepEqual(
        warnings.map((e) => `${e.type ?? ''} ${(e.message ?? '').split(',')[0] ?? ''}`),
        [`Warning Pod web-2 at revision ${broken}`],
      );
      // The revert reused the good revision (renumbered): no new ControllerRevision.
      assert.equal(revisionWatch.events.filter((e) => e.type === 'ADDED').length, revisionsBefore);
      const goodRevision = await client.get(controllerRevisions, ns.name, good);
      assert.equal(goodRevision.revision, 3);
    } finally {
      await watch.stop();
      await revisionWatch.stop();
    }
  });

  it('recovers by itself when the template is changed again to a good image, then rolls on in reverse ordinal order', async () => {
    const client = await testClient();
    const watch = await Recorder.start(pods, ns.name);
    try {
      const { good, broken } = await stuckRollout(watch);
      const changeFrom = watch.events.length;

      await updateMyStatefulSet(ns.name, 'web', (s) => withImage(s, newImage));
      const changed = await waitForStatus(ns.name, 'web', 'a third revision', (s) => ![good, broken, undefined].includes(s.status?.updateRevision));
      const third = changed.status?.updateRevision ?? '';
      const done = await waitForStatus(ns.name, 'web', 'the rollout to the third revision complete', (s) => s.status?.currentRevision === third && s.status.readyReplicas === 3);
      assert.equal(done.status?.updatedReplicas, 3);
      const set = await client.get(myStatefulSets, ns.name, 'web');
      const final = await waitForRunningAndReady(set, podNames('web', 3));
      for (const pod of final) {
        assert.equal(podImage(pod), newImage);
        assert.equal(podHash(pod), third);
      }
      await watch.caughtUp();
      const removed = podDeletions(watch).filter((d) => d.index >= changeFrom && d.graceful);
      assert.deepEqual(
        removed.map((d) => `${d.name}@${podHash(d.pod)}`),
        [`web-2@${broken}`, `web-1@${good}`, `web-0@${good}`],
        'the broken pod first, then the rest top down',
      );
    } finally {
      await watch.stop();
    }
  });

  it('recovers a Parallel rollout with maxUnavailable 1, whose budget the broken pod used up, when the template is reverted', async () => {
    const client = await testClient();
    const watch = await Recorder.start(pods, ns.name);
    try {
      const base = newMyStatefulSet(ns.name, 'web', { replicas: 3, labels, spec: { podManagementPolicy: 'Parallel' } });
      const set = await client.create(myStatefulSets, { ...base, spec: { ...base.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } } });
      const initial = await waitForRunningAndReady(set, podNames('web', 3));
      const good = (await waitSettled(ns.name, 'web', 3)).status?.currentRevision ?? '';

      await updateMyStatefulSet(ns.name, 'web', (s) => withImage(s, notReadyImage));
      const stuck = await waitForStatus(ns.name, 'web', 'one pod at the broken revision', (s) => s.status?.updatedReplicas === 1 && s.status.readyReplicas === 2);
      const broken = stuck.status?.updateRevision ?? '';
      await watch.waitState('web-2 Running at the broken image', (state) => {
        const pod = byName(state).get('web-2');
        return pod !== undefined && podImage(pod) === notReadyImage && pod.status?.phase === 'Running';
      });
      await watch.expectNoEventFor(quietMs, 'the rollout went past its budget', (e) => e.type === 'DELETED' || isDeleting(e.object) || e.type === 'ADDED');

      const revertFrom = watch.events.length;
      await updateMyStatefulSet(ns.name, 'web', (s) => withImage(s, oldImage));
      const recovered = await waitForRunningAndReady(set, podNames('web', 3));
      const done = await waitSettled(ns.name, 'web', 3);
      assert.equal(done.status?.currentRevision, good);
      for (const pod of recovered) assert.equal(podHash(pod), good);
      assert.deepEqual(recovered.slice(0, 2).map(uidOf), initial.slice(0, 2).map(uidOf), 'web-0 or web-1 was restarted');
      await watch.caughtUp();
      const removed = podDeletions(watch).filter((d) => d.index >= revertFrom && d.graceful);
      assert.deepEqual(removed.map((d) => `${d.name}@${podHash(d.pod)}`), [`web-2@${broken}`]);
    } finally {
      await watch.stop();
    }
  });

  it('keeps to the partition: a stuck pod below it is never replaced, the one at it is, with a Warning AbandonedRevision', async () => {
    const client = await testClient();
    const watch = await Recorder.start(pods, ns.name);
    const strategy = (partition: number) => ({ type: 'RollingUpdate' as const, rollingUpdate: { maxUnavailable: 2, partition } });
    try {
      const set = await client.create(
        myStatefulSets,
        newMyStatefulSet(ns.name, 'web', { replicas: 3, labels, spec: { podManagementPolicy: 'Parallel', updateStrategy: strategy(0) } }),
      );
      const initial = await waitForRunningAndReady(set, podNames('web', 3));
      const good = (await waitSettled(ns.name, 'web', 3)).status?.currentRevision ?? '';

      // maxUnavailable 2 replaces web-2 and web-1 at once with pods that never turn Ready: stuck.
      await updateMyStatefulSet(ns.name, 'web', (s) => withImage(s, notReadyImage));
      const stuck = await waitForStatus(ns.name, 'web', 'web-1 and web-2 at the broken revision', (s) => s.status?.updatedReplicas === 2 && s.status.readyReplicas === 1);
      const broken = stuck.status?.updateRevision ?? '';
      const stuckState = await watch.waitState('web-1 and web-2 Running at the broken image', (state) =>
        ['web-1', 'web-2'].every((n) => {
          const pod = byName(state).get(n);
          return pod !== undefined && podImage(pod) === notReadyImage && pod.status?.phase === 'Running' && !isReady(pod);
        }),
      );
      const web1 = byName(stuckState).get('web-1');
      assert.ok(web1);

      // Revert the template and raise the partition to 2 in one write: web-1 is now below it.
      const revertFrom = watch.events.length;
      await updateMyStatefulSet(ns.name, 'web', (s) => withSpec(withImage(s, oldImage), { updateStrategy: strategy(2) }));
      await watch.waitState('web-2 back at the good revision and Ready', (state) => {
        const pod = byName(state).get('web-2');
        return pod !== undefined && podHash(pod) === good && isReady(pod) && !isDeleting(pod);
      });
      await waitForStatus(ns.name, 'web', 'web-0 and web-2 Ready', (s) => s.status?.updateRevision === good && (s.status.readyReplicas ?? 0) >= 2);
      await watch.expectNoEventFor(quietMs, 'web-1, below the partition, was replaced', (e) => podName(e.object) === 'web-1' && isPodDeletion(e));
      const now = await setPods(set);
      assert.deepEqual(
        now.map((p) => `${podName(p)}@${podHash(p)}`),
        [`web-0@${good}`, `web-1@${broken}`, `web-2@${good}`],
        describePods(now).join('; '),
      );
      assert.deepEqual(now.slice(1, 2).map(uidOf), [uidOf(web1)], 'web-1 was replaced');
      const warnings = (await waitForStatefulSetEvents(set, 'a Warning AbandonedRevision', (es) => es.some((e) => e.reason === 'AbandonedRevision'))).filter(
        (e) => e.reason === 'AbandonedRevision',
      );
      assert.deepEqual(
        warnings.map((e) => `${e.type ?? ''} ${(e.message ?? '').split(',')[0] ?? ''}`),
        [`Warning Pod web-2 at revision ${broken}`],
      );

      // The partition is all that kept web-1: lowered to 0, the rule replaces it too.
      await updateMyStatefulSet(ns.name, 'web', (s) => withSpec(s, { updateStrategy: strategy(0) }));
      const recovered = await waitForRunningAndReady(set, podNames('web', 3));
      await waitSettled(ns.name, 'web', 3);
      for (const pod of recovered) assert.equal(podHash(pod), good);
      assert.deepEqual(recovered.slice(0, 1).map(uidOf), initial.slice(0, 1).map(uidOf), 'web-0 was restarted');
      await watch.caughtUp();
      const removed = podDeletions(watch).filter((d) => d.index >= revertFrom && d.graceful);
      assert.deepEqual(removed.map((d) => `${d.name}@${podHash(d.pod)}`), [`web-2@${broken}`, `web-1@${broken}`]);
    } finally {
      await watch.stop();
    }
  });

  it('replaces stuck pods under Parallel no faster than maxUnavailable allows (replayed pod watch)', async () => {
    const client = await testClient();
    const watch = await Recorder.start(pods, ns.name);
    const strategy = (maxUnavailable: number) => ({ type: 'RollingUpdate' as const, rollingUpdate: { maxUnavailable } });
    try {
      const set = await client.create(
        myStatefulSets,
        newMyStatefulSet(ns.name, 'web', { replicas: 4, labels, spec: { podManagementPolicy: 'Parallel', updateStrategy: strategy(3) } }),
      );
      const initial = await waitForRunningAndReady(set, podNames('web', 4));
      const good = (await waitSettled(ns.name, 'web', 4)).status?.currentRevision ?? '';

      // maxUnavailable 3: web-3, web-2 and web-1 go at once and come back never Ready.
      await updateMyStatefulSet(ns.name, 'web', (s) => withImage(s, notReadyImage));
      const stuck = await waitForStatus(ns.name, 'web', 'three pods at the broken revision', (s) => s.status?.updatedReplicas === 3 && s.status.readyReplicas === 1);
      const broken = stuck.status?.updateRevision ?? '';
      await watch.waitState('web-1..3 Running at the broken image', (state) =>
        ['web-1', 'web-2', 'web-3'].every((n) => {
          const pod = byName(state).get(n);
          return pod !== undefined && podImage(pod) === notReadyImage && pod.status?.phase === 'Running';
        }),
      );

      // Revert with maxUnavailable 2: three pods to replace, at most two at a time.
      const revertFrom = watch.events.length;
      await updateMyStatefulSet(ns.name, 'web', (s) => withSpec(withImage(s, oldImage), { updateStrategy: strategy(2) }));
      const recovered = await waitForRunningAndReady(set, podNames('web', 4));
      await waitSettled(ns.name, 'web', 4);
      for (const pod of recovered) assert.equal(podHash(pod), good);
      assert.deepEqual(recovered.slice(0, 1).map(uidOf), initial.slice(0, 1).map(uidOf), 'web-0 was restarted');
      await watch.caughtUp();

      // In every state after the revert, replicas being replaced — gone, terminating, or back but
      // not Ready yet — number at most maxUnavailable. Stuck pods still waiting do not count: they
      // were unavailable before the revert and nothing was done to them yet.
      const replaced = (state: Map<string, Pod>): string[] =>
        podNames('web', 4).filter((name) => {
          const pod = byName(state).get(name);
          return pod === undefined || isDeleting(pod) || (podHash(pod) !== broken && !isReady(pod));
        });
      let most: string[] = [];
      let seen = 0;
      for (const step of watch.replay()) {
        if (step.event === undefined) continue;
        if (seen++ < revertFrom) continue;
        const now = replaced(step.state);
        if (now.length > most.length) most = now;
      }
      assert.ok(most.length <= 2, `more than maxUnavailable (2) replaced at once: ${most.join(', ')}`);
      const removed = podDeletions(watch).filter((d) => d.index >= revertFrom && d.graceful);
      // The two highest go in one sync (in index order), web-1 once one of them is back.
      assert.deepEqual(
        removed.map((d) => `${d.name}@${podHash(d.pod)}`),
        [`web-2@${broken}`, `web-3@${broken}`, `web-1@${broken}`],
      );
      const abandoned = (es: readonly CoreEvent[]): CoreEvent[] => es.filter((e) => e.reason === 'AbandonedRevision');
      const warnings = abandoned(await waitForStatefulSetEvents(set, 'three Warnings AbandonedRevision', (es) => abandoned(es).length >= 3));
      assert.deepEqual(warnings.map((e) => (e.message ?? '').split(' ')[1] ?? '').sort(), ['web-1', 'web-2', 'web-3']);
    } finally {
      await watch.stop();
    }
  });

  it('still waits for a not-Ready pod at the current revision (as upstream), until it is deleted by hand', async () => {
    const client = await testClient();
    const watch = await Recorder.start(pods, ns.name);
    try {
      // Born broken: web-0 never turns Ready, so web-1 is never created.
      const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'web', { replicas: 3, labels, image: notReadyImage }));
      const first = await watch.waitState('web-0 Running, not Ready', (state) => {
        const pod = byName(state).get('web-0');
        return pod !== undefined && pod.status?.phase === 'Running' && !isReady(pod);
      });
      const web0 = byName(first).get('web-0');
      assert.ok(web0);
      const created = await waitForStatus(ns.name, 'web', 'a current revision', (s) => (s.status?.currentRevision ?? '') !== '' && s.status?.replicas === 1);
      const current = created.status?.currentRevision ?? '';
      assert.equal(podHash(web0), current);
      await watch.expectNoEventFor(quietMs, 'a pod was created after a predecessor that is not Ready', (e) => e.type === 'ADDED');

      // A good template now: web-0 is at currentRevision, so it is waited for, not replaced.
      await updateMyStatefulSet(ns.name, 'web', (s) => withImage(s, newImage));
      const waiting = await waitForStatus(ns.name, 'web', 'a new update revision', (s) => s.status?.updateRevision !== current);
      assert.equal(waiting.status?.currentRevision, current);
      await watch.expectNoEventFor(quietMs, 'web-0 at the current revision was replaced, or a pod created', (e) => e.type === 'ADDED' || e.type === 'DELETED' || isDeleting(e.object));
      assert.deepEqual((await setPods(set)).map(uidOf), [uidOf(web0)]);

      // The manual way out: delete it; it comes back at the update revision and the set fills up in order.
      const manualFrom = watch.events.length;
      await client.delete(pods, ns.name, 'web-0');
      const running = await waitForRunningAndReady(set, podNames('web', 3));
      const done = await waitSettled(ns.name, 'web', 3);
      for (const pod of running) {
        assert.equal(podImage(pod), newImage);
        assert.equal(podHash(pod), done.status?.currentRevision);
      }
      await watch.caughtUp();
      assert.deepEqual(
        podCreations(watch)
          .filter((c) => c.index >= manualFrom)
          .map((c) => c.name)
          .filter((n, i, all) => all.indexOf(n) === i),
        podNames('web', 3),
      );
      assert.deepEqual(podDeletions(watch).filter((d) => d.graceful).map((d) => podName(d.pod)), ['web-0']);
    } finally {
      await watch.stop();
    }
  });
});
