// The MyDeployment planner on RollingUpdate Deployments: the first rollout, the step sequence of a
// template change, one scaling direction per pass, and the existing new RS's annotations and
// revision (upstream rolling.go, sync.go getNewReplicaSet).
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import type { MyDeployment } from '../../src/api/workloads.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { Cluster, deployment, lastStatus, newName, ownedReplicaSet, progressing, revisionKey, snapshot, summarize, t0 } from './deployment-plan-fixtures.ts';

const now = t0 + 3_600_000;

function withImage(d: MyDeployment, image: string): MyDeployment {
  return {
    ...d,
    metadata: { ...d.metadata, generation: (d.metadata.generation ?? 1) + 1 },
    spec: { ...d.spec, template: { ...d.spec.template, spec: { containers: [{ name: 'app', image }] } } },
  };
}

/** A Deployment rolled out completely at nginx:1 (RS `web-1`, revision 1), before any template change. */
function rolledOut(o: Parameters<typeof deployment>[0] = {}): { readonly d: MyDeployment; readonly cluster: Cluster } {
  const d = deployment({ replicas: 10, progressDeadlineSeconds: 600, annotations: { [revisionKey]: '1' }, ...o });
  const old = ownedReplicaSet(d, 'web-1', { replicas: d.spec.replicas ?? 1, revision: '1' });
  const cluster = new Cluster(d, [old]);
  cluster.pass(); // status catches up
  return { d: cluster.d, cluster };
}

describe('MyDeployment planner: first rollout', () => {
  it('creates the new RS at full replicas with revision 1, sets the revision and NewReplicaSetCreated', () => {
    const d = deployment({ replicas: 10, progressDeadlineSeconds: 600 });
    const actions = plan(snapshot(d, []), now);
    const name = newName(d);
    assert.deepEqual(summarize(actions), [`create ${name} ×10`, 'revision 1', 'status', 'status']);
    const create = actions[0];
    assert.ok(create?.kind === 'createReplicaSet');
    assert.equal(create.rs.metadata.annotations?.[revisionKey], '1');
    assert.equal(create.rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '10');
    assert.equal(create.rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '13');
    assert.equal(create.rs.metadata.ownerReferences?.[0]?.uid, 'd-uid');
    assert.equal(create.progressDeadline, true);
    // The first write is upstream's UpdateStatus inside getNewReplicaSet; the second the rollout status.
    const first = actions[2];
    assert.ok(first?.kind === 'writeStatus');
    assert.equal(progressing(first.status), 'True/NewReplicaSetCreated');
    assert.equal(first.status.conditions?.[0]?.message, `Created new replica set "${name}"`);
    const status = lastStatus(actions);
    assert.equal(status?.observedGeneration, 1);
    assert.equal(status?.selector, 'app=web');
    assert.equal(progressing(status), 'True/NewReplicaSetCreated');
  });

  it('without a progress deadline writes no Progressing condition', () => {
    const d = deployment({ replicas: 2 });
    const actions = plan(snapshot(d, []), now);
    assert.deepEqual(summarize(actions), [`create ${newName(d)} ×2`, 'revision 1', 'status']);
    assert.equal(progressing(lastStatus(actions)), undefined);
  });

  it('is complete on the next pass once the pods are available', () => {
    const cluster = new Cluster(deployment({ replicas: 3, progressDeadlineSeconds: 600 }));
    cluster.pass();
    const second = cluster.pass();
    assert.deepEqual(summarize(second), ['status']);
    assert.equal(progressing(cluster.d.status), 'True/NewReplicaSetAvailable');
    assert.equal(cluster.d.status?.conditions?.find((c) => c.type === 'Progressing')?.message, `ReplicaSet "${newName(cluster.d)}" has successfully progressed.`);
    assert.deepEqual(summarize(cluster.pass()), [], 'a settled Deployment plans nothing');
  });
});

