// Which pods a MyReplicaSet deletes first when it has too many. Pure; `now` is milliseconds since
// the epoch.
// upstream: replica_set.go getPodsToDelete, getPodsRankedByRelatedPodsOnSameNode;
// controller_utils.go ActivePodsWithRanks.Less, afterOrZero, logarithmicRankDiff, podReadyTime,
// maxContainerRestarts, compareMaxContainerRestarts; pkg/apis/core/helper/helpers.go
// GetDeletionCostFromPodAnnotations. Feature gates as in 1.36: PodDeletionCost (beta, on) and
// LogarithmicScaleDown (GA).
import type { Pod } from '../../api/core.ts';
import { isRecord } from '../../api/meta.ts';
import { isPodActive, isPodReady } from '../shared/pod-state.ts';

/** Lower cost goes first; users set it to steer scale-down (int32; missing or invalid = 0). */
export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

/**
 * The first `diff` pods of `pods` in deletion order. When all of them go, they are not sorted
 * (upstream skips the sort, and the order does not matter then).
 * `relatedPods`: every pod matching the selector of a MyReplicaSet with the same controller as
 * this one (siblings of one Deployment), this one's included; none for a set without controller.
 */
export function getPodsToDelete(pods: readonly Pod[], relatedPods: readonly Pod[], diff: number, now: number): Pod[] {
  if (diff >= pods.length) return pods.slice(0, diff);
  const keys = getPodsRankedByRelatedPodsOnSameNode(pods, relatedPods).map((ranked) => deletionKey(ranked.pod, ranked.rank));
  // upstream sort.Sort is not stable: callers must not rely on an order the rules leave open.
  keys.sort((a, b) => (deletesBefore(a, b, now) ? -1 : deletesBefore(b, a, now) ? 1 : 0));
  return keys.slice(0, diff).map((key) => key.pod);
}

export interface RankedPod {
  readonly pod: Pod;
  /** Active related pods on the pod's node (an unbound pod's "node" is ""). */
  readonly rank: number;
}

/**
 * Ranks each pod by how crowded its node is with related active pods, so a scale-down spreads what
 * remains across nodes: of two otherwise equal pods, the one sharing its node with more goes first.
 */
export function getPodsRankedByRelatedPodsOnSameNode(podsToRank: readonly Pod[], relatedPods: readonly Pod[]): RankedPod[] {
  const podsOnNode = new Map<string, number>();
  for (const pod of relatedPods) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec.nodeName ?? '';
    podsOnNode.set(node, (podsOnNode.get(node) ?? 0) + 1);
  }
  return podsToRank.map((pod) => ({ pod, rank: podsOnNode.get(pod.spec.nodeName ?? '') ?? 0 }));
}

/** Everything the comparison reads of one pod, read once per sort. Times: ms, undefined = zero time. */
export interface DeletionKey {
  readonly pod: Pod;
  readonly rank: number;
  readonly nodeName: string;
  readonly phaseOrdinal: number;
  readonly ready: boolean;
  readonly readyTime: number | undefined;
  readonly deletionCost: number;
  readonly restarts: { readonly regular: number; readonly sidecar: number };
  readonly creationTime: number | undefined;
  readonly uid: string;
}

/** Pending 0 < Unknown 1 < Running 2; a phase missing from upstream's map (empty, …) reads as 0. */
const podPhaseToOrdinal: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

export function deletionKey(pod: Pod, rank: number): DeletionKey {
  const ready = isPodReady(pod);
  return {
    pod,
    rank,
    nodeName: pod.spec.nodeName ?? '',
    phaseOrdinal: podPhaseToOrdinal[pod.status?.phase ?? ''] ?? 0,
    ready,
    readyTime: ready ? podReadyTime(pod) : undefined,
    deletionCost: podDeletionCost(pod),
    restarts: maxContainerRestarts(pod),
    creationTime: metaTime(pod.metadata.creationTimestamp),
    uid: pod.metadata.uid ?? '',
  };
}

/**
 * upstream ActivePodsWithRanks.Less: whether `a` goes before `b`, by the first rule that tells
 * them apart:
 *  1. unbound before bound;  2. Pending < Unknown < Running;  3. not Ready before Ready;
 *  4. lower pod-deletion-cost first;  5. higher rank first;
 *  6. both Ready since different times: the more recent first, on a log2 scale (timeBucketFirst);
 *  7. more container restarts first (regular containers, then restartable init containers);
 *  8. different creation times: the newer first, on the same log2 scale.
 * Otherwise false.
 */
