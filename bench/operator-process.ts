// The operator as users run it (`src/main.ts` with flags), started for one side of a run and stopped
// after it, with its memory and CPU read from /proc every 250 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { waitUntilServing } from '../hack/serving.ts';
import type { MemoryLimitReport } from './memory-limit.ts';
import { createMemoryCgroup, inCgroup } from './memory-limit.ts';

const clockTicksPerSecond = 100; // sysconf(_SC_CLK_TCK) on Linux

export interface ProcUsage {
  readonly rssBytes: number;
  readonly cpuSeconds: number;
}

/** RSS and user+system CPU of a process, from /proc; undefined once it is gone. */
export function readProcUsage(pid: number): ProcUsage | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? '0');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is #3, utime #14, stime #15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    return { rssBytes: rssKb * 1024, cpuSeconds: ticks / clockTicksPerSecond };
  } catch {
    return undefined;
  }
}

export interface UsageWindow {
  readonly peakRssBytes: number;
  readonly cpuSeconds: number;
}

/** Samples a process every `intervalMs`; windows report the peak RSS and CPU used inside them. */
export class ProcSampler {
  private readonly pid: number;
  private readonly timer: NodeJS.Timeout;
  private readonly open = new Set<{ peak: number; readonly cpuStart: number }>();
  last: ProcUsage | undefined;

  constructor(pid: number, intervalMs = 250) {
    this.pid = pid;
    this.last = readProcUsage(pid);
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const usage = readProcUsage(this.pid);
    if (!usage) return;
    this.last = usage;
    for (const w of this.open) w.peak = Math.max(w.peak, usage.rssBytes);
  }

  begin(): () => UsageWindow {
    this.sample();
    const window = { peak: this.last?.rssBytes ?? 0, cpuStart: this.last?.cpuSeconds ?? 0 };
    this.open.add(window);
    return () => {
      this.sample();
      this.open.delete(window);
      return { peakRssBytes: window.peak, cpuSeconds: (this.last?.cpuSeconds ?? 0) - window.cpuStart };
    };
  }

