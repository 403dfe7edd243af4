// Runs raw-loop.ts for `count` pods and times it like the scenarios: from its first request to the
// watch event that shows the last pod Ready. Then deletes the pods and waits until they are gone.
// Bound pods are the floor; unbound ones add the scheduler, which a controller's pods go through too.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { isRecord } from '../src/api/meta.ts';
import { pods } from '../src/api/resources.ts';
import { TransportError } from '../src/runtime/client/errors.ts';
import type { KubeClient } from '../src/runtime/client/rest.ts';
import type { PodWatch } from './pod-watch.ts';
import { WaitTimeout } from './pod-watch.ts';
import type { RawPlacement } from './workloads.ts';
import { imageV1 } from './workloads.ts';
import type { CpuSeconds } from './cluster-cpu.ts';
import { cpuDelta, cpuNow } from './cluster-cpu.ts';

export interface RawResult {
  readonly pods: number;
  /** bound (spec.nodeName set), or left to the scheduler: daemon-shaped or plain. Absent in older runs: bound. */
  readonly placement?: RawPlacement;
  readonly wallSeconds: number | undefined;
  readonly podsPerSecond: number | undefined;
  /** First request to last answer: how fast the API server took the creates. */
  readonly createSeconds: number;
  readonly concurrency: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly timedOut?: string;
  /** CPU seconds from the loop's start to the last pod Ready, by process: the cluster's components and `loop` (its creates only). Absent in older runs. */
  readonly cpuToEnd?: CpuSeconds;
}

interface LoopReport {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly created: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly cpuSeconds?: number;
}

function parseReport(text: string): LoopReport {
  const parsed: unknown = JSON.parse(text.trim().split('\n').pop() ?? '{}');
  if (!isRecord(parsed)) throw new Error(`raw loop printed ${text}`);
  const get = (k: string): unknown => parsed[k];
  const num = (k: string): number => {
    const v = get(k);
    if (typeof v !== 'number') throw new Error(`raw loop report lacks ${k}: ${text}`);
    return v;
  };
  const firstError = get('firstError');
  const cpuSeconds = get('cpuSeconds');
  return {
    ...(typeof cpuSeconds === 'number' ? { cpuSeconds } : {}),
    startedAt: num('startedAt'),
    finishedAt: num('finishedAt'),
    created: num('created'),
    errors: num('errors'),
    ...(typeof firstError === 'string' ? { firstError } : {}),
  };
}

export async function rawCreate(options: {
  readonly repoRoot: string;
  readonly kubeconfig: string;
  readonly client: KubeClient;
  readonly namespace: string;
  readonly watch: PodWatch;
  readonly count: number;
  readonly nodes: number;
  readonly concurrency?: number;
  readonly placement?: RawPlacement;
  /** The cluster's component processes whose CPU the run records (bench/cluster-cpu.ts). */
  readonly componentPids?: ReadonlyMap<string, number>;
}): Promise<RawResult> {
  const { watch, count } = options;
  const concurrency = options.concurrency ?? 64;
  const placement = options.placement ?? 'bound';
  await watch.waitFor((c) => c.total === 0, 600_000, 'raw: no pods before');
  const reached = watch.waitFor(
    (c) => c.total === count && c.readyByImage.get(imageV1) === count,
    180_000 + count * 100,
    'raw loop: all pods Ready',
  );
  const pids = options.componentPids ?? new Map<string, number>();
  // Read when the loop says it is about to send (not at spawn: Node's start-up is not the run's).
  let cpuAtStart: CpuSeconds | undefined;
  const cpuAtEnd = reached.then(() => cpuNow(pids));
  cpuAtEnd.catch(() => undefined); // a timeout is handled below, through `reached`
  const node = path.join(options.repoRoot, 'node_modules', '.bin', 'node');
  const script = path.join(options.repoRoot, 'bench', 'raw-loop.ts');
  const args = [script, options.kubeconfig, options.namespace, String(count), String(options.nodes), String(concurrency), placement];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (cpuAtStart === undefined && text.includes('\n')) cpuAtStart = cpuNow(pids);
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`raw loop exited with ${code ?? 'signal'}`))));
  });
  const report = parseReport(out);
  let wallSeconds: number | undefined;
  let timedOut: string | undefined;
  let cpuToEnd: CpuSeconds | undefined;
  try {
    wallSeconds = ((await reached) - report.startedAt) / 1000;
    if (pids.size > 0 && cpuAtStart !== undefined) {
      const loop: CpuSeconds = report.cpuSeconds === undefined ? {} : { loop: Math.round(report.cpuSeconds * 100) / 100 };
      cpuToEnd = { ...cpuDelta(cpuAtStart, await cpuAtEnd), ...loop };
    }
  } catch (err) {
    if (!(err instanceof WaitTimeout)) throw err;
    timedOut = err.message;
  }
  await deleteAllPods(options.client, options.namespace, watch);
  return {
    pods: count,
    placement,
    wallSeconds,
    podsPerSecond: wallSeconds ? count / wallSeconds : undefined,
    createSeconds: (report.finishedAt - report.startedAt) / 1000,
    concurrency,
    errors: report.errors,
    ...(report.firstError ? { firstError: report.firstError } : {}),
    ...(timedOut ? { timedOut } : {}),
    ...(cpuToEnd ? { cpuToEnd } : {}),
  };
}

/**
 * Deletes every pod of the namespace. A collection delete of thousands of pods can outlast the
 * client's request timeout (5000 pods did), and the server may stop when the client goes away,
 * so the delete is repeated until the watch sees no pod left.
 */
async function deleteAllPods(client: KubeClient, namespace: string, watch: PodWatch): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      await client.deleteCollection(pods, { namespace });
    } catch (err) {
      if (!(err instanceof TransportError) || Date.now() > deadline) throw err;
    }
    try {
      await watch.waitFor((c) => c.total === 0, 60_000, 'raw: pods deleted');
      return;
    } catch (err) {
      if (!(err instanceof WaitTimeout) || Date.now() > deadline) throw err;
    }
  }
}
