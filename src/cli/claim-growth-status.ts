// `kubectl my rollout status msts/NAME` and claim-template growth (docs/volume-growth.md): once a
// claim template's storage request has grown, the rollout is not done until every claim of the set
// reports that capacity (VolumeResizing False/Resized), and it cannot finish while a StorageClass
// refuses expansion (False/ResizeForbidden). kubectl knows nothing of this: apps/v1 never grows a
// claim. Pure: rollout-control-status.ts orders it with the rest.
//
// The condition and status.volumeClaimTemplates are two writes, and a watch may show either first:
// right after a template grows again the condition may still say Resized for the previous size, so
// the counts, written with observedGeneration, decide as well.
import type { MyStatefulSet, VolumeClaimTemplateStatus } from '../api/workloads.ts';
import { compareQuantities, fileSystemResizePending } from '../controllers/statefulset/claim-storage.ts';
import { quantityFromJson } from '../controllers/shared/quantity.ts';
import { findCondition } from '../controllers/shared/rollout-control.ts';
import { resizeForbiddenReason, resizedReason, volumeResizingType } from '../controllers/statefulset/volume-resizing.ts';
import type { FollowedStatus } from './follow-rollout.ts';
import { kubectlNoun } from './target.ts';

/** One claim template as status reports it against the spec. */
interface TemplateProgress {
  readonly name: string;
  /** The spec's request, as written there. */
  readonly requested: string;
  /** Claims at that capacity, 0 while status does not report this request yet. */
  readonly resized: number;
  /** status.volumeClaimTemplates reports this template at the spec's request. */
  readonly observed: boolean;
}

function sameQuantity(a: unknown, b: unknown): boolean {
  const x = quantityFromJson(a);
  const y = quantityFromJson(b);
  return x !== undefined && y !== undefined && compareQuantities(x, y) === 0;
}

function progressOf(sts: MyStatefulSet): TemplateProgress[] {
  const reported: readonly VolumeClaimTemplateStatus[] = sts.status?.volumeClaimTemplates ?? [];
  return (sts.spec.volumeClaimTemplates ?? []).flatMap((template): TemplateProgress[] => {
    const name = template.metadata.name ?? '';
    const storage: unknown = template.spec.resources?.requests?.storage;
    // a quantity is a string, or a number of bytes (int-or-string in the schema)
    if (typeof storage !== 'string' && typeof storage !== 'number') return [];
    const entry = reported.find((e) => e.name === name);
    const observed = entry !== undefined && sameQuantity(entry.requestedStorage, storage);
    return [{ name, requested: String(storage), resized: observed ? entry.resizedClaims : 0, observed }];
  });
}

/** `to 2Gi` for one template, `to their requested storage (www: 2Gi, logs: 10Gi)` for several. */
function sizes(templates: readonly TemplateProgress[]): string {
  const [only] = templates;
  if (templates.length === 1 && only) return `to ${only.requested}`;
  return `to their requested storage (${templates.map((t) => `${t.name}: ${t.requested}`).join(', ')})`;
}

/**
 * Where the set's claim growth stands for `rollout status`: undefined when no claim template has
 * grown (no VolumeResizing condition, no status.volumeClaimTemplates) or when every claim has its
 * size; `failed` when a StorageClass refuses; `progressing` otherwise. Every replica's claims are
 * counted: the pods are Ready before this is asked, and their claims exist before them.
 */
export function claimGrowthStatus(sts: MyStatefulSet): FollowedStatus | undefined {
  const condition = findCondition(sts.status?.conditions, volumeResizingType);
  if (condition === undefined && sts.status?.volumeClaimTemplates === undefined) return undefined;
  const noun = `${kubectlNoun('MyStatefulSet')} "${sts.metadata.name ?? ''}"`;
  if (condition?.status === 'False' && condition.reason === resizeForbiddenReason) {
    return { kind: 'failed', message: `${noun} cannot grow its claims: ${condition.message ?? resizeForbiddenReason}` };
  }
  const templates = progressOf(sts);
  const replicas = sts.spec.replicas ?? 1;
  const caughtUp = templates.every((t) => t.observed && t.resized >= replicas);
  if (caughtUp && condition?.status === 'False' && condition.reason === resizedReason) return undefined;
  const resized = templates.reduce((sum, t) => sum + Math.min(t.resized, replicas), 0);
  const total = replicas * templates.length;
  const pending = condition?.status === 'True' && (condition.message ?? '').includes(fileSystemResizePending);
  const hint = pending
    ? ` (${fileSystemResizePending}: the file systems grow when their pods restart, kubectl my rollout restart msts/${sts.metadata.name ?? ''})`
    : '';
  return { kind: 'progressing', message: `Waiting for ${noun} claims to grow: ${resized} of ${total} claims resized ${sizes(templates)}${hint}...` };
}
