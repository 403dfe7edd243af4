// npm run bench -- [--nodes 100,1000,5000] [--qps 20,0] [--kinds ds,sts,deploy] [--deploy-replicas 500] [--out bench/results] [--smoke]
//
// Side-by-side benchmark of the built-in DaemonSet/StatefulSet/Deployment controllers and ours on a local
// kwok cluster of its own (.cluster-bench/), against raw loops of bound pods (the API server's limit)
// and of pods the scheduler binds. Writes <out>/<date>-<nodes>-<qps>.json per run, then
// <out>/latest.md, <out>/latest.svg and <out>/scaling.svg (bench/report.ts).
// A benchmark, not a test: it records times and timeouts and never fails on them.
//
// The cluster name must be fixed before hack/cluster.ts loads, so everything else is imported
// after setting it.
import { Command, InvalidArgumentError } from 'commander';
import type { Kind } from './result.ts';

process.env.MWO_CLUSTER_NAME = 'bench';

function list<T>(parse: (s: string) => T): (value: string) => T[] {
  return (value) => value.split(',').map((s) => parse(s.trim()));
}

function count(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${s} is not a positive integer`);
  return n;
}

function qps(s: string): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${s} is not a QPS (0 = unlimited)`);
  return n;
}

function kind(s: string): Kind {
  if (s === 'ds' || s === 'sts' || s === 'deploy') return s;
  throw new InvalidArgumentError(`${s} is not ds, sts or deploy`);
}

interface Flags {
  readonly nodes?: number[];
  readonly qps?: number[];
  readonly kinds: Kind[];
  readonly deployReplicas?: number;
  readonly out?: string;
  readonly smoke: boolean;
  readonly cpuProf: boolean;
  readonly timelines: boolean;
  readonly staleConsistency: string;
  readonly keepCluster: boolean;
  readonly raw: boolean;
  readonly repeat: number;
  readonly operatorRoot?: string;
  readonly kcmFlag: string[];
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('bench')
    .description('built-in controllers vs ours vs the raw API-server limit, on a local kwok cluster')
    .option('--nodes <list>', 'worker node counts (default 100,1000; --smoke: 20)', list(count))
    .option('--qps <list>', 'client QPS of both sides, 0 = unlimited (default 20,0; --smoke: 20)', list(qps))
    .option('--kinds <list>', 'any of ds, sts, deploy', list(kind), ['ds', 'sts', 'deploy'])
    .option('--deploy-replicas <n>', 'replicas of the Deployment scenarios (default 500; --smoke: 20)', count)
    .option('--out <dir>', 'results folder (default bench/results; --smoke: bench/results/tmp/smoke, git-ignored)')
    .option('--smoke', 'small counts (StatefulSet 20 and 5 replicas, Deployment 20) for CI', false)
    .option('--cpu-prof', 'run the operator with node --cpu-prof (profiles under <out>/tmp/)', false)
    .option('--timelines', "write each step's Ready-pod and status timelines to <out>/tmp/<nodes>-<qps>/timelines.jsonl", false)
    .option('--stale-consistency <bool>', "kube-controller-manager's StaleControllerConsistency{DaemonSet,StatefulSet,ReplicaSet} gates", 'true')
    .option('--keep-cluster', 'leave the bench cluster running at the end', false)
    .option('--no-raw', 'skip the raw loops (bound and unbound pods)')
    .option('--kcm-flag <flag>', 'an extra kube-controller-manager flag --key=value (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--operator-root <dir>', 'run the operator from another checkout (before/after comparisons)')
    .option('--repeat <n>', 'rounds per side, alternating which side goes first; tables show the median', count, 1);
  program.parse(argv, { from: 'node' });
  const flags = program.opts<Flags>();
  if (flags.staleConsistency !== 'true' && flags.staleConsistency !== 'false') {
    throw new InvalidArgumentError('--stale-consistency must be true or false');
  }
  const { runBench } = await import('./bench.ts');
  await runBench({
    nodes: flags.nodes ?? (flags.smoke ? [20] : [100, 1000]),
    qps: flags.qps ?? (flags.smoke ? [20] : [20, 0]),
    kinds: flags.kinds,
    ...(flags.deployReplicas ? { deploymentReplicas: flags.deployReplicas } : {}),
    out: flags.out ?? (flags.smoke ? 'bench/results/tmp/smoke' : 'bench/results'),
    smoke: flags.smoke,
    cpuProf: flags.cpuProf,
    timelines: flags.timelines,
    staleConsistency: flags.staleConsistency === 'true',
    keepCluster: flags.keepCluster,
    raw: flags.raw,
    repeat: flags.repeat,
    ...(flags.operatorRoot ? { operatorRoot: flags.operatorRoot } : {}),
    kcmFlags: flags.kcmFlag,
  });
}

main(process.argv).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
