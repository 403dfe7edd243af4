// What the MyDaemonSet e2e tests share: a manifest builder (upstream's e2edaemonset.NewDaemonSet),
// the nodes a daemon should run on computed independently of the operator's code, checks of the
// pods on those nodes (upstream's checkDaemonPodOnNodes), watches whose events the tests replay to
// check invariants, and test-owned Node objects that other parallel tests never schedule onto.
//
// Pods here turn Ready within milliseconds, so a poll sees the end of a rollout, not its steps:
// anything about order or "never" (maxUnavailable, maxSurge, no restarts) reads a watch opened
// before the action, and checks every state its event sequence passes through.
import type { ControllerRevision, CoreEvent, Node, Pod, Taint, Toleration } from '../../../src/api/core.ts';
import { controllerRevisions, events, nodes, pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet, MyDaemonSetSpec } from '../../../src/api/workloads.ts';
import { apiVersion, myDaemonSets } from '../../../src/api/workloads.ts';
import { isConflict, isNotFound } from '../../../src/runtime/client/errors.ts';
import { kwokNode } from '../../../hack/kwok-nodes.ts';
import { testClient, waitFor, type WaitOptions } from './env.ts';
import { controlledBy, hashLabel, isAvailable, isDeleting, isReady, podHash, podName, uidOf } from './objects.ts';
import type { Recorder } from './recorder.ts';

// Generic helpers now shared with the MyStatefulSet suites, re-exported for the MyDaemonSet tests.
export { controlledBy, controllerUid, hashLabel, isAvailable, isDeleting, isReady, podHash, podImage, podName, selectorString, uidOf } from './objects.ts';
export { Recorder, type Observed } from './recorder.ts';

/** upstream: AgnhostImage and PrevAgnhostImage. kwok runs no container: any image but the fault ones turns Ready. */
export const image = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
export const prevImage = 'registry.k8s.io/e2e-test-images/agnhost:2.52';
/** kwok keeps such a pod Running and never Ready (hack/kwok/kwokctl.yaml). */
export const notReadyImage = 'example.com/agnhost:notready';
/** kwok fails such a pod (phase Failed, exit code 1) about 0.5 s after it is scheduled. */
export const crashImage = 'example.com/agnhost:crash';

export const nameLabel = 'daemonset-name';

/** upstream: newDaemonSet — one container, a port, selector = template labels. */
export function newMyDaemonSet(
  namespace: string,
  name: string,
  options: { readonly labels?: Record<string, string>; readonly image?: string; readonly spec?: Partial<MyDaemonSetSpec> } = {},
): MyDaemonSet {
  const labels = options.labels ?? { [nameLabel]: name };
  const base: MyDaemonSetSpec = {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: { containers: [{ name: 'app', image: options.image ?? image, ports: [{ containerPort: 9376 }] }] },
    },
  };
  return { apiVersion, kind: 'MyDaemonSet', metadata: { name, namespace }, spec: { ...base, ...options.spec } };
}

/** Reads, changes and writes the MyDaemonSet until no conflict (upstream: updateDaemonSetWithRetries). */
export async function updateMyDaemonSet(namespace: string, name: string, change: (ds: MyDaemonSet) => MyDaemonSet): Promise<MyDaemonSet> {
  const client = await testClient();
  for (let attempt = 0; ; attempt++) {
    const current = await client.get(myDaemonSets, namespace, name);
    try {
      return await client.update(myDaemonSets, change(current));
    } catch (err) {
      if (!isConflict(err) || attempt >= 20) throw err;
    }
  }
}

/** A copy of the MyDaemonSet whose first container has another image. */
export function withImage(ds: MyDaemonSet, newImage: string): MyDaemonSet {
  const [first, ...rest] = ds.spec.template.spec.containers;
  if (!first) throw new Error('the template has no container');
  return {
    ...ds,
    spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, containers: [{ ...first, image: newImage }, ...rest] } } },
  };
}

// ---- pod state ------------------------------------------------------------------------------

/** The node a daemon pod is for: nodeName once bound, else its injected matchFields metadata.name value. */
export function podNode(pod: Pod): string {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms[0]?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0] ?? '';
}

/** `name@node phase ready deleting` lines, for failure messages. */
export function describePods(list: readonly Pod[]): string[] {
  return list.map(
    (p) =>
      `${podName(p)}@${p.spec.nodeName ?? '-'} ${p.status?.phase ?? '?'}${isReady(p) ? ' ready' : ''}${isDeleting(p) ? ' deleting' : ''} ${podHash(p)}`,
  );
}

