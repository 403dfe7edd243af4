// One timed step of a scenario on one side: scrape every /metrics endpoint, make the write, wait on
// the pod watch for the end condition (wall time), let the controller finish its status writes,
// scrape again. The two sides run one after the other, so each side's requests are the counter
// differences across its own window.
//
// Whose requests are whose:
// - the controller's own client metric (`rest_client_requests_total` by method): kube-controller-
//   manager's for the built-in side, the operator's for ours. kube-controller-manager also runs the
//   garbage collector, which deletes the pods of a deleted owner on both sides, so ours counts the
//   operator plus kube-controller-manager's garbage-collector verbs (DELETE, PATCH) in its window:
//   its PUTs are its own (leader-election Lease renewals above the idle baseline; 4-7 per window in
//   the 2026-12-07 runs, which the API server's counts, other actors removed, do not show as ours);
// - kube-apiserver's `apiserver_request_total` by verb and resource (it has no client label), minus
//   what other actors do in the window: the scheduler (pods/binding, events.k8s.io Events), kwok
//   (pods/status, nodes, leases, and the final DELETE of every pod that was deleted gracefully —
//   counted by the pod watch), and the benchmark's own requests (counted here).
import { pollUntil, PollTimeout } from '../hack/poll.ts';
import type { OperatorProcess, UsageWindow } from './operator-process.ts';
import type { PodChurn, PodCounts, PodWatch, Quantiles } from './pod-watch.ts';
import { PodWatch as Watch, WaitTimeout } from './pod-watch.ts';
import type { Labels, Sample } from '../hack/prom-text.ts';
import { sum } from '../hack/prom-text.ts';
import { counterDelta, sumBy } from './prom.ts';
import type { Scraper } from './scrape.ts';
import type { OrderedReactionResult } from './ordered-reaction.ts';
import type { StatusLagResult } from './status-lag.ts';
import type { StatusSource, TimelineResults } from './step-timelines.ts';
import { startRecording } from './step-timelines.ts';
import type { CpuSeconds } from './cluster-cpu.ts';
import { cpuDelta, cpuNow } from './cluster-cpu.ts';

export const writeVerbs: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'APPLY']);

export interface SideResult {
  /** Write to end condition, seen on a watch; undefined when the step timed out. */
  readonly wallSeconds: number | undefined;
  readonly podsPerSecond: number | undefined;
  readonly timedOut?: string;
  /** The controller's status reached its final counts before the after-scrape (else: gave up after 2 min). */
  readonly settled: boolean;
  /** Write requests of the controller's own client (+ kube-controller-manager's for ours, see above). */
  readonly writes: number;
  readonly writesPerPod: number | undefined;
  /** Non-watch requests of the controller's own client, by HTTP method. */
  readonly clientRequests: Readonly<Record<string, number>>;
  /** For ours: kube-controller-manager's requests in the same window (garbage collector, mostly). */
  readonly kcmRequests?: Readonly<Record<string, number>>;
  /** kube-apiserver's count by "VERB resource[/subresource]", other actors removed (see above). */
  readonly apiserverRequests: Readonly<Record<string, number>>;
  readonly apiserverWrites: number;
  readonly podChurn: PodChurn;
  /** Seconds from the write to 0/10/50/90/100 % of the pods appearing, turning Ready, disappearing. */
  readonly timeline: { readonly added?: Quantiles; readonly ready?: Quantiles; readonly deleted?: Quantiles };
  /** The operator process (ours), or kube-controller-manager's own counters (built-in: the whole process). */
  readonly process?: UsageWindow;
  readonly kcmCpuSeconds?: number;
  /** Mean latency (ms) of the controller's client requests in the window, by verb (kube-controller-manager: all its clients). */
  readonly requestLatencyMs?: Readonly<Record<string, number>>;
  /** Syncs of the controllers' work queues in the window (`daemonset`, `statefulset`, or `deployment` + `replicaset`), their total seconds and retries. */
  readonly syncs?: Syncs;
  /** The same per queue, when a step drives more than one (a Deployment and its ReplicaSets). */
  readonly syncsByQueue?: Readonly<Record<string, Syncs>>;
  /** kube-controller-manager's idle request rate (lease renewals), subtracted from its counts. */
  readonly kcmIdlePerSecond: Baseline;
  /** ms from a change of the Ready pod count to the workload's status showing it (bench/status-lag.ts); absent in older runs and for deletes. */
  readonly statusLag?: StatusLagResult;
  /** OrderedReady StatefulSet: ms from pod i−1 Ready to pod i created (bench/ordered-reaction.ts). */
  readonly orderedReaction?: OrderedReactionResult;
  /**
   * CPU seconds from the write to the end condition, by process: the cluster's components
   * (bench/cluster-cpu.ts) and, for ours, `operator`. Absent in older runs.
   */
  readonly cpuToEnd?: CpuSeconds;
}

