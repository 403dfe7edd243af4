// What the MyDeployment and MyReplicaSet e2e tests share: manifest builders (upstream's newRS and
// e2edeployment.NewDeployment), finding a Deployment's new and old MyReplicaSets the way upstream's
// test utilities do (template equality ignoring pod-template-hash), status waits (upstream's
// WaitForDeploymentComplete, WaitForDeploymentRevisionAndImage, waitForObservedDeployment), the
// scale subresource, and replays of recorded watches that check rollout bounds at every step.
//
// Pods turn Ready within a second here, so a poll sees the end of a rollout, not its steps: maxSurge,
// maxUnavailable, Recreate's "old pods gone first" and deletion order are read from a watch opened
// before the action, never from polls.
import assert from 'node:assert/strict';
import type { CoreEvent, Pod, PodTemplateSpec } from '../../../src/api/core.ts';
import { podTemplateHashLabel, revisionAnnotation } from '../../../src/api/deployment-annotations.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { isRecord } from '../../../src/api/meta.ts';
import type { Resource } from '../../../src/api/resources.ts';
import { events, pods, resource } from '../../../src/api/resources.ts';
import type { DeploymentCondition, MyDeployment, MyDeploymentSpec, MyReplicaSet, MyReplicaSetSpec } from '../../../src/api/workloads.ts';
import { apiVersion, myDeployments, myReplicaSets } from '../../../src/api/workloads.ts';
import { resourcePath } from '../../../src/runtime/client/rest.ts';
import { testClient, waitFor, type WaitOptions } from './env.ts';
import { controlledBy, controllerUid, isDeleting, isReady, podImage, podName, uidOf, updateWithRetries } from './objects.ts';
import type { Recorder } from './recorder.ts';

// ---- names upstream uses ------------------------------------------------------------------------

/** upstream: AgnhostImageName / AgnhostImage / PrevAgnhostImage; kwok turns any image but the fault ones Ready. */
export const agnhostImageName = 'agnhost';
export const agnhostImage = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
export const prevAgnhostImage = 'registry.k8s.io/e2e-test-images/agnhost:2.52';
export const pauseImage = 'registry.k8s.io/pause:3.10';
/** kwok keeps such a pod Running and never Ready (hack/kwok/kwokctl.yaml): upstream's unpullable `webserver:404`. */
export const notReadyImage = 'webserver:404-notready';

export {
  changeCauseAnnotation,
  desiredReplicasAnnotation,
  lastAppliedAnnotation,
  maxReplicasAnnotation,
  podTemplateHashLabel,
  revisionAnnotation,
  revisionHistoryAnnotation,
  rollbackToAnnotation,
} from '../../../src/api/deployment-annotations.ts';

/** How long "nothing happens" is watched for, once the operator has acted on a change. */
export const quietMs = 3_000;
/** Deadline for a rollout on this 2-core machine shared with compilers. */
export const rolloutTimeoutMs = 150_000;

// ---- builders -----------------------------------------------------------------------------------

/** upstream newRS: labels = selector = template labels, one container, terminationGracePeriodSeconds 0. */
export function newMyReplicaSet(
  namespace: string,
  name: string,
  replicas: number,
  podLabels: Readonly<Record<string, string>>,
  containerName: string,
  image: string,
  options: { readonly annotations?: Readonly<Record<string, string>>; readonly spec?: Partial<MyReplicaSetSpec> } = {},
): MyReplicaSet {
  return {
    apiVersion,
    kind: 'MyReplicaSet',
    metadata: { name, namespace, labels: { ...podLabels }, ...(options.annotations ? { annotations: { ...options.annotations } } : {}) },
    spec: {
      replicas,
      selector: { matchLabels: { ...podLabels } },
      template: {
        metadata: { labels: { ...podLabels } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: containerName, image }] },
      },
      ...options.spec,
    },
  };
}

/** upstream e2edeployment.NewDeployment: metadata labels = selector = template labels, one container. */
export function newMyDeployment(
  namespace: string,
  name: string,
  replicas: number,
  podLabels: Readonly<Record<string, string>>,
  containerName: string,
  image: string,
  strategyType: 'RollingUpdate' | 'Recreate' = 'RollingUpdate',
  spec: Partial<MyDeploymentSpec> = {},
): MyDeployment {
  return {
    apiVersion,
    kind: 'MyDeployment',
    metadata: { name, namespace, labels: { ...podLabels } },
    spec: {
      replicas,
      selector: { matchLabels: { ...podLabels } },
      strategy: { type: strategyType },
      template: {
        metadata: { labels: { ...podLabels } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: containerName, image }] },
      },
      ...spec,
    },
  };
}

