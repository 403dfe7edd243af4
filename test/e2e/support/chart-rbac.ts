// Running the operator with exactly the Helm chart's RBAC: the chart rendered for a namespace, its
// ServiceAccount, roles and bindings applied, and a kubeconfig carrying a TokenRequest token of
// that account (kwok nodes run no containers, so the chart's own Deployment never starts).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { isRecord } from '../../../src/api/meta.ts';
import { chartDir, toolsBin } from '../../../hack/render-manifests.ts';
import { kubeconfigPath, kubectl, testClient } from './env.ts';

const run = promisify(execFile);

// The webhook registration too: the chart creates it, and the operator may only get and update it.
const rbacKinds = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ValidatingWebhookConfiguration'];

export interface ChartRbac {
  /** The chart's ServiceAccount, ClusterRole/Binding and Role/Binding, as one multi-document YAML. */
  readonly manifest: string;
  /** The ServiceAccount's name. */
  readonly account: string;
  /**
   * The operator's flags as the chart's Deployment sets them, for `namespace`, without the metrics,
   * health and webhook addresses (a test picks its own ports).
   */
  readonly operatorArgs: readonly string[];
}

/** `helm template` of the chart as release `namespace` in `namespace`, CRDs left out. */
export async function renderChartRbac(namespace: string): Promise<ChartRbac> {
  const { stdout } = await run(
    path.join(toolsBin({ quiet: true }), 'helm'),
    ['template', namespace, chartDir, '--namespace', namespace, '--set', 'crds.install=false'],
    { maxBuffer: 64 << 20 },
  );
  const docs = parseAllDocuments(stdout)
    .map((d) => {
      const js: unknown = d.toJS();
      return js;
    })
    .filter(isRecord);
  const rbac = docs.filter((d) => rbacKinds.includes(String(d.kind)));
  const sa = rbac.find((d) => d.kind === 'ServiceAccount');
  const account = isRecord(sa) && isRecord(sa.metadata) ? String(sa.metadata.name) : '';
  if (account === '') throw new Error('the chart renders no ServiceAccount');
  const deployment = docs.find((d) => d.kind === 'Deployment');
  const spec = isRecord(deployment) && isRecord(deployment.spec) && isRecord(deployment.spec.template) ? deployment.spec.template.spec : undefined;
  const container: unknown = isRecord(spec) && Array.isArray(spec.containers) ? spec.containers[0] : undefined;
  const args: unknown = isRecord(container) ? container.args : undefined;
  if (!Array.isArray(args)) throw new Error('the chart renders no operator Deployment with args');
  return {
    manifest: rbac.map((d) => stringify(d)).join('---\n'),
    account,
    operatorArgs: args
      .map(String)
      .filter((a) => !['--metrics-bind-address', '--health-probe-bind-address', '--webhook-bind-address'].some((flag) => a.startsWith(flag)))
      .map((a) => a.replace('$(POD_NAMESPACE)', namespace)),
  };
}

export async function applyChartRbac(namespace: string, rbac: ChartRbac): Promise<void> {
  await kubectl(['apply', '-n', namespace, '-f', '-'], rbac.manifest);
}

export async function deleteChartRbac(namespace: string, rbac: ChartRbac): Promise<void> {
  await kubectl(['delete', '--ignore-not-found', '-n', namespace, '-f', '-'], rbac.manifest);
}

/**
 * A kubeconfig file with the admin kubeconfig's server and CA and a one-hour token of
 * ServiceAccount `account`; returns its path.
 */
export async function serviceAccountKubeconfig(namespace: string, account: string): Promise<string> {
  const client = await testClient();
  const tokenRequest = await client.request<{ status: { token: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const admin = new KubeConfig();
  admin.loadFromFile(kubeconfigPath());
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error(`no current cluster in ${kubeconfigPath()}`);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'sa-kubeconfig-')), 'kubeconfig');
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
            'certificate-authority-data': cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : (cluster.caData ?? ''),
          },
        },
      ],
      users: [{ name: account, user: { token: tokenRequest.status.token } }],
      contexts: [{ name: 'sa', context: { cluster: 'local', user: account, namespace } }],
      'current-context': 'sa',
    }),
  );
  return file;
}
