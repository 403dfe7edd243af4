// The Helm chart and the plain manifests against the real API server: `helm install` into a
// namespace that enforces the restricted Pod Security Standard creates every object and its
// Deployment is admitted; `helm upgrade` with changed values rolls the Deployment; `helm uninstall`
// leaves nothing behind; deploy/manifests/ passes a server-side dry run.
//
// The release is named after the test namespace, so its cluster-scoped ClusterRole and binding
// cannot collide with another test's. It installs with crds.install=false: the runner applies
// crds/ for every test, and a release must not take over the cluster-wide CRDs. The operator
// pods never start (kwok nodes run no containers), so they cannot compete with the e2e operator.
//
//   npm run test:e2e -- test/e2e/parallel/helm-install.e2e.ts
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../../../src/api/meta.ts';
import { pods, resource } from '../../../src/api/resources.ts';
import { chartDir, manifestsDir, releaseNamespace, toolsBin } from '../../../hack/render-manifests.ts';
import { createNamespace, kubeconfigPath, kubectl, kubectlFails, testClient, waitFor } from '../support/env.ts';

const run = promisify(execFile);

interface Deployment extends KubeObject {
  readonly spec: {
    readonly replicas?: number;
    readonly template: { readonly spec: { readonly containers: readonly { readonly args?: readonly string[] }[] } };
  };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly readyReplicas?: number;
  };
}
const deployments = resource<Deployment>('apps', 'v1', 'deployments', 'Deployment', true);

/** Every replica of the Deployment's current generation is updated and Ready, and no old one is left. */
const rolledOut = (d: Deployment): boolean =>
  d.status?.observedGeneration === d.metadata.generation &&
  d.status?.updatedReplicas === d.spec.replicas &&
  d.status?.readyReplicas === d.spec.replicas &&
  d.status?.replicas === d.spec.replicas;

