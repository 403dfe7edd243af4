import assert from 'node:assert/strict';
import { desiredReplicasAnnotation } from '../../src/controllers/deployment/annotations.ts';
import {
  activeOrLatest,
  byCreation,
  byRevision,
  findNewReplicaSet,
  findOldReplicaSets,
  isSaturated,
  newReplicaSetObject,
  replicaSetName,
} from '../../src/controllers/deployment/replica-sets.ts';
import { deployment, names, replicaSet } from './deployment-util-fixtures.ts';

describe('MyDeployment util: replica sets', () => {
  describe('orderings', () => {
    it('byCreation: oldest first, then by name; a missing timestamp is the oldest', () => {
      const b = replicaSet('b', { created: 10 });
      const a = replicaSet('a', { created: 10 });
      const old = replicaSet('z', { created: 1 });
      const none = { ...replicaSet('y'), metadata: { ...replicaSet('y').metadata, creationTimestamp: undefined } };
      assert.deepEqual(names([b, a, old, none].sort(byCreation)), ['y', 'z', 'a', 'b']);
    });
    it('byRevision: lowest revision first; equal or unparsable fall back to creation', () => {
      const r3 = replicaSet('r3', { revision: '3', created: 1 });
      const r10 = replicaSet('r10', { revision: '10', created: 0 });
      const bad = replicaSet('bad', { revision: 'x', created: 5 });
      const tie = replicaSet('tie', { revision: '3', created: 0 });
      assert.deepEqual(names([r10, r3, tie].sort(byRevision)), ['tie', 'r3', 'r10']);
      assert.equal(byRevision(bad, r3), 1);
      assert.equal(byRevision(r3, bad), -1);
      assert.equal(byRevision(replicaSet('big', { revision: '3546343826724305833' }), replicaSet('less', { revision: '3546343826724305832' })), 1);
    });
  });

  describe('findNewReplicaSet', () => {
    const d = deployment({ image: 'nginx:2' });
    it('is the oldest RS with an equal template (hash label aside), not the newest', () => {
      const newer = replicaSet('newer', { image: 'nginx:2', created: 20 });
      const older = replicaSet('older', { image: 'nginx:2', created: 10 });
      const other = replicaSet('other', { image: 'nginx:1', created: 0 });
      assert.equal(findNewReplicaSet(d, [newer, other, older])?.metadata.name, 'older');
    });
    it('ignores the hash label and the name', () => {
      const rs = replicaSet('web-whatever', { image: 'nginx:2' });
      const labelled = { ...rs, spec: { ...rs.spec, template: { ...rs.spec.template, metadata: { labels: { app: 'web', 'pod-template-hash': 'zzz' } }, spec: rs.spec.template?.spec ?? { containers: [] } } } };
      assert.equal(findNewReplicaSet(d, [labelled])?.metadata.name, 'web-whatever');
    });
    it('is undefined when no template matches', () => {
      assert.equal(findNewReplicaSet(d, [replicaSet('a', { image: 'nginx:1' })]), undefined);
      assert.equal(findNewReplicaSet(d, []), undefined);
    });
    it('does not reorder its input', () => {
      const list = [replicaSet('b', { created: 2 }), replicaSet('a', { created: 1 })];
      findNewReplicaSet(d, list);
      assert.deepEqual(names(list), ['b', 'a']);
    });
  });

  describe('findOldReplicaSets', () => {
    it('returns every other RS, and the active ones (spec.replicas > 0)', () => {
      const d = deployment();
      const n = replicaSet('new', { replicas: 3 });
      const a = replicaSet('a', { replicas: 2 });
      const z = replicaSet('z', { replicas: 0 });
      const result = findOldReplicaSets(d, [a, n, z], n);
      assert.deepEqual(names(result.all), ['a', 'z']);
      assert.deepEqual(names(result.active), ['a']);
    });
    it('with no new RS, all of them are old', () => {
      const rss = [replicaSet('a', { replicas: 1 }), replicaSet('b', { replicas: 0 })];
      assert.deepEqual(names(findOldReplicaSets(deployment(), rss, undefined).all), ['a', 'b']);
    });
    it('matches the new RS by UID, not by object identity', () => {
      const n = replicaSet('new', { replicas: 3 });
      const copy = structuredClone(n);
      assert.deepEqual(names(findOldReplicaSets(deployment(), [n], copy).all), []);
    });
  });

  describe('activeOrLatest (FindActiveOrLatest)', () => {
    it('is the only active RS', () => {
      const n = replicaSet('new', { replicas: 0, created: 5 });
      const old = replicaSet('old', { replicas: 4, created: 1 });
      assert.equal(activeOrLatest(n, [old])?.metadata.name, 'old');
    });
    it('is the new RS when none is active', () => {
      assert.equal(activeOrLatest(replicaSet('new', { replicas: 0 }), [replicaSet('old', { replicas: 0 })])?.metadata.name, 'new');
    });
    it('is the newest old RS when none is active and there is no new RS', () => {
      const olds = [replicaSet('o1', { replicas: 0, created: 1 }), replicaSet('o3', { replicas: 0, created: 3 }), replicaSet('o2', { replicas: 0, created: 2 })];
      assert.equal(activeOrLatest(undefined, olds)?.metadata.name, 'o3');
    });
    it('is undefined with two active RSes or none at all', () => {
      assert.equal(activeOrLatest(replicaSet('new', { replicas: 1 }), [replicaSet('old', { replicas: 1 })]), undefined);
      assert.equal(activeOrLatest(undefined, []), undefined);
    });
  });

  describe('isSaturated', () => {
    const d = deployment({ replicas: 3 });
    const saturated = replicaSet('n', { replicas: 3, annotations: { [desiredReplicasAnnotation]: '3' }, status: { availableReplicas: 3 } });
    it('needs size, desired-replicas and available all equal to replicas', () => {
      assert.ok(isSaturated(d, saturated));
      assert.ok(!isSaturated(d, { ...saturated, status: { availableReplicas: 2 } }));
      assert.ok(!isSaturated(d, replicaSet('n', { replicas: 3, annotations: { [desiredReplicasAnnotation]: '4' }, status: { availableReplicas: 3 } })));
      assert.ok(!isSaturated(d, replicaSet('n', { replicas: 3, status: { availableReplicas: 3 } })));
      assert.ok(!isSaturated(d, undefined));
    });
  });

  describe('replicaSetName', () => {
    it('is <deployment>-<hash>', () => {
      assert.equal(replicaSetName(deployment({ name: 'web' }), 'abc12'), 'web-abc12');
    });
    it('cuts a long Deployment name so the whole is 253 characters', () => {
      const long = 'a'.repeat(260);
      const name = replicaSetName(deployment({ name: long }), 'hash567890');
      assert.equal(name.length, 253);
      assert.equal(name, `${'a'.repeat(242)}-hash567890`);
      assert.equal(replicaSetName(deployment({ name: 'a'.repeat(242) }), 'hash567890').length, 253);
    });
  });

  describe('newReplicaSetObject', () => {
    it('builds the RS getNewReplicaSet creates', () => {
      const d = deployment({ name: 'web', minReadySeconds: 5 });
      const rs = newReplicaSetObject(d, 'h4sh', 3, { a: 'b' });
      assert.deepEqual(rs, {
        apiVersion: 'apps.my.dev/v1alpha1',
        kind: 'MyReplicaSet',
        metadata: {
          name: 'web-h4sh',
          namespace: 'default',
          labels: { app: 'web', 'pod-template-hash': 'h4sh' },
          annotations: { a: 'b' },
          ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          replicas: 3,
          minReadySeconds: 5,
          selector: { matchLabels: { app: 'web', 'pod-template-hash': 'h4sh' } },
          template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'h4sh' } }, spec: { containers: [{ name: 'app', image: 'nginx:1' }] } },
        },
      });
    });
    it('takes labels from the template, not from the Deployment, and leaves the Deployment untouched', () => {
      const base = deployment();
      const d = { ...base, metadata: { ...base.metadata, labels: { owner: 'me' } } };
      const before = structuredClone(d);
      const rs = newReplicaSetObject(d, 'h', 1, {});
      assert.deepEqual(rs.metadata.labels, { app: 'web', 'pod-template-hash': 'h' });
      assert.deepEqual(d, before);
    });
    it('keeps selector expressions and copies minReadySeconds 0 when absent', () => {
      const base = deployment();
      const d = { ...base, spec: { ...base.spec, selector: { matchExpressions: [{ key: 'app', operator: 'Exists' as const }] } } };
      const rs = newReplicaSetObject(d, 'h', 1, {});
      assert.deepEqual(rs.spec.selector, { matchExpressions: [{ key: 'app', operator: 'Exists' }], matchLabels: { 'pod-template-hash': 'h' } });
      assert.equal(rs.spec.minReadySeconds, 0);
    });
  });
});
