// The local control plane: kube-apiserver, kube-controller-manager, kube-scheduler, etcd and the
// kwok controller as local processes (kwokctl's binary runtime), with fake nodes whose pods turn
// Running/Ready without containers.
//
//   npm run cluster:up -- [--nodes N] [--port P]     start (or reuse) and wait until all nodes are Ready
//   npm run cluster:down                              stop every cluster this checkout started (the demo's
//                                                     .cluster/, the tests' .cluster-e2e/, the bench's
//                                                     .cluster-bench/), their operators, and remove the folders
//
// State lives in .cluster/ (git-ignored): kubeconfig, kwok/ (kwokctl's work dir), logs -> component logs.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { Command, InvalidArgumentError } from 'commander';
import { parseAllDocuments, stringify } from 'yaml';
import type { Node } from '../src/api/core.ts';
import { isRecord } from '../src/api/meta.ts';
import { nodes as nodeResource } from '../src/api/resources.ts';
import { KubeClient } from '../src/runtime/client/rest.ts';
import { isAlreadyExists } from '../src/runtime/client/errors.ts';
import { kwokNode, workerName } from './kwok-nodes.ts';
import { pollUntil } from './poll.ts';

const run = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * MWO_CLUSTER_NAME runs a second, independent cluster beside the default one (benchmarks use it):
 * its state goes to .cluster-<name>/ instead of .cluster/. kwokctl picks free ports for each.
 */
export const clusterName = process.env.MWO_CLUSTER_NAME ?? 'mwo';

/** Where a named cluster keeps its state. */
function clusterPaths(name: string): { readonly dir: string; readonly workDir: string; readonly kwokDir: string } {
  const dir = path.join(repoRoot, name === 'mwo' ? '.cluster' : `.cluster-${name}`);
  const workDir = path.join(dir, 'kwok');
  return { dir, workDir, kwokDir: path.join(workDir, 'clusters', name) };
}

export const clusterDir = clusterPaths(clusterName).dir;
export const kubeconfigPath = path.join(clusterDir, 'kubeconfig');
const workDir = clusterPaths(clusterName).workDir;
/** kwokctl's folder for this cluster: kwok.yaml (component command lines), logs/, pids/. */
export const kwokClusterDir = clusterPaths(clusterName).kwokDir;

/** Names of the clusters whose state folders exist in this checkout (.cluster/ is `mwo`). */
export function localClusterNames(): string[] {
  return readdirSafe(repoRoot)
    .map((f) => (f === '.cluster' ? 'mwo' : f.startsWith('.cluster-') ? f.slice('.cluster-'.length) : undefined))
    .filter((n): n is string => n !== undefined && n !== '');
}
const stagesFile = path.join(repoRoot, 'hack', 'kwok', 'kwokctl.yaml');

/** Zones the workers are spread over, round-robin, so topology-aware behaviour has something to see. */
const zones = ['zone-a', 'zone-b', 'zone-c'];

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}

/** Runs a hack/build-*.sh script (which builds or finds its cache) and resolves with the bin folder it prints last. */
function builtBin(script: string, what: string, args: readonly string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot, 'hack', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const bin = out.trim().split('\n').pop() ?? '';
      if (code === 0 && existsSync(bin)) resolve(bin);
      else reject(new ClusterError(`building ${what} failed (exit ${code ?? 'signal'}); see the output above`));
    });
  });
}

/** Builds the control-plane binaries (or finds them cached) and returns their folder. */
export function controlPlaneBin(): Promise<string> {
  return builtBin('build-control-plane.sh', 'the control plane');
}

/** Builds the named tools of hack/build-tools.sh (helm, kind, prometheus, actionlint) or finds them cached. */
export function toolsBin(tools: readonly string[]): Promise<string> {
  return builtBin('build-tools.sh', tools.join(', '), tools);
}

