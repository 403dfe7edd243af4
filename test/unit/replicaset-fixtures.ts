// Builders for the MyReplicaSet tests: plain wire objects, no fakes.
import type { Pod, PodPhase, PodTemplateSpec } from '../../src/api/core.ts';
import type { OwnerReference } from '../../src/api/meta.ts';
import type { MyReplicaSet, MyReplicaSetSpec, MyReplicaSetStatus } from '../../src/api/workloads.ts';
import type { ReplicaSetSnapshot } from '../../src/controllers/replicaset/plan.ts';
import { replicaSetOwner } from '../../src/controllers/replicaset/spec-defaults.ts';
import { controllerRef } from '../../src/controllers/shared/ownership.ts';

export const t0 = Date.parse('2026-01-01T00:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export const appLabels = { app: 'web' };

export function template(image = 'web:1', labels: Record<string, string> = appLabels): PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: 'web', image }] } };
}

export interface ReplicaSetOptions {
  readonly name?: string;
  readonly uid?: string;
  readonly spec?: Partial<MyReplicaSetSpec>;
  readonly status?: MyReplicaSetStatus;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
  /** A controller reference (a MyDeployment's) for the set. */
  readonly controller?: OwnerReference;
  readonly resourceVersion?: string;
}

export function replicaSet(options: ReplicaSetOptions = {}): MyReplicaSet {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyReplicaSet',
    metadata: {
      name: options.name ?? 'web',
      namespace: 'ns',
      uid: options.uid ?? 'rs-uid',
      generation: options.generation ?? 1,
      ...(options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion }),
      ...(options.deletionTimestamp === undefined ? {} : { deletionTimestamp: options.deletionTimestamp }),
      ...(options.controller === undefined ? {} : { ownerReferences: [options.controller] }),
    },
    spec: { replicas: 3, selector: { matchLabels: appLabels }, template: template(), ...options.spec },
    ...(options.status === undefined ? {} : { status: options.status }),
  };
}

/** A MyDeployment's controller reference, for sibling sets. */
export function deploymentRef(uid = 'deploy-uid'): OwnerReference {
  return { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: 'web', uid, controller: true, blockOwnerDeletion: true };
}

export interface PodOptions {
  readonly node?: string;
  readonly phase?: PodPhase;
  /** Ready True since this time (ms). */
  readonly readySince?: number;
  /** Ready False (the pod has a Ready condition, not True). */
  readonly notReady?: boolean;
  readonly created?: number;
  readonly labels?: Record<string, string>;
  /** The controlling set; `null` for an orphan. Default: replicaSet(). */
  readonly owner?: MyReplicaSet | null;
  readonly deletionTimestamp?: string;
  readonly annotations?: Record<string, string>;
  readonly uid?: string;
  readonly namespace?: string;
  /** status fields beyond phase and conditions (containerStatuses …). */
  readonly status?: Record<string, unknown>;
  readonly initContainers?: Pod['spec']['initContainers'];
}

export function pod(name: string, options: PodOptions = {}): Pod {
  const owner = options.owner === undefined ? replicaSet() : options.owner;
  const conditions =
    options.readySince !== undefined
      ? [{ type: 'Ready', status: 'True' as const, lastTransitionTime: iso(options.readySince) }]
      : options.notReady === true
        ? [{ type: 'Ready', status: 'False' as const }]
        : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: options.namespace ?? 'ns',
      uid: options.uid ?? `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: iso(options.created ?? t0 - 3_600_000),
      labels: options.labels ?? appLabels,
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
      ...(options.deletionTimestamp === undefined ? {} : { deletionTimestamp: options.deletionTimestamp }),
      ...(owner === null ? {} : { ownerReferences: [controllerRef(replicaSetOwner(owner))] }),
    },
    spec: {
      containers: [{ name: 'web', image: 'web:1' }],
      ...(options.node === undefined ? {} : { nodeName: options.node }),
      ...(options.initContainers === undefined ? {} : { initContainers: options.initContainers }),
    },
    status: {
      phase: options.phase ?? 'Running',
      ...(conditions === undefined ? {} : { conditions }),
      ...options.status,
    },
  };
}

/** `count` Running, Ready pods p1…pN on node n1. */
export function readyPods(count: number, owner: MyReplicaSet = replicaSet()): Pod[] {
  return Array.from({ length: count }, (_, i) => pod(`p${i + 1}`, { node: 'n1', readySince: t0 - 600_000, owner }));
}

export function snapshot(overrides: Partial<ReplicaSetSnapshot> = {}): ReplicaSetSnapshot {
  return { rs: replicaSet(), activePods: [], terminatingPods: [], relatedPods: [], expectationsSatisfied: true, ...overrides };
}
