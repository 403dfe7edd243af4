// `kubectl my rollout plan` as the e2e tests read it (docs/rollout-plan.md): its `-o json` parsed
// where it enters, the manifests handed to `-f` written to a folder of their own, the check that a
// plan applied nothing, and a recorded watch of the real rollout reduced to the plan's shape so
// the two compare with deepEqual — the original pods whose deletion began together (MyDaemonSet,
// MyStatefulSet) and the sizes the MyReplicaSets went through (MyDeployment).
//
// The shapes are spelled out here from the command's contract, not imported from src/cli/, so a
// changed output format fails the tests instead of following along.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Pod } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import { isRecord } from '../../../src/api/meta.ts';
import type { Resource } from '../../../src/api/resources.ts';
import type { MyReplicaSet } from '../../../src/api/workloads.ts';
import { testClient } from './env.ts';
import { controllerUid, podName, uidOf } from './objects.ts';
import { kubectlMy } from './plugin.ts';
import type { Recorder } from './recorder.ts';
import { isPodDeletion, podDeletions } from './statefulset.ts';

// ---- the plan, parsed -----------------------------------------------------------------------------

/** MyReplicaSet name → spec.replicas. */
export type ReplicaSetSizes = Readonly<Record<string, number>>;

/** One step: the existing pods replaced together (MyDaemonSet, MyStatefulSet), or the MyReplicaSet sizes after it (MyDeployment). */
export type PlanStep = { readonly replace: readonly string[] } | { readonly replicaSets: ReplicaSetSizes };

export interface RolloutPlan {
  readonly kind: string;
  readonly name: string;
  readonly steps: readonly PlanStep[];
}

function parseStep(value: unknown, index: number): PlanStep {
  const shown = JSON.stringify(value);
  assert.ok(isRecord(value), `step ${index} is not an object: ${shown}`);
  const { replace, replicaSets } = value;
  if (Array.isArray(replace)) {
    const names = replace.map((n: unknown) => (typeof n === 'string' ? n : ''));
    assert.ok(names.every((n) => n !== ''), `step ${index}: replace holds a non-name: ${shown}`);
    return { replace: names };
  }
  assert.ok(isRecord(replicaSets), `step ${index} has neither replace nor replicaSets: ${shown}`);
  const sizes: Record<string, number> = {};
  for (const [name, size] of Object.entries(replicaSets)) {
    assert.ok(typeof size === 'number' && Number.isInteger(size) && size >= 0, `step ${index}: size of ${name} is not a count: ${shown}`);
    sizes[name] = size;
  }
  return { replicaSets: sizes };
}

/** `{"kind", "name", "steps": [...]}` as `-o json` prints it. */
export function parsePlan(stdout: string): RolloutPlan {
  let body: unknown;
  try {
    body = JSON.parse(stdout);
  } catch (err) {
    throw new Error(`kubectl my rollout plan -o json printed no JSON: ${stdout}`, { cause: err });
  }
  assert.ok(isRecord(body), `not a plan: ${stdout}`);
  const { kind, name, steps } = body;
  assert.ok(typeof kind === 'string' && typeof name === 'string' && Array.isArray(steps), `not a plan: ${stdout}`);
  return { kind, name, steps: steps.map((s: unknown, i) => parseStep(s, i)) };
}

/** `kubectl my rollout plan TARGET CHANGE… -o json -n NS`, which must succeed. */
export async function planJson(namespace: string, target: string, ...change: string[]): Promise<RolloutPlan> {
  return parsePlan(await kubectlMy(namespace, 'rollout', 'plan', target, ...change, '-o', 'json'));
}

/** The steps of a MyDaemonSet or MyStatefulSet plan, names sorted within each step. */
export function replaceSteps(plan: RolloutPlan): string[][] {
  return plan.steps.map((step, i) => {
    assert.ok('replace' in step, `step ${i} of the ${plan.kind} plan names no pods: ${JSON.stringify(step)}`);
    return [...step.replace].sort();
  });
}

/** The steps of a MyDeployment plan. */
export function replicaSetSteps(plan: RolloutPlan): ReplicaSetSizes[] {
  return plan.steps.map((step, i) => {
    assert.ok('replicaSets' in step, `step ${i} of the ${plan.kind} plan gives no MyReplicaSet sizes: ${JSON.stringify(step)}`);
    return step.replicaSets;
  });
}

// ---- manifests for -f ---------------------------------------------------------------------------

/** What a user hands to `-f`: the live object's kind and name with a new spec. */
export function manifest(live: KubeObject, spec: unknown): Record<string, unknown> {
  return { apiVersion: live.apiVersion, kind: live.kind, metadata: { name: live.metadata.name }, spec };
}

