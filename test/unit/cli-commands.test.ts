// `kubectl my rollout …` for a MyDeployment end to end against a local stand-in for the API
// server: which requests each verb sends, and what it prints or fails with.
import assert from 'node:assert/strict';
import type { MyDeployment, MyReplicaSet } from '../../src/api/workloads.ts';
import { buildCli } from '../../src/cli/main.ts';
import { startRecordingApiServer, type Answer, type ReceivedRequest, type RecordingApiServer } from '../support/recording-api-server.ts';

const deploymentPath = '/apis/apps.my.dev/v1alpha1/namespaces/ns/mydeployments/web';
const replicaSetsPath = '/apis/apps.my.dev/v1alpha1/namespaces/ns/myreplicasets';

function template(image: string, hash?: string): MyDeployment['spec']['template'] {
  return { metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } }, spec: { containers: [{ name: 'app', image }] } };
}

function deployment(paused = false): MyDeployment {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDeployment',
    metadata: { namespace: 'ns', name: 'web', uid: 'uid-web', resourceVersion: '7', generation: 2, annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas: 2, paused, selector: { matchLabels: { app: 'web' } }, template: template('web:2') },
    status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
  };
}

function replicaSet(revision: string, image: string, changeCause?: string): MyReplicaSet {
  const hash = `h${revision}`;
  return {
    metadata: {
      namespace: 'ns',
      name: `web-${hash}`,
      uid: `uid-${hash}`,
      annotations: { 'deployment.kubernetes.io/revision': revision, ...(changeCause ? { 'kubernetes.io/change-cause': changeCause } : {}) },
      ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: 'web', uid: 'uid-web', controller: true }],
    },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: template(image, hash) },
  };
}

