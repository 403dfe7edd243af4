// The physical limit: a process like the operator (Node, src/runtime/client/rest.ts, no client-side
// rate limit) that creates pods with many requests in flight, as fast as kube-apiserver accepts
// them, and no controller. Placement `bound` (the default) sets spec.nodeName: no scheduler either,
// the floor. `daemon` and `unbound` leave the binding to the scheduler, as a controller's pods are:
// daemon-shaped pods pinned to node i by node affinity, or plain pods. Run by raw-limit.ts:
//
//   node bench/raw-loop.ts <kubeconfig> <namespace> <count> <nodes> <concurrency> [bound|daemon|unbound]
//
// Prints {"starting":true} before its first request, then one JSON line: {"startedAt", "finishedAt", "created", "errors", "firstError", "cpuSeconds"}
// (cpuSeconds: this process's user+system CPU from the first request to the last answer).
import { KubeConfig } from '@kubernetes/client-node';
import { pods } from '../src/api/resources.ts';
import { KubeClient } from '../src/runtime/client/rest.ts';
import { workerName } from '../hack/kwok-nodes.ts';
import type { RawPlacement } from './workloads.ts';
import { rawPod } from './workloads.ts';

function placementOf(arg: string | undefined): RawPlacement {
  if (arg === undefined || arg === 'bound' || arg === 'daemon' || arg === 'unbound') return arg ?? 'bound';
  throw new Error(`placement ${arg} is not bound, daemon or unbound`);
}

async function main(argv: readonly string[]): Promise<void> {
  const [kubeconfig, namespace, countArg, nodesArg, concurrencyArg, placementArg] = argv;
  if (!kubeconfig || !namespace) throw new Error('usage: raw-loop.ts <kubeconfig> <namespace> <count> <nodes> <concurrency> [bound|daemon|unbound]');
  const count = Number(countArg);
  const nodes = Number(nodesArg);
  const concurrency = Number(concurrencyArg ?? '64');
  const placement = placementOf(placementArg);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = await KubeClient.fromKubeConfig(kc, { qps: 0, userAgent: 'mwo-bench-raw' });
  const work = Array.from({ length: count }, (_, i) => rawPod(placement, namespace, `raw-${i}`, workerName(i % nodes)));
  let next = 0;
  let created = 0;
  let errors = 0;
  let firstError: string | undefined;
  // The parent starts its CPU window of the cluster on this line (raw-limit.ts).
  process.stdout.write('{"starting":true}\n');
  const startedAt = Date.now();
  const cpuStart = process.cpuUsage();
  const worker = async (): Promise<void> => {
    for (let item = work[next++]; item !== undefined; item = work[next++]) {
      try {
        await client.create(pods, item);
        created++;
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const finishedAt = Date.now();
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(`${JSON.stringify({ startedAt, finishedAt, created, errors, firstError, cpuSeconds })}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
