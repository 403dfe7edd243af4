// The chart's RBAC on an API server that enforces OwnerReferencesPermissionEnforcement, as
// OpenShift and hardened clusters do. The plugin lets a client set an owner reference with
// blockOwnerDeletion only if it may `update` the owner's `finalizers` subresource, and change the
// owner references of an existing object only if it may `delete` that object. A MyStatefulSet
// with persistentVolumeClaimRetentionPolicy whenScaled: Delete makes a scaled-away pod the owner of
// its claims (blockOwnerDeletion) so the garbage collector deletes them with it: without
// `update pods/finalizers` and `delete persistentvolumeclaims` that patch is Forbidden and the
// scale-down never completes.
//
// The test restarts the local kube-apiserver with the plugin added to the ones it runs, runs the
// operator as the chart's ServiceAccount, scales such a set down and sees the claim go; then it
// restarts kube-apiserver as kwokctl started it.
//
// Serial: it restarts the API server and runs its own operator over every namespace.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PersistentVolumeClaim } from '../../../src/api/core.ts';
import { persistentVolumeClaims } from '../../../src/api/resources.ts';
import { myStatefulSets } from '../../../src/api/workloads.ts';
import { clusterDir } from '../../../hack/cluster.ts';
import type { ChartRbac } from '../support/chart-rbac.ts';
import { applyChartRbac, deleteChartRbac, renderChartRbac, serviceAccountKubeconfig } from '../support/chart-rbac.ts';
import { componentArgs, restartApiServer } from '../support/control-plane.ts';
import { createNamespace, kubectl, kubectlFails, testClient, waitFor } from '../support/env.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { Recorder } from '../support/recorder.ts';
import {
  createHeadlessService,
  newMyStatefulSet,
  podNames,
  TestVolumes,
  updateMyStatefulSet,
  waitForRunningAndReady,
  waitSettled,
  withSpec,
} from '../support/statefulset.ts';

const plugin = 'OwnerReferencesPermissionEnforcement';
const labels = { app: 'db' };

/** kube-apiserver's --enable-admission-plugins as kwokctl passes it, with `plugin` added. */
function admissionFlags(): string[] {
  const args = componentArgs('kube-apiserver');
  // kwokctl's --kube-admission=false passes the legacy flag, which cannot be combined with this one.
  if (args.some((a) => a.startsWith('--admission-control='))) {
    throw new Error('kube-apiserver runs with --admission-control (kwokctl --kube-admission=false): admission plugins cannot be added');
  }
  const given = args.find((a) => a.startsWith('--enable-admission-plugins='))?.split('=')[1] ?? '';
  const plugins = given.split(',').filter((p) => p !== '' && p !== plugin);
  return [`--enable-admission-plugins=${[...plugins, plugin].join(',')}`];
}

