// The operator's ValidatingWebhookConfiguration: what it holds, and the registrar against a local
// stand-in for the API server (resourceVersion conflicts, pods that are gone, withdrawal).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../src/runtime/client/rest.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import type { BundleEntry } from '../../src/runtime/webhook/ca-bundle.ts';
import { bundleEntry, podOwner } from '../../src/runtime/webhook/ca-bundle.ts';
import { createAuthority } from '../../src/runtime/webhook/certificates.ts';
import type { RegistrationOptions, ValidatingWebhookConfiguration } from '../../src/runtime/webhook/registration.ts';
import { WebhookRegistrar, desiredWebhooks, pointsAt, registeredBundle, webhooksDiffer } from '../../src/runtime/webhook/registration.ts';
import { validityFrom } from '../../src/runtime/webhook/rotation.ts';
import { localBaseUrl, servingNames } from '../../src/runtime/webhook/webhooks.ts';

const spec = {
  name: 'templates.apps.my.dev',
  path: '/validate',
  rules: [{ apiGroups: ['apps.my.dev'], apiVersions: ['v1alpha1'], resources: ['mydaemonsets'], operations: ['CREATE', 'UPDATE'] as const }],
  timeoutSeconds: 10,
};
const urlOptions: RegistrationOptions = { configurationName: 'mwo', webhooks: [spec], endpoint: { kind: 'url', baseUrl: 'https://127.0.0.1:9443' } };
const serviceOptions: RegistrationOptions = {
  configurationName: 'mwo',
  webhooks: [spec],
  endpoint: { kind: 'service', namespace: 'ops', name: 'mwo-webhook', port: 443 },
};

async function authority(owner: string): Promise<BundleEntry> {
  const ca = await createAuthority({ commonName: 'test CA', owner, ...validityFrom(new Date(), 86_400_000) });
  return bundleEntry(ca.certificatePem);
}

describe('desired registration', () => {
  it('sends every request of the rules to a URL, failure policy Ignore, no side effects', () => {
    const [webhook] = desiredWebhooks(urlOptions, []);
    assert.deepEqual(webhook, {
      name: 'templates.apps.my.dev',
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Ignore',
      matchPolicy: 'Equivalent',
      timeoutSeconds: 10,
      namespaceSelector: {},
      objectSelector: {},
      rules: [{ apiGroups: ['apps.my.dev'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: ['mydaemonsets'], scope: 'Namespaced' }],
      clientConfig: { url: 'https://127.0.0.1:9443/validate' },
    });
  });

  it('names a Service with its port and the bundle, and only the operator namespace when it has one', async () => {
    const ca = await authority('x');
    const [webhook] = desiredWebhooks({ ...serviceOptions, namespace: 'team-a' }, [ca]);
    assert.deepEqual(webhook?.clientConfig, {
      service: { namespace: 'ops', name: 'mwo-webhook', path: '/validate', port: 443 },
      caBundle: Buffer.from(ca.pem).toString('base64'),
    });
    assert.deepEqual(webhook?.namespaceSelector, { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a'] }] });
  });

  it('reads the registered bundle back, and sees no difference in a registration the API server echoes', async () => {
    const ca = await authority('x');
    const webhooks = desiredWebhooks(serviceOptions, [ca]);
    const stored: ValidatingWebhookConfiguration = { metadata: { name: 'mwo' }, webhooks: JSON.parse(JSON.stringify(webhooks)) as typeof webhooks };
    assert.deepEqual(registeredBundle(stored, [spec.name]).map((e) => e.fingerprint), [ca.fingerprint]);
    assert.equal(webhooksDiffer(stored.webhooks, webhooks), false);
    assert.equal(webhooksDiffer(stored.webhooks, desiredWebhooks(serviceOptions, [])), true);
    assert.equal(pointsAt(stored, 'https://127.0.0.1:9443'), false);
    assert.equal(pointsAt({ metadata: {}, webhooks: desiredWebhooks(urlOptions, []) }, 'https://127.0.0.1:9443'), true);
  });

  it('makes certificates for the name the API server dials', () => {
    assert.deepEqual(servingNames({ kind: 'service', namespace: 'ops', name: 'hook', port: 443 }).dnsNames[0], 'hook.ops.svc');
    assert.deepEqual(servingNames({ kind: 'url', baseUrl: 'https://127.0.0.1:9443' }), { dnsNames: [], ipAddresses: ['127.0.0.1'] });
    assert.deepEqual(servingNames({ kind: 'url', baseUrl: 'https://[::1]:9443' }), { dnsNames: [], ipAddresses: ['::1'] });
    assert.deepEqual(servingNames({ kind: 'url', baseUrl: 'https://host.docker.internal:9443' }), { dnsNames: ['host.docker.internal'], ipAddresses: [] });
    assert.equal(localBaseUrl(undefined, 9443), 'https://127.0.0.1:9443');
    assert.equal(localBaseUrl('::1', 9443), 'https://[::1]:9443');
  });
});

/** An in-memory API server for one ValidatingWebhookConfiguration and a set of pods. */
class FakeApi {
  config: ValidatingWebhookConfiguration | undefined;
  pods = new Set<string>();
  /** Writes to fail with 409 before they are applied (another replica got there first). */
  conflicts = 0;
  readonly writes: string[] = [];
  private version = 0;

  handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const send = (code: number, value: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const status = (code: number, reason: string): void => send(code, { kind: 'Status', code, reason, message: reason });
    const url = req.url ?? '';
    const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(url);
    if (pod) {
      if (this.pods.has(`${pod[1]}/${pod[2]}`)) send(200, { metadata: { name: pod[2] } });
      else status(404, 'NotFound');
      return;
    }
    if (req.method === 'GET') {
      if (this.config) send(200, this.config);
      else status(404, 'NotFound');
      return;
    }
    this.writes.push(req.method ?? '');
    if (this.conflicts > 0) {
      this.conflicts--;
      // someone else's write, unchanged content
      this.version++;
      if (this.config) this.config = { ...this.config, metadata: { ...this.config.metadata, resourceVersion: String(this.version) } };
      status(409, 'Conflict');
      return;
    }
    if (req.method === 'DELETE') {
      this.config = undefined;
      send(200, {});
      return;
    }
    const object = JSON.parse(body) as ValidatingWebhookConfiguration;
    if (req.method === 'PUT' && object.metadata.resourceVersion !== String(this.version)) {
      status(409, 'Conflict');
      return;
    }
    this.version++;
    this.config = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.version) } };
    send(req.method === 'POST' ? 201 : 200, this.config);
  }
}

