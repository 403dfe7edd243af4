// Claim-template growth (docs/volume-growth.md), on UPDATE (pure): a MyStatefulSet's claim
// template may grow its storage request, never lower it, since the claims made from it cannot
// shrink (upstream: pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate refuses a request
// below the claim's capacity). The CRD's CEL rule refuses the same first, since the API server
// validates the schema before it calls validating webhooks; this is the exact comparison with the
// field path, for a value CEL's quantity() cannot read (and for a CRD installed without the rule).
// Every other change to a claim template is the CRD's to refuse.
import { isRecord } from '../api/meta.ts';
import { compareQuantities } from '../controllers/statefulset/claim-storage.ts';
import { quantityFromJson } from '../controllers/shared/quantity.ts';
import type { FieldCause } from '../runtime/webhook/admission-review.ts';
import { dotted } from './kinds.ts';

/** The message of the CRD's rules, which this one shares. */
export const claimTemplatesRule = 'volumeClaimTemplates: only spec.resources.requests.storage may change, and only grow';

function nameOf(template: unknown): unknown {
  return isRecord(template) && isRecord(template.metadata) ? template.metadata.name : undefined;
}

function storageOf(template: unknown): unknown {
  if (!isRecord(template) || !isRecord(template.spec)) return undefined;
  const resources = template.spec.resources;
  return isRecord(resources) && isRecord(resources.requests) ? resources.requests.storage : undefined;
}

const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * A cause for every claim template whose storage request is below the stored template of the same
 * name at the same index (a moved or renamed template is the CRD's refusal, not a shrink).
 * `path` is where the templates sit (spec.volumeClaimTemplates).
 */
export function claimShrinkCauses(path: readonly string[], templates: readonly unknown[], stored: readonly unknown[]): FieldCause[] {
  const causes: FieldCause[] = [];
  templates.forEach((template, index) => {
    const old = stored[index];
    const name = nameOf(template);
    if (name === undefined || name !== nameOf(old)) return;
    const want = storageOf(template);
    const had = storageOf(old);
    const wantValue = quantityFromJson(want);
    const hadValue = quantityFromJson(had);
    if (wantValue === undefined || hadValue === undefined || compareQuantities(wantValue, hadValue) >= 0) return;
    causes.push({
      reason: 'FieldValueInvalid',
      field: `${dotted(path)}[${index}].spec.resources.requests.storage`,
      message:
        `Invalid value: ${JSON.stringify(shown(want))}: may not be less than ${shown(had)}, the storage request it had: ` +
        `claims cannot shrink (${claimTemplatesRule})`,
    });
  });
  return causes;
}

/**
 * The indexes of an UPDATE's claim templates that differ from the stored ones at the same index:
 * those the claim validation judges again, as on CREATE, since a grown request is a new value.
 */
export function changedClaimTemplates(templates: readonly unknown[], stored: readonly unknown[], equal: (a: unknown, b: unknown) => boolean): number[] {
  const changed: number[] = [];
  templates.forEach((template, index) => {
    if (!equal(template, stored[index])) changed.push(index);
  });
  return changed;
}
