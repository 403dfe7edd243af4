// Reads the credentials the operator needs from a kubeconfig file or from inside a pod, without
// @kubernetes/client-node. Why not client-node here (it stays the CLI's and the tests' loader, and
// the operator's for what this file does not handle): importing its KubeConfig — even
// dist/config.js alone — loads its whole generated API, about a thousand modules, which costs
// the process ~85 MiB of RSS before it caches a single object (measured: a bare Node 24 process
// 41 MiB, after `import('@kubernetes/client-node')` 129 MiB). An operator's kubeconfig is almost
// always one of two simple shapes — the pod's service account, or a file with certificates or a
// token — and those are read here. Anything else (exec plugins, auth providers, proxies) returns
// undefined and the caller falls back to client-node.
//
// upstream: client-go tools/clientcmd (kubeconfig files) and rest.InClusterConfig.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { isRecord } from '../../api/meta.ts';

/** What a connection to the API server needs: where, which TLS, which credentials. */
export interface ClusterCredentials {
  readonly server: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly auth: StaticAuth;
}

export type StaticAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  /** Read again on every refresh: projected service-account tokens rotate. */
  | { readonly kind: 'tokenFile'; readonly path: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** rest.InClusterConfig: the service's address from the environment, the pod's token and CA. */
export function inClusterCredentials(env: NodeJS.ProcessEnv = process.env, dir = serviceAccountDir): ClusterCredentials {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset (pass --kubeconfig)');
  const hostPart = net.isIPv6(host) ? `[${host}]` : host;
  const caFile = path.join(dir, 'ca.crt');
  return {
    server: `https://${hostPart}:${port}`,
    ...(fs.existsSync(caFile) ? { ca: fs.readFileSync(caFile) } : {}),
    insecureSkipTlsVerify: false,
    auth: { kind: 'tokenFile', path: path.join(dir, 'token') },
  };
}

/**
 * The current context's cluster and user of the kubeconfig at `file`, or undefined when the user
 * needs what only client-node implements (exec, auth-provider) or the cluster a proxy. Throws when
 * the file does not name a usable context, as kubectl does.
 */
export function kubeConfigCredentials(file: string): ClusterCredentials | undefined {
  const doc: unknown = parse(fs.readFileSync(file, 'utf8'));
  if (!isRecord(doc)) throw new Error(`${file}: not a kubeconfig`);
  const contextName = stringField(doc, 'current-context');
  if (!contextName) throw new Error(`${file}: no current-context`);
  const context = named(doc, 'contexts', 'context', contextName, file);
  const cluster = named(doc, 'clusters', 'cluster', stringField(context, 'cluster') ?? '', file);
  const userName = stringField(context, 'user');
  const user = userName ? named(doc, 'users', 'user', userName, file) : {};
  if (user.exec !== undefined || user['auth-provider'] !== undefined || cluster['proxy-url'] !== undefined) return undefined;
  const server = stringField(cluster, 'server');
  if (!server) throw new Error(`${file}: cluster of context ${contextName} has no server`);
  const dir = path.dirname(file);
  const ca = bytes(cluster, 'certificate-authority', dir);
  const cert = bytes(user, 'client-certificate', dir);
  const key = bytes(user, 'client-key', dir);
  const tlsServerName = stringField(cluster, 'tls-server-name');
  return {
    server,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...(tlsServerName ? { tlsServerName } : {}),
    auth: staticAuth(user, dir),
  };
}

function staticAuth(user: Record<string, unknown>, dir: string): StaticAuth {
  const token = stringField(user, 'token');
  if (token) return { kind: 'token', token };
  const tokenFile = stringField(user, 'tokenFile');
  if (tokenFile) return { kind: 'tokenFile', path: path.resolve(dir, tokenFile) };
  const username = stringField(user, 'username');
  const password = stringField(user, 'password');
  if (username !== undefined && password !== undefined) return { kind: 'basic', username, password };
  return { kind: 'none' };
}

function stringField(obj: Record<string, unknown>, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' ? value : undefined;
}

/** The `inner` record of the `list` entry called `name` (kubeconfig's named-list layout). */
function named(doc: Record<string, unknown>, list: string, inner: string, name: string, file: string): Record<string, unknown> {
  const entries = doc[list];
  const entry: unknown = Array.isArray(entries) ? (entries as unknown[]).find((e: unknown) => isRecord(e) && e.name === name) : undefined;
  const value: unknown = isRecord(entry) ? entry[inner] : undefined;
  if (!isRecord(value)) throw new Error(`${file}: no ${inner} named "${name}"`);
  return value;
}

/** `<field>-data` (base64) wins over `<field>` (a path, relative to the kubeconfig's folder), as in clientcmd. */
function bytes(obj: Record<string, unknown>, field: string, dir: string): Buffer | undefined {
  const data = stringField(obj, `${field}-data`);
  if (data) return Buffer.from(data, 'base64');
  const file = stringField(obj, field);
  return file ? fs.readFileSync(path.resolve(dir, file)) : undefined;
}