describe('WebhookRegistrar', () => {
  let server: Server;
  let client: KubeClient;
  let api: FakeApi;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => api.handle(req, body, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new KubeClient({ server: `http://127.0.0.1:${port}`, headers: () => Promise.resolve({}), dispatcher: undefined });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    api = new FakeApi();
  });

  const registrar = (options: RegistrationOptions, self: string): WebhookRegistrar =>
    new WebhookRegistrar({ ...options, client, logger: silentLogger(), self });

  it('creates the configuration when it does not exist (run locally), then finds nothing to change', async () => {
    const ca = await authority('process:me');
    const local = registrar(urlOptions, 'process:me');
    assert.equal(await local.ensure([ca]), 'created');
    assert.equal(await local.ensure([ca]), 'unchanged');
    assert.deepEqual(api.writes, ['POST']);
  });

  it('adds its CA beside a live replica, drops the CA of a pod that is gone, and retries a conflict', async () => {
    const [alive, dead, mine] = await Promise.all([authority(podOwner('ops', 'b')), authority(podOwner('ops', 'old')), authority(podOwner('ops', 'a'))]);
    api.config = { metadata: { name: 'mwo', resourceVersion: '0' }, webhooks: desiredWebhooks(serviceOptions, [alive, dead]) };
    api.pods.add('ops/b');
    api.conflicts = 1;
    assert.equal(await registrar(serviceOptions, podOwner('ops', 'a')).ensure([mine]), 'updated');
    assert.deepEqual(api.writes, ['PUT', 'PUT']);
    const registered = registeredBundle(api.config, [spec.name]).map((e) => e.fingerprint).sort();
    assert.deepEqual(registered, [alive.fingerprint, mine.fingerprint].sort());
  });

  it('withdraws: takes its CA out of a shared registration, deletes a URL registration pointing at it', async () => {
    const [other, mine] = await Promise.all([authority(podOwner('ops', 'b')), authority(podOwner('ops', 'a'))]);
    api.pods.add('ops/b');
    await registrar(serviceOptions, podOwner('ops', 'b')).ensure([other]);
    const replica = registrar(serviceOptions, podOwner('ops', 'a'));
    await replica.ensure([mine]);
    await replica.withdraw([mine]);
    assert.deepEqual(registeredBundle(api.config ?? { metadata: {} }, [spec.name]).map((e) => e.fingerprint), [other.fingerprint]);

    const local = registrar(urlOptions, 'process:me');
    await local.ensure([mine]);
    await registrar({ ...urlOptions, endpoint: { kind: 'url', baseUrl: 'https://127.0.0.1:1' } }, 'process:other').withdraw([mine]);
    assert.ok(api.config, 'another process does not delete a registration pointing elsewhere');
    await local.withdraw([mine]);
    assert.equal(api.config, undefined);
  });
});
