// From the API server's field errors on a probe (a dry-run Pod or PersistentVolumeClaim) to field
// errors on the custom resource (pure):
//
//   Pod  spec.containers[0].resources.limits  →  spec.template.spec.containers[0].resources.limits
//   Pod  metadata.labels[app]                 →  spec.template.metadata.labels[app]
//   Pod  spec.volumes[3]… (a claim's volume)  →  spec.volumeClaimTemplates[1].metadata.name
//   PVC  spec.resources.requests[storage]     →  spec.volumeClaimTemplates[0].spec.resources.requests[storage]
//
// Errors about what the probe made up (its name, namespace) map to nothing and are dropped, as are
// the rules core/v1 applies to pods but not to pod templates (podOnlyRule).
import type { FieldCause } from '../runtime/webhook/admission-review.ts';
import type { StatusCause } from '../api/meta.ts';
import { isRecord } from '../api/meta.ts';
import type { VolumeOrigin } from './probe.ts';

/**
 * Rules of ValidatePodCreate that ValidatePodTemplateSpec does not apply (pkg/apis/core/validation):
 * a template passing everything else is valid for apps/v1 whatever these say.
 */
export function podOnlyRule(cause: FieldCause): boolean {
  const { field, message, reason } = cause;
  // validateContainersOnlyForPod: "a pod template image may be ' ', filled in by others"
  if (/^spec\.(containers|initContainers)\[\d+\]\.image$/.test(field) && message.includes('must not have leading or trailing whitespace')) {
    return true;
  }
  // validatePodMetadataAndSpec: service account token projections need serviceAccountName (the
  // ServiceAccount admission plugin sets it on pods, not on templates)
  if (/^spec\.volumes\[\d+\]\.projected\.sources\[\d+\]\.serviceAccountToken$/.test(field) && message.includes('serviceAccountName is not set')) {
    return true;
  }
  // ValidatePodCreate: nodeName with scheduling gates
  if (field === 'spec.nodeName' && message.includes('schedulingGates')) return true;
  // validateImageVolumeSource: reference required only when ResourceIsPod
  if (/^spec\.volumes\[\d+\]\.image\.reference$/.test(field) && reason === 'FieldValueRequired') return true;
  return false;
}

/**
 * An error on a request the Pod got from its limit: core/v1 SetDefaults_Pod copies a limit into a
 * missing request for pods, not for templates, so an invalid limit (`-1`) is reported twice for a
 * Pod and once, on the limit, by apps/v1.
 */
export function requestDefaultedFromLimit(cause: FieldCause, template: Readonly<Record<string, unknown>>): boolean {
  const match = /^spec\.(containers|initContainers)\[(\d+)\]\.resources\.requests\[([^\]]+)\]$/.exec(cause.field);
  if (!match?.[1] || !match[3]) return false;
  const spec = isRecord(template.spec) ? template.spec : {};
  const list = spec[match[1]];
  const container: unknown = Array.isArray(list) ? list[Number(match[2])] : undefined;
  const resources = isRecord(container) && isRecord(container.resources) ? container.resources : {};
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const limits = isRecord(resources.limits) ? resources.limits : {};
  return requests[match[3]] === undefined && limits[match[3]] !== undefined;
}

/** A StatusCause with every part present ("" where absent). */
export function fieldCause(cause: StatusCause): FieldCause {
  return { reason: cause.reason ?? '', message: cause.message ?? '', field: cause.field ?? '' };
}

/**
 * Where a Pod field error belongs in the custom resource, or undefined for one about the probe
 * itself. `templatePath` is the template's dotted path (`spec.template`).
 */
export function templateFieldOf(podField: string, templatePath: string, volumes: readonly VolumeOrigin[], claimTemplatesPath: string | undefined): string | undefined {
  const volume = /^spec\.volumes\[(\d+)\](.*)$/.exec(podField);
  if (volume) {
    const origin = volumes[Number(volume[1])];
    if (origin?.kind === 'claim') {
      // The volume the controller adds for a claim template is named by the template's name.
      return claimTemplatesPath === undefined ? undefined : `${claimTemplatesPath}[${origin.index}].metadata.name`;
    }
    if (origin?.kind === 'template') return `${templatePath}.spec.volumes[${origin.index}]${volume[2] ?? ''}`;
    return undefined;
  }
  if (podField === 'spec' || podField.startsWith('spec.') || podField.startsWith('spec[')) return `${templatePath}.${podField}`;
  const metadata = /^metadata\.(labels|annotations)(.*)$/.exec(podField);
  if (metadata) return `${templatePath}.metadata.${metadata[1] ?? ''}${metadata[2] ?? ''}`;
  return undefined;
}

/** Where a PersistentVolumeClaim field error belongs: under the claim template's spec. */
export function claimFieldOf(claimField: string, claimTemplatesPath: string, index: number): string | undefined {
  if (claimField === 'spec' || claimField.startsWith('spec.') || claimField.startsWith('spec[')) {
    return `${claimTemplatesPath}[${index}].${claimField}`;
  }
  return undefined;
}

/** The Pod's causes that apps/v1 would report for the template, on the custom resource's paths. */
export function templateCauses(
  causes: readonly StatusCause[],
  template: Readonly<Record<string, unknown>>,
  templatePath: string,
  volumes: readonly VolumeOrigin[],
  claimTemplatesPath: string | undefined,
): FieldCause[] {
  const out: FieldCause[] = [];
  for (const raw of causes) {
    const cause = fieldCause(raw);
    if (podOnlyRule(cause) || requestDefaultedFromLimit(cause, template)) continue;
    const field = templateFieldOf(cause.field, templatePath, volumes, claimTemplatesPath);
    if (field !== undefined) out.push({ ...cause, field });
  }
  return out;
}

/** A claim's causes on the custom resource's paths. */
export function claimCauses(causes: readonly StatusCause[], claimTemplatesPath: string, index: number): FieldCause[] {
  const out: FieldCause[] = [];
  for (const raw of causes) {
    const cause = fieldCause(raw);
    const field = claimFieldOf(cause.field, claimTemplatesPath, index);
    if (field !== undefined) out.push({ ...cause, field });
  }
  return out;
}

/** Identity of an error for comparing the new template's errors with the stored one's. */
export function causeKey(cause: FieldCause): string {
  return `${cause.field}\u0000${cause.reason}`;
}

/** Causes in one list and not in the other (by field and reason). */
export function newCauses(current: readonly FieldCause[], stored: readonly FieldCause[]): FieldCause[] {
  const old = new Set(stored.map(causeKey));
  return current.filter((c) => !old.has(causeKey(c)));
}

/** Causes with a field and reason repeated once (a template and its claim volume can both be named). */
export function uniqueCauses(causes: readonly FieldCause[]): FieldCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = `${causeKey(c)}\u0000${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
