// The rig of the fault suites (test/e2e/serial/chaos.e2e.ts): three rollouts running at once on a
// test's own namespace and nodes — a MyDaemonSet on every owned node (maxUnavailable 10 %,
// maxSurge 0), a MyStatefulSet of 10 (OrderedReady, one claim per replica) and a MyDeployment of 20
// (25 % / 25 %) — the waits for their completion, and the checks of what a run leaves behind and
// of every state the watches saw.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PersistentVolumeClaim, Pod } from '../../../src/api/core.ts';
import { persistentVolumeClaims, pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../../../src/api/workloads.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../../../src/api/workloads.ts';
import {
  assertNodeUnavailabilityBound,
  createOwnedNodes,
  daemonSetOnOwnedNodes,
  image as imageB,
  OwnedNodes,
  prevImage as imageA,
  updateMyDaemonSet,
  waitDaemonStatus,
  withImage as daemonWithImage,
} from './daemonset.ts';
import { assertMinReady, assertReplicaSetSumBound, describeDeployment, newMyDeployment, resolveFenceposts, updateMyDeployment, waitForDeploymentComplete, withContainer } from './deployment.ts';
import { createNamespace, logFile, testClient } from './env.ts';
import { controllerUid, isDeleting, isReady, podName, uidOf } from './objects.ts';
import { Recorder } from './recorder.ts';
import type { Violations } from './reliability.ts';
import {
  assertOrderedCreation,
  assertReplicaUnavailabilityBound,
  createHeadlessService,
  newMyStatefulSet,
  podNames,
  TestVolumes,
  updateMyStatefulSet,
  waitSettled,
  withImage as setWithImage,
} from './statefulset.ts';

export type Kind = 'MyDaemonSet' | 'MyStatefulSet' | 'MyDeployment';

/** A fault lands this long at most after the change that started the rollouts. */
const maxFaultDelayMs = 1_500;

/** Waits a random moment (0–1.5 s) of the rollouts just started: where the next fault lands. */
export function randomMoment(rand: () => number): Promise<void> {
  return sleep(Math.floor(rand() * maxFaultDelayMs));
}
export const kinds: readonly Kind[] = ['MyDaemonSet', 'MyStatefulSet', 'MyDeployment'];

const setReplicas = 10;
const deployReplicas = 20;
const deployLabels = { app: 'front' };

export interface Workloads {
  readonly ds: MyDaemonSet;
  readonly set: MyStatefulSet;
  readonly deploy: MyDeployment;
}

export class ChaosRig {
  readonly namespace: string;
  readonly nodeCount: number;
  readonly daemonMaxUnavailable: number;
  readonly fenceposts = resolveFenceposts(deployReplicas, '25%', '25%');
  readonly setPods = podNames('web', setReplicas);
  readonly claims = podNames('web', setReplicas).map((n) => `data-${n}`);
  readonly replicas: Readonly<Record<Kind, number>>;
  nodes: readonly string[] = [];
  private readonly removeNamespace: () => Promise<void>;
  private readonly owned: OwnedNodes;
  private readonly volumes: TestVolumes;
  private made: Workloads | undefined;

  private constructor(ns: { name: string; remove: () => Promise<void> }, nodeCount: number) {
    this.namespace = ns.name;
    this.removeNamespace = ns.remove;
    this.nodeCount = nodeCount;
    this.daemonMaxUnavailable = Math.max(1, Math.floor(nodeCount / 10));
    this.owned = new OwnedNodes(ns.name);
    this.volumes = new TestVolumes(ns.name);
    this.replicas = { MyDaemonSet: nodeCount, MyStatefulSet: setReplicas, MyDeployment: deployReplicas };
  }

  /** A namespace, `nodeCount` Ready nodes of its own, volumes for the claims, the governing Service. */
  static async create(prefix: string, nodeCount: number): Promise<ChaosRig> {
    const rig = new ChaosRig(await createNamespace(prefix), nodeCount);
    rig.nodes = await createOwnedNodes(rig.owned, nodeCount);
    await rig.volumes.create(setReplicas);
    await createHeadlessService(rig.namespace, 'web', { app: 'web' });
    return rig;
  }

  get workloads(): Workloads {
    if (!this.made) throw new Error('createWorkloads() first');
    return this.made;
  }

  /** The three workloads at image A; does not wait for them. */
  async createWorkloads(): Promise<Workloads> {
    const client = await testClient();
    const ns = this.namespace;
    const ds = await client.create(
      myDaemonSets,
      daemonSetOnOwnedNodes(ns, 'agent', this.owned, {
        image: imageA,
        spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: this.daemonMaxUnavailable, maxSurge: 0 } } },
      }),
    );
    const set = await client.create(
      myStatefulSets,
      newMyStatefulSet(ns, 'web', { replicas: setReplicas, image: imageA, serviceName: 'web', claims: { storageClassName: this.volumes.storageClassName, names: ['data'] } }),
    );
    const deploy = await client.create(
      myDeployments,
      newMyDeployment(ns, 'front', deployReplicas, deployLabels, 'agnhost', imageA, 'RollingUpdate', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      }),
    );
    this.made = { ds, set, deploy };
    return this.made;
  }

  /** The image the last rollAll set (the workloads start at A). */
  private image = imageA;
  /** Rollouts started by rollNext. */
  rollouts = 0;

  /** The other of images A and B on all three at once: a rollout of each. */
  async rollNext(): Promise<void> {
    this.image = this.image === imageA ? imageB : imageA;
    await this.rollAll(this.image);
    this.rollouts++;
  }

  /**
   * Before fault `i` of `count`: mostly a fresh rollout (superseding the one in flight), sometimes
   * none, so the one in flight goes on; the first and the last fault always land in a fresh one,
   * so the recovery measured after the last has work left.
   */
  async beforeFault(i: number, count: number, rand: () => number): Promise<void> {
    if (i === 0 || i === count - 1 || rand() < 0.8) await this.rollNext();
  }

  /** What every run record of this rig says first. */
  recordBase(seed: number): Record<string, unknown> {
    return { seed, kinds, nodes: this.nodeCount, replicas: this.replicas };
  }

  /** A new image on all three at once. */
  async rollAll(image: string): Promise<void> {
    const ns = this.namespace;
    await Promise.all([
      updateMyDaemonSet(ns, 'agent', (d) => daemonWithImage(d, image)),
      updateMyStatefulSet(ns, 'web', (s) => setWithImage(s, image)),
      updateMyDeployment(ns, 'front', (d) => withContainer(d, { image })),
    ]);
  }

  /** Milliseconds from `since` until each kind reports its current generation rolled out. */
  async completion(since: number, timeoutMs = 300_000): Promise<Record<Kind, number>> {
    const options = { timeoutMs, intervalMs: 50 };
    const ns = this.namespace;
    const [d, s, p] = await Promise.all([
      waitDaemonStatus(ns, 'agent', this.nodeCount, options).then(() => Date.now() - since),
      waitSettled(ns, 'web', setReplicas, options).then(() => Date.now() - since),
      waitForDeploymentComplete(ns, 'front', options).then(() => Date.now() - since),
    ]);
    return { MyDaemonSet: d, MyStatefulSet: s, MyDeployment: p };
  }

  /** Where the three stand, one line each with their status counts, and the pods not Ready: for a failure message. */
  async describeState(): Promise<string> {
    const client = await testClient();
    const ns = this.namespace;
    const [ds, set, deploy, podList] = await Promise.all([
      client.get(myDaemonSets, ns, 'agent'),
      client.get(myStatefulSets, ns, 'web'),
      client.get(myDeployments, ns, 'front'),
      client.list(pods, { namespace: ns }),
    ]);
    const counts = (o: { metadata: { generation?: number }; status?: object }): string => `gen ${o.metadata.generation ?? '?'} ${JSON.stringify(o.status ?? {}).slice(0, 400)}`;
    const waiting = podList.items.filter((p) => !isReady(p)).map((p) => `${podName(p)} ${p.status?.phase ?? '?'}${p.spec.nodeName ? '' : ' unscheduled'}${isDeleting(p) ? ' deleting' : ''}`);
    return [`agent ${counts(ds)}`, `web ${counts(set)}`, `front ${describeDeployment(deploy)}`, `pods not Ready: ${waiting.join(', ') || 'none'}`].join('\n  ');
  }

  /** The namespace's claims by name, UIDs as values. */
  async claimUids(): Promise<Map<string, string>> {
    const client = await testClient();
    const list = await client.list(persistentVolumeClaims, { namespace: this.namespace });
    return new Map(list.items.map((c) => [c.metadata.name ?? '', uidOf(c)]));
  }

  /**
   * What a run must leave: exactly one live pod per node of the daemon, the set's replicas and the
   * Deployment's, each controlled by its workload (a MyReplicaSet of the Deployment for the
   * latter), no two with one name; exactly the set's claims.
   */
  async checkEndState(violations: Violations): Promise<void> {
    const client = await testClient();
    const [podList, rsList, claimList] = await Promise.all([
      client.list(pods, { namespace: this.namespace }),
      client.list(myReplicaSets, { namespace: this.namespace }),
      client.list(persistentVolumeClaims, { namespace: this.namespace }),
    ]);
    check(violations, 'no duplicate or orphaned pod', () => this.assertOwnedPods(podList.items, rsList.items));
    check(violations, 'exactly the claims of the replicas', () =>
      assert.deepEqual(claimList.items.map((c) => c.metadata.name ?? '').sort(), [...this.claims].sort()),
    );
  }

  private assertOwnedPods(list: readonly Pod[], rss: readonly MyReplicaSet[]): void {
    const { ds, set, deploy } = this.workloads;
    const sets = new Set(rss.filter((rs) => controllerUid(rs) === uidOf(deploy)).map(uidOf));
    const live = list.filter((p) => !isDeleting(p));
    const orphans = live.filter((p) => {
      const owner = controllerUid(p);
      return owner === undefined || (owner !== uidOf(ds) && owner !== uidOf(set) && !sets.has(owner));
    });
    assert.deepEqual(orphans.map(podName), [], 'pods without a live controller');
    const names = live.map(podName);
    assert.equal(new Set(names).size, names.length, `duplicate pod names: ${names.join(', ')}`);
    const perNode = new Map<string, number>();
    for (const p of live.filter((x) => controllerUid(x) === uidOf(ds))) perNode.set(p.spec.nodeName ?? '', (perNode.get(p.spec.nodeName ?? '') ?? 0) + 1);
    assert.deepEqual([...perNode.keys()].sort(), [...this.nodes].sort(), 'one daemon pod per node');
    assert.ok([...perNode.values()].every((n) => n === 1), 'one daemon pod per node');
    const expected = this.nodeCount + setReplicas + deployReplicas;
    assert.equal(live.length, expected, `live pods at the end: ${names.join(', ')}`);
  }

  /** Watches of pods, MyReplicaSets and claims, opened now. */
  async startWatches(): Promise<RigWatches> {
    const [podWatch, rsWatch, claimWatch] = await Promise.all([
      Recorder.start(pods, this.namespace),
      Recorder.start(myReplicaSets, this.namespace),
      Recorder.start(persistentVolumeClaims, this.namespace),
    ]);
    return new RigWatches(this, podWatch, rsWatch, claimWatch);
  }

  async remove(): Promise<void> {
    await this.removeNamespace();
    await this.owned.deleteAll();
    await this.volumes.deleteAll();
  }
}

