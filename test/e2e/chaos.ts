// `npm run test:chaos`: the fault suites at full size on the e2e runner's cluster (test/e2e/run.ts),
// then the runs table of docs/reliability.md re-rendered from the records they add to
// docs/reliability/runs/:
//   test/e2e/serial/chaos.e2e.ts           50 SIGKILLs on 50 nodes; 10 API server restarts and an
//                                          etcd compaction
//   test/e2e/serial/failover.e2e.ts        10 failovers between two replicas on 50 nodes
//   test/e2e/serial/conflict-storm.e2e.ts  other clients writing the same objects through 10
//                                          rollouts on 50 nodes
//   test/e2e/serial/fuzz.e2e.ts            1000 fuzzed custom resources
//   test/e2e/serial/leader-restart.e2e.ts  20 SIGKILLs
// `npm test` runs the same suites at their short default size, recording beside the cluster's logs.
//
// CHAOS_KILLS, CHAOS_NODES, CHAOS_APISERVER_RESTARTS, CHAOS_FAILOVERS, CHAOS_STORM_ROLLOUTS,
// FUZZ_OBJECTS, E2E_RESTARTS, CHAOS_SEED and RELIABILITY_OUT override the defaults.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const out = process.env.RELIABILITY_OUT ?? path.join('docs', 'reliability', 'runs');
const suites = spawnSync(
  process.execPath,
  [path.join(here, 'run.ts'), ...['chaos', 'conflict-storm', 'failover', 'fuzz', 'leader-restart'].map((s) => path.join(here, 'serial', `${s}.e2e.ts`))],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      CHAOS_KILLS: process.env.CHAOS_KILLS ?? '50',
      CHAOS_NODES: process.env.CHAOS_NODES ?? '50',
      CHAOS_APISERVER_RESTARTS: process.env.CHAOS_APISERVER_RESTARTS ?? '10',
      CHAOS_FAILOVERS: process.env.CHAOS_FAILOVERS ?? '10',
      CHAOS_STORM_ROLLOUTS: process.env.CHAOS_STORM_ROLLOUTS ?? '10',
      FUZZ_OBJECTS: process.env.FUZZ_OBJECTS ?? '1000',
      E2E_RESTARTS: process.env.E2E_RESTARTS ?? '20',
      RELIABILITY_OUT: out,
    },
  },
);
// The table shows failed runs too (their violations in bold): render it whatever the outcome.
if (path.resolve(root, out) === path.join(root, 'docs', 'reliability', 'runs')) {
  spawnSync(process.execPath, [path.join(root, 'hack', 'reliability-report.ts')], { stdio: 'inherit' });
}
process.exit(suites.status ?? 1);
