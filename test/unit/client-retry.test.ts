import assert from 'node:assert/strict';
import {
  connectionRetryDelayMs,
  connectionRetryLimit,
  isConnectionError,
  parseRetryAfter,
  retryDelayAfterAnswer,
  retryDelayAfterFailure,
} from '../../src/runtime/client/retry.ts';

/** A fetch failure as undici reports it: a TypeError whose cause carries the socket error code. */
function fetchFailure(code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}

describe('REST client retry policy', () => {
  describe('Retry-After', () => {
    const rows: { value: string | null; seconds: number | undefined }[] = [
      { value: '5', seconds: 5 },
      { value: ' 12 ', seconds: 12 },
      { value: '0', seconds: 0 },
      { value: null, seconds: undefined },
      { value: '', seconds: undefined },
      { value: '1.5', seconds: undefined },
      { value: '-1', seconds: undefined },
      { value: 'Wed, 21 Oct 2026 07:28:00 GMT', seconds: undefined },
    ];
    for (const row of rows) {
      it(`reads ${JSON.stringify(row.value)} as ${String(row.seconds)}`, () => assert.equal(parseRetryAfter(row.value), row.seconds));
    }
  });

  describe('answers', () => {
    const answer = (status: number, retryAfterSeconds: number | undefined, attempt = 0): number | undefined =>
      retryDelayAfterAnswer({ status, retryAfterSeconds, attempt, maxRetries: 10 });

    it('retries 429 after the Retry-After seconds', () => assert.equal(answer(429, 3), 3_000));
    it('retries 500, 503 and 504 after the Retry-After seconds', () => {
      assert.deepEqual([answer(500, 1), answer(503, 2), answer(504, 7)], [1_000, 2_000, 7_000]);
    });
    it('retries at once for Retry-After: 0', () => assert.equal(answer(503, 0), 0));
    it('does not retry 429 or 5xx without Retry-After', () => {
      assert.deepEqual([answer(429, undefined), answer(503, undefined)], [undefined, undefined]);
    });
    it('never retries other statuses, even with Retry-After', () => {
      for (const status of [400, 403, 404, 409, 410, 422]) assert.equal(answer(status, 1), undefined, String(status));
    });
    it('retries while the attempt index is under maxRetries', () => {
      assert.equal(answer(429, 1, 9), 1_000);
      assert.equal(answer(429, 1, 10), undefined);
    });
    it('gives up at once with maxRetries 0', () => {
      assert.equal(retryDelayAfterAnswer({ status: 429, retryAfterSeconds: 1, attempt: 0, maxRetries: 0 }), undefined);
    });
  });

  describe('requests without an answer', () => {
    it('recognises refused, reset and closed connections', () => {
      for (const code of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_CLOSED']) {
        assert.equal(isConnectionError(fetchFailure(code)), true, code);
      }
    });
    it('does not take TLS, DNS or timeout failures for connection failures', () => {
      for (const code of ['CERT_HAS_EXPIRED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']) {
        assert.equal(isConnectionError(fetchFailure(code)), false, code);
      }
      assert.equal(isConnectionError(new DOMException('aborted', 'TimeoutError')), false);
      assert.equal(isConnectionError('ECONNRESET'), false);
    });

    it('retries a GET whose connection failed, 0.5 s later, 3 times', () => {
      const err = fetchFailure('ECONNRESET');
      const delays = [0, 1, 2, 3].map((connectionRetries) => retryDelayAfterFailure({ method: 'GET', err, connectionRetries }));
      assert.deepEqual(delays, [500, 500, 500, undefined]);
      assert.equal(connectionRetryLimit, 3);
      assert.equal(connectionRetryDelayMs, 500);
    });
    it('never retries a write whose connection failed: it may have been applied', () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        assert.equal(retryDelayAfterFailure({ method, err: fetchFailure('ECONNRESET'), connectionRetries: 0 }), undefined, method);
      }
    });
    it('does not retry a GET that failed otherwise', () => {
      assert.equal(retryDelayAfterFailure({ method: 'GET', err: fetchFailure('ENOTFOUND'), connectionRetries: 0 }), undefined);
    });
  });
});