  close(): void {
    clearInterval(this.timer);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface OperatorOptions {
  readonly repoRoot: string;
  /** Where src/main.ts is run from (another checkout, for before/after comparisons); default repoRoot. */
  readonly operatorRoot?: string;
  readonly kubeconfig: string;
  /** 0 = unlimited. */
  readonly qps: number;
  readonly burst: number;
  readonly logFile: string;
  /**
   * Run the operator in a memory cgroup with this limit (bytes), as its container runs
   * (memory-limit.ts); undefined: no limit.
   */
  readonly memoryLimitBytes?: number;
  /** Write a V8 CPU profile into this folder at exit (`node --cpu-prof`). */
  readonly cpuProfileDir?: string;
  readonly extraArgs?: readonly string[];
}

export interface OperatorProcess {
  readonly pid: number;
  readonly metricsUrl: string;
  /** Spawn to the first /readyz 200: process start, informer lists, cache sync. */
  readonly cacheSyncMs: number;
  readonly sampler: ProcSampler;
  /** The memory limit asked for and how it was applied; undefined when none was asked for. */
  readonly memoryLimit?: MemoryLimitReport;
  stop(): Promise<void>;
}

let cgroupsMade = 0;

export async function startOperator(options: OperatorOptions): Promise<OperatorProcess> {
  const metricsPort = await freePort();
  const healthPort = await freePort();
  // The admission webhook on a free port too (its default :9443 may be the demo's operator's).
  // Through the environment, which an older checkout (operatorRoot) without the flag ignores.
  const webhookPort = await freePort();
  const node = path.join(options.repoRoot, 'node_modules', '.bin', 'node');
  // The operator as it ships (Dockerfile: `node dist/main.js`): compiled once per bench run by
  // buildOperator. Running src/*.ts through Node's type stripping would add its TypeScript
  // transformer (~27 MiB RSS) to every figure.
  const entry = path.join(options.operatorRoot ?? options.repoRoot, 'dist', 'main.js');
  const nodeFlags = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const cgroup = options.memoryLimitBytes === undefined ? undefined : createMemoryCgroup(`mwo-bench-${process.pid}-${++cgroupsMade}`, options.memoryLimitBytes);
  const memoryLimit: MemoryLimitReport | undefined =
    options.memoryLimitBytes === undefined || cgroup === undefined
      ? undefined
      : 'procsFile' in cgroup
        ? { bytes: options.memoryLimitBytes, appliedBy: `cgroup ${cgroup.version}` }
        : { bytes: options.memoryLimitBytes, notApplied: cgroup.reason };
  const started = Date.now();
  const operatorArgs = [
      ...nodeFlags,
      entry,
      '--kubeconfig', options.kubeconfig,
      '--kube-api-qps', String(options.qps),
      '--kube-api-burst', String(options.burst),
      '--metrics-bind-address', `127.0.0.1:${metricsPort}`,
      '--health-probe-bind-address', `127.0.0.1:${healthPort}`,
      '--log-level', 'info',
      '--log-format', 'json',
      ...(options.extraArgs ?? []),
  ];
  const command = cgroup !== undefined && 'procsFile' in cgroup ? inCgroup(cgroup.procsFile, node, operatorArgs) : { command: node, args: operatorArgs };
  const child: ChildProcess = spawn(
    command.command,
    command.args,
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...shippedRuntimeEnv(options.operatorRoot ?? options.repoRoot), MWO_WEBHOOK_BIND_ADDRESS: `127.0.0.1:${webhookPort}` } },
  );
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (cgroup !== undefined && 'procsFile' in cgroup) void exited.then(() => cgroup.remove());
  const pid = child.pid ?? 0;
  const sampler = new ProcSampler(pid);
  const stop = async (): Promise<void> => {
    sampler.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const serving = await waitUntilServing(`http://127.0.0.1:${healthPort}/readyz`, {
    process: child,
    timeoutMs: started + 10 * 60_000 - Date.now(),
    intervalMs: 50,
  });
  if (serving === 'exited') {
    sampler.close();
    throw new Error(`operator exited with ${child.exitCode} before it was ready; see ${options.logFile}`);
  }
  if (serving === 'timeout') {
    await stop();
    throw new Error(`operator not ready within 10 minutes; see ${options.logFile}`);
  }
  return { pid, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, cacheSyncMs: Date.now() - started, sampler, stop, ...(memoryLimit ? { memoryLimit } : {}) };
}

/**
 * Compiles the operator at `root` into `root`/dist (npm run build: tsc -p tsconfig.build.json), as
 * the image build does. Rejects with tsc's output when it fails.
 */
export function buildOperator(root: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tsc = spawn(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    tsc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    tsc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    tsc.on('error', reject);
    tsc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the operator in ${root} failed:\n${output}`))));
  });
}

/** The variables of the image's runtime that shape memory, read from its Dockerfile (imageRuntimeEnv). */
function shippedRuntimeEnv(root: string): Record<string, string> {
  const dockerfile = path.join(root, 'Dockerfile');
  return existsSync(dockerfile) ? imageRuntimeEnv(readFileSync(dockerfile, 'utf8')) : {};
}

/**
 * NODE_OPTIONS and MALLOC_ARENA_MAX as the Dockerfile's ENV instructions set them (the last stage's
 * win: later ENV lines override earlier ones), so the bench's operator runs with the heap settings
 * the image ships with. Handles `ENV K=V K2=V2` with backslash continuations; quotes are removed.
 */
export function imageRuntimeEnv(dockerfile: string): Record<string, string> {
  const wanted = new Set(['NODE_OPTIONS', 'MALLOC_ARENA_MAX']);
  const env: Record<string, string> = {};
  const joined = dockerfile.replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^\s*ENV\s+(.*)$/i.exec(line);
    if (!m?.[1]) continue;
    for (const pair of m[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)) {
      const [, key, raw] = pair;
      if (key === undefined || raw === undefined || !wanted.has(key)) continue;
      env[key] = raw.replace(/^["']|["']$/g, '');
    }
  }
  return env;
}
