// The admission decision for a templated workload: dry-run its pod template as a Pod and each claim
// template as a PersistentVolumeClaim (on UPDATE, those that changed: a grown storage request,
// docs/volume-growth.md); refuse with the field errors the API server reports (422 Invalid, or a
// value it cannot even decode), on the custom resource's paths, with those of annotations apps/v1
// reads as numbers (annotations.ts), and a claim template's lowered storage request
// (claim-growth.ts); admit on everything else.
//
// What is not a refusal: a 403 from admission (ResourceQuota, LimitRanger, PodSecurity, a missing
// PriorityClass, RuntimeClass or ServiceAccount). Those apply to pods when they are created, and
// apps/v1 admits a DaemonSet whose pods they will refuse; the controller then reports FailedCreate,
// as kube-controller-manager does. Nor is a probe that could not be judged (another webhook that
// does not support dry run, the API server unavailable): the object is admitted with a warning, as
// the registration's failure policy (Ignore) would admit it had this webhook been unreachable.
//
// Two admission plugins run before validation and can hide a field error behind a 403:
//   - ServiceAccount, in a namespace created a moment ago whose `default` account does not exist
//     yet: the probe is retried until it does (kube-controller-manager creates it at once);
//   - Priority, RuntimeClass and ServiceAccount resolving names that do not exist: the probe is
//     retried without those fields (probe.ts admissionResolvedFields).
import { isRecord } from '../api/meta.ts';
import type { StatusCause } from '../api/meta.ts';
import type { Clock } from '../runtime/clock.ts';
import { realClock } from '../runtime/clock.ts';
import type { AdmissionRequest, AdmissionVerdict, FieldCause } from '../runtime/webhook/admission-review.ts';
import { revisionAnnotationCauses } from './annotations.ts';
import { changedClaimTemplates, claimShrinkCauses } from './claim-growth.ts';
import { claimCauses, newCauses, templateCauses, uniqueCauses } from './field-errors.ts';
import type { TemplateKind } from './kinds.ts';
import { dotted, templateGroup, templateKindFor, templateKinds } from './kinds.ts';
import type { ProbeObject } from './probe.ts';
import { claimName, claimProbe, podProbe, usesResolvedFields, valueAt } from './probe.ts';

/** What the API server made of one dry-run create. */
export type DryRunOutcome =
  | { readonly kind: 'accepted' }
  /** 422: field errors. */
  | { readonly kind: 'invalid'; readonly causes: readonly StatusCause[]; readonly message: string }
  /** 400 `… cannot be handled as a Pod: …`: a value that does not even decode (a bad quantity). */
  | { readonly kind: 'undecodable'; readonly message: string }
  /** 403: refused by admission, which applies to pods at creation, not to templates. */
  | { readonly kind: 'forbidden'; readonly message: string }
  /** No verdict on the template (another webhook without dry-run support, 5xx, network). */
  | { readonly kind: 'inconclusive'; readonly message: string };

/** Dry-run-creates a probe (dry-run.ts against the API server; fakes in tests). */
export interface DryRunner {
  create(probe: ProbeObject, signal: AbortSignal): Promise<DryRunOutcome>;
}

export interface TemplateReviewOptions {
  readonly runner: DryRunner;
  readonly kinds?: readonly TemplateKind[];
  readonly clock?: Clock;
  /** Pause between probes while a new namespace's default ServiceAccount is missing. Default 200 ms. */
  readonly serviceAccountRetryMs?: number;
}

/** Upstream ServiceAccount admission's message when the account is missing (plugin/pkg/admission/serviceaccount). */
const serviceAccountLookup = /error looking up service account [^/]+\/default:/;

interface Findings {
  readonly causes: FieldCause[];
  readonly warnings: string[];
}

export class TemplateReview {
  private readonly options: TemplateReviewOptions;
  private readonly clock: Clock;

  constructor(options: TemplateReviewOptions) {
    this.options = options;
    this.clock = options.clock ?? realClock;
  }

  /** The resources this review judges, for the webhook's rules. */
  resources(): string[] {
    return (this.options.kinds ?? templateKinds).map((k) => k.resource);
  }

  async review(request: AdmissionRequest, signal: AbortSignal): Promise<AdmissionVerdict> {
    const kind = templateKindFor(request.resource.resource, this.options.kinds ?? templateKinds);
    const object = request.object;
    if (!kind || request.subResource !== '' || (request.operation !== 'CREATE' && request.operation !== 'UPDATE') || !object) {
      return { kind: 'allow' };
    }
    const findings: Findings = { causes: [], warnings: [] };
    if (kind.revisionAnnotations) {
      const stored = request.operation === 'UPDATE' ? request.oldObject : undefined;
      findings.causes.push(...revisionAnnotationCauses(kind.revisionAnnotations, object, stored));
    }
    const template = valueAt(object, kind.podTemplate);
    const claims = arrayAt(object, kind.claimTemplates);
    const checks: Promise<void>[] = [];
    if (isRecord(template)) checks.push(this.checkTemplate(request, kind, template, claims, findings, signal));
    // upstream: claim templates are validated on create only (immutable afterwards); ours may grow
    // their storage request, so a changed one is validated again and a lowered one refused.
    if (kind.claimTemplates) {
      const path = dotted(kind.claimTemplates);
      const storedClaims = arrayAt(request.oldObject, kind.claimTemplates);
      const judged = request.operation === 'CREATE' ? claims.map((_claim, index) => index) : changedClaimTemplates(claims, storedClaims, jsonEqual);
      if (request.operation === 'UPDATE') findings.causes.push(...claimShrinkCauses(kind.claimTemplates, claims, storedClaims));
      for (const index of judged) checks.push(this.checkClaim(request, kind, path, index, claims[index], storedClaims[index], findings, signal));
    }
    await Promise.all(checks);
    const causes = uniqueCauses(findings.causes);
    if (causes.length === 0) return findings.warnings.length > 0 ? { kind: 'allow', warnings: findings.warnings } : { kind: 'allow' };
    return {
      kind: 'deny-invalid',
      group: templateGroup,
      resourceKind: kind.kind,
      name: request.name || nameOf(object),
      causes,
    };
  }

