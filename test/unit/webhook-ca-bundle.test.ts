// The caBundle several replicas share: each keeps its own CAs in, and drops those of pods that are
// gone, of its own past, and expired ones.
import assert from 'node:assert/strict';
import type { BundleEntry, Liveness, MergeInput } from '../../src/runtime/webhook/ca-bundle.ts';
import { bundleEntry, mergeBundle, ownersToCheck, parseBundle, parsePodOwner, podOwner, renderBundle } from '../../src/runtime/webhook/ca-bundle.ts';
import { createAuthority } from '../../src/runtime/webhook/certificates.ts';

const now = new Date('2030-01-01T00:00:00Z');
const day = 86_400_000;

function entry(fingerprint: string, owner: string | undefined, ageDays: number, daysLeft = 365): BundleEntry {
  return {
    pem: `pem-${fingerprint}`,
    fingerprint,
    owner,
    notBefore: new Date(now.getTime() - ageDays * day),
    notAfter: new Date(now.getTime() + daysLeft * day),
  };
}

const self = podOwner('ops', 'operator-a');
const other = podOwner('ops', 'operator-b');
const gone = podOwner('ops', 'operator-old');

function merged(overrides: Partial<MergeInput>): string[] {
  const input: MergeInput = {
    policy: 'shared',
    existing: [],
    own: [entry('mine', self, 0)],
    self,
    liveness: new Map<string, Liveness>([
      [other, 'alive'],
      [gone, 'gone'],
    ]),
    now,
    ...overrides,
  };
  return mergeBundle(input).map((e) => e.fingerprint);
}

describe('mergeBundle', () => {
  it('registers our CA into an empty bundle', () => assert.deepEqual(merged({}), ['mine']));

  it('keeps the CA of a replica that is alive, oldest first', () => {
    assert.deepEqual(merged({ existing: [entry('theirs', other, 3)] }), ['theirs', 'mine']);
  });

  it('drops the CA of a pod that is gone, keeps one whose liveness is unknown', () => {
    assert.deepEqual(merged({ existing: [entry('dead', gone, 9), entry('local', 'process:laptop/1/x', 8)] }), ['local', 'mine']);
  });

  it('drops our own CAs that we no longer serve (a restarted container of this pod)', () => {
    assert.deepEqual(merged({ existing: [entry('previous', self, 2), entry('mine', self, 0)] }), ['mine']);
  });

  it('keeps a retiring CA of ours that we still list', () => {
    assert.deepEqual(merged({ existing: [entry('previous', self, 2)], own: [entry('mine', self, 0), entry('previous', self, 2)] }), ['previous', 'mine']);
  });

  it('drops expired CAs, and CAs of no owner (cert-manager) only when they expire', () => {
    assert.deepEqual(merged({ existing: [entry('expired', other, 400, -1), entry('manager', undefined, 30)] }), ['manager', 'mine']);
  });

  it('caps the bundle, dropping the oldest foreign CAs first', () => {
    const existing = [entry('a', 'process:x/1/a', 5), entry('b', 'process:x/1/b', 4), entry('c', 'process:x/1/c', 3)];
    assert.deepEqual(merged({ existing, maxEntries: 3 }), ['b', 'c', 'mine']);
  });

  it('in exclusive mode (a URL reaching this process only) registers our CAs alone', () => {
    assert.deepEqual(merged({ policy: 'exclusive', existing: [entry('theirs', other, 3)] }), ['mine']);
  });

  it('asks about pod owners other than itself, once each', () => {
    const existing = [entry('1', other, 1), entry('2', other, 2), entry('3', self, 1), entry('4', 'process:x/1/y', 1), entry('5', undefined, 1)];
    assert.deepEqual(ownersToCheck(existing, self), [other]);
  });

  it('reads pod owners back', () => {
    assert.deepEqual(parsePodOwner('pod:ops/operator-a-5d9f'), { namespace: 'ops', name: 'operator-a-5d9f' });
    assert.equal(parsePodOwner('process:host/1/x'), undefined);
  });
});

describe('bundle PEM', () => {
  it('round-trips certificates with their owner and validity, skipping blocks that do not parse', async () => {
    const ca = await createAuthority({ commonName: 'test CA', owner: self, notBefore: new Date(now.getTime() - day), notAfter: new Date(now.getTime() + day) });
    const garbage = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n';
    const parsed = parseBundle(garbage + ca.certificatePem);
    assert.equal(parsed.length, 1);
    assert.equal(parsed[0]?.owner, self);
    assert.equal(parsed[0]?.notAfter.toISOString(), new Date(now.getTime() + day).toISOString());
    assert.equal(renderBundle(parsed), bundleEntry(ca.certificatePem).pem);
  });
});
