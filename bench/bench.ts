// The benchmark driver (started by run.ts, which pins the cluster name first). For each node count
// and QPS setting: a bench cluster with N kwok workers and kube-controller-manager at that QPS,
// the CRDs, then per kind (DaemonSet, StatefulSet, Deployment) the built-in controller, ours (an
// operator process started for it) and the raw loops (pods bound by the client, then pods the
// scheduler binds), one after the other on identical specs. kube-controller-manager's RSS is read
// from /proc beside the operator's (bench/kcm-process.ts).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { namespaces } from '../src/api/resources.ts';
import { isAlreadyExists } from '../src/runtime/client/errors.ts';
import type { KubeClient } from '../src/runtime/client/rest.ts';
import { clientFor, clusterDown, clusterName, clusterUp, controlPlaneBin, kwokClusterDir, repoRoot } from '../hack/cluster.ts';
import { controllerManagerRssBytes } from './kcm-process.ts';
import { componentPids as clusterComponentPids } from './cluster-cpu.ts';
import type { Endpoints, SideResult } from './measure.ts';
import { OwnRequests, waitControllerManagerQuiet } from './measure.ts';
import type { OperatorProcess } from './operator-process.ts';
import { buildOperator, startOperator } from './operator-process.ts';
import type { MemoryLimitReport } from './memory-limit.ts';
import { shippedMemoryLimitBytes } from './memory-limit.ts';
import { PodWatch } from './pod-watch.ts';
import type { RawResult } from './raw-limit.ts';
import { rawCreate } from './raw-limit.ts';
import { writeReport } from './report.ts';
import type { Kind, OperatorStart, RunResult, ScenarioResult } from './result.ts';
import { resultFileName } from './result.ts';
import type { ScenarioName, SideContext } from './scenarios.ts';
import { daemonSetChain, deploymentChain, scenarioTitles, statefulSetChain } from './scenarios.ts';
import { apiServerScraper, componentScraper, httpScraper, readComponents } from './scrape.ts';
import type { RawPlacement, Side } from './workloads.ts';
import { daemonSetMaxUnavailable } from './workloads.ts';

const run = promisify(execFile);

export interface BenchOptions {
  readonly nodes: readonly number[];
  /** Client QPS settings; 0 = unlimited. */
  readonly qps: readonly number[];
  readonly kinds: readonly Kind[];
  /** Replicas of the Deployment scenarios (create, rolling update, delete); default 500, --smoke 20. */
  readonly deploymentReplicas?: number;
  readonly out: string;
  readonly smoke: boolean;
  readonly cpuProf: boolean;
  /** Write each step's Ready-pod and status timelines (JSON lines) under the run's tmp folder. */
  readonly timelines?: boolean;
  readonly staleConsistency: boolean;
  readonly keepCluster: boolean;
  readonly raw: boolean;
  /** Rounds per side (alternating order); tables show the median round. */
  readonly repeat: number;
  /** Run the operator from this checkout instead of this one (before/after comparisons). */
  readonly operatorRoot?: string;
  /** More kube-controller-manager flags (`--key=value`), e.g. --kube-api-content-type=application/json. */
  readonly kcmFlags?: readonly string[];
}

const wallOf = (r: SideResult): number => r.wallSeconds ?? Infinity;

/** The element at the (lower) median of `key`, or at `rank` from the bottom. */
function medianBy<T>(items: readonly T[], key: (item: T) => number, rank?: number): T | undefined {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[rank ?? Math.floor((sorted.length - 1) / 2)];
}

const burst = 30;