describe('Helm chart on the local control plane', function () {
  this.timeout(300_000);
  let ns: { name: string; remove: () => Promise<void> };
  let helmBin = '';
  let helmHome = '';
  let release = '';
  let fullname = '';

  /** helm against the test cluster, with its own config and cache folders. */
  async function helm(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    return run(helmBin, [...args, '--kubeconfig', kubeconfigPath()], {
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        HELM_CONFIG_HOME: path.join(helmHome, 'config'),
        HELM_CACHE_HOME: path.join(helmHome, 'cache'),
        HELM_DATA_HOME: path.join(helmHome, 'data'),
      },
    });
  }

  /** The release's objects, as kind/name, in the namespace or cluster-wide. */
  async function releaseObjects(kinds: string, namespaced: boolean): Promise<string[]> {
    const where = namespaced ? ['-n', ns.name] : [];
    const out = await kubectl(['get', kinds, ...where, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']);
    return out.split('\n').filter((l) => l !== '').sort();
  }

  before(async function () {
    this.timeout(20 * 60_000); // a cold build of helm takes about 2 minutes
    helmBin = path.join(toolsBin({ quiet: true }), 'helm');
    helmHome = mkdtempSync(path.join(os.tmpdir(), 'mwo-helm-'));
    ns = await createNamespace('helm');
    await kubectl([
      'label', 'namespace', ns.name,
      'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/enforce-version=latest',
      'pod-security.kubernetes.io/warn=restricted', 'pod-security.kubernetes.io/warn-version=latest',
    ]);
    release = ns.name;
    fullname = `${release}-my-workload-operator`;
  });

  after(async function () {
    this.timeout(120_000);
    if (release) {
      await helm(['uninstall', release, '--namespace', ns.name, '--wait', '--ignore-not-found']).catch((err: unknown) =>
        console.error(`helm uninstall ${release}: ${String(err)}`),
      );
      // A release that failed half-way may leave cluster-scoped objects helm does not know of.
      await kubectl(['delete', 'clusterrole,clusterrolebinding,validatingwebhookconfiguration', '-l', `app.kubernetes.io/instance=${release}`, '--ignore-not-found']);
      await ns.remove();
    }
    if (helmHome) rmSync(helmHome, { recursive: true, force: true });
  });

  it('enforces the restricted Pod Security Standard in the test namespace', async () => {
    const stderr = await kubectlFails(['run', 'root-pod', '-n', ns.name, '--image=example.com/app:1', '--dry-run=server']);
    assert.match(stderr, /violates PodSecurity "restricted:latest"/);
  });

  it('installs every object, and the restricted namespace admits the operator Deployment', async () => {
    const { stderr } = await helm([
      'install', release, chartDir, '--namespace', ns.name,
      '--set', 'crds.install=false,podDisruptionBudget.enabled=true',
      '--wait', '--timeout', '3m',
    ]);
    assert.doesNotMatch(stderr, /PodSecurity|[Ww]arning/, `helm printed warnings:\n${stderr}`);

    assert.deepEqual(await releaseObjects('serviceaccount,role,rolebinding,service,deployment,poddisruptionbudget', true), [
      `deployment.apps/${fullname}`,
      `poddisruptionbudget.policy/${fullname}`,
      `role.rbac.authorization.k8s.io/${fullname}-leader-election`,
      `rolebinding.rbac.authorization.k8s.io/${fullname}-leader-election`,
      `service/${fullname}-metrics`,
      `service/${fullname}-webhook`,
      `serviceaccount/${fullname}`,
    ]);
    assert.deepEqual(await releaseObjects('clusterrole,clusterrolebinding,validatingwebhookconfiguration', false), [
      `clusterrole.rbac.authorization.k8s.io/${fullname}`,
      `clusterrolebinding.rbac.authorization.k8s.io/${fullname}`,
      `validatingwebhookconfiguration.admissionregistration.k8s.io/${fullname}`,
    ]);

    const client = await testClient();
    const deployment = await client.get(deployments, ns.name, fullname);
    assert.ok(rolledOut(deployment), `not rolled out: ${JSON.stringify(deployment.status)}`);
    assert.equal(deployment.status?.readyReplicas, 2);
    const running = await client.list(pods, { namespace: ns.name, labelSelector: `app.kubernetes.io/instance=${release}` });
    assert.equal(running.items.length, 2);
    for (const pod of running.items) assert.equal(pod.spec.serviceAccountName, fullname);
  });

  it('lets the operator get and update its own webhook registration only, which holds nothing until a replica registers', async () => {
    // kwok runs no operator process: the registration stays as the chart made it, so it affects no
    // other test's applies.
    const as = `--as=system:serviceaccount:${ns.name}:${fullname}`;
    const can = async (...args: string[]): Promise<string> => {
      try {
        return (await kubectl(['auth', 'can-i', ...args, as])).trim();
      } catch {
        return 'no'; // can-i exits 1 on "no"
      }
    };
    assert.equal(await can('get', `validatingwebhookconfigurations/${fullname}`), 'yes');
    assert.equal(await can('update', `validatingwebhookconfigurations/${fullname}`), 'yes');
    assert.equal(await can('create', 'validatingwebhookconfigurations'), 'no');
    assert.equal(await can('update', 'validatingwebhookconfigurations/someone-else'), 'no');
    assert.equal(await can('get', 'secrets', '-n', ns.name), 'no');
    assert.equal(await kubectl(['get', 'validatingwebhookconfiguration', fullname, '-o', 'jsonpath={.webhooks}']), '');
  });

  it('upgrades with changed values and rolls the Deployment', async () => {
    const client = await testClient();
    const before = await client.get(deployments, ns.name, fullname);
    await helm([
      'upgrade', release, chartDir, '--namespace', ns.name,
      '--set', 'crds.install=false,podDisruptionBudget.enabled=true',
      '--set', 'logLevel=debug,kubeApiQps=25,kubeApiBurst=50,workers.daemonset=4,workers.statefulset=9',
      '--wait', '--timeout', '3m',
    ]);
    const after = await waitFor('the upgraded Deployment to roll out', () => client.get(deployments, ns.name, fullname), rolledOut);
    assert.ok((after.metadata.generation ?? 0) > (before.metadata.generation ?? 0), 'the Deployment did not change');
    const args = after.spec.template.spec.containers[0]?.args ?? [];
    for (const want of ['--log-level=debug', '--kube-api-qps=25', '--kube-api-burst=50', '--workers-daemonset=4', '--workers-statefulset=9']) {
      assert.ok(args.includes(want), `missing ${want} in ${JSON.stringify(args)}`);
    }
    const { stdout } = await helm(['history', release, '--namespace', ns.name, '-o', 'json']);
    const history: unknown = JSON.parse(stdout);
    assert.ok(Array.isArray(history));
    const field = (entry: unknown, key: string): unknown => (typeof entry === 'object' && entry !== null ? Object.entries(entry).find(([k]) => k === key)?.[1] : undefined);
    assert.deepEqual(
      history.map((entry: unknown) => [field(entry, 'revision'), field(entry, 'status')]),
      [
        [1, 'superseded'],
        [2, 'deployed'],
      ],
    );
  });

  it('uninstalls without leaving an object behind', async () => {
    await helm(['uninstall', release, '--namespace', ns.name, '--wait']);
    assert.deepEqual(await releaseObjects('clusterrole,clusterrolebinding,validatingwebhookconfiguration', false), []);
    await waitFor(
      'the release objects and pods to go',
      () => releaseObjects('serviceaccount,role,rolebinding,service,deployment,poddisruptionbudget,replicaset,pod', true),
      (left) => left.length === 0,
    );
  });

  for (const mode of ['client-side', 'server-side'] as const) {
    it(`passes a server-side dry run of deploy/manifests/ applied ${mode} (the operator objects in the test namespace)`, async () => {
      // CRDs and Namespace as they are; the namespaced objects moved into the test namespace, where
      // the restricted Pod Security Standard also checks the Deployment's pod template.
      const apply = ['apply', ...(mode === 'server-side' ? ['--server-side', '--force-conflicts'] : []), '--dry-run=server', '-f', '-'];
      const applied = mode === 'server-side' ? 'serverside-applied' : '(created|configured|unchanged)';
      const expectApplied = (out: string, objects: readonly string[]): void => {
        const lines = out.trim().split('\n');
        assert.equal(lines.length, objects.length, out);
        objects.forEach((object, i) => assert.match(lines[i] ?? '', new RegExp(`^${object} ${applied} \\(server dry run\\)$`)));
      };
      const crds = await kubectl(apply, readFileSync(path.join(manifestsDir, 'crds.yaml'), 'utf8'));
      expectApplied(
        crds,
        ['mydaemonsets', 'mydeployments', 'myreplicasets', 'mystatefulsets'].map((plural) => `customresourcedefinition.apiextensions.k8s.io/${plural}.apps.my.dev`),
      );
      expectApplied(await kubectl(apply, readFileSync(path.join(manifestsDir, 'namespace.yaml'), 'utf8')), [`namespace/${releaseNamespace}`]);
      const operator = readFileSync(path.join(manifestsDir, 'operator.yaml'), 'utf8').replaceAll(
        new RegExp(`^(\\s*)namespace: ${releaseNamespace}$`, 'gm'),
        `$1namespace: ${ns.name}`,
      );
      assert.ok(operator.includes(`namespace: ${ns.name}`));
      expectApplied(await kubectl(apply, operator), [
        'serviceaccount/my-workload-operator',
        'clusterrole.rbac.authorization.k8s.io/my-workload-operator',
        'clusterrolebinding.rbac.authorization.k8s.io/my-workload-operator',
        'role.rbac.authorization.k8s.io/my-workload-operator-leader-election',
        'rolebinding.rbac.authorization.k8s.io/my-workload-operator-leader-election',
        'service/my-workload-operator-metrics',
        'service/my-workload-operator-webhook',
        'deployment.apps/my-workload-operator',
        'validatingwebhookconfiguration.admissionregistration.k8s.io/my-workload-operator',
      ]);
    });
  }
});
