// The chart's RBAC is enough and no more: the operator runs with a kubeconfig carrying a
// TokenRequest token of the chart's ServiceAccount (kwok nodes run no containers, so the chart's
// own Deployment never starts), and MyDaemonSet and MyStatefulSet rollouts complete with it, with
// not a single 403. `kubectl auth can-i --list` for that account shows no Secrets and no wildcard.
//
// Serial: it runs its own operator over every namespace, which the shared operator of the parallel
// phase would fight.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import type { PersistentVolumeClaim, Pod } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { persistentVolumeClaims, pods, resource } from '../../../src/api/resources.ts';
import type { MyDaemonSet, MyStatefulSet } from '../../../src/api/workloads.ts';
import { myDaemonSets, myStatefulSets } from '../../../src/api/workloads.ts';
import { parsePromText } from '../../../hack/prom-text.ts';
import { chartDir, toolsBin } from '../../../hack/render-manifests.ts';
import { startOperator, type OperatorProcess } from '../support/operator.ts';
import { createNamespace, kubeconfigPath, logFile, waitNamespacesSettled, kubectl, testClient, waitFor } from '../support/env.ts';

const run = promisify(execFile);
const persistentVolumes = resource<KubeObject & { spec: unknown }>('', 'v1', 'persistentvolumes', 'PersistentVolume', false);
const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe("the operator with exactly the chart's RBAC @own-operator", function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  let operator: OperatorProcess | undefined;
  let release = '';
  let account = '';
  let rbacDocs: string[] = [];
  /** The operator's command-line flags as the chart's Deployment sets them. */
  let chartArgs: string[] = [];
  const pvNames: string[] = [];

  before(async () => {
    ns = await createNamespace('rbac');
    release = ns.name;
    // Render the chart and keep its RBAC objects (ServiceAccount, ClusterRole/Binding, Role/Binding).
    const { stdout } = await run(
      path.join(toolsBin({ quiet: true }), 'helm'),
      ['template', release, chartDir, '--namespace', ns.name, '--set', 'crds.install=false'],
      { maxBuffer: 64 << 20 },
    );
    const docs = parseAllDocuments(stdout)
      .map((d) => {
        const js: unknown = d.toJS();
        return js;
      })
      .filter(isRecord)
      .filter((d) =>
        // The webhook registration too: the chart creates it, and the operator may only get and update it.
        ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ValidatingWebhookConfiguration'].includes(String(d.kind)),
      );
    rbacDocs = docs.map((d) => stringify(d));
    const all = parseAllDocuments(stdout).map((d) => {
      const js: unknown = d.toJS();
      return js;
    });
    const deployment = all.filter(isRecord).find((d) => d.kind === 'Deployment');
    const dig = (obj: unknown, ...keys: (string | number)[]): unknown =>
      keys.reduce<unknown>((o, k) => (isRecord(o) || Array.isArray(o) ? (o as Record<string | number, unknown>)[k] : undefined), obj);
    const args = dig(deployment, 'spec', 'template', 'spec', 'containers', 0, 'args');
    assert.ok(Array.isArray(args), 'the chart renders the operator Deployment with args');
    // The test picks its own ports; everything else (leader election, QPS, workers, the webhook's
    // Service and registration) is the chart's.
    const ownPorts = ['--metrics-bind-address', '--health-probe-bind-address', '--webhook-bind-address'];
    chartArgs = args
      .map(String)
      .filter((a) => !ownPorts.some((flag) => a.startsWith(flag)))
      .map((a) => a.replace('$(POD_NAMESPACE)', ns.name));
    const sa = docs.find((d) => d.kind === 'ServiceAccount');
    account = isRecord(sa) && isRecord(sa.metadata) ? String(sa.metadata.name) : '';
    assert.ok(account, 'the chart renders a ServiceAccount');
    await kubectl(['apply', '-n', ns.name, '-f', '-'], rbacDocs.join('---\n'));
  });

  after(async () => {
    await operator?.stop();
    if (rbacDocs.length > 0) await kubectl(['delete', '--ignore-not-found', '-n', ns.name, '-f', '-'], rbacDocs.join('---\n'));
    const client = await testClient();
    for (const name of pvNames) await client.delete(persistentVolumes, undefined, name).catch(() => undefined);
    await ns.remove();
  });

  it('lists no access to Secrets and no wildcard verbs or resources', async () => {
    const out = await kubectl(['auth', 'can-i', '--list', '-n', ns.name, `--as=system:serviceaccount:${ns.name}:${account}`]);
    const rows = out
      .split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '');
    assert.ok(rows.some((r) => r.startsWith('pods ')), `expected pods in:\n${out}`);
    for (const row of rows) {
      const [resources = '', , , verbs = ''] = row.split(/\s{2,}/);
      assert.ok(!/^secrets(\.|\s|$)/.test(resources), `secrets access: ${row}`);
      assert.ok(resources !== '*' && !resources.startsWith('*.'), `wildcard resource: ${row}`);
      assert.ok(!/\*/.test(verbs), `wildcard verb: ${row}`);
    }
  });

  it('rolls out a MyDaemonSet and a MyStatefulSet as the ServiceAccount, with no 403', async () => {
    const client = await testClient();
    // A kubeconfig with the admin's server and CA, and a short-lived token of the chart's account.
    const tokenRequest = await client.request<{ status: { token: string } }>({
      method: 'POST',
      path: `/api/v1/namespaces/${ns.name}/serviceaccounts/${account}/token`,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const admin = new KubeConfig();
    admin.loadFromFile(kubeconfigPath());
    const cluster = admin.getCurrentCluster();
    assert.ok(cluster);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rbac-kc-'));
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'local',
            cluster: {
              server: cluster.server,
              'certificate-authority-data': cluster.caFile
                ? readFileSync(cluster.caFile).toString('base64')
                : (cluster.caData ?? ''),
            },
          },
        ],
        users: [{ name: account, user: { token: tokenRequest.status.token } }],
        contexts: [{ name: 'sa', context: { cluster: 'local', user: account, namespace: ns.name } }],
        'current-context': 'sa',
      }),
    );
    // Every 403 below must be an RBAC refusal: none from namespaces the parallel phase is deleting.
    await waitNamespacesSettled();
    operator = await startOperator({
      kubeconfig: file,
      logFile: logFile(`operator-${ns.name}.log`),
      args: chartArgs,
    });
    assert.ok(operator, 'the operator entrypoint exists');

    // MyDaemonSet: create, then roll a new image out.
    const template = (image: string): MyDaemonSet['spec']['template'] => ({
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [{ name: 'agent', image }] },
    });
    await client.create(myDaemonSets, {
      apiVersion: 'apps.my.dev/v1alpha1',
      kind: 'MyDaemonSet',
      metadata: { name: 'agent', namespace: ns.name },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent:1') },
    });
    const dsDone = (ds: MyDaemonSet): boolean =>
      (ds.status?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 1) &&
      (ds.status?.desiredNumberScheduled ?? 0) > 0 &&
      ds.status?.updatedNumberScheduled === ds.status?.desiredNumberScheduled &&
      ds.status?.numberAvailable === ds.status?.desiredNumberScheduled;
    await waitFor('the MyDaemonSet to roll out', () => client.get(myDaemonSets, ns.name, 'agent'), dsDone);
    await client.patch(myDaemonSets, ns.name, 'agent', 'merge', { spec: { template: template('agent:2') } });
    await waitFor('the new MyDaemonSet image to roll out', () => client.get(myDaemonSets, ns.name, 'agent'), dsDone);

    // MyStatefulSet with claims bound to pre-created volumes, then an image update and a scale.
    const storageClassName = `rbac-${ns.name}`;
    for (let i = 0; i < 3; i++) {
      const name = `${ns.name}-pv-${i}`;
      pvNames.push(name);
      await client.create(persistentVolumes, {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name },
        spec: {
          storageClassName,
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          hostPath: { path: `/tmp/${name}` },
        },
      });
    }
    const setTemplate = (image: string): MyStatefulSet['spec']['template'] => ({
      metadata: { labels: { app: 'db' } },
      spec: { containers: [{ name: 'db', image, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
    });
    await client.create(myStatefulSets, {
      apiVersion: 'apps.my.dev/v1alpha1',
      kind: 'MyStatefulSet',
      metadata: { name: 'db', namespace: ns.name },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: setTemplate('db:1'),
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    });
    const setDone = (replicas: number) => (s: MyStatefulSet): boolean =>
      (s.status?.observedGeneration ?? 0) >= (s.metadata.generation ?? 1) &&
      s.status?.readyReplicas === replicas &&
      s.status?.updatedReplicas === replicas &&
      s.status?.currentRevision === s.status?.updateRevision;
    await waitFor('the MyStatefulSet to run 2 replicas', () => client.get(myStatefulSets, ns.name, 'db'), setDone(2), { timeoutMs: 120_000 });
    await client.patch(myStatefulSets, ns.name, 'db', 'merge', { spec: { template: setTemplate('db:2') } });
    await waitFor('the MyStatefulSet update', () => client.get(myStatefulSets, ns.name, 'db'), setDone(2), { timeoutMs: 120_000 });
    await kubectl(['scale', '-n', ns.name, 'msts/db', '--replicas=3']);
    await waitFor('the MyStatefulSet to scale to 3', () => client.get(myStatefulSets, ns.name, 'db'), setDone(3), { timeoutMs: 120_000 });
    const claims: readonly PersistentVolumeClaim[] = (await client.list(persistentVolumeClaims, { namespace: ns.name })).items;
    assert.deepEqual(claims.map((c) => c.metadata.name).sort(), ['data-db-0', 'data-db-1', 'data-db-2']);
    const setPods = (await client.list(pods, { namespace: ns.name, labelSelector: 'app=db' })).items;
    assert.equal(setPods.filter(isReady).length, 3);

    // Not one request was refused.
    const metrics = parsePromText(await (await fetch(operator.metricsUrl)).text(), new Set(['rest_client_requests_total']));
    const forbidden = metrics.filter((s) => s.labels.code === '403');
    assert.deepEqual(forbidden, [], 'requests refused by RBAC');
  });
});
