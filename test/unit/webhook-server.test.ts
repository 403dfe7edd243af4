// The HTTPS webhook server on loopback: TLS from a certificate source, AdmissionReviews in and out,
// failing open on handler errors, and a certificate swapped in place.
import assert from 'node:assert/strict';
import { Agent, fetch } from 'undici';
import { silentLogger } from '../../src/runtime/logging.ts';
import type { AdmissionHandler, RunningWebhookServer } from '../../src/runtime/webhook/server.ts';
import { startWebhookServer } from '../../src/runtime/webhook/server.ts';
import type { ServingMaterial } from '../../src/runtime/webhook/serving-certificates.ts';
import { SelfSignedCertificates } from '../../src/runtime/webhook/serving-certificates.ts';

async function material(owner: string): Promise<ServingMaterial> {
  const stop = new AbortController();
  const source = new SelfSignedCertificates({ owner, dnsNames: [], ipAddresses: ['127.0.0.1'], logger: silentLogger() });
  const first = await source.start(stop.signal);
  stop.abort();
  return first;
}

const review = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u1', operation: 'CREATE', resource: { group: 'g', version: 'v', resource: 'things' }, namespace: 'ns', object: {} },
};

describe('the webhook server', () => {
  let server: RunningWebhookServer;
  let served: ServingMaterial;
  let handler: AdmissionHandler = () => Promise.resolve({ kind: 'allow' });

  before(async () => {
    served = await material('first');
    server = await startWebhookServer({
      bindAddress: '127.0.0.1:0',
      routes: [{ path: '/validate', handler: (request, signal) => handler(request, signal) }],
      material: served,
      logger: silentLogger(),
    });
  });
  after(() => server.close());
  beforeEach(() => {
    handler = () => Promise.resolve({ kind: 'allow' });
  });

  async function call(
    path: string,
    init: { method?: string; body?: string; contentType?: string } = {},
    trust: ServingMaterial = served,
  ): Promise<{ status: number; body: string }> {
    const dispatcher = new Agent({ connect: { ca: trust.authorities.map((a) => a.pem) } });
    try {
      const res = await fetch(`https://127.0.0.1:${server.port}${path}`, {
        method: init.method ?? 'POST',
        headers: { 'content-type': init.contentType ?? 'application/json' },
        body: init.method === 'GET' ? undefined : (init.body ?? JSON.stringify(review)),
        dispatcher,
      });
      return { status: res.status, body: await res.text() };
    } finally {
      await dispatcher.close();
    }
  }

  it('answers an AdmissionReview over TLS a client verifies with the registered CA', async () => {
    const { status, body } = await call('/validate?timeout=10s');
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(body), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u1', allowed: true } });
  });

  it('admits with a warning when the handler fails: the failure policy is Ignore, and a refusal would not be ignored', async () => {
    handler = () => Promise.reject(new Error('dry run timed out'));
    const { body } = await call('/validate');
    assert.deepEqual(JSON.parse(body), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u1', allowed: true, warnings: ["not checked by the operator's webhook: dry run timed out"] },
    });
  });

  it('gives the handler a deadline inside the API server timeout', async () => {
    let aborted = false;
    handler = (_request, signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve({ kind: 'allow' });
        });
      });
    const started = Date.now();
    await call('/validate?timeout=1s');
    assert.ok(aborted);
    assert.ok(Date.now() - started < 1000, 'answered before the API server gives up');
  });

  it('refuses what is not an AdmissionReview POST', async () => {
    assert.equal((await call('/other')).status, 404);
    assert.equal((await call('/validate', { method: 'GET' })).status, 405);
    assert.equal((await call('/validate', { contentType: 'text/plain' })).status, 415);
    assert.equal((await call('/validate', { body: '{' })).status, 400);
    assert.equal((await call('/validate', { body: '{"kind":"Pod"}' })).status, 400);
  });

  it('serves a new certificate to new connections once swapped', async () => {
    const next = await material('second');
    await assert.rejects(call('/validate', {}, next), /fetch failed/);
    server.setCertificate(next);
    assert.equal((await call('/validate', {}, next)).status, 200);
    served = next;
  });
});
