import assert from 'node:assert/strict';
import type { DeploymentStrategy } from '../../src/api/workloads.ts';
import {
  effectiveStrategy,
  fencepostsOrZero,
  newReplicaSetReplicas,
  replicasOf,
  resolveFenceposts,
  strategyTypeError,
} from '../../src/controllers/deployment/fenceposts.ts';
import { deployment, replicaSet } from './deployment-util-fixtures.ts';

const rolling = (maxSurge?: number | string, maxUnavailable?: number | string): DeploymentStrategy => ({
  type: 'RollingUpdate',
  rollingUpdate: { ...(maxSurge === undefined ? {} : { maxSurge }), ...(maxUnavailable === undefined ? {} : { maxUnavailable }) },
});

describe('MyDeployment util: fenceposts', () => {
  describe('replicasOf', () => {
    it('reads spec.replicas, and the schema default 1 when absent', () => {
      assert.equal(replicasOf({ spec: { replicas: 0 } }), 0);
      assert.equal(replicasOf({ spec: { replicas: 7 } }), 7);
      assert.equal(replicasOf({ spec: {} }), 1);
    });
  });

  describe('effectiveStrategy', () => {
    it('defaults the type to RollingUpdate with 25%/25%', () => {
      assert.deepEqual(effectiveStrategy(deployment()), { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: '25%' });
    });
    it('defaults each missing rolling bound separately', () => {
      assert.deepEqual(effectiveStrategy(deployment({ strategy: rolling(2) })), { type: 'RollingUpdate', maxSurge: 2, maxUnavailable: '25%' });
      assert.deepEqual(effectiveStrategy(deployment({ strategy: rolling(undefined, 0) })), { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: 0 });
    });
    it('gives Recreate no bounds (not defaulted)', () => {
      assert.deepEqual(effectiveStrategy(deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 5 } } })), {
        type: 'Recreate',
        maxSurge: 0,
        maxUnavailable: 0,
      });
    });
  });

  describe('strategyTypeError', () => {
    it('accepts the two types and an absent one', () => {
      assert.equal(strategyTypeError(deployment()), undefined);
      assert.equal(strategyTypeError(deployment({ strategy: { type: 'Recreate' } })), undefined);
      assert.equal(strategyTypeError(deployment({ strategy: rolling() })), undefined);
    });
    it('reports another type as upstream does', () => {
      const d = deployment();
      const odd = { ...d, spec: { ...d.spec, strategy: JSON.parse('{"type":"BlueGreen"}') as DeploymentStrategy } };
      assert.equal(strategyTypeError(odd), 'unexpected deployment strategy type: BlueGreen');
    });
  });

  describe('resolveFenceposts', () => {
    const rows: ReadonlyArray<{ readonly name: string; readonly replicas?: number; readonly strategy?: DeploymentStrategy; readonly expected: unknown }> = [
      { name: '10 replicas, 25%/25% → surge 3 (up), unavailable 2 (down)', replicas: 10, strategy: rolling('25%', '25%'), expected: { maxSurge: 3, maxUnavailable: 2 } },
      { name: 'defaults are 25%/25%', replicas: 10, expected: { maxSurge: 3, maxUnavailable: 2 } },
      { name: '1 replica, 25%/25% → 1/0', replicas: 1, expected: { maxSurge: 1, maxUnavailable: 0 } },
      { name: '3 replicas, 0/25% → 0 surge, unavailable 1 (0.75 rounds down to 0, both 0 → 1)', replicas: 3, strategy: rolling(0, '25%'), expected: { maxSurge: 0, maxUnavailable: 1 } },
      { name: 'both resolving to 0 → unavailable 1', replicas: 2, strategy: rolling('0%', '10%'), expected: { maxSurge: 0, maxUnavailable: 1 } },
      { name: 'ints are taken as they are', replicas: 10, strategy: rolling(3, 2), expected: { maxSurge: 3, maxUnavailable: 2 } },
      { name: 'Recreate → 0/0', replicas: 10, strategy: { type: 'Recreate' }, expected: { maxSurge: 0, maxUnavailable: 0 } },
      { name: 'replicas 0 → unavailable 0 (surge still resolves)', replicas: 0, strategy: rolling(1, 1), expected: { maxSurge: 1, maxUnavailable: 0 } },
      { name: 'replicas 0 with percentages → 0/0', replicas: 0, expected: { maxSurge: 0, maxUnavailable: 0 } },
      { name: 'unavailable capped at replicas', replicas: 3, strategy: rolling(0, 5), expected: { maxSurge: 0, maxUnavailable: 3 } },
      { name: '100% unavailable is all replicas', replicas: 4, strategy: rolling(0, '100%'), expected: { maxSurge: 0, maxUnavailable: 4 } },
      { name: 'absent replicas count as 1', strategy: rolling('25%', '25%'), expected: { maxSurge: 1, maxUnavailable: 0 } },
      {
        name: '"25" without % is an error',
        replicas: 10,
        strategy: rolling('25', '25%'),
        expected: { error: 'invalid value for IntOrString: invalid type: string is not a percentage' },
      },
      {
        name: 'a bad maxUnavailable is an error too',
        replicas: 10,
        strategy: rolling(1, 'x%'),
        expected: { error: 'invalid value for IntOrString: invalid value "x%"' },
      },
    ];
    for (const row of rows) {
      it(row.name, () => {
        assert.deepEqual(
          resolveFenceposts(deployment({ ...(row.replicas === undefined ? {} : { replicas: row.replicas }), ...(row.strategy === undefined ? {} : { strategy: row.strategy }) })),
          row.expected,
        );
      });
    }

    it('fencepostsOrZero gives 0/0 for an unresolvable strategy, as upstream MaxSurge/MaxUnavailable do', () => {
      assert.deepEqual(fencepostsOrZero(deployment({ replicas: 10, strategy: rolling('25', '25%') })), { maxSurge: 0, maxUnavailable: 0 });
      assert.deepEqual(fencepostsOrZero(deployment({ replicas: 10 })), { maxSurge: 3, maxUnavailable: 2 });
    });
  });

  describe('newReplicaSetReplicas (NewRSNewReplicas)', () => {
    const d = deployment({ replicas: 10, strategy: rolling(3, 2) });
    it('creates the first RS at full size', () => {
      const fresh = replicaSet('new', { replicas: 0 });
      assert.equal(newReplicaSetReplicas(d, [fresh], fresh, 3), 10);
    });
    it('grows the new RS by the room left under replicas + surge', () => {
      const old = replicaSet('old', { replicas: 10 });
      const fresh = replicaSet('new', { replicas: 0 });
      assert.equal(newReplicaSetReplicas(d, [old, fresh], fresh, 3), 3);
      const old8 = replicaSet('old', { replicas: 8 });
      const new3 = replicaSet('new', { replicas: 3 });
      assert.equal(newReplicaSetReplicas(d, [old8, new3], new3, 3), 5);
    });
    it('keeps the size when the total is at or over the maximum', () => {
      const old = replicaSet('old', { replicas: 8 });
      const fresh = replicaSet('new', { replicas: 5 });
      assert.equal(newReplicaSetReplicas(d, [old, fresh], fresh, 3), 5);
      const big = replicaSet('old', { replicas: 12 });
      assert.equal(newReplicaSetReplicas(d, [big, fresh], fresh, 3), 5);
    });
    it('never grows past replicas', () => {
      const old = replicaSet('old', { replicas: 1 });
      const fresh = replicaSet('new', { replicas: 9 });
      assert.equal(newReplicaSetReplicas(d, [old, fresh], fresh, 3), 10);
    });
    it('is spec.replicas for Recreate', () => {
      const r = deployment({ replicas: 4, strategy: { type: 'Recreate' } });
      const old = replicaSet('old', { replicas: 4 });
      const fresh = replicaSet('new', { replicas: 0 });
      assert.equal(newReplicaSetReplicas(r, [old, fresh], fresh, 0), 4);
    });
  });
});