export interface Syncs {
  readonly count: number;
  readonly seconds: number;
  readonly retries: number;
}

/** The work queue names (the `name` label of `workqueue_*`), the same in kube-controller-manager and the operator. */
export type QueueName = 'daemonset' | 'statefulset' | 'deployment' | 'replicaset';

/** Syncs of `queues` in a counter delta: their sum, and per queue when there are several. */
export function queueSyncs(delta: readonly Sample[], queues: readonly QueueName[]): { readonly total: Syncs; readonly byQueue?: Record<string, Syncs> } {
  const of = (names: readonly string[]): Syncs => {
    const where = (l: Labels): boolean => names.includes(l.name ?? '');
    return {
      count: sum(delta, 'workqueue_work_duration_seconds_count', where),
      seconds: sum(delta, 'workqueue_work_duration_seconds_sum', where),
      retries: sum(delta, 'workqueue_retries_total', where),
    };
  };
  const total = of(queues);
  if (queues.length < 2) return { total };
  return { total, byQueue: Object.fromEntries(queues.map((q) => [q, of([q])])) };
}

export interface Endpoints {
  readonly apiserver: Scraper;
  readonly kcm: Scraper;
  /** The cluster's component processes whose CPU a step records (bench/cluster-cpu.ts). */
  readonly componentPids?: ReadonlyMap<string, number>;
}

