// The annotations a Deployment and its ReplicaSets share: revision numbering, revision history,
// the desired/max replica counts scaling events are read from, the copy of the Deployment's own
// annotations onto its new ReplicaSet, and the rollback request. Pure: every function returns new
// maps and never modifies its inputs.
// upstream: pkg/controller/deployment/util/deployment_util.go (Revision, MaxRevision, LastRevision,
// SetNewReplicaSetAnnotations, copyDeploymentAnnotationsToReplicaSet, SetReplicasAnnotations,
// ReplicasAnnotationsNeedUpdate, GetDesiredReplicasAnnotation, SetDeploymentAnnotationsTo),
// sync.go isScalingEvent, rollback.go getRollbackTo.
import type { KubeObject } from '../../api/meta.ts';
import type { MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { parseInt64 } from '../shared/int64.ts';
import { fencepostsOrZero, replicasOf } from './fenceposts.ts';

import {
  changeCauseAnnotation,
  desiredReplicasAnnotation,
  lastAppliedAnnotation,
  maxReplicasAnnotation,
  revisionAnnotation,
  revisionHistoryAnnotation,
  rollbackToAnnotation,
} from '../../api/deployment-annotations.ts';

export {
  changeCauseAnnotation,
  desiredReplicasAnnotation,
  lastAppliedAnnotation,
  maxReplicasAnnotation,
  revisionAnnotation,
  revisionHistoryAnnotation,
  rollbackToAnnotation,
};

/** sync.go maxRevHistoryLengthInChars: the revision-history annotation stays within this many characters. */
export const maxRevisionHistoryLength = 2000;

/** Never copied from a Deployment to its ReplicaSet nor back on rollback (upstream annotationsToSkip). */
const skippedAnnotations: ReadonlySet<string> = new Set([
  lastAppliedAnnotation,
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  rollbackToAnnotation,
]);

export function isSkippedAnnotation(key: string): boolean {
  return skippedAnnotations.has(key);
}

export interface AnnotationUpdate {
  /** The object's annotations after the update (a new map). */
  readonly annotations: Record<string, string>;
  /** Whether they differ from the object's, so it must be written. */
  readonly changed: boolean;
}

/**
 * upstream Revision: the revision annotation as int64 (BigInt: revisions pass 2^53, as the e2e's
 * 3546343826724305832 does); 0n when absent; undefined when it does not parse.
 */
export function revisionOf(obj: KubeObject): bigint | undefined {
  const value = obj.metadata.annotations?.[revisionAnnotation];
  return value === undefined ? 0n : parseInt64(value);
}

/** upstream MaxRevision: the highest revision; unparsable ones are skipped; 0n when none. */
export function maxRevision(rss: readonly MyReplicaSet[]): bigint {
  let max = 0n;
  for (const rs of rss) {
    const revision = revisionOf(rs);
    if (revision !== undefined && revision > max) max = revision;
  }
  return max;
}

/**
 * upstream LastRevision: the second highest revision (what `rollback.to: 0` means); 0n when there is
 * none. A revision equal to the highest counts again, so two RSes at 5 give 5.
 */
export function lastRevision(rss: readonly MyReplicaSet[]): bigint {
  let max = 0n;
  let second = 0n;
  for (const rs of rss) {
    const revision = revisionOf(rs);
    if (revision === undefined) continue;
    if (revision >= max) {
      second = max;
      max = revision;
    } else if (revision > second) {
      second = revision;
    }
  }
  return second;
}

/**
 * upstream copyDeploymentAnnotationsToReplicaSet: the Deployment's annotations (skip list aside)
 * added to or overwriting the RS's; keys the Deployment no longer has are never removed.
 */
function copyDeploymentAnnotations(d: MyDeployment, rsAnnotations: Record<string, string>): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (isSkippedAnnotation(key) || rsAnnotations[key] === value) continue;
    rsAnnotations[key] = value;
    changed = true;
  }
  return changed;
}

/**
 * Appends `oldRevision` to a comma-separated history, dropping the oldest entries so the result
 * stays within `limit` characters; undefined when even the new entry alone does not fit.
 */
function appendRevisionHistory(history: string | undefined, oldRevision: string, limit: number): string | undefined {
  const entries = (history ?? '').split(',');
  if ((entries[0] ?? '') === '') return oldRevision;
  let length = (history ?? '').length + oldRevision.length + 1;
  let start = 0;
  while (length > limit && start < entries.length) {
    length -= (entries[start] ?? '').length + 1;
    start++;
  }
  return length <= limit ? [...entries.slice(start), oldRevision].join(',') : undefined;
}

/**
 * upstream SetNewReplicaSetAnnotations, for the new RS (`exists`: already created, else about to
 * be): copy the Deployment's annotations; raise the revision to `newRevision` (max old revision + 1)
 * if it is lower, never lower it; when a revision it had is raised (a rollback or a template going
 * back), append the old number to revision-history (≤ `historyLimit` characters, oldest dropped);
 * and for an RS about to be created, set desired-replicas and max-replicas. An RS whose revision is
 * not an integer keeps it and reports `changed: false` even if the copy changed annotations (upstream
 * returns early there; the copied values are still in `annotations`, written only if the RS is
 * written for another reason, e.g. minReadySeconds).
 */
