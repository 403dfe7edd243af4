// `kubectl my rollout history KIND/NAME --revision N` prints what kubectl v1.36.3 prints for the
// apps/v1 kind, byte for byte. The goldens (test/unit/fixtures/describe/**/*.txt) were written by
// kubectl's own code (hack/describe-golden, not run here): pod templates rendered by
// describe.DescribePodTemplate, and whole `rollout history --revision` runs of a Deployment,
// DaemonSet or StatefulSet against a fake clientset, which the same objects as MyDeployment,
// MyDaemonSet or MyStatefulSet must reproduce here with our object's name in the first line.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { isRecord } from '../../src/api/meta.ts';
import { describePodTemplate } from '../../src/cli/describe/pod-template.ts';
import { buildCli } from '../../src/cli/main.ts';
import { viewRevision } from '../../src/cli/revision-template.ts';
import { startRecordingApiServer, type Answer, type ReceivedRequest, type RecordingApiServer } from '../support/recording-api-server.ts';

const fixtures = new URL('fixtures/describe/', import.meta.url);
const historyFixtures = new URL('history/', fixtures);

/** The NAME of every NAME.json in `dir`. */
function fixtureNames(dir: URL): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

const read = (dir: URL, file: string): string => readFileSync(new URL(file, dir), 'utf8');

describe('kubectl my rollout history --revision: the pod template as kubectl describes it', () => {
  const names = fixtureNames(fixtures);

  it('has goldens for the seeds and for every section kubectl describes', () => {
    for (const name of ['minimal', 'seed-nginx-deployment', 'seed-fluentd-elasticsearch', 'seed-web', 'containers-env-probes-ports', 'volumes', 'scheduling-and-metadata', 'quantities', 'terminal-escapes', 'tolerations-many']) {
      assert.ok(names.includes(name), `missing fixture ${name}.json`);
    }
  });

  for (const name of names) {
    it(`renders ${name}.json exactly as kubectl does`, () => {
      const template: unknown = JSON.parse(read(fixtures, `${name}.json`));
      assert.equal(describePodTemplate(template), read(fixtures, `${name}.txt`));
    });
  }
});

/** apps/v1 kinds and the kinds of ours that mirror them. */
const ourKinds: Readonly<Record<string, string>> = { Deployment: 'MyDeployment', ReplicaSet: 'MyReplicaSet', DaemonSet: 'MyDaemonSet', StatefulSet: 'MyStatefulSet' };

/** The apps/v1 objects of a scenario as ours: apiVersion, kind and owner references renamed; ControllerRevisions stay apps/v1. */
function asOurs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asOurs);
  if (!isRecord(value)) return value;
  const renamed = Object.fromEntries(Object.entries(value).map(([key, member]) => [key, asOurs(member)]));
  const kind = typeof value['kind'] === 'string' ? ourKinds[value['kind']] : undefined;
  return kind !== undefined && value['apiVersion'] === 'apps/v1' ? { ...renamed, apiVersion: 'apps.my.dev/v1alpha1', kind } : renamed;
}

interface Scenario {
  readonly revision: number;
  readonly short: string;
  readonly plural: string;
  readonly name: string;
  readonly namespace: string;
  readonly workload: unknown;
  readonly replicaSets: unknown[];
  readonly controllerRevisions: unknown[];
}

function scenario(name: string): Scenario {
  const json: unknown = JSON.parse(read(historyFixtures, `${name}.json`));
  assert.ok(isRecord(json) && typeof json['revision'] === 'number');
  const kinds = [
    { field: 'deployment', short: 'mdeploy', plural: 'mydeployments' },
    { field: 'daemonSet', short: 'mds', plural: 'mydaemonsets' },
    { field: 'statefulSet', short: 'msts', plural: 'mystatefulsets' },
  ];
  const kind = kinds.find((k) => isRecord(json[k.field]));
  const workload = kind && json[kind.field];
  assert.ok(kind && isRecord(workload) && isRecord(workload['metadata']));
  const { name: objectName, namespace } = workload['metadata'];
  assert.ok(typeof objectName === 'string' && typeof namespace === 'string');
  const list = (field: string): unknown[] => {
    const items = asOurs(json[field] ?? []);
    assert.ok(Array.isArray(items));
    return items;
  };
  return {
    revision: json['revision'],
    short: kind.short,
    plural: kind.plural,
    name: objectName,
    namespace,
    workload: asOurs(workload),
    replicaSets: list('replicaSets'),
    controllerRevisions: list('controllerRevisions'),
  };
}

