// The webhook's certificates: what is made, when it is renewed, and how a certificate folder is read.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAuthority, issueServingCertificate } from '../../src/runtime/webhook/certificates.ts';
import { filesChanged, renewalDecision, validityFrom } from '../../src/runtime/webhook/rotation.ts';
import { DirectoryCertificates, SelfSignedCertificates } from '../../src/runtime/webhook/serving-certificates.ts';
import { silentLogger } from '../../src/runtime/logging.ts';
import { FakeClock } from '../support/fake-clock.ts';

const day = 86_400_000;

describe('certificates', () => {
  it('issues a server certificate for the names and addresses given, that the CA verifies', async () => {
    const now = new Date();
    const ca = await createAuthority({ commonName: 'test CA', owner: 'pod:ops/a', ...validityFrom(now, day) });
    const serving = await issueServingCertificate(ca, { dnsNames: ['hook.ops.svc'], ipAddresses: ['127.0.0.1', '::1'], ...validityFrom(now, day) });
    const authority = new X509Certificate(ca.certificatePem);
    const leaf = new X509Certificate(serving.certificatePem);
    assert.ok(authority.ca);
    assert.equal(authority.subject, 'OU=pod:ops/a\nCN=test CA');
    assert.ok(!leaf.ca);
    assert.ok(leaf.checkIssued(authority));
    assert.ok(leaf.verify(authority.publicKey));
    assert.equal(leaf.subjectAltName, 'DNS:hook.ops.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.ok(leaf.checkHost('hook.ops.svc'));
    assert.equal(leaf.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), true, 'serverAuth');
    assert.match(serving.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses a certificate that names nothing', async () => {
    const ca = await createAuthority({ commonName: 'test CA', owner: 'x', ...validityFrom(new Date(), day) });
    await assert.rejects(issueServingCertificate(ca, { dnsNames: [], ipAddresses: [], ...validityFrom(new Date(), day) }), /at least one/);
  });
});

describe('renewalDecision', () => {
  const start = new Date('2030-01-01T00:00:00Z');
  const validity = { notBefore: start, notAfter: new Date(start.getTime() + 90 * day) };
  const at = (days: number): Date => new Date(start.getTime() + days * day);
  const rows: { name: string; now: Date; expected: ReturnType<typeof renewalDecision> }[] = [
    { name: 'keeps a fresh certificate until two thirds of its life', now: at(1), expected: { kind: 'keep', renewAt: at(60) } },
    { name: 'renews at two thirds', now: at(60), expected: { kind: 'renew', reason: 'due' } },
    { name: 'renews an expired one', now: at(90), expected: { kind: 'renew', reason: 'expired' } },
    { name: 'renews one not valid yet (the clock went back)', now: at(-1), expected: { kind: 'renew', reason: 'not-yet-valid' } },
  ];
  for (const row of rows) it(row.name, () => assert.deepEqual(renewalDecision(validity, row.now), row.expected));

  it('backdates a new certificate by five minutes', () => {
    assert.deepEqual(validityFrom(start, day), { notBefore: new Date(start.getTime() - 300_000), notAfter: new Date(start.getTime() + day) });
  });

  it('sees changed files by content', () => {
    const files = { certificatePem: 'c', privateKeyPem: 'k', caPem: 'a' };
    assert.equal(filesChanged(undefined, files), true);
    assert.equal(filesChanged(files, { ...files }), false);
    assert.equal(filesChanged(files, { ...files, caPem: 'b' }), true);
  });
});

describe('SelfSignedCertificates', () => {
  const options = (clock: FakeClock) => ({
    owner: 'pod:ops/a',
    dnsNames: ['hook.ops.svc'],
    ipAddresses: [],
    caLifetimeMs: 300 * day,
    servingLifetimeMs: 30 * day,
    caOverlapMs: 600_000,
    clock,
    logger: silentLogger(),
  });

  it('renews the server certificate under the same CA at two thirds of its life', async () => {
    const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
    const source = new SelfSignedCertificates(options(clock));
    const stop = new AbortController();
    const first = await source.start(stop.signal);
    stop.abort();
    assert.equal(await source.check(), undefined, 'nothing due');
    clock.advance(20 * day);
    const second = await source.check();
    assert.ok(second);
    assert.notEqual(second.certificatePem, first.certificatePem);
    assert.deepEqual(
      second.authorities.map((a) => a.fingerprint),
      first.authorities.map((a) => a.fingerprint),
      'same CA: nothing to register',
    );
  });

  it('renews the CA at two thirds of its life, registering both until the old one retires', async () => {
    const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
    const source = new SelfSignedCertificates(options(clock));
    const stop = new AbortController();
    const first = await source.start(stop.signal);
    stop.abort();
    const oldCa = first.authorities[0]?.fingerprint;
    clock.advance(200 * day);
    const rotated = await source.check();
    assert.ok(rotated);
    assert.equal(rotated.authorities.length, 2);
    assert.notEqual(rotated.authorities[0]?.fingerprint, oldCa, 'the new CA first: it signed the new certificate');
    assert.equal(rotated.authorities[1]?.fingerprint, oldCa);
    const leaf = new X509Certificate(rotated.certificatePem);
    assert.ok(leaf.checkIssued(new X509Certificate(rotated.authorities[0]?.pem ?? '')));
    assert.equal(source.nextCheckAt(), clock.now() + 600_000);
    clock.advance(600_000);
    const retired = await source.check();
    assert.deepEqual(retired?.authorities.map((a) => a.fingerprint), [rotated.authorities[0]?.fingerprint]);
    assert.equal(retired?.certificatePem, rotated.certificatePem, 'retiring a CA changes no certificate');
  });
});

describe('DirectoryCertificates', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mwo-certs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function writeSet(): Promise<{ ca: string; cert: string }> {
    const ca = await createAuthority({ commonName: 'cert-manager CA', owner: 'issuer', ...validityFrom(new Date(), day) });
    const serving = await issueServingCertificate(ca, { dnsNames: ['hook.ops.svc'], ipAddresses: [], ...validityFrom(new Date(), day) });
    writeFileSync(path.join(dir, 'tls.crt'), serving.certificatePem);
    writeFileSync(path.join(dir, 'tls.key'), serving.privateKeyPem);
    writeFileSync(path.join(dir, 'ca.crt'), ca.certificatePem);
    return { ca: ca.certificatePem, cert: serving.certificatePem };
  }

  it('serves tls.crt and tls.key, registers ca.crt, and notices when they change', async () => {
    const first = await writeSet();
    const source = new DirectoryCertificates({ dir, logger: silentLogger() });
    const stop = new AbortController();
    const material = await source.start(stop.signal);
    stop.abort();
    assert.equal(material.certificatePem, first.cert);
    assert.equal(material.authorities[0]?.fingerprint, new X509Certificate(first.ca).fingerprint256);
    assert.equal(await source.check(), undefined);
    const second = await writeSet();
    assert.equal((await source.check())?.certificatePem, second.cert);
  });

  it('fails to start without certificates', async () => {
    const source = new DirectoryCertificates({ dir, logger: silentLogger() });
    await assert.rejects(source.start(new AbortController().signal), /tls\.crt and tls\.key/);
  });
});
