import assert from 'node:assert/strict';
import type { PodTemplateSpec } from '../../src/api/core.ts';
import { podTemplatesSemanticallyEqual } from '../../src/controllers/shared/semantic-equality.ts';
import { templatesEqualIgnoringHash, withoutHashLabel } from '../../src/controllers/deployment/template-equality.ts';
import { template } from './deployment-util-fixtures.ts';

function withContainer(extra: Record<string, unknown>, base: PodTemplateSpec = template()): PodTemplateSpec {
  const [first] = base.spec.containers;
  assert.ok(first);
  return { ...base, spec: { ...base.spec, containers: [{ ...first, ...extra }] } };
}

function withSpec(extra: Record<string, unknown>, base: PodTemplateSpec = template()): PodTemplateSpec {
  return { ...base, spec: { ...base.spec, ...extra } };
}

describe('MyDeployment util: template equality (EqualIgnoreHash)', () => {
  describe('counts as equal', () => {
    const rows: ReadonlyArray<{ readonly name: string; readonly a: PodTemplateSpec | undefined; readonly b: PodTemplateSpec | undefined }> = [
      { name: 'identical templates', a: template(), b: template() },
      {
        name: 'the pod-template-hash label on one side only',
        a: template('nginx:1', { app: 'web', 'pod-template-hash': 'abc' }),
        b: template(),
      },
      {
        name: 'different pod-template-hash labels on both sides',
        a: template('nginx:1', { app: 'web', 'pod-template-hash': 'abc' }),
        b: template('nginx:1', { app: 'web', 'pod-template-hash': 'xyz' }),
      },
      { name: 'absent and empty label maps', a: { metadata: {}, spec: { containers: [] } }, b: { metadata: { labels: {} }, spec: { containers: [] } } },
      {
        name: 'a map holding only the hash label and no map',
        a: { metadata: { labels: { 'pod-template-hash': 'h' } }, spec: { containers: [] } },
        b: { spec: { containers: [] } },
      },
      { name: 'absent, null and empty lists', a: withSpec({ volumes: [] }), b: withSpec({ volumes: null }) },
      { name: 'absent and empty list', a: withSpec({ tolerations: [] }), b: template() },
      { name: 'absent and empty map', a: withSpec({ nodeSelector: {} }), b: template() },
      { name: 'a value struct of empty members and none', a: withContainer({ resources: { limits: {}, requests: {} } }), b: template() },
      { name: 'null and absent scalars', a: withContainer({ workingDir: null }), b: template() },
      { name: 'cpu "1" and "1000m"', a: withContainer({ resources: { limits: { cpu: '1' } } }), b: withContainer({ resources: { limits: { cpu: '1000m' } } }) },
      {
        name: 'memory "0.5Gi" and "512Mi"',
        a: withContainer({ resources: { requests: { memory: '0.5Gi' } } }),
        b: withContainer({ resources: { requests: { memory: '512Mi' } } }),
      },
      { name: 'a quantity as a JSON number', a: withContainer({ resources: { limits: { cpu: 2 } } }), b: withContainer({ resources: { limits: { cpu: '2000m' } } }) },
      { name: 'pod-level resources and overhead by amount', a: withSpec({ overhead: { cpu: '0.25' }, resources: { limits: { memory: '1Gi' } } }), b: withSpec({ overhead: { cpu: '250m' }, resources: { limits: { memory: '1024Mi' } } }) },
      {
        name: 'an emptyDir sizeLimit by amount',
        a: withSpec({ volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }] }),
        b: withSpec({ volumes: [{ name: 'v', emptyDir: { sizeLimit: '1073741824' } }] }),
      },
      {
        name: 'an absent divisor and "0" (a value field: zero quantity)',
        a: withContainer({ env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] }),
        b: withContainer({ env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } }] }),
      },
      {
        name: 'a divisor "1" and "1000m"',
        a: withContainer({ env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } }] }),
        b: withContainer({ env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1000m' } } }] }),
      },
      {
        name: 'ephemeral claim template requests by amount',
        a: withSpec({ volumes: [{ name: 'e', ephemeral: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '1Gi' } } } } } }] }),
        b: withSpec({ volumes: [{ name: 'e', ephemeral: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '1024Mi' } } } } } }] }),
      },
      {
        name: 'init container resources by amount',
        a: withSpec({ initContainers: [{ name: 'i', resources: { limits: { cpu: '0.5' } } }] }),
        b: withSpec({ initContainers: [{ name: 'i', resources: { limits: { cpu: '500m' } } }] }),
      },
      {
        name: 'creationTimestamp by instant and null against absent',
        a: { metadata: { creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'web' } }, spec: template().spec },
        b: { metadata: { creationTimestamp: '2026-01-01T01:00:00+01:00', labels: { app: 'web' } }, spec: template().spec },
      },
      { name: 'a null creationTimestamp and none', a: { metadata: { creationTimestamp: undefined, labels: { app: 'web' } }, spec: template().spec }, b: template() },
      {
        name: 'key order',
        a: { spec: { containers: [{ image: 'x', name: 'c' }] }, metadata: { labels: { b: '2', a: '1' } } },
        b: { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      },
      { name: 'two absent templates', a: undefined, b: undefined },
      { name: 'an absent template and an empty one', a: undefined, b: { spec: { containers: [] } } },
    ];
    for (const row of rows) {
      it(row.name, () => {
        assert.ok(templatesEqualIgnoringHash(row.a, row.b));
        assert.ok(templatesEqualIgnoringHash(row.b, row.a), 'symmetric');
      });
    }
  });

  describe('detects', () => {
    const rows: ReadonlyArray<{ readonly name: string; readonly a: PodTemplateSpec | undefined; readonly b: PodTemplateSpec | undefined }> = [
      { name: 'another image', a: template('nginx:1'), b: template('nginx:2') },
      { name: 'another label', a: template('nginx:1', { app: 'web', tier: 'a' }), b: template() },
      { name: 'an annotation added', a: { ...template(), metadata: { labels: { app: 'web' }, annotations: { x: 'y' } } }, b: template() },
      { name: 'another quantity', a: withContainer({ resources: { limits: { cpu: '1' } } }), b: withContainer({ resources: { limits: { cpu: '1001m' } } }) },
      { name: '1Gi against 1G', a: withContainer({ resources: { limits: { memory: '1Gi' } } }), b: withContainer({ resources: { limits: { memory: '1G' } } }) },
      { name: 'a quantity only on one side', a: withContainer({ resources: { limits: { cpu: '1' } } }), b: template() },
      { name: 'a quantity "0" against an absent map entry', a: withContainer({ resources: { limits: { cpu: '0' } } }), b: template() },
      { name: 'an emptyDir sizeLimit against none (a pointer)', a: withSpec({ volumes: [{ name: 'v', emptyDir: { sizeLimit: '0' } }] }), b: withSpec({ volumes: [{ name: 'v', emptyDir: {} }] }) },
      { name: 'a set pointer (0) against nil', a: withSpec({ terminationGracePeriodSeconds: 0 }), b: template() },
      { name: 'false against absent', a: withSpec({ hostNetwork: false }), b: template() },
      { name: 'an empty string against absent', a: withContainer({ workingDir: '' }), b: template() },
      { name: 'list order', a: withContainer({ args: ['a', 'b'] }), b: withContainer({ args: ['b', 'a'] }) },
      { name: 'a longer list', a: withContainer({ args: ['a'] }), b: withContainer({ args: ['a', 'b'] }) },
      { name: 'another instant', a: { metadata: { creationTimestamp: '2026-01-01T00:00:00Z' }, spec: template().spec }, b: { metadata: { creationTimestamp: '2026-01-01T00:00:01Z' }, spec: template().spec } },
      { name: 'a number-looking env value spelled differently (not a quantity)', a: withContainer({ env: [{ name: 'N', value: '1' }] }), b: withContainer({ env: [{ name: 'N', value: '1000m' }] }) },
      { name: 'a template against none', a: template(), b: undefined },
      { name: 'a list against a scalar', a: withContainer({ args: ['a'] }), b: withContainer({ args: 'a' }) },
    ];
    for (const row of rows) {
      it(row.name, () => {
        assert.ok(!templatesEqualIgnoringHash(row.a, row.b));
        assert.ok(!templatesEqualIgnoringHash(row.b, row.a), 'symmetric');
      });
    }
  });

  it('does not modify its inputs', () => {
    const a = template('nginx:1', { app: 'web', 'pod-template-hash': 'abc' });
    const before = structuredClone(a);
    templatesEqualIgnoringHash(a, template());
    const stripped = withoutHashLabel(a);
    assert.deepEqual(a, before);
    assert.deepEqual(stripped.metadata?.labels, { app: 'web' });
    assert.equal(withoutHashLabel(template()).metadata?.labels?.app, 'web');
  });

  it('compares a sub-tree given its path from the template root', () => {
    assert.ok(podTemplatesSemanticallyEqual({ limits: { cpu: '1' } }, { limits: { cpu: '1000m' } }, ['spec', 'containers', '0', 'resources']));
    assert.ok(!podTemplatesSemanticallyEqual({ limits: { cpu: '1' } }, { limits: { cpu: '1000m' } }));
  });
});
