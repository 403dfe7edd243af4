// A MyDeployment rollout paced by the test, in the order of events `kubectl my rollout plan`
// assumes (docs/rollout-plan.md): a sync's own writes bring the next sync before any new pod is
// Ready, and when nothing moves, the oldest new pods not yet Ready — those created together for one
// growth of their MyReplicaSet — turn Ready and then available, together. The new pods run an image
// kwok keeps Running and never Ready, and the test hands out readiness in those rounds.
//
// Without it the steps depend on timing: kwok makes each pod Ready a few milliseconds after its
// creation, and the Deployment controller scales old replicas down by as many new ones as its
// MyReplicaSet status happens to count available when it syncs (upstream rolling.go
// reconcileOldReplicaSets), so one run goes 5/8 → 5/5, another 5/8 → 5/3, a third 5/8 → 5/7 → ….
//
// Together: every pod of a round gets the same Ready lastTransitionTime, whole seconds as the
// kubelet writes it, and the Deployment has a minReadySeconds longer than writing a round takes.
// A pod is available minReadySeconds after that time (upstream podutil.IsPodAvailable), so every
// MyReplicaSet status written before that instant counts none of the round and every later one
// counts all of it.
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDeployment, MyReplicaSet } from '../../../src/api/workloads.ts';
import { describePods, getDeploy, listPods, listRs, observed } from './deployment.ts';
import { testClient, waitFor } from './env.ts';
import { controlledBy, isDeleting, isReady, podName, uidOf } from './objects.ts';
import type { Recorder } from './recorder.ts';

/** An image kwok runs and never makes Ready (hack/kwok/kwokctl.yaml: an image containing "notready"). */
export function pacedImage(image: string): string {
  return `${image}-notready`;
}

/** Where the Deployment's sets and pods stand. */
interface Standing {
  /** Every set and pod has caught up with the sets' sizes: nothing is being created or deleted. */
  readonly settled: boolean;
  readonly sets: readonly MyReplicaSet[];
  /** Live pods by set name. */
  readonly podsOf: ReadonlyMap<string, readonly Pod[]>;
  readonly describe: string;
}

async function standing(d: MyDeployment): Promise<Standing> {
  const namespace = d.metadata.namespace ?? '';
  const current = await getDeploy(namespace, d.metadata.name ?? '');
  const sets = (await listRs(namespace)).filter((rs) => controlledBy(rs, current) && !isDeleting(rs));
  const all = await listPods(namespace);
  let settled = observed(current);
  const podsOf = new Map<string, Pod[]>();
  const lines: string[] = [];
  for (const rs of sets) {
    const own = all.filter((p) => controlledBy(p, rs));
    const size = rs.spec.replicas ?? 1;
    // Running: kwok has given the pod its status, which a Ready written earlier would lose.
    settled &&= observed(rs) && rs.status?.replicas === size && own.length === size && own.every((p) => !isDeleting(p) && p.status?.phase === 'Running');
    podsOf.set(rs.metadata.name ?? '', own);
    lines.push(`${rs.metadata.name ?? ''} spec ${size} status ${rs.status?.replicas ?? 0}/${rs.status?.availableReplicas ?? 0}: ${describePods(own).join(', ')}`);
  }
  return { settled, sets, podsOf, describe: lines.join('; ') };
}

/** True when the watch records no event for `ms` from now; false as soon as it records one. */
async function quietFor(watch: Recorder<MyReplicaSet>, ms: number): Promise<boolean> {
  const from = watch.events.length;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (watch.events.length > from) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return watch.events.length === from;
}

/**
 * The sizes the set `uid` grew to, in order, as the watch of sets saw its spec.replicas: its listed
 * size first (the pods it had), then each rise. Each rise is a batch of pods created together.
 */
function growth(sets: Recorder<MyReplicaSet>, uid: string): number[] {
  const sizes: number[] = [];
  for (const { state } of sets.replay()) {
    const rs = state.get(uid);
    if (rs === undefined) continue;
    const size = rs.spec.replicas ?? 1;
    if (size > (sizes[sizes.length - 1] ?? 0)) sizes.push(size);
  }
  return sizes;
}

