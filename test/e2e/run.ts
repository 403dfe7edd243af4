// `npm run test:e2e [-- files…]`: prepares one cluster for the whole run, then runs the e2e suites.
//
//   1. The cluster. By default the tests' own local control plane, `.cluster-e2e/` (cluster name
//      `e2e`, E2E_NODES workers, default 4), beside the demo's `.cluster/` and never shared with
//      it: an operator the demo left running would fight the tests' operator over the same
//      objects. An ambient KUBECONFIG is ignored on purpose (the README has users export the
//      demo's). A cluster this run started is removed at the end unless E2E_KEEP_CLUSTER=1; a
//      running one is reused and kept.
//      E2E_KUBECONFIG=path runs against any other cluster instead; tests tagged @control-plane
//      (they kill and restart local components or compact etcd) are left out there.
//   2. The operator. crds/ is applied, then one shared operator process runs for the parallel
//      suites (log: .cluster-e2e/operator-e2e.log). E2E_OPERATOR=external means the operator is
//      already installed in the cluster: no test starts one, and tests tagged @own-operator (they
//      run operators of their own, or need none running) are left out.
//   3. test/e2e/parallel/: independent tests, a namespace each, run by mocha --parallel.
//      test/e2e/serial/: tests that disturb the whole cluster (restart the API server, add
//      nodes, run their own operators), one file at a time, with the shared operator stopped.
//
// Every mocha run forbids pending tests: a test that cannot run fails the run instead of hiding.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

// hack/cluster.ts fixes its cluster from MWO_CLUSTER_NAME when it loads, so the tests' cluster is
// named before anything imports it (the mocha children inherit the name, and with it the folder).
process.env.MWO_CLUSTER_NAME = process.env.E2E_CLUSTER_NAME ?? 'e2e';
const { clusterDir, clusterDown, clusterHealthy, clusterUp, controlPlaneBin, kubeconfigPath, repoRoot, toolsBin } = await import(
  '../../hack/cluster.ts'
);
const { superviseComponents } = await import('./support/control-plane.ts');
const { startOperator } = await import('./support/operator.ts');
type OperatorProcess = NonNullable<Awaited<ReturnType<typeof startOperator>>>;

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
  // helm (chart tests), prometheus and promtool (the scrape test): built like the control plane.
  const tools = await toolsBin(['helm', 'prometheus']);
  const external = process.env.E2E_OPERATOR === 'external';
  let kubeconfig = process.env.E2E_KUBECONFIG;
  let ownCluster = false;
  if (kubeconfig) {
    kubeconfig = path.resolve(kubeconfig);
  } else {
    if (external) throw new Error('E2E_OPERATOR=external needs E2E_KUBECONFIG: the local test cluster has no operator installed');
    ownCluster = !(await clusterHealthy());
    kubeconfig = await clusterUp({ nodes: Number(process.env.E2E_NODES ?? 4) });
  }
  const local = kubeconfig === kubeconfigPath;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    MWO_BIN: bin,
    PATH: `${bin}:${tools}:${process.env.PATH ?? ''}`,
  };
  if (external) env.E2E_OPERATOR = 'external';

  // Tags in test titles name what a test needs beyond a cluster with the CRDs.
  const leftOut = [...(local ? [] : ['@control-plane']), ...(external ? ['@own-operator'] : [])];
  const select = leftOut.length === 0 ? [] : ['--grep', leftOut.join('|'), '--invert'];
  if (leftOut.length > 0) console.error(`[e2e] against ${kubeconfig}: leaving out tests tagged ${leftOut.join(', ')}`);

  const only = process.argv.slice(2).map((f) => path.resolve(f));
  const pick = (files: string[]): string[] => (only.length === 0 ? files : files.filter((f) => only.includes(f)));
  const parallel = pick(specs('parallel'));
  const serial = pick(specs('serial'));

  // A serial test that restarts the API server can make kube-controller-manager or kube-scheduler
  // give up their lease and exit; the runner restarts them like a supervisor would.
  const supervise = (): void => {
    if (!local) return;
    const restarted = superviseComponents();
    if (restarted.length > 0) console.error(`[e2e] restarted ${restarted.join(', ')}`);
  };
  supervise();
  applyCrds(bin, kubeconfig);

  let failures = 0;
  let operator: OperatorProcess | undefined;
  try {
    if (parallel.length > 0) {
      if (!external) {
        operator = await startOperator({ kubeconfig, env, logFile: path.join(clusterDir, 'operator-e2e.log') });
        if (operator) env.E2E_OPERATOR_METRICS = operator.metricsUrl;
      }
      const jobs = process.env.E2E_JOBS ?? '3';
      failures += await runMocha(['--parallel', '--jobs', jobs, ...select, ...parallel], env);
      await operator?.stop();
      operator = undefined;
    }
    for (const file of serial) {
      supervise();
      failures += await runMocha([...select, file], env);
    }
  } finally {
    await operator?.stop();
    if (ownCluster && !process.env.E2E_KEEP_CLUSTER) await clusterDown({ quiet: true, bin });
  }
  console.error(`[e2e] ${failures === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s (kubeconfig ${kubeconfig})`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[e2e] error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
