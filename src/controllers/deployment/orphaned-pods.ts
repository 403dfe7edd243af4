// Taking over the pods of an apps/v1 Deployment without restarting them: once the Deployment and
// its ReplicaSets are deleted with --cascade=orphan, their pods are left without a controller, each
// labelled with its ReplicaSet's pod-template-hash. When a MyDeployment is about to create its new
// MyReplicaSet, it gives it the hash of the orphaned pods made from its template, so that the
// MyReplicaSet's selector matches them and the MyReplicaSet controller adopts them instead of
// creating pods; pods of older templates (a Deployment orphaned mid-rollout) each get an old
// MyReplicaSet the same way, which the rollout then scales down as any old ReplicaSet. Pure.
//
// Not in upstream, whose Deployment adopts ReplicaSets, never pods; its hash cannot be recomputed
// (pod-template-hash.ts), so the orphaned pods' own label is the only way to reach their names.
import type { Pod } from '../../api/core.ts';
import { controllerOf, isBeingDeleted } from '../../api/meta.ts';
import { selectorMatches } from '../../api/selector.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { isPodTerminal } from '../shared/pod-state.ts';
import { podMatchesTemplate, templateFromPod } from '../shared/template-from-pod.ts';
import { desiredReplicasAnnotation, maxReplicasAnnotation, revisionAnnotation } from './annotations.ts';
import { podTemplateHashLabel } from './pod-template-hash.ts';
import { replicaSetName, replicaSetObject } from './replica-sets.ts';

/**
 * A pod a MyDeployment may take over: in its namespace, matched by its selector, controlled by
 * nobody, neither being deleted nor terminal (a ReplicaSet claims only active pods: upstream
 * replica_set.go syncReplicaSet, FilterActivePods), labelled with a pod-template-hash.
 */
export function isOrphanedPodOf(d: MyDeployment, pod: Pod): boolean {
  return (
    (pod.metadata.namespace ?? '') === (d.metadata.namespace ?? '') &&
    controllerOf(pod) === undefined &&
    !isBeingDeleted(pod) &&
    !isPodTerminal(pod) &&
    (pod.metadata.labels?.[podTemplateHashLabel] ?? '') !== '' &&
    selectorMatches(d.spec.selector, pod.metadata.labels)
  );
}

/** The orphaned pods of one pod-template-hash, oldest first. */
export interface OrphanedPodGroup {
  readonly hash: string;
  /** The first of `pods`: its template stands for the group's. */
  readonly oldest: Pod;
  readonly pods: readonly Pod[];
}

function createdAt(pod: Pod): number {
  const parsed = Date.parse(pod.metadata.creationTimestamp ?? '');
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

function byCreation(a: Pod, b: Pod): number {
  return createdAt(a) - createdAt(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Groups by pod-template-hash, ordered by their oldest pod (then by hash). */
export function orphanedPodGroups(d: MyDeployment, pods: readonly Pod[]): OrphanedPodGroup[] {
  const byHash = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!isOrphanedPodOf(d, pod)) continue;
    const hash = pod.metadata.labels?.[podTemplateHashLabel] ?? '';
    byHash.set(hash, [...(byHash.get(hash) ?? []), pod]);
  }
  const groups: OrphanedPodGroup[] = [];
  for (const [hash, members] of byHash) {
    const [oldest, ...rest] = [...members].sort(byCreation);
    if (oldest !== undefined) groups.push({ hash, oldest, pods: [oldest, ...rest] });
  }
  return groups.sort((a, b) => byCreation(a.oldest, b.oldest) || a.hash.localeCompare(b.hash));
}

/** Labels and annotations of the group's oldest pod the template does not have: fewer is a closer match. */
function extraMetadata(group: OrphanedPodGroup, d: MyDeployment): number {
  const template = d.spec.template.metadata;
  const extra = (have: Readonly<Record<string, string>> | undefined, want: Readonly<Record<string, string>> | undefined): number =>
    Object.keys(have ?? {}).filter((key) => key !== podTemplateHashLabel && !Object.hasOwn(want ?? {}, key)).length;
  return extra(group.oldest.metadata.labels, template?.labels) + extra(group.oldest.metadata.annotations, template?.annotations);
}

/** The closer match first: fewer extra labels and annotations, then more pods, then newer. */
function byCloseness(d: MyDeployment): (a: OrphanedPodGroup, b: OrphanedPodGroup) => number {
  return (a, b) => extraMetadata(a, d) - extraMetadata(b, d) || b.pods.length - a.pods.length || byCreation(b.oldest, a.oldest);
}

export interface OrphanedPodsAdoption {
  /** The group the new MyReplicaSet takes over under its hash; undefined: it gets the usual hash. */
  readonly current: OrphanedPodGroup | undefined;
  /** The MyReplicaSets to create for the other groups, oldest first, revisions numbered after `baseRevision`. */
  readonly oldReplicaSets: readonly MyReplicaSet[];
}

export interface OrphanedPodsInput {
  readonly d: MyDeployment;
  /** Candidates (isOrphanedPodOf filters them again). */
  readonly pods: readonly Pod[];
  /** Names a MyReplicaSet holds already, ours or not: such a group is left alone (a name collision). */
  readonly takenNames: ReadonlySet<string>;
  /** The highest revision among the Deployment's MyReplicaSets: the old ones created here come after it. */
  readonly baseRevision: bigint;
  /** desired-replicas and max-replicas annotations for the old ones (the Deployment's replicas, + maxSurge). */
  readonly desiredReplicas: number;
  readonly maxReplicas: number;
}

/**
 * Which orphaned pods the new MyReplicaSet adopts and which old MyReplicaSets to create; undefined
 * when there is nothing to take over. The current group is the one whose oldest pod was made from
 * the Deployment's template (shared/template-from-pod.ts podMatchesTemplate: templatesEquivalent
 * after undoing admission, the template's labels a subset of the pod's); among several, the one
 * whose pods carry the fewest labels and annotations the template lacks, then the largest, then the
 * newest. Every other group becomes an old MyReplicaSet `<deployment>-<hash>`: its template is
 * templateFromPod of its oldest pod with the hash label, its replicas the number of its pods, its
 * revision above `baseRevision` in the order of the groups' oldest pods, its desired/max replicas
 * annotations the Deployment's (so no scaling event is seen). A group whose name is taken is
 * skipped: the current one then leaves the new MyReplicaSet its usual hash.
 */
export function orphanedPodsAdoption(input: OrphanedPodsInput): OrphanedPodsAdoption | undefined {
  const { d } = input;
  const groups = orphanedPodGroups(d, input.pods).filter((group) => !input.takenNames.has(replicaSetName(d, group.hash)));
  if (groups.length === 0) return undefined;
  const current = groups.filter((group) => podMatchesTemplate(group.oldest, d.spec.template)).sort(byCloseness(d)).at(0);
  const oldReplicaSets = groups
    .filter((group) => group !== current)
    .map((group, i) => oldReplicaSetFor(input, group, input.baseRevision + BigInt(i + 1)));
  return { current, oldReplicaSets };
}

function oldReplicaSetFor(input: OrphanedPodsInput, group: OrphanedPodGroup, revision: bigint): MyReplicaSet {
  const template = templateFromPod(group.oldest);
  return replicaSetObject(input.d, group.hash, template, group.pods.length, {
    [revisionAnnotation]: String(revision),
    [desiredReplicasAnnotation]: String(input.desiredReplicas),
    [maxReplicasAnnotation]: String(input.maxReplicas),
  });
}
