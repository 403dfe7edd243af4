// MyDaemonSet and MyStatefulSet (apps.my.dev/v1alpha1): spec and status mirror apps/v1 field for
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

export const myDaemonSets = resource<MyDaemonSet>(group, version, 'mydaemonsets', 'MyDaemonSet', true);
export const myStatefulSets = resource<MyStatefulSet>(group, version, 'mystatefulsets', 'MyStatefulSet', true);
