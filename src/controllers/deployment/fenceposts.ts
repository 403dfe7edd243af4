// How far a rolling update may go above (maxSurge) and below (maxUnavailable) spec.replicas, and
// the size the new ReplicaSet may grow to. Pure.
// upstream: pkg/controller/deployment/util/deployment_util.go ResolveFenceposts, MaxSurge,
// MaxUnavailable, NewRSNewReplicas; pkg/apis/apps/v1/defaults.go SetDefaults_Deployment.
import type { IntOrPercent, MyDeployment, MyReplicaSet } from '../../api/workloads.ts';
import { scaledValueFromIntOrPercent } from '../shared/int-or-percent.ts';

/** Resolved against spec.replicas: both 0 for Recreate; maxUnavailable ≤ replicas. */
export interface Fenceposts {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
}

export interface EffectiveStrategy {
  readonly type: 'RollingUpdate' | 'Recreate';
  readonly maxSurge: IntOrPercent;
  readonly maxUnavailable: IntOrPercent;
}

/** The schema default of both rolling-update bounds (SetDefaults_Deployment). */
const defaultRollingBound = '25%';

/**
 * spec.replicas, or the schema default 1 when absent. Upstream dereferences a pointer the API server
 * always defaulted; our objects may come from paths that skipped the CRD default.
 */
export function replicasOf(obj: { readonly spec: { readonly replicas?: number } }): number {
  return obj.spec.replicas ?? 1;
}

/**
 * The strategy with SetDefaults_Deployment applied: type RollingUpdate when absent, and for
 * RollingUpdate only each missing bound 25%. Recreate reports 0/0. A type the schema does not know
 * is reported as Recreate here (no rolling bounds, as upstream's MaxSurge/MaxUnavailable treat any
 * non-RollingUpdate type); see strategyTypeError for the sync that must refuse it.
 */
export function effectiveStrategy(d: MyDeployment): EffectiveStrategy {
  const strategy = d.spec.strategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return { type: 'Recreate', maxSurge: 0, maxUnavailable: 0 };
  return {
    type: 'RollingUpdate',
    maxSurge: strategy?.rollingUpdate?.maxSurge ?? defaultRollingBound,
    maxUnavailable: strategy?.rollingUpdate?.maxUnavailable ?? defaultRollingBound,
  };
}

/**
 * upstream syncDeployment's last case: "unexpected deployment strategy type: T" for a type other
 * than RollingUpdate and Recreate (validation and the schema enum normally keep it out); else
 * undefined.
 */
export function strategyTypeError(d: MyDeployment): string | undefined {
  const type: unknown = d.spec.strategy?.type;
  if (type === undefined || type === 'RollingUpdate' || type === 'Recreate') return undefined;
  return `unexpected deployment strategy type: ${typeof type === 'string' ? type : JSON.stringify(type)}`;
}

/**
 * upstream MaxSurge and MaxUnavailable (through ResolveFenceposts). Percentages of spec.replicas:
 * surge rounds up, unavailable down; when both come to 0 unavailable becomes 1 (surge might be
 * refused by a quota, so allow progress by deletion). maxUnavailable is 0 with 0 replicas and never
 * above replicas. A string bound that is not a percentage ("25") is an error, which upstream's
 * validation prevents and its helpers then ignore.
 */
export function resolveFenceposts(d: MyDeployment): Fenceposts | { readonly error: string } {
  const strategy = effectiveStrategy(d);
  if (strategy.type !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const replicas = replicasOf(d);
  const surge = scaledValueFromIntOrPercent(strategy.maxSurge, replicas, true);
  if (surge.kind === 'invalid') return { error: surge.message };
  const unavailable = scaledValueFromIntOrPercent(strategy.maxUnavailable, replicas, false);
  if (unavailable.kind === 'invalid') return { error: unavailable.message };
  const resolvedUnavailable = surge.value === 0 && unavailable.value === 0 ? 1 : unavailable.value;
  return { maxSurge: surge.value, maxUnavailable: replicas === 0 ? 0 : Math.min(resolvedUnavailable, replicas) };
}

/** The fenceposts, or 0/0 where they do not resolve (upstream's MaxSurge/MaxUnavailable drop the error). */
export function fencepostsOrZero(d: MyDeployment): Fenceposts {
  const resolved = resolveFenceposts(d);
  return 'error' in resolved ? { maxSurge: 0, maxUnavailable: 0 } : resolved;
}

/**
 * upstream NewRSNewReplicas: the size the new ReplicaSet may have now. Recreate: spec.replicas.
 * RollingUpdate: grow it while the sum of every RS's spec.replicas (`all`, the new RS included;
 * a new RS not created yet counts with its planned spec.replicas 0) is below replicas + surge, and
 * never past replicas; at or over that total it keeps its size. A first rollout therefore creates it
 * at full size.
 */
export function newReplicaSetReplicas(d: MyDeployment, all: readonly MyReplicaSet[], newRS: MyReplicaSet, surge: number): number {
  const replicas = replicasOf(d);
  if (effectiveStrategy(d).type === 'Recreate') return replicas;
  const current = replicasOf(newRS);
  const maxTotal = replicas + surge;
  const total = all.reduce((sum, rs) => sum + replicasOf(rs), 0);
  if (total >= maxTotal) return current;
  return current + Math.min(maxTotal - total, replicas - current);
}
