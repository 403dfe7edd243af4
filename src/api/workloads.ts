// MyDaemonSet, MyStatefulSet, MyDeployment and MyReplicaSet (apps.my.dev/v1alpha1): spec and status mirror apps/v1 field for
// field, so a manifest converts by changing apiVersion and kind. Defaults are applied by the CRD
// schema (crds/); the controllers still read every optional field defensively, because objects
// written before a default existed, or through a schema-less path, may lack them.
import type { PersistentVolumeClaim, PodTemplateSpec } from './core.ts';
import type { KubeObject, LabelSelector, WorkloadCondition } from './meta.ts';
import { resource } from './resources.ts';

export const group = 'apps.my.dev';
export const version = 'v1alpha1';
export const apiVersion = `${group}/${version}`;

/** An int or a percentage string such as "25%" (apps/v1 IntOrString). */
export type IntOrPercent = number | string;

export interface RollingUpdateDaemonSet {
  readonly maxUnavailable?: IntOrPercent;
  readonly maxSurge?: IntOrPercent;
  /**
   * Extension (OpenKruise semantics, docs/rollout-control.md): that many of the nodes the update
   * may touch keep the old revision — the last ones in the rollout's node order (node name).
   */
  readonly partition?: number;
  /** Extension: only nodes matching this selector are updated (a canary by node pool). */
  readonly selector?: LabelSelector;
}

export interface DaemonSetUpdateStrategy {
  readonly type?: 'RollingUpdate' | 'OnDelete';
  readonly rollingUpdate?: RollingUpdateDaemonSet;
}

/**
 * Rollout control, not in apps/v1 (docs/rollout-control.md). MyDeployment has paused and
 * progressDeadlineSeconds from apps/v1 and takes only autoRollback from here.
 */
export interface RolloutControlSpec {
  /** No pod is replaced because of a template change while true; creations follow the kind's rule. */
  readonly paused?: boolean;
  /** Unset: no deadline. Seconds without progress before Progressing turns False/ProgressDeadlineExceeded. */
  readonly progressDeadlineSeconds?: number;
  /** On ProgressDeadlineExceeded, bring every pod back to status.stableRevision without writing the spec. */
  readonly autoRollback?: boolean;
}

/**
 * An automatic rollback in force (docs/rollout-control.md): while `generation` equals
 * metadata.generation the controller runs `revision` instead of the spec's template.
 */
export interface AutomaticRollback {
  /** The generation whose rollout failed; a new generation ends the rollback. */
  readonly generation: number;
  /** Name of the ControllerRevision (MyDaemonSet, MyStatefulSet) or MyReplicaSet rolled back to. */
  readonly revision: string;
  /** Its revision number when the rollback started. */
  readonly revisionNumber: number;
  /** The revision of the template that failed. */
  readonly failedRevision: string;
  readonly failedRevisionNumber: number;
}

/** Rollout-control status, not in apps/v1. */
export interface RolloutControlStatus {
  /**
   * The last revision whose rollout completed with every pod updated and available: the target of
   * an automatic rollback. Name of a ControllerRevision, or of a MyReplicaSet for MyDeployments.
   */
  readonly stableRevision?: string;
  readonly rollback?: AutomaticRollback;
}

/**
 * apps/v1 DeploymentCondition: a WorkloadCondition with lastUpdateTime. MyDaemonSet and
 * MyStatefulSet conditions carry lastUpdateTime too (an extension): the progress deadline is
 * measured from Progressing's.
 */
export interface DeploymentCondition extends WorkloadCondition {
  readonly lastUpdateTime?: string;
}
export type RolloutCondition = DeploymentCondition;

export interface MyDaemonSetSpec extends RolloutControlSpec {
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
  readonly updateStrategy?: DaemonSetUpdateStrategy;
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
}

export interface MyDaemonSetStatus extends RolloutControlStatus {
  readonly currentNumberScheduled?: number;
  readonly numberMisscheduled?: number;
  readonly desiredNumberScheduled?: number;
  readonly numberReady?: number;
  readonly observedGeneration?: number;
  readonly updatedNumberScheduled?: number;
  readonly numberAvailable?: number;
  readonly numberUnavailable?: number;
  readonly collisionCount?: number;
  readonly conditions?: readonly RolloutCondition[];
}

export interface MyDaemonSet extends KubeObject {
  readonly spec: MyDaemonSetSpec;
  readonly status?: MyDaemonSetStatus;
}

export interface RollingUpdateStatefulSetStrategy {
  readonly partition?: number;
  readonly maxUnavailable?: IntOrPercent;
}

export interface StatefulSetUpdateStrategy {
  readonly type?: 'RollingUpdate' | 'OnDelete';
  readonly rollingUpdate?: RollingUpdateStatefulSetStrategy;
}

export type PersistentVolumeClaimRetentionPolicyType = 'Retain' | 'Delete';