describe('MyDeployment planner: rolling update', () => {
  it('10 replicas at 25%/25% (surge 3, unavailable 2): 3/8, 5/8, 5/3, 10/3, 10/0', () => {
    const { d, cluster } = rolledOut();
    cluster.d = withImage(d, 'nginx:2');
    const name = newName(cluster.d);
    const steps: string[][] = [];
    const sizes: string[] = [];
    for (let i = 0; i < 6; i++) {
      steps.push(summarize(cluster.pass()));
      sizes.push(cluster.sizes());
    }
    assert.deepEqual(steps, [
      [`create ${name} ×3`, 'revision 2', 'status', 'scale web-1 10→8 (10/13) swallow', 'status'],
      [`scale ${name} 3→5 (10/13)`, 'status'],
      ['scale web-1 8→3 (10/13) swallow', 'status'],
      [`scale ${name} 5→10 (10/13)`, 'status'],
      ['scale web-1 3→0 (10/13) swallow', 'status'],
      ['status'],
    ]);
    assert.deepEqual(sizes, [
      `web-1=8 ${name}=3`,
      `web-1=8 ${name}=5`,
      `web-1=3 ${name}=5`,
      `web-1=3 ${name}=10`,
      `web-1=0 ${name}=10`,
      `web-1=0 ${name}=10`,
    ]);
    assert.equal(progressing(cluster.d.status), 'True/NewReplicaSetAvailable');
    assert.equal(cluster.d.metadata.annotations?.[revisionKey], '2');
  });

  it('maxUnavailable 0 / maxSurge 1: one up, one down, never below 10 available', () => {
    const { d, cluster } = rolledOut({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    cluster.d = withImage(d, 'nginx:2');
    const name = newName(cluster.d);
    const sizes: string[] = [];
    for (let i = 0; i < 21; i++) {
      cluster.pass();
      sizes.push(cluster.sizes());
      const available = [...cluster.replicaSets.values()].reduce((sum, rs) => sum + (rs.status?.availableReplicas ?? 0), 0);
      assert.ok(available >= 10, `pass ${i}: ${available} available`);
    }
    assert.deepEqual(sizes.slice(0, 4), [`web-1=10 ${name}=1`, `web-1=9 ${name}=1`, `web-1=9 ${name}=2`, `web-1=8 ${name}=2`]);
    assert.equal(sizes[19], `web-1=0 ${name}=10`);
    assert.equal(cluster.d.status?.updatedReplicas, 10);
  });

  it('stops at 5 new / 8 old while the new pods never become available', () => {
    const { d, cluster } = rolledOut();
    cluster.d = withImage(d, 'nginx:broken');
    const name = newName(cluster.d);
    cluster.available = (rs) => (rs.metadata.name === name ? 0 : (rs.spec.replicas ?? 1));
    for (let i = 0; i < 5; i++) cluster.pass();
    assert.equal(cluster.sizes(), `web-1=8 ${name}=5`);
  });

  it('scales only up in a pass that scales the new RS up, even when old replicas could go', () => {
    const d = withImage(deployment({ replicas: 10, annotations: { [revisionKey]: '1' } }), 'nginx:2');
    const old = ownedReplicaSet(d, 'web-1', { replicas: 8, revision: '1' });
    const fresh = ownedReplicaSet(d, newName(d), { replicas: 3, image: 'nginx:2', revision: '2', created: 60 });
    assert.deepEqual(summarize(plan(snapshot({ ...d, metadata: { ...d.metadata, annotations: { [revisionKey]: '2' } } }, [old, fresh]), now)), [
      `scale ${newName(d)} 3→5 (10/13)`,
      'status',
    ]);
  });

  it('scales a new RS above spec.replicas down to it (reconcileNewReplicaSet)', () => {
    const d = deployment({ replicas: 3, annotations: { [revisionKey]: '1' } });
    // Resized by hand: its desired-replicas annotation still says 3, so this is no scaling event.
    const rs = ownedReplicaSet(d, newName(d), { replicas: 5, revision: '1' });
    assert.deepEqual(summarize(plan(snapshot(d, [rs]), now)), [`scale ${newName(d)} 5→3 (3/4)`, 'status']);
  });

  it('removes unavailable old replicas first, oldest RS first, within maxScaledDown', () => {
    const d = withImage(deployment({ replicas: 10, annotations: { [revisionKey]: '3' } }), 'nginx:3');
    const oldest = ownedReplicaSet(d, 'web-1', { replicas: 4, revision: '1', available: 1 });
    const older = ownedReplicaSet(d, 'web-2', { replicas: 4, revision: '2', created: 10, available: 4 });
    const fresh = ownedReplicaSet(d, newName(d), { replicas: 5, image: 'nginx:3', revision: '3', created: 20, available: 5 });
    // total 13, minAvailable 8, new unavailable 0: maxScaledDown 5; web-1 has 3 unavailable.
    // Then 10 available (1 + 4 + 5) > 8: 2 more, web-1 (now 1) first, then web-2.
    assert.deepEqual(summarize(plan(snapshot(d, [fresh, older, oldest]), now)), [
      'scale web-1 4→1 (10/13) swallow',
      'scale web-1 1→0 (10/13) swallow',
      'scale web-2 4→3 (10/13) swallow',
      'status',
    ]);
  });

  it('gives up the old-RS step (as upstream\'s swallowed error) when an old RS reports more available than it has', () => {
    const d = withImage(deployment({ replicas: 10, annotations: { [revisionKey]: '2' } }), 'nginx:2');
    // Scaled 8 → 3 a moment ago; its status still says 8 available.
    const old = { ...ownedReplicaSet(d, 'web-1', { replicas: 8, revision: '1' }), spec: { ...ownedReplicaSet(d, 'web-1', { replicas: 8 }).spec, replicas: 3 } };
    const fresh = ownedReplicaSet(d, newName(d), { replicas: 7, image: 'nginx:2', revision: '2', created: 20 });
    const unhealthy = ownedReplicaSet(d, 'web-0', { replicas: 3, revision: '0', created: -10, available: 1 });
    // 13 in all (no room to grow the new RS); maxScaledDown 13 − 8 − 0 = 5. web-0 (oldest) loses
    // its 2 unavailable; web-1's stale status (8 available of 3) then ends the step.
    assert.deepEqual(summarize(plan(snapshot(d, [old, fresh, unhealthy]), now)), ['scale web-0 3→1 (10/13) swallow', 'status']);
  });
});

describe('MyDeployment planner: availability from the pod cache', () => {
  /** `count` Ready pods of the RS `owner` (controller reference by UID). */
  function readyPods(owner: string, count: number, from = 0): Pod[] {
    return Array.from({ length: count }, (_, i) => ({
      metadata: { name: `${owner}-${from + i}`, namespace: 'default', ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyReplicaSet', name: owner, uid: `${owner}-uid`, controller: true }] },
      spec: { containers: [] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(t0).toISOString() }] },
    }));
  }

  // 4 replicas, surge 1, unavailable 1 (minAvailable 3). web-1 was scaled 4 → 3 and one of its pods
  // deleted, but its status still reports 4 available (written by a process killed before its next
  // sync). The new RS has 2 of 2 available. Σ spec 5: maxScaledDown 5 − 3 − 0 = 2.
  const d = withImage(deployment({ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }, annotations: { [revisionKey]: '2' } }), 'nginx:2');
  const stale = { ...ownedReplicaSet(d, 'web-1', { replicas: 4, revision: '1' }), spec: { ...ownedReplicaSet(d, 'web-1', { replicas: 4 }).spec, replicas: 3 } };
  const fresh = ownedReplicaSet(d, newName(d), { replicas: 2, image: 'nginx:2', revision: '2', created: 20 });

  it('caps a stale status by the available pods it has: scales the old RS down only to what keeps minAvailable', () => {
    const pods = new Map([
      ['web-1-uid', readyPods('web-1', 3)],
      [fresh.metadata.uid ?? '', readyPods(newName(d), 2)],
    ]);
    // Available 3 + 2 = 5 > 3: 2 may go, web-1 3 → 1, leaving 1 + 2 = 3 available.
    assert.deepEqual(summarize(plan(snapshot(d, [stale, fresh], pods), now)), ['scale web-1 3→1 (4/5) swallow', 'status']);
  });

  it('without pods for the sets reads the statuses alone, as upstream: web-1 reports more available than it has, the step ends', () => {
    assert.deepEqual(summarize(plan(snapshot(d, [stale, fresh]), now)), ['status']);
  });

  it('a new RS whose status still counts a pod it lost: the old RS keeps what minAvailable needs', () => {
    // The new RS reports 3 of 3 available, but one pod is gone (deleted; the status not rewritten
    // yet); the old RS has 2 of 2. Statuses alone: maxScaledDown 5 − 3 − 0 = 2 and 5 available,
    // so web-1 would go 2 → 0, leaving 2 available < 3. With the pods: 1 unavailable in the new RS,
    // maxScaledDown 1, web-1 2 → 1, 3 available.
    const shrunkOld = ownedReplicaSet(d, 'web-1', { replicas: 2, revision: '1' });
    const lost = ownedReplicaSet(d, newName(d), { replicas: 3, image: 'nginx:2', revision: '2', created: 20 });
    const pods = new Map([
      ['web-1-uid', readyPods('web-1', 2)],
      [lost.metadata.uid ?? '', readyPods(newName(d), 2)],
    ]);
    assert.deepEqual(summarize(plan(snapshot(d, [shrunkOld, lost], pods), now)), ['scale web-1 2→1 (4/5) swallow', 'status']);
    assert.deepEqual(summarize(plan(snapshot(d, [shrunkOld, lost]), now)), ['scale web-1 2→0 (4/5) swallow', 'status']);
  });

  it('a set shrunk but not yet observed counts no more than its spec: reverting a template does not take its replicas twice', () => {
    // The new RS was the old one a moment ago and was scaled 4 → 2; its status (observedGeneration
    // 1 of 2) and the cache still show 4 available, the deletions not in yet. web-1 has 3 of 3.
    // Uncapped: new unavailable 2 − 4 = −2, maxScaledDown 4, 7 available, web-1 3 → 0, leaving 2
    // real ones < 3. Capped at spec: web-1 3 → 1, leaving 2 + 1 = 3.
    const old = ownedReplicaSet(d, 'web-1', { replicas: 3, revision: '1' });
    const reverted = ownedReplicaSet(d, newName(d), { replicas: 4, image: 'nginx:2', revision: '2', created: 20 });
    const shrunk = { ...reverted, metadata: { ...reverted.metadata, generation: 2 }, spec: { ...reverted.spec, replicas: 2 } };
    const pods = new Map([
      ['web-1-uid', readyPods('web-1', 3)],
      [shrunk.metadata.uid ?? '', readyPods(newName(d), 4)],
    ]);
    assert.deepEqual(summarize(plan(snapshot(d, [old, shrunk], pods), now)), ['scale web-1 3→1 (4/5) swallow', 'status']);
  });

  it('never counts more than the status reports: pods Ready in the cache before the status says so wait for it', () => {
    const lagging = ownedReplicaSet(d, newName(d), { replicas: 2, image: 'nginx:2', revision: '2', created: 20, available: 0 });
    const settledOld = ownedReplicaSet(d, 'web-1', { replicas: 3, revision: '1' });
    const pods = new Map([
      ['web-1-uid', readyPods('web-1', 3)],
      [lagging.metadata.uid ?? '', readyPods(newName(d), 2)],
    ]);
    // new RS unavailable 2 by its status: maxScaledDown 5 − 3 − 2 = 0, nothing goes.
    assert.deepEqual(summarize(plan(snapshot(d, [settledOld, lagging], pods), now)), ['status']);
  });
});