function kwokEnv(bin: string, dir = workDir): NodeJS.ProcessEnv {
  return { ...process.env, KWOK_WORKDIR: dir, PATH: `${bin}:${process.env.PATH ?? ''}` };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function clientFor(kubeconfig = kubeconfigPath, qps = 0): Promise<KubeClient> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return KubeClient.fromKubeConfig(kc, { qps, timeoutMs: 30_000, userAgent: 'mwo-hack' });
}

/** True when .cluster/kubeconfig points at an API server that answers /readyz. */
export async function clusterHealthy(): Promise<boolean> {
  if (!existsSync(kubeconfigPath)) return false;
  try {
    const client = await clientFor();
    await client.request({ method: 'GET', path: '/readyz' });
    return true;
  } catch {
    return false;
  }
}

export interface UpOptions {
  readonly nodes: number;
  /** kube-apiserver port; 0 picks a free one. */
  readonly port?: number;
  /** Progress messages; default: stderr. */
  readonly log?: (msg: string) => void;
  /**
   * Extra command-line flags per component, e.g. `{ 'kube-controller-manager': ['--kube-api-qps=10000'] }`
   * (kwokctl `componentsPatches`). A running cluster started with other flags is recreated.
   */
  readonly componentArgs?: Readonly<Record<string, readonly string[]>>;
}

/** The kwokctl --config file carrying the stages plus `componentArgs`, or the stages file itself. */
function kwokctlConfigFor(componentArgs: UpOptions['componentArgs']): { readonly file: string; readonly text: string | undefined } {
  const entries = Object.entries(componentArgs ?? {}).filter(([, args]) => args.length > 0);
  if (entries.length === 0) return { file: stagesFile, text: undefined };
  const docs = parseAllDocuments(readFileSync(stagesFile, 'utf8')).map((d) => {
    const js: unknown = d.toJS();
    return js;
  });
  const patches = entries.map(([name, args]) => ({
    name,
    extraArgs: args.map((arg) => {
      const match = /^--([^=]+)=(.*)$/s.exec(arg);
      if (!match) throw new ClusterError(`component flag ${arg} must look like --key=value`);
      return { key: match[1], value: match[2] };
    }),
  }));
  const merged = docs.map((doc) =>
    isRecord(doc) && doc.kind === 'KwokctlConfiguration' ? { ...doc, componentsPatches: patches } : doc,
  );
  return { file: path.join(clusterDir, 'kwokctl.yaml'), text: merged.map((d) => stringify(d)).join('---\n') };
}

/** Whether the running cluster was created with this kwokctl configuration (undefined: the stages file). */
function runningConfigMatches(text: string | undefined): boolean {
  const file = path.join(clusterDir, 'kwokctl.yaml');
  const running = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  return running === text;
}

/**
 * Starts the cluster, or reuses a healthy one, and makes it have exactly `nodes` workers plus the
 * control-plane node, all Ready. Resolves with the kubeconfig path.
 */
