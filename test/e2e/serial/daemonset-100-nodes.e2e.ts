// A MyDaemonSet over 100 nodes: it converges with exactly one pod per node, and the operator makes
// no more pod creates than there are nodes (slow-start batches and expectations keep a stale cache
// from creating a second pod for a node).
//
// The 100 nodes are this test's own (`e2e-<namespace>-<n>`, tainted so that no other daemon runs
// there), deleted afterwards. The runner stops its shared operator before the serial phase; this
// test starts its own, limited to the test's namespace with --namespace.
//
// Counting pod creates from the operator's metrics: rest_client_requests_total has no resource
// label, so POSTs to pods cannot be told apart from the other POSTs the operator makes. In this
// run (one MyDaemonSet, its own namespace, no leader election) its only other POSTs are the
// ControllerRevision and the Events it records on the MyDaemonSet. So:
//     pod creates ≤ ΔPOST − (ControllerRevisions created) − (Events it created)
// where both subtrahends are read from the API afterwards (each existing object is one successful
// POST; a failed revision or event POST would only be counted as a pod create, making the bound
// stricter, never looser). The counter is read before the MyDaemonSet exists and again once the
// operator has gone quiet (no POST and no new Event for 2 s), so its asynchronous event writer
// has finished. The watch gives the other side: exactly 100 pods were ever created.
import assert from 'node:assert/strict';
import { inParallel } from '../../../hack/cluster.ts';
import { parsePromText, sum } from '../../../hack/prom-text.ts';
import { controllerRevisions, events, pods } from '../../../src/api/resources.ts';
import { myDaemonSets } from '../../../src/api/workloads.ts';
import { eventComponent as operatorEventComponent } from '../../../src/runtime/events.ts';
import {
  controlledBy,
  newMyDaemonSet,
  OwnedNodes,
  Recorder,
  waitDaemonPodsOnNodes,
  waitDaemonStatus,
} from '../support/daemonset.ts';
import { createNamespace, kubeconfigPath, logFile, testClient, waitFor } from '../support/env.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';

const nodeCount = 100;

/** Sum of rest_client_requests_total{method="POST"} over status codes and hosts. */
async function postCount(metricsUrl: string): Promise<number> {
  return sum(parsePromText(await (await fetch(metricsUrl)).text()), 'rest_client_requests_total', { method: 'POST' });
}

describe('MyDaemonSet over 100 nodes @own-operator', function () {
  this.timeout(600_000);
  let ns: { name: string; remove: () => Promise<void> };
  let owned: OwnedNodes;
  let operator: OperatorProcess | undefined;
  const indexes = Array.from({ length: nodeCount }, (_, i) => i);

  before(async () => {
    ns = await createNamespace('ds-100');
    owned = new OwnedNodes(ns.name);
    await inParallel(indexes, 20, (i) => owned.create(i));
    await owned.waitReady(indexes, { timeoutMs: 180_000, intervalMs: 1_000 });
    operator = await startOperator({
      kubeconfig: kubeconfigPath(),
      logFile: logFile('operator-ds-100-nodes.log'),
      // The admission webhook's registration is a write of its own; this test accounts pod creates.
      args: ['--namespace', ns.name, '--webhook-bind-address=0'],
    });
    assert.ok(operator, 'src/main.ts is missing');
  });

  after(async () => {
    await operator?.stop();
    await owned.deleteAll();
    await ns.remove();
  });

  it('converges with exactly one pod per node, and the operator makes no more pod creates than nodes', async () => {
    assert.ok(operator);
    const client = await testClient();
    const names = indexes.map((i) => owned.name(i));
    const watch = await Recorder.start(pods, ns.name);
    const revisionWatch = await Recorder.start(controllerRevisions, ns.name);
    try {
      const postsBefore = await postCount(operator.metricsUrl);
      const base = newMyDaemonSet(ns.name, 'fleet');
      const started = Date.now();
      const ds = await client.create(myDaemonSets, {
        ...base,
        spec: {
          ...base.spec,
          template: { ...base.spec.template, spec: { ...base.spec.template.spec, tolerations: [owned.toleration], nodeSelector: owned.selector } },
        },
      });
      await waitDaemonPodsOnNodes(ds, names, { timeoutMs: 300_000, intervalMs: 1_000 });
      await waitDaemonStatus(ns.name, 'fleet', nodeCount, { timeoutMs: 120_000 });
      const converged = Date.now() - started;

      const operatorEvents = async (): Promise<number> =>
        (await client.list(events, { namespace: ns.name })).items.filter(
          (e) => e.source?.component === operatorEventComponent || e.reportingComponent === operatorEventComponent,
        ).length;
      let previous = '';
      let since = Date.now();
      const quiet = await waitFor(
        'the operator to go quiet (no POST and no new Event for 2 s)',
        async () => ({ posts: await postCount(operator?.metricsUrl ?? ''), events: await operatorEvents() }),
        (snapshot) => {
          const key = JSON.stringify(snapshot);
          if (key !== previous) {
            previous = key;
            since = Date.now();
          }
          return Date.now() - since >= 2_000;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      await watch.caughtUp();
      await revisionWatch.caughtUp();
      await watch.stop();
      await revisionWatch.stop();

      // Exactly one pod per node, and exactly nodeCount pods ever created, none deleted.
      const created = watch.events.filter((e) => e.type === 'ADDED' && controlledBy(e.object, ds));
      assert.equal(created.length, nodeCount, `${created.length} pods were created`);
      assert.equal(watch.events.filter((e) => e.type === 'DELETED' || e.object.metadata.deletionTimestamp).length, 0, 'pods were deleted');
      const perNode = new Map<string, number>();
      for (const pod of watch.current().values()) perNode.set(pod.spec.nodeName ?? '', (perNode.get(pod.spec.nodeName ?? '') ?? 0) + 1);
      assert.deepEqual(
        names.filter((n) => perNode.get(n) !== 1),
        [],
        'nodes without exactly one pod',
      );

      const revisionsCreated = revisionWatch.events.filter((e) => e.type === 'ADDED').length;
      const posts = quiet.posts - postsBefore;
      const podCreates = posts - revisionsCreated - quiet.events;
      console.log(
        `      [note] converged in ${(converged / 1000).toFixed(1)} s; operator POSTs ${posts} = ≤${podCreates} pod creates + ${revisionsCreated} ControllerRevision + ${quiet.events} Events`,
      );
      assert.equal(revisionsCreated, 1);
      assert.ok(podCreates <= nodeCount, `the operator made up to ${podCreates} pod creates for ${nodeCount} nodes`);
      // And at least every pod that exists was created by it: the bound is not vacuous.
      assert.ok(podCreates >= nodeCount, `only ${podCreates} POSTs left for ${nodeCount} pod creates: the accounting is off`);
    } finally {
      await watch.stop();
      await revisionWatch.stop();
    }
  });
});