  private async checkTemplate(
    request: AdmissionRequest,
    kind: TemplateKind,
    template: Readonly<Record<string, unknown>>,
    claims: readonly unknown[],
    findings: Findings,
    signal: AbortSignal,
  ): Promise<void> {
    const stored = request.operation === 'UPDATE' ? valueAt(request.oldObject, kind.podTemplate) : undefined;
    const storedClaims = arrayAt(request.oldObject, kind.claimTemplates);
    // An UPDATE that leaves the template alone (scale, labels, strategy, a grown claim) has nothing
    // new to judge: the pod probe reads only the claim templates' names.
    if (isRecord(stored) && jsonEqual(stored, template) && jsonEqual(storedClaims.map(claimName), claims.map(claimName))) return;
    const current = await this.templateFindings(request.namespace, kind, template, claims, signal);
    findings.warnings.push(...current.warnings);
    let causes = current.causes;
    if (causes.length > 0 && isRecord(stored)) {
      const previous = await this.templateFindings(request.namespace, kind, stored, storedClaims, signal);
      if (previous.causes.length > 0) causes = kind.invalidStoredTemplate === 'skip' ? [] : newCauses(causes, previous.causes);
    }
    findings.causes.push(...causes);
  }

  /**
   * One claim template, as a claim. On UPDATE, as for the pod template, errors the stored template
   * already has are the stored object's, not the change's: a grown request is refused only for
   * errors of its own (the stored template got in while the webhook was down).
   */
  private async checkClaim(
    request: AdmissionRequest,
    kind: TemplateKind,
    path: string,
    index: number,
    claim: unknown,
    stored: unknown,
    findings: Findings,
    signal: AbortSignal,
  ): Promise<void> {
    const judge = async (template: unknown): Promise<Findings> => {
      const found: Findings = { causes: [], warnings: [] };
      const outcome = await this.probe(claimProbe(template, request.namespace), signal);
      collect(found, outcome, (causes) => claimCauses(causes, path, index), `${path}[${index}]`);
      return found;
    };
    const current = await judge(claim);
    findings.warnings.push(...current.warnings);
    let causes = current.causes;
    if (causes.length > 0 && request.operation === 'UPDATE' && stored !== undefined) {
      const previous = await judge(stored);
      if (previous.causes.length > 0) causes = kind.invalidStoredTemplate === 'skip' ? [] : newCauses(causes, previous.causes);
    }
    findings.causes.push(...causes);
  }

  private async templateFindings(
    namespace: string,
    kind: TemplateKind,
    template: Readonly<Record<string, unknown>>,
    claims: readonly unknown[],
    signal: AbortSignal,
  ): Promise<Findings> {
    const findings: Findings = { causes: [], warnings: [] };
    const templatePath = dotted(kind.podTemplate);
    const claimsPath = kind.claimTemplates ? dotted(kind.claimTemplates) : undefined;
    const probe = (withoutResolvedFields: boolean): ReturnType<typeof podProbe> =>
      podProbe(template, { namespace, kind, claimTemplates: claims, withoutResolvedFields });
    let attempt = probe(false);
    let outcome = await this.probe(attempt.pod, signal);
    if (outcome.kind === 'forbidden' && usesResolvedFields(template)) {
      attempt = probe(true);
      outcome = await this.probe(attempt.pod, signal);
    }
    const volumes = attempt.volumes;
    collect(findings, outcome, (causes) => templateCauses(causes, template, templatePath, volumes, claimsPath), templatePath);
    return findings;
  }

  /** One probe, retried while a new namespace's default ServiceAccount does not exist yet. */
  private async probe(object: ProbeObject, signal: AbortSignal): Promise<DryRunOutcome> {
    for (;;) {
      const outcome = await this.options.runner.create(object, signal);
      if (outcome.kind !== 'forbidden' || !serviceAccountLookup.test(outcome.message)) return outcome;
      // Rejects when the API server's deadline passes: the webhook then admits with a warning.
      await this.clock.sleep(this.options.serviceAccountRetryMs ?? 200, signal);
    }
  }
}

/** Adds an outcome's field errors (or warning) to the findings. */
function collect(findings: Findings, outcome: DryRunOutcome, map: (causes: readonly StatusCause[]) => FieldCause[], root: string): void {
  switch (outcome.kind) {
    case 'accepted':
    case 'forbidden':
      return;
    case 'invalid':
      findings.causes.push(...map(outcome.causes));
      return;
    case 'undecodable':
      // The API server names no field for a value it cannot decode; the template is the nearest.
      findings.causes.push({ reason: 'FieldValueInvalid', field: root, message: outcome.message });
      return;
    case 'inconclusive':
      findings.warnings.push(`${root} was not checked against the API server's validation: ${outcome.message}`);
      return;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

function arrayAt(object: Readonly<Record<string, unknown>> | undefined, path: readonly string[] | undefined): readonly unknown[] {
  const value = path ? valueAt(object, path) : undefined;
  return Array.isArray(value) ? value : [];
}

function nameOf(object: Readonly<Record<string, unknown>>): string {
  const metadata = object.metadata;
  if (!isRecord(metadata)) return '';
  return typeof metadata.name === 'string' ? metadata.name : typeof metadata.generateName === 'string' ? metadata.generateName : '';
}

/** Deep equality of JSON values, key order aside. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
