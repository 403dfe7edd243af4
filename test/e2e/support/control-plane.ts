// Disturbing the local control plane on purpose: restart a component the way a crash and a
// supervisor would, and force an etcd compaction. Only for serial tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { clusterDir, kwokClusterDir, recordExtraPid } from '../../../hack/cluster.ts';
import { processAlive } from '../../../hack/kwok-nodes.ts';
import { pollUntil } from '../../../hack/poll.ts';
import { isRecord } from '../../../src/api/meta.ts';
import { leases } from '../../../src/api/resources.ts';
import { testClient, waitFor } from './env.ts';

interface Component {
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly workDir: string;
}

function component(name: string): Component {
  // kwok.yaml holds several documents; the KwokctlConfiguration one lists the components.
  const docs = parseAllDocuments(readFileSync(path.join(kwokClusterDir, 'kwok.yaml'), 'utf8')).map((d) => {
    const js: unknown = d.toJS();
    return js;
  });
  const list = docs.flatMap((doc): unknown[] => (isRecord(doc) && Array.isArray(doc.components) ? (doc.components as unknown[]) : []));
  for (const c of list) {
    if (isRecord(c) && c.name === name && typeof c.binary === 'string' && Array.isArray(c.args)) {
      return {
        name,
        binary: c.binary,
        args: c.args.map(String),
        workDir: typeof c.workDir === 'string' ? c.workDir : kwokClusterDir,
      };
    }
  }
  throw new Error(`component ${name} not found in ${kwokClusterDir}/kwok.yaml`);
}

const restartedDir = path.join(clusterDir, 'restarted');

function currentPid(name: string): number {
  const ours = path.join(restartedDir, `${name}.pid`);
  const file = existsSync(ours) ? ours : path.join(kwokClusterDir, 'pids', `${name}.pid`);
  return Number(readFileSync(file, 'utf8').trim());
}


/** SIGKILLs the component and waits until the process is gone. */
export async function killComponent(name: string): Promise<void> {
  const pid = currentPid(name);
  if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGKILL');
  await pollUntil(`${name} (pid ${pid}) to exit`, () => pid <= 0 || !processAlive(pid), (gone) => gone, {
    timeoutMs: 10_000,
    intervalMs: 50,
    deadlineAfterProbe: true,
    onTimeout: () => new Error(`${name} (pid ${pid}) did not exit`),
  });
}

/** The component's command-line flags as kwokctl started it (kwok.yaml). */
export function componentArgs(name: string): readonly string[] {
  return component(name).args;
}

/** `args` with each `--key=value` of `flags` set: a flag already there is replaced, others are appended. */
function withFlags(args: readonly string[], flags: readonly string[]): string[] {
  const key = (arg: string): string => arg.split('=')[0] ?? arg;
  const overridden = new Set(flags.map(key));
  return [...args.filter((a) => !overridden.has(key(a))), ...flags];
}

/**
 * Starts the component again with the exact command line kwokctl used, or with `flags` set on
 * it (`--key=value`; a test that changes flags must restart the component without them after).
 */
export function startComponent(name: string, flags: readonly string[] = []): number {
  const c = component(name);
  const log = openSync(path.join(kwokClusterDir, 'logs', `${name}.log`), 'a');
  const child = spawn(c.binary, withFlags(c.args, flags), { cwd: c.workDir, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const pid = child.pid ?? 0;
  mkdirSync(restartedDir, { recursive: true });
  writeFileSync(path.join(restartedDir, `${name}.pid`), `${pid}\n`);
  recordExtraPid(pid);
  return pid;
}

function etcdClientUrl(): string {
  const arg = component('etcd').args.find((a) => a.startsWith('--listen-client-urls='));
  const url = arg?.split('=')[1]?.split(',')[0];
  if (!url) throw new Error('etcd client URL not found');
  return url;
}

/** Compacts etcd at its current revision (physical), so older resourceVersions answer 410 Gone. */
export async function compactEtcd(): Promise<number> {
  const base = etcdClientUrl();
  const range = await fetch(`${base}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: 'AA==' }) });
  const body: unknown = await range.json();
  const header = isRecord(body) && isRecord(body.header) ? body.header : {};
  const revision = Number(header.revision);
  if (!(revision > 0)) throw new Error(`could not read etcd revision: ${JSON.stringify(body)}`);
  const res = await fetch(`${base}/v3/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision: String(revision), physical: true }),
  });
  if (!res.ok) throw new Error(`compaction failed: ${res.status} ${await res.text()}`);
  return revision;
}

const supervised = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller'];

/**
 * Plays the supervisor kubelet is for a real control plane: starts every component whose process
 * is gone. kube-controller-manager and kube-scheduler exit by design when they cannot renew their
 * leader lease for 10 s, which an API server restart can cause. Returns the names restarted.
 */
export function superviseComponents(names: readonly string[] = supervised): string[] {
  const restarted: string[] = [];
  for (const name of names) {
    const pid = currentPid(name);
    if (pid > 0 && processAlive(pid)) continue;
    startComponent(name);
    restarted.push(name);
  }
  return restarted;
}

/**
 * Restarts kube-apiserver, with `flags` set or (no flags) as kwokctl started it, and returns once
 * it answers /readyz and kube-controller-manager and kube-scheduler have renewed their leases
 * since: both exit when they cannot renew for 10 s, which the restart can cause, and are started
 * again here, so the garbage collector and the scheduler are running when this returns.
 */
export async function restartApiServer(flags: readonly string[] = []): Promise<void> {
  const client = await testClient();
  const since = Date.now();
  await killComponent('kube-apiserver');
  startComponent('kube-apiserver', flags);
  await waitFor('kube-apiserver to answer /readyz', () => client.request({ method: 'GET', path: '/readyz' }), () => true, {
    timeoutMs: 90_000,
  });
  await waitFor(
    'kube-controller-manager and kube-scheduler to renew their leases after the restart',
    async () => {
      superviseComponents();
      const renewed = await Promise.all(
        ['kube-controller-manager', 'kube-scheduler'].map(async (name) => {
          const lease = await client.get(leases, 'kube-system', name);
          return Date.parse(lease.spec?.renewTime ?? '') > since;
        }),
      );
      return renewed;
    },
    (renewed) => renewed.every(Boolean),
    { timeoutMs: 90_000, intervalMs: 500 },
  );
}

/**
 * superviseComponents for kube-controller-manager and kube-scheduler every second, as kubelet
 * restarts a crashed static pod, until stop(), which returns what it restarted. A test that kills
 * kube-apiserver itself restarts that one (restartApiServer): it is not supervised here.
 */
export function startSupervisor(): { stop(): string[] } {
  const restarted: string[] = [];
  const timer = setInterval(() => restarted.push(...superviseComponents(['kube-controller-manager', 'kube-scheduler'])), 1_000);
  return {
    stop() {
      clearInterval(timer);
      return restarted;
    },
  };
}
