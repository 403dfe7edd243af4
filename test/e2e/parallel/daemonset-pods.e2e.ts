// The pods a MyDaemonSet creates: bound to their node by an injected `matchFields metadata.name`
// affinity (the user's required terms replaced, preferred ones kept), carrying the default daemon
// tolerations in upstream's order, and the network-unavailable toleration only with hostNetwork —
// which is what lets a host-network agent start on a node whose network is not up yet.
import assert from 'node:assert/strict';
import type { Node, Toleration } from '../../../src/api/core.ts';
import { nodes } from '../../../src/api/resources.ts';
import type { MyDaemonSet } from '../../../src/api/workloads.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import {
  controlledBy,
  defaultTolerations,
  eligibleNodeNames,
  hashLabel,
  listPods,
  networkUnavailableToleration,
  newMyDaemonSet,
  OwnedNodes,
  podName,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
} from '../support/daemonset.ts';
import { createNamespace, testClient, waitFor } from '../support/env.ts';

const controlPlaneToleration: Toleration = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' };

function withPodSpec(ds: MyDaemonSet, extra: Partial<MyDaemonSet['spec']['template']['spec']>): MyDaemonSet {
  return { ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, ...extra } } } };
}

describe('MyDaemonSet pods: injected node binding and tolerations', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  beforeEach(async () => {
    ns = await createNamespace('ds-pods');
    owned = new OwnedNodes(ns.name);
  });
  afterEach(async () => {
    await owned.deleteAll();
    await ns.remove();
  });

  it('binds each pod to its node by matchFields metadata.name and adds the default tolerations in order', async () => {
    const client = await testClient();
    const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a'] }] } }];
    const requiredByUser = { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In' as const, values: ['linux'] }] }] };
    // A template toleration equal to a default in key, effect, operator and value is replaced by
    // the default (its tolerationSeconds dropped), in place; others are kept, defaults appended.
    const notReadyWithSeconds: Toleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
    const ds = await client.create(
      myDaemonSets,
      withPodSpec(newMyDaemonSet(ns.name, 'shaped'), {
        tolerations: [controlPlaneToleration, notReadyWithSeconds],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: requiredByUser, preferredDuringSchedulingIgnoredDuringExecution: preferred } },
      }),
    );
    // The nodes it tolerates whose labels satisfy the user's required term; the control-plane
    // node is among them (its taint is tolerated).
    const linux = new Set(
      (await client.listAll(nodes)).items.filter((n: Node) => n.metadata.labels?.['kubernetes.io/os'] === 'linux').map((n) => n.metadata.name ?? ''),
    );
    const expected = (await eligibleNodeNames(withPodSpec(ds, { affinity: undefined }))).filter((n) => linux.has(n));
    assert.ok(expected.includes('control-plane'), 'the tolerated control-plane node is expected');
    const running = await waitDaemonPodsOnNodes(ds, expected);
    await waitDaemonStatus(ns.name, 'shaped', expected.length);

    // The user's not-ready toleration (index 1) became the default one in place; the rest appended.
    const expectedTolerations = [controlPlaneToleration, ...defaultTolerations];
    for (const pod of running) {
      const node = pod.spec.nodeName ?? '';
      assert.deepEqual(
        pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
        { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] },
        `${podName(pod)}: required node affinity`,
      );
      assert.deepEqual(pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution, preferred, `${podName(pod)}: preferred terms`);
      assert.deepEqual(pod.spec.tolerations, expectedTolerations, `${podName(pod)}: tolerations`);
      assert.ok(!pod.spec.tolerations?.some((t) => t.key === networkUnavailableToleration.key), 'network-unavailable without hostNetwork');
      assert.ok(pod.metadata.labels?.[hashLabel], 'controller-revision-hash label');
    }
    // The template itself is untouched.
    const stored = await client.get(myDaemonSets, ns.name, 'shaped');
    assert.deepEqual(stored.spec.template.spec.tolerations, [controlPlaneToleration, notReadyWithSeconds]);
    assert.deepEqual(stored.spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, requiredByUser);
  });

  it('adds the network-unavailable toleration only to hostNetwork pods, so only they start on a node whose network is down', async () => {
    const client = await testClient();
    // A node whose NetworkUnavailable condition is True: the node lifecycle controller taints it
    // node.kubernetes.io/network-unavailable:NoSchedule (and would remove a taint set by hand).
    await owned.create(0);
    await owned.waitReady([0]);
    const node = owned.name(0);
    await client.patch(
      nodes,
      undefined,
      node,
      'strategic',
      { status: { conditions: [{ type: 'NetworkUnavailable', status: 'True', reason: 'E2E', message: 'network down for the test' }] } },
      { subresource: 'status' },
    );
    await waitFor(
      'the network-unavailable taint',
      () => client.get(nodes, undefined, node),
      (n) => (n.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/network-unavailable' && t.effect === 'NoSchedule'),
      { timeoutMs: 30_000 },
    );

    const agent = (name: string, hostNetwork: boolean): MyDaemonSet =>
      withPodSpec(newMyDaemonSet(ns.name, name), {
        tolerations: [owned.toleration],
        nodeSelector: owned.selector,
        ...(hostNetwork ? { hostNetwork: true } : {}),
      });
    const host = await client.create(myDaemonSets, agent('host-agent', true));
    const plain = await client.create(myDaemonSets, agent('plain-agent', false));

    const [hostPod] = await waitDaemonPodsOnNodes(host, [node]);
    assert.ok(hostPod);
    assert.deepEqual(hostPod.spec.tolerations, [owned.toleration, ...defaultTolerations, networkUnavailableToleration]);
    await waitDaemonStatus(ns.name, 'host-agent', 1);
    // The plain agent has synced (status for its generation) and wants no pod there.
    await waitFor(
      'plain-agent to report 0 desired for its generation',
      () => client.get(myDaemonSets, ns.name, 'plain-agent'),
      (d) => (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) && d.status?.desiredNumberScheduled === 0,
    );
    assert.deepEqual((await listPods(ns.name)).filter((p) => controlledBy(p, plain)).map(podName), []);

    // Network up again: the lifecycle controller lifts the taint and the plain agent starts too.
    await client.patch(
      nodes,
      undefined,
      node,
      'strategic',
      { status: { conditions: [{ type: 'NetworkUnavailable', status: 'False', reason: 'E2E', message: 'network up' }] } },
      { subresource: 'status' },
    );
    const [plainPod] = await waitDaemonPodsOnNodes(plain, [node]);
    assert.ok(plainPod);
    assert.deepEqual(plainPod.spec.tolerations, [owned.toleration, ...defaultTolerations]);
  });
});