export function newReplicaSetAnnotations(
  d: MyDeployment,
  rs: MyReplicaSet,
  newRevision: string,
  exists: boolean,
  historyLimit: number = maxRevisionHistoryLength,
): AnnotationUpdate {
  const annotations: Record<string, string> = { ...rs.metadata.annotations };
  let changed = copyDeploymentAnnotations(d, annotations);
  const oldRevision = annotations[revisionAnnotation];
  const oldNumber = oldRevision === undefined || oldRevision === '' ? 0n : parseInt64(oldRevision);
  const newNumber = parseInt64(newRevision);
  if (oldNumber === undefined || newNumber === undefined) return { annotations, changed: false };
  if (oldNumber < newNumber) {
    annotations[revisionAnnotation] = newRevision;
    changed = true;
    if (oldRevision !== undefined) {
      const history = appendRevisionHistory(annotations[revisionHistoryAnnotation], oldRevision, historyLimit);
      if (history !== undefined) annotations[revisionHistoryAnnotation] = history;
    }
  }
  if (!exists) {
    const replicas = replicasOf(d);
    const withReplicas = withReplicasAnnotationsOn(annotations, replicas, replicas + fencepostsOrZero(d).maxSurge);
    return { annotations: withReplicas.annotations, changed: changed || withReplicas.changed };
  }
  return { annotations, changed };
}

function withReplicasAnnotationsOn(current: Readonly<Record<string, string>>, desired: number, max: number): AnnotationUpdate {
  const desiredText = String(desired);
  const maxText = String(max);
  const changed = current[desiredReplicasAnnotation] !== desiredText || current[maxReplicasAnnotation] !== maxText;
  return { annotations: { ...current, [desiredReplicasAnnotation]: desiredText, [maxReplicasAnnotation]: maxText }, changed };
}

/**
 * upstream ReplicasAnnotationsNeedUpdate: whether desired-replicas or max-replicas differ from
 * `desired` (the Deployment's replicas) and `max` (replicas + maxSurge).
 */
export function replicasAnnotationsChanged(rs: KubeObject, desired: number, max: number): boolean {
  return withReplicasAnnotationsOn(rs.metadata.annotations ?? {}, desired, max).changed;
}

/** upstream SetReplicasAnnotations: the RS's annotations with desired-replicas and max-replicas set. */
export function withReplicasAnnotations(rs: KubeObject, desired: number, max: number): AnnotationUpdate {
  return withReplicasAnnotationsOn(rs.metadata.annotations ?? {}, desired, max);
}

/** upstream getNonNegativeInt32FromAnnotation: decimal digits (no sign) up to 2^31−1, else undefined. */
function nonNegativeInt32Annotation(obj: KubeObject, key: string): number | undefined {
  const value = obj.metadata.annotations?.[key];
  if (value === undefined || !/^[0-9]+$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed > 2147483647n ? undefined : Number(parsed);
}

/** upstream GetDesiredReplicasAnnotation: the Deployment's replicas when this RS was last sized; undefined when absent or invalid. */
export function desiredReplicasOf(rs: KubeObject): number | undefined {
  return nonNegativeInt32Annotation(rs, desiredReplicasAnnotation);
}

/** upstream getMaxReplicasAnnotation: replicas + maxSurge when this RS was last sized; undefined when absent or invalid. */
export function maxReplicasOf(rs: KubeObject): number | undefined {
  return nonNegativeInt32Annotation(rs, maxReplicasAnnotation);
}

/**
 * upstream isScalingEvent: some RS with spec.replicas > 0 (pass every owned RS, new and old) has a
 * valid desired-replicas annotation other than the Deployment's replicas, so the Deployment was
 * scaled since that RS was sized.
 */
export function isScalingEvent(d: MyDeployment, rss: readonly MyReplicaSet[]): boolean {
  const replicas = replicasOf(d);
  return rss.some((rs) => {
    if (replicasOf(rs) <= 0) return false;
    const desired = desiredReplicasOf(rs);
    return desired !== undefined && desired !== replicas;
  });
}

/**
 * upstream SetDeploymentAnnotationsTo, for a rollback to `rs`: the Deployment's skip-list
 * annotations (revision, last-applied, …) kept, every other one replaced by the RS's (so
 * change-cause goes back with the template).
 */
export function rollbackAnnotations(d: MyDeployment, rs: MyReplicaSet): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (isSkippedAnnotation(key)) annotations[key] = value;
  }
  for (const [key, value] of Object.entries(rs.metadata.annotations ?? {})) {
    if (!isSkippedAnnotation(key)) annotations[key] = value;
  }
  return annotations;
}

/** upstream getRollbackTo: the requested revision; undefined when absent, empty or not an int64 (ignored). */
export function rollbackTo(d: MyDeployment): bigint | undefined {
  const value = d.metadata.annotations?.[rollbackToAnnotation];
  return value === undefined || value === '' ? undefined : parseInt64(value);
}
