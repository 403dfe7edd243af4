// `kubectl my set image|resources|env` end to end against a local stand-in for the API server that
// applies JSON patches and honours the resourceVersion precondition: what each command sends,
// prints and fails with.
import assert from 'node:assert/strict';
import { Command } from 'commander';
import type { MyDaemonSet, MyDeployment } from '../../src/api/workloads.ts';
import { buildCli } from '../../src/cli/main.ts';
import { registerSet } from '../../src/cli/set/command.ts';
import { startRecordingApiServer, type Answer, type ReceivedRequest, type RecordingApiServer } from '../support/recording-api-server.ts';

const base = '/apis/apps.my.dev/v1alpha1/namespaces/ns';
const fluentdPath = `${base}/mydaemonsets/fluentd`;
const webPath = `${base}/mydeployments/web`;
const apiPath = `${base}/mydeployments/api`;

function daemonSet(): MyDaemonSet {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDaemonSet',
    metadata: { namespace: 'ns', name: 'fluentd', resourceVersion: '10', managedFields: [{ manager: 'kubectl' }] },
    spec: {
      selector: { matchLabels: { name: 'fluentd' } },
      template: {
        metadata: { labels: { name: 'fluentd' } },
        spec: { containers: [{ name: 'fluentd', image: 'fluentd:1' }], initContainers: [{ name: 'init', image: 'busybox' }] },
      },
    },
  };
}

function deployment(name: string, labels: Record<string, string>): MyDeployment {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDeployment',
    metadata: { namespace: 'ns', name, resourceVersion: '20', labels, annotations: { team: 'a' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image: `${name}:1`, env: [{ name: 'MODE', value: 'prod' }] },
            { name: 'sidecar', image: 'proxy:1', resources: { limits: { memory: '1Gi' } } },
          ],
        },
      },
    },
  };
}

type Operation = { op: string; path: string; value?: unknown };

function isOperation(value: unknown): value is Operation {
  return typeof value === 'object' && value !== null && 'op' in value && 'path' in value;
}

/** RFC 6902 add/replace/remove on a copy of `doc`, enough for what `set` sends. */
function applyPatch(doc: unknown, operations: readonly Operation[]): unknown {
  const copy: unknown = structuredClone(doc);
  for (const { op, path, value } of operations) {
    const tokens = path.split('/').slice(1).map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = tokens.pop() ?? '';
    let parent: unknown = copy;
    for (const token of tokens) parent = (parent as Record<string, unknown>)[token];
    const target = parent as Record<string, unknown>;
    if (op === 'remove') delete target[last];
    else target[last] = value;
  }
  return copy;
}

function notFound(path: string): Answer {
  const name = path.split('/').pop() ?? '';
  return { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: `mydeployments.apps.my.dev "${name}" not found` } };
}

