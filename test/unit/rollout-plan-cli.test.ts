// `kubectl my rollout plan` end to end against a local stand-in for the API server: what it reads,
// that the change goes only as a dry run, the table and JSON it prints, and how it refuses.
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.ts';
import { isRecord } from '../../src/api/meta.ts';
import type { MyDeployment, MyStatefulSet } from '../../src/api/workloads.ts';
import { buildCli } from '../../src/cli/main.ts';
import { rolloutPlanCommand } from '../../src/cli/rollout-plan/command.ts';
import { planTable, renderPlan } from '../../src/cli/rollout-plan/render.ts';
import type { RolloutPlan } from '../../src/cli/rollout-plan/rollout-plan.ts';
import { manifestSpec, parseImageSetting, withImages } from '../../src/cli/rollout-plan/spec-change.ts';
import type { Target } from '../../src/cli/target.ts';
import { startRecordingApiServer, type Answer, type ReceivedRequest, type RecordingApiServer } from '../support/recording-api-server.ts';
import { newReplicaSetPod } from '../../src/controllers/replicaset/pod-template.ts';
import { deployment, newName, ownedReplicaSet, revisionKey, t0, template } from './deployment-plan-fixtures.ts';
import { makePod, makeSet, nameOf, revisionOf } from './statefulset-fixtures.ts';

const setPath = '/apis/apps.my.dev/v1alpha1/namespaces/ns/mystatefulsets/web';
const web: Target = { kind: 'MyStatefulSet', name: 'web' };

/** web: 3 replicas at nginx:1, rolled out, partition `partition`. */
function rolledOut(partition = 0): { set: MyStatefulSet; cluster: Record<string, unknown[]> } {
  const base = makeSet({ replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } });
  const revision = revisionOf(base, 1);
  const name = nameOf(revision);
  const set: MyStatefulSet = {
    ...base,
    metadata: { ...base.metadata, resourceVersion: '42' },
    status: { observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: name, updateRevision: name },
  };
  return {
    set,
    cluster: {
      '/api/v1/namespaces/ns/pods': [0, 1, 2].map((i) => makePod(base, i, name)),
      '/api/v1/namespaces/ns/persistentvolumeclaims': [],
      '/apis/apps/v1/namespaces/ns/controllerrevisions': [revision],
    },
  };
}

/** The dry-run answer of an accepted update: the object sent, its generation raised. */
function stored(body: unknown): Answer {
  return { status: 200, body: isRecord(body) && isRecord(body.metadata) ? { ...body, metadata: { ...body.metadata, generation: 2 } } : body };
}