describe('kubectl my rollout history --revision: the whole output, against the apps/v1 goldens', () => {
  let server: RecordingApiServer;
  let current: Scenario | undefined;

  function answer(request: ReceivedRequest): Answer {
    const path = request.url.split('?')[0];
    const s = current;
    if (s !== undefined && request.method === 'GET') {
      if (path === `/apis/apps.my.dev/v1alpha1/namespaces/${s.namespace}/${s.plural}/${s.name}`) return { status: 200, body: s.workload };
      if (path === `/apis/apps.my.dev/v1alpha1/namespaces/${s.namespace}/myreplicasets`) return { status: 200, body: { metadata: {}, items: s.replicaSets } };
      if (path === `/apis/apps/v1/namespaces/${s.namespace}/controllerrevisions`) return { status: 200, body: { metadata: {}, items: s.controllerRevisions } };
    }
    return { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: `${path} not found` } };
  }

  before(async () => {
    server = await startRecordingApiServer((request) => answer(request));
  });
  after(() => server.close());

  /** What the plugin writes to stdout, or `error: …` as bin/kubectl-my prints a failure. */
  async function kubectlMy(s: Scenario): Promise<string> {
    const lines: string[] = [];
    current = s;
    try {
      await buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: s.namespace })).parseAsync(
        ['rollout', 'history', `${s.short}/${s.name}`, '--revision', String(s.revision)],
        { from: 'user' },
      );
    } catch (err) {
      return `error: ${err instanceof Error ? err.message : String(err)}\n`;
    }
    return lines.map((l) => `${l}\n`).join('');
  }

  const names = fixtureNames(historyFixtures);

  it('has goldens for every kind, an unknown revision and no history', () => {
    for (const name of ['deployment-revision-2', 'daemonset-revision-1', 'statefulset-revision-1', 'deployment-unknown-revision', 'daemonset-no-history']) {
      assert.ok(names.includes(name), `missing fixture history/${name}.json`);
    }
  });

  for (const name of names) {
    it(`prints what kubectl prints for ${name}, naming our object`, async () => {
      const expected = read(historyFixtures, `${name}.txt`).replace(/^(deployment|daemonset|statefulset)\.apps\//, 'my$1.apps.my.dev/');
      assert.equal(await kubectlMy(scenario(name)), expected);
    });
  }
});

describe('viewRevision', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web:2' }] } };
  const revision = (n: bigint, image: string | undefined): { revision: bigint; changeCause: undefined; template: typeof template | undefined } => ({
    revision: n,
    changeCause: undefined,
    template: image === undefined ? undefined : { ...template, spec: { containers: [{ name: 'app', image }] } },
  });

  it('shows the workload\'s own template for a ControllerRevision that holds none', () => {
    const view = viewRevision({ label: 'mydaemonset.apps.my.dev/web', revisions: [revision(1n, undefined)], revision: 1n, templateWhenUnset: template });
    assert.equal(view.kind, 'printed');
    assert.ok(view.lines.includes('    Image:\tweb:2'));
  });

  it('shows the zero template for a MyReplicaSet that holds none', () => {
    const view = viewRevision({ label: 'mydeployment.apps.my.dev/web', revisions: [revision(1n, undefined)], revision: 1n, templateWhenUnset: undefined });
    assert.deepEqual(view.kind === 'printed' && view.lines.slice(1, 4), ['Pod Template:', '  Labels:\t<none>', '  Containers: <none>']);
  });

  it('shows the revision listed last of two with one number, as kubectl\'s map keeps it', () => {
    const view = viewRevision({ label: 'x', revisions: [revision(2n, 'first'), revision(2n, 'second')], revision: 2n, templateWhenUnset: undefined });
    assert.ok(view.kind === 'printed' && view.lines.includes('    Image:\tsecond'));
  });
});