/** Runs one check, recording its failure instead of throwing; its result otherwise. */
export function check<T>(violations: Violations, what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    violations.add(`${what}: ${err instanceof Error ? err.message.slice(0, 600) : String(err)}`);
    return undefined;
  }
}

/** The rig's watches, replayed event by event for the invariants of every state they passed through. */
export class RigWatches {
  private readonly rig: ChaosRig;
  readonly podWatch: Recorder<Pod>;
  readonly rsWatch: Recorder<MyReplicaSet>;
  readonly claimWatch: Recorder<PersistentVolumeClaim>;

  constructor(rig: ChaosRig, podWatch: Recorder<Pod>, rsWatch: Recorder<MyReplicaSet>, claimWatch: Recorder<PersistentVolumeClaim>) {
    this.rig = rig;
    this.podWatch = podWatch;
    this.rsWatch = rsWatch;
    this.claimWatch = claimWatch;
  }

  async caughtUp(): Promise<void> {
    await Promise.all([this.podWatch.caughtUp(), this.rsWatch.caughtUp(), this.claimWatch.caughtUp()]);
  }

  /**
   * Every invariant over every state; returns the worst values seen (undefined where one failed).
   * `stray`: UIDs of pods someone else began to delete (support/audit.ts podsDeletedByOthers).
   */
  replayInvariants(violations: Violations, stray: ReadonlySet<string>): Record<string, number | undefined> {
    const { ds, deploy } = this.rig.workloads;
    const rig = this.rig;
    const worst = {
      nodesWithoutAvailablePod: check(violations, 'MyDaemonSet maxUnavailable, one pod per node', () =>
        assertNodeUnavailabilityBound(this.podWatch, ds, rig.nodes, rig.daemonMaxUnavailable, { maxPerNode: 1 }),
      ),
      setReplicasUnavailable: check(violations, 'MyStatefulSet maxUnavailable', () => assertReplicaUnavailabilityBound(this.podWatch, rig.setPods, 1, stray)),
      orderedCreationsChecked: check(violations, 'MyStatefulSet OrderedReady', () => assertOrderedCreation(this.podWatch, rig.setPods, stray)),
      replicaSetSum: check(violations, 'MyDeployment maxSurge', () => assertReplicaSetSumBound(this.rsWatch, deploy, deployReplicas + rig.fenceposts.surge)),
      deploymentReadyPods: check(violations, 'MyDeployment maxUnavailable', () => assertMinReady(this.podWatch, deployLabels, deployReplicas - rig.fenceposts.unavailable)),
    };
    check(violations, 'claims created once, never deleted', () => this.assertClaimsKept());
    return worst;
  }

