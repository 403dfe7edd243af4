// When the REST client sends a request again, as pure functions (client-go rest/with_retry.go and
// rest/request.go checkWait / isErrRetryableFunc):
// - an answer of 429 or 5xx carrying Retry-After in whole seconds is retried after that many
//   seconds, while the attempt index stays under the client's maxRetries (client-go: 10). The
//   index counts every attempt of the request, connection retries included. Without the header
//   the answer is final: the server did not ask to be called again.
// - a GET whose connection was refused, reset or closed is retried 3 times, 0.5 s apart: a GET
//   changes nothing, so sending it twice is safe; a write might have been applied, so it is not.
// A request whose caller aborted is never retried (the client checks that before asking here).
import { isRecord } from '../../api/meta.ts';

/** GETs that failed to connect are retried this many times... */
export const connectionRetryLimit = 3;
/** ...this long apart (ms). */
export const connectionRetryDelayMs = 500;

/** Error codes (of the failed request's cause, transport.ts RequestFailedError) that mean the connection failed, not the server. */
const connectionErrorCodes: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED']);

/** True when a request got no answer because the connection was refused, reset or closed under it. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const cause: unknown = err.cause;
  const code = isRecord(cause) && typeof cause.code === 'string' ? cause.code : '';
  return connectionErrorCodes.has(code);
}

/**
 * A Retry-After header in seconds. Only the delta-seconds form is honoured, as client-go's
 * checkWait does; an HTTP date, a fraction or garbage reads as absent.
 */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number.parseInt(value, 10);
}

/** The answer to one attempt, as far as the retry decision goes. */
export interface AnsweredAttempt {
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  /** Zero-based index of the attempt that got this answer (connection retries included). */
  readonly attempt: number;
  readonly maxRetries: number;
}

/** Milliseconds to wait before sending an answered request again, or undefined to give up. */
export function retryDelayAfterAnswer(answer: AnsweredAttempt): number | undefined {
  const throttledOrFailed = answer.status === 429 || answer.status >= 500;
  if (!throttledOrFailed || answer.retryAfterSeconds === undefined || answer.attempt >= answer.maxRetries) return undefined;
  return answer.retryAfterSeconds * 1000;
}

/** One attempt that got no HTTP answer. */
export interface FailedAttempt {
  readonly method: string;
  readonly err: unknown;
  /** Connection retries already made for this request. */
  readonly connectionRetries: number;
}

/** Milliseconds to wait before sending a request that got no answer again, or undefined to give up. */
export function retryDelayAfterFailure(failure: FailedAttempt): number | undefined {
  if (failure.method !== 'GET' || failure.connectionRetries >= connectionRetryLimit || !isConnectionError(failure.err)) return undefined;
  return connectionRetryDelayMs;
}
