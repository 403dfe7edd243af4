// The VolumeResizing condition of a MyStatefulSet whose claim templates grew (ours; not in apps/v1,
// docs/volume-growth.md): its reasons, its messages, and how it replaces the one the set holds.
// Pure. Where the claims stand is volume-growth.ts's to say; this file only words it.
import type { RolloutCondition } from '../../api/workloads.ts';
import { findCondition, newCondition } from '../shared/rollout-control.ts';
import { fileSystemResizePending } from './claim-storage.ts';

export const volumeResizingType = 'VolumeResizing';
/** True: some claim's request is not raised yet, or its capacity is below the request. */
export const resizingReason = 'Resizing';
/** False: every claim reports at least its template's request as capacity. */
export const resizedReason = 'Resized';
/** False: a claim must grow and its StorageClass refuses expansion (or it has none, or it is gone). */
export const resizeForbiddenReason = 'ResizeForbidden';

/** How many names a message lists before it says how many more there are. */
export const maxNamesListed = 5;

/** Where the claims of the set stand, as the condition words it. Names are claim names. */
export interface ResizingSummary {
  /** Claims of ordinals in range, every template. */
  readonly total: number;
  /** Claims whose capacity reached their template's request. */
  readonly resized: number;
  /** Request below the template's; to be raised this sync. */
  readonly toPatch: readonly string[];
  /** Request below the template's, not Bound: admission only lets bound claims grow. */
  readonly unbound: readonly string[];
  /** Request raised, capacity still below it: the volume resizer's turn. */
  readonly expanding: readonly string[];
  /** Like `expanding`, and FileSystemResizePending: the file system grows when its pod restarts. */
  readonly fileSystemResizePending: readonly string[];
  /** Request below the template's, and the claim may not grow: `claim (why)`. */
  readonly forbidden: readonly { readonly claim: string; readonly why: string }[];
  /** `template: size` of every template counted, for the Resized message. */
  readonly requested: readonly string[];
}

/** Names, at most maxNamesListed of them, then how many more. */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, maxNamesListed).join(', ');
  return names.length > maxNamesListed ? `${shown} and ${names.length - maxNamesListed} more` : shown;
}

/** The condition for `summary`; `setName` names the set in the restart hint. */
export function volumeResizingCondition(summary: ResizingSummary, setName: string, now: number): RolloutCondition {
  const progress = `${summary.resized} of ${summary.total} claims have reached their requested storage`;
  const lagging = laggingParts(summary, setName);
  if (summary.forbidden.length > 0) {
    const refused = listNames(summary.forbidden.map((f) => `${f.claim} (${f.why})`));
    const n = summary.forbidden.length;
    const count = n === 1 ? '1 claim cannot grow and keeps its size' : `${n} claims cannot grow and keep their size`;
    const message = [`${count}: ${refused}`, progress, ...lagging].join('; ');
    return newCondition(volumeResizingType, 'False', resizeForbiddenReason, message, now);
  }
  if (lagging.length > 0) return newCondition(volumeResizingType, 'True', resizingReason, [progress, ...lagging].join('; '), now);
  const message = `all ${summary.total} claims have reached their requested storage (${summary.requested.join(', ')})`;
  return newCondition(volumeResizingType, 'False', resizedReason, message, now);
}

function laggingParts(summary: ResizingSummary, setName: string): string[] {
  const parts: string[] = [];
  if (summary.toPatch.length > 0) parts.push(`raising the storage request of ${listNames(summary.toPatch)}`);
  if (summary.unbound.length > 0) parts.push(`waiting for ${listNames(summary.unbound)} to be bound before they can grow`);
  if (summary.expanding.length > 0) parts.push(`waiting for the volumes of ${listNames(summary.expanding)} to be expanded`);
  if (summary.fileSystemResizePending.length > 0) {
    parts.push(
      `${fileSystemResizePending} on ${listNames(summary.fileSystemResizePending)}: their file systems grow when their pods restart ` +
        `(kubectl my rollout restart msts/${setName})`,
    );
  }
  return parts;
}

/**
 * The conditions with `condition` in place of the VolumeResizing the set holds. Unlike
 * SetDeploymentCondition a new message replaces the old one (the counts in it move while the
 * status and reason stay), keeping lastTransitionTime while the status is the same; the same
 * status, reason and message leave the list as it is, so a steady set writes nothing.
 */
export function withVolumeResizing(conditions: readonly RolloutCondition[] | undefined, condition: RolloutCondition): readonly RolloutCondition[] {
  const current = findCondition(conditions, volumeResizingType);
  if (current !== undefined && current.status === condition.status && current.reason === condition.reason && current.message === condition.message) {
    return conditions ?? [];
  }
  const next = current !== undefined && current.status === condition.status ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  return [...(conditions ?? []).filter((c) => c.type !== volumeResizingType), next];
}

/** The set holds VolumeResizing True/Resizing: claims were lagging when last observed. */
export function resizingInProgress(conditions: readonly RolloutCondition[] | undefined): boolean {
  const current = findCondition(conditions, volumeResizingType);
  return current?.status === 'True' && current.reason === resizingReason;
}
