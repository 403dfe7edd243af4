// The MyStatefulSet spec fields the controller acts on, with the apps/v1 defaults applied the way
// the API server applies them (upstream: pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet).
// The CRD schema defaults most of them; objects that lack a default are still read correctly.
import type { IntOrPercent, MyStatefulSet, PersistentVolumeClaimRetentionPolicyType } from '../../api/workloads.ts';

export interface EffectiveRollingUpdate {
  /** Indices below the partition stay at currentRevision. Default 0. */
  readonly partition: number;
  /**
   * Unset → the legacy one-at-a-time path (MaxUnavailableStatefulSet is off by default in 1.36, so
   * the API drops the field); set → the gate-on path. No default on purpose.
   */
  readonly maxUnavailable: IntOrPercent | undefined;
}

export interface EffectiveUpdateStrategy {
  readonly type: 'RollingUpdate' | 'OnDelete';
  /**
   * Present whenever the object has a `rollingUpdate` block or had no `type`: defaulting adds the
   * block only when it defaults `type`, so an explicit `type: RollingUpdate` without one stays
   * without (and newVersionedStatefulSetPod then reads status.currentReplicas, see pod-template.ts).
   */
  readonly rollingUpdate: EffectiveRollingUpdate | undefined;
}

export function updateStrategyOf(set: MyStatefulSet): EffectiveUpdateStrategy {
  const strategy = set.spec.updateStrategy;
  const type = strategy?.type ?? 'RollingUpdate';
  const given = strategy?.rollingUpdate ?? (strategy?.type === undefined ? {} : undefined);
  return {
    type,
    rollingUpdate:
      given === undefined ? undefined : { partition: given.partition ?? 0, maxUnavailable: given.maxUnavailable },
  };
}

/** Parallel lets pods be created and deleted without waiting for their predecessors (upstream allowsBurst). */
export function allowsBurst(set: MyStatefulSet): boolean {
  return set.spec.podManagementPolicy === 'Parallel';
}

export function minReadySecondsOf(set: MyStatefulSet): number {
  return set.spec.minReadySeconds ?? 0;
}

/** Default 10; negative keeps every revision. */
export function revisionHistoryLimitOf(set: MyStatefulSet): number {
  return set.spec.revisionHistoryLimit ?? 10;
}

export interface EffectiveRetentionPolicy {
  readonly whenDeleted: PersistentVolumeClaimRetentionPolicyType;
  readonly whenScaled: PersistentVolumeClaimRetentionPolicyType;
}

/** Both default to Retain (upstream getPersistentVolumeClaimRetentionPolicy). */
export function retentionPolicyOf(set: MyStatefulSet): EffectiveRetentionPolicy {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: policy?.whenDeleted ?? 'Retain', whenScaled: policy?.whenScaled ?? 'Retain' };
}
