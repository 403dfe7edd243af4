// Annotations apps/v1 reads as numbers (pure). A Deployment's `deprecated.deployment.rollback.to`
// is decoded into spec.rollbackTo.revision: a value strconv.ParseInt cannot read fails the request
// while decoding, and a negative one fails ValidateRollback (upstream: pkg/apis/apps/v1
// conversion.go Convert_v1_Deployment_To_apps_Deployment; validation.go ValidateRollback). A
// custom resource has no such step and its CEL rules cannot see annotations, so the webhook refuses
// what apps/v1 would, naming the annotation.
import { isRecord } from '../api/meta.ts';
import type { FieldCause } from '../runtime/webhook/admission-review.ts';

/** What strconv.ParseInt(s, 10, 64) accepts: an optional sign, then decimal digits. */
const int64Syntax = /^[+-]?[0-9]+$/;
const int64Max = 2n ** 63n - 1n;

/** Whether ParseInt reads `value` as an int64 that is at least 0 ("-0" and "+7" included). */
export function isRevisionNumber(value: string): boolean {
  if (!int64Syntax.test(value)) return false;
  const parsed = BigInt(value);
  return parsed >= 0n && parsed <= int64Max;
}

function annotationsOf(object: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  const metadata = object?.metadata;
  return isRecord(metadata) && isRecord(metadata.annotations) ? metadata.annotations : {};
}

/**
 * Field errors for the revision annotations of `object` that are not revision numbers. An empty
 * value means no rollback upstream (it is not parsed). On UPDATE a value the stored object already
 * has is let through: it got in while the webhook was down, and refusing it would block every other
 * change until someone removes it.
 */
export function revisionAnnotationCauses(
  names: readonly string[],
  object: Readonly<Record<string, unknown>>,
  stored: Readonly<Record<string, unknown>> | undefined,
): FieldCause[] {
  const annotations = annotationsOf(object);
  const storedAnnotations = annotationsOf(stored);
  const causes: FieldCause[] = [];
  for (const name of names) {
    const value = annotations[name];
    if (typeof value !== 'string' || value === '' || isRevisionNumber(value)) continue;
    if (stored !== undefined && storedAnnotations[name] === value) continue;
    causes.push({
      reason: 'FieldValueInvalid',
      field: `metadata.annotations[${name}]`,
      message: `Invalid value: ${JSON.stringify(value)}: must be a revision number: an integer greater than or equal to 0`,
    });
  }
  return causes;
}
