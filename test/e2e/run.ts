// `npm run test:e2e [-- files…]`: prepares one cluster for the whole run, then runs the e2e suites.
//
//   1. KUBECONFIG set → use that cluster. Otherwise start the local control plane (or reuse a
//      running one) with E2E_NODES workers (default 4); a cluster this run started is removed at
//      the end unless E2E_KEEP_CLUSTER=1.
//   2. Apply crds/ and start one shared operator process (when the operator exists) for the
//      parallel suites; its log goes to .cluster/operator-e2e.log.
//   3. test/e2e/parallel/: independent tests, a namespace each, run by mocha --parallel.
//      test/e2e/serial/: tests that disturb the whole cluster (restart the API server, add
//      nodes, run their own operators), one file at a time, with the shared operator stopped.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { clusterDown, clusterHealthy, clusterUp, controlPlaneBin, kubeconfigPath, repoRoot } from '../../hack/cluster.ts';
import { superviseComponents } from './support/control-plane.ts';
import { startOperator, type OperatorProcess } from './support/operator.ts';

function runMocha(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const mocha = path.join(repoRoot, 'node_modules', '.bin', 'mocha');
    const child = spawn(mocha, ['--config', path.join(repoRoot, 'test', 'e2e', '.mocharc.json'), ...args], {
      stdio: 'inherit',
      env,
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function specs(dir: string): string[] {
  const full = path.join(repoRoot, 'test', 'e2e', dir);
  if (!existsSync(full)) return [];
  return readdirSync(full)
    .filter((f) => f.endsWith('.e2e.ts'))
    .sort()
    .map((f) => path.join(full, f));
}

/** Installs the CRDs and waits until the API server serves them. */
function applyCrds(bin: string, kubeconfig: string): void {
  const dir = path.join(repoRoot, 'crds');
  if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith('.yaml'))) return;
  const kubectl = path.join(bin, 'kubectl');
  execFileSync(kubectl, ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts', '-f', dir], { stdio: 'inherit' });
  execFileSync(kubectl, ['--kubeconfig', kubeconfig, 'wait', '--for=condition=Established', '--timeout=60s', '-f', dir], {
    stdio: 'inherit',
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  const bin = await controlPlaneBin();
  let kubeconfig = process.env.KUBECONFIG;
  let ownCluster = false;
  if (!kubeconfig) {
    ownCluster = !(await clusterHealthy());
    kubeconfig = await clusterUp({ nodes: Number(process.env.E2E_NODES ?? 4) });
  }
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, MWO_BIN: bin, PATH: `${bin}:${process.env.PATH ?? ''}` };

  const only = process.argv.slice(2).map((f) => path.resolve(f));
  const pick = (files: string[]): string[] => (only.length === 0 ? files : files.filter((f) => only.includes(f)));
  const parallel = pick(specs('parallel'));
  const serial = pick(specs('serial'));

  // A serial test that restarts the API server can make kube-controller-manager or kube-scheduler
  // give up their lease and exit; the runner restarts them like a supervisor would.
  const supervise = (): void => {
    if (kubeconfig !== kubeconfigPath) return;
    const restarted = superviseComponents();
    if (restarted.length > 0) console.error(`[e2e] restarted ${restarted.join(', ')}`);
  };
  supervise();
  applyCrds(bin, kubeconfig);

  let failures = 0;
  let operator: OperatorProcess | undefined;
  try {
    if (parallel.length > 0) {
      operator = await startOperator({ kubeconfig, env, logFile: path.join(repoRoot, '.cluster', 'operator-e2e.log') });
      if (operator) env.E2E_OPERATOR_METRICS = operator.metricsUrl;
      const jobs = process.env.E2E_JOBS ?? '3';
      failures += await runMocha(['--parallel', '--jobs', jobs, ...parallel], env);
      await operator?.stop();
      operator = undefined;
    }
    for (const file of serial) {
      supervise();
      failures += await runMocha([file], env);
    }
  } finally {
    await operator?.stop();
    if (ownCluster && !process.env.E2E_KEEP_CLUSTER) await clusterDown({ quiet: true, bin });
  }
  console.error(`[e2e] ${failures === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s (kubeconfig ${kubeconfigPath})`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[e2e] error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