describe('kubectl my rollout plan, over HTTP', () => {
  let server: RecordingApiServer;
  let state = rolledOut();
  /** Answers the dry-run PUT; by default the body as stored, generation raised. */
  let dryRun: (body: unknown) => Answer = stored;

  function answer(request: ReceivedRequest): Answer {
    const path = request.url.split('?')[0] ?? '';
    if (request.method === 'GET' && path === setPath) return { status: 200, body: state.set };
    if (request.method === 'PUT' && path === setPath) return dryRun(JSON.parse(request.body));
    const items = state.cluster[path];
    if (request.method === 'GET' && items !== undefined) return { status: 200, body: { metadata: {}, items } };
    return { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: `${path} not found` } };
  }

  before(async () => {
    server = await startRecordingApiServer((request) => answer(request));
  });
  after(() => server.close());
  beforeEach(() => {
    state = rolledOut();
    dryRun = stored;
    server.received.length = 0;
  });

  async function kubectlMy(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    await buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' })).parseAsync(args, { from: 'user' });
    return lines;
  }

  it('--image: prints the pods replaced step by step, highest ordinal first', async () => {
    assert.deepEqual(await kubectlMy('rollout', 'plan', 'msts/web', '--image', 'nginx=nginx:2'), [
      'mystatefulset.apps.my.dev/web',
      'STEP  REPLACE',
      '1     web-2',
      '2     web-1',
      '3     web-0',
    ]);
  });

  it('sends the change only as a dry-run update carrying the live resourceVersion, and writes nothing else', async () => {
    await kubectlMy('rollout', 'plan', 'msts/web', '--image', 'nginx=nginx:2');
    const writes = server.received.filter((r) => r.method !== 'GET');
    assert.equal(writes.length, 1);
    const [put] = writes;
    assert.equal(put?.method, 'PUT');
    assert.equal(put?.url, `${setPath}?dryRun=All`);
    const body: unknown = JSON.parse(put?.body ?? '');
    assert.ok(isRecord(body) && isRecord(body.metadata));
    assert.equal(body.metadata.resourceVersion, '42');
    assert.match(put?.body ?? '', /"containers":\[\{"name":"nginx","image":"nginx:2"\}\]/);
    assert.ok(server.received.some((r) => r.url.startsWith('/api/v1/namespaces/ns/pods?') && r.url.includes('labelSelector=app%3Dweb')));
  });

  it('-o json: kind, name and the steps', async () => {
    const [json, ...more] = await kubectlMy('rollout', 'plan', 'msts/web', '--image', 'nginx=nginx:2', '-o', 'json');
    assert.deepEqual(more, []);
    assert.deepEqual(JSON.parse(json ?? ''), { kind: 'MyStatefulSet', name: 'web', steps: [{ replace: ['web-2'] }, { replace: ['web-1'] }, { replace: ['web-0'] }] });
  });

  it('-f: the manifest\'s spec is what the dry run sends (YAML)', async () => {
    state = rolledOut();
    const manifest = [
      'apiVersion: apps.my.dev/v1alpha1',
      'kind: MyStatefulSet',
      'metadata: {name: web}',
      'spec:',
      '  replicas: 3',
      '  serviceName: nginx',
      '  selector: {matchLabels: {app: web}}',
      '  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec: {containers: [{name: nginx, image: "nginx:3"}]}',
    ].join('\n');
    const lines: string[] = [];
    const command = rolloutPlanCommand({
      connect: () => Promise.resolve({ client: server.client, namespace: 'ns' }),
      out: (l) => lines.push(l),
      readManifest: (path) => (path === 'web.yaml' ? Promise.resolve(manifest) : Promise.reject(new Error(`no file ${path}`))),
    });
    await command.parseAsync(['msts/web', '-f', 'web.yaml', '-o', 'json'], { from: 'user' });
    assert.deepEqual(JSON.parse(lines.join('\n')), { kind: 'MyStatefulSet', name: 'web', steps: [{ replace: ['web-2'] }, { replace: ['web-1'] }] });
  });

  it('a paused set: no pod would be replaced, and why', async () => {
    state = { ...state, set: { ...state.set, spec: { ...state.set.spec, paused: true } } };
    assert.deepEqual(await kubectlMy('rollout', 'plan', 'msts/web', '--image', 'nginx=nginx:2'), [
      'mystatefulset.apps.my.dev/web',
      'no pod would be replaced: the rollout is paused (spec.paused)',
    ]);
    const [json] = await kubectlMy('rollout', 'plan', 'msts/web', '--image', 'nginx=nginx:2', '-o', 'json');
    assert.deepEqual(JSON.parse(json ?? ''), { kind: 'MyStatefulSet', name: 'web', steps: [], reason: 'Paused' });
  });

  it('the same image: no pod would be replaced, the template being unchanged', async () => {
    assert.deepEqual((await kubectlMy('rollout', 'plan', 'msts/web', '--image', 'nginx=nginx:1')).at(-1), 'no pod would be replaced: the pod template is unchanged');
  });

  it('a refused change fails with the API server\'s message', async () => {
    const message = 'MyStatefulSet.apps.my.dev "web" is invalid: spec.template.spec.containers[0].image: Required value';
    dryRun = () => ({ status: 422, body: { kind: 'Status', code: 422, reason: 'Invalid', message } });
    await assert.rejects(kubectlMy('rollout', 'plan', 'msts/web', '--image', 'nginx=nginx:2'), (err: unknown) => err instanceof Error && err.message === message);
  });

  it('an unknown container fails before anything is sent', async () => {
    await assert.rejects(kubectlMy('rollout', 'plan', 'msts/web', '--image', 'sidecar=busybox'), /unable to find container named "sidecar"/);
    assert.deepEqual(server.received.filter((r) => r.method !== 'GET'), []);
  });

  it('wants exactly one way of giving the change', async () => {
    await assert.rejects(kubectlMy('rollout', 'plan', 'msts/web'), /either as -f FILE or as --image CONTAINER=IMAGE/);
    await assert.rejects(kubectlMy('rollout', 'plan', 'msts/web', '-f', 'x.yaml', '--image', 'a=b'), /either as -f FILE or as --image CONTAINER=IMAGE/);
  });
});