// ---- which nodes a daemon should run on, computed by the test ---------------------------------

/** The tolerations every daemon pod gets (spec: daemonset.md "Generated pod"), in their order. */
export const defaultTolerations: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
export const networkUnavailableToleration: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/**
 * The nodes a MyDaemonSet without required node affinity should run on (upstream e2e:
 * SchedulableNodes): its nodeSelector matches, and each NoSchedule/NoExecute taint is tolerated by
 * the template's or the default tolerations. A test-side rule, deliberately not the operator's.
 */
export function shouldRunOn(ds: MyDaemonSet, node: Node): boolean {
  const spec = ds.spec.template.spec;
  if (spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) {
    throw new Error('shouldRunOn does not evaluate node affinity: list the nodes explicitly');
  }
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (node.metadata.labels?.[k] !== v) return false;
  const tolerations = [...(spec.tolerations ?? []), ...defaultTolerations, ...(spec.hostNetwork ? [networkUnavailableToleration] : [])];
  return (node.spec?.taints ?? [])
    .filter((taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute')
    .every((taint) => tolerations.some((t) => tolerates(t, taint)));
}

export async function eligibleNodeNames(ds: MyDaemonSet): Promise<string[]> {
  const client = await testClient();
  return (await client.listAll(nodes)).items
    .filter((n) => shouldRunOn(ds, n))
    .map((n) => n.metadata.name ?? '')
    .sort();
}

// ---- daemon pods on nodes -----------------------------------------------------------------------

export async function listPods(namespace: string, labelSelector?: string): Promise<Pod[]> {
  const client = await testClient();
  return [...(await client.list(pods, { namespace, labelSelector })).items];
}

export interface NodeCheck {
  readonly ok: boolean;
  /** Names of the available, running, not-deleting pods the MyDaemonSet controls, by node. */
  readonly byNode: Record<string, string[]>;
  readonly expected: readonly string[];
  readonly pods: readonly Pod[];
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/**
 * upstream: checkDaemonPodOnNodes — every node in `nodeNames` runs exactly one available,
 * not-deleting, not-terminal pod that the MyDaemonSet controls, and no other node runs one.
 */
export async function checkDaemonPodsOnNodes(ds: MyDaemonSet, nodeNames: readonly string[], now = Date.now()): Promise<NodeCheck> {
  const byNode: Record<string, string[]> = {};
  const counted: Pod[] = [];
  for (const pod of await listPods(ds.metadata.namespace ?? '')) {
    if (!controlledBy(pod, ds) || isDeleting(pod) || isTerminal(pod)) continue;
    if (!isAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) continue;
    const node = pod.spec.nodeName ?? '';
    (byNode[node] ??= []).push(podName(pod));
    counted.push(pod);
  }
  const ok = nodeNames.every((n) => byNode[n]?.length === 1) && Object.keys(byNode).length === nodeNames.length;
  return { ok, byNode, expected: nodeNames, pods: counted };
}

/**
 * Waits until the MyDaemonSet runs exactly one available pod on each of `nodeNames` and nowhere
 * else; returns those pods.
 */
export async function waitDaemonPodsOnNodes(ds: MyDaemonSet, nodeNames: readonly string[], options?: WaitOptions): Promise<Pod[]> {
  const check = await waitFor(
    `one available daemon pod on each of [${nodeNames.join(', ')}] and none elsewhere`,
    () => checkDaemonPodsOnNodes(ds, nodeNames),
    (c) => c.ok,
    options,
  );
  return [...check.pods];
}

/** upstream: checkRunningOnAllNodes — on every node the MyDaemonSet should run on, as the cluster is now. */
export async function waitRunningOnAllNodes(ds: MyDaemonSet, options?: WaitOptions): Promise<Pod[]> {
  const expected = await eligibleNodeNames(ds);
  if (expected.length === 0) throw new Error('no node in the cluster should run this daemon');
  return waitDaemonPodsOnNodes(ds, expected, options);
}

export async function getMds(namespace: string, name: string): Promise<MyDaemonSet> {
  return (await testClient()).get(myDaemonSets, namespace, name);
}

/**
 * upstream: CheckDaemonStatus, made stricter: the status is for the current generation, and
 * desired = current = ready = available = updated = `expected`, nothing misscheduled.
 */
export async function waitDaemonStatus(namespace: string, name: string, expected: number, options?: WaitOptions): Promise<MyDaemonSet> {
  return waitFor(
    `status of ${name}: ${expected} desired, scheduled, ready, available and updated`,
    () => getMds(namespace, name),
    (ds) => {
      const s = ds.status ?? {};
      return (
        (s.observedGeneration ?? 0) >= (ds.metadata.generation ?? 1) &&
        s.desiredNumberScheduled === expected &&
        s.currentNumberScheduled === expected &&
        s.numberReady === expected &&
        (s.numberAvailable ?? 0) === expected &&
        (s.updatedNumberScheduled ?? 0) === expected &&
        (s.numberMisscheduled ?? 0) === 0 &&
        (s.numberUnavailable ?? 0) === 0
      );
    },
    options,
  );
}

/** Waits until the operator has acted on the MyDaemonSet's current generation. */
export async function waitObserved(namespace: string, name: string, options?: WaitOptions): Promise<MyDaemonSet> {
  return waitFor(
    `${name} to have its current generation observed`,
    () => getMds(namespace, name),
    (ds) => (ds.status?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 1),
    options,
  );
}

export async function listRevisions(namespace: string, labelSelector: string): Promise<ControllerRevision[]> {
  const client = await testClient();
  return [...(await client.list(controllerRevisions, { namespace, labelSelector })).items];
}

/** Events recorded on the MyDaemonSet. */
export async function daemonSetEvents(ds: MyDaemonSet): Promise<CoreEvent[]> {
  const client = await testClient();
  const list = await client.list(events, { namespace: ds.metadata.namespace, fieldSelector: `involvedObject.uid=${uidOf(ds)}` });
  return [...list.items];
}

// ---- test-owned nodes ----------------------------------------------------------------------------

export const ownerTaintKey = 'e2e.my.dev/owner';
export const ownerLabelKey = 'e2e.my.dev/owner';

/**
 * Nodes one test creates and deletes. Each carries the taint `e2e.my.dev/owner=<id>:NoSchedule`,
 * so the daemons of other tests (which select every node) never run there, and the label
 * `e2e.my.dev/owner=<id>`; the test's own MyDaemonSet tolerates the taint (`toleration`) and
 * selects the label (`selector`). kwok makes any Node Ready in about a second.
 */
export class OwnedNodes {
  readonly id: string;
  private readonly created = new Set<string>();

  constructor(id: string) {
    this.id = id;
  }

  name(i: number): string {
    return `e2e-${this.id}-${i}`;
  }

  get toleration(): Toleration {
    return { key: ownerTaintKey, operator: 'Equal', value: this.id, effect: 'NoSchedule' };
  }

  get ownerTaint(): Taint {
    return { key: ownerTaintKey, value: this.id, effect: 'NoSchedule' };
  }

  get selector(): Record<string, string> {
    return { [ownerLabelKey]: this.id };
  }

  /** The Node object, shaped like hack/cluster.ts's workers, plus the owner label and taint. */
  object(i: number, extra: { labels?: Record<string, string>; taints?: readonly Taint[]; unschedulable?: boolean } = {}): Node {
    const name = this.name(i);
    return kwokNode(name, { [ownerLabelKey]: this.id, ...extra.labels }, {
      taints: [this.ownerTaint, ...(extra.taints ?? [])],
      ...(extra.unschedulable ? { unschedulable: true } : {}),
    });
  }

  async create(i: number, extra?: Parameters<OwnedNodes['object']>[1]): Promise<Node> {
    const client = await testClient();
    const node = this.object(i, extra);
    this.created.add(node.metadata.name ?? '');
    return client.create(nodes, node);
  }

  /** Merge-patches the node (labels, taints, unschedulable); returns the result. */
  async patch(i: number, body: unknown): Promise<Node> {
    const client = await testClient();
    return client.patch(nodes, undefined, this.name(i), 'merge', body);
  }

  async delete(i: number): Promise<void> {
    const client = await testClient();
    try {
      await client.delete(nodes, undefined, this.name(i));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async deleteAll(): Promise<void> {
    const client = await testClient();
    await Promise.all(
      [...this.created].map(async (name) => {
        try {
          await client.delete(nodes, undefined, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }),
    );
  }

  /** Waits until kwok reports the nodes Ready and no node-lifecycle `not-ready` taint is left. */
  async waitReady(indexes: readonly number[], options?: WaitOptions): Promise<void> {
    const client = await testClient();
    await waitFor(
      `nodes ${indexes.map((i) => this.name(i)).join(', ')} Ready and untainted by the node lifecycle`,
      () => Promise.all(indexes.map((i) => client.get(nodes, undefined, this.name(i)))),
      (list) =>
        list.every(
          (n) =>
            n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true &&
            !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/not-ready') || t.key.startsWith('node.kubernetes.io/unreachable')),
        ),
      options,
    );
  }
}

// ---- rollout control (docs/rollout-control.md) ---------------------------------------------------

/** A daemon for a test's own nodes only: it tolerates their owner taint and selects their owner label. */
export function daemonSetOnOwnedNodes(
  namespace: string,
  name: string,
  owned: OwnedNodes,
  options: { readonly image?: string; readonly spec?: Partial<MyDaemonSetSpec> } = {},
): MyDaemonSet {
  const base = newMyDaemonSet(namespace, name, options);
  const podSpec = { ...base.spec.template.spec, tolerations: [owned.toleration], nodeSelector: owned.selector };
  return { ...base, spec: { ...base.spec, template: { ...base.spec.template, spec: podSpec } } };
}

/** Creates the test's nodes 0 … count−1, `labels(i)` on node i, and waits until they are Ready; their names in name order. */
export async function createOwnedNodes(owned: OwnedNodes, count: number, labels: (i: number) => Record<string, string> = () => ({})): Promise<string[]> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  await Promise.all(indexes.map((i) => owned.create(i, { labels: labels(i) })));
  await owned.waitReady(indexes);
  return indexes.map((i) => owned.name(i)).sort();
}

/** Waits until the operator has observed the MyDaemonSet's current generation and `done` holds. */
export function waitMds(namespace: string, name: string, what: string, done: (ds: MyDaemonSet) => boolean, options?: WaitOptions): Promise<MyDaemonSet> {
  return waitFor(
    `${name}: the current generation observed, with ${what}`,
    () => getMds(namespace, name),
    (ds) => (ds.status?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 1) && done(ds),
    options,
  );
}

/** The ControllerRevision whose controller-revision-hash label is `hash`. */
export function revisionWithHash(revisions: readonly ControllerRevision[], hash: string): ControllerRevision | undefined {
  return revisions.find((r) => r.metadata.labels?.[hashLabel] === hash);
}

/** Live pods of `ds` (neither being deleted nor terminal) by node, in a replayed state. */
export function livePodsByNode(state: ReadonlyMap<string, Pod>, ds: MyDaemonSet): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of state.values()) {
    if (!controlledBy(pod, ds) || isDeleting(pod) || isTerminal(pod)) continue;
    const node = podNode(pod);
    out.set(node, [...(out.get(node) ?? []), pod]);
  }
  return out;
}

export interface NodeBoundOptions {
  /** Check only the states after the watch's event of this index on; default: every state, the listed one included. */
  readonly fromEvent?: number;
  /** Live pods a node may hold at once (maxSurge 0: 1). */
  readonly maxPerNode?: number;
  readonly minReadySeconds?: number;
}

/**
 * upstream's maxUnavailable check, over every state the pod watch passed through: at most
 * `maxUnavailable` of `nodeNames` lack a live available pod of `ds`, and none holds more than
 * `maxPerNode` live pods. Availability is judged when the test received each event, never earlier
 * than the kubelet's report. Returns the most nodes seen without an available pod at once.
 */
export function assertNodeUnavailabilityBound(
  watch: Recorder<Pod>,
  ds: MyDaemonSet,
  nodeNames: readonly string[],
  maxUnavailable: number,
  options: NodeBoundOptions = {},
): number {
  const from = options.fromEvent ?? -1;
  const maxPerNode = options.maxPerNode ?? 1;
  let worst = 0;
  let index = -1;
  for (const { state, at } of watch.replay()) {
    const current = index++;
    if (current < from) continue;
    const byNode = livePodsByNode(state, ds);
    const unavailable = nodeNames.filter((n) => !(byNode.get(n) ?? []).some((p) => isAvailable(p, options.minReadySeconds ?? 0, at)));
    worst = Math.max(worst, unavailable.length);
    if (unavailable.length > maxUnavailable) {
      throw new Error(`${unavailable.length} nodes without an available pod (${unavailable.join(', ')}) > maxUnavailable ${maxUnavailable}: ${describePods([...state.values()]).join('; ')}`);
    }
    for (const [node, list] of byNode) {
      if (list.length > maxPerNode) throw new Error(`${list.length} live pods on ${node}: ${describePods(list).join('; ')}`);
    }
  }
  return worst;
}