describe(`the chart's RBAC under the ${plugin} admission plugin @control-plane @own-operator`, function () {
  this.timeout(360_000);
  let ns: { name: string; remove: () => Promise<void> };
  let rbac: ChartRbac | undefined;
  let operator: OperatorProcess | undefined;
  let volumes: TestVolumes | undefined;
  let restarted = false;

  before(async () => {
    ns = await createNamespace('orpe');
    rbac = await renderChartRbac(ns.name);
    await applyChartRbac(ns.name, rbac);
    const flags = admissionFlags();
    restarted = true;
    await restartApiServer(flags);
  });

  after(async () => {
    await operator?.stop();
    // Back to the command line kwokctl wrote, whatever happened above.
    if (restarted) await restartApiServer();
    if (rbac) await deleteChartRbac(ns.name, rbac);
    await ns.remove();
    await volumes?.deleteAll();
  });

  it('is enforced: an account that may create ConfigMaps but not update pods/finalizers cannot set blockOwnerDeletion to a pod', async () => {
    const account = 'plain';
    await kubectl(['create', 'serviceaccount', account, '-n', ns.name]);
    await kubectl(['create', 'role', 'configmaps', '-n', ns.name, '--verb=create,get', '--resource=configmaps']);
    await kubectl(['create', 'rolebinding', 'configmaps', '-n', ns.name, '--role=configmaps', `--serviceaccount=${ns.name}:${account}`]);
    const configMap = (blockOwnerDeletion: boolean, name: string): string =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name,
          namespace: ns.name,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'some-pod', uid: '00000000-0000-0000-0000-000000000001', blockOwnerDeletion }],
        },
      });
    const as = [`--as=system:serviceaccount:${ns.name}:${account}`];
    const refused = await kubectlFails(['create', '-f', '-', ...as], configMap(true, 'blocking'));
    assert.match(refused, /cannot set blockOwnerDeletion/);
    // The same reference without blockOwnerDeletion is fine: RBAC itself lets the account create it.
    await kubectl(['create', '-f', '-', ...as], configMap(false, 'not-blocking'));
  });

  it("scales down a whenScaled: Delete MyStatefulSet as the chart's ServiceAccount: the claim gets its pod as owner and goes with it", async () => {
    assert.ok(rbac);
    const client = await testClient();
    const logFile = path.join(clusterDir, `operator-${ns.name}.log`);
    operator = await startOperator({
      kubeconfig: await serviceAccountKubeconfig(ns.name, rbac.account),
      logFile,
      // The admission webhook is not what this test is about (and registers cluster-wide): off.
      args: [...rbac.operatorArgs.filter((a) => !a.startsWith('--webhook-')), '--webhook-bind-address=0'],
    });
    assert.ok(operator, 'the operator entrypoint exists');

    volumes = new TestVolumes(ns.name);
    await volumes.create(2);
    await createHeadlessService(ns.name, 'test', labels);
    const set = await client.create(
      myStatefulSets,
      newMyStatefulSet(ns.name, 'db', {
        replicas: 2,
        labels,
        claims: { storageClassName: volumes.storageClassName, names: ['data'] },
        spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } },
      }),
    );
    await waitForRunningAndReady(set, podNames('db', 2));
    await waitSettled(ns.name, 'db', 2);

    const claimWatch = await Recorder.start(persistentVolumeClaims, ns.name);
    try {
      await updateMyStatefulSet(ns.name, 'db', (s) => withSpec(s, { replicas: 1 }));
      await waitForRunningAndReady(set, podNames('db', 1), { timeoutMs: 120_000 });
      await waitSettled(ns.name, 'db', 1);
      await waitFor(
        'claim data-db-1 deleted by the garbage collector, data-db-0 kept',
        async () => (await client.list(persistentVolumeClaims, { namespace: ns.name })).items.map((c) => c.metadata.name ?? '').sort(),
        (names) => names.join() === 'data-db-0',
        { timeoutMs: 120_000 },
      );
      await claimWatch.caughtUp();
      const owned = claimWatch.events.some(
        (e) =>
          e.object.metadata.name === 'data-db-1' &&
          (e.object.metadata.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === 'db-1' && r.blockOwnerDeletion === true),
      );
      assert.ok(owned, `data-db-1 never had pod db-1 as blocking owner: ${describeClaims(claimWatch.events.map((e) => e.object))}`);
    } finally {
      await claimWatch.stop();
    }

    // Refused by RBAC or by the plugin. Not every 403 is: the operator watches every namespace,
    // and the API server refuses writes into namespaces other tests are still deleting.
    await operator.stop();
    const refused = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => /forbidden: (User \\?"|cannot set )/.test(line));
    assert.deepEqual(refused.map((line) => line.slice(0, 600)), [], `refused requests in ${logFile}`);
  });
});

function describeClaims(claims: readonly PersistentVolumeClaim[]): string {
  return claims
    .map((c) => `${c.metadata.name ?? ''}[${(c.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`).join(',')}]`)
    .join(' ');
}
