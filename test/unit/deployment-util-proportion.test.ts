import assert from 'node:assert/strict';
import type { MyReplicaSet } from '../../src/api/workloads.ts';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from '../../src/controllers/deployment/annotations.ts';
import { proportionalSizes } from '../../src/controllers/deployment/proportion.ts';
import { deployment, replicaSet } from './deployment-util-fixtures.ts';

const rolling = { type: 'RollingUpdate' as const, rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };

function sized(name: string, replicas: number, created: number, max?: number): MyReplicaSet {
  return replicaSet(name, {
    replicas,
    created,
    ...(max === undefined ? {} : { annotations: { [desiredReplicasAnnotation]: String(max - 3), [maxReplicasAnnotation]: String(max) } }),
  });
}

function sizes(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries(map);
}

describe('MyDeployment util: proportional scaling', () => {
  // deployment.md §2.9 worked example: rollout stuck at old 8 / new 5, both annotated max 13.
  const old = sized('old', 8, 0, 13);
  const fresh = sized('new', 5, 10, 13);

  it('10 → 15 gives old 11, new 7', () => {
    assert.deepEqual(sizes(proportionalSizes(deployment({ replicas: 15, strategy: rolling }), [old, fresh], 3)), { old: 11, new: 7 });
  });
  it('10 → 30 gives old 20, new 13', () => {
    assert.deepEqual(sizes(proportionalSizes(deployment({ replicas: 30, strategy: rolling }), [old, fresh], 3)), { old: 20, new: 13 });
  });
  it('10 → 5 gives old 5, new 3', () => {
    assert.deepEqual(sizes(proportionalSizes(deployment({ replicas: 5, strategy: rolling }), [old, fresh], 3)), { old: 5, new: 3 });
  });
  it('to 0 removes everything (allowed is 0, surge ignored)', () => {
    assert.deepEqual(sizes(proportionalSizes(deployment({ replicas: 0, strategy: rolling }), [old, fresh], 3)), { old: 0, new: 0 });
  });
  it('keeps every active RS in the result even when nothing changes, and leaves out RSes at 0', () => {
    const d = deployment({ replicas: 10, strategy: rolling });
    assert.deepEqual(sizes(proportionalSizes(d, [old, fresh, sized('idle', 0, 5, 13)], 3)), { old: 8, new: 5 });
  });

  it('when adding, gives equal sizes newer first, and the leftover to the first RS after sorting', () => {
    // 5 replicas, surge 0: allowed 5, current 2 + 2 = 4, toAdd 1.
    const a = sized('a-older', 2, 0, 4);
    const b = sized('b-newer', 2, 10, 4);
    const d = deployment({ replicas: 5, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    // fractions: round(2·5/4 = 2.5) = 3 → +1 each; the newer gets the 1 to add, the older none.
    assert.deepEqual(sizes(proportionalSizes(d, [a, b], 0)), { 'a-older': 2, 'b-newer': 3 });
  });

  it('when removing, takes from equal sizes older first', () => {
    const a = sized('a-older', 2, 0, 4);
    const b = sized('b-newer', 2, 10, 4);
    const d = deployment({ replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    // toAdd −1; fractions round(2·3/4 = 1.5) = 2 (half away from zero) → 0 each; the leftover −1 goes to the first (older).
    assert.deepEqual(sizes(proportionalSizes(d, [b, a], 0)), { 'a-older': 1, 'b-newer': 2 });
  });

  it('sorts larger first whatever the input order', () => {
    const small = sized('small', 1, 0, 4);
    const big = sized('big', 3, 10, 4);
    const d = deployment({ replicas: 6, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    // toAdd 2: big round(3·6/4 = 4.5) = 5 → +2 (min with 2); small gets 0 left.
    assert.deepEqual(sizes(proportionalSizes(d, [small, big], 0)), { big: 5, small: 1 });
  });

  it('falls back to status.replicas without a valid max-replicas annotation, and to 0 change without either', () => {
    const bare = [replicaSet('a', { replicas: 4, created: 0 }), replicaSet('b', { replicas: 2, created: 1 })];
    const withStatus = deployment({ replicas: 9, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }, status: { replicas: 6 } });
    // toAdd 3; a: round(4·9/6) = 6 → +2; b: round(2·9/6) = 3 → +1.
    assert.deepEqual(sizes(proportionalSizes(withStatus, bare, 0)), { a: 6, b: 3 });
    const noStatus = deployment({ replicas: 9, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    // fractions 0: all 3 go to the first RS as leftover.
    assert.deepEqual(sizes(proportionalSizes(noStatus, bare, 0)), { a: 7, b: 2 });
    const zeroAnnotation = [replicaSet('a', { replicas: 4, annotations: { [maxReplicasAnnotation]: '0' } }), replicaSet('b', { replicas: 2, created: 1, annotations: { [maxReplicasAnnotation]: 'x' } })];
    assert.deepEqual(sizes(proportionalSizes(withStatus, zeroAnnotation, 0)), { a: 6, b: 3 });
  });

  it('never drives the first RS below 0 with a negative leftover', () => {
    const a = sized('a', 1, 0, 100);
    const b = sized('b', 1, 1, 100);
    const d = deployment({ replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    // toAdd −1; fractions round(1·1/100) − 1 = −1 → a −1 (max with −1), b nothing left.
    assert.deepEqual(sizes(proportionalSizes(d, [a, b], 0)), { a: 0, b: 1 });
  });

  it('does not modify or reorder its input', () => {
    const list = [fresh, old];
    const before = structuredClone(list);
    proportionalSizes(deployment({ replicas: 15, strategy: rolling }), list, 3);
    assert.deepEqual(list, before);
  });
});
