// The scenarios of issue 9, as chains of timed steps on one side:
//   DaemonSet:   create → all Ready; image rollout (maxUnavailable = max(10, N/20)) → all updated
//                and available; delete with cascade → no pods left.
//   StatefulSet: Parallel 0 → R replicas Ready; rolling update of those R; OrderedReady 0 → r.
//   Deployment:  0 → R replicas Ready; rolling update of those R (maxSurge 25 %, maxUnavailable
//                25 %, the apps/v1 defaults); delete with cascade → no pods (and no ReplicaSets) left.
// Each chain starts and ends with no pods in its namespace, so the namespace's Ready pods are the
// workload's own: every step but the deletes (whose object goes before its pods) times the status
// lag against them.
import type { KubeClient } from '../src/runtime/client/rest.ts';
import { isNotFound } from '../src/runtime/client/errors.ts';
import type { Endpoints, OwnRequests, SideResult, Step } from './measure.ts';
import { holdsWithin, measureStep } from './measure.ts';
import type { OperatorProcess } from './operator-process.ts';
import type { PodWatch } from './pod-watch.ts';
import type { Scraper } from './scrape.ts';
import { statusSource } from './step-timelines.ts';
import type { Side } from './workloads.ts';
import {
  daemonSetManifest,
  daemonSetResource,
  daemonSetSettled,
  daemonSetStatusReady,
  deploymentManifest,
  deploymentResource,
  deploymentSettled,
  exactlyReady,
  imagePatch,
  imageV1,
  imageV2,
  replicaSetResource,
  statefulSetManifest,
  statefulSetResource,
  statefulSetSettled,
  statusReadyReplicas,
} from './workloads.ts';

export type ScenarioName =
  | 'ds-create'
  | 'ds-rollout'
  | 'ds-delete'
  | 'sts-parallel-create'
  | 'sts-rolling-update'
  | 'sts-ordered-create'
  | 'deploy-create'
  | 'deploy-rolling-update'
  | 'deploy-delete';

export const scenarioTitles: Readonly<Record<ScenarioName, string>> = {
  'ds-create': 'DaemonSet create → all Ready',
  'ds-rollout': 'DaemonSet image rollout → all updated and available',
  'ds-delete': 'DaemonSet delete (cascade) → no pods left',
  'sts-parallel-create': 'StatefulSet Parallel 0 → R Ready',
  'sts-rolling-update': 'StatefulSet rolling update of R',
  'sts-ordered-create': 'StatefulSet OrderedReady 0 → r Ready',
  'deploy-create': 'Deployment 0 → R Ready',
  'deploy-rolling-update': 'Deployment rolling update of R (maxSurge 25%, maxUnavailable 25%)',
  'deploy-delete': 'Deployment delete (cascade) of R → no pods left',
};

export interface SideContext {
  readonly side: Side;
  readonly client: KubeClient;
  readonly endpoints: Endpoints;
  readonly own: OwnRequests;
  readonly namespace: string;
  readonly watch: PodWatch;
  /** kube-api-qps of both sides; 0 = unlimited. Scales the timeouts. */
  readonly qps: number;
  readonly operator?: OperatorProcess;
  readonly operatorScrape?: Scraper;
  /** Where each step appends its timelines (bench --timelines). */
  readonly timelinesFile?: string;
  /** Built-in side: kube-controller-manager's RSS now (bench/kcm-process.ts). */
  readonly kcmRssBytes?: () => number | undefined;
  readonly log: (msg: string) => void;
}

/** Generous: a benchmark records a timeout, it does not fail on one. */
function timeoutFor(ctx: SideContext, writes: number): number {
  return 180_000 + writes * (ctx.qps > 0 ? 1000 / ctx.qps : 20) * 2;
}

function run(ctx: SideContext, queues: Step['queues'], step: Omit<Step, 'watch' | 'operator' | 'queues'>): Promise<SideResult> {
  return measureStep(
    ctx.side,
    { ...step, queues, watch: ctx.watch, operator: ctx.operator, ...(ctx.timelinesFile !== undefined ? { timelinesFile: ctx.timelinesFile } : {}) },
    ctx.endpoints,
    ctx.own,
    ctx.operatorScrape,
  );
}