describe('MyDeployment planner: the existing new RS', () => {
  it('copies the Deployment annotations and raises the revision above the old ones, then ends the pass', () => {
    const d = deployment({ replicas: 2, annotations: { [revisionKey]: '1', 'kubernetes.io/change-cause': 'v2' } });
    const fresh = ownedReplicaSet(d, newName(d), { replicas: 2, revision: '1' });
    const old = ownedReplicaSet(d, 'web-old', { replicas: 0, image: 'nginx:0', revision: '4' });
    const actions = plan(snapshot(d, [fresh, old]), now);
    assert.deepEqual(summarize(actions), [`update ${newName(d)} revision 5`]);
    const update = actions[0];
    assert.ok(update?.kind === 'updateReplicaSet');
    assert.equal(update.annotations['kubernetes.io/change-cause'], 'v2');
    assert.equal(update.annotations['deployment.kubernetes.io/revision-history'], '1');
  });

  it('copies minReadySeconds to it', () => {
    const d = deployment({ replicas: 2, minReadySeconds: 5, annotations: { [revisionKey]: '1' } });
    const rs = ownedReplicaSet(d, newName(d), { replicas: 2, revision: '1' });
    const actions = plan(snapshot(d, [rs]), now);
    assert.ok(actions[0]?.kind === 'updateReplicaSet');
    assert.equal(actions[0].minReadySeconds, 5);
    assert.equal(actions.length, 1);
  });

  it("takes over the RS's revision and notes FoundNewReplicaSet when no Progressing condition exists", () => {
    const d = deployment({ replicas: 2, progressDeadlineSeconds: 600 });
    const rs = ownedReplicaSet(d, newName(d), { replicas: 2, revision: '7' });
    const actions = plan(snapshot(d, [rs]), now);
    assert.deepEqual(summarize(actions).slice(0, 3), ['revision 7', 'status', 'status']);
    const found = actions[1];
    assert.ok(found?.kind === 'writeStatus');
    assert.equal(progressing(found.status), 'True/FoundNewReplicaSet');
    assert.equal(found.status.conditions?.[0]?.message, `Found new replica set "${newName(d)}"`);
    // The rollout status that follows sees the RS complete.
    assert.equal(progressing(lastStatus(actions)), 'True/NewReplicaSetAvailable');
  });

  it('adopts an RS by template equality whatever its name, and the oldest of two equal ones', () => {
    const d = deployment({ replicas: 2, annotations: { [revisionKey]: '1' } });
    const adopted = ownedReplicaSet(d, 'handmade', { replicas: 2, revision: '1', created: 0 });
    const younger = ownedReplicaSet(d, newName(d), { replicas: 0, revision: '1', created: 5 });
    // `handmade` is the new RS: the younger twin is an old one (revision raised on `handmade`).
    assert.deepEqual(summarize(plan(snapshot(d, [younger, adopted]), now)), ['update handmade revision 2']);
  });

  it('fails the pass when maxSurge does not resolve and the new RS must be sized', () => {
    const d = deployment({ replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: 1 } } });
    assert.deepEqual(summarize(plan(snapshot(d, []), now)), ['error: invalid value for IntOrString: invalid type: string is not a percentage']);
  });
});
