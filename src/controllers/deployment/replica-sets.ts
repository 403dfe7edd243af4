// Which of a Deployment's ReplicaSets is new and which are old, their orderings, and the new
// ReplicaSet object to create. Pure: inputs are never modified; sorts work on copies.
// upstream: pkg/controller/deployment/util/deployment_util.go FindNewReplicaSet, FindOldReplicaSets,
// FindActiveOrLatest, IsSaturated, ReplicaSetsByRevision; pkg/controller/controller_utils.go
// ReplicaSetsByCreationTimestamp, FilterActiveReplicaSets; sync.go getNewReplicaSet,
// generateReplicaSetName.
import type { PodTemplateSpec } from '../../api/core.ts';
import type { LabelSelector } from '../../api/meta.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { apiVersion, myDeploymentKind, myReplicaSetKind } from '../../api/workloads.ts';
import { parseInt64 } from '../shared/int64.ts';
import { controllerRef, ownerIdentity } from '../shared/ownership.ts';
import { desiredReplicasAnnotation, revisionOf } from './annotations.ts';
import { replicasOf } from './fenceposts.ts';
import { podTemplateHashLabel } from './pod-template-hash.ts';
import { templatesEqualIgnoringHash } from './template-equality.ts';

/** DNS-1123 subdomain limit for object names (validation.DNS1123SubdomainMaxLength). */
const maxNameLength = 253;

/** Go's zero time for an RS without creationTimestamp: earlier than any real one. */
function createdAt(rs: MyReplicaSet): number {
  const parsed = Date.parse(rs.metadata.creationTimestamp ?? '');
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

/** upstream ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: MyReplicaSet, b: MyReplicaSet): number {
  const ta = createdAt(a);
  const tb = createdAt(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** upstream ReplicaSetsByRevision: lowest revision first; equal or unparsable revisions fall back to byCreation. */
export function byRevision(a: MyReplicaSet, b: MyReplicaSet): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreation(a, b);
  return ra < rb ? -1 : 1;
}

/** controller.FilterActiveReplicaSets: spec.replicas > 0. */
export function isActive(rs: MyReplicaSet): boolean {
  return replicasOf(rs) > 0;
}

/**
 * upstream FindNewReplicaSet: the oldest (byCreation) RS whose template equals the Deployment's,
 * pod-template-hash aside (template-equality.ts). Several can match after an upgrade (#40415); the
 * oldest wins so the choice is stable. Never by name or hash.
 */
export function findNewReplicaSet(d: MyDeployment, rss: readonly MyReplicaSet[]): MyReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => templatesEqualIgnoringHash(rs.spec.template, d.spec.template));
}

function sameReplicaSet(a: MyReplicaSet, b: MyReplicaSet): boolean {
  if (a === b) return true;
  const ua = a.metadata.uid;
  const ub = b.metadata.uid;
  if (ua !== undefined && ub !== undefined) return ua === ub;
  return a.metadata.namespace === b.metadata.namespace && a.metadata.name === b.metadata.name;
}

/**
 * upstream FindOldReplicaSets with the new RS already found: `all` = every RS but `newRS` (those at
 * 0 included), `active` = those of them with spec.replicas > 0. Order as given.
 */
export function findOldReplicaSets(
  _d: MyDeployment,
  rss: readonly MyReplicaSet[],
  newRS: MyReplicaSet | undefined,
): { readonly all: MyReplicaSet[]; readonly active: MyReplicaSet[] } {
  const all = rss.filter((rs) => newRS === undefined || !sameReplicaSet(rs, newRS));
  return { all, active: all.filter(isActive) };
}

/**
 * upstream FindActiveOrLatest: with at most one active RS, the one to scale to the Deployment's
 * size: the active one; with none, the new RS, else the newest old one. Undefined with two or more
 * active (they scale proportionally) or no RS at all.
 */
export function activeOrLatest(newRS: MyReplicaSet | undefined, olds: readonly MyReplicaSet[]): MyReplicaSet | undefined {
  const newestFirst = [...olds].sort((a, b) => byCreation(b, a));
  const active = [...newestFirst, ...(newRS === undefined ? [] : [newRS])].filter(isActive);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/**
 * upstream IsSaturated: the new RS holds the whole Deployment: its spec.replicas, its
 * desired-replicas annotation (read as Go's Atoi) and its available replicas all equal the
 * Deployment's replicas.
 */
export function isSaturated(d: MyDeployment, rs: MyReplicaSet | undefined): boolean {
  if (rs === undefined) return false;
  const desired = parseInt64(rs.metadata.annotations?.[desiredReplicasAnnotation] ?? '');
  const replicas = replicasOf(d);
  return desired !== undefined && replicasOf(rs) === replicas && desired === BigInt(replicas) && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** upstream generateReplicaSetName: `<deployment>-<hash>`, the Deployment name cut so the whole fits 253 characters. */
export function replicaSetName(d: MyDeployment, hash: string): string {
  const name = d.metadata.name ?? '';
  const room = maxNameLength - 1 - hash.length;
  return `${room > 0 && name.length > room ? name.slice(0, room) : name}-${hash}`;
}

/** labelsutil.CloneSelectorAndAddLabel: the selector with `key: value` added to matchLabels. */
function selectorWithLabel(selector: LabelSelector, key: string, value: string): LabelSelector {
  return { ...selector, matchLabels: { ...selector.matchLabels, [key]: value } };
}

/**
 * The ReplicaSet getNewReplicaSet creates: name per replicaSetName; labels = the template's labels
 * plus pod-template-hash (not the Deployment's labels); the same labels on its template; the
 * Deployment's selector plus the hash label; a controller reference with blockOwnerDeletion;
 * minReadySeconds copied; `replicas` from newReplicaSetReplicas and `annotations` from
 * newReplicaSetAnnotations (exists = false).
 */
export function newReplicaSetObject(d: MyDeployment, hash: string, replicas: number, annotations: Record<string, string>): MyReplicaSet {
  return replicaSetObject(d, hash, d.spec.template, replicas, annotations);
}

/**
 * A ReplicaSet of the Deployment built as newReplicaSetObject does, for another template: the one
 * of orphaned pods it adopts (orphaned-pods.ts).
 */
export function replicaSetObject(
  d: MyDeployment,
  hash: string,
  template: PodTemplateSpec,
  replicas: number,
  annotations: Record<string, string>,
): MyReplicaSet {
  const labels = { ...template.metadata?.labels, [podTemplateHashLabel]: hash };
  return {
    apiVersion,
    kind: myReplicaSetKind,
    metadata: {
      name: replicaSetName(d, hash),
      namespace: d.metadata.namespace,
      labels,
      annotations: { ...annotations },
      ownerReferences: [controllerRef(ownerIdentity(d, apiVersion, myDeploymentKind))],
    },
    spec: {
      replicas,
      minReadySeconds: d.spec.minReadySeconds ?? 0,
      selector: selectorWithLabel(d.spec.selector, podTemplateHashLabel, hash),
      template: { ...template, metadata: { ...template.metadata, labels } },
    },
  };
}