describe('kubectl my rollout plan: arguments and rendering', () => {
  it('parses CONTAINER=IMAGE, the image keeping its own = and :', () => {
    assert.deepEqual(parseImageSetting('app=registry:5000/app:v2'), { container: 'app', image: 'registry:5000/app:v2' });
    assert.throws(() => parseImageSetting('app'), /--image must be CONTAINER=IMAGE, got "app"/);
    assert.throws(() => parseImageSetting('=img'), /CONTAINER=IMAGE/);
    assert.throws(() => parseImageSetting('app='), /CONTAINER=IMAGE/);
  });

  it('sets containers and init containers by name, * sets every one', () => {
    const template = { spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }], initContainers: [{ name: 'init', image: 'i:1' }] } };
    assert.deepEqual(withImages(template, [{ container: 'b', image: 'b:2' }, { container: 'init', image: 'i:2' }]).spec, {
      containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2' }],
      initContainers: [{ name: 'init', image: 'i:2' }],
    });
    assert.deepEqual(withImages(template, [{ container: '*', image: 'x' }]).spec.containers.map((c) => c.image), ['x', 'x']);
    assert.throws(() => withImages(template, [{ container: 'c', image: 'c' }, { container: 'd', image: 'd' }]), /unable to find container named "c", "d"/);
  });

  it('reads one object of the same kind, name and namespace from YAML or JSON', () => {
    const spec = { replicas: 2 };
    assert.deepEqual(manifestSpec(JSON.stringify({ kind: 'MyStatefulSet', metadata: { name: 'web' }, spec }), web, 'ns'), spec);
    assert.deepEqual(manifestSpec('---\nkind: MyStatefulSet\nmetadata: {name: web, namespace: ns}\nspec: {replicas: 2}\n---\n', web, 'ns'), spec);
    assert.throws(() => manifestSpec('kind: MyDaemonSet\nmetadata: {name: web}\nspec: {}', web, 'ns'), /holds MyDaemonSet "web", not MyStatefulSet "web"/);
    assert.throws(() => manifestSpec('kind: MyStatefulSet\nmetadata: {name: db}\nspec: {}', web, 'ns'), /holds MyStatefulSet "db"/);
    assert.throws(() => manifestSpec('kind: MyStatefulSet\nmetadata: {name: web, namespace: other}\nspec: {}', web, 'ns'), /the namespace from the provided object "other" does not match the namespace "ns"/);
    assert.throws(() => manifestSpec('apiVersion: apps/v1\nkind: MyStatefulSet\nmetadata: {name: web}\nspec: {}', web, 'ns'), /apiVersion is apps\/v1/);
    assert.throws(() => manifestSpec('kind: MyStatefulSet\nmetadata: {name: web}\n---\nkind: MyStatefulSet\nmetadata: {name: web}', web, 'ns'), /one object, it holds 2/);
    assert.throws(() => manifestSpec('kind: MyStatefulSet\nmetadata: {name: web}', web, 'ns'), /has no spec/);
    assert.throws(() => manifestSpec('kind: [', web, 'ns'), /does not parse/);
    assert.throws(() => manifestSpec('', web, 'ns'), /one object, it holds 0/);
  });

  it('a MyDeployment table has one column per MyReplicaSet', () => {
    const steps = [{ replicaSets: { 'web-1': 10, 'web-2': 3 } }, { replicaSets: { 'web-1': 8, 'web-2': 3 } }];
    assert.deepEqual(planTable({ kind: 'MyDeployment', name: 'web', steps }), ['STEP  web-1  web-2', '1     10     3', '2     8      3']);
  });

  it('a step replacing several pods lists them comma-separated; YAML prints the plan as JSON does', () => {
    const plan: RolloutPlan = { kind: 'MyDaemonSet', name: 'agent', steps: [{ replace: ['agent-a', 'agent-b'] }, { replace: ['agent-c'] }] };
    assert.deepEqual(planTable(plan), ['STEP  REPLACE', '1     agent-a,agent-b', '2     agent-c']);
    assert.deepEqual(renderPlan(plan, 'yaml'), ['kind: MyDaemonSet\nname: agent\nsteps:\n  - replace:\n      - agent-a\n      - agent-b\n  - replace:\n      - agent-c']);
  });

  it('with no step and no known reason, only says so', () => {
    assert.deepEqual(planTable({ kind: 'MyDeployment', name: 'web', steps: [] }), ['no pod would be replaced']);
  });
});