  private assertClaimsKept(): void {
    const created = new Map<string, number>();
    for (const c of this.claimWatch.initial) created.set(c.metadata.name ?? '', 1);
    for (const e of this.claimWatch.events) {
      const name = e.object.metadata.name ?? '';
      if (e.type === 'ADDED') created.set(name, (created.get(name) ?? 0) + 1);
      assert.ok(e.type !== 'DELETED' && !isDeleting(e.object), `claim ${name} deleted`);
    }
    for (const [name, times] of created) assert.equal(times, 1, `claim ${name} created ${times} times`);
  }

  /**
   * For a failed run: the pod and MyReplicaSet watches merged in etcd order (one revision sequence
   * here), one compact JSON line per event, beside the operator's log. Returns the file.
   */
  dump(name: string): string {
    const rv = (o: { metadata: { resourceVersion?: string } }): bigint => BigInt(o.metadata.resourceVersion ?? '0');
    const lines = [
      ...this.podWatch.events.map((e) => ({
        rv: rv(e.object),
        line: { at: e.at, type: e.type, pod: podName(e.object), owner: controllerUid(e.object), ready: isReady(e.object), deleting: isDeleting(e.object), phase: e.object.status?.phase },
      })),
      ...this.rsWatch.events.map((e) => ({
        rv: rv(e.object),
        line: { at: e.at, type: e.type, rs: e.object.metadata.name, uid: uidOf(e.object), generation: e.object.metadata.generation, spec: e.object.spec.replicas, status: e.object.status },
      })),
    ].sort((a, b) => (a.rv < b.rv ? -1 : a.rv > b.rv ? 1 : 0));
    const file = logFile(`${name}-watch-${Date.now()}.jsonl`);
    writeFileSync(file, lines.map((l) => JSON.stringify({ rv: String(l.rv), ...l.line })).join('\n') + '\n');
    return file;
  }

  async stop(): Promise<void> {
    await Promise.all([this.podWatch.stop(), this.rsWatch.stop(), this.claimWatch.stop()]);
  }
}
