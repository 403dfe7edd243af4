// A single leader-elected operator SIGKILLed mid-rollout and restarted in place, again and again:
// under its stable identity (--leader-election-identity; by default the pod or host name) it takes
// its own Lease back as soon as it starts, instead of waiting out the lease it held itself as
// kube-controller-manager does (~15 s). Checked from a pod watch replayed event by event: never two
// live pods on a node, never more nodes without an available pod than maxUnavailable; and the
// rollout in flight at the last kill completes within 5 s of the last restart.
//
//   npm run test:e2e -- test/e2e/serial/leader-restart.e2e.ts      (E2E_RESTARTS=20 for more kills)
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.ts';
import { pods } from '../../../src/api/resources.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import {
  assertNodeUnavailabilityBound,
  eligibleNodeNames,
  image,
  newMyDaemonSet,
  prevImage,
  Recorder,
  updateMyDaemonSet,
  waitDaemonStatus,
  waitMds,
  withImage,
} from '../support/daemonset.ts';
import { createNamespace, kubeconfigPath, logFile, testClient } from '../support/env.ts';
import { startLeading, type OperatorProcess } from '../support/operator.ts';
import { describeSpread, spread, writeRunRecord } from '../support/reliability.ts';

const restarts = Number(process.env.E2E_RESTARTS ?? 10);
const leaseName = 'restart-test';

describe('a leader-elected operator restarted in place @own-operator', function () {
  this.timeout(600_000);
  let ns: { name: string; remove: () => Promise<void> };
  let operator: OperatorProcess | undefined;

  const start = (): ReturnType<typeof startLeading> =>
    startLeading({ kubeconfig: kubeconfigPath(), logFile: logFile('operator-leader-restart.log'), namespace: ns.name, leaseName, identity: 'replica-a' });

  before(async () => (ns = await createNamespace('leader-restart')));
  after(async () => {
    await operator?.stop('SIGKILL');
    await ns.remove();
  });

  it(`leads again within 2 s of each of ${restarts} restarts, keeps every invariant, and completes the rollout within 5 s of the last`, async () => {
    const client = await testClient();
    let current = await start();
    operator = current.operator;
    const ds = await client.create(
      myDaemonSets,
      newMyDaemonSet(ns.name, 'agent', { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } } }),
    );
    const nodes = await eligibleNodeNames(ds);
    assert.ok(nodes.length >= 3, `only ${nodes.length} nodes`);
    await waitMds(ns.name, 'agent', 'every pod available', (d) => d.status?.numberAvailable === nodes.length && d.status.updatedNumberScheduled === nodes.length);

    const watch: Recorder<Pod> = await Recorder.start(pods, ns.name);
    const toLeader: number[] = [];
    try {
      for (let i = 0; i < restarts; i++) {
        // A rollout in flight: a new image, then the kill at a random moment of it.
        await updateMyDaemonSet(ns.name, 'agent', (d) => withImage(d, i % 2 === 0 ? prevImage : image));
        await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 400)));
        await current.operator.stop('SIGKILL');
        current = await start();
        operator = current.operator;
        toLeader.push(current.toLeadingMs);
      }
      const lastRestart = current.spawnedAt;
      const expectedImage = (restarts - 1) % 2 === 0 ? prevImage : image;
      const done = await waitDaemonStatus(ns.name, 'agent', nodes.length);
      const completedIn = Date.now() - lastRestart;
      assert.equal(done.spec.template.spec.containers[0]?.image, expectedImage);
      await watch.caughtUp();
      const worst = assertNodeUnavailabilityBound(watch, ds, nodes, 1, { maxPerNode: 1 });
      const toLeading = spread(toLeader);
      const file = writeRunRecord('leader-restart', {
        kinds: ['MyDaemonSet'],
        nodes: nodes.length,
        faults: { sigkill: restarts },
        violations: 0,
        toLeadingMs: toLeading,
        completedAfterLastRestartMs: { MyDaemonSet: completedIn },
        worst: { nodesWithoutAvailablePod: worst },
      });
      console.log(
        `      ${restarts} SIGKILLs: spawn → leading ${describeSpread(toLeading)}; last rollout complete ${completedIn} ms after the last spawn; at most ${worst} node(s) without an available pod (${file})`,
      );
      for (const [i, ms] of toLeader.entries()) assert.ok(ms <= 2_000, `restart ${i + 1}: leading ${ms} ms after the spawn`);
      assert.ok(completedIn <= 5_000, `the rollout completed ${completedIn} ms after the last restart`);
      const live = (await client.list(pods, { namespace: ns.name })).items.filter((p) => p.metadata.deletionTimestamp === undefined);
      assert.equal(live.length, nodes.length, 'one pod per node, none orphaned or duplicated');
    } finally {
      await watch.stop();
    }
  });
});
