// What the MyStatefulSet e2e tests share: a manifest builder (upstream's e2estatefulset.NewStatefulSet),
// a headless Service, real PersistentVolumes for the claims, readiness broken and restored the way
// a failing readiness probe does it (upstream's breakHTTPProbe / restoreHTTPProbe), status waits,
// and readers of the pod watch that tell the controller's deletions from outside disruptions.
//
// kwok runs no container, so a pod's readiness is whatever its status says: patching the Ready
// condition of a Running pod is exactly what the kubelet does when a readiness probe starts or stops
// failing, and no kwok stage touches a Running pod afterwards.
import assert from 'node:assert/strict';
import type { CoreEvent, PersistentVolumeClaim, Pod } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { events, pods, resource } from '../../../src/api/resources.ts';
import type { MyStatefulSet, MyStatefulSetSpec } from '../../../src/api/workloads.ts';
import { apiVersion, myStatefulSets } from '../../../src/api/workloads.ts';
import { isNotFound } from '../../../src/runtime/client/errors.ts';
import { testClient, waitFor, type WaitOptions } from './env.ts';
import { controlledBy, isDeleting, isReady, podHash, podImage, podName, updateWithRetries } from './objects.ts';
import type { Observed, Recorder } from './recorder.ts';

/** How long "nothing happens" is watched for, once the operator has acted on a change. */
export const quietMs = 3_000;

/** A watch event that removes a pod or starts its graceful deletion. */
export function isPodDeletion(e: { type: string; object: Pod }): boolean {
  return e.type === 'DELETED' || isDeleting(e.object);
}

/** upstream NewStatefulSet uses AgnhostPrev and rolls to Agnhost; kwok turns any other image Ready. */
export const oldImage = 'registry.k8s.io/e2e-test-images/agnhost:2.52';
export const newImage = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
/** kwok keeps such a pod Running and never Ready (hack/kwok/kwokctl.yaml). */
export const notReadyImage = 'example.com/agnhost:notready';
/** kwok fails such a pod (phase Failed, exit code 1) about 0.5 s after it is scheduled. */
export const crashImage = 'example.com/agnhost:crash';

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';

export interface Service extends KubeObject {
  readonly spec: Record<string, unknown>;
}

export interface PersistentVolume extends KubeObject {
  readonly spec: Record<string, unknown>;
  readonly status?: { readonly phase?: string };
}

export const services = resource<Service>('', 'v1', 'services', 'Service', true);
export const persistentVolumes = resource<PersistentVolume>('', 'v1', 'persistentvolumes', 'PersistentVolume', false);
export const endpointSlices = resource<KubeObject & { readonly endpoints?: readonly { readonly hostname?: string; readonly targetRef?: { readonly name?: string } }[] }>(
  'discovery.k8s.io',
  'v1',
  'endpointslices',
  'EndpointSlice',
  true,
);

export interface NewSetOptions {
  readonly replicas?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly image?: string;
  readonly serviceName?: string;
  /** Claim templates (upstream's statefulPodMounts), each 1Gi ReadWriteOnce of this storage class. */
  readonly claims?: { readonly storageClassName: string; readonly names: readonly string[] };
  readonly spec?: Partial<MyStatefulSetSpec>;
}

/** upstream: NewStatefulSet — one container, selector = template labels, a governing Service name. */
export function newMyStatefulSet(namespace: string, name: string, options: NewSetOptions = {}): MyStatefulSet {
  const labels = options.labels ?? { app: name };
  const claimNames = options.claims?.names ?? [];
  const spec: MyStatefulSetSpec = {
    replicas: options.replicas ?? 1,
    selector: { matchLabels: labels },
    serviceName: options.serviceName ?? 'test',
    template: {
      metadata: { labels },
      spec: {
        containers: [
          {
            name: 'webserver',
            image: options.image ?? oldImage,
            args: ['test-webserver'],
            ...(claimNames.length > 0 ? { volumeMounts: claimNames.map((c) => ({ name: c, mountPath: `/${c}` })) } : {}),
          },
        ],
      },
    },
    ...(options.claims
      ? {
          volumeClaimTemplates: claimNames.map((c) => ({
            metadata: { name: c },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: options.claims?.storageClassName,
              resources: { requests: { storage: '1Gi' } },
            },
          })),
        }
      : {}),
  };
  return { apiVersion, kind: 'MyStatefulSet', metadata: { name, namespace }, spec: { ...spec, ...options.spec } };
}