export async function waitNoPods(ctx: Pick<SideContext, 'watch'>, what: string): Promise<void> {
  await ctx.watch.waitFor((c) => c.total === 0, 600_000, `${what}: no pods left`);
}

export interface DaemonSetResults {
  readonly 'ds-create': SideResult;
  readonly 'ds-rollout': SideResult;
  readonly 'ds-delete': SideResult;
  /** Operator RSS right after the create settled: every node and every pod cached. */
  readonly rssCachedBytes?: number;
  /** kube-controller-manager's RSS at the same moment of the built-in side. */
  readonly kcmRssCachedBytes?: number;
}

export async function daemonSetChain(ctx: SideContext, nodes: number): Promise<DaemonSetResults> {
  const { client, own, namespace: ns } = ctx;
  const res = daemonSetResource(ctx.side);
  const name = 'bench-ds';
  const status = statusSource(client, res, ns, name, daemonSetStatusReady);
  const settle = (): Promise<boolean> =>
    holdsWithin(async () => {
      own.add('GET', res.plural);
      return daemonSetSettled(await client.get(res, ns, name), nodes);
    });
  await waitNoPods(ctx, 'before the DaemonSet');

  ctx.log(`${ctx.side}: DaemonSet create (${nodes} pods)`);
  const create = await run(ctx, ['daemonset'], {
    pods: nodes,
    what: 'DaemonSet create',
    timeoutMs: timeoutFor(ctx, nodes * 1.1),
    act: async () => {
      own.add('POST', res.plural);
      await client.create(res, daemonSetManifest(ctx.side, ns, name, nodes));
    },
    reached: (c) => exactlyReady(c, nodes, imageV1),
    settle,
    status,
  });
  const rssCachedBytes = ctx.operator?.sampler.last?.rssBytes;
  const kcmRssCachedBytes = ctx.kcmRssBytes?.();

  ctx.log(`${ctx.side}: DaemonSet rollout`);
  const rollout = await run(ctx, ['daemonset'], {
    pods: nodes,
    what: 'DaemonSet rollout',
    timeoutMs: timeoutFor(ctx, nodes * 2.2),
    act: async () => {
      own.add('PATCH', res.plural);
      await client.patch(res, ns, name, 'merge', imagePatch(imageV2));
    },
    reached: (c) => exactlyReady(c, nodes, imageV2),
    settle,
    status,
  });

  ctx.log(`${ctx.side}: DaemonSet delete`);
  const remove = await run(ctx, ['daemonset'], {
    pods: nodes,
    podsCreated: 0,
    what: 'DaemonSet delete',
    timeoutMs: timeoutFor(ctx, nodes * 1.1),
    act: async () => {
      own.add('DELETE', res.plural);
      await client.delete(res, ns, name, { propagationPolicy: 'Background' });
    },
    reached: (c) => c.total === 0,
    settle: () => objectGone(ctx, res.plural, () => client.get(res, ns, name)),
  });
  await cleanup(ctx, res.plural, () => client.delete(res, ns, name, { propagationPolicy: 'Background' }));
  return {
    'ds-create': create,
    'ds-rollout': rollout,
    'ds-delete': remove,
    ...(rssCachedBytes ? { rssCachedBytes } : {}),
    ...(kcmRssCachedBytes ? { kcmRssCachedBytes } : {}),
  };
}

export interface StatefulSetResults {
  readonly 'sts-parallel-create': SideResult;
  readonly 'sts-rolling-update': SideResult;
  readonly 'sts-ordered-create': SideResult;
}

