// The MyDeployment planner's rollback (upstream rollback.go): `deprecated.deployment.rollback.to`
// names a revision (0: the previous one); the Deployment takes that RS's template and annotations,
// the request is cleared whatever the outcome, and the next passes renumber the RS.
import assert from 'node:assert/strict';
import type { MyDeployment, MyReplicaSet } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { Cluster, deployment, newName, ownedReplicaSet, revisionKey, snapshot, summarize, t0 } from './deployment-plan-fixtures.ts';

const now = t0 + 3_600_000;
const rollbackKey = 'deprecated.deployment.rollback.to';
const changeCause = 'kubernetes.io/change-cause';

/** At nginx:2 (revision 2, change-cause v2) after nginx:1 (revision 1, change-cause v1), with `rollbackTo` requested. */
function history(rollbackTo: string | undefined): { readonly d: MyDeployment; readonly rss: readonly MyReplicaSet[] } {
  const base = deployment({
    replicas: 2,
    annotations: { [revisionKey]: '2', [changeCause]: 'v2', ...(rollbackTo === undefined ? {} : { [rollbackKey]: rollbackTo }) },
  });
  const d = { ...base, spec: { ...base.spec, template: { ...base.spec.template, spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } } };
  const v1 = ownedReplicaSet(d, 'web-1', { replicas: 0, image: 'nginx:1', revision: '1', annotations: { [changeCause]: 'v1' } });
  const v2 = ownedReplicaSet(d, newName(d), { replicas: 2, image: 'nginx:2', revision: '2', created: 60, annotations: { [changeCause]: 'v2' } });
  return { d, rss: [v1, v2] };
}

describe('MyDeployment planner: rollback', () => {
  for (const to of ['1', '0']) {
    it(`rollback.to ${to} copies revision 1's template and annotations back and clears the request`, () => {
      const { d, rss } = history(to);
      const actions = plan(snapshot(d, rss), now);
      assert.deepEqual(summarize(actions), ['rollback to nginx:1', 'Normal DeploymentRollback: Rolled back deployment "web" to revision 1']);
      const rollback = actions[0];
      assert.ok(rollback?.kind === 'rollbackDeployment');
      // Skip-list keys (revision) stay the Deployment's; the rest (change-cause) come from the RS.
      assert.deepEqual(rollback.annotations, { [revisionKey]: '2', [changeCause]: 'v1' });
      assert.deepEqual(rollback.template?.metadata?.labels, { app: 'web' }, 'no pod-template-hash label');
    });
  }

  it('rollback.to 0 without an earlier revision: Warning "Unable to find last revision."', () => {
    const { d, rss } = history('0');
    const only = rss.filter((rs) => rs.metadata.name !== 'web-1');
    assert.deepEqual(summarize(plan(snapshot(d, only), now)), ['Warning DeploymentRollbackRevisionNotFound: Unable to find last revision.', 'clear rollback']);
  });

  it('an unknown revision: Warning "Unable to find the revision to rollback to."', () => {
    const { d, rss } = history('9');
    const actions = plan(snapshot(d, rss), now);
    assert.deepEqual(summarize(actions), ['Warning DeploymentRollbackRevisionNotFound: Unable to find the revision to rollback to.', 'clear rollback']);
    const clear = actions[1];
    assert.ok(clear?.kind === 'rollbackDeployment');
    assert.deepEqual(clear.annotations, { [revisionKey]: '2', [changeCause]: 'v2' });
  });

  it('the current revision: Warning DeploymentRollbackTemplateUnchanged', () => {
    const { d, rss } = history('2');
    assert.deepEqual(summarize(plan(snapshot(d, rss), now)), [
      'Warning DeploymentRollbackTemplateUnchanged: The rollback revision contains the same template as current deployment "web"',
      'clear rollback',
    ]);
  });

  it('creates the new RS first when the template has none yet', () => {
    const { d, rss } = history('1');
    const d3 = { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { containers: [{ name: 'app', image: 'nginx:3' }] } } } };
    assert.deepEqual(summarize(plan(snapshot(d3, rss), now)), [
      `create ${newName(d3)} ×1`,
      'revision 3',
      'rollback to nginx:1',
      'Normal DeploymentRollback: Rolled back deployment "web" to revision 1',
    ]);
  });

  it('renumbers the rolled-back RS on the next passes (revision 3, history "1") and rolls out to it', () => {
    const { d, rss } = history('1');
    const cluster = new Cluster(d, rss);
    const passes = [cluster.pass(), cluster.pass(), cluster.pass(), cluster.pass()].map(summarize);
    assert.deepEqual(passes[0], ['rollback to nginx:1', 'Normal DeploymentRollback: Rolled back deployment "web" to revision 1']);
    assert.deepEqual(passes[1], ['update web-1 revision 3']);
    const web1 = cluster.replicaSets.get('web-1');
    assert.equal(web1?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(web1?.metadata.annotations?.[changeCause], 'v1');
    assert.deepEqual(passes[2]?.slice(0, 2), ['revision 3', 'scale web-1 0→1 (2/3)']);
    assert.equal(cluster.d.metadata.annotations?.[rollbackKey], undefined);
    assert.equal(cluster.d.metadata.annotations?.[revisionKey], '3');
  });
});
