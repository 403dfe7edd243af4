// Starts the operator as a child process for e2e tests, exactly as a user runs it (`src/main.ts`
// with flags), and waits until /readyz answers 200.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../hack/cluster.ts';

export interface OperatorProcess {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  readonly healthUrl: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface OperatorOptions {
  readonly kubeconfig: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logFile: string;
  readonly args?: readonly string[];
  /** Wait for /readyz (default true). A standby with leader election is ready too: caches sync. */
  readonly waitReady?: boolean;
}

let nextPort = 18080 + (process.pid % 500) * 4;

/** Undefined while the operator entrypoint does not exist yet. */
export async function startOperator(options: OperatorOptions): Promise<OperatorProcess | undefined> {
  const main = path.join(repoRoot, 'src', 'main.ts');
  if (!existsSync(main)) return undefined;
  const metricsPort = nextPort++;
  const healthPort = nextPort++;
  const node = path.join(repoRoot, 'node_modules', '.bin', 'node');
  const child = spawn(
    node,
    [
      main,
      '--kubeconfig',
      options.kubeconfig,
      '--metrics-bind-address',
      `127.0.0.1:${metricsPort}`,
      '--health-probe-bind-address',
      `127.0.0.1:${healthPort}`,
      '--log-level',
      'debug',
      ...(options.args ?? []),
    ],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const proc: OperatorProcess = {
    child,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      await exited;
      clearTimeout(timer);
    },
  };
  if (options.waitReady ?? true) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`operator exited with ${child.exitCode}; see ${options.logFile}`);
      try {
        const res = await fetch(`${proc.healthUrl}/readyz`);
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await proc.stop('SIGKILL');
        throw new Error(`operator not ready within 60 s; see ${options.logFile}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return proc;
}

/** Sum of a metric's samples in a /metrics text whose labels include all of `labels`. */
export function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