function log(msg: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

/** Flags per component for one QPS setting (kwokctl componentsPatches). */
export function componentFlags(qps: number, staleConsistency: boolean, kcmFlags: readonly string[] = []): Record<string, string[]> {
  const limits = qps === 0 ? ['--kube-api-qps=10000', '--kube-api-burst=10000'] : [`--kube-api-qps=${qps}`, `--kube-api-burst=${burst}`];
  const gate = String(staleConsistency);
  return {
    'kube-controller-manager': [
      ...limits,
      // ReplicaSet: the Deployment scenarios' pods are the ReplicaSet controller's (gate beta, on by default in 1.36).
      `--feature-gates=StaleControllerConsistencyDaemonSet=${gate},StaleControllerConsistencyStatefulSet=${gate},StaleControllerConsistencyReplicaSet=${gate}`,
      ...kcmFlags,
    ],
    // The scheduler binds every pod of both sides; at its default 50 QPS it, not the controllers,
    // would set the pace. Unthrottled in every run.
    'kube-scheduler': ['--kube-api-qps=5000', '--kube-api-burst=10000'],
  };
}

function versions(): Record<string, string> {
  const env = readFileSync(path.join(repoRoot, 'hack', 'versions.env'), 'utf8');
  const get = (key: string): string => new RegExp(`^${key}=(.*)$`, 'm').exec(env)?.[1]?.trim() ?? '?';
  return { kubernetes: get('KUBERNETES_VERSION'), etcd: get('ETCD_VERSION'), kwok: get('KWOK_VERSION'), node: process.version };
}

async function gitDescribe(): Promise<string> {
  try {
    const { stdout } = await run('git', ['-C', repoRoot, 'describe', '--always', '--dirty']);
    return stdout.trim();
  } catch {
    return 'unknown';
  }
}

async function applyCrds(bin: string, kubeconfig: string): Promise<void> {
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  const kubectl = path.join(bin, 'kubectl');
  await run(kubectl, ['apply', '--server-side', '--force-conflicts', '-f', path.join(repoRoot, 'crds')], { env });
  await run(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds')], { env });
}

async function ensureNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

interface Counts {
  readonly daemonSetPods: number;
  readonly statefulSetParallel: number;
  readonly statefulSetOrdered: number;
  readonly deploymentReplicas: number;
}

function countsFor(nodes: number, smoke: boolean, deploymentReplicas: number | undefined): Counts {
  return smoke
    ? { daemonSetPods: nodes, statefulSetParallel: 20, statefulSetOrdered: 5, deploymentReplicas: deploymentReplicas ?? 20 }
    : { daemonSetPods: nodes, statefulSetParallel: 500, statefulSetOrdered: 50, deploymentReplicas: deploymentReplicas ?? 500 };
}

/** One node count at one QPS setting: cluster, CRDs, every scenario on every side. */
async function benchOne(options: BenchOptions, nodes: number, qps: number, bin: string): Promise<RunResult> {
  const date = new Date().toISOString();
  const loadStart = os.loadavg()[0] ?? 0;
  const flags = componentFlags(qps, options.staleConsistency, options.kcmFlags);
  const kubeconfig = await clusterUp({ nodes, componentArgs: flags, log: (m) => log(`cluster: ${m}`) });
  await applyCrds(bin, kubeconfig);
  const client = await clientFor(kubeconfig, 0);
  const components = readComponents(kwokClusterDir);
  const kcm = components.get('kube-controller-manager');
  if (!kcm) throw new Error(`kube-controller-manager is not in ${kwokClusterDir}/kwok.yaml`);
  const componentPids = clusterComponentPids(kwokClusterDir);
  const endpoints: Endpoints = { apiserver: apiServerScraper(client), kcm: componentScraper(kcm), componentPids };
  log('waiting for kube-controller-manager to go quiet after start-up');
  await waitControllerManagerQuiet(endpoints.kcm, 180_000);

  const counts = countsFor(nodes, options.smoke, options.deploymentReplicas);
  const tmp = path.join(options.out, 'tmp', `${nodes}-${qps}`);
  mkdirSync(tmp, { recursive: true });
  const own = new OwnRequests();
  const watches = new Map<string, PodWatch>();
  for (const ns of ['bench-builtin', 'bench-ours', 'bench-raw']) {
    await ensureNamespace(client, ns);
    const watch = new PodWatch(client, ns);
    await watch.start();
    watches.set(ns, watch);
  }
  const watchOf = (ns: string): PodWatch => {
    const w = watches.get(ns);
    if (!w) throw new Error(`no watch for ${ns}`);
    return w;
  };
  const sideContext = (side: Side, operator?: OperatorProcess): SideContext => ({
    side,
    client,
    endpoints,
    own,
    namespace: `bench-${side}`,
    watch: watchOf(`bench-${side}`),
    qps,
    ...(options.timelines === true ? { timelinesFile: path.join(tmp, 'timelines.jsonl') } : {}),
    ...(operator ? { operator, operatorScrape: httpScraper(operator.metricsUrl) } : {}),
    ...(side === 'builtin' ? { kcmRssBytes: () => controllerManagerRssBytes(kwokClusterDir) } : {}),
    log,
  });
  const starts: OperatorStart[] = [];
  // The operator runs under its shipped container memory limit: Node sizes V8's heap from it (memory-limit.ts).
  const memoryLimitBytes = shippedMemoryLimitBytes(options.operatorRoot ?? repoRoot);
  let memoryLimit: MemoryLimitReport | undefined;
  let rssCachedBytes: number | undefined;
  let kcmRssCachedBytes: number | undefined;
  const errors: string[] = [];
  const scenarios: ScenarioResult[] = [];

  const withOperator = async <T>(kind: Kind, body: (op: OperatorProcess) => Promise<T>): Promise<T> => {
    const op = await startOperator({
      repoRoot,
      ...(options.operatorRoot ? { operatorRoot: options.operatorRoot } : {}),
      kubeconfig,
      qps,
      burst,
      logFile: path.join(tmp, `operator-${kind}.log`),
      ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}),
      ...(options.cpuProf ? { cpuProfileDir: path.join(tmp, `profile-${kind}`) } : {}),
    });
    starts.push({ kind, cacheSyncMs: op.cacheSyncMs, rssAtReadyBytes: op.sampler.last?.rssBytes });
    memoryLimit ??= op.memoryLimit;
    if (op.memoryLimit?.notApplied !== undefined) log(`operator memory limit not applied: ${op.memoryLimit.notApplied}`);
    log(`operator ready in ${op.cacheSyncMs} ms`);
    try {
      return await body(op);
    } finally {
      await op.stop();
    }
  };
  /**
   * `repeat` rounds of both sides, alternating which goes first (built-in first in round 1), so
   * neither side always meets the warmer or the more loaded cluster. A side that fails outright
   * is reported as an error and left out.
   */
  const rounds = async <R>(kind: Kind, chain: (ctx: SideContext) => Promise<R>): Promise<{ builtin: R[]; ours: R[] }> => {
    const out: { builtin: R[]; ours: R[] } = { builtin: [], ours: [] };
    for (let round = 0; round < options.repeat; round++) {
      const order: Side[] = round % 2 === 0 ? ['builtin', 'ours'] : ['ours', 'builtin'];
      for (const side of order) {
        try {
          if (side === 'builtin') out.builtin.push(await chain(sideContext('builtin')));
          else out.ours.push(await withOperator(kind, (op) => chain(sideContext('ours', op))));
        } catch (err) {
          errors.push(`${kind} ${side} round ${round + 1}: ${err instanceof Error ? err.message : String(err)}`);
          log(`${kind} ${side} round ${round + 1} failed: ${String(err)}`);
        }
      }
    }
    return out;
  };
  /**
   * The raw loop `repeat` times; the fastest run is the limit. `bound` pods are the floor; the
   * others (`daemon`-shaped for the DaemonSet, plain `unbound` ones) go through the scheduler.
   */
  const rawBest = async (count: number, placement: RawPlacement = 'bound'): Promise<RawResult | undefined> => {
    if (!options.raw) return undefined;
    log(`raw loop: ${count} ${placement} pods`);
    const runs: RawResult[] = [];
    for (let round = 0; round < options.repeat; round++) {
      try {
        runs.push(await rawCreate({ repoRoot, kubeconfig, client, namespace: 'bench-raw', watch: watchOf('bench-raw'), count, nodes, placement, componentPids }));
      } catch (err) {
        // Like a side's failure: recorded, and the measurements taken so far are still written.
        errors.push(`raw loop ${count} ${placement} round ${round + 1}: ${err instanceof Error ? err.message : String(err)}`);
        log(`raw loop ${count} ${placement} round ${round + 1} failed: ${String(err)}`);
      }
    }
    if (runs.length === 0) return undefined;
    return medianBy(runs, (r) => r.wallSeconds ?? Infinity, 0);
  };
  const scenario = <N extends ScenarioName>(
    name: N,
    pods: number,
    runs: { builtin: readonly Readonly<Record<N, SideResult>>[]; ours: readonly Readonly<Record<N, SideResult>>[] },
    rawResult: RawResult | undefined,
    rawUnbound?: RawResult,
  ): ScenarioResult => {
    const b = runs.builtin.map((r) => r[name]);
    const o = runs.ours.map((r) => r[name]);
    const builtin = medianBy(b, wallOf);
    const ours = medianBy(o, wallOf);
    return {
      name,
      title: scenarioTitles[name],
      pods,
      ...(builtin ? { builtin } : {}),
      ...(ours ? { ours } : {}),
      ...(rawResult ? { raw: rawResult } : {}),
      ...(rawUnbound ? { rawUnbound } : {}),
      ...(options.repeat > 1 ? { rounds: { builtin: b, ours: o } } : {}),
    };
  };

  try {
    if (options.kinds.includes('ds')) {
      const runs = await rounds('ds', (ctx) => daemonSetChain(ctx, nodes));
      rssCachedBytes = runs.ours.map((r) => r.rssCachedBytes).find((b) => b !== undefined);
      kcmRssCachedBytes = runs.builtin.map((r) => r.kcmRssCachedBytes).find((b) => b !== undefined);
      const rawDs = await rawBest(nodes);
      const rawDsUnbound = await rawBest(nodes, 'daemon');
      scenarios.push(scenario('ds-create', nodes, runs, rawDs, rawDsUnbound));
      scenarios.push(scenario('ds-rollout', nodes, runs, undefined));
      scenarios.push(scenario('ds-delete', nodes, runs, undefined));
    }
    if (options.kinds.includes('sts')) {
      const runs = await rounds('sts', (ctx) => statefulSetChain(ctx, counts.statefulSetParallel, counts.statefulSetOrdered));
      const rawParallel = await rawBest(counts.statefulSetParallel);
      const rawParallelUnbound = await rawBest(counts.statefulSetParallel, 'unbound');
      const rawOrdered = await rawBest(counts.statefulSetOrdered);
      const rawOrderedUnbound = await rawBest(counts.statefulSetOrdered, 'unbound');
      scenarios.push(scenario('sts-parallel-create', counts.statefulSetParallel, runs, rawParallel, rawParallelUnbound));
      scenarios.push(scenario('sts-rolling-update', counts.statefulSetParallel, runs, undefined));
      scenarios.push(scenario('sts-ordered-create', counts.statefulSetOrdered, runs, rawOrdered, rawOrderedUnbound));
    }
    if (options.kinds.includes('deploy')) {
      const replicas = counts.deploymentReplicas;
      const runs = await rounds('deploy', (ctx) => deploymentChain(ctx, replicas));
      const rawDeploy = await rawBest(replicas);
      const rawDeployUnbound = await rawBest(replicas, 'unbound');
      scenarios.push(scenario('deploy-create', replicas, runs, rawDeploy, rawDeployUnbound));
      scenarios.push(scenario('deploy-rolling-update', replicas, runs, undefined));
      scenarios.push(scenario('deploy-delete', replicas, runs, undefined));
    }
  } finally {
    await Promise.all([...watches.values()].map((w) => w.close()));
  }

  return {
    schema: 1,
    date,
    smoke: options.smoke,
    nodes,
    qps,
    burst: qps === 0 ? 0 : burst,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
      loadAverage: { start: loadStart, end: os.loadavg()[0] ?? 0 },
    },
    versions: { ...versions(), operator: options.operatorRoot ? `${await gitDescribe()} (operator from ${options.operatorRoot})` : await gitDescribe() },
    controlPlane: {
      kubeControllerManagerFlags: flags['kube-controller-manager'] ?? [],
      kubeSchedulerFlags: flags['kube-scheduler'] ?? [],
      staleControllerConsistencyDaemonSet: options.staleConsistency,
      staleControllerConsistencyStatefulSet: options.staleConsistency,
      staleControllerConsistencyReplicaSet: options.staleConsistency,
    },
    counts: { ...counts, maxUnavailable: daemonSetMaxUnavailable(nodes) },
    repeat: options.repeat,
    operator: { starts, ...(rssCachedBytes ? { rssCachedBytes } : {}), ...(memoryLimit ? { memoryLimit } : {}) },
    ...(kcmRssCachedBytes ? { kubeControllerManager: { rssCachedBytes: kcmRssCachedBytes } } : {}),
    scenarios,
    errors,
  };
}

export async function runBench(options: BenchOptions): Promise<void> {
  if (clusterName !== 'bench') throw new Error(`refusing to run against cluster "${clusterName}": MWO_CLUSTER_NAME must be bench`);
  const started = Date.now();
  const bin = await controlPlaneBin();
  mkdirSync(options.out, { recursive: true });
  log('building the operator (dist/)');
  await buildOperator(options.operatorRoot ?? repoRoot);
  try {
    for (const nodes of options.nodes) {
      for (const qps of options.qps) {
        log(`=== ${nodes} nodes, qps ${qps === 0 ? 'unlimited' : qps} ===`);
        const result = await benchOne(options, nodes, qps, bin);
        const file = path.join(options.out, resultFileName(result));
        writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
        log(`wrote ${path.relative(repoRoot, file)}`);
      }
    }
    // Only the project's own results folder feeds the README section.
    writeReport({ dir: options.out, readme: path.resolve(options.out) === path.join(repoRoot, 'bench', 'results'), log });
  } finally {
    if (!options.keepCluster) {
      log('tearing the bench cluster down');
      await clusterDown({ quiet: true });
    }
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
