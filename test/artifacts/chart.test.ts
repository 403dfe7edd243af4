// The Helm chart and the plain manifests rendered from it: in step with crds/ and the chart, and
// holding the promises the chart makes (CRDs behind crds.install/crds.keep, least-privilege RBAC,
// a Deployment the restricted Pod Security Standard admits, values checked by values.schema.json).
// helm comes from PATH: test/artifacts/run.ts puts the one hack/build-tools.sh builds there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  chartCrdDir,
  chartDir,
  chartCrdTemplates,
  crdDir,
  helmTemplate,
  manifestsDir,
  renderManifests,
  splitDocuments,
  staleFiles,
} from '../../hack/render-manifests.ts';
import { onPath } from './tools.ts';

type Doc = Record<string, unknown>;

function isRecord(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function get(value: unknown, ...keys: (string | number)[]): unknown {
  let node = value;
  for (const key of keys) {
    if (typeof key === 'number') node = Array.isArray(node) ? node[key] : undefined;
    else node = isRecord(node) ? node[key] : undefined;
  }
  return node;
}

function docs(stream: string): Doc[] {
  return splitDocuments(stream).map((text) => {
    const doc: unknown = parse(text);
    if (!isRecord(doc)) throw new Error(`not an object: ${text.slice(0, 200)}`);
    return doc;
  });
}

const kindOf = (doc: Doc): string => String(doc.kind);
const nameOf = (doc: Doc): string => String(get(doc, 'metadata', 'name'));

function only(all: Doc[], kind: string): Doc {
  const found = all.filter((d) => kindOf(d) === kind);
  assert.equal(found.length, 1, `expected one ${kind}, found ${found.length}`);
  const [doc] = found;
  assert.ok(doc);
  return doc;
}

/** The stderr of a helm command that must fail. */
function helmFails(helm: string, args: readonly string[]): string {
  try {
    helmTemplate(helm, args);
  } catch (err) {
    if (err instanceof Error && 'stderr' in err) return String(err.stderr);
    throw err;
  }
  assert.fail(`helm template ${args.join(' ')} succeeded`);
}

describe('Helm chart and plain manifests', function () {
  this.timeout(60_000);
  let helm = '';
  let defaults: Doc[] = [];

  before(() => {
    helm = onPath('helm');
    defaults = docs(helmTemplate(helm));
  });

  it('keeps the chart copies of crds/ in step (npm run manifests)', () => {
    assert.deepEqual(staleFiles(chartCrdDir, chartCrdTemplates()), [], 'stale: run `npm run manifests`');
  });

  it('keeps deploy/manifests/ in step with the chart (npm run manifests)', () => {
    assert.deepEqual(staleFiles(manifestsDir, renderManifests(helm)), [], 'stale: run `npm run manifests`');
  });

  it('passes helm lint --strict, with and without the optional objects', () => {
    execFileSync(helm, ['lint', '--strict', chartDir], { stdio: 'pipe' });
    execFileSync(helm, ['lint', '--strict', chartDir, '--set', 'serviceMonitor.enabled=true,podDisruptionBudget.enabled=true'], {
      stdio: 'pipe',
    });
  });

  it('renders every CRD of crds/ with its spec unchanged, the chart labels and the keep policy', () => {
    const crds = defaults.filter((d) => kindOf(d) === 'CustomResourceDefinition');
    const sources = [...chartCrdTemplates().keys()];
    assert.equal(crds.length, sources.length);
    for (const file of sources) {
      const source: unknown = parse(readFileSync(path.join(crdDir, file), 'utf8'));
      const rendered = crds.find((d) => nameOf(d) === get(source, 'metadata', 'name'));
      assert.ok(rendered, `${file} is not rendered`);
      assert.deepEqual(rendered.spec, get(source, 'spec'), `${file}: spec differs`);
      assert.equal(get(rendered, 'metadata', 'annotations', 'helm.sh/resource-policy'), 'keep');
      assert.equal(get(rendered, 'metadata', 'labels', 'app.kubernetes.io/managed-by'), 'Helm');
    }
  });

  it('leaves the CRDs out with crds.install=false, and the keep policy with crds.keep=false', () => {
    const without = docs(helmTemplate(helm, ['--set', 'crds.install=false']));
    assert.deepEqual(without.filter((d) => kindOf(d) === 'CustomResourceDefinition'), []);
    const crdCount = chartCrdTemplates().size;
    assert.equal(without.length, defaults.length - crdCount);
    const unkept = docs(helmTemplate(helm, ['--set', 'crds.keep=false'])).filter((d) => kindOf(d) === 'CustomResourceDefinition');
    assert.equal(unkept.length, crdCount);
    for (const crd of unkept) assert.equal(get(crd, 'metadata', 'annotations'), undefined);
  });

  it('grants no wildcards, no Secrets or ConfigMaps, and Leases only in the release namespace', () => {
    const rules = [only(defaults, 'ClusterRole'), only(defaults, 'Role')].flatMap((role) => {
      const list = get(role, 'rules');
      assert.ok(Array.isArray(list));
      return list.map((rule: unknown) => ({ role: kindOf(role), rule }));
    });
    for (const { role, rule } of rules) {
      const words = ['apiGroups', 'resources', 'verbs'].flatMap((k) => {
        const v = get(rule, k);
        return Array.isArray(v) ? v.map(String) : [];
      });
      assert.ok(!words.includes('*'), `${role} has a wildcard: ${JSON.stringify(rule)}`);
      const resources = get(rule, 'resources');
      assert.ok(Array.isArray(resources));
      for (const r of resources.map(String)) {
        assert.ok(!/^(secrets|configmaps)(\/|$)/.test(r), `${role} grants ${r}`);
        if (r === 'leases') assert.equal(role, 'Role', 'leases granted cluster-wide');
      }
    }
    assert.equal(get(only(defaults, 'Role'), 'metadata', 'namespace'), 'my-workload-operator');
  });

  it('grants on apps.my.dev what the controllers use and no more: /scale only on MyStatefulSets, create and delete on MyReplicaSets only', () => {
    const verbsOf = new Map<string, string[]>();
    const list = get(only(defaults, 'ClusterRole'), 'rules');
    assert.ok(Array.isArray(list));
    for (const rule of list) {
      const groups = get(rule, 'apiGroups');
      if (!Array.isArray(groups) || !groups.includes('apps.my.dev')) continue;
      const resources = get(rule, 'resources');
      const verbs = get(rule, 'verbs');
      assert.ok(Array.isArray(resources) && Array.isArray(verbs));
      for (const r of resources.map(String)) verbsOf.set(r, [...(verbsOf.get(r) ?? []), ...verbs.map(String)].sort());
    }
    const owner = ['get', 'list', 'patch', 'update', 'watch'];
    const status = ['get', 'patch', 'update'];
    assert.deepEqual(Object.fromEntries([...verbsOf].sort(([a], [b]) => a.localeCompare(b))), {
      mydaemonsets: owner,
      'mydaemonsets/finalizers': ['update'],
      'mydaemonsets/status': status,
      mydeployments: owner,
      'mydeployments/finalizers': ['update'],
      'mydeployments/status': status,
      myreplicasets: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      'myreplicasets/finalizers': ['update'],
      'myreplicasets/status': status,
      mystatefulsets: owner,
      'mystatefulsets/finalizers': ['update'],
      'mystatefulsets/scale': ['get', 'patch', 'update'],
      'mystatefulsets/status': status,
    });
  });

  it('reads StorageClasses and patches claims, for claim-template growth (docs/volume-growth.md)', () => {
    const list = get(only(defaults, 'ClusterRole'), 'rules');
    assert.ok(Array.isArray(list));
    const verbsFor = (group: string, resource: string): string[] =>
      list
        .filter((rule: unknown) => {
          const groups = get(rule, 'apiGroups');
          const resources = get(rule, 'resources');
          return Array.isArray(groups) && groups.includes(group) && Array.isArray(resources) && resources.includes(resource);
        })
        .flatMap((rule: unknown) => {
          const verbs = get(rule, 'verbs');
          return Array.isArray(verbs) ? verbs.map(String) : [];
        })
        .sort();
    assert.deepEqual(verbsFor('storage.k8s.io', 'storageclasses'), ['get', 'list', 'watch']);
    assert.ok(verbsFor('', 'persistentvolumeclaims').includes('patch'));
  });

  it('runs two leader-electing replicas as the restricted Pod Security Standard requires', () => {
    const deployment = only(defaults, 'Deployment');
    assert.equal(get(deployment, 'spec', 'replicas'), 2);
    const pod = get(deployment, 'spec', 'template', 'spec');
    const container = get(pod, 'containers', 0);
    const args = get(container, 'args');
    assert.ok(Array.isArray(args));
    assert.ok(args.includes('--leader-elect'));
    assert.ok(args.includes('--leader-election-namespace=$(POD_NAMESPACE)'));
    assert.equal(get(pod, 'securityContext', 'runAsNonRoot'), true);
    assert.equal(get(pod, 'securityContext', 'runAsUser'), 65532);
    assert.equal(get(pod, 'securityContext', 'seccompProfile', 'type'), 'RuntimeDefault');
    assert.equal(get(container, 'securityContext', 'allowPrivilegeEscalation'), false);
    assert.equal(get(container, 'securityContext', 'readOnlyRootFilesystem'), true);
    assert.deepEqual(get(container, 'securityContext', 'capabilities', 'drop'), ['ALL']);
    assert.equal(get(container, 'livenessProbe', 'httpGet', 'path'), '/healthz');
    assert.equal(get(container, 'readinessProbe', 'httpGet', 'path'), '/readyz');
    assert.equal(get(container, 'image'), 'my-workload-operator:0.1.0');
  });

  it('passes log level, client limits, workers and extra args to the operator', () => {
    const rendered = docs(
      helmTemplate(helm, [
        '--set',
        'logLevel=debug,kubeApiQps=20,kubeApiBurst=40,workers.daemonset=3,workers.statefulset=7,image.tag=dev',
        '--set-json',
        'extraArgs=["--namespace=team-a"]',
      ]),
    );
    const container = get(only(rendered, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0);
    const args = get(container, 'args');
    assert.ok(Array.isArray(args));
    for (const want of ['--log-level=debug', '--kube-api-qps=20', '--kube-api-burst=40', '--workers-daemonset=3', '--workers-statefulset=7']) {
      assert.ok(args.includes(want), `missing ${want} in ${JSON.stringify(args)}`);
    }
    assert.equal(args.at(-1), '--namespace=team-a');
    assert.equal(get(container, 'image'), 'my-workload-operator:dev');
  });

  it("spreads replicas by hostname by default, and gives topology spread constraints the operator's selector unless they have one", () => {
    const pod = (rendered: Doc[]): unknown => get(only(rendered, 'Deployment'), 'spec', 'template', 'spec');
    const antiAffinity = get(pod(defaults), 'affinity', 'podAntiAffinity', 'preferredDuringSchedulingIgnoredDuringExecution', 0, 'podAffinityTerm');
    assert.equal(get(antiAffinity, 'topologyKey'), 'kubernetes.io/hostname');
    assert.equal(get(pod(defaults), 'topologySpreadConstraints'), undefined);
    const constraints = [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { own: 'x' } } },
    ];
    const spread = get(pod(docs(helmTemplate(helm, ['--set-json', `topologySpreadConstraints=${JSON.stringify(constraints)}`]))), 'topologySpreadConstraints');
    assert.deepEqual(spread, [
      { ...constraints[0], labelSelector: get(only(defaults, 'Deployment'), 'spec', 'selector') },
      constraints[1],
    ]);
  });

  it('adds the ServiceMonitor and PodDisruptionBudget only when enabled', () => {
    assert.ok(!defaults.some((d) => ['ServiceMonitor', 'PodDisruptionBudget'].includes(kindOf(d))));
    const rendered = docs(helmTemplate(helm, ['--set', 'serviceMonitor.enabled=true,podDisruptionBudget.enabled=true']));
    assert.equal(get(only(rendered, 'PodDisruptionBudget'), 'spec', 'minAvailable'), 1);
    assert.equal(get(only(rendered, 'ServiceMonitor'), 'spec', 'endpoints', 0, 'port'), 'metrics');
  });

  it('rejects values of the wrong type, unknown keys and two replicas without leader election', () => {
    assert.match(helmFails(helm, ['--set', 'replicaCount=two']), /replicaCount.*want integer/);
    assert.match(helmFails(helm, ['--set', 'logLevel=loud']), /logLevel/);
    assert.match(helmFails(helm, ['--set', 'crds.instal=false']), /additional properties 'instal' not allowed/);
    assert.match(helmFails(helm, ['--set', 'leaderElection.enabled=false']), /needs leaderElection.enabled/);
  });
});
