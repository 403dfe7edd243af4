// MyDaemonSet status counts and whether they need writing. Pure.
// upstream: daemon_controller.go updateDaemonSetStatus, storeDaemonSetStatus.
import type { Node } from '../../api/core.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { NodeToDaemonPods } from './daemon-pods.ts';
import { isPodUpdated } from './daemon-pods.ts';
import { nodeShouldRunDaemonPod } from './node-eligibility.ts';
import { isPodAvailable, isPodReady } from '../shared/pod-state.ts';
import type { RolloutStatusFields } from './rollout-status.ts';
import { minReadySeconds } from './spec-defaults.ts';

/** The seven counts the controller owns. */
export interface DaemonSetStatusCounts {
  readonly desiredNumberScheduled: number;
  readonly currentNumberScheduled: number;
  readonly numberMisscheduled: number;
  readonly numberReady: number;
  readonly updatedNumberScheduled: number;
  readonly numberAvailable: number;
  readonly numberUnavailable: number;
}

/**
 * What writeStatus sets: the counts, plus observedGeneration when this sync processed the spec,
 * plus the rollout-control fields that change (stableRevision, rollback; null removes it).
 */
export interface DaemonSetStatusFields extends DaemonSetStatusCounts, RolloutStatusFields {
  readonly observedGeneration?: number;
}

/**
 * Per node in `nodes`: shouldRun nodes are desired, and current when they hold any pod (unbound
 * and terminating ones count); ready / available / updated look at the node's FIRST pod in
 * podByCreationTimestampAndPhase order. Nodes that shouldn't run the pod but hold one are
 * misscheduled. Pods of nodes not in the list count nowhere.
 */
export function daemonSetStatusCounts(
  ds: MyDaemonSet,
  nodes: readonly Node[],
  byNode: NodeToDaemonPods,
  hash: string,
  now: number,
): DaemonSetStatusCounts {
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const first = byNode.get(node.metadata.name ?? '')?.[0];
    if (!shouldRun) {
      if (first !== undefined) misscheduled++;
      continue;
    }
    desired++;
    if (first === undefined) continue;
    current++;
    if (isPodReady(first)) {
      ready++;
      if (isPodAvailable(first, minReadySeconds(ds), now)) available++;
    }
    if (isPodUpdated(first, hash)) updated++;
  }
  return {
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
}

const countFields = [
  'desiredNumberScheduled',
  'currentNumberScheduled',
  'numberMisscheduled',
  'numberReady',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
] as const satisfies readonly (keyof DaemonSetStatusCounts)[];

/** The seven counts of a status, written or stored (absent = 0). */
export function countsOf(status: { readonly [K in keyof DaemonSetStatusCounts]?: number } | undefined): DaemonSetStatusCounts {
  return {
    desiredNumberScheduled: status?.desiredNumberScheduled ?? 0,
    currentNumberScheduled: status?.currentNumberScheduled ?? 0,
    numberMisscheduled: status?.numberMisscheduled ?? 0,
    numberReady: status?.numberReady ?? 0,
    updatedNumberScheduled: status?.updatedNumberScheduled ?? 0,
    numberAvailable: status?.numberAvailable ?? 0,
    numberUnavailable: status?.numberUnavailable ?? 0,
  };
}

/**
 * The status write that ends a sync the status refresh ran in (runtime/paced-refresh.ts): the
 * sync's own fields with the counts the caches hold now (`fresh`, for the same generation), or
 * 'shown' when the stored status (`cached`, as the cache holds it) already says all of that.
 *
 * Why: the refresh writes counts seconds newer than the ones the sync planned from — its first
 * sync starts with no pod and ends with dozens Ready — and the sync's own write, made after them,
 * would take the counts back until the next sync wrote them again. It may wait only when the
 * sync's own write could (`ownMayWait`) and the fresh counts are not the settled end state.
 */
export function finalDaemonSetStatus(
  cached: MyDaemonSet,
  own: DaemonSetStatusFields,
  ownMayWait: boolean,
  fresh: DaemonSetStatusCounts,
): { readonly status: DaemonSetStatusFields; readonly mayWait: boolean } | 'shown' {
  const { observedGeneration, stableRevision, rollback } = own;
  const rollout: RolloutStatusFields = {
    ...(stableRevision !== undefined ? { stableRevision } : {}),
    ...(rollback !== undefined ? { rollback } : {}),
  };
  const observe = observedGeneration !== undefined && observedGeneration === (cached.metadata.generation ?? 0) ? 'observe' : 'keep';
  if (daemonSetStatusUpdate(cached, fresh, observe, rollout) === undefined) return 'shown';
  const status: DaemonSetStatusFields = { ...own, ...fresh };
  return { status, mayWait: ownMayWait && daemonSetStatusMayWait(cached, status) };
}

/**
 * Whether a status write may be put off (WriteStatusAction.mayWait): it observes no new
 * generation, changes no rollout-control field, and the counts have not reached the settled end
 * state (every desired node runs one available, updated pod; none misscheduled) that readers such
 * as `kubectl rollout status` wait for.
 */
export function daemonSetStatusMayWait(ds: MyDaemonSet, status: DaemonSetStatusFields): boolean {
  const generation = ds.metadata.generation ?? 0;
  const observesNew = status.observedGeneration !== undefined && (ds.status?.observedGeneration ?? 0) < generation;
  const rolloutChange = status.stableRevision !== undefined || status.rollback !== undefined;
  const desired = status.desiredNumberScheduled;
  const settled =
    status.currentNumberScheduled === desired &&
    status.updatedNumberScheduled === desired &&
    status.numberReady === desired &&
    status.numberAvailable === desired &&
    status.numberMisscheduled === 0 &&
    status.numberUnavailable === 0;
  return !observesNew && !rolloutChange && !settled;
}

export type ObservedGeneration =
  /** Expectations were satisfied at sync start: the spec of this generation was acted on. */
  | 'observe'
  /** Only the counts are refreshed; observedGeneration stays. */
  | 'keep';

/**
 * upstream: storeDaemonSetStatus. Undefined (no write) when the seven counts equal the stored ones
 * (absent = 0), observedGeneration ≥ generation — whether or not this sync may observe — and no
 * rollout-control field changes (`rollout` holds only the ones that do, rolloutStatus).
 */
export function daemonSetStatusUpdate(
  ds: MyDaemonSet,
  counts: DaemonSetStatusCounts,
  observed: ObservedGeneration,
  rollout: RolloutStatusFields = {},
): DaemonSetStatusFields | undefined {
  const status = ds.status ?? {};
  const generation = ds.metadata.generation ?? 0;
  const unchanged =
    countFields.every((field) => (status[field] ?? 0) === counts[field]) &&
    (status.observedGeneration ?? 0) >= generation &&
    Object.keys(rollout).length === 0;
  if (unchanged) return undefined;
  return observed === 'observe' ? { ...counts, observedGeneration: generation, ...rollout } : { ...counts, ...rollout };
}
