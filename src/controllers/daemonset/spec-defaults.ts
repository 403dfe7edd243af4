// MyDaemonSet spec fields with apps/v1 defaults applied. The CRD schema defaults them too; the
// controller still reads them defensively (objects written before a default existed may lack them).
// upstream: pkg/apis/apps/v1/defaults.go SetDefaults_DaemonSet.
import type { IntOrPercent, MyDaemonSet } from '../../api/workloads.ts';
import { apiVersion } from '../../api/workloads.ts';
import type { OwnerIdentity } from '../shared/ownership.ts';
import { ownerIdentity } from '../shared/ownership.ts';

export const daemonSetKind = 'MyDaemonSet';

/** How pods and revisions name their controller. */
export function daemonSetOwner(ds: MyDaemonSet): OwnerIdentity {
  return ownerIdentity(ds, apiVersion, daemonSetKind);
}

/** `RollingUpdate` unless `OnDelete` is set. */
export function updateStrategyType(ds: MyDaemonSet): 'RollingUpdate' | 'OnDelete' {
  return ds.spec.updateStrategy?.type === 'OnDelete' ? 'OnDelete' : 'RollingUpdate';
}

export interface RollingUpdateParams {
  /** Default 1. */
  readonly maxUnavailable: IntOrPercent;
  /** Default 0. */
  readonly maxSurge: IntOrPercent;
}

/** The rolling-update limits; undefined for OnDelete (upstream then counts both as 0). */
export function rollingUpdateParams(ds: MyDaemonSet): RollingUpdateParams | undefined {
  if (updateStrategyType(ds) !== 'RollingUpdate') return undefined;
  const rollingUpdate = ds.spec.updateStrategy?.rollingUpdate;
  return { maxUnavailable: rollingUpdate?.maxUnavailable ?? 1, maxSurge: rollingUpdate?.maxSurge ?? 0 };
}

/** Default 0. */
export function minReadySeconds(ds: MyDaemonSet): number {
  return ds.spec.minReadySeconds ?? 0;
}

/** Default 10. */
export function revisionHistoryLimit(ds: MyDaemonSet): number {
  return ds.spec.revisionHistoryLimit ?? 10;
}
