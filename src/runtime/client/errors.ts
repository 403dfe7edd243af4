// Errors raised by the REST client. Callers branch on `code`/`reason` (as client-go's
// apierrors.IsNotFound, IsConflict, IsAlreadyExists, IsGone) rather than on messages.
import type { Status, StatusCause } from '../../api/meta.ts';
import { isRecord } from '../../api/meta.ts';

/** The API server answered with a non-2xx status. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  readonly code: number;
  readonly reason: string;
  readonly status: Status | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonlyInit: {
      method: string;
      path: string;
      code: number;
      status: Status | undefined;
      retryAfterSeconds: number | undefined;
    },
  ) {
    const { method, path, code, status } = readonlyInit;
    super(`${method} ${path}: ${code} ${status?.reason ?? ''}: ${status?.message ?? ''}`.trim());
    this.code = code;
    this.reason = status?.reason ?? '';
    this.status = status;
    this.retryAfterSeconds = readonlyInit.retryAfterSeconds;
  }
}

/** The request never got an HTTP answer: connection refused or reset, DNS, TLS, timeout. */
export class TransportError extends Error {
  override readonly name: string = 'TransportError';
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, cause: unknown) {
    super(`${method} ${path}: ${describeCause(cause)}`, { cause });
    this.method = method;
    this.path = path;
  }
}

/**
 * A watch stream delivered no byte for `idleMs` and was cut. Watches ask for bookmarks, which the
 * API server sends about once a minute, so silence means a dead connection that TCP has not
 * noticed (a NAT or load balancer dropped it). A TransportError, so callers that only tell
 * answered from unanswered requests need not know it.
 */
export class WatchIdleError extends TransportError {
  override readonly name: string = 'WatchIdleError';
  readonly idleMs: number;
  constructor(path: string, idleMs: number) {
    super('WATCH', path, new Error(`watch idle for ${idleMs} ms`));
    this.idleMs = idleMs;
  }
}

/**
 * A watch ended with an ERROR event carrying a Status: the API server's refusal sent inside a
 * stream that had already begun (410 Expired when the requested resourceVersion is compacted away).
 * An ApiError with that Status, so isGone and the other checks apply (client-go turns the event
 * into a StatusError with apierrors.FromObject in tools/cache/reflector.go watchHandler).
 */
export class WatchStatusError extends ApiError {
  override readonly name: string = 'WatchStatusError';
  constructor(path: string, status: Status) {
    super({ method: 'WATCH', path, code: status.code ?? 0, status, retryAfterSeconds: undefined });
  }
}

/** Reads the Status an ERROR watch event carries (absent or mistyped fields are left out). */
export function statusFromObject(obj: unknown): Status {
  if (!isRecord(obj)) return {};
  return {
    code: typeof obj.code === 'number' ? obj.code : undefined,
    reason: typeof obj.reason === 'string' ? obj.reason : undefined,
    message: typeof obj.message === 'string' ? obj.message : undefined,
  };
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner: unknown = cause.cause;
    const code = isRecord(inner) && typeof inner.code === 'string' ? ` (${inner.code})` : '';
    return `${cause.message}${code}`;
  }
  return String(cause);
}

export function parseStatus(body: string): Status | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!isRecord(parsed)) return undefined;
    const status: Status = {
      kind: 'Status',
      status: typeof parsed.status === 'string' ? parsed.status : undefined,
      message: typeof parsed.message === 'string' ? parsed.message : body.slice(0, 500),
      reason: typeof parsed.reason === 'string' ? parsed.reason : undefined,
      code: typeof parsed.code === 'number' ? parsed.code : undefined,
      details: parseDetails(parsed.details),
    };
    return status;
  } catch {
    return { kind: 'Status', message: body.slice(0, 500) };
  }
}

function parseDetails(value: unknown): Status['details'] {
  if (!isRecord(value)) return undefined;
  const causes: StatusCause[] = [];
  const list: unknown[] = Array.isArray(value.causes) ? value.causes : [];
  for (const cause of list) {
    if (!isRecord(cause)) continue;
    causes.push({
      reason: typeof cause.reason === 'string' ? cause.reason : undefined,
      message: typeof cause.message === 'string' ? cause.message : undefined,
      field: typeof cause.field === 'string' ? cause.field : undefined,
    });
  }
  return {
    name: typeof value.name === 'string' ? value.name : undefined,
    kind: typeof value.kind === 'string' ? value.kind : undefined,
    retryAfterSeconds: typeof value.retryAfterSeconds === 'number' ? value.retryAfterSeconds : undefined,
    causes: causes.length > 0 ? causes : undefined,
  };
}

function hasCode(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.code === code;
}

export const isNotFound = (err: unknown): boolean => hasCode(err, 404);
export const isGone = (err: unknown): boolean => hasCode(err, 410);
/** 409 with reason Conflict: a stale resourceVersion (not AlreadyExists, which is also 409). */
export const isConflict = (err: unknown): boolean => hasCode(err, 409) && err instanceof ApiError && err.reason === 'Conflict';
export const isAlreadyExists = (err: unknown): boolean =>
  hasCode(err, 409) && err instanceof ApiError && err.reason === 'AlreadyExists';
export const isInvalid = (err: unknown): boolean => hasCode(err, 422);
export const isForbidden = (err: unknown): boolean => hasCode(err, 403);
export const isTooManyRequests = (err: unknown): boolean => hasCode(err, 429);
/** Namespace being deleted: creates in it are refused and must not be retried hot. */
export const isNamespaceTerminating = (err: unknown): boolean =>
  hasCode(err, 403) &&
  err instanceof ApiError &&
  (err.status?.message ?? '').includes('because it is being terminated');

/** Extracts a human message from any error without losing the API server's reason. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.status?.message ?? err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