export async function statefulSetChain(ctx: SideContext, parallelReplicas: number, orderedReplicas: number): Promise<StatefulSetResults> {
  const { client, own, namespace: ns } = ctx;
  const res = statefulSetResource(ctx.side);
  const settleFor = (name: string, replicas: number) => (): Promise<boolean> =>
    holdsWithin(async () => {
      own.add('GET', res.plural);
      return statefulSetSettled(await client.get(res, ns, name), replicas);
    });
  const statusOf = (name: string) => statusSource(client, res, ns, name, statusReadyReplicas);
  const scaleTo = (name: string, replicas: number) => async (): Promise<void> => {
    own.add('PATCH', res.plural);
    await client.patch(res, ns, name, 'merge', { spec: { replicas } });
  };
  await waitNoPods(ctx, 'before the StatefulSet');

  // Parallel: created at 0 replicas (untimed), then scaled.
  const parallel = 'bench-sts';
  await client.create(res, statefulSetManifest(ctx.side, ns, parallel, 'Parallel', 0));
  await settleFor(parallel, 0)();
  ctx.log(`${ctx.side}: StatefulSet Parallel 0 → ${parallelReplicas}`);
  const parallelCreate = await run(ctx, ['statefulset'], {
    pods: parallelReplicas,
    what: 'StatefulSet Parallel scale-up',
    timeoutMs: timeoutFor(ctx, parallelReplicas * 1.1),
    act: scaleTo(parallel, parallelReplicas),
    reached: (c) => exactlyReady(c, parallelReplicas, imageV1),
    settle: settleFor(parallel, parallelReplicas),
    status: statusOf(parallel),
  });
  ctx.log(`${ctx.side}: StatefulSet rolling update of ${parallelReplicas}`);
  const rollingUpdate = await run(ctx, ['statefulset'], {
    pods: parallelReplicas,
    what: 'StatefulSet rolling update',
    // One pod at a time: each waits for its predecessor's replacement to turn Ready.
    timeoutMs: 300_000 + parallelReplicas * 3000,
    act: async () => {
      own.add('PATCH', res.plural);
      await client.patch(res, ns, parallel, 'merge', imagePatch(imageV2));
    },
    reached: (c) => exactlyReady(c, parallelReplicas, imageV2),
    settle: settleFor(parallel, parallelReplicas),
    status: statusOf(parallel),
  });
  await cleanup(ctx, res.plural, () => client.delete(res, ns, parallel, { propagationPolicy: 'Background' }));

  const ordered = 'bench-sts-ordered';
  await client.create(res, statefulSetManifest(ctx.side, ns, ordered, 'OrderedReady', 0));
  await settleFor(ordered, 0)();
  ctx.log(`${ctx.side}: StatefulSet OrderedReady 0 → ${orderedReplicas}`);
  const orderedCreate = await run(ctx, ['statefulset'], {
    pods: orderedReplicas,
    what: 'StatefulSet OrderedReady scale-up',
    timeoutMs: 300_000 + orderedReplicas * 3000,
    act: scaleTo(ordered, orderedReplicas),
    reached: (c) => exactlyReady(c, orderedReplicas, imageV1),
    settle: settleFor(ordered, orderedReplicas),
    status: statusOf(ordered),
    orderedSet: { name: ordered, replicas: orderedReplicas },
  });
  await cleanup(ctx, res.plural, () => client.delete(res, ns, ordered, { propagationPolicy: 'Background' }));
  return { 'sts-parallel-create': parallelCreate, 'sts-rolling-update': rollingUpdate, 'sts-ordered-create': orderedCreate };
}

export interface DeploymentResults {
  readonly 'deploy-create': SideResult;
  readonly 'deploy-rolling-update': SideResult;
  readonly 'deploy-delete': SideResult;
}

/**
 * Both sides' Deployment controller drives a ReplicaSet controller (kube-controller-manager's
 * `deployment` and `replicaset` queues; the operator's MyDeployment and MyReplicaSet
 * controllers), so each step counts the syncs of both.
 */
const deploymentQueues = ['deployment', 'replicaset'] as const;

