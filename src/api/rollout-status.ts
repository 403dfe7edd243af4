// When is a rollout done? kubectl's rules for apps/v1 DaemonSet, StatefulSet and Deployment
// (k8s.io/kubectl pkg/polymorphichelpers/rollout_status.go), applied to our kinds, so
// `kubectl my rollout status` answers exactly as `kubectl rollout status` would. Pure.
import type { MyDaemonSet, MyDeployment, MyStatefulSet } from './workloads.ts';

export type RolloutStatus =
  | { readonly kind: 'progressing'; readonly message: string }
  | { readonly kind: 'done'; readonly message: string }
  /** No rollout to follow (OnDelete): kubectl reports an error and stops. */
  | { readonly kind: 'unsupported'; readonly message: string }
  /** The rollout will not finish as it stands (a MyDeployment past its progress deadline): kubectl reports an error and exits 1. */
  | { readonly kind: 'failed'; readonly message: string };

/** The Progressing reason the deployment controller sets once progressDeadlineSeconds passed (upstream deploymentutil.TimedOutReason). */
export const progressDeadlineExceededReason = 'ProgressDeadlineExceeded';

export function daemonSetRolloutStatus(ds: MyDaemonSet): RolloutStatus {
  const name = ds.metadata.name ?? '';
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    return { kind: 'unsupported', message: 'rollout status is only available for RollingUpdate strategy type' };
  }
  const status = ds.status ?? {};
  if ((ds.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { kind: 'progressing', message: 'Waiting for daemon set spec update to be observed...' };
  }
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  if (updated < desired) {
    return {
      kind: 'progressing',
      message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
    };
  }
  if (available < desired) {
    return {
      kind: 'progressing',
      message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`,
    };
  }
  return { kind: 'done', message: `daemon set "${name}" successfully rolled out` };
}

export function statefulSetRolloutStatus(set: MyStatefulSet): RolloutStatus {
  const strategy = set.spec.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    return { kind: 'unsupported', message: 'rollout status is only available for RollingUpdate strategy type' };
  }
  const status = set.status ?? {};
  if (!status.observedGeneration || (set.metadata.generation ?? 0) > status.observedGeneration) {
    return { kind: 'progressing', message: 'Waiting for statefulset spec update to be observed...' };
  }
  const replicas = set.spec.replicas ?? 1;
  const ready = status.readyReplicas ?? 0;
  if (ready < replicas) return { kind: 'progressing', message: `Waiting for ${replicas - ready} pods to be ready...` };
  const updated = status.updatedReplicas ?? 0;
  if (strategy?.rollingUpdate) {
    const partition = strategy.rollingUpdate.partition ?? 0;
    if (updated < replicas - partition) {
      return {
        kind: 'progressing',
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`,
      };
    }
    return { kind: 'done', message: `partitioned roll out complete: ${updated} new pods have been updated...` };
  }
  if (status.updateRevision !== status.currentRevision) {
    return {
      kind: 'progressing',
      message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${status.updateRevision ?? ''}...`,
    };
  }
  return {
    kind: 'done',
    message: `statefulset rolling update complete ${status.currentReplicas ?? 0} pods at revision ${status.currentRevision ?? ''}...`,
  };
}

/** upstream: DeploymentStatusViewer.Status, without the --revision check (src/cli/deployment-rollout.ts adds it). */
export function deploymentRolloutStatus(d: MyDeployment): RolloutStatus {
  const name = d.metadata.name ?? '';
  const status = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { kind: 'progressing', message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === progressDeadlineExceededReason) {
    return { kind: 'failed', message: `deployment "${name}" exceeded its progress deadline` };
  }
  const replicas = d.spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const current = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const waiting = `Waiting for deployment "${name}" rollout to finish:`;
  if (updated < replicas) {
    return { kind: 'progressing', message: `${waiting} ${updated} out of ${replicas} new replicas have been updated...` };
  }
  if (current > updated) {
    return { kind: 'progressing', message: `${waiting} ${current - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return { kind: 'progressing', message: `${waiting} ${available} of ${updated} updated replicas are available...` };
  }
  return { kind: 'done', message: `deployment "${name}" successfully rolled out` };
}