export function deletesBefore(a: DeletionKey, b: DeletionKey, now: number): boolean {
  if (a.nodeName !== b.nodeName && (a.nodeName === '' || b.nodeName === '')) return a.nodeName === '';
  if (a.phaseOrdinal !== b.phaseOrdinal) return a.phaseOrdinal < b.phaseOrdinal;
  if (a.ready !== b.ready) return !a.ready;
  if (a.deletionCost !== b.deletionCost) return a.deletionCost < b.deletionCost;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (a.ready && b.ready && a.readyTime !== b.readyTime) return timeBucketFirst(a.readyTime, b.readyTime, a.uid, b.uid, now);
  if (a.restarts.regular !== b.restarts.regular) return a.restarts.regular > b.restarts.regular;
  if (a.restarts.sidecar !== b.restarts.sidecar) return a.restarts.sidecar > b.restarts.sidecar;
  if (a.creationTime !== b.creationTime) return timeBucketFirst(a.creationTime, b.creationTime, a.uid, b.uid, now);
  return false;
}

/**
 * For two different times (rules 6 and 8): a zero time first; else the smaller log2 bucket of the
 * age (the more recent); within one bucket the smaller UID. The buckets make pods of about the same
 * age equal, so the UID picks among them at random instead of always the very newest.
 */
function timeBucketFirst(t1: number | undefined, t2: number | undefined, uid1: string, uid2: string, now: number): boolean {
  if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2);
  const rankDiff = logarithmicRankDiff(t1, t2, now);
  if (rankDiff === 0) return uid1 < uid2;
  return rankDiff < 0;
}

/** t1 after t2, a zero time counting as after any other. */
export function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/**
 * floor(log2(age in ns)) of t1 minus that of t2, an age ≤ 0 counting as −1. (Go's math.Log2 and
 * Math.log2 are both exact at powers of two, so the buckets' edges agree.)
 */
export function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const bucket = (t: number): number => {
    const ageNs = (now - t) * 1_000_000;
    return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
  };
  return bucket(t1) - bucket(t2);
}

/** lastTransitionTime of the Ready condition that is True (the caller checked the pod is Ready). */
function podReadyTime(pod: Pod): number | undefined {
  const condition = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  return metaTime(condition?.lastTransitionTime);
}

/** upstream GetDeletionCostFromPodAnnotations: a base-10 int32 without `+` or leading zeros, else 0. */
export function podDeletionCost(pod: Pod): number {
  const value = pod.metadata.annotations?.[podDeletionCostAnnotation];
  if (value === undefined || !/^(-[0-9]+|0|[1-9][0-9]*)$/.test(value)) return 0;
  const cost = Number(value);
  return cost >= -2_147_483_648 && cost <= 2_147_483_647 ? cost : 0;
}

/** The most restarts of any regular container, and of any restartable init (sidecar) container. */
export function maxContainerRestarts(pod: Pod): { readonly regular: number; readonly sidecar: number } {
  const sidecars = new Set<string>();
  for (const container of pod.spec.initContainers ?? []) {
    if (container.restartPolicy === 'Always') sidecars.add(container.name);
  }
  return {
    regular: maxRestartCount(pod.status?.containerStatuses, () => true),
    sidecar: maxRestartCount(pod.status?.initContainerStatuses, (name) => sidecars.has(name)),
  };
}

/** Container statuses are not in our Pod type: read them as the unknown JSON they are. */
function maxRestartCount(statuses: unknown, counts: (name: string) => boolean): number {
  let max = 0;
  if (!Array.isArray(statuses)) return max;
  for (const status of statuses) {
    if (!isRecord(status) || typeof status.name !== 'string' || !counts(status.name)) continue;
    if (typeof status.restartCount === 'number') max = Math.max(max, status.restartCount);
  }
  return max;
}

/** A metav1.Time as ms; undefined for the zero time (absent, null or unparsable). */
function metaTime(value: string | undefined): number | undefined {
  const ms = Date.parse(value ?? '');
  return Number.isNaN(ms) ? undefined : ms;
}
