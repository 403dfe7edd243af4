// Starts the operator as a child process for e2e tests, exactly as a user runs it (`src/main.ts`
// with flags), and waits until /readyz answers 200.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { recordExtraPid, repoRoot } from '../../../hack/cluster.ts';
import { parsePromText, sum } from '../../../hack/prom-text.ts';
import { waitUntilServing } from '../../../hack/serving.ts';

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

/**
 * A loopback port nobody listens on now. Fixed port ranges collided with the demo's operator
 * (18180/18181) and with each other across mocha workers; the OS hands out free ones.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Undefined while the operator entrypoint does not exist yet. */
export async function startOperator(options: OperatorOptions): Promise<OperatorProcess | undefined> {
  const main = path.join(repoRoot, 'src', 'main.ts');
  if (!existsSync(main)) return undefined;
  if (process.env.E2E_OPERATOR === 'external') {
    throw new Error('E2E_OPERATOR=external: the cluster runs an installed operator; tag this test @own-operator');
  }
  const metricsPort = await freePort();
  const healthPort = await freePort();
  // The admission webhook on a port of its own: it registers https://127.0.0.1:<port> with the API
  // server (running on this host), so the parallel suites' applies go through it. A caller's
  // --webhook-bind-address in `args` comes later and wins (commander keeps the last).
  const webhookPort = await freePort();
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
      '--webhook-bind-address',
      `127.0.0.1:${webhookPort}`,
      '--log-level',
      'debug',
      ...(options.args ?? []),
    ],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // `npm run cluster:down` stops it too, should this process die without stopping it.
  if (child.pid) recordExtraPid(child.pid);
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
      const timer = setTimeout(() => {
        // A shutdown that hangs is a defect of its own; say so where the run's output shows it.
        console.error(`operator pid ${child.pid ?? '?'} still running 40 s after ${signal}: killed; see ${options.logFile}`);
        child.kill('SIGKILL');
      }, 40_000);
      await exited;
      clearTimeout(timer);
    },
  };
  if (options.waitReady ?? true) {
    const serving = await waitUntilServing(`${proc.healthUrl}/readyz`, { process: child, timeoutMs: 60_000 });
    if (serving === 'exited') throw new Error(`operator exited with ${child.exitCode}; see ${options.logFile}`);
    if (serving === 'timeout') {
      await proc.stop('SIGKILL');
      throw new Error(`operator not ready within 60 s; see ${options.logFile}`);
    }
  }
  return proc;
}

/**
 * Whether the operator leads the Lease `leaseName` now, from its own leader_election_master_status
 * gauge: 1 leading, 0 waiting, undefined before /metrics answers.
 */
export async function leadsLease(operator: OperatorProcess, leaseName: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(operator.metricsUrl, { signal: AbortSignal.timeout(1_000) })).text();
    return sum(parsePromText(text), 'leader_election_master_status', { name: leaseName });
  } catch {
    return undefined;
  }
}

export interface LeaderElectedOptions {
  readonly kubeconfig: string;
  readonly logFile: string;
  /** The namespace it watches, which holds its Lease too. */
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity: string;
}

/**
 * Spawns a leader-elected operator under a fixed identity (as a pod restarted in place keeps its
 * name) and waits until it leads; returns it with the time from spawn to leading. Not waiting for
 * /readyz first: the time to leadership is measured from the spawn.
 */
export async function startLeading(options: LeaderElectedOptions): Promise<{ readonly operator: OperatorProcess; readonly spawnedAt: number; readonly toLeadingMs: number }> {
  const spawnedAt = Date.now();
  const operator = await startOperator({
    kubeconfig: options.kubeconfig,
    logFile: options.logFile,
    waitReady: false,
    args: [
      '--namespace',
      options.namespace,
      '--webhook-bind-address=0',
      '--leader-elect',
      '--leader-election-namespace',
      options.namespace,
      '--leader-election-id',
      options.leaseName,
      '--leader-election-identity',
      options.identity,
    ],
  });
  if (!operator) throw new Error('src/main.ts is missing');
  const deadline = spawnedAt + 30_000;
  for (;;) {
    if ((await leadsLease(operator, options.leaseName)) === 1) return { operator, spawnedAt, toLeadingMs: Date.now() - spawnedAt };
    if (operator.child.exitCode !== null) throw new Error(`operator exited with ${operator.child.exitCode}; see ${options.logFile}`);
    if (Date.now() > deadline) {
      await operator.stop('SIGKILL');
      throw new Error(`operator not leading ${options.leaseName} 30 s after its spawn; see ${options.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