export interface StatefulSetPersistentVolumeClaimRetentionPolicy {
  readonly whenDeleted?: PersistentVolumeClaimRetentionPolicyType;
  readonly whenScaled?: PersistentVolumeClaimRetentionPolicyType;
}

export interface MyStatefulSetSpec extends RolloutControlSpec {
  readonly replicas?: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
  readonly volumeClaimTemplates?: readonly PersistentVolumeClaim[];
  readonly serviceName?: string;
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
  readonly updateStrategy?: StatefulSetUpdateStrategy;
  readonly revisionHistoryLimit?: number;
  readonly minReadySeconds?: number;
  readonly persistentVolumeClaimRetentionPolicy?: StatefulSetPersistentVolumeClaimRetentionPolicy;
  readonly ordinals?: { readonly start?: number };
}

export interface MyStatefulSetStatus extends RolloutControlStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly readyReplicas?: number;
  readonly currentReplicas?: number;
  readonly updatedReplicas?: number;
  readonly currentRevision?: string;
  readonly updateRevision?: string;
  readonly collisionCount?: number;
  readonly conditions?: readonly RolloutCondition[];
  readonly availableReplicas?: number;
  /** Serialized label selector, for the scale subresource (HPA). */
  readonly selector?: string;
  /**
   * Extension (not in apps/v1): growth of each claim template's storage request (docs/volume-growth.md).
   * Absent until a claim template has grown; KEP-4650 proposes a similar per-template status.
   */
  readonly volumeClaimTemplates?: readonly VolumeClaimTemplateStatus[];
}

/** Progress of one claim template's storage growth across the set's existing claims. */
export interface VolumeClaimTemplateStatus {
  /** The claim template's `metadata.name`. */
  readonly name: string;
  /** The template's `spec.resources.requests.storage` the claims are being grown to. */
  readonly requestedStorage: string;
  /** Claims whose `spec.resources.requests.storage` is at least `requestedStorage`. */
  readonly updatedClaims: number;
  /** Claims whose `status.capacity.storage` is at least `requestedStorage`. */
  readonly resizedClaims: number;
}

export interface MyStatefulSet extends KubeObject {
  readonly spec: MyStatefulSetSpec;
  readonly status?: MyStatefulSetStatus;
}

export interface MyReplicaSetSpec {
  readonly replicas?: number;
  readonly minReadySeconds?: number;
  readonly selector: LabelSelector;
  readonly template?: PodTemplateSpec;
}

export interface MyReplicaSetStatus {
  readonly replicas?: number;
  readonly fullyLabeledReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  /** upstream gate DeploymentReplicaSetTerminatingReplicas (beta, on in 1.36). */
  readonly terminatingReplicas?: number;
  readonly observedGeneration?: number;
  readonly conditions?: readonly WorkloadCondition[];
  /** Serialized label selector, for the scale subresource (HPA); not in apps/v1 status. */
  readonly selector?: string;
}

export interface MyReplicaSet extends KubeObject {
  readonly spec: MyReplicaSetSpec;
  readonly status?: MyReplicaSetStatus;
}

export interface RollingUpdateDeployment {
  readonly maxUnavailable?: IntOrPercent;
  readonly maxSurge?: IntOrPercent;
}

export interface DeploymentStrategy {
  readonly type?: 'RollingUpdate' | 'Recreate';
  readonly rollingUpdate?: RollingUpdateDeployment;
}

export interface MyDeploymentSpec {
  readonly replicas?: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
  readonly strategy?: DeploymentStrategy;
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
  readonly paused?: boolean;
  readonly progressDeadlineSeconds?: number;
  /** Extension: RolloutControlSpec.autoRollback. */
  readonly autoRollback?: boolean;
}

export interface MyDeploymentStatus extends RolloutControlStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly unavailableReplicas?: number;
  readonly terminatingReplicas?: number;
  readonly conditions?: readonly DeploymentCondition[];
  readonly collisionCount?: number;
  /** Serialized label selector, for the scale subresource (HPA); not in apps/v1 status. */
  readonly selector?: string;
}

export interface MyDeployment extends KubeObject {
  readonly spec: MyDeploymentSpec;
  readonly status?: MyDeploymentStatus;
}

export const myDaemonSetKind = 'MyDaemonSet';
export const myStatefulSetKind = 'MyStatefulSet';
export const myDeploymentKind = 'MyDeployment';
export const myReplicaSetKind = 'MyReplicaSet';

export const myDaemonSets = resource<MyDaemonSet>(group, version, 'mydaemonsets', myDaemonSetKind, true);
export const myStatefulSets = resource<MyStatefulSet>(group, version, 'mystatefulsets', myStatefulSetKind, true);
export const myDeployments = resource<MyDeployment>(group, version, 'mydeployments', myDeploymentKind, true);
export const myReplicaSets = resource<MyReplicaSet>(group, version, 'myreplicasets', myReplicaSetKind, true);