/** upstream: CreateServiceSpec(name, "", true, labels) — the headless Service governing the set. */
export async function createHeadlessService(namespace: string, name: string, selector: Readonly<Record<string, string>>): Promise<Service> {
  const client = await testClient();
  return client.create(services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { clusterIP: 'None', selector, ports: [{ name: 'http', port: 80 }] },
  });
}

export function withImage(set: MyStatefulSet, image: string): MyStatefulSet {
  const [first, ...rest] = set.spec.template.spec.containers;
  if (!first) throw new Error('the template has no container');
  return {
    ...set,
    spec: { ...set.spec, template: { ...set.spec.template, spec: { ...set.spec.template.spec, containers: [{ ...first, image }, ...rest] } } },
  };
}

export function withSpec(set: MyStatefulSet, spec: Partial<MyStatefulSetSpec>): MyStatefulSet {
  return { ...set, spec: { ...set.spec, ...spec } };
}

/** upstream: updateStatefulSetWithRetries. */
export function updateMyStatefulSet(namespace: string, name: string, change: (set: MyStatefulSet) => MyStatefulSet): Promise<MyStatefulSet> {
  return updateWithRetries(myStatefulSets, namespace, name, change);
}

export async function getMsts(namespace: string, name: string): Promise<MyStatefulSet> {
  return (await testClient()).get(myStatefulSets, namespace, name);
}

// ---- pods ---------------------------------------------------------------------------------------

/** The ordinal in `<set>-<ordinal>`; -1 for another name. */
export function ordinalOf(name: string): number {
  const match = /-([0-9]+)$/.exec(name);
  return match ? Number(match[1]) : -1;
}

export function byOrdinal(a: Pod, b: Pod): number {
  return ordinalOf(podName(a)) - ordinalOf(podName(b));
}

/** `name phase ready deleting hash image` lines, for failure messages. */
export function describePods(list: Iterable<Pod>): string[] {
  return [...list].map(
    (p) => `${podName(p)} ${p.status?.phase ?? '?'}${isReady(p) ? ' ready' : ''}${isDeleting(p) ? ' deleting' : ''} ${podHash(p)} ${podImage(p)}`,
  );
}

/** The set's pods (controlled by it, deleting ones included), by ordinal. */
export async function setPods(set: MyStatefulSet): Promise<Pod[]> {
  const client = await testClient();
  const list = await client.list(pods, { namespace: set.metadata.namespace });
  return list.items.filter((p) => controlledBy(p, set)).sort(byOrdinal);
}

/** The names `<set>-<start>` … for `count` replicas. */
export function podNames(set: MyStatefulSet | string, count: number, start = 0): string[] {
  const name = typeof set === 'string' ? set : (set.metadata.name ?? '');
  return Array.from({ length: count }, (_, i) => `${name}-${start + i}`);
}

/**
 * upstream WaitForRunningAndReady, stricter: exactly the pods `names` (default `<set>-0…`), all
 * controlled by the set, Running, Ready and not deleting. Returns them by ordinal.
 */
export async function waitForRunningAndReady(set: MyStatefulSet, names: readonly string[], options?: WaitOptions): Promise<Pod[]> {
  return waitFor(
    `pods ${names.join(', ')} of ${set.metadata.name ?? ''} Running and Ready, and no others`,
    () => setPods(set),
    (ps) =>
      ps.length === names.length &&
      ps.every((p, i) => podName(p) === names[i] && p.status?.phase === 'Running' && isReady(p) && !isDeleting(p)),
    { timeoutMs: 90_000, ...options },
  );
}

/**
 * Sets the pod's Ready (and ContainersReady) condition as the kubelet does when a readiness probe
 * starts failing (`ready: false`) or passes again: upstream's breakPodHTTPProbe / restorePodHTTPProbe.
 */
export async function setPodReadiness(namespace: string, name: string, ready: boolean): Promise<Pod> {
  const client = await testClient();
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = ready ? 'True' : 'False';
  const reason = ready ? undefined : 'ContainersNotReady';
  const pod = await client.get(pods, namespace, name);
  return client.patch(pods, namespace, name, 'strategic', {
    status: {
      conditions: [
        { type: 'Ready', status, lastTransitionTime: now, ...(reason ? { reason } : {}) },
        { type: 'ContainersReady', status, lastTransitionTime: now, ...(reason ? { reason } : {}) },
      ],
      containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, ready })),
    },
  }, { subresource: 'status' });
}

// ---- status -------------------------------------------------------------------------------------

