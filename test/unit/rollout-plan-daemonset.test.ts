// kubectl my rollout plan for a MyDaemonSet: the simulated rollout (the DaemonSet planner over a
// simulated cluster) gives the existing pods each step replaces, in order.
import assert from 'node:assert/strict';
import type { MyDaemonSet, MyDaemonSetSpec } from '../../src/api/workloads.ts';
import { simulateDaemonSet } from '../../src/cli/rollout-plan/simulate-daemonset.ts';
import { daemonSet, hashOf, node, pod, ready, revisionOf, t0, template } from './daemonset-fixtures.ts';

const now = t0;

/** A MyDaemonSet rolled out at agent:1 on nodes a…e (pods `agent-<node>`), changed to agent:2 with `spec`. */
function changed(spec: Partial<MyDaemonSetSpec> = {}, nodeNames = ['node-a', 'node-b', 'node-c', 'node-d', 'node-e']) {
  const before = daemonSet({ status: { observedGeneration: 1 } });
  const revision = revisionOf(before, 1);
  const ds: MyDaemonSet = { ...before, metadata: { ...before.metadata, generation: 2 }, spec: { ...before.spec, template: template('agent:2'), ...spec } };
  return {
    ds,
    nodes: nodeNames.map((name) => node(name, { labels: { pool: name < 'node-c' ? 'canary' : 'main' } })),
    pods: nodeNames.map((name) => pod(`agent-${name.slice(5)}`, name, { hash: hashOf(revision), ...ready })),
    revisions: [revision],
  };
}

const rollingUpdate = (value: NonNullable<NonNullable<MyDaemonSetSpec['updateStrategy']>['rollingUpdate']>): Partial<MyDaemonSetSpec> => ({
  updateStrategy: { type: 'RollingUpdate', rollingUpdate: value },
});

describe('kubectl my rollout plan: MyDaemonSet simulation', () => {
  it('maxUnavailable 2 over 5 nodes: steps of 2, 2, 1 in node-name order', () => {
    assert.deepEqual(simulateDaemonSet(changed(rollingUpdate({ maxUnavailable: 2 })), now), [
      ['agent-a', 'agent-b'],
      ['agent-c', 'agent-d'],
      ['agent-e'],
    ]);
  });

  it('the default maxUnavailable 1: one node at a time', () => {
    assert.deepEqual(simulateDaemonSet(changed(), now), [['agent-a'], ['agent-b'], ['agent-c'], ['agent-d'], ['agent-e']]);
  });

  it('maxSurge 2: a new pod beside each of two old ones, then the next two', () => {
    assert.deepEqual(simulateDaemonSet(changed(rollingUpdate({ maxSurge: 2, maxUnavailable: 0 })), now), [
      ['agent-a', 'agent-b'],
      ['agent-c', 'agent-d'],
      ['agent-e'],
    ]);
  });

  it('partition 2: the last two nodes by name keep the old pod', () => {
    assert.deepEqual(simulateDaemonSet(changed(rollingUpdate({ maxUnavailable: 2, partition: 2 })), now), [['agent-a', 'agent-b'], ['agent-c']]);
  });

  it('a selector: only the nodes it matches are updated', () => {
    assert.deepEqual(simulateDaemonSet(changed(rollingUpdate({ maxUnavailable: 5, selector: { matchLabels: { pool: 'canary' } } })), now), [
      ['agent-a', 'agent-b'],
    ]);
  });

  it('paused: nothing is replaced', () => {
    assert.deepEqual(simulateDaemonSet(changed({ paused: true }), now), []);
  });

  it('OnDelete: nothing is replaced', () => {
    assert.deepEqual(simulateDaemonSet(changed({ updateStrategy: { type: 'OnDelete' } }), now), []);
  });

  it('an unchanged template replaces nothing', () => {
    const cluster = changed();
    assert.deepEqual(simulateDaemonSet({ ...cluster, ds: { ...cluster.ds, spec: { ...cluster.ds.spec, template: template('agent:1') } } }, now), []);
  });

  it('a node the new nodeSelector leaves out loses its pod without a replacement', () => {
    const steps = simulateDaemonSet(changed({ template: template('agent:2', { nodeSelector: { pool: 'main' } }) }), now);
    assert.deepEqual(steps, [['agent-c'], ['agent-d'], ['agent-e']]);
  });

  it('minReadySeconds: the same steps, each waiting for availability', () => {
    assert.deepEqual(simulateDaemonSet(changed({ ...rollingUpdate({ maxUnavailable: 2 }), minReadySeconds: 60 }), now), [
      ['agent-a', 'agent-b'],
      ['agent-c', 'agent-d'],
      ['agent-e'],
    ]);
  });
});
