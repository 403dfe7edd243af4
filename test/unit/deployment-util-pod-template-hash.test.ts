import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../src/api/core.ts';
import { podTemplateHash, podTemplateHashLabel } from '../../src/controllers/deployment/pod-template-hash.ts';
import { template } from './deployment-util-fixtures.ts';

const alphabet = /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/;

describe('MyDeployment util: pod-template-hash (ComputeHash)', () => {
  it('is the apps/v1 label key', () => assert.equal(podTemplateHashLabel, 'pod-template-hash'));

  it('is stable for the same template', () => {
    assert.equal(podTemplateHash(template(), undefined), podTemplateHash(template(), undefined));
    assert.equal(podTemplateHash(template(), 3), podTemplateHash(template(), 3));
  });

  it('is the same for templates equal as canonical JSON (key order, null, [] and {} members)', () => {
    const a: PodTemplateSpec = { metadata: { labels: { b: '2', a: '1' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const b: PodTemplateSpec = {
      spec: { volumes: [], nodeSelector: {}, containers: [{ image: 'x', name: 'c', env: null, resources: { limits: {} } }] },
      metadata: { annotations: {}, labels: { a: '1', b: '2' } },
    };
    assert.equal(podTemplateHash(a, undefined), podTemplateHash(b, undefined));
  });

  it('differs for different templates', () => {
    assert.notEqual(podTemplateHash(template('nginx:1'), undefined), podTemplateHash(template('nginx:2'), undefined));
  });

  it('changes with collisionCount, and a set 0 differs from none (the suffix is hashed whenever the count is set)', () => {
    const seen = new Set([undefined, 0, 1, 2, 3].map((c) => podTemplateHash(template(), c)));
    assert.equal(seen.size, 5);
  });

  it('uses only the safe alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const hash = podTemplateHash(template(`nginx:${i}`), i % 3 === 0 ? undefined : i);
      assert.match(hash, alphabet);
    }
  });

  it('does not modify the template', () => {
    const t = { ...template(), spec: { containers: [{ name: 'c', env: null }] } };
    const before = structuredClone(t);
    podTemplateHash(t, 1);
    assert.deepEqual(t, before);
  });
});