/** Waits until the operator has written status for the set's current generation and `done` holds. */
export async function waitForStatus(
  namespace: string,
  name: string,
  what: string,
  done: (set: MyStatefulSet) => boolean = () => true,
  options?: WaitOptions,
): Promise<MyStatefulSet> {
  return waitFor(
    `${name}: status of the current generation with ${what}`,
    () => getMsts(namespace, name),
    (set) => (set.status?.observedGeneration ?? 0) >= (set.metadata.generation ?? 1) && done(set),
    { timeoutMs: 90_000, ...options },
  );
}

/** Every replica ready and updated, and the rollout complete (currentRevision = updateRevision). */
export function settled(replicas: number): (set: MyStatefulSet) => boolean {
  return (set) => {
    const s = set.status ?? {};
    return (
      s.replicas === replicas &&
      (s.readyReplicas ?? 0) === replicas &&
      (s.updatedReplicas ?? 0) === replicas &&
      (s.currentReplicas ?? 0) === replicas &&
      s.currentRevision !== undefined &&
      s.currentRevision === s.updateRevision
    );
  };
}

export async function waitSettled(namespace: string, name: string, replicas: number, options?: WaitOptions): Promise<MyStatefulSet> {
  return waitForStatus(namespace, name, `${replicas} replicas ready and updated, rollout complete`, settled(replicas), options);
}

/** Events recorded on the MyStatefulSet. */
export async function statefulSetEvents(set: MyStatefulSet): Promise<CoreEvent[]> {
  const client = await testClient();
  const list = await client.list(events, { namespace: set.metadata.namespace, fieldSelector: `involvedObject.uid=${set.metadata.uid ?? ''}` });
  return [...list.items];
}

/**
 * The set's Events once `done` accepts them. Events are written by the operator's recorder on its
 * own, behind every Event queued before (as client-go's broadcaster does): a pod the Event is
 * about can be replaced and Ready before the Event is written, so a test waits for it.
 */
export function waitForStatefulSetEvents(set: MyStatefulSet, what: string, done: (events: readonly CoreEvent[]) => boolean): Promise<CoreEvent[]> {
  return waitFor(what, () => statefulSetEvents(set), done);
}

// ---- storage ------------------------------------------------------------------------------------

/**
 * hostPath PersistentVolumes one test creates for its claims, under a StorageClass name nobody else
 * uses (`e2e-<namespace>` unless given), so kube-controller-manager's binder binds the test's
 * claims to them and to nothing else; no StorageClass object is needed (claim growth tests make
 * one: support/volume-growth.ts). Reclaim policy Delete: a claim deleted by the test (or the
 * garbage collector) takes its volume with it, so make enough for re-creations. Volumes are named
 * after the class: two TestVolumes of one namespace need two class names.
 */
export class TestVolumes {
  readonly storageClassName: string;
  private readonly prefix: string;
  private readonly created = new Set<string>();
  private next = 0;

  constructor(namespace: string, storageClassName = `e2e-${namespace}`) {
    this.storageClassName = storageClassName;
    this.prefix = storageClassName;
  }

  /** `count` Available volumes of `capacity` (default 1Gi, the claims' usual request). */
  async create(count: number, capacity = '1Gi'): Promise<PersistentVolume[]> {
    const client = await testClient();
    const made: PersistentVolume[] = [];
    for (let i = 0; i < count; i++) {
      const name = `${this.prefix}-${this.next++}`;
      this.created.add(name);
      made.push(
        await client.create(persistentVolumes, {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name, labels: { 'e2e.my.dev/storage-class': this.storageClassName } },
          spec: {
            storageClassName: this.storageClassName,
            capacity: { storage: capacity },
            accessModes: ['ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Delete',
            hostPath: { path: `/tmp/mwo-e2e/${name}`, type: 'DirectoryOrCreate' },
          },
        }),
      );
    }
    return made;
  }