describe('kubectl my rollout plan of a MyDeployment, over HTTP', () => {
  const deploymentPath = '/apis/apps.my.dev/v1alpha1/namespaces/default/mydeployments/web';
  const rolledOutAt1 = deployment({ replicas: 4, progressDeadlineSeconds: 600, annotations: { [revisionKey]: '1' } });
  const live: MyDeployment = { ...rolledOutAt1, metadata: { ...rolledOutAt1.metadata, resourceVersion: '9' } };
  const old = ownedReplicaSet(live, 'web-1', { replicas: 4, revision: '1' });
  const oldPods = [0, 1, 2, 3].map((i): Pod => {
    const pod = newReplicaSetPod(old);
    const readySince = new Date(t0).toISOString();
    return {
      ...pod,
      metadata: { ...pod.metadata, name: `web-1-${i}`, uid: `pod-${i}` },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] },
    };
  });
  let server: RecordingApiServer;

  before(async () => {
    server = await startRecordingApiServer((request): Answer => {
      const path = request.url.split('?')[0] ?? '';
      if (request.method === 'GET' && path === deploymentPath) return { status: 200, body: live };
      if (request.method === 'PUT' && path === deploymentPath) return stored(JSON.parse(request.body));
      if (path === '/apis/apps.my.dev/v1alpha1/namespaces/default/myreplicasets') return { status: 200, body: { metadata: {}, items: [old] } };
      if (path === '/api/v1/namespaces/default/pods') return { status: 200, body: { metadata: {}, items: oldPods } };
      return { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: `${path} not found` } };
    });
  });
  after(() => server.close());

  async function kubectlMy(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    await buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'default' })).parseAsync(args, { from: 'user' });
    return lines;
  }

  it('prints the size of each MyReplicaSet after each step, the new one named as the controller will name it', async () => {
    const changed = { ...live, spec: { ...live.spec, template: template('nginx:2') } };
    const next = newName(changed);
    assert.deepEqual(await kubectlMy('rollout', 'plan', 'mdeploy/web', '--image', 'app=nginx:2'), [
      'mydeployment.apps.my.dev/web',
      `STEP  web-1  ${next}`,
      '1     4      1',
      '2     3      1',
      '3     3      2',
      '4     2      2',
      '5     2      3',
      '6     1      3',
      '7     1      4',
      '8     0      4',
    ]);
    const [json] = await kubectlMy('rollout', 'plan', 'mdeploy/web', '--image', 'app=nginx:2', '-o', 'json');
    const plan: unknown = JSON.parse(json ?? '');
    assert.ok(isRecord(plan) && Array.isArray(plan.steps));
    assert.deepEqual(plan.steps[0], { replicaSets: { 'web-1': 4, [next]: 1 } });
    assert.deepEqual(
      server.received.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`),
      [`PUT ${deploymentPath}?dryRun=All`, `PUT ${deploymentPath}?dryRun=All`],
    );
  });
});
