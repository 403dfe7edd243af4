// MyStatefulSet scaling, ported from upstream test/e2e/apps/statefulset.go: ordered scaling that
// halts on an unhealthy pod, burst scaling with Parallel, the scale subresource, and
// spec.ordinals.start set, increased, decreased and removed.
//
// Order (creation ascending, deletion descending, one at a time) and "nothing happens while a pod is
// unhealthy" are read from a watch opened before the change: pods turn Ready within milliseconds.
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyStatefulSet } from '../../../src/api/workloads.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { resourcePath } from '../../../src/runtime/client/rest.ts';
import { createNamespace, kubectl, testClient, waitFor } from '../support/env.ts';
import { isReady, podName } from '../support/objects.ts';
import { Recorder } from '../support/recorder.ts';
import {
  assertOrderedCreation,
  byName,
  createHeadlessService,
  describePods,
  getMsts,
  newMyStatefulSet,
  notReadyImage,
  ordinalOf,
  podCreations,
  podDeletions,
  podNames,
  isPodDeletion,
  quietMs,
  setPodReadiness,
  setPods,
  stateBefore,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitForStatus,
  waitSettled,
  withSpec,
} from '../support/statefulset.ts';

const labels = { foo: 'bar', baz: 'blah' };

/** `+name` for each creation and `-name` for each graceful deletion the watch saw, in order. */
function transitions(watch: Recorder<Pod>): string[] {
  const marks: { index: number; mark: string }[] = [
    ...podCreations(watch).map((c) => ({ index: c.index, mark: `+${c.name}` })),
    ...podDeletions(watch)
      .filter((d) => d.graceful)
      .map((d) => ({ index: d.index, mark: `-${d.name}` })),
  ];
  return marks.sort((a, b) => a.index - b.index).map((m) => m.mark);
}

/**
 * OrderedReady deletion of condemned pods, from the watch: each happened with every replica present
 * and Ready, no higher-ordinal condemned pod left (terminating ones included), and to a pod that
 * was Ready or was the lowest-ordinal unready one (upstream processCondemned: only the first
 * unhealthy pod may go while unhealthy).
 */
function assertOrderedDeletion(watch: Recorder<Pod>, replicas: readonly string[]): void {
  for (const d of podDeletions(watch).filter((x) => x.graceful)) {
    const before = stateBefore(watch, d.index);
    const context = describePods(before.values()).join('; ');
    for (const name of replicas) {
      const pod = before.get(name);
      assert.ok(pod && isReady(pod), `${d.name} deleted while replica ${name} was not Ready: ${context}`);
    }
    for (const pod of before.values()) {
      if (podName(pod) === d.name || replicas.includes(podName(pod))) continue;
      assert.ok(ordinalOf(podName(pod)) < ordinalOf(d.name), `${d.name} deleted while ${podName(pod)} was still there: ${context}`);
    }
    const target = before.get(d.name);
    const lowestUnready = [...before.values()].filter((p) => !isReady(p)).sort((a, b) => ordinalOf(podName(a)) - ordinalOf(podName(b)))[0];
    assert.ok(target && (isReady(target) || lowestUnready === target), `${d.name} deleted while unhealthy and not the first unhealthy pod: ${context}`);
  }
}

interface Scale {
  readonly metadata: { readonly name?: string; readonly resourceVersion?: string };
  readonly spec: { readonly replicas?: number };
  readonly status: { readonly replicas?: number; readonly selector?: string };
}

function parseScale(body: unknown): Scale {
  assert.ok(isRecord(body) && body.kind === 'Scale' && isRecord(body.metadata) && isRecord(body.spec) && isRecord(body.status), `not a Scale: ${JSON.stringify(body)}`);
  const { metadata, spec, status } = body;
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return {
    metadata: { name: typeof metadata.name === 'string' ? metadata.name : undefined },
    spec: { replicas: num(spec.replicas) },
    status: { replicas: num(status.replicas), selector: typeof status.selector === 'string' ? status.selector : undefined },
  };
}