describe('kubectl my rollout on a MyDeployment, over HTTP', () => {
  let server: RecordingApiServer;
  let current: MyDeployment;
  const replicaSets = [replicaSet('2', 'web:2'), replicaSet('1', 'web:1', 'first')];

  function answer(request: ReceivedRequest): Answer {
    const path = request.url.split('?')[0];
    if (request.method === 'GET' && path === deploymentPath) return { status: 200, body: current };
    if (request.method === 'GET' && path === replicaSetsPath) return { status: 200, body: { metadata: {}, items: replicaSets } };
    if (request.method === 'PATCH' && path === deploymentPath) return { status: 200, body: current };
    return { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: `${path} not found` } };
  }

  before(async () => {
    server = await startRecordingApiServer((request) => answer(request));
  });
  after(() => server.close());
  beforeEach(() => {
    current = deployment();
    server.received.length = 0;
  });

  /** Runs the plugin with `args`; resolves to what it printed. */
  async function kubectlMy(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    await buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' })).parseAsync(args, { from: 'user' });
    return lines;
  }

  const patches = (): ReceivedRequest[] => server.received.filter((r) => r.method === 'PATCH');

  it('status --watch=false prints kubectl\'s line once', async () => {
    assert.deepEqual(await kubectlMy('rollout', 'status', 'mdeploy/web', '--watch=false'), [
      'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
    ]);
  });

  it('status fails when the rollout exceeded its progress deadline', async () => {
    current = { ...current, status: { ...current.status, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } };
    await assert.rejects(kubectlMy('rollout', 'status', 'mdeploy/web'), /^RolloutStatusError: deployment "web" exceeded its progress deadline$/);
  });

  it('history lists the MyReplicaSets it selects by the MyDeployment\'s selector', async () => {
    assert.deepEqual(await kubectlMy('rollout', 'history', 'mydeployments.apps.my.dev/web'), [
      // kubectl's header ends in a space (`<object> <empty operation>`), and the table in an empty line.
      'mydeployment.apps.my.dev/web ',
      'REVISION  CHANGE-CAUSE',
      '1         first',
      '2         <none>',
      '',
    ]);
    assert.ok(server.received.some((r) => r.url.startsWith(`${replicaSetsPath}?`) && r.url.includes('labelSelector=app%3Dweb')));
  });

  it('history --revision describes that revision\'s pod template as kubectl does, change-cause included', async () => {
    assert.deepEqual(await kubectlMy('rollout', 'history', 'mdeploy', 'web', '--revision', '1'), [
      'mydeployment.apps.my.dev/web with revision #1',
      'Pod Template:',
      '  Labels:\tapp=web',
      '\tpod-template-hash=h1',
      '  Annotations:\tkubernetes.io/change-cause: first',
      '  Containers:',
      '   app:',
      '    Image:\tweb:1',
      '    Port:\t<none>',
      '    Host Port:\t<none>',
      '    Environment:\t<none>',
      '    Mounts:\t<none>',
      '  Volumes:\t<none>',
      '  Node-Selectors:\t<none>',
      '  Tolerations:\t<none>',
      '',
    ]);
  });

  it('history --revision of a revision that does not exist fails as kubectl does', async () => {
    await assert.rejects(kubectlMy('rollout', 'history', 'mdeploy/web', '--revision', '9'), /^Error: unable to find the specified revision$/);
  });

  it('undo sends one JSON patch guarded by the resourceVersion, and says rolled back', async () => {
    assert.deepEqual(await kubectlMy('rollout', 'undo', 'mdeploy/web'), ['mydeployment.apps.my.dev/web rolled back']);
    const [patch, ...more] = patches();
    assert.ok(patch && more.length === 0);
    assert.equal(patch.url, deploymentPath);
    assert.equal(patch.contentType, 'application/json-patch+json');
    assert.deepEqual(JSON.parse(patch.body), [
      { op: 'replace', path: '/metadata/resourceVersion', value: '7' },
      { op: 'replace', path: '/spec/template', value: template('web:1') },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'first' } },
    ]);
  });

  it('undo to the current template writes nothing', async () => {
    assert.deepEqual(await kubectlMy('rollout', 'undo', 'mdeploy/web', '--to-revision=2'), [
      'mydeployment.apps.my.dev/web skipped rollback (current template already matches revision 2)',
    ]);
    assert.deepEqual(patches(), []);
  });

  it('pause and restart send merge patches; resume of a running MyDeployment is refused without a write', async () => {
    assert.deepEqual(await kubectlMy('rollout', 'pause', 'mdeploy/web'), ['mydeployment.apps.my.dev/web paused']);
    assert.deepEqual(await kubectlMy('rollout', 'restart', 'mdeploy/web'), ['mydeployment.apps.my.dev/web restarted']);
    const [pause, restart] = patches();
    assert.equal(pause?.contentType, 'application/merge-patch+json');
    assert.deepEqual(JSON.parse(pause?.body ?? ''), { spec: { paused: true } });
    assert.match(restart?.body ?? '', /^\{"spec":\{"template":\{"metadata":\{"annotations":\{"kubectl.kubernetes.io\/restartedAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}\}\}\}\}$/);
    await assert.rejects(kubectlMy('rollout', 'resume', 'mdeploy/web'), /^Error: mydeployments.apps.my.dev "web" is not paused$/);
    assert.equal(patches().length, 2);
  });

  it('prints --help of the verbs with revision flags (a bigint default JSON cannot print)', () => {
    const rollout = buildCli().commands.find((c) => c.name() === 'rollout');
    for (const verb of ['status', 'history', 'undo']) {
      const help = rollout?.commands.find((c) => c.name() === verb)?.helpInformation() ?? '';
      assert.match(help, /revision <n>[\s\S]*\(default: 0\)/, verb);
    }
  });

  it('restart and undo refuse a paused MyDeployment', async () => {
    current = deployment(true);
    await assert.rejects(kubectlMy('rollout', 'restart', 'mdeploy/web'), /can't restart paused deployment \(run rollout resume first\)/);
    await assert.rejects(kubectlMy('rollout', 'undo', 'mdeploy/web'), /you cannot rollback a paused deployment/);
    assert.deepEqual(patches(), []);
  });
});
