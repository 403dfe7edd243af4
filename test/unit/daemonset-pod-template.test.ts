import assert from 'node:assert/strict';
import type { Affinity, Pod, Toleration } from '../../src/api/core.ts';
import {
  newDaemonPod,
  nodeNameOfPod,
  podNamePrefix,
  replaceDaemonSetPodNodeNameNodeAffinity,
  withDaemonTolerations,
} from '../../src/controllers/daemonset/pod-template.ts';
import { daemonSet, template } from './daemonset-fixtures.ts';

const defaults: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
const networkUnavailable: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };
const master: Toleration = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' };

interface TolerationRow {
  readonly name: string;
  readonly hostNetwork?: boolean;
  readonly tolerations?: readonly Toleration[];
  readonly expected: readonly Toleration[];
}

const tolerationRows: readonly TolerationRow[] = [
  { name: 'adds the six defaults in upstream order', expected: defaults },
  { name: 'adds network-unavailable last for hostNetwork pods', hostNetwork: true, expected: [...defaults, networkUnavailable] },
  { name: "keeps the template's own tolerations first", tolerations: [master], expected: [master, ...defaults] },
  {
    name: 'replaces in place a template toleration equal in key, effect, operator and value, dropping its tolerationSeconds',
    tolerations: [master, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    expected: [
      master,
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      ...defaults.slice(2),
    ],
  },
  {
    name: 'keeps an identical template toleration and adds no copy',
    tolerations: [{ key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' }],
    expected: [{ key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' }, ...defaults.filter((t) => t.key !== 'node.kubernetes.io/pid-pressure')],
  },
  {
    name: 'appends the default beside a toleration that differs in operator',
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Equal', effect: 'NoExecute', tolerationSeconds: 30 }],
    expected: [{ key: 'node.kubernetes.io/not-ready', operator: 'Equal', effect: 'NoExecute', tolerationSeconds: 30 }, ...defaults],
  },
  {
    name: 'appends the default beside a toleration that differs in effect',
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }],
    expected: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }, ...defaults],
  },
];

const required = (key: string): Affinity['nodeAffinity'] => ({
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'Exists' }] }, { matchExpressions: [{ key: 'other', operator: 'Exists' }] }],
  },
});
const bound = (nodeName: string): Affinity['nodeAffinity'] => ({
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
  },
});
const preferred = [{ weight: 1, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }];

interface AffinityRow {
  readonly name: string;
  readonly affinity: Affinity | undefined;
  readonly expected: Affinity;
}

const affinityRows: readonly AffinityRow[] = [
  { name: 'creates the node binding when there is no affinity', affinity: undefined, expected: { nodeAffinity: bound('n1') } },
  {
    name: 'adds node affinity beside pod anti-affinity',
    affinity: { podAntiAffinity: { x: 1 } },
    expected: { podAntiAffinity: { x: 1 }, nodeAffinity: bound('n1') },
  },
  {
    name: 'keeps preferred terms when there are no required ones',
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred } },
    expected: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred, ...bound('n1') } },
  },
  {
    name: "replaces all required terms, the user's included, and keeps preferred ones and pod affinity",
    affinity: { podAffinity: { y: 2 }, nodeAffinity: { ...required('gpu'), preferredDuringSchedulingIgnoredDuringExecution: preferred } },
    expected: { podAffinity: { y: 2 }, nodeAffinity: { ...bound('n1'), preferredDuringSchedulingIgnoredDuringExecution: preferred } },
  },
];

function podWith(spec: Partial<Pod['spec']>): Pod {
  return { metadata: { name: 'p' }, spec: { containers: [], ...spec } };
}

interface NodeNameRow {
  readonly name: string;
  readonly pod: Pod;
  readonly expected: string | undefined;
}