describe('kubectl my set, over HTTP', () => {
  let server: RecordingApiServer;
  let stored: Map<string, unknown>;
  /** Concurrent writes to make before answering the next PATCHes: each bumps the object and answers 409. */
  let concurrentEdits: number;

  function resourceVersionOf(obj: unknown): string {
    return String((obj as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
  }

  function bump(obj: unknown, edit: (o: MyDeployment) => MyDeployment = (o) => o): unknown {
    const next = edit(structuredClone(obj) as MyDeployment);
    return { ...next, metadata: { ...next.metadata, resourceVersion: String(Number(next.metadata.resourceVersion) + 1) } };
  }

  function answer(request: ReceivedRequest): Answer {
    const [path = '', query = ''] = request.url.split('?');
    const params = new URLSearchParams(query);
    if (request.method === 'GET') {
      const obj = stored.get(path);
      if (obj !== undefined) return { status: 200, body: obj };
      const prefix = `${path}/`;
      const selector = params.get('labelSelector') ?? '';
      // Listed by name, as the API server lists.
      const items = [...stored]
        .filter(([p]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, o]) => o);
      if (items.length > 0 || path.endsWith('s')) {
        const [key, value] = selector.split('=');
        const selected = items.filter((o) => selector === '' || (o as MyDeployment).metadata.labels?.[key ?? ''] === value);
        return { status: 200, body: { metadata: { resourceVersion: '99' }, items: selected } };
      }
      return notFound(path);
    }
    if (request.method === 'PATCH') {
      const current = stored.get(path);
      if (current === undefined) return notFound(path);
      if (concurrentEdits > 0) {
        concurrentEdits -= 1;
        stored.set(path, bump(current, (d) => ({ ...d, metadata: { ...d.metadata, labels: { ...d.metadata.labels, edited: String(concurrentEdits) } } })));
        return { status: 409, body: { kind: 'Status', code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled: the object has been modified' } };
      }
      const parsed: unknown = JSON.parse(request.body);
      const operations = Array.isArray(parsed) ? parsed.filter(isOperation) : [];
      const patched = applyPatch(current, operations);
      if (resourceVersionOf(patched) !== resourceVersionOf(current)) {
        return { status: 409, body: { kind: 'Status', code: 409, reason: 'Conflict', message: 'the object has been modified' } };
      }
      const result = bump(patched);
      if (params.get('dryRun') !== 'All') stored.set(path, result);
      return { status: 200, body: result };
    }
    return notFound(path);
  }

  before(async () => {
    server = await startRecordingApiServer((request) => answer(request));
  });
  after(() => server.close());
  beforeEach(() => {
    stored = new Map<string, unknown>([
      [fluentdPath, daemonSet()],
      [webPath, deployment('web', { tier: 'front' })],
      [apiPath, deployment('api', { tier: 'back' })],
      ['/api/v1/namespaces/ns/configmaps/settings', { metadata: { name: 'settings' }, data: { 'log-level': 'debug', ZONE: 'a' } }],
    ]);
    concurrentEdits = 0;
    server.received.length = 0;
  });

  /** Runs the plugin on `args` (also its argv, for --record); resolves to what it printed on stdout. */
  async function kubectlMy(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    await buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' }), args).parseAsync(args, { from: 'user' });
    return lines;
  }

  const patches = (): ReceivedRequest[] => server.received.filter((r) => r.method === 'PATCH');
  const storedDeployment = (path: string): MyDeployment => stored.get(path) as MyDeployment;

  describe('set image', () => {
    it('patches the image behind a resourceVersion precondition, records the command line, and says image updated', async () => {
      const args = ['set', 'image', 'mds/fluentd', 'fluentd=fluentd:2', '--record', '-n', 'ns'];
      assert.deepEqual(await kubectlMy(...args), ['mydaemonset.apps.my.dev/fluentd image updated']);
      const [patch, ...more] = patches();
      assert.ok(patch && more.length === 0);
      assert.equal(patch.url, `${fluentdPath}?fieldManager=kubectl-set`);
      assert.equal(patch.contentType, 'application/json-patch+json');
      const cause = 'kubectl my set image mds/fluentd fluentd=fluentd:2 --record=true --namespace=ns';
      assert.deepEqual(JSON.parse(patch.body), [
        { op: 'replace', path: '/metadata/resourceVersion', value: '10' },
        { op: 'add', path: '/metadata/annotations', value: { 'kubernetes.io/change-cause': cause } },
        { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'fluentd:2' },
      ]);
      assert.equal((stored.get(fluentdPath) as MyDaemonSet).metadata.annotations?.['kubernetes.io/change-cause'], cause);
    });

    it('prints nothing and writes nothing when the image is already set', async () => {
      assert.deepEqual(await kubectlMy('set', 'image', 'mdeploy/web', 'app=web:1'), []);
      assert.deepEqual(patches(), []);
    });

    it('sets `*` on every container and init container of every object --all selects, and -o name prints the names', async () => {
      assert.deepEqual(await kubectlMy('set', 'image', 'mdeploy', '--all', '*=base:2', '-o', 'name'), [
        'mydeployment.apps.my.dev/api',
        'mydeployment.apps.my.dev/web',
      ]);
      assert.deepEqual(
        storedDeployment(webPath).spec.template.spec.containers.map((c) => c.image),
        ['base:2', 'base:2'],
      );
    });

    it('acts on the objects -l selects only', async () => {
      assert.deepEqual(await kubectlMy('set', 'image', 'mdeploy', '-l', 'tier=back', 'app=api:2'), ['mydeployment.apps.my.dev/api image updated']);
      assert.ok(server.received.some((r) => r.method === 'GET' && r.url.includes('labelSelector=tier%3Dback')));
      assert.equal(storedDeployment(webPath).spec.template.spec.containers[0]?.image, 'web:1');
    });

    it('updates the objects that have the container and then fails naming the one missing, as kubectl does', async () => {
      const lines: string[] = [];
      const run = buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' }), []);
      await assert.rejects(run.parseAsync(['set', 'image', 'mdeploy/web', 'mds/fluentd', 'app=web:2'], { from: 'user' }), {
        name: 'SetError',
        message: 'unable to find container named "app"',
      });
      assert.deepEqual(lines, ['mydeployment.apps.my.dev/web image updated']);
      assert.equal(patches().length, 1);
    });

    it('--dry-run=client prints the changed object as YAML and sends nothing', async () => {
      const [yaml = ''] = await kubectlMy('set', 'image', 'mds/fluentd', 'fluentd=fluentd:3', '--dry-run=client', '-o', 'yaml');
      assert.deepEqual(patches(), []);
      assert.match(yaml, /^apiVersion: apps.my.dev\/v1alpha1\nkind: MyDaemonSet\nmetadata:\n {2}name: fluentd\n/);
      assert.match(yaml, /\n {6}containers:\n {6}- image: fluentd:3\n {8}name: fluentd\n/);
      assert.doesNotMatch(yaml, /managedFields/);
      assert.deepEqual(await kubectlMy('set', 'image', 'mds/fluentd', 'fluentd=fluentd:3', '--dry-run=client'), [
        'mydaemonset.apps.my.dev/fluentd image updated (dry run)',
      ]);
    });

    it('--dry-run=server sends the patch with dryRun=All and stores nothing', async () => {
      assert.deepEqual(await kubectlMy('set', 'image', 'mds/fluentd', 'fluentd=fluentd:3', '--dry-run=server'), [
        'mydaemonset.apps.my.dev/fluentd image updated (server dry run)',
      ]);
      assert.equal(patches()[0]?.url, `${fluentdPath}?fieldManager=kubectl-set&dryRun=All`);
      assert.equal((stored.get(fluentdPath) as MyDaemonSet).spec.template.spec.containers[0]?.image, 'fluentd:1');
    });

    it('prints -o json as kubectl prints a custom resource: sorted keys, four spaces', async () => {
      const [json = ''] = await kubectlMy('set', 'image', 'mdeploy/web', 'app=web:<2>', '-o', 'json');
      assert.match(json, /^\{\n {4}"apiVersion": "apps.my.dev\/v1alpha1",\n {4}"kind": "MyDeployment",\n {4}"metadata": \{\n {8}"annotations": \{/);
      assert.match(json, /"image": "web:\\u003c2\\u003e"/);
    });

    it('reads the object again after a conflict and patches the new version without undoing the other edit', async () => {
      concurrentEdits = 1;
      assert.deepEqual(await kubectlMy('set', 'image', 'mdeploy/web', 'app=web:2'), ['mydeployment.apps.my.dev/web image updated']);
      const [first, second] = patches();
      assert.equal((JSON.parse(first?.body ?? '[]') as Operation[])[0]?.value, '20');
      assert.equal((JSON.parse(second?.body ?? '[]') as Operation[])[0]?.value, '21');
      const web = storedDeployment(webPath);
      assert.equal(web.spec.template.spec.containers[0]?.image, 'web:2');
      assert.equal(web.metadata.labels?.edited, '0');
    });

    it('gives up after five conflicts with kubectl’s message', async () => {
      concurrentEdits = 5;
      await assert.rejects(kubectlMy('set', 'image', 'mdeploy/web', 'app=web:2'), {
        message: 'failed to patch image update to pod template: Operation cannot be fulfilled: the object has been modified',
      });
      assert.equal(patches().length, 5);
    });

    it('refuses before writing: a missing object, no image pair, an unknown flag', async () => {
      await assert.rejects(kubectlMy('set', 'image', 'mdeploy/nope', 'mdeploy/web', 'app=x'), { message: 'mydeployments.apps.my.dev "nope" not found' });
      await assert.rejects(kubectlMy('set', 'image', 'mdeploy/web'), { message: 'at least one image update is required' });
      await assert.rejects(kubectlMy('set', 'image', 'mdeploy/web', 'app=x', '--local'), {
        message: "unknown flag: --local\nSee 'kubectl my set image --help' for usage.",
      });
      await assert.rejects(kubectlMy('set', 'image', 'mdeploy/web', 'app=x', '-o', 'wide'), {
        message: 'unable to match a printer suitable for the output format "wide", allowed formats are: json,name,yaml',
      });
      assert.deepEqual(patches(), []);
    });
  });

  describe('set resources', () => {
    it('sets limits and requests on the selected container only, in kubectl’s quantity text', async () => {
      assert.deepEqual(await kubectlMy('set', 'resources', 'mdeploy/web', '-c=sidecar', '--limits=cpu=0.5,memory=512Mi', '--requests', 'cpu=100m'), [
        'mydeployment.apps.my.dev/web resource requirements updated',
      ]);
      assert.deepEqual(JSON.parse(patches()[0]?.body ?? '[]'), [
        { op: 'replace', path: '/metadata/resourceVersion', value: '20' },
        { op: 'replace', path: '/spec/template/spec/containers/1/resources/limits/memory', value: '512Mi' },
        { op: 'add', path: '/spec/template/spec/containers/1/resources/limits/cpu', value: '500m' },
        { op: 'add', path: '/spec/template/spec/containers/1/resources/requests', value: { cpu: '100m' } },
      ]);
    });

    it('fails naming the pattern when no container matches, and refuses no limits or bad quantities', async () => {
      await assert.rejects(kubectlMy('set', 'resources', 'mdeploy/web', '-c', 'db', '--limits=cpu=1'), { message: 'unable to find container named db' });
      await assert.rejects(kubectlMy('set', 'resources', 'mdeploy/web'), {
        message: 'you must specify an update to requests or limits (in the form of --requests/--limits)',
      });
      await assert.rejects(kubectlMy('set', 'resources', 'mdeploy/web', '--limits=cpu=lots'), /quantities must match the regular expression/);
      assert.deepEqual(patches(), []);
    });
  });

  describe('set env', () => {
    it('sets and removes variables and says env updated', async () => {
      assert.deepEqual(await kubectlMy('set', 'env', 'mdeploy/web', '-c', 'app', 'GREETING=hi', 'MODE-'), ['mydeployment.apps.my.dev/web env updated']);
      assert.deepEqual(storedDeployment(webPath).spec.template.spec.containers[0]?.env, [{ name: 'GREETING', value: 'hi' }]);
    });

    it('--list prints each container’s variables with the change applied, and writes nothing', async () => {
      assert.deepEqual(await kubectlMy('set', 'env', 'mdeploy/web', '--list', 'EXTRA=1'), [
        '# MyDeployment web, container app',
        'MODE=prod',
        'EXTRA=1',
        '# MyDeployment web, container sidecar',
        'EXTRA=1',
      ]);
      assert.deepEqual(patches(), []);
    });

    it('--overwrite=false refuses a different value with kubectl’s message', async () => {
      await assert.rejects(kubectlMy('set', 'env', 'mdeploy/web', 'MODE=dev', '--overwrite=false'), {
        message: "mydeployments/web 'MODE' already has a value (prod), and --overwrite is false",
      });
      assert.deepEqual(patches(), []);
    });

    it('--from=configmap/NAME adds one reference per key, prefixed, under kubectl’s variable names', async () => {
      await kubectlMy('set', 'env', 'mdeploy/web', '-c=app', '--from=configmap/settings', '--prefix=CFG_');
      assert.deepEqual(storedDeployment(webPath).spec.template.spec.containers[0]?.env, [
        { name: 'MODE', value: 'prod' },
        { name: 'CFG_ZONE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'ZONE' } } },
        { name: 'CFG_LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'log-level' } } },
      ]);
    });
  });

  describe('on stderr', () => {
    it('warns of --record’s deprecation and of a pattern no container matches', async () => {
      const lines: string[] = [];
      const warnings: string[] = [];
      const program = new Command('kubectl-my').option('-n, --namespace <ns>');
      registerSet(program, (l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' }), [], (w) => warnings.push(w));
      await program.parseAsync(['set', 'env', 'mdeploy/web', '-c', 'db', 'A=1', '--record', '--from=configmap/settings', '--keys=log-level'], { from: 'user' });
      assert.deepEqual(warnings, [
        'Flag --record has been deprecated, --record will be removed in the future',
        'Warning: key log-level transferred to LOG_LEVEL',
        'Warning: MyDeployment/web does not have any containers matching "db"',
      ]);
      assert.deepEqual(lines, []);
      assert.deepEqual(patches(), []);
    });
  });
});