/** The first container's name and image replaced (upstream tests change `Containers[0]`). */
export function withContainer<T extends MyDeployment | MyReplicaSet>(obj: T, change: { readonly name?: string; readonly image?: string; readonly [field: string]: unknown }): T {
  const current = obj.spec.template;
  const [first, ...rest] = current?.spec.containers ?? [];
  if (!current || !first) throw new Error('the template has no container');
  const template = { ...current, spec: { ...current.spec, containers: [{ ...first, ...change }, ...rest] } };
  return { ...obj, spec: { ...obj.spec, template } };
}

export function withDeploymentSpec(d: MyDeployment, spec: Partial<MyDeploymentSpec>): MyDeployment {
  return { ...d, spec: { ...d.spec, ...spec } };
}

export function withAnnotations<T extends KubeObject>(obj: T, annotations: Readonly<Record<string, string>>): T {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, ...annotations } } };
}

export function templateImage(obj: MyDeployment | MyReplicaSet): string {
  return obj.spec.template?.spec.containers[0]?.image ?? '';
}

// ---- reads and writes ---------------------------------------------------------------------------

export async function getDeploy(namespace: string, name: string): Promise<MyDeployment> {
  return (await testClient()).get(myDeployments, namespace, name);
}

export async function getRs(namespace: string, name: string): Promise<MyReplicaSet> {
  return (await testClient()).get(myReplicaSets, namespace, name);
}

/** upstream: UpdateDeploymentWithRetries. */
export function updateMyDeployment(namespace: string, name: string, change: (d: MyDeployment) => MyDeployment): Promise<MyDeployment> {
  return updateWithRetries(myDeployments, namespace, name, change);
}

/** upstream: UpdateReplicaSetWithRetries. */
export function updateMyReplicaSet(namespace: string, name: string, change: (rs: MyReplicaSet) => MyReplicaSet): Promise<MyReplicaSet> {
  return updateWithRetries(myReplicaSets, namespace, name, change);
}

export async function listRs(namespace: string, labelSelector?: string): Promise<MyReplicaSet[]> {
  return [...(await (await testClient()).list(myReplicaSets, { namespace, labelSelector })).items];
}

export async function listPods(namespace: string, labelSelector?: string): Promise<Pod[]> {
  return [...(await (await testClient()).list(pods, { namespace, labelSelector })).items];
}

/** `k=v,…` of a matchLabels map. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function matchesLabels(obj: KubeObject, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(labels).every(([k, v]) => obj.metadata.labels?.[k] === v);
}

export function revisionOf(obj: KubeObject): string {
  return obj.metadata.annotations?.[revisionAnnotation] ?? '';
}

// ---- new and old replica sets (upstream deploymentutil.FindNewReplicaSet / FindOldReplicaSets) ----

/** JSON with keys sorted and null, empty lists and empty maps dropped: the "semantic" view of a template. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items: unknown[] = value.map(canonical).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical(value[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value ?? undefined;
}

function templateKey(template: PodTemplateSpec | undefined): string {
  if (!template) return 'null';
  const labels = { ...template.metadata?.labels };
  delete labels[podTemplateHashLabel];
  return JSON.stringify(canonical({ ...template, metadata: { ...template.metadata, labels } }) ?? null);
}

/** The two templates are equal once pod-template-hash is removed from both (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return templateKey(a) === templateKey(b);
}

function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

export interface DeploymentReplicaSets {
  readonly all: MyReplicaSet[];
  readonly newRs: MyReplicaSet | undefined;
  readonly old: MyReplicaSet[];
}

/** The MyReplicaSets the Deployment controls, split into the new one (oldest template match) and the old ones. */
export function splitReplicaSets(d: MyDeployment, rss: readonly MyReplicaSet[]): DeploymentReplicaSets {
  const all = rss.filter((rs) => controlledBy(rs, d) && !isDeleting(rs)).sort(byCreation);
  const newRs = all.find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
  return { all, newRs, old: all.filter((rs) => rs !== newRs) };
}

export async function deploymentReplicaSets(d: MyDeployment): Promise<DeploymentReplicaSets> {
  return splitReplicaSets(d, await listRs(d.metadata.namespace ?? ''));
}

// ---- status -------------------------------------------------------------------------------------

export function condition(d: MyDeployment | MyReplicaSet, type: string): DeploymentCondition | undefined {
  return d.status?.conditions?.find((c) => c.type === type);
}

