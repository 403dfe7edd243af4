// ControllerRevision history shared by MyDaemonSet and MyStatefulSet (upstream:
// pkg/controller/history/controller_history.go, daemon/update.go, statefulset/stateful_set_utils.go).
// A revision stores the pod template as a strategic-merge patch that replaces the whole template,
// so `kubectl rollout undo`-style tools can apply it back. Everything here is pure.
import type { ControllerRevision, PodTemplateSpec } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { OwnerIdentity } from '../shared/ownership.ts';
import { controllerRef } from '../shared/ownership.ts';
import { templatesEquivalent } from '../shared/pod-template-defaults.ts';
import { canonicalJson } from './go-json.ts';
import { revisionHash } from './hash.ts';

/** Label on revisions (and, for DaemonSets, on pods) carrying the template hash. */
export const controllerRevisionHashLabel = 'controller-revision-hash';
/** Label upstream's history package puts on StatefulSet revisions. */
export const controllerHashLabel = 'controller.kubernetes.io/hash';

/** `{"spec":{"template":{…,"$patch":"replace"}}}`, the data of a revision. */
export function templatePatch(template: PodTemplateSpec): unknown {
  return { spec: { template: { ...template, $patch: 'replace' } } };
}

/** The canonical form revision data is compared by (key order and whitespace don't matter). */
export function revisionDataKey(data: unknown): string {
  return canonicalJson(data);
}

/** Reads the template back out of a revision's data; undefined when the data has another shape. */
export function templateFromRevision(revision: ControllerRevision): PodTemplateSpec | undefined {
  const data = revision.data;
  if (typeof data !== 'object' || data === null || !('spec' in data)) return undefined;
  const spec: unknown = data.spec;
  if (typeof spec !== 'object' || spec === null || !('template' in spec)) return undefined;
  const template: unknown = spec.template;
  if (typeof template !== 'object' || template === null) return undefined;
  const { $patch: _ignored, ...rest } = template as Record<string, unknown>;
  return rest as unknown as PodTemplateSpec;
}

export interface RevisionSpec {
  readonly owner: OwnerIdentity;
  readonly namespace: string;
  /** Annotations copied from the owner (upstream copies them onto each revision). */
  readonly ownerAnnotations: Readonly<Record<string, string>> | undefined;
  readonly template: PodTemplateSpec;
  readonly revision: number;
  readonly collisionCount: number | undefined;
  /** Which label carries the hash: `controller-revision-hash` (DaemonSet) or `controller.kubernetes.io/hash` (StatefulSet). */
  readonly hashLabel: string;
}

/** Builds the revision object to create; its name is `<owner>-<hash>`. */
export function buildRevision(spec: RevisionSpec): ControllerRevision {
  const data = templatePatch(spec.template);
  const hash = revisionHash(revisionDataKey(data), spec.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${spec.owner.name}-${hash}`,
      namespace: spec.namespace,
      labels: { ...(spec.template.metadata?.labels ?? {}), [spec.hashLabel]: hash },
      annotations: spec.ownerAnnotations ? { ...spec.ownerAnnotations } : undefined,
      ownerReferences: [controllerRef(spec.owner)],
    },
    data,
    revision: spec.revision,
  };
}

/** The hash part of a revision built by buildRevision, from its label (or its name as fallback). */
export function revisionHashOf(revision: ControllerRevision, hashLabel: string, ownerName: string): string {
  return revision.metadata.labels?.[hashLabel] ?? (revision.metadata.name ?? '').slice(ownerName.length + 1);
}

/** Ascending by revision number, then creation time, then name (upstream history.SortControllerRevisions). */
export function sortRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

/** max(revision) + 1, or 1 when there is none. */
export function nextRevisionNumber(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
}

/** Revisions whose data equals the template's, in ascending revision order. */
export function equalRevisions(revisions: readonly ControllerRevision[], template: PodTemplateSpec): ControllerRevision[] {
  const key = revisionDataKey(templatePatch(template));
  return sortRevisions(revisions.filter((r) => revisionDataKey(r.data) === key));
}

/**
 * Revisions whose template makes the same pods as `template` once both are defaulted as apps/v1
 * does (shared/pod-template-defaults.ts), in ascending revision order. This is how a revision that
 * kube-controller-manager stored for the same manifest is recognised: its data holds the defaulted
 * template (`imagePullPolicy`, `resources: {}`…), ours the template as our schema defaulted it, and
 * neither its name nor its hash can be recomputed (they hash a Go object dump). Callers use it only
 * when no revision is equal outright.
 */
export function equivalentRevisions(revisions: readonly ControllerRevision[], template: PodTemplateSpec): ControllerRevision[] {
  return sortRevisions(
    revisions.filter((r) => {
      const stored = templateFromRevision(r);
      return stored !== undefined && templatesEquivalent(stored, template);
    }),
  );
}

/**
 * Walks revisions from the oldest and returns up to `toDelete` that are not live. Live revisions
 * (the current or update revision, or one a pod still carries) are never deleted. The caller
 * chooses how live revisions count: DaemonSet toward the history limit, StatefulSet not.
 */
export function oldestDeletable(
  revisions: readonly ControllerRevision[],
  isLive: (revision: ControllerRevision) => boolean,
  toDelete: number,
): ControllerRevision[] {
  const out: ControllerRevision[] = [];
  for (const revision of sortRevisions(revisions)) {
    if (out.length >= toDelete) break;
    if (!isLive(revision)) out.push(revision);
  }
  return out;
}

export function isRevisionOf(obj: KubeObject, owner: OwnerIdentity): boolean {
  return obj.metadata.ownerReferences?.some((ref) => ref.controller === true && ref.uid === owner.uid) ?? false;
}