const nodeNameRows: readonly NodeNameRow[] = [
  { name: 'spec.nodeName wins', pod: podWith({ nodeName: 'n2', affinity: { nodeAffinity: bound('n1') } }), expected: 'n2' },
  { name: 'an unbound pod belongs to its affinity node', pod: podWith({ affinity: { nodeAffinity: bound('n1') } }), expected: 'n1' },
  { name: 'a pod with neither belongs nowhere', pod: podWith({}), expected: undefined },
  {
    name: 'the first metadata.name In requirement decides, even when it has two values',
    pod: podWith({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1', 'n2'] }] },
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n3'] }] },
            ],
          },
        },
      },
    }),
    expected: undefined,
  },
  {
    name: 'NotIn and other keys are skipped',
    pod: podWith({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchFields: [
                  { key: 'metadata.name', operator: 'NotIn', values: ['n1'] },
                  { key: 'spec.x', operator: 'In', values: ['n2'] },
                  { key: 'metadata.name', operator: 'In', values: ['n3'] },
                ],
              },
            ],
          },
        },
      },
    }),
    expected: 'n3',
  },
];

describe('daemon pod template', () => {
  describe('withDaemonTolerations', () => {
    for (const row of tolerationRows) {
      it(row.name, () => {
        const spec = { containers: [], ...(row.tolerations ? { tolerations: row.tolerations } : {}), ...(row.hostNetwork ? { hostNetwork: true } : {}) };
        assert.deepEqual(withDaemonTolerations(spec).tolerations, row.expected);
      });
    }

    it('computes once per template spec object and never changes the spec it was given', () => {
      const tolerations = [{ key: 'dedicated', operator: 'Exists' as const }];
      const spec = { containers: [], tolerations };
      const first = withDaemonTolerations(spec);
      assert.equal(withDaemonTolerations(spec), first);
      assert.deepEqual(spec, { containers: [], tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
      const equalButNew = { containers: [], tolerations };
      assert.notEqual(withDaemonTolerations(equalButNew), first);
      assert.deepEqual(withDaemonTolerations(equalButNew), first);
    });
  });

  describe('replaceDaemonSetPodNodeNameNodeAffinity', () => {
    for (const row of affinityRows) {
      it(row.name, () => {
        assert.deepEqual(replaceDaemonSetPodNodeNameNodeAffinity(row.affinity, 'n1'), row.expected);
      });
    }
  });

  describe('nodeNameOfPod', () => {
    for (const row of nodeNameRows) {
      it(row.name, () => {
        assert.equal(nodeNameOfPod(row.pod), row.expected);
      });
    }
  });

  describe('newDaemonPod', () => {
    it('builds the pod: generateName, labels with the hash, annotations, finalizers, controller ref, tolerations, binding', () => {
      const base = template('agent:1', { tolerations: [master], nodeName: '' });
      const ds = daemonSet({
        spec: {
          template: {
            metadata: { labels: { app: 'agent' }, annotations: { note: 'x' }, finalizers: ['example.com/keep'] },
            spec: { ...base.spec, affinity: { nodeAffinity: required('gpu') } },
          },
        },
      });
      const before = JSON.stringify(ds);
      const pod = newDaemonPod(ds, 'n1', 'abc123');
      assert.deepEqual(pod.metadata, {
        generateName: 'agent-',
        namespace: 'ns',
        labels: { app: 'agent', 'controller-revision-hash': 'abc123' },
        annotations: { note: 'x' },
        finalizers: ['example.com/keep'],
        ownerReferences: [
          { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true },
        ],
      });
      assert.deepEqual(pod.spec.tolerations, [master, ...defaults]);
      assert.deepEqual(pod.spec.affinity, { nodeAffinity: bound('n1') });
      assert.equal(pod.spec.nodeName, '');
      assert.equal(nodeNameOfPod(pod), 'n1');
      assert.equal(JSON.stringify(ds), before, 'the template is never modified');
    });

    it('omits empty annotations and finalizers', () => {
      const pod = newDaemonPod(daemonSet(), 'n1', 'h');
      assert.equal(pod.metadata.annotations, undefined);
      assert.equal(pod.metadata.finalizers, undefined);
    });

    it('falls back to the bare name as prefix when `<name>-` cannot prefix a pod name', () => {
      assert.equal(podNamePrefix('agent'), 'agent-');
      assert.equal(podNamePrefix('Agent'), 'Agent');
      assert.equal(podNamePrefix('a'.repeat(253)), 'a'.repeat(253));
    });
  });
});