export function observed(d: MyDeployment | MyReplicaSet): boolean {
  return (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1);
}

/** upstream deploymentutil.DeploymentComplete (against the current spec and generation). */
export function deploymentComplete(d: MyDeployment): boolean {
  const s = d.status ?? {};
  const replicas = d.spec.replicas ?? 1;
  return (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas && observed(d);
}

/** A compact line for failure messages. */
export function describeDeployment(d: MyDeployment): string {
  const s = d.status ?? {};
  const conditions = (s.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`).join(' ');
  return (
    `${d.metadata.name ?? ''} gen ${d.metadata.generation ?? '?'}/${s.observedGeneration ?? '-'} rev ${revisionOf(d) || '-'} spec ${d.spec.replicas ?? 1}` +
    ` replicas ${s.replicas ?? 0} updated ${s.updatedReplicas ?? 0} ready ${s.readyReplicas ?? 0} available ${s.availableReplicas ?? 0}` +
    ` unavailable ${s.unavailableReplicas ?? 0}${d.spec.paused ? ' paused' : ''} [${conditions}]`
  );
}

export function describeReplicaSets(rss: readonly MyReplicaSet[]): string[] {
  return rss.map((rs) => {
    const s = rs.status ?? {};
    return `${rs.metadata.name ?? ''} rev ${revisionOf(rs) || '-'} spec ${rs.spec.replicas ?? 1} status ${s.replicas ?? 0}/${s.readyReplicas ?? 0}/${s.availableReplicas ?? 0} ${templateImage(rs)}`;
  });
}

export function describePods(list: Iterable<Pod>): string[] {
  return [...list].map(
    (p) => `${podName(p)} ${p.status?.phase ?? '?'}${isReady(p) ? ' ready' : ''}${isDeleting(p) ? ' deleting' : ''} ${p.metadata.labels?.[podTemplateHashLabel] ?? ''} ${podImage(p)}`,
  );
}

/** Where a Deployment stands, with its replica sets, for a failure message. */
export async function deploymentState(namespace: string, name: string): Promise<{ deployment: string; replicaSets: string[]; d: MyDeployment; sets: DeploymentReplicaSets }> {
  const d = await getDeploy(namespace, name);
  const sets = await deploymentReplicaSets(d);
  return { deployment: describeDeployment(d), replicaSets: describeReplicaSets(sets.all), d, sets };
}

/** Waits until the Deployment's status matches `done` (the probe reports a compact state on timeout). */
export async function waitForDeployment(
  namespace: string,
  name: string,
  what: string,
  done: (d: MyDeployment, sets: DeploymentReplicaSets) => boolean,
  options?: WaitOptions,
): Promise<MyDeployment> {
  const state = await waitFor(`${name}: ${what}`, () => deploymentState(namespace, name), (s) => done(s.d, s.sets), {
    timeoutMs: rolloutTimeoutMs,
    intervalMs: 250,
    ...options,
  });
  return state.d;
}

/** upstream WaitForDeploymentComplete: updated = replicas = available = spec.replicas for the current generation. */
export function waitForDeploymentComplete(namespace: string, name: string, options?: WaitOptions): Promise<MyDeployment> {
  return waitForDeployment(namespace, name, 'rollout complete', (d) => deploymentComplete(d), options);
}

/** upstream waitForObservedDeployment. */
export function waitForObservedDeployment(namespace: string, name: string, generation: number, options?: WaitOptions): Promise<MyDeployment> {
  return waitForDeployment(namespace, name, `observedGeneration ≥ ${generation}`, (d) => (d.status?.observedGeneration ?? 0) >= generation, options);
}

/** upstream WaitForDeploymentRevisionAndImage: the Deployment and its new MyReplicaSet carry `revision`, both templates `image`. */
export async function waitForDeploymentRevisionAndImage(namespace: string, name: string, revision: string, image: string, options?: WaitOptions): Promise<{ d: MyDeployment; newRs: MyReplicaSet }> {
  const state = await waitFor(
    `${name}: revision ${revision} with image ${image} on the Deployment and its new MyReplicaSet`,
    () => deploymentState(namespace, name),
    (s) =>
      revisionOf(s.d) === revision &&
      templateImage(s.d) === image &&
      s.sets.newRs !== undefined &&
      revisionOf(s.sets.newRs) === revision &&
      templateImage(s.sets.newRs) === image &&
      (s.sets.newRs.spec.selector.matchLabels?.[podTemplateHashLabel] ?? '') !== '',
    { timeoutMs: rolloutTimeoutMs, intervalMs: 250, ...options },
  );
  const newRs = state.sets.newRs;
  assert.ok(newRs);
  return { d: state.d, newRs };
}

/** upstream WaitForReplicaSetTargetAvailableReplicas / waitForReplicaSetDesiredReplicas, in one predicate. */
export function waitForRs(namespace: string, name: string, what: string, done: (rs: MyReplicaSet) => boolean, options?: WaitOptions): Promise<MyReplicaSet> {
  return waitFor(`${name}: ${what}`, () => getRs(namespace, name), (rs) => done(rs), { timeoutMs: rolloutTimeoutMs, intervalMs: 250, ...options });
}

/** Replicas ready, available and counted, for the current generation. */
export function rsSettled(replicas: number): (rs: MyReplicaSet) => boolean {
  return (rs) =>
    observed(rs) &&
    (rs.spec.replicas ?? 1) === replicas &&
    (rs.status?.replicas ?? 0) === replicas &&
    (rs.status?.readyReplicas ?? 0) === replicas &&
    (rs.status?.availableReplicas ?? 0) === replicas;
}

/** The pods of a MyReplicaSet (controlled by it, deleting ones included). */
export async function rsPods(rs: MyReplicaSet): Promise<Pod[]> {
  return (await listPods(rs.metadata.namespace ?? '')).filter((p) => controlledBy(p, rs));
}

/** upstream VerifyPodsRunning: exactly `count` pods matching `labels`, not deleting, Running and Ready. */
export function waitForPodsRunningReady(namespace: string, labels: Readonly<Record<string, string>>, count: number, options?: WaitOptions): Promise<Pod[]> {
  return waitFor(
    `${count} pods ${labelSelector(labels)} Running and Ready`,
    async () => (await listPods(namespace, labelSelector(labels))).filter((p) => !isDeleting(p)),
    (ps) => ps.length === count && ps.every((p) => p.status?.phase === 'Running' && isReady(p)),
    { timeoutMs: rolloutTimeoutMs, ...options },
  );
}

export async function eventsOf(obj: KubeObject): Promise<CoreEvent[]> {
  const client = await testClient();
  const list = await client.list(events, { namespace: obj.metadata.namespace, fieldSelector: `involvedObject.uid=${obj.metadata.uid ?? ''}` });
  return [...list.items];
}

// ---- scale subresource --------------------------------------------------------------------------

export interface Scale {
  readonly metadata: { readonly name?: string; readonly resourceVersion?: string };
  readonly spec: { readonly replicas?: number };
  readonly status: { readonly replicas?: number; readonly selector?: string };
}

export function parseScale(body: unknown): Scale {
  assert.ok(isRecord(body) && body.kind === 'Scale' && isRecord(body.metadata) && isRecord(body.spec) && isRecord(body.status), `not a Scale: ${JSON.stringify(body)}`);
  const { metadata, spec, status } = body;
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return {
    metadata: { name: typeof metadata.name === 'string' ? metadata.name : undefined },
    spec: { replicas: num(spec.replicas) },
    status: { replicas: num(status.replicas), selector: typeof status.selector === 'string' ? status.selector : undefined },
  };
}

/** The label terms of a selector string, sorted. */
export function selectorTerms(selector: string | undefined): string[] {
  return (selector ?? '').split(',').filter(Boolean).sort();
}

/**
 * upstream testRSScaleSubresources / testDeploymentSubresources: GET /scale, unconditional PUT to 2,
 * merge-PATCH to 4 (custom resources take no strategic merge). Returns the first Scale read.
 */
export async function exerciseScaleSubresource<T extends MyDeployment | MyReplicaSet>(res: Resource<T>, namespace: string, name: string): Promise<Scale> {
  const client = await testClient();
  const path = resourcePath(res, namespace, name, 'scale');
  const scale = parseScale(await client.request<unknown>({ method: 'GET', path }));
  assert.equal(scale.metadata.name, name);
  assert.equal(scale.spec.replicas, 1);
  assert.equal(scale.status.replicas, 1);

  const put = parseScale(
    await client.request<unknown>({
      method: 'PUT',
      path,
      body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace }, spec: { replicas: 2 } },
    }),
  );
  assert.equal(put.spec.replicas, 2);
  assert.equal((await client.get(res, namespace, name)).spec.replicas, 2);

  await client.patch(res, namespace, name, 'merge', { spec: { replicas: 4 } }, { subresource: 'scale' });
  assert.equal((await client.get(res, namespace, name)).spec.replicas, 4, 'the merge patch of /scale did not set spec.replicas');
  return scale;
}

// ---- other kinds the tests create ---------------------------------------------------------------

export interface ResourceQuota extends KubeObject {
  readonly spec: { readonly hard: Readonly<Record<string, string>> };
  readonly status?: { readonly hard?: Readonly<Record<string, string>>; readonly used?: Readonly<Record<string, string>> };
}
export const resourceQuotas = resource<ResourceQuota>('', 'v1', 'resourcequotas', 'ResourceQuota', true);

export interface HorizontalPodAutoscaler extends KubeObject {
  readonly spec: Record<string, unknown>;
  readonly status?: {
    readonly currentReplicas?: number;
    readonly desiredReplicas?: number;
    readonly conditions?: readonly { readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }[];
  };
}
export const horizontalPodAutoscalers = resource<HorizontalPodAutoscaler>('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true);

// ---- replays of recorded watches ----------------------------------------------------------------

/** Percent or int of `replicas`: surge rounds up, unavailable down (upstream intstr.GetScaledValueFromIntOrPercent). */
export function resolveFenceposts(replicas: number, maxSurge: number | string, maxUnavailable: number | string): { surge: number; unavailable: number } {
  const scaled = (v: number | string, roundUp: boolean): number => {
    if (typeof v === 'number') return v;
    const p = Number(v.replace('%', ''));
    const raw = (p * replicas) / 100;
    return roundUp ? Math.ceil(raw) : Math.floor(raw);
  };
  const surge = scaled(maxSurge, true);
  let unavailable = scaled(maxUnavailable, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

/**
 * Every state of the MyReplicaSet watch: Σ spec.replicas of the sets controlled by `d` (not deleting)
 * never above `limit`. Returns the highest sum seen.
 */
export function assertReplicaSetSumBound(watch: Recorder<MyReplicaSet>, d: MyDeployment, limit: number): number {
  let highest = 0;
  for (const step of watch.replay()) {
    const owned = [...step.state.values()].filter((rs) => controllerUid(rs) === uidOf(d));
    const sum = owned.reduce((n, rs) => n + (rs.spec.replicas ?? 1), 0);
    highest = Math.max(highest, sum);
    assert.ok(sum <= limit, `Σ MyReplicaSet spec.replicas ${sum} > ${limit} after ${step.event?.type ?? 'list'} ${step.event?.object.metadata.name ?? ''}: ${describeReplicaSets(owned).join('; ')}`);
  }
  return highest;
}

/**
 * Every state of the pod watch from `fromIndex` on: at least `minimum` pods matching `labels` are
 * Ready and not terminating. Returns the lowest count seen.
 */
export function assertMinReady(watch: Recorder<Pod>, labels: Readonly<Record<string, string>>, minimum: number): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const step of watch.replay()) {
    const ready = [...step.state.values()].filter((p) => matchesLabels(p, labels) && isReady(p) && !isDeleting(p));
    lowest = Math.min(lowest, ready.length);
    assert.ok(
      ready.length >= minimum,
      `${ready.length} Ready pods < ${minimum} after ${step.event?.type ?? 'list'} ${step.event ? podName(step.event.object) : ''}: ${describePods(step.state.values()).join('; ')}`,
    );
  }
  return lowest;
}

/** Pods the watch saw created, in order, with their index among the events. */
export function podCreations(watch: Recorder<Pod>): { readonly index: number; readonly pod: Pod }[] {
  const out: { index: number; pod: Pod }[] = [];
  watch.events.forEach((e, index) => {
    if (e.type === 'ADDED') out.push({ index, pod: e.object });
  });
  return out;
}

/** Pods the watch saw leave: the first event that deleted them or started their graceful deletion. */
export function podDeletions(watch: Recorder<Pod>): { readonly index: number; readonly pod: Pod; readonly uid: string }[] {
  const seen = new Set<string>();
  const out: { index: number; pod: Pod; uid: string }[] = [];
  watch.events.forEach((e, index) => {
    const uid = uidOf(e.object);
    if (seen.has(uid)) return;
    if (e.type === 'DELETED' || isDeleting(e.object)) {
      seen.add(uid);
      out.push({ index, pod: e.object, uid });
    }
  });
  return out;
}

/** The state (pods by UID) just before event `index`. */
export function stateBefore<T extends KubeObject>(watch: Recorder<T>, index: number): Map<string, T> {
  let i = -1;
  let state = new Map<string, T>();
  for (const step of watch.replay()) {
    if (i === index) break;
    state = step.state;
    i++;
  }
  return state;
}
