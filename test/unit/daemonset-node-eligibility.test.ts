import assert from 'node:assert/strict';
import type { Affinity, Node, NodeSelectorRequirement, PodSpec, Taint } from '../../src/api/core.ts';
import type { NodeEligibility } from '../../src/controllers/daemonset/node-eligibility.ts';
import { nodeShouldRunDaemonPod } from '../../src/controllers/daemonset/node-eligibility.ts';
import { daemonSet, node, template } from './daemonset-fixtures.ts';

const run: NodeEligibility = { shouldRun: true, shouldContinueRunning: true };
const keep: NodeEligibility = { shouldRun: false, shouldContinueRunning: true };
const none: NodeEligibility = { shouldRun: false, shouldContinueRunning: false };

function required(...terms: { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }[]): Affinity {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

const taint = (key: string, effect: Taint['effect'], value?: string): Taint => ({ key, effect, ...(value === undefined ? {} : { value }) });

interface Row {
  readonly name: string;
  readonly node: Node;
  readonly spec?: Partial<PodSpec>;
  readonly expected: NodeEligibility;
}

const rows: readonly Row[] = [
  { name: 'a plain node runs the pod', node: node('n1'), expected: run },
  { name: 'template nodeName naming another node excludes it', node: node('n1'), spec: { nodeName: 'n2' }, expected: none },
  { name: 'template nodeName naming this node keeps it', node: node('n1'), spec: { nodeName: 'n1' }, expected: run },
  { name: 'nodeSelector matched', node: node('n1', { labels: { disk: 'ssd' } }), spec: { nodeSelector: { disk: 'ssd' } }, expected: run },
  { name: 'nodeSelector not matched excludes (and evicts)', node: node('n1', { labels: { disk: 'hdd' } }), spec: { nodeSelector: { disk: 'ssd' } }, expected: none },
  { name: 'nodeSelector label missing excludes', node: node('n1'), spec: { nodeSelector: { disk: '' } }, expected: none },
  {
    name: 'affinity In matches a listed value',
    node: node('n1', { labels: { zone: 'a' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }) },
    expected: run,
  },
  {
    name: 'affinity In misses',
    node: node('n1', { labels: { zone: 'c' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }) },
    expected: none,
  },
  {
    name: 'affinity NotIn matches a node without the label',
    node: node('n1'),
    spec: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }) },
    expected: run,
  },
  {
    name: 'affinity NotIn excludes a listed value',
    node: node('n1', { labels: { zone: 'a' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }) },
    expected: none,
  },
  {
    name: 'affinity Exists',
    node: node('n1', { labels: { gpu: '' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }) },
    expected: run,
  },
  {
    name: 'affinity DoesNotExist',
    node: node('n1', { labels: { gpu: '' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }) },
    expected: none,
  },
  {
    name: 'affinity Gt compares integers',
    node: node('n1', { labels: { cores: '16' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }) },
    expected: run,
  },
  {
    name: 'affinity Gt is strict',
    node: node('n1', { labels: { cores: '8' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }) },
    expected: none,
  },
  {
    name: 'affinity Lt compares integers, not strings',
    node: node('n1', { labels: { cores: '9' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['10'] }] }) },
    expected: run,
  },
  {
    name: 'affinity Lt on a non-numeric label never matches',
    node: node('n1', { labels: { cores: 'many' } }),
    spec: { affinity: required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['10'] }] }) },
    expected: none,
  },
  {
    name: 'terms are ORed',
    node: node('n1', { labels: { zone: 'b' } }),
    spec: {
      affinity: required(
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
      ),
    },
    expected: run,
  },
  {
    name: 'expressions within a term are ANDed',
    node: node('n1', { labels: { zone: 'a' } }),
    spec: {
      affinity: required({
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'gpu', operator: 'Exists' },
        ],
      }),
    },
    expected: none,
  },
  {
    name: 'matchFields metadata.name In selects the node',
    node: node('n1'),
    spec: { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }) },
    expected: run,
  },
  {
    name: 'matchFields metadata.name In another node excludes',
    node: node('n1'),
    spec: { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }) },
    expected: none,
  },
  {
    name: 'matchFields metadata.name NotIn',
    node: node('n1'),
    spec: { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }) },
    expected: none,
  },
  {
    name: 'matchFields with two values is invalid: the term never matches',
    node: node('n1'),
    spec: { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1', 'n2'] }] }) },
    expected: none,
  },
  {
    name: 'an invalid term is skipped, a valid one still matches',
    node: node('n1', { labels: { zone: 'a' } }),
    spec: {
      affinity: required(
        { matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] },
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
      ),
    },
    expected: run,
  },
  { name: 'only empty terms match nothing', node: node('n1'), spec: { affinity: required({}) }, expected: none },
  {
    name: 'nodeSelector and affinity must both match',
    node: node('n1', { labels: { zone: 'a' } }),
    spec: { nodeSelector: { disk: 'ssd' }, affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }) },
    expected: none,
  },
  { name: 'an untolerated NoSchedule taint stops new pods but keeps running ones', node: node('n1', { taints: [taint('dedicated', 'NoSchedule')] }), expected: keep },
  { name: 'an untolerated NoExecute taint evicts', node: node('n1', { taints: [taint('dedicated', 'NoExecute')] }), expected: none },
  { name: 'PreferNoSchedule is ignored', node: node('n1', { taints: [taint('dedicated', 'PreferNoSchedule')] }), expected: run },
  {
    name: 'a matching Equal toleration tolerates',
    node: node('n1', { taints: [taint('dedicated', 'NoExecute', 'infra')] }),
    spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoExecute' }] },
    expected: run,
  },
  {
    name: 'an Equal toleration with another value does not',
    node: node('n1', { taints: [taint('dedicated', 'NoExecute', 'infra')] }),
    spec: { tolerations: [{ key: 'dedicated', value: 'other' }] },
    expected: none,
  },
  {
    name: 'a NoSchedule toleration leaves a NoExecute taint untolerated',
    node: node('n1', { taints: [taint('dedicated', 'NoExecute')] }),
    spec: { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] },
    expected: none,
  },
  {
    name: 'an empty-key Exists toleration tolerates everything',
    node: node('n1', { taints: [taint('a', 'NoExecute'), taint('b', 'NoSchedule')] }),
    spec: { tolerations: [{ operator: 'Exists' }] },
    expected: run,
  },
  {
    name: 'tolerationSeconds is ignored',
    node: node('n1', { taints: [taint('dedicated', 'NoExecute')] }),
    spec: { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }] },
    expected: run,
  },
  {
    name: 'not-ready (NoSchedule + NoExecute): no new pod, the running one stays',
    node: node('n1', { taints: [taint('node.kubernetes.io/not-ready', 'NoSchedule'), taint('node.kubernetes.io/not-ready', 'NoExecute')] }),
    expected: keep,
  },
  {
    name: 'unreachable (NoSchedule + NoExecute): no new pod, the running one stays',
    node: node('n1', { taints: [taint('node.kubernetes.io/unreachable', 'NoSchedule'), taint('node.kubernetes.io/unreachable', 'NoExecute')] }),
    expected: keep,
  },
  {
    name: 'a cordoned node stays eligible',
    node: node('n1', { unschedulable: true, taints: [taint('node.kubernetes.io/unschedulable', 'NoSchedule')] }),
    expected: run,
  },
  {
    name: 'memory, disk and PID pressure are tolerated',
    node: node('n1', {
      taints: [
        taint('node.kubernetes.io/memory-pressure', 'NoSchedule'),
        taint('node.kubernetes.io/disk-pressure', 'NoSchedule'),
        taint('node.kubernetes.io/pid-pressure', 'NoSchedule'),
      ],
    }),
    expected: run,
  },
  {
    name: 'network-unavailable keeps ordinary pods off',
    node: node('n1', { taints: [taint('node.kubernetes.io/network-unavailable', 'NoSchedule')] }),
    expected: keep,
  },
  {
    name: 'network-unavailable is tolerated by hostNetwork pods',
    node: node('n1', { taints: [taint('node.kubernetes.io/network-unavailable', 'NoSchedule')] }),
    spec: { hostNetwork: true },
    expected: run,
  },
];

describe('nodeShouldRunDaemonPod', () => {
  for (const row of rows) {
    it(row.name, () => {
      const base = template();
      const ds = daemonSet({ spec: { template: { ...base, spec: { ...base.spec, ...row.spec } } } });
      assert.deepEqual(nodeShouldRunDaemonPod(row.node, ds), row.expected);
    });
  }

  it('does not modify the template', () => {
    const ds = daemonSet({ spec: { template: template('agent:1', { tolerations: [{ key: 'x', operator: 'Exists' }] }) } });
    const before = JSON.stringify(ds);
    nodeShouldRunDaemonPod(node('n1', { taints: [taint('x', 'NoSchedule')] }), ds);
    assert.equal(JSON.stringify(ds), before);
  });
});
