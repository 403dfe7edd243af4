// `npm run demo`: a fresh machine to a running product in one command.
//
//   local cluster (3 kwok workers + control-plane) → CRDs → the operator (background process)
//   → the seeds' examples → what the operator made of them
//
// The cluster and the operator keep running afterwards; `npm run cluster:down` stops both.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pod } from '../src/api/core.ts';
import { nodes, pods } from '../src/api/resources.ts';
import { clientFor, clusterDir, clusterName, clusterUp, controlPlaneBin, kubeconfigPath, recordExtraPid, repoRoot } from './cluster.ts';
import { processAlive } from './kwok-nodes.ts';
import { pollUntil } from './poll.ts';

const run = promisify(execFile);
const operatorPidFile = path.join(clusterDir, 'operator.pid');
const operatorLog = path.join(clusterDir, 'operator.log');
const healthPort = 18181;

function say(msg: string): void {
  console.log(`\n\u001b[1m== ${msg}\u001b[0m`);
}

async function kubectl(bin: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(path.join(bin, 'kubectl'), ['--kubeconfig', kubeconfigPath, ...args], { maxBuffer: 32 << 20 });
  return stdout;
}

async function show(bin: string, args: readonly string[]): Promise<void> {
  console.log(`$ kubectl ${args.join(' ')}`);
  process.stdout.write(await kubectl(bin, args));
}


async function ready(): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  await pollUntil(what, check, (ok) => ok, {
    timeoutMs,
    intervalMs: 250,
    stopOnError: true,
    deadlineAfterProbe: true,
    onTimeout: () => new Error(`timed out waiting for ${what}`),
  });
}

/** Starts the operator in the background unless one from an earlier demo still runs. */
async function startOperator(): Promise<void> {
  if (existsSync(operatorPidFile)) {
    const pid = Number(readFileSync(operatorPidFile, 'utf8'));
    if (pid > 0 && processAlive(pid) && (await ready())) {
      console.log(`operator already running (pid ${pid})`);
      return;
    }
  }
  const out = openSync(operatorLog, 'a');
  const child = spawn(
    path.join(repoRoot, 'node_modules', '.bin', 'node'),
    [
      path.join(repoRoot, 'src', 'main.ts'),
      '--kubeconfig',
      kubeconfigPath,
      '--metrics-bind-address',
      '127.0.0.1:18180',
      '--health-probe-bind-address',
      `127.0.0.1:${healthPort}`,
      '--log-format',
      'json',
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  const pid = child.pid ?? 0;
  writeFileSync(operatorPidFile, `${pid}\n`);
  recordExtraPid(pid);
  await waitUntil('the operator to become ready', ready, 60_000);
  console.log(`operator running (pid ${pid}), log: ${path.relative(repoRoot, operatorLog)}, metrics: http://127.0.0.1:18180/metrics`);
}

const nginxNamespace = 'nginx';

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function main(): Promise<void> {
  say('local cluster: 3 kwok workers + control-plane');
  await clusterUp({ nodes: 3 });
  const bin = await controlPlaneBin();
  const client = await clientFor();
  await show(bin, ['get', 'nodes', '-L', 'topology.kubernetes.io/zone']);

  say('CRDs');
  await show(bin, ['apply', '-f', path.join(repoRoot, 'crds')]);
  await kubectl(bin, ['wait', '--for=condition=Established', '--timeout=60s', '-f', path.join(repoRoot, 'crds')]);

  say('operator');
  await startOperator();

  say('the seeds\' examples');
  const examples = ['fluentd-elasticsearch.yaml', 'network-agent.yaml', 'web-pvs.yaml', 'web-statefulset.yaml']
    .map((f) => path.join(repoRoot, 'examples', f))
    .filter((f) => existsSync(f));
  for (const file of examples) await show(bin, ['apply', '-f', file]);

  const nodeCount = (await client.list(nodes)).items.length;
  const fluentd = (): Promise<Pod[]> =>
    client.list(pods, { namespace: 'kube-system', labelSelector: 'name=fluentd-elasticsearch' }).then((l) => [...l.items]);
  await waitUntil(`one Ready fluentd pod on each of the ${nodeCount} nodes`, async () => {
    const ps = await fluentd();
    return ps.length === nodeCount && ps.every(isReady);
  });

  say('fluentd-elasticsearch: one pod per node, the control-plane node included');
  await show(bin, ['get', 'pods', '-n', 'kube-system', '-l', 'name=fluentd-elasticsearch', '-o', 'wide']);
  const sample = (await fluentd()).find((p) => p.spec.nodeName === 'control-plane') ?? (await fluentd())[0];
  if (sample) {
    say(`what the operator injected into ${sample.metadata.name ?? ''} (on ${sample.spec.nodeName ?? ''})`);
    console.log('affinity:');
    console.log(JSON.stringify(sample.spec.affinity, null, 2));
    console.log('tolerations:');
    for (const t of sample.spec.tolerations ?? []) {
      console.log(`  - ${t.key ?? '*'} ${t.operator ?? 'Equal'}${t.value ? ` ${t.value}` : ''} ${t.effect ?? '(all effects)'}`);
    }
  }

  say('history: ControllerRevisions');
  await show(bin, ['get', 'controllerrevisions', '-n', 'kube-system', '-L', 'controller-revision-hash']);

  say('MyDaemonSets');
  await show(bin, ['get', 'mds', '-A', '-o', 'wide']);

  if (examples.some((f) => f.endsWith('web-statefulset.yaml'))) {
    await waitUntil('web-0..2 Ready', async () => {
      const ps = (await client.list(pods, { namespace: 'default', labelSelector: 'app=nginx' })).items;
      return ps.length === 3 && ps.every(isReady);
    });
    say('MyStatefulSet web: ordered identities with their own claims');
    await show(bin, ['get', 'msts,pods,pvc', '-n', 'default', '-o', 'wide']);
  }

  // The seeds' nginx Deployment selects app=nginx like the web StatefulSet: the example brings a
  // namespace of its own.
  const nginxDeployment = path.join(repoRoot, 'examples', 'nginx-deployment.yaml');
  if (existsSync(nginxDeployment)) {
    await show(bin, ['apply', '-f', nginxDeployment]);
    await waitUntil('nginx-deployment: 3 Ready pods', async () => {
      const ps = (await client.list(pods, { namespace: nginxNamespace, labelSelector: 'app=nginx' })).items;
      return ps.length === 3 && ps.every(isReady);
    });
    say('MyDeployment nginx-deployment: a MyReplicaSet named by its pod-template-hash, and its pods');
    await show(bin, ['get', 'mdeploy,mrs,pods', '-n', nginxNamespace, '-o', 'wide', '-L', 'pod-template-hash']);
  }

  say('done');
  console.log(`The cluster and the operator keep running.
  export KUBECONFIG=${kubeconfigPath}
  export PATH=${bin}:$PATH      # kubectl ${path.basename(path.dirname(bin))}
  kubectl get my-workloads -A
  ${clusterName === 'mwo' ? '' : `MWO_CLUSTER_NAME=${clusterName} `}npm run cluster:down          # stops the operator and every cluster component`);
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
