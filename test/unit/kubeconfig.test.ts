// The operator's own kubeconfig reader (runtime/client/kubeconfig.ts): the shapes it reads, and
// the ones it leaves to client-node.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inClusterCredentials, kubeConfigCredentials } from '../../src/runtime/client/kubeconfig.ts';
import { transportFromCredentials } from '../../src/runtime/client/transport.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mwo-kubeconfig-'));
}

function kubeconfig(dir: string, user: string, cluster = 'server: https://127.0.0.1:6443\n    certificate-authority: ca.crt'): string {
  const file = path.join(dir, 'config');
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: other
  context: {cluster: nowhere, user: nobody}
- name: dev
  context: {cluster: local, user: me}
clusters:
- name: local
  cluster:
    ${cluster}
users:
- name: me
  user:
${user}
`,
  );
  return file;
}

describe('kubeConfigCredentials', () => {
  it('reads the current context: files relative to the kubeconfig, -data fields as base64', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA');
    fs.writeFileSync(path.join(dir, 'me.key'), 'KEY');
    const file = kubeconfig(dir, `    client-certificate-data: ${Buffer.from('CERT').toString('base64')}\n    client-key: me.key`);
    const creds = kubeConfigCredentials(file);
    assert.ok(creds);
    assert.equal(creds.server, 'https://127.0.0.1:6443');
    assert.equal(creds.ca?.toString(), 'CA');
    assert.equal(creds.cert?.toString(), 'CERT');
    assert.equal(creds.key?.toString(), 'KEY');
    assert.equal(creds.insecureSkipTlsVerify, false);
    assert.deepEqual(creds.auth, { kind: 'none' });
  });

  it('sends a token, or a token file read again on refresh', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA');
    const withToken = kubeConfigCredentials(kubeconfig(dir, '    token: abc'));
    assert.deepEqual(withToken?.auth, { kind: 'token', token: 'abc' });
    fs.writeFileSync(path.join(dir, 'token'), 'from-file\n');
    const withFile = kubeConfigCredentials(kubeconfig(dir, '    tokenFile: token', 'server: http://127.0.0.1:8080\n    insecure-skip-tls-verify: true'));
    assert.ok(withFile);
    assert.deepEqual(withFile.auth, { kind: 'tokenFile', path: path.join(dir, 'token') });
    const transport = transportFromCredentials(withFile);
    assert.equal(transport.dispatcher !== undefined, true, 'insecure-skip-tls-verify needs an agent');
    assert.deepEqual(await transport.headers(), { Authorization: 'Bearer from-file' });
  });

  it('leaves exec plugins, auth providers and proxies to client-node', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA');
    assert.equal(kubeConfigCredentials(kubeconfig(dir, '    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}')), undefined);
    assert.equal(kubeConfigCredentials(kubeconfig(dir, '    auth-provider: {name: oidc}')), undefined);
    assert.equal(kubeConfigCredentials(kubeconfig(dir, '    token: t', 'server: https://x\n    proxy-url: http://proxy:3128')), undefined);
  });

  it('refuses a kubeconfig without a usable context, and plain HTTP without insecure-skip-tls-verify', () => {
    const dir = tempDir();
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: []\n');
    assert.throws(() => kubeConfigCredentials(file), /no current-context/);
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\ncurrent-context: gone\ncontexts: []\n');
    assert.throws(() => kubeConfigCredentials(file), /no context named "gone"/);
    assert.throws(() => transportFromCredentials({ server: 'http://x:80', insecureSkipTlsVerify: false, auth: { kind: 'none' } }), /plain HTTP/);
  });
});

describe('inClusterCredentials', () => {
  it('reads the service address from the environment and the pod token file (IPv6 in brackets)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ca.crt'), 'CA');
    const creds = inClusterCredentials({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    assert.equal(creds.server, 'https://[fd00::1]:443');
    assert.equal(creds.ca?.toString(), 'CA');
    assert.deepEqual(creds.auth, { kind: 'tokenFile', path: path.join(dir, 'token') });
  });

  it('says how to run outside a cluster', () => {
    assert.throws(() => inClusterCredentials({}), /pass --kubeconfig/);
  });
});
