// Creates the API server refuses after admission — here a ResourceQuota that allows no pods — on
// both kinds: the set shows ReplicaFailure (reason FailedCreate, the API server's message), one
// Warning FailedCreate Event per set however often the create is tried, creates are held back by
// a per-object backoff (1 s doubling, up to 5 minutes) so the operator's request rate stays low,
// and everything recovers, the condition gone, once the quota is lifted.
//
// Own operator (--namespace): its rest_client_requests_total counts this test's requests only.
//
//   npm run test:e2e -- test/e2e/serial/create-refused.e2e.ts
import assert from 'node:assert/strict';
import { parsePromText, sum } from '../../../hack/prom-text.ts';
import type { CoreEvent } from '../../../src/api/core.ts';
import type { WorkloadCondition } from '../../../src/api/meta.ts';
import { events } from '../../../src/api/resources.ts';
import { myDaemonSets, myStatefulSets } from '../../../src/api/workloads.ts';
import { newMyDaemonSet, waitDaemonStatus } from '../support/daemonset.ts';
import { createNamespace, kubeconfigPath, kubectl, logFile, testClient, waitFor } from '../support/env.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { createHeadlessService, newMyStatefulSet, waitSettled } from '../support/statefulset.ts';

/** The quota's admission message (once the quota controller has filled in status.hard). */
const refusal = /^pods "[^"]+" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0$/;

/** How long the request rate is watched while every create is refused. */
const windowMs = 30_000;

async function requestCount(metricsUrl: string): Promise<number> {
  return sum(parsePromText(await (await fetch(metricsUrl)).text()), 'rest_client_requests_total');
}

function replicaFailure(obj: { readonly status?: { readonly conditions?: readonly WorkloadCondition[] } }): WorkloadCondition | undefined {
  return obj.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
}

describe('creates refused by a ResourceQuota @own-operator', function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  let operator: OperatorProcess | undefined;

  before(async () => {
    ns = await createNamespace('refused');
    operator = await startOperator({
      kubeconfig: kubeconfigPath(),
      logFile: logFile('operator-create-refused.log'),
      args: ['--namespace', ns.name, '--webhook-bind-address=0'],
    });
    assert.ok(operator, 'src/main.ts is missing');
  });

  after(async () => {
    await operator?.stop();
    await ns.remove();
  });

  it('sets ReplicaFailure and records one Warning per set, keeps the request rate low, and recovers when the quota is lifted', async () => {
    assert.ok(operator);
    const client = await testClient();
    await kubectl(['create', 'quota', 'no-pods', '--hard=pods=0', '-n', ns.name]);
    await waitFor(
      'the quota controller to fill in the quota status',
      async () => kubectl(['get', 'quota', 'no-pods', '-n', ns.name, '-o', 'jsonpath={.status.hard.pods}']),
      (hard) => hard === '0',
    );

    const before = await requestCount(operator.metricsUrl);
    const started = Date.now();
    const ds = await client.create(myDaemonSets, newMyDaemonSet(ns.name, 'agent'));
    await createHeadlessService(ns.name, 'web', { app: 'web' });
    const set = await client.create(myStatefulSets, newMyStatefulSet(ns.name, 'web', { replicas: 2 }));

    const [dsFailed, setFailed] = await Promise.all([
      waitFor('ReplicaFailure on the MyDaemonSet', () => client.get(myDaemonSets, ns.name, 'agent'), (o) => replicaFailure(o)?.status === 'True'),
      waitFor('ReplicaFailure on the MyStatefulSet', () => client.get(myStatefulSets, ns.name, 'web'), (o) => replicaFailure(o)?.status === 'True'),
    ]);
    for (const failed of [replicaFailure(dsFailed), replicaFailure(setFailed)]) {
      assert.equal(failed?.reason, 'FailedCreate');
      assert.match(failed?.message ?? '', refusal);
    }

    // The creates keep being refused for the whole window.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + windowMs - Date.now())));
    const requests = (await requestCount(operator.metricsUrl)) - before;
    console.log(`      [note] ${requests} requests in the first ${windowMs / 1000} s of refused creates, for 2 sets`);
    // Tries at 0, 1, 3, 7, 15 s (and 31 s) per set, each one create plus its status write; the work
    // queue alone (5 ms doubling) makes ~13 tries per set in that time, each with a Warning.
    assert.ok(requests <= 40, `${requests} requests in ${windowMs / 1000} s`);

    const warnings = async (uid: string | undefined): Promise<CoreEvent[]> =>
      (await client.list(events, { namespace: ns.name, fieldSelector: `involvedObject.uid=${uid ?? ''}` })).items.filter((e) => e.reason === 'FailedCreate');
    const [dsWarnings, setWarnings] = await Promise.all([warnings(ds.metadata.uid), warnings(set.metadata.uid)]);
    assert.deepEqual(
      dsWarnings.map((e) => [e.type, e.count]),
      [['Warning', 1]],
    );
    assert.match(dsWarnings[0]?.message ?? '', /^Error creating: pods "agent-\w+" is forbidden: exceeded quota: no-pods/);
    assert.deepEqual(
      setWarnings.map((e) => [e.type, e.count, e.message]),
      [['Warning', 1, `Create Pod web-0 in StatefulSet web failed error: ${replicaFailure(setFailed)?.message ?? ''}`]],
    );

    // Lifted: the next try (within the current wait, ≤ 16 s) goes through.
    await kubectl(['delete', 'quota', 'no-pods', '-n', ns.name]);
    const desired = (await waitFor('desiredNumberScheduled', () => client.get(myDaemonSets, ns.name, 'agent'), (o) => (o.status?.desiredNumberScheduled ?? 0) > 0)).status
      ?.desiredNumberScheduled;
    const [dsDone, setDone] = await Promise.all([
      waitDaemonStatus(ns.name, 'agent', desired ?? 0, { timeoutMs: 60_000 }),
      waitSettled(ns.name, 'web', 2, { timeoutMs: 60_000 }),
    ]);
    const cleared = await Promise.all([
      waitFor('ReplicaFailure gone from the MyDaemonSet', () => client.get(myDaemonSets, ns.name, 'agent'), (o) => replicaFailure(o) === undefined),
      waitFor('ReplicaFailure gone from the MyStatefulSet', () => client.get(myStatefulSets, ns.name, 'web'), (o) => replicaFailure(o) === undefined),
    ]);
    assert.equal(cleared.length, 2);
    assert.ok(dsDone.status && setDone.status);
  });
});
