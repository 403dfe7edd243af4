// The physical limit: a process like the operator (Node, src/runtime/client/rest.ts, no client-side
// rate limit) that creates pods already bound to nodes (spec.nodeName: no scheduler, no controller)
// with many requests in flight, as fast as kube-apiserver accepts them. Run by raw-limit.ts:
//
//   node bench/raw-loop.ts <kubeconfig> <namespace> <count> <nodes> <concurrency>
//
// Prints one JSON line: {"startedAt", "finishedAt", "created", "errors", "firstError"}.
import { KubeConfig } from '@kubernetes/client-node';
import { pods } from '../src/api/resources.ts';
import { KubeClient } from '../src/runtime/client/rest.ts';
import { workerName } from '../hack/kwok-nodes.ts';
import { boundPod } from './workloads.ts';

async function main(argv: readonly string[]): Promise<void> {
  const [kubeconfig, namespace, countArg, nodesArg, concurrencyArg] = argv;
  if (!kubeconfig || !namespace) throw new Error('usage: raw-loop.ts <kubeconfig> <namespace> <count> <nodes> <concurrency>');
  const count = Number(countArg);
  const nodes = Number(nodesArg);
  const concurrency = Number(concurrencyArg ?? '64');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = await KubeClient.fromKubeConfig(kc, { qps: 0, userAgent: 'mwo-bench-raw' });
  const work = Array.from({ length: count }, (_, i) => boundPod(namespace, `raw-${i}`, workerName(i % nodes)));
  let next = 0;
  let created = 0;
  let errors = 0;
  let firstError: string | undefined;
  const startedAt = Date.now();
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
  process.stdout.write(`${JSON.stringify({ startedAt, finishedAt, created, errors, firstError })}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
