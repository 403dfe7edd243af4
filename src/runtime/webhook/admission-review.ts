// admission.k8s.io/v1 AdmissionReview: reading the request the API server sends and writing the
// answer, with no workload knowledge. Shapes follow k8s.io/api/admission/v1/types.go; the answer
// carries the request's uid back and, for a refusal, a metav1.Status whose details list one cause
// per field, which kubectl prints as `<field>: <message>` lines (kubectl's cmdutil.CheckErr for
// an Invalid error). The API server prefixes the message with `admission webhook "<name>" denied
// the request: ` and keeps code, reason and details (apiserver pkg/admission/plugin/webhook/errors
// ToStatusErr).
import { isRecord } from '../../api/meta.ts';

export const admissionApiVersion = 'admission.k8s.io/v1';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export interface AdmissionRequest {
  readonly uid: string;
  readonly resource: GroupVersionResource;
  readonly kind: string;
  /** "" for the main resource. */
  readonly subResource: string;
  /** "" on a CREATE with generateName. */
  readonly name: string;
  readonly namespace: string;
  readonly operation: Operation;
  /** The object as it will be stored (defaulted), for CREATE and UPDATE. */
  readonly object: Readonly<Record<string, unknown>> | undefined;
  /** The stored object, for UPDATE and DELETE. */
  readonly oldObject: Readonly<Record<string, unknown>> | undefined;
  readonly dryRun: boolean;
}

/** One field error, as metav1.StatusCause. */
export interface FieldCause {
  /** FieldValueInvalid, FieldValueRequired, … (k8s.io/apimachinery pkg/util/validation/field). */
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

export type AdmissionVerdict =
  | { readonly kind: 'allow'; readonly warnings?: readonly string[] }
  | {
      readonly kind: 'deny-invalid';
      readonly group: string;
      readonly resourceKind: string;
      readonly name: string;
      readonly causes: readonly FieldCause[];
    };

export type ParsedReview =
  | { readonly kind: 'request'; readonly request: AdmissionRequest }
  | { readonly kind: 'malformed'; readonly message: string };

const operations: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** Reads an AdmissionReview body (already JSON-parsed). */
export function parseAdmissionReview(body: unknown): ParsedReview {
  if (!isRecord(body)) return malformed('body is not a JSON object');
  if (body.apiVersion !== admissionApiVersion || body.kind !== 'AdmissionReview') {
    return malformed(`want apiVersion ${admissionApiVersion} kind AdmissionReview, got ${String(body.apiVersion)} ${String(body.kind)}`);
  }
  const request = body.request;
  if (!isRecord(request)) return malformed('no request');
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '') return malformed('request.uid is missing');
  const operation = operations.find((op) => op === request.operation);
  if (operation === undefined) return malformed(`unknown operation ${String(request.operation)}`);
  const resource = request.resource;
  const kind = request.kind;
  if (!isRecord(resource) || typeof resource.resource !== 'string') return malformed('request.resource is missing');
  return {
    kind: 'request',
    request: {
      uid,
      operation,
      resource: { group: text(resource.group), version: text(resource.version), resource: resource.resource },
      kind: isRecord(kind) ? text(kind.kind) : '',
      subResource: text(request.subResource),
      name: text(request.name),
      namespace: text(request.namespace),
      object: isRecord(request.object) ? request.object : undefined,
      oldObject: isRecord(request.oldObject) ? request.oldObject : undefined,
      dryRun: request.dryRun === true,
    },
  };
}

/** The AdmissionReview answering `uid`. */
export function admissionResponse(uid: string, verdict: AdmissionVerdict): Record<string, unknown> {
  const review = (response: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: admissionApiVersion,
    kind: 'AdmissionReview',
    response: { uid, ...response },
  });
  switch (verdict.kind) {
    case 'allow':
      return review(verdict.warnings && verdict.warnings.length > 0 ? { allowed: true, warnings: [...verdict.warnings] } : { allowed: true });
    case 'deny-invalid':
      return review({ allowed: false, status: invalidStatus(verdict) });
    default: {
      const never: never = verdict;
      return never;
    }
  }
}

/**
 * The metav1.Status of an Invalid error, worded as the API server words its own
 * (apimachinery pkg/api/errors NewInvalid): one error inline, several in brackets.
 */
export function invalidStatus(verdict: Extract<AdmissionVerdict, { kind: 'deny-invalid' }>): Record<string, unknown> {
  const errors = verdict.causes.map((c) => (c.field === '' ? c.message : `${c.field}: ${c.message}`));
  const listed = errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
  return {
    status: 'Failure',
    code: 422,
    reason: 'Invalid',
    message: `${verdict.resourceKind}.${verdict.group} ${JSON.stringify(verdict.name)} is invalid: ${listed}`,
    details: {
      name: verdict.name,
      group: verdict.group,
      kind: verdict.resourceKind,
      causes: verdict.causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    },
  };
}

function malformed(message: string): ParsedReview {
  return { kind: 'malformed', message };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