  async deleteAll(): Promise<void> {
    const client = await testClient();
    await Promise.all(
      [...this.created].map(async (name) => {
        try {
          await client.delete(persistentVolumes, undefined, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }),
    );
  }
}

/** The claims `<template>-<pod>` of a pod. */
export function claimNamesOf(set: MyStatefulSet, pod: string): string[] {
  return (set.spec.volumeClaimTemplates ?? []).map((t) => `${t.metadata.name ?? ''}-${pod}`);
}

function rv(obj: KubeObject): bigint {
  return BigInt(obj.metadata.resourceVersion ?? '0');
}

/**
 * Every pod of the set the pod watch saw created was created after all its claims: at the pod's
 * creation (its ADDED resourceVersion; pods and claims share one etcd revision sequence here) the
 * claim watch shows each claim existing, and no claim is younger than its pod by creationTimestamp.
 * The claim watch must have started before the pod watch. Returns how many pod creations it checked.
 */
export function assertClaimsBeforePods(set: MyStatefulSet, podWatch: Recorder<Pod>, claimWatch: Recorder<PersistentVolumeClaim>): number {
  let checked = 0;
  for (const added of podWatch.events.filter((e) => e.type === 'ADDED' && controlledByName(e.object, set))) {
    const pod = added.object;
    const at = rv(pod);
    let state = new Map<string, PersistentVolumeClaim>();
    for (const step of claimWatch.replay()) {
      if (step.event !== undefined && rv(step.event.object) > at) break;
      state = step.state;
    }
    const existing = new Map([...state.values()].map((c) => [c.metadata.name ?? '', c]));
    for (const claimName of claimNamesOf(set, podName(pod))) {
      const claim = existing.get(claimName);
      assert.ok(claim, `pod ${podName(pod)} (resourceVersion ${at}) was created before its claim ${claimName} existed`);
      assert.ok(
        Date.parse(claim.metadata.creationTimestamp ?? '') <= Date.parse(pod.metadata.creationTimestamp ?? ''),
        `claim ${claimName} (${claim.metadata.creationTimestamp ?? ''}) is younger than pod ${podName(pod)} (${pod.metadata.creationTimestamp ?? ''})`,
      );
    }
    checked++;
  }
  return checked;
}

function controlledByName(pod: Pod, set: MyStatefulSet): boolean {
  return pod.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === set.metadata.uid) ?? false;
}

// ---- the pod watch, read back ---------------------------------------------------------------------

/** How a pod's deletion began, as the watch saw it. */
export interface PodDeletion {
  readonly name: string;
  readonly uid: string;
  /** Index of the event in the recorder. */
  readonly index: number;
  readonly pod: Pod;
  /**
   * Graceful: a MODIFIED event set deletionTimestamp with a grace period (the controller's or the
   * test's delete; kwok then removes the pod). Not graceful: the pod vanished with grace period 0
   * and no such event before — kwok's repeated pod-delete hitting a recreated name (spec:
   * control-plane.md), or a terminal or unscheduled pod, which the API server deletes at once.
   */
  readonly graceful: boolean;
}

/** Every pod deletion the watch saw, in order, once per pod. */
export function podDeletions(watch: Recorder<Pod>): PodDeletion[] {
  const seen = new Set<string>();
  const out: PodDeletion[] = [];
  watch.events.forEach((e: Observed<Pod>, index) => {
    const uid = e.object.metadata.uid ?? '';
    if (seen.has(uid)) return;
    if (e.type === 'DELETED' || isDeleting(e.object)) {
      seen.add(uid);
      const graceful = e.type !== 'DELETED' && (e.object.metadata.deletionGracePeriodSeconds ?? 0) > 0;
      out.push({ name: podName(e.object), uid, index, pod: e.object, graceful });
    }
  });
  return out;
}

/**
 * Deletions nobody in the test or the controller made: kwok's pod-delete stage rarely repeats a
 * delete by name for a pod it already removed, and a pod the set recreated under that name
 * meanwhile vanishes with grace period 0 (spec: control-plane.md). Signature: gone without a
 * graceful deletion, not terminal (the API server deletes Failed pods at once too), and not the
 * first pod of its name the watch saw.
 */
export function outsideDisruptions(watch: Recorder<Pod>): PodDeletion[] {
  const firstUid = new Map<string, string>();
  for (const pod of [...watch.initial, ...watch.events.map((e) => e.object)]) {
    if (!firstUid.has(podName(pod))) firstUid.set(podName(pod), pod.metadata.uid ?? '');
  }
  return podDeletions(watch).filter((d) => {
    const phase = d.pod.status?.phase;
    return !d.graceful && phase !== 'Failed' && phase !== 'Succeeded' && firstUid.get(d.name) !== d.uid;
  });
}

/** The UIDs of outsideDisruptions. */
export function strayDeletions(watch: Recorder<Pod>): Set<string> {
  return new Set(outsideDisruptions(watch).map((d) => d.uid));
}

/** Names of the pods the watch saw created, in order. */
export function podCreations(watch: Recorder<Pod>): { readonly name: string; readonly uid: string; readonly index: number; readonly pod: Pod }[] {
  const out: { name: string; uid: string; index: number; pod: Pod }[] = [];
  watch.events.forEach((e, index) => {
    if (e.type === 'ADDED') out.push({ name: podName(e.object), uid: e.object.metadata.uid ?? '', index, pod: e.object });
  });
  return out;
}

/** The state (pods by name, live ones only) just before event `index`. */
export function stateBefore(watch: Recorder<Pod>, index: number): Map<string, Pod> {
  let i = -1;
  let state = new Map<string, Pod>();
  for (const step of watch.replay()) {
    if (i === index) break;
    state = step.state;
    i++;
  }
  return new Map([...state.values()].map((p) => [podName(p), p]));
}

/** Pods by name in a replayed state (keys of a replay state are UIDs). */
export function byName(state: Map<string, Pod>): Map<string, Pod> {
  return new Map([...state.values()].map((p) => [podName(p), p]));
}

// ---- rollout control (docs/rollout-control.md) ---------------------------------------------------

/**
 * upstream's maxUnavailable check for a set, over every state the pod watch passed through: at most
 * `maxUnavailable` of the replicas `names` are missing, terminating or not Ready. A name whose pod
 * kwok's stray delete removed is not counted until it is Ready again: that disruption is nobody's
 * rollout. `stray`: the UIDs of such pods, by default from the watch's signature of them
 * (outsideDisruptions); support/audit.ts knows them for certain. Returns the most replicas seen
 * unavailable at once.
 */
export function assertReplicaUnavailabilityBound(
  watch: Recorder<Pod>,
  names: readonly string[],
  maxUnavailable: number,
  stray: ReadonlySet<string> = strayDeletions(watch),
): number {
  const disrupted = new Set<string>();
  let worst = 0;
  for (const { state, event } of watch.replay()) {
    // From the moment the stray deletion begins (terminating), not only once the pod is gone.
    if (event && (event.type === 'DELETED' || isDeleting(event.object)) && stray.has(event.object.metadata.uid ?? '')) disrupted.add(podName(event.object));
    if (event && isReady(event.object) && !isDeleting(event.object)) disrupted.delete(podName(event.object));
    const live = byName(new Map([...state].filter(([, p]) => !isDeleting(p))));
    const unavailable = names.filter((n) => {
      const pod = live.get(n);
      return !disrupted.has(n) && (pod === undefined || !isReady(pod));
    });
    worst = Math.max(worst, unavailable.length);
    assert.ok(
      unavailable.length <= maxUnavailable,
      `${unavailable.length} replicas unavailable (${unavailable.join(', ')}) > ${maxUnavailable}: ${describePods(state.values()).join('; ')}`,
    );
  }
  return worst;
}

/**
 * OrderedReady creation, over every state the pod watch passed through (one pass): each of
 * `replicas` was created while every lower-ordinal replica was present, Ready and not terminating
 * (upstream: a monotonic set stops at the first replica that is not Running and Ready). A replica
 * kwok's stray delete removed (`stray`, as for assertReplicaUnavailabilityBound) does not gate
 * until it is Ready again: the controller cannot have seen that deletion before it acted. Returns
 * how many creations it checked.
 */
export function assertOrderedCreation(watch: Recorder<Pod>, replicas: readonly string[], stray: ReadonlySet<string> = strayDeletions(watch)): number {
  const disrupted = new Set<string>();
  const wanted = new Set(replicas);
  let before: Map<string, Pod> | undefined;
  let checked = 0;
  for (const { state, event } of watch.replay()) {
    if (event && before && event.type === 'ADDED' && wanted.has(podName(event.object))) {
      checked++;
      const created = podName(event.object);
      const live = byName(before);
      for (const name of replicas.filter((n) => ordinalOf(n) < ordinalOf(created) && !disrupted.has(n))) {
        const pod = live.get(name);
        assert.ok(pod && isReady(pod) && !isDeleting(pod), `${created} created while ${name} was not Ready: ${describePods(before.values()).join('; ')}`);
      }
    }
    // From the moment the stray deletion begins (terminating), not only once the pod is gone.
    if (event && (event.type === 'DELETED' || isDeleting(event.object)) && stray.has(event.object.metadata.uid ?? '')) disrupted.add(podName(event.object));
    if (event && isReady(event.object) && !isDeleting(event.object)) disrupted.delete(podName(event.object));
    before = state;
  }
  return checked;
}
