// What every e2e test needs: a client for the cluster the runner prepared (KUBECONFIG), a fresh
// namespace per test, kubectl, and waiting on conditions with a deadline.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { mkdirSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { clusterDir } from '../../../hack/cluster.ts';
import type { PollOptions } from '../../../hack/poll.ts';
import { pollUntil } from '../../../hack/poll.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { namespaces, resource } from '../../../src/api/resources.ts';
import { isNotFound } from '../../../src/runtime/client/errors.ts';
import { KubeClient } from '../../../src/runtime/client/rest.ts';

const run = promisify(execFile);

export function kubeconfigPath(): string {
  const value = process.env.KUBECONFIG;
  if (!value) throw new Error('KUBECONFIG is not set: run e2e tests through `npm run test:e2e`');
  return value;
}

/**
 * Where a test writes the log of a process it starts: the run's cluster folder (.cluster-e2e/),
 * never the demo's .cluster/. Made on demand: against another cluster (E2E_KUBECONFIG) it holds
 * only logs, and `npm run cluster:down` removes it.
 */
export function logFile(name: string): string {
  mkdirSync(clusterDir, { recursive: true });
  return path.join(clusterDir, name);
}

let cached: Promise<KubeClient> | undefined;

/** An unthrottled client for test setup and assertions. */
export function testClient(): Promise<KubeClient> {
  cached ??= (async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath());
    return KubeClient.fromKubeConfig(kc, { qps: 0, timeoutMs: 30_000, userAgent: 'mwo-e2e' });
  })();
  return cached;
}

/** Folder of kubectl and the other control-plane binaries (set by the runner). */
export function binDir(): string {
  const value = process.env.MWO_BIN;
  if (!value) throw new Error('MWO_BIN is not set: run e2e tests through `npm run test:e2e`');
  return value;
}

export async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const child = run(path.join(binDir(), 'kubectl'), ['--kubeconfig', kubeconfigPath(), ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

/** kubectl that is expected to fail; resolves with its stderr. */
export async function kubectlFails(args: readonly string[], input?: string): Promise<string> {
  try {
    const out = await kubectl(args, input);
    throw new Error(`expected kubectl ${args.join(' ')} to fail, it printed: ${out}`);
  } catch (err) {
    if (err instanceof Error && 'stderr' in err) return String(err.stderr);
    throw err;
  }
}

const serviceAccounts = resource<KubeObject>('', 'v1', 'serviceaccounts', 'ServiceAccount', true);

/**
 * Creates a namespace for one test and returns its name once its `default` ServiceAccount exists
 * (upstream e2e: WaitForDefaultServiceAccountInNamespace): pods created before it are refused
 * ("serviceaccount default not found"), which happens while kube-controller-manager is starting
 * again after a test restarted the API server. Deleted by the returned cleanup.
 */
export async function createNamespace(prefix: string): Promise<{ name: string; remove: () => Promise<void> }> {
  const client = await testClient();
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase();
  await client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'e2e.my.dev/test': prefix } } });
  await waitFor(`the default ServiceAccount of ${name}`, () => client.get(serviceAccounts, name, 'default'), () => true, { timeoutMs: 120_000, intervalMs: 100 });
  return {
    name,
    remove: async () => {
      if (process.env.E2E_KEEP_NAMESPACES) return;
      try {
        await client.delete(namespaces, undefined, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

/**
 * Waits until no namespace is Terminating. The parallel phase leaves its namespaces deleting; an
 * operator that watches every namespace meanwhile gets 403 "being terminated" on writes there,
 * which a test counting refused requests would take for RBAC refusals.
 */
export async function waitNamespacesSettled(timeoutMs = 180_000): Promise<void> {
  const client = await testClient();
  await waitFor(
    'no namespace left Terminating',
    async () => (await client.list(namespaces)).items.filter((n) => n.metadata.deletionTimestamp !== undefined).map((n) => n.metadata.name),
    (terminating) => terminating.length === 0,
    { timeoutMs, intervalMs: 500 },
  );
}

export type WaitOptions = Pick<PollOptions<unknown>, 'timeoutMs' | 'intervalMs'>;

/**
 * Polls `probe` until it returns a value that `done` accepts, or throws after the deadline with
 * `what` and the last value seen (so a failure says where things stood). Probe errors are retried.
 * Defaults: 60 s, every 200 ms (hack/poll.ts).
 */
export function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
  return pollUntil(what, probe, done, options);
}