/** Requests the benchmark itself makes inside a window, by "VERB resource[/subresource]". */
export class OwnRequests {
  readonly counts = new Map<string, number>();
  add(verb: string, resource: string): void {
    const key = `${verb} ${resource}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  clear(): void {
    this.counts.clear();
  }
}

export interface Step {
  readonly watch: PodWatch;
  /** Pods this step creates (or, for a delete, removes): the pods/s denominator. */
  readonly pods: number;
  /** Counts pods created, for writes per pod; default `pods`. */
  readonly podsCreated?: number;
  /** The work queues of the controllers under test, the same names on both sides. */
  readonly queues: readonly QueueName[];
  readonly act: () => Promise<void>;
  readonly reached: (counts: PodCounts) => boolean;
  readonly what: string;
  readonly timeoutMs: number;
  /** Resolves when the controller's status has caught up (untimed); false if it never did. */
  readonly settle: () => Promise<boolean>;
  readonly operator?: OperatorProcess;
  /** The workload whose status lag is timed; none for a delete (the object goes first). */
  readonly status?: StatusSource;
  /** The OrderedReady StatefulSet whose reaction to each Ready pod is timed. */
  readonly orderedSet?: { readonly name: string; readonly replicas: number };
  /** Append the step's timelines here (bench --timelines). */
  readonly timelinesFile?: string;
}

function methodKey(labels: Labels): string {
  return labels.method ?? labels.verb ?? '';
}

function clientMethods(delta: readonly Sample[]): Record<string, number> {
  return sumBy(delta, 'rest_client_requests_total', methodKey, (l) => methodKey(l) !== 'WATCH');
}

function writesOf(byMethod: Readonly<Record<string, number>>, verbs: ReadonlySet<string> = writeVerbs): number {
  return Object.entries(byMethod)
    .filter(([m]) => verbs.has(m))
    .reduce((a, [, n]) => a + n, 0);
}

/** What kube-controller-manager's garbage collector writes for either side: deletes of dependents, ownerReference patches when orphaning. */
export const garbageCollectorVerbs: ReadonlySet<string> = new Set(['DELETE', 'PATCH']);

const otherActors = (l: Labels): boolean =>
  l.resource === '' ||
  l.resource === undefined ||
  l.verb === 'WATCH' ||
  l.resource === 'nodes' ||
  l.resource === 'leases' ||
  (l.resource === 'pods' && (l.subresource === 'binding' || l.subresource === 'status')) ||
  // kwok's pod-delete stage deletes every terminating pod and, nearly always, once more (404).
  (l.resource === 'pods' && l.verb === 'DELETE' && l.code === '404') ||
  (l.resource === 'events' && l.group === 'events.k8s.io');

/** kube-apiserver's counts for the controllers under test, by "VERB resource[/subresource]". */
export function attributeApiserver(delta: readonly Sample[], own: ReadonlyMap<string, number>, churn: PodChurn): Record<string, number> {
  const out = sumBy(
    delta,
    'apiserver_request_total',
    (l) => `${l.verb ?? ''} ${l.resource ?? ''}${l.subresource ? `/${l.subresource}` : ''}`,
    (l) => !otherActors(l),
  );
  for (const [key, n] of own) if (out[key] !== undefined) out[key] = out[key] - n;
  if (out['DELETE pods'] !== undefined) out['DELETE pods'] -= churn.deletedAfterGrace;
  for (const [key, n] of Object.entries(out)) if (n <= 0) delete out[key];
  return out;
}

async function scrapeAll(endpoints: Endpoints, operator: OperatorProcess | undefined, operatorScrape: Scraper | undefined) {
  const [apiserver, kcm, op] = await Promise.all([
    endpoints.apiserver(),
    endpoints.kcm(),
    operator && operatorScrape ? operatorScrape() : Promise.resolve([]),
  ]);
  return { apiserver, kcm, op };
}

/** kube-controller-manager's requests per second when idle (leader-election lease renewals), by method. */
export type Baseline = Readonly<Record<string, number>>;

/**
 * Waits until kube-controller-manager is idle: three 3-s intervals in a row with at most 2 writes
 * (its leader-election lease renewal, every 2 s, never stops). Resolves with the idle request rate,
 * which measureStep subtracts from the built-in side. Gives up after `maxMs` with the last rate.
 */
export async function waitControllerManagerQuiet(kcm: Scraper, maxMs = 60_000): Promise<Baseline> {
  const deadline = Date.now() + maxMs;
  let previous = await kcm();
  let quietSince: Sample[] | undefined;
  let quietAt = 0;
  let rounds = 0;
  let baseline: Record<string, number> = {};
  while (Date.now() < deadline) {
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const now = await kcm();
    const writes = writesOf(clientMethods(counterDelta(previous, now)));
    if (writes <= 2) {
      if (!quietSince) {
        quietSince = previous;
        quietAt = t;
      }
      rounds++;
    } else {
      quietSince = undefined;
      rounds = 0;
    }
    previous = now;
    if (quietSince && rounds >= 3) {
      const seconds = (Date.now() - quietAt) / 1000;
      baseline = Object.fromEntries(Object.entries(clientMethods(counterDelta(quietSince, now))).map(([m, n]) => [m, n / seconds]));
      return baseline;
    }
  }
  return baseline;
}

/** `byMethod` less `baseline` × seconds, rounded, never below 0. */
function lessBaseline(byMethod: Readonly<Record<string, number>>, baseline: Baseline, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [m, n] of Object.entries(byMethod)) {
    const left = Math.max(0, Math.round(n - (baseline[m] ?? 0) * seconds));
    if (left > 0) out[m] = left;
  }
  return out;
}

interface TimedOutcome {
  readonly wallSeconds: number | undefined;
  readonly timedOut: string | undefined;
  readonly settled: boolean;
  /** `cpu` read as the end condition was seen. */
  readonly cpuAtEnd?: CpuSeconds;
}

/** The write, the wait on the pod watch for the end condition, then the wait for the status. */
async function timedAndSettled(step: Step, t0: number, cpu: () => CpuSeconds): Promise<TimedOutcome> {
  try {
    const reached = step.watch.waitFor(step.reached, step.timeoutMs, step.what);
    // Read in the watch event's own turn: the status writes that follow are not the run's cost.
    const cpuAtEnd = reached.then(cpu);
    cpuAtEnd.catch(() => undefined); // the timeout is handled below, through `reached`
    await step.act();
    const wallSeconds = ((await reached) - t0) / 1000;
    return { wallSeconds, timedOut: undefined, settled: await step.settle(), cpuAtEnd: await cpuAtEnd };
  } catch (err) {
    if (!(err instanceof WaitTimeout)) throw err;
    return { wallSeconds: undefined, timedOut: err.message, settled: false };
  }
}

export async function measureStep(
  side: 'builtin' | 'ours',
  step: Step,
  endpoints: Endpoints,
  own: OwnRequests,
  operatorScrape?: Scraper,
): Promise<SideResult> {
  const baseline = await waitControllerManagerQuiet(endpoints.kcm);
  const before = await scrapeAll(endpoints, step.operator, operatorScrape);
  const windowStart = Date.now();
  const churnStart = step.watch.churnNow();
  const usage = step.operator?.sampler.begin();
  own.clear();
  // Opened before the first write; its LIST is the benchmark's own request.
  if (step.status) own.add('LIST', step.status.plural);
  const recording = await startRecording(step.watch, {
    status: step.status,
    orderedSet: step.orderedSet,
    ...(step.timelinesFile !== undefined ? { dump: { file: step.timelinesFile, label: { side, what: step.what } } } : {}),
  });
  const pids = new Map(endpoints.componentPids ?? []);
  if (step.operator) pids.set('operator', step.operator.pid);
  const cpuAtStart = cpuNow(pids);
  const t0 = Date.now();
  let outcome: TimedOutcome;
  let timelines: TimelineResults;
  try {
    outcome = await timedAndSettled(step, t0, () => cpuNow(pids));
  } finally {
    // The step ends once the status caught up (or gave up): a change it never showed lags until then.
    timelines = await recording.finish({ start: t0, end: Date.now() });
  }
  const { wallSeconds, timedOut, settled } = outcome;
  await new Promise((r) => setTimeout(r, 1000));
  const after = await scrapeAll(endpoints, step.operator, operatorScrape);
  const window = usage?.();
  const churn = step.watch.churnSince(churnStart);

  const apiDelta = counterDelta(before.apiserver, after.apiserver);
  const kcmDelta = counterDelta(before.kcm, after.kcm);
  const kcmMethods = lessBaseline(clientMethods(kcmDelta), baseline, (Date.now() - windowStart) / 1000);
  const opMethods = side === 'ours' ? clientMethods(counterDelta(before.op, after.op)) : {};
  const clientRequests = side === 'builtin' ? kcmMethods : opMethods;
  const writes = side === 'builtin' ? writesOf(kcmMethods) : writesOf(opMethods) + writesOf(kcmMethods, garbageCollectorVerbs);
  const apiserverRequests = attributeApiserver(apiDelta, own.counts, churn);
  const apiserverWrites = Object.entries(apiserverRequests)
    .filter(([k]) => writeVerbs.has(k.split(' ')[0] ?? ''))
    .reduce((a, [, n]) => a + n, 0);
  const created = step.podsCreated ?? step.pods;
  const queueDelta = side === 'builtin' ? kcmDelta : counterDelta(before.op, after.op);
  const latencySum = sumBy(queueDelta, 'rest_client_request_duration_seconds_sum', (l) => l.verb ?? '');
  const latencyCount = sumBy(queueDelta, 'rest_client_request_duration_seconds_count', (l) => l.verb ?? '');
  const requestLatencyMs = Object.fromEntries(
    Object.entries(latencyCount)
      .filter(([, n]) => n > 0)
      .map(([verb, n]) => [verb, Math.round(((latencySum[verb] ?? 0) / n) * 10000) / 10]),
  );
  const syncs = queueSyncs(queueDelta, step.queues);
  return {
    wallSeconds,
    podsPerSecond: wallSeconds && wallSeconds > 0 ? step.pods / wallSeconds : undefined,
    ...(timedOut !== undefined ? { timedOut } : {}),
    settled,
    writes,
    writesPerPod: created > 0 ? writes / created : undefined,
    clientRequests,
    ...(side === 'ours' ? { kcmRequests: kcmMethods } : {}),
    apiserverRequests,
    apiserverWrites,
    podChurn: churn,
    timeline: {
      added: Watch.quantiles(step.watch.addedAt, t0),
      ready: Watch.quantiles(step.watch.readyAt, t0),
      deleted: Watch.quantiles(step.watch.deletedAt, t0),
    },
    ...(window ? { process: window } : {}),
    kcmCpuSeconds: sum(kcmDelta, 'process_cpu_seconds_total'),
    kcmIdlePerSecond: baseline,
    syncs: syncs.total,
    ...(syncs.byQueue ? { syncsByQueue: syncs.byQueue } : {}),
    requestLatencyMs,
    ...timelines,
    ...(outcome.cpuAtEnd && pids.size > 0 ? { cpuToEnd: cpuDelta(cpuAtStart, outcome.cpuAtEnd) } : {}),
  };
}

/**
 * Polls `check` every 250 ms for up to `maxMs`: whether it came true (a benchmark step that does
 * not settle is recorded, not fatal). The callers count each poll as the benchmark's own GET.
 */
export async function holdsWithin(check: () => Promise<boolean>, maxMs = 120_000): Promise<boolean> {
  try {
    return await pollUntil('the check to hold', check, (ok) => ok, { timeoutMs: maxMs, intervalMs: 250, stopOnError: true });
  } catch (err) {
    if (err instanceof PollTimeout) return false;
    throw err;
  }
}
