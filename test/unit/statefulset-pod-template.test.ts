import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import {
  getPersistentVolumeClaims,
  identityMatches,
  newStatefulSetPod,
  newVersionedStatefulSetPod,
  repairStatefulPod,
  revisionForOrdinal,
  storageMatches,
} from '../../src/controllers/statefulset/pod-template.ts';
import { makePod, makeSet, setUid } from './statefulset-fixtures.ts';

describe('MyStatefulSet pods and claims', () => {
  it('builds the pod for an ordinal with identity labels, hostname, subdomain, owner and claim volumes', () => {
    const set = makeSet({ claims: ['www'] });
    const template = {
      metadata: { labels: { app: 'web', 'controller-revision-hash': 'bogus' }, annotations: { a: 'b' } },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx:1' }],
        hostname: 'ignored',
        subdomain: 'ignored',
        volumes: [{ name: 'www', emptyDir: {} }, { name: 'cache', emptyDir: {} }],
      },
    };
    const pod = newVersionedStatefulSetPod(set, { name: 'web-cur', template }, { name: 'web-upd', template }, 2);
    const expected: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-2',
        generateName: 'web-',
        namespace: 'ns',
        labels: {
          app: 'web',
          'controller-revision-hash': 'web-upd',
          'statefulset.kubernetes.io/pod-name': 'web-2',
          'apps.kubernetes.io/pod-index': '2',
        },
        annotations: { a: 'b' },
        ownerReferences: [
          { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyStatefulSet', name: 'web', uid: setUid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx:1' }],
        hostname: 'web-2',
        subdomain: 'nginx',
        volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }, { name: 'cache', emptyDir: {} }],
      },
    };
    assert.deepEqual(pod, expected);
  });

  it('clears the template subdomain when the set has no serviceName', () => {
    const set = makeSet({ serviceName: undefined });
    const template = { spec: { containers: [], subdomain: 'stale' } };
    const pod = newStatefulSetPod(set, template, 0);
    assert.equal(pod.spec.subdomain, undefined);
    assert.equal(pod.spec.hostname, 'web-0');
  });

  it('builds claims named <claim>-<set>-<ordinal> with template labels overlaid by matchLabels and no owners', () => {
    const base = makeSet({ claims: ['www', 'logs'] });
    const set = {
      ...base,
      spec: {
        ...base.spec,
        volumeClaimTemplates: [
          { metadata: { name: 'www', labels: { app: 'mine', tier: 'db' } }, spec: { storageClassName: 'fast' } },
          { metadata: { name: 'logs' }, spec: {} },
        ],
      },
    };
    assert.deepEqual(getPersistentVolumeClaims(set, 3), [
      {
        templateName: 'www',
        claim: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'www-web-3', namespace: 'ns', labels: { app: 'web', tier: 'db' } },
          spec: { storageClassName: 'fast' },
        },
      },
      {
        templateName: 'logs',
        claim: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'logs-web-3', namespace: 'ns', labels: { app: 'web' } },
          spec: {},
        },
      },
    ]);
  });

  const revisionRows = [
    { name: 'RollingUpdate below the partition', set: makeSet({ updateStrategy: { rollingUpdate: { partition: 2 } } }), ordinal: 1, expected: 'current' },
    { name: 'RollingUpdate at the partition', set: makeSet({ updateStrategy: { rollingUpdate: { partition: 2 } } }), ordinal: 2, expected: 'update' },
    {
      name: 'the partition counted from ordinals.start',
      set: makeSet({ ordinals: { start: 10 }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }),
      ordinal: 10,
      expected: 'current',
    },
    { name: 'OnDelete', set: makeSet({ updateStrategy: { type: 'OnDelete' } }), ordinal: 0, expected: 'update' },
    { name: 'defaulted strategy', set: makeSet(), ordinal: 0, expected: 'update' },
    {
      name: 'explicit RollingUpdate without a rollingUpdate block (source quirk: status.currentReplicas)',
      set: makeSet({ updateStrategy: { type: 'RollingUpdate' }, status: { currentReplicas: 2 } }),
      ordinal: 1,
      expected: 'current',
    },
  ];
  for (const row of revisionRows) {
    it(`picks the ${row.expected} revision for a recreated pod with ${row.name}`, () => {
      assert.equal(revisionForOrdinal(row.set, row.ordinal), row.expected);
    });
  }

  describe('repair detection', () => {
    const set = makeSet({ claims: ['www'] });
    const good = makePod(set, 1, 'r');
    const rows: { name: string; pod: Pod; expected: { identity: boolean; storage: boolean } }[] = [
      { name: 'a pod as built', pod: good, expected: { identity: true, storage: true } },
      {
        name: 'a wrong pod-name label',
        pod: { ...good, metadata: { ...good.metadata, labels: { ...good.metadata.labels, 'statefulset.kubernetes.io/pod-name': 'x' } } },
        expected: { identity: false, storage: true },
      },
      {
        name: 'a missing claim volume',
        pod: { ...good, spec: { ...good.spec, volumes: [] } },
        expected: { identity: true, storage: false },
      },
      {
        name: 'a claim volume pointing elsewhere',
        pod: { ...good, spec: { ...good.spec, volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-9' } }] } },
        expected: { identity: true, storage: false },
      },
    ];
    for (const row of rows) {
      it(`checks identity and storage of ${row.name}`, () => {
        assert.deepEqual({ identity: identityMatches(set, row.pod), storage: storageMatches(set, row.pod) }, row.expected);
      });
    }

    it('rewrites both identity labels and puts back claim volumes, leaving hostname alone', () => {
      const broken: Pod = {
        ...good,
        metadata: { ...good.metadata, labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'x' } },
        spec: { ...good.spec, hostname: 'custom', volumes: [{ name: 'data', emptyDir: {} }] },
      };
      const repair = repairStatefulPod(set, broken);
      assert.equal(repair.identityRepaired, true);
      assert.equal(repair.storageRepaired, true);
      assert.deepEqual(repair.pod.metadata.labels, {
        app: 'web',
        'statefulset.kubernetes.io/pod-name': 'web-1',
        'apps.kubernetes.io/pod-index': '1',
      });
      assert.deepEqual(repair.pod.spec.volumes, [
        { name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } },
        { name: 'data', emptyDir: {} },
      ]);
      assert.equal(repair.pod.spec.hostname, 'custom');
      assert.deepEqual(broken.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'x' }, 'input untouched');
    });
  });
});
