// `kubectl my version` against a local stand-in for the API server: what it prints with and
// without --client, as text, JSON and YAML, when apps.my.dev is served, partly served or absent,
// and when the server cannot be read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { buildCli } from '../../src/cli/main.ts';
import { startRecordingApiServer, type Answer, type ReceivedRequest, type RecordingApiServer } from '../support/recording-api-server.ts';

const packageJson: unknown = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
const packageVersion =
  typeof packageJson === 'object' && packageJson !== null && 'version' in packageJson && typeof packageJson.version === 'string'
    ? packageJson.version
    : assert.fail('package.json has no version');

const serverVersion = { major: '1', minor: '36', gitVersion: 'v1.36.3', platform: 'linux/amd64' };
const apiGroup = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  name: 'apps.my.dev',
  versions: [{ groupVersion: 'apps.my.dev/v1alpha1', version: 'v1alpha1' }],
  preferredVersion: { groupVersion: 'apps.my.dev/v1alpha1', version: 'v1alpha1' },
};
const resource = (name: string, kind: string): object => ({ name, kind, namespaced: true, singularName: '', verbs: ['get'] });
const allResources = [
  resource('mydaemonsets', 'MyDaemonSet'),
  resource('mydaemonsets/status', 'MyDaemonSet'),
  resource('mydeployments', 'MyDeployment'),
  resource('myreplicasets', 'MyReplicaSet'),
  resource('myreplicasets/scale', 'Scale'),
  resource('mystatefulsets', 'MyStatefulSet'),
];
const notFound: Answer = { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' } };

describe('kubectl my version', () => {
  let server: RecordingApiServer;
  let answers: Record<string, Answer>;

  before(async () => {
    server = await startRecordingApiServer((request: ReceivedRequest) => answers[request.url] ?? notFound);
  });
  after(() => server.close());
  beforeEach(() => {
    server.received.length = 0;
    answers = {
      '/version': { status: 200, body: serverVersion },
      '/apis/apps.my.dev': { status: 200, body: apiGroup },
      '/apis/apps.my.dev/v1alpha1': { status: 200, body: { kind: 'APIResourceList', groupVersion: 'apps.my.dev/v1alpha1', resources: allResources } },
    };
  });

  /** Runs the plugin with `args` and a client of the stand-in; resolves to what it printed. */
  async function kubectlMy(lines: string[], ...args: string[]): Promise<string[]> {
    await buildCli((l) => lines.push(l), () => Promise.resolve({ client: server.client, namespace: 'ns' })).parseAsync(args, { from: 'user' });
    return lines;
  }

  it("prints package.json's version and the Node.js version with --client, asking the server nothing", async () => {
    let connected = false;
    const lines: string[] = [];
    const cli = buildCli(
      (l) => lines.push(l),
      () => {
        connected = true;
        return Promise.reject(new Error('no kubeconfig'));
      },
    );
    await cli.parseAsync(['version', '--client'], { from: 'user' });
    assert.deepEqual(lines, [`Client Version: v${packageVersion}`, `Node.js Version: ${process.version}`]);
    assert.equal(connected, false);
  });

  it('prints the server version and the kinds apps.my.dev/v1alpha1 serves, read from /version and discovery', async () => {
    assert.deepEqual(await kubectlMy([], 'version'), [
      `Client Version: v${packageVersion}`,
      `Node.js Version: ${process.version}`,
      'Server Version: v1.36.3',
      'Custom Resources: apps.my.dev/v1alpha1 (MyDaemonSet, MyStatefulSet, MyDeployment, MyReplicaSet)',
    ]);
    assert.deepEqual(
      server.received.map((r) => `${r.method} ${r.url}`),
      ['GET /version', 'GET /apis/apps.my.dev', 'GET /apis/apps.my.dev/v1alpha1'],
    );
  });

  it('names the kinds the API server does not serve', async () => {
    answers['/apis/apps.my.dev/v1alpha1'] = { status: 200, body: { resources: allResources.filter((r) => !JSON.stringify(r).includes('Replica')) } };
    const lines = await kubectlMy([], 'version');
    assert.equal(lines[3], 'Custom Resources: apps.my.dev/v1alpha1 (MyDaemonSet, MyStatefulSet, MyDeployment; not served: MyReplicaSet)');
  });

  it('says apps.my.dev is not served when discovery does not know the group', async () => {
    delete answers['/apis/apps.my.dev'];
    const lines = await kubectlMy([], 'version');
    assert.equal(lines[3], "Custom Resources: apps.my.dev not served (install the operator's CustomResourceDefinitions)");
    assert.deepEqual(
      server.received.map((r) => r.url),
      ['/version', '/apis/apps.my.dev'],
    );
  });

  it('says which versions are served when v1alpha1 is not among them', async () => {
    answers['/apis/apps.my.dev'] = { status: 200, body: { ...apiGroup, versions: [{ version: 'v1beta1' }], preferredVersion: { version: 'v1beta1' } } };
    const lines = await kubectlMy([], 'version');
    assert.equal(lines[3], "Custom Resources: apps.my.dev serves v1beta1, not v1alpha1 (this plugin's version)");
  });

  it('-o json prints clientVersion, serverVersion as the server sent it, and customResources', async () => {
    const lines = await kubectlMy([], 'version', '-o', 'json');
    assert.equal(lines.length, 1);
    assert.deepEqual(JSON.parse(lines[0] ?? ''), {
      clientVersion: { gitVersion: `v${packageVersion}`, nodeVersion: process.version, platform: expectedPlatform() },
      serverVersion,
      customResources: {
        group: 'apps.my.dev',
        installed: true,
        servedVersions: ['v1alpha1'],
        preferredVersion: 'v1alpha1',
        version: 'v1alpha1',
        kinds: ['MyDaemonSet', 'MyStatefulSet', 'MyDeployment', 'MyReplicaSet'],
        missingKinds: [],
      },
    });
    assert.match(lines[0] ?? '', /^\{\n {2}"clientVersion": \{\n {4}"gitVersion"/, "indented two spaces, as kubectl version's");
  });

  it('-o yaml prints the same document as -o json', async () => {
    const json: unknown = JSON.parse((await kubectlMy([], 'version', '-o', 'json'))[0] ?? '');
    const yaml: unknown = parse((await kubectlMy([], 'version', '-o', 'yaml'))[0] ?? '');
    assert.deepEqual(yaml, json);
  });

  it('-o json --client holds the client version only', async () => {
    const lines = await kubectlMy([], 'version', '--client', '-o', 'json');
    assert.deepEqual(Object.keys(JSON.parse(lines[0] ?? '{}') as object), ['clientVersion']);
    assert.deepEqual(server.received, []);
  });

  it('prints the client version, then fails, when the server cannot be read', async () => {
    answers['/version'] = { status: 403, body: { kind: 'Status', code: 403, reason: 'Forbidden', message: 'forbidden: User "x" cannot get path "/version"' } };
    const lines: string[] = [];
    await assert.rejects(kubectlMy(lines, 'version'), /403 Forbidden: forbidden: User "x" cannot get path "\/version"/);
    assert.deepEqual(lines, [`Client Version: v${packageVersion}`, `Node.js Version: ${process.version}`]);
  });

  it('keeps the server version when only discovery fails', async () => {
    answers['/apis/apps.my.dev'] = { status: 403, body: { kind: 'Status', code: 403, reason: 'Forbidden', message: 'no discovery' } };
    const lines: string[] = [];
    await assert.rejects(kubectlMy(lines, 'version'), /no discovery/);
    assert.equal(lines[2], 'Server Version: v1.36.3');
    assert.equal(lines.length, 3);
  });

  it('refuses an output format other than json and yaml', () => {
    const cli = buildCli(() => undefined);
    const version = cli.commands.find((c) => c.name() === 'version');
    assert.ok(version);
    let message = '';
    version.exitOverride().configureOutput({ writeErr: (s) => (message += s) });
    assert.throws(() => version.parse(['-o', 'xml'], { from: 'user' }), /invalid/);
    assert.match(message, /Allowed choices are json, yaml/);
  });
});

describe('kubectl my --help', () => {
  it('lists every command of the plugin, version included', () => {
    const help = buildCli(() => undefined).helpInformation();
    for (const name of ['rollout', 'set', 'migrate', 'version']) assert.match(help, new RegExp(`^ {2}${name}\\b`, 'm'), `${name} is in --help`);
  });
});

/** GOOS/GOARCH of this machine, as kubectl names platforms. */
function expectedPlatform(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${os}/${arch}`;
}