/** A temporary folder of manifests, one test's; `.yaml` files are written as YAML, others as JSON. */
export class ManifestDir {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<ManifestDir> {
    return new ManifestDir(await mkdtemp(path.join(os.tmpdir(), 'mwo-rollout-plan-')));
  }

  /** Writes `body` to `file` in the folder; its path. */
  async write(file: string, body: unknown): Promise<string> {
    const full = path.join(this.dir, file);
    await writeFile(full, file.endsWith('.yaml') ? stringify(body) : JSON.stringify(body, null, 2));
    return full;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

// ---- a plan applies nothing -----------------------------------------------------------------------

/**
 * The plan left the object as it was (same generation and spec; status writes may move its
 * resourceVersion), and the pod watch saw no pod created or deleted from event `fromEvent` on.
 */
export async function assertNothingApplied<T extends KubeObject & { readonly spec: unknown }>(
  resource: Resource<T>,
  before: T,
  podWatch: Recorder<Pod>,
  fromEvent: number,
): Promise<void> {
  const after = await (await testClient()).get(resource, before.metadata.namespace, before.metadata.name ?? '');
  assert.equal(after.metadata.generation, before.metadata.generation, `the plan changed ${before.metadata.name ?? ''}'s generation`);
  assert.deepEqual(after.spec, before.spec, `the plan changed ${before.metadata.name ?? ''}'s spec`);
  await podWatch.caughtUp();
  const moved = podWatch.events.slice(fromEvent).filter((e) => e.type === 'ADDED' || isPodDeletion(e));
  assert.deepEqual(
    moved.map((e) => `${e.type} ${podName(e.object)}`),
    [],
    'pods were created or deleted while the plan ran',
  );
}

// ---- the real rollout, reduced to the plan's shape ----------------------------------------------

/** The original pods (by UID) whose deletion the watch saw begin, by name, in order. */
export function originalDeletions(watch: Recorder<Pod>, originals: readonly Pod[]): string[] {
  const uids = new Set(originals.map(uidOf));
  return podDeletions(watch)
    .filter((d) => uids.has(d.uid))
    .map((d) => d.name);
}

/** `items` cut into consecutive groups of `sizes` (which must add up to its length). */
export function groupBySizes<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  assert.equal(sizes.reduce((a, b) => a + b, 0), items.length, `${items.length} items do not split into groups of ${sizes.join(', ')}: ${JSON.stringify(items)}`);
  const out: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

/** Names of the MyReplicaSets controlled by `ownerUid` that the watch saw (listed or in an event), sorted. */
export function ownedReplicaSetNames(watch: Recorder<MyReplicaSet>, ownerUid: string): string[] {
  const names = new Set<string>();
  for (const rs of [...watch.initial, ...watch.events.map((e) => e.object)]) {
    if (controllerUid(rs) === ownerUid) names.add(rs.metadata.name ?? '');
  }
  return [...names].sort();
}

/** `sizes` over exactly `names` (sorted), a name it lacks counting 0. */
export function sizesOver(sizes: ReplicaSetSizes, names: readonly string[]): ReplicaSetSizes {
  return Object.fromEntries([...names].sort().map((n) => [n, sizes[n] ?? 0]));
}

/**
 * The distinct MyReplicaSet sizes over `names` the watch saw the owner's sets go through, from the
 * state just before event `fromEvent` on: consecutive equal states collapsed, that first state
 * dropped, a set that does not exist (yet) counting 0 — so a new set created at 3 shows as one
 * step to 3, as the plan gives it.
 */
export function replicaSetSizeSequence(watch: Recorder<MyReplicaSet>, ownerUid: string, names: readonly string[], fromEvent = 0): ReplicaSetSizes[] {
  const seen: ReplicaSetSizes[] = [];
  let index = -1;
  for (const { state } of watch.replay()) {
    const current = index++;
    if (current < fromEvent - 1) continue;
    const sizes: Record<string, number> = {};
    for (const rs of state.values()) {
      if (controllerUid(rs) === ownerUid) sizes[rs.metadata.name ?? ''] = rs.spec.replicas ?? 1;
    }
    const step = sizesOver(sizes, names);
    const last = seen[seen.length - 1];
    if (last === undefined || JSON.stringify(last) !== JSON.stringify(step)) seen.push(step);
  }
  return seen.slice(1);
}

/** `a=3 b=10 → a=5 b=8 → …` for failure messages. */
export function describeSizes(steps: readonly ReplicaSetSizes[]): string {
  return steps.map((s) => Object.entries(s).map(([n, v]) => `${n}=${v}`).join(' ')).join(' → ') || '(none)';
}