/** Pods in the order they were created: listed ones by creationTimestamp and name, then as the pod watch saw them added. */
function creationOrder(podWatch: Recorder<Pod>): Map<string, number> {
  const listed = [...podWatch.initial].sort(
    (a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || podName(a).localeCompare(podName(b)),
  );
  const order = new Map<string, number>(listed.map((p, i) => [uidOf(p), i - listed.length]));
  podWatch.events.forEach((e, i) => {
    if (e.type === 'ADDED' && !order.has(uidOf(e.object))) order.set(uidOf(e.object), i);
  });
  return order;
}

/**
 * The set's next round: its oldest batch (by `growth`, pods ranked by creation) that still holds a
 * pod not Ready, those pods; all its not-Ready pods when the batches do not account for them.
 */
function nextBatch(own: readonly Pod[], sizes: readonly number[], order: ReadonlyMap<string, number>): Pod[] {
  const rank = (p: Pod) => order.get(uidOf(p)) ?? Number.MAX_SAFE_INTEGER;
  const ranked = [...own].sort((a, b) => rank(a) - rank(b));
  let from = 0;
  for (const to of sizes) {
    const batch = ranked.slice(from, to).filter((p) => !isReady(p));
    if (batch.length > 0) return batch;
    from = to;
  }
  return ranked.filter((p) => !isReady(p));
}

/** Ready (and ContainersReady) since `at`, as the kubelet writes it when a readiness probe passes. */
async function markReadyAt(pod: Pod, at: string): Promise<void> {
  const client = await testClient();
  const conditions = ['Ready', 'ContainersReady'].map((type) => ({ type, status: 'True', lastTransitionTime: at }));
  const containerStatuses = pod.spec.containers.map((c) => ({ name: c.name, ready: true }));
  await client.patch(pods, pod.metadata.namespace, podName(pod), 'strategic', { status: { conditions, containerStatuses } }, { subresource: 'status' });
}

export interface PacingOptions {
  /** The Deployment's minReadySeconds: a round must be written well within it. */
  readonly minReadySeconds: number;
  /** How long the sets' watch must stay silent before the controllers count as done. Default 3 s. */
  readonly quietMs?: number;
  /** Upper bound on rounds. Default 20. */
  readonly maxRounds?: number;
  /** For the whole rollout. Default 180 s. */
  readonly timeoutMs?: number;
}

/**
 * Drives the rollout of `d` to its end. Each round waits until its sets and pods are settled and
 * the watch of MyReplicaSets (`sets`, opened before the change) has been silent for `quietMs`; then
 * makes the next batch of each set Ready at one instant (the pod watch `podWatch`, opened before
 * the change, gives the creation order) and waits until the sets' statuses count them available.
 * Ends when no pod is left to make Ready; returns the number of pods per round.
 */
export async function paceRollout(d: MyDeployment, sets: Recorder<MyReplicaSet>, podWatch: Recorder<Pod>, options: PacingOptions): Promise<number[]> {
  const name = d.metadata.name ?? '';
  const quietMs = options.quietMs ?? 3_000;
  const maxRounds = options.maxRounds ?? 20;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const left = () => ({ timeoutMs: Math.max(1, deadline - Date.now()), intervalMs: 250 });
  const rounds: number[] = [];
  while (rounds.length < maxRounds) {
    if (Date.now() >= deadline) throw new Error(`${name}: the controllers never went quiet for ${quietMs} ms; rounds so far: ${rounds.join(', ')}`);
    const before = await waitFor(`${name}: sets and pods settled (round ${rounds.length + 1})`, () => standing(d), (s) => s.settled, left());
    if (!(await quietFor(sets, quietMs))) continue;
    // Something may have moved after the watch's last event: look once more.
    const still = await standing(d);
    if (!still.settled || still.describe !== before.describe) continue;

    const order = creationOrder(podWatch);
    const batches = still.sets.map((rs) => ({ rs, batch: nextBatch(still.podsOf.get(rs.metadata.name ?? '') ?? [], growth(sets, uidOf(rs)), order) }));
    const round = batches.flatMap((b) => b.batch);
    if (round.length === 0) return rounds;

    const at = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const availableAt = Date.parse(at) + options.minReadySeconds * 1000;
    await Promise.all(round.map((p) => markReadyAt(p, at)));
    if (Date.now() >= availableAt) {
      throw new Error(`${name}: writing round ${rounds.length + 1} (${round.length} pods) took past minReadySeconds (${options.minReadySeconds} s), so its pods did not turn available together`);
    }
    // The round is over once each set holding its pods reports them available (a set's available
    // count only grows while none of its pods is deleted; other sets may shrink meanwhile).
    const target = new Map(batches.filter(({ batch }) => batch.length > 0).map(({ rs, batch }) => [rs.metadata.name ?? '', (rs.status?.availableReplicas ?? 0) + batch.length]));
    await waitFor(
      `${name}: round ${rounds.length + 1}'s ${round.length} pods counted available`,
      () => standing(d),
      (s) => [...target].every(([set, count]) => (s.sets.find((rs) => rs.metadata.name === set)?.status?.availableReplicas ?? 0) >= count),
      left(),
    );
    rounds.push(round.length);
  }
  throw new Error(`${name}: pods were still not Ready after ${maxRounds} rounds`);
}