export async function deploymentChain(ctx: SideContext, replicas: number): Promise<DeploymentResults> {
  const { client, own, namespace: ns } = ctx;
  const res = deploymentResource(ctx.side);
  const name = 'bench-deploy';
  const status = statusSource(client, res, ns, name, statusReadyReplicas);
  // Status caught up and the watch still shows exactly `replicas` Ready pods on `image`.
  const settleAt = (count: number, image: string) => (): Promise<boolean> =>
    holdsWithin(async () => {
      own.add('GET', res.plural);
      return deploymentSettled(await client.get(res, ns, name), count) && exactlyReady(ctx.watch.counts(), count, image);
    });
  await waitNoPods(ctx, 'before the Deployment');

  // Created at 0 replicas (untimed: the Deployment and its empty ReplicaSet), then scaled, as the
  // StatefulSet's Parallel scale-up.
  await client.create(res, deploymentManifest(ctx.side, ns, name, 0));
  await settleAt(0, imageV1)();
  ctx.log(`${ctx.side}: Deployment 0 → ${replicas}`);
  const create = await run(ctx, deploymentQueues, {
    pods: replicas,
    what: 'Deployment scale-up',
    timeoutMs: timeoutFor(ctx, replicas * 1.1),
    act: async () => {
      own.add('PATCH', res.plural);
      await client.patch(res, ns, name, 'merge', { spec: { replicas } });
    },
    reached: (c) => exactlyReady(c, replicas, imageV1),
    settle: settleAt(replicas, imageV1),
    status,
  });

  ctx.log(`${ctx.side}: Deployment rolling update of ${replicas}`);
  const rollingUpdate = await run(ctx, deploymentQueues, {
    pods: replicas,
    what: 'Deployment rolling update',
    // Every pod created and deleted once, plus the ReplicaSets' scale and status writes.
    timeoutMs: timeoutFor(ctx, replicas * 2.2),
    act: async () => {
      own.add('PATCH', res.plural);
      await client.patch(res, ns, name, 'merge', imagePatch(imageV2));
    },
    reached: (c) => exactlyReady(c, replicas, imageV2),
    settle: settleAt(replicas, imageV2),
    status,
  });

  ctx.log(`${ctx.side}: Deployment delete`);
  const remove = await run(ctx, deploymentQueues, {
    pods: replicas,
    podsCreated: 0,
    what: 'Deployment delete',
    timeoutMs: timeoutFor(ctx, replicas * 1.1),
    act: async () => {
      own.add('DELETE', res.plural);
      await client.delete(res, ns, name, { propagationPolicy: 'Background' });
    },
    reached: (c) => c.total === 0,
    settle: async () => (await objectGone(ctx, res.plural, () => client.get(res, ns, name))) && (await replicaSetsGone(ctx, name)),
  });
  await cleanup(ctx, res.plural, () => client.delete(res, ns, name, { propagationPolicy: 'Background' }));
  // The next round reuses the name and the template, hence the ReplicaSet names: a leftover would
  // be a hash collision for the new Deployment, not a clean start. Said, not thrown: this round's
  // measurements stand.
  if (!(await replicaSetsGone(ctx, name))) ctx.log(`${ctx.side}: ReplicaSets of ${ns}/${name} still there 2 min after the cleanup`);
  return { 'deploy-create': create, 'deploy-rolling-update': rollingUpdate, 'deploy-delete': remove };
}

/** No ReplicaSet of the Deployment `name` left (the garbage collector deletes them before their pods). */
async function replicaSetsGone(ctx: SideContext, name: string): Promise<boolean> {
  const rs = replicaSetResource(ctx.side);
  return holdsWithin(async () => {
    ctx.own.add('LIST', rs.plural);
    const list = await ctx.client.list(rs, { namespace: ctx.namespace, labelSelector: `app=${name}` });
    return list.items.length === 0;
  });
}

async function objectGone(ctx: SideContext, plural: string, get: () => Promise<unknown>): Promise<boolean> {
  return holdsWithin(async () => {
    ctx.own.add('GET', plural);
    try {
      await get();
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  });
}

/** Deletes the workload (if still there) and waits until its pods are gone: the next step starts clean. */
async function cleanup(ctx: SideContext, plural: string, remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await waitNoPods(ctx, `cleanup of ${plural}`);
}