export async function clusterUp(options: UpOptions): Promise<string> {
  const log = options.log ?? ((msg: string) => console.error(`[cluster] ${msg}`));
  const started = Date.now();
  const bin = await controlPlaneBin();
  const config = kwokctlConfigFor(options.componentArgs);
  if ((await clusterHealthy()) && runningConfigMatches(config.text)) {
    log('reusing the running cluster');
  } else {
    await clusterDown({ quiet: true, bin });
    if (options.port && !(await portFree(options.port))) {
      throw new ClusterError(`port ${options.port} is taken: pass another --port, or stop what listens there`);
    }
    mkdirSync(workDir, { recursive: true });
    if (config.text !== undefined) writeFileSync(config.file, config.text);
    log('starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok');
    const args = [
      'create', 'cluster', '--name', clusterName, '--runtime', 'binary', '--wait', '3m', '--quiet-pull',
      `--kube-apiserver-binary=${bin}/kube-apiserver`,
      `--kube-controller-manager-binary=${bin}/kube-controller-manager`,
      `--kube-scheduler-binary=${bin}/kube-scheduler`,
      `--etcd-binary=${bin}/etcd`,
      `--kwok-controller-binary=${bin}/kwok`,
      '--config', config.file,
    ];
    if (options.port) args.push(`--kube-apiserver-port=${options.port}`);
    try {
      await run(path.join(bin, 'kwokctl'), args, { env: kwokEnv(bin), maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      const stderr = err instanceof Error && 'stderr' in err ? String(err.stderr) : String(err);
      const line = stderr.split('\n').filter((l) => /error|failed/i.test(l)).pop() ?? stderr.trim().split('\n').pop();
      throw new ClusterError(`kwokctl could not create the cluster: ${line ?? 'unknown error'} (logs: ${kwokClusterDir}/logs)`);
    }
    copyFileSync(path.join(kwokClusterDir, 'kubeconfig.yaml'), kubeconfigPath);
    const logsLink = path.join(clusterDir, 'logs');
    if (!existsSync(logsLink)) symlinkSync(path.join(kwokClusterDir, 'logs'), logsLink);
    log(`control plane up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const client = await clientFor();
  await reconcileNodes(client, options.nodes, log);
  await waitNodesReady(client, options.nodes + 1, log, started);
  log(`cluster ready with ${options.nodes} workers + control-plane in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  log(`export KUBECONFIG=${kubeconfigPath}`);
  return kubeconfigPath;
}

/** Creates missing workers and the control-plane node; deletes workers beyond `count`. */
async function reconcileNodes(client: KubeClient, count: number, log: (msg: string) => void): Promise<void> {
  const existing = new Set((await client.listAll(nodeResource)).items.map((n) => n.metadata.name ?? ''));
  const wanted: Node[] = [
    kwokNode(
      'control-plane',
      { 'node-role.kubernetes.io/control-plane': '', 'topology.kubernetes.io/zone': zones[0] ?? 'zone-a' },
      { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
    ),
  ];
  for (let i = 0; i < count; i++) {
    wanted.push(
      kwokNode(workerName(i), { 'node-role.kubernetes.io/worker': '', 'topology.kubernetes.io/zone': zones[i % zones.length] ?? 'zone-a' }, {}),
    );
  }
  const wantedNames = new Set(wanted.map((n) => n.metadata.name ?? ''));
  const toCreate = wanted.filter((n) => !existing.has(n.metadata.name ?? ''));
  const toDelete = [...existing].filter((name) => name.startsWith('kwok-node-') && !wantedNames.has(name));
  if (toCreate.length > 0) log(`creating ${toCreate.length} nodes`);
  await inParallel(toCreate, 32, async (node) => {
    try {
      await client.create(nodeResource, node);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  });
  if (toDelete.length > 0) log(`deleting ${toDelete.length} surplus nodes`);
  await inParallel(toDelete, 32, (name) => client.delete(nodeResource, undefined, name));
}

/** Runs `fn` over `items`, at most `width` at a time. */
export async function inParallel<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/**
 * Waits until every node is Ready and schedulable: kwok marks a node Ready within about a second,
 * but the API server's TaintNodesByCondition admission gives each new node the
 * `node.kubernetes.io/not-ready` taint, which only kube-controller-manager's node lifecycle
 * controller removes — at its client QPS (20 by default, so minutes for 1000 nodes).
 */
async function waitNodesReady(client: KubeClient, expected: number, log: (msg: string) => void, since: number): Promise<void> {
  // The taint removal runs at about 4 nodes/s at QPS 20 (measured: 1000 nodes in ~225 s).
  const timeoutMs = 5 * 60_000 + expected * 300;
  let allReadyLogged = false;
  const count = async (): Promise<{ ready: number; total: number; tainted: number }> => {
    const list = await client.listAll(nodeResource);
    const total = list.items.length;
    const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const tainted = list.items.filter((n) => n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready')).length;
    if (ready === expected && total === expected && tainted > 0 && !allReadyLogged && expected > 50) {
      log(`${expected} nodes Ready at ${((Date.now() - since) / 1000).toFixed(1)} s; waiting for kube-controller-manager to clear ${tainted} not-ready taints`);
      allReadyLogged = true;
    }
    return { ready, total, tainted };
  };
  await pollUntil('nodes Ready and schedulable', count, (c) => c.ready === expected && c.total === expected && c.tainted === 0, {
    timeoutMs,
    // Listing thousands of nodes four times a second would slow the API server the wait is on.
    intervalMs: expected > 100 ? 2000 : 250,
    stopOnError: true,
    onTimeout: (last = { ready: 0, total: 0, tainted: 0 }) => {
      log(`only ${last.ready}/${expected} nodes Ready (${last.total} exist, ${last.tainted} still tainted not-ready)`);
      return new ClusterError(`nodes not Ready and schedulable after ${Math.round(timeoutMs / 60_000)} minutes: ${last.ready}/${expected}`);
    },
  });
}

/**
 * Stops every component of one cluster (default: this process's), also processes recorded in its
 * extra-pids (components restarted by tests, the demo's and the tests' operators), and removes its folder.
 */
export async function clusterDown(options: { quiet?: boolean; bin?: string; name?: string } = {}): Promise<void> {
  const name = options.name ?? clusterName;
  const log = options.quiet ? () => {} : (msg: string) => console.error(`[cluster] ${msg}`);
  const paths = clusterPaths(name);
  const extra = path.join(paths.dir, 'extra-pids');
  if (existsSync(extra)) {
    for (const pid of readFileSync(extra, 'utf8').split('\n').map(Number).filter((p) => p > 0)) killIfOurs(pid);
  }
  if (existsSync(paths.kwokDir)) {
    const bin = options.bin ?? (await controlPlaneBin());
    try {
      await run(path.join(bin, 'kwokctl'), ['delete', 'cluster', '--name', name], { env: kwokEnv(bin, paths.workDir) });
    } catch {
      // fall through: kill what is left by pid
    }
    killPidFiles(path.join(paths.kwokDir, 'pids'));
  }
  rmSync(paths.dir, { recursive: true, force: true });
  log(`cluster ${name} removed`);
}

/**
 * SIGKILLs a recorded pid only while it still runs something of this checkout (its command line
 * names the repository: the operator's src/main.ts, a component binary in a .cluster folder). A pid
 * recorded long ago may have been reused by an unrelated process, which must survive.
 */
function killIfOurs(pid: number): void {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return; // gone (or no /proc: then nothing is killed by pid, kwokctl still stops its components)
  }
  if (!cmdline.includes(repoRoot)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited meanwhile
  }
}

function killPidFiles(dir: string): void {
  if (!existsSync(dir)) return;
  for (const file of readdirSafe(dir)) {
    const pid = Number(readFileSync(path.join(dir, file), 'utf8').trim());
    if (pid > 0) killIfOurs(pid);
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Records a pid started outside kwokctl (a restarted component) so clusterDown stops it. */
export function recordExtraPid(pid: number): void {
  mkdirSync(clusterDir, { recursive: true });
  const file = path.join(clusterDir, 'extra-pids');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(file, `${previous}${pid}\n`);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('cluster').description('the local kwok-based control plane');
  program
    .command('up')
    .description('start (or reuse) the local cluster and wait until every node is Ready')
    .option('--nodes <n>', 'number of fake worker nodes', positiveInt, 3)
    .option('--port <port>', 'kube-apiserver port (default: a free one)', positiveInt, 0)
    .action(async (opts: { nodes: number; port: number }) => {
      await clusterUp({ nodes: opts.nodes, port: opts.port });
    });
  program
    .command('down')
    .description('stop every local cluster of this checkout (or only MWO_CLUSTER_NAME\'s) and its operators')
    .action(async () => {
      const names = process.env.MWO_CLUSTER_NAME ? [clusterName] : localClusterNames();
      if (names.length === 0) console.error('[cluster] no local cluster to stop');
      for (const name of names) await clusterDown({ name });
    });
  await program.parseAsync(argv);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv).catch((err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