function terms(selector: string | undefined): string[] {
  return (selector ?? '').split(',').filter(Boolean).sort();
}

describe('MyStatefulSet scaling: ordered, burst, scale subresource, ordinals.start (upstream statefulset.go)', function () {
  this.timeout(240_000);
  let ns: { name: string; remove: () => Promise<void> };
  beforeEach(async () => {
    ns = await createNamespace('sts-scale');
    await createHeadlessService(ns.name, 'test', labels);
  });
  afterEach(async () => ns.remove());

  it('scales up in ascending and down in descending order, halting while a pod is unhealthy', async () => {
    const client = await testClient();
    const watch = await Recorder.start(pods, ns.name);
    try {
      const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 1, labels }));
      await waitForRunningAndReady(set, ['ss-0']);
      await waitSettled(ns.name, 'ss', 1);

      // ss-0 unhealthy: scaling up to 3 creates nothing.
      await setPodReadiness(ns.name, 'ss-0', false);
      await waitFor('readyReplicas 0', () => getMsts(ns.name, 'ss'), (s) => s.status?.readyReplicas === 0);
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 3 }));
      await waitForStatus(ns.name, 'ss', 'the scale-up observed');
      await watch.expectNoEventFor(quietMs, 'a pod was created while ss-0 was unhealthy', (e) => e.type === 'ADDED');
      assert.deepEqual((await setPods(set)).map(podName), ['ss-0']);

      await setPodReadiness(ns.name, 'ss-0', true);
      await waitForRunningAndReady(set, podNames('ss', 3));
      await waitSettled(ns.name, 'ss', 3);

      // Every pod unhealthy: scaling down to 0 deletes nothing.
      await Promise.all(podNames('ss', 3).map((n) => setPodReadiness(ns.name, n, false)));
      await waitFor('readyReplicas 0', () => getMsts(ns.name, 'ss'), (s) => s.status?.readyReplicas === 0);
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 0 }));
      await waitForStatus(ns.name, 'ss', 'the scale-down observed');
      await watch.expectNoEventFor(quietMs, 'a pod was deleted while every pod was unhealthy', isPodDeletion);
      assert.deepEqual((await setPods(set)).map(podName), podNames('ss', 3));

      await Promise.all(podNames('ss', 3).map((n) => setPodReadiness(ns.name, n, true)));
      await waitFor('no pods left', () => setPods(set), (ps) => ps.length === 0);
      await waitForStatus(ns.name, 'ss', 'replicas 0', (s) => s.status?.replicas === 0);
      await watch.caughtUp();

      assert.deepEqual(transitions(watch), ['+ss-0', '+ss-1', '+ss-2', '-ss-2', '-ss-1', '-ss-0']);
      assertOrderedCreation(watch, podNames('ss', 3));
      assertOrderedDeletion(watch, []);
    } finally {
      await watch.stop();
    }
  });

  it('with Parallel, creates and deletes pods in a burst without waiting for readiness', async () => {
    const client = await testClient();
    const parallel = { podManagementPolicy: 'Parallel' as const };

    // Pods that never turn Ready: all three are created anyway, and all three deleted.
    const watch = await Recorder.start(pods, ns.name);
    try {
      const burst = await client.create(
        myStatefulSets,
        newMyStatefulSet(ns.name, 'burst', { replicas: 3, labels: { app: 'burst' }, image: notReadyImage, spec: parallel }),
      );
      await waitFor('burst-0..2 Running, none Ready', () => setPods(burst), (ps) => ps.length === 3 && ps.every((p) => p.status?.phase === 'Running' && !isReady(p)));
      await waitForStatus(ns.name, 'burst', 'replicas 3, ready 0', (s) => s.status?.replicas === 3 && s.status.readyReplicas === 0);
      await updateMyStatefulSet(ns.name, 'burst', (s) => withSpec(s, { replicas: 0 }));
      await waitFor('burst pods gone', () => setPods(burst), (ps) => ps.length === 0);
      await watch.caughtUp();
      assert.deepEqual(podCreations(watch).map((c) => c.name).sort(), podNames('burst', 3));
      assert.deepEqual(podDeletions(watch).filter((d) => d.graceful).map((d) => d.name).sort(), podNames('burst', 3));
      for (const { state } of watch.replay()) {
        assert.ok(![...state.values()].some(isReady), `a burst pod was Ready: ${describePods(state.values()).join('; ')}`);
      }
    } finally {
      await watch.stop();
    }

    // upstream flow: with ss-0 unhealthy, scaling up and down still runs to completion.
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 1, labels, spec: parallel }));
    await waitForRunningAndReady(set, ['ss-0']);
    await waitSettled(ns.name, 'ss', 1);
    await setPodReadiness(ns.name, 'ss-0', false);
    await waitFor('readyReplicas 0', () => getMsts(ns.name, 'ss'), (s) => s.status?.readyReplicas === 0);
    const upWatch = await Recorder.start(pods, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 3 }));
      await upWatch.waitState('ss-1 and ss-2 Ready', (state) =>
        ['ss-1', 'ss-2'].every((n) => {
          const pod = byName(state).get(n);
          return pod !== undefined && isReady(pod);
        }),
      );
      for (const c of podCreations(upWatch)) {
        const ss0 = stateBefore(upWatch, c.index).get('ss-0');
        assert.ok(ss0 && !isReady(ss0), `${c.name} created after ss-0 turned Ready`);
      }
      assert.deepEqual(podCreations(upWatch).map((c) => c.name).sort(), ['ss-1', 'ss-2']);

      await Promise.all(['ss-1', 'ss-2'].map((n) => setPodReadiness(ns.name, n, false)));
      await waitFor('readyReplicas 0', () => getMsts(ns.name, 'ss'), (s) => s.status?.readyReplicas === 0 && s.status.replicas === 3);
      await updateMyStatefulSet(ns.name, 'ss', (s) => withSpec(s, { replicas: 0 }));
      await waitFor('no pods left', () => setPods(set), (ps) => ps.length === 0);
      await waitForStatus(ns.name, 'ss', 'replicas 0', (s) => s.status?.replicas === 0);
      await upWatch.caughtUp();
      for (const d of podDeletions(upWatch).filter((x) => x.graceful)) {
        const before = stateBefore(upWatch, d.index);
        assert.ok(![...before.values()].some(isReady), `${d.name} deleted after a pod turned Ready: ${describePods(before.values()).join('; ')}`);
      }
      assert.deepEqual(podDeletions(upWatch).filter((d) => d.graceful).map((d) => d.name).sort(), podNames('ss', 3));
    } finally {
      await upWatch.stop();
    }
  });

  it('has a working scale subresource: GET, PUT and PATCH /scale, kubectl scale, status.selector', async () => {
    const client = await testClient();
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { replicas: 1, labels }));
    await waitForRunningAndReady(set, ['ss-0']);
    const settled = await waitSettled(ns.name, 'ss', 1);
    const path = resourcePath(myStatefulSets, ns.name, 'ss', 'scale');

    const scale = parseScale(await client.request<unknown>({ method: 'GET', path }));
    assert.equal(scale.metadata.name, 'ss');
    assert.equal(scale.spec.replicas, 1);
    assert.equal(scale.status.replicas, 1);
    assert.deepEqual(terms(scale.status.selector), ['baz=blah', 'foo=bar']);
    assert.equal(settled.status?.selector, scale.status.selector);
    // The selector string selects exactly the set's pods (what an HPA does with it).
    const selected = await client.list(pods, { namespace: ns.name, labelSelector: scale.status.selector });
    assert.deepEqual(selected.items.map(podName), ['ss-0']);

    // PUT without a resourceVersion: unconditional.
    const put = parseScale(
      await client.request<unknown>({
        method: 'PUT',
        path,
        body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'ss', namespace: ns.name }, spec: { replicas: 2 } },
      }),
    );
    assert.equal(put.spec.replicas, 2);
    assert.equal((await getMsts(ns.name, 'ss')).spec.replicas, 2);

    await client.patch(myStatefulSets, ns.name, 'ss', 'merge', { spec: { replicas: 4 } }, { subresource: 'scale' });
    assert.equal((await getMsts(ns.name, 'ss')).spec.replicas, 4);
    await waitForRunningAndReady(set, podNames('ss', 4));
    await waitSettled(ns.name, 'ss', 4);

    const out = await kubectl(['scale', 'msts', 'ss', '-n', ns.name, '--replicas=3']);
    assert.match(out, /scaled/);
    await waitForRunningAndReady(set, podNames('ss', 3));
    await waitSettled(ns.name, 'ss', 3);
    const after = parseScale(await client.request<unknown>({ method: 'GET', path }));
    assert.deepEqual({ spec: after.spec.replicas, status: after.status.replicas }, { spec: 3, status: 3 });
  });

  describe('spec.ordinals.start', () => {
    /** Creates the set, waits until `names` run, then applies `change` and returns the watch of what followed. */
    async function startThenChange(
      spec: Partial<MyStatefulSet['spec']>,
      names: readonly string[],
      change: (set: MyStatefulSet) => MyStatefulSet,
      after: readonly string[],
    ): Promise<Recorder<Pod>> {
      const client = await testClient();
      const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'ss', { labels, spec }));
      const running = await waitForRunningAndReady(set, names);
      assert.deepEqual(running.map(podName), names);
      await waitSettled(ns.name, 'ss', names.length);
      const watch = await Recorder.start(pods, ns.name);
      try {
        await updateMyStatefulSet(ns.name, 'ss', change);
        await waitForRunningAndReady(set, after);
        const done = await waitSettled(ns.name, 'ss', after.length);
        assert.equal(done.status?.availableReplicas, after.length);
        await watch.caughtUp();
        assertOrderedCreation(watch, after);
        assertOrderedDeletion(watch, after);
        for (const pod of await setPods(set)) assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], String(ordinalOf(podName(pod))));
        return watch;
      } finally {
        await watch.stop();
      }
    }

    it('setting start: 2 replicas from 0 become 3 from 2', async () => {
      const watch = await startThenChange({ replicas: 2 }, ['ss-0', 'ss-1'], (s) => withSpec(s, { replicas: 3, ordinals: { start: 2 } }), ['ss-2', 'ss-3', 'ss-4']);
      assert.deepEqual(transitions(watch), ['+ss-2', '+ss-3', '+ss-4', '-ss-1', '-ss-0']);
    });

    it('increasing start: 2 replicas from 2 move to 4', async () => {
      const watch = await startThenChange({ replicas: 2, ordinals: { start: 2 } }, ['ss-2', 'ss-3'], (s) => withSpec(s, { ordinals: { start: 4 } }), ['ss-4', 'ss-5']);
      assert.deepEqual(transitions(watch), ['+ss-4', '+ss-5', '-ss-3', '-ss-2']);
    });

    it('decreasing start: 2 replicas from 3 move to 2, keeping ss-3', async () => {
      const watch = await startThenChange({ replicas: 2, ordinals: { start: 3 } }, ['ss-3', 'ss-4'], (s) => withSpec(s, { ordinals: { start: 2 } }), ['ss-2', 'ss-3']);
      assert.deepEqual(transitions(watch), ['+ss-2', '-ss-4']);
    });

    it('removing start: 2 replicas from 3 move back to 0', async () => {
      const watch = await startThenChange(
        { replicas: 2, ordinals: { start: 3 } },
        ['ss-3', 'ss-4'],
        (s) => {
          const { ordinals: _dropped, ...spec } = s.spec;
          return { ...s, spec };
        },
        ['ss-0', 'ss-1'],
      );
      assert.deepEqual(transitions(watch), ['+ss-0', '+ss-1', '-ss-4', '-ss-3']);
    });
  });
});
