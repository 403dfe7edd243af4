// Stable identity of a MyStatefulSet's members: `<set>-<ordinal>` pods, `<claim>-<set>-<ordinal>`
// claims, and which ordinals are replicas (`[start, start + replicas)`) and which are condemned.
// Pure. upstream: pkg/controller/statefulset/stateful_set_utils.go (getParentNameAndOrdinal,
// getStartOrdinal, getEndOrdinal, podInOrdinalRange, getPodName, getPersistentVolumeClaimName,
// isMemberOf); stateful_set.go getPodsForStatefulSet.
import type { Pod } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { apiVersion } from '../../api/workloads.ts';
import { controllerRevisionHashLabel } from '../history/revisions.ts';
import type { ClaimDecision, OwnerIdentity } from '../shared/ownership.ts';
import { claimDecision } from '../shared/ownership.ts';

export const statefulSetKind = 'MyStatefulSet';
/** Label naming the pod, so a per-pod Service can select exactly one member. */
export const statefulSetPodNameLabel = 'statefulset.kubernetes.io/pod-name';
/** Label carrying the ordinal as a decimal string. */
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
/** Label carrying the full name of the revision a pod was built from (`<set>-<hash>`). */
export const statefulSetRevisionLabel = controllerRevisionHashLabel;

/** Ordinals are int32 upstream; a longer run of digits does not parse and yields ordinal -1. */
const maxOrdinal = 2 ** 31 - 1;
const statefulPodName = /^(.*)-([0-9]+)$/;

export interface ParentAndOrdinal {
  /** The set name the pod name claims; "" when the name has no `-<digits>` suffix. */
  readonly parent: string;
  /** -1 when the name has no ordinal, or one that overflows int32 (the parent is still reported). */
  readonly ordinal: number;
}

/** upstream: getParentNameAndOrdinal */
export function parentNameAndOrdinal(podName: string): ParentAndOrdinal {
  const match = statefulPodName.exec(podName);
  if (match === null) return { parent: '', ordinal: -1 };
  const parent = match[1] ?? '';
  const ordinal = Number(match[2] ?? '');
  return { parent, ordinal: Number.isSafeInteger(ordinal) && ordinal <= maxOrdinal ? ordinal : -1 };
}

export function getOrdinal(pod: KubeObject): number {
  return parentNameAndOrdinal(pod.metadata.name ?? '').ordinal;
}

export function getParentName(pod: KubeObject): string {
  return parentNameAndOrdinal(pod.metadata.name ?? '').parent;
}

/** spec.replicas with the apps/v1 default of 1. */
export function specReplicas(set: MyStatefulSet): number {
  return set.spec.replicas ?? 1;
}

/** The first replica ordinal (inclusive): spec.ordinals.start, 0 when unset. */
export function getStartOrdinal(set: MyStatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

/** The last replica ordinal (inclusive); start − 1 when there are no replicas. */
export function getEndOrdinal(set: MyStatefulSet): number {
  return getStartOrdinal(set) + specReplicas(set) - 1;
}

/** True for ordinals in `[start, start + replicas)`; any other member is condemned. */
export function ordinalInRange(set: MyStatefulSet, ordinal: number): boolean {
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

export function podInOrdinalRange(set: MyStatefulSet, pod: KubeObject): boolean {
  return ordinalInRange(set, getOrdinal(pod));
}

export function getPodName(set: MyStatefulSet, ordinal: number): string {
  return `${set.metadata.name ?? ''}-${ordinal}`;
}

/** `<claim>-<set>-<ordinal>` (upstream zone-spreading heuristics parse this format too). */
export function getPersistentVolumeClaimName(set: MyStatefulSet, claimTemplateName: string, ordinal: number): string {
  return `${claimTemplateName}-${set.metadata.name ?? ''}-${ordinal}`;
}

/** A pod whose name is `<set name>-<digits>`. Only members are adopted; owned non-members are released. */
export function isMemberOf(set: MyStatefulSet, pod: KubeObject): boolean {
  return getParentName(pod) === set.metadata.name;
}

/** The revision a pod was built from, "" when unlabelled. */
export function getPodRevision(pod: KubeObject): string {
  return pod.metadata.labels?.[statefulSetRevisionLabel] ?? '';
}

/** The set as its pods, claims and revisions reference it. */
export function statefulSetOwner(set: MyStatefulSet): OwnerIdentity {
  return { apiVersion, kind: statefulSetKind, name: set.metadata.name ?? '', uid: set.metadata.uid ?? '' };
}

/**
 * Upstream ClaimPods with the isMemberOf filter: a matching member orphan is adopted, an owned pod
 * that stopped matching (labels or name) is released. A set being deleted neither adopts nor
 * releases (upstream ClaimObject); the executor issues the patches and passes the claimed pods on.
 */
export function podClaimDecision(set: MyStatefulSet, pod: Pod): ClaimDecision {
  const decision = claimDecision(pod, statefulSetOwner(set), set.spec.selector, (obj) => isMemberOf(set, obj));
  if (isBeingDeleted(set) && (decision === 'adopt' || decision === 'release')) return 'ignore';
  return decision;
}

export interface OrdinalSplit {
  /**
   * One slot per replica index (ordinal − start). A slot is undefined where no member has that
   * ordinal; with two members parsing to one ordinal (`web-7`, `web-007`) the later one wins, as
   * upstream fills the slice in list order.
   */
  readonly replicas: readonly (Pod | undefined)[];
  /** Members outside the replica range, highest ordinal first. */
  readonly condemned: readonly Pod[];
}

/** Splits members into replicas and condemned; names without a parseable ordinal are ignored. */
export function splitByOrdinal(set: MyStatefulSet, pods: readonly Pod[]): OrdinalSplit {
  const start = getStartOrdinal(set);
  const replicas: (Pod | undefined)[] = Array.from({ length: Math.max(0, specReplicas(set)) }, () => undefined);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    const ordinal = getOrdinal(pod);
    if (ordinalInRange(set, ordinal)) replicas[ordinal - start] = pod;
    else if (ordinal >= 0) condemned.push(pod);
  }
  // Stable sort, as upstream sort.Sort would not be: equal ordinals only arise from odd names.
  condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));
  return { replicas, condemned };
}
