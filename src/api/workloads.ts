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
}

export interface DaemonSetUpdateStrategy {
  readonly type?: 'RollingUpdate' | 'OnDelete';
  readonly rollingUpdate?: RollingUpdateDaemonSet;
}

export interface MyDaemonSetSpec {
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
  readonly updateStrategy?: DaemonSetUpdateStrategy;
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
}

export interface MyDaemonSetStatus {
  readonly currentNumberScheduled?: number;
  readonly numberMisscheduled?: number;
  readonly desiredNumberScheduled?: number;
  readonly numberReady?: number;
  readonly observedGeneration?: number;
  readonly updatedNumberScheduled?: number;
  readonly numberAvailable?: number;
  readonly numberUnavailable?: number;
  readonly collisionCount?: number;
  readonly conditions?: readonly WorkloadCondition[];
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

export interface MyStatefulSetSpec {
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

export interface MyStatefulSetStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly readyReplicas?: number;
  readonly currentReplicas?: number;
  readonly updatedReplicas?: number;
  readonly currentRevision?: string;
  readonly updateRevision?: string;
  readonly collisionCount?: number;
  readonly conditions?: readonly WorkloadCondition[];
  readonly availableReplicas?: number;
  /** Serialized label selector, for the scale subresource (HPA). */
  readonly selector?: string;
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
}

/** apps/v1 DeploymentCondition: a WorkloadCondition with lastUpdateTime. */
export interface DeploymentCondition extends WorkloadCondition {
  readonly lastUpdateTime?: string;
}

export interface MyDeploymentStatus {
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
