// What the fault-injection tests (leader restarts, chaos) share: a seeded random source, so a
// failing run can be replayed from its seed; percentiles of recovery times; and the run record
// docs/reliability.md is built from (one JSON file per run).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clusterDir, repoRoot } from '../../../hack/cluster.ts';

export { seededRandom } from '../../support/seeded-random.ts';

/** The seed of this run: $CHAOS_SEED to replay one, else a fresh one (printed with the results). */
export function runSeed(): number {
  const given = process.env.CHAOS_SEED;
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

export interface Spread {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest-rank percentiles (ms stays ms). */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { n: sorted.length, p50: rank(50), p95: rank(95), max: sorted.at(-1) ?? 0 };
}

export function describeSpread(s: Spread): string {
  return `p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms (n=${s.n})`;
}

/**
 * Invariant violations found by replaying a watch: counted, the first few kept verbatim. A checker
 * records instead of throwing so a run's record says how many there were; the test then asserts 0.
 */
export class Violations {
  count = 0;
  readonly first: string[] = [];

  add(message: string): void {
    this.count++;
    if (this.first.length < 5) this.first.push(message);
  }

  describe(): string {
    return `${this.count} invariant violation(s):\n  ${this.first.join('\n  ')}`;
  }
}

/**
 * Writes one run's record as JSON: into $RELIABILITY_OUT (`npm run test:chaos` sets
 * docs/reliability/runs), else beside the test cluster's logs. Returns the file.
 */
export function writeRunRecord(name: string, record: Record<string, unknown>): string {
  const dir = process.env.RELIABILITY_OUT ? path.resolve(repoRoot, process.env.RELIABILITY_OUT) : path.join(clusterDir, 'reliability');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${name}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify({ name, date: new Date().toISOString(), commit: sourceCommit(), ...record }, null, 2)}\n`);
  return file;
}

/** The commit the operator ran from, `+changes` when src/ differs from it; undefined outside git. */
function sourceCommit(): string | undefined {
  try {
    const git = (...args: string[]): string => execFileSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src') === '' ? head : `${head}+changes`;
  } catch {
    return undefined;
  }
}
