// The simulated rollout's order of events: sync while the controller writes, then let the earliest
// created pods become Ready; and the bounds that stop a rollout that never settles.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import { SimulatedPods } from '../../src/cli/rollout-plan/simulated-pods.ts';
import { runToCompletion } from '../../src/cli/rollout-plan/simulation-loop.ts';
import { isPodAvailable, isPodReady } from '../../src/controllers/shared/pod-state.ts';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const newPod: Pod = { metadata: { generateName: 'web-', namespace: 'ns' }, spec: { containers: [{ name: 'c' }] } };

describe('kubectl my rollout plan: the simulation loop', () => {
  it('syncs again while a sync writes, and lets pods become Ready only when none does', () => {
    const events: string[] = [];
    let writes = 2;
    let waiting = 2;
    runToCompletion({
      sync: () => {
        events.push(`sync${writes > 0 ? ' wrote' : ''}`);
        return writes-- > 0;
      },
      settle: () => {
        events.push('settle');
        return waiting-- > 0;
      },
    });
    assert.deepEqual(events, ['sync wrote', 'sync wrote', 'sync', 'settle', 'sync', 'settle', 'sync', 'settle']);
  });

  it('fails a rollout whose syncs never stop writing', () => {
    assert.throws(() => runToCompletion({ sync: () => true, settle: () => false }, { syncsInARow: 50, settles: 50 }), /did not converge: 50 syncs in a row wrote something/);
  });

  it('fails a rollout whose pods never stop becoming Ready', () => {
    assert.throws(() => runToCompletion({ sync: () => false, settle: () => true }, { syncsInARow: 50, settles: 50 }), /did not converge after 50 rounds/);
  });
});

describe('kubectl my rollout plan: simulated pods', () => {
  it('are created Pending, named from generateName, with a uid and the creation time; a DaemonSet pod is bound', () => {
    const pods = new SimulatedPods([], t0);
    const created = pods.create(newPod, 'node-a');
    assert.equal(created.metadata.name, 'web-00001');
    assert.equal(created.metadata.uid, 'simulated-1');
    assert.equal(created.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(created.spec.nodeName, 'node-a');
    assert.deepEqual(created.status, { phase: 'Pending' });
  });

  it('become Ready in creation order, the pods of one sync together, and available minReadySeconds later', () => {
    const pods = new SimulatedPods([], t0);
    pods.beginSync();
    pods.create(newPod);
    pods.create(newPod);
    pods.beginSync();
    pods.create(newPod);
    const readyNames = (): string[] => pods.list().filter(isPodReady).map((p) => p.metadata.name ?? '');

    assert.equal(pods.settle(10), true);
    assert.deepEqual(readyNames(), ['web-00001', 'web-00002']);
    assert.equal(pods.now, t0 + 11_000);
    assert.ok(pods.list().filter(isPodReady).every((p) => isPodAvailable(p, 10, pods.now)));
    assert.equal(pods.settle(10), true);
    assert.deepEqual(readyNames(), ['web-00001', 'web-00002', 'web-00003']);
    assert.equal(pods.settle(10), false, 'nothing left to wait for');
  });

  it('are gone at once when deleted; pods terminating before the simulation go when time passes', () => {
    const terminating: Pod = { ...newPod, metadata: { name: 'old', uid: 'old', deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const pods = new SimulatedPods([terminating], t0);
    const created = pods.create(newPod);
    assert.equal(pods.delete(created), true);
    assert.equal(pods.delete(created), false);
    assert.equal(pods.settle(0), true);
    assert.deepEqual(pods.list(), []);
  });
});
