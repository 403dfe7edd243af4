// Whether a rollout is still running, by the rule `kubectl rollout status` waits on, so the
// my_workload_rollout_in_progress gauge agrees with what a user sees in a terminal. Pure.
// upstream: kubectl pkg/polymorphichelpers/rollout_status.go DaemonSetStatusViewer.Status,
// StatefulSetStatusViewer.Status.
import type { MyDaemonSet, MyStatefulSet } from '../api/workloads.ts';

/**
 * A MyDaemonSet's rollout is done once the controller has observed the current spec and every
 * desired node runs an updated, available pod. OnDelete has no rollout to wait for (kubectl
 * refuses to watch it and reports done), so it is never in progress.
 */
export function daemonSetRolloutInProgress(ds: MyDaemonSet): boolean {
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const status = ds.status ?? {};
  if ((ds.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) return true;
  const desired = status.desiredNumberScheduled ?? 0;
  return (status.updatedNumberScheduled ?? 0) < desired || (status.numberAvailable ?? 0) < desired;
}

/**
 * A MyStatefulSet's rollout is done once the controller has observed the current spec, every
 * replica is ready and the ordinals at or above the partition run the update revision. apps/v1
 * defaulting always gives RollingUpdate a partition (0), so kubectl's revision comparison branch
 * is never reached for it; the same defaults (replicas 1, partition 0) apply here to objects that
 * lack them. OnDelete is never in progress, as for DaemonSets.
 */
export function statefulSetRolloutInProgress(sts: MyStatefulSet): boolean {
  const strategy = sts.spec.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const status = sts.status ?? {};
  const observed = status.observedGeneration ?? 0;
  // kubectl also treats observedGeneration 0 as "not observed yet".
  if (observed === 0 || (sts.metadata.generation ?? 0) > observed) return true;
  const replicas = sts.spec.replicas ?? 1;
  if ((status.readyReplicas ?? 0) < replicas) return true;
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  return (status.updatedReplicas ?? 0) < replicas - partition;
}
