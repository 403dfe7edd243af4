// What an orphaning delete leaves behind, as `kubectl my migrate` reports it: the objects that name
// the workload in their ownerReferences (the garbage collector removes that reference and keeps the
// object: upstream pkg/controller/garbagecollector orphanDependents), and a StatefulSet's claims,
// which belong to its pods by name only unless a retention policy made the set their owner. Pure.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { MyStatefulSetSpec } from '../../api/workloads.ts';

/** Objects of one kind, as printed: `3 pods`, `pods: web-0, web-1, web-2`. */
export interface DependentGroup {
  /** Plural, as printed: `pods`, `ControllerRevisions`, `claims`, `ReplicaSets`. */
  readonly plural: string;
  readonly singular: string;
  /** What the detail line lists for each object (its name, with a revision number for revisions). */
  readonly names: readonly string[];
}

export interface Dependents {
  /** Objects naming the owner, by kind; the first group is printed even when empty. */
  readonly orphaned: readonly DependentGroup[];
  /** Claims of the set's pods that do not name the set: not touched at all. */
  readonly claimsKept: readonly string[];
}

/** The objects whose ownerReferences name `uid`, controller or not (the garbage collector orphans both). */
export function namingOwner<T extends KubeObject>(uid: string, items: readonly T[]): T[] {
  return items.filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid) === true);
}

export function podGroup(pods: readonly Pod[]): DependentGroup {
  return { plural: 'pods', singular: 'pod', names: pods.map((p) => p.metadata.name ?? '') };
}

export function revisionGroup(revisions: readonly ControllerRevision[]): DependentGroup {
  const sorted = [...revisions].sort((a, b) => a.revision - b.revision);
  return { plural: 'ControllerRevisions', singular: 'ControllerRevision', names: sorted.map((r) => `${r.metadata.name ?? ''} (revision ${r.revision})`) };
}

export function claimGroup(claims: readonly PersistentVolumeClaim[]): DependentGroup {
  return { plural: 'claims', singular: 'claim', names: claims.map((c) => c.metadata.name ?? '') };
}

/** A Deployment's ReplicaSets, or a MyDeployment's MyReplicaSets (`kind` is the singular). */
export function replicaSetGroup(kind: string, replicaSets: readonly KubeObject[]): DependentGroup {
  return { plural: `${kind}s`, singular: kind, names: replicaSets.map((rs) => rs.metadata.name ?? '') };
}

/**
 * The claims `<template>-<pod>` of the set's pods that exist and are not in `owned` (upstream:
 * statefulset/stateful_set_utils.go getPersistentVolumeClaimName).
 */
export function claimsKept(spec: Pick<MyStatefulSetSpec, 'volumeClaimTemplates'>, pods: readonly Pod[], claims: readonly PersistentVolumeClaim[], owned: readonly PersistentVolumeClaim[]): string[] {
  const existing = new Set(claims.map((c) => c.metadata.name ?? ''));
  const ownedNames = new Set(owned.map((c) => c.metadata.name ?? ''));
  const names = (spec.volumeClaimTemplates ?? []).flatMap((t) => pods.map((p) => `${t.metadata.name ?? ''}-${p.metadata.name ?? ''}`));
  return [...new Set(names)].filter((n) => existing.has(n) && !ownedNames.has(n)).sort();
}

function count(group: DependentGroup): string {
  return `${group.names.length} ${group.names.length === 1 ? group.singular : group.plural}`;
}

/** `orphaned 3 pods, 2 ControllerRevisions; 3 claims kept`: the parenthesis of the deletion line. */
export function dependentsSummary(dependents: Dependents): string {
  const [first, ...rest] = dependents.orphaned;
  const groups = [...(first ? [first] : []), ...rest.filter((g) => g.names.length > 0)];
  const orphaned = `orphaned ${groups.length > 0 ? groups.map(count).join(', ') : 'nothing'}`;
  const kept = dependents.claimsKept.length;
  return kept > 0 ? `${orphaned}; ${kept} ${kept === 1 ? 'claim' : 'claims'} kept` : orphaned;
}

/** The objects themselves, one indented line per kind, for --dry-run. */
export function dependentsDetail(dependents: Dependents): string[] {
  const lines = dependents.orphaned.filter((g) => g.names.length > 0).map((g) => `  ${g.plural}: ${g.names.join(', ')}`);
  if (dependents.claimsKept.length > 0) lines.push(`  claims kept: ${dependents.claimsKept.join(', ')}`);
  return lines;
}
