// Builders for the MyDeployment util tests: a Deployment and its ReplicaSets in wire shape.
import type { PodTemplateSpec } from '../../src/api/core.ts';
import type { DeploymentStrategy, MyDeployment, MyDeploymentStatus, MyReplicaSet, MyReplicaSetStatus } from '../../src/api/workloads.ts';

export const t0 = Date.parse('2026-01-01T00:00:00Z');

export function template(image = 'nginx:1', labels: Record<string, string> = { app: 'web' }): PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } };
}

export interface DeploymentOptions {
  readonly name?: string;
  readonly replicas?: number;
  readonly strategy?: DeploymentStrategy;
  readonly image?: string;
  readonly annotations?: Record<string, string>;
  readonly generation?: number;
  readonly status?: MyDeploymentStatus;
  readonly progressDeadlineSeconds?: number;
  readonly revisionHistoryLimit?: number;
  readonly minReadySeconds?: number;
}

export function deployment(o: DeploymentOptions = {}): MyDeployment {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDeployment',
    metadata: {
      name: o.name ?? 'web',
      namespace: 'default',
      uid: 'd-uid',
      generation: o.generation ?? 1,
      ...(o.annotations === undefined ? {} : { annotations: o.annotations }),
    },
    spec: {
      ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image),
      ...(o.strategy === undefined ? {} : { strategy: o.strategy }),
      ...(o.progressDeadlineSeconds === undefined ? {} : { progressDeadlineSeconds: o.progressDeadlineSeconds }),
      ...(o.revisionHistoryLimit === undefined ? {} : { revisionHistoryLimit: o.revisionHistoryLimit }),
      ...(o.minReadySeconds === undefined ? {} : { minReadySeconds: o.minReadySeconds }),
    },
    ...(o.status === undefined ? {} : { status: o.status }),
  };
}

export interface ReplicaSetOptions {
  readonly replicas?: number;
  readonly image?: string;
  /** Seconds after t0. */
  readonly created?: number;
  readonly revision?: string;
  readonly annotations?: Record<string, string>;
  readonly status?: MyReplicaSetStatus;
  readonly generation?: number;
  readonly deleting?: boolean;
  readonly uid?: string;
}

export function replicaSet(name: string, o: ReplicaSetOptions = {}): MyReplicaSet {
  const annotations = { ...(o.revision === undefined ? {} : { 'deployment.kubernetes.io/revision': o.revision }), ...o.annotations };
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: o.uid ?? `${name}-uid`,
      creationTimestamp: new Date(t0 + (o.created ?? 0) * 1000).toISOString(),
      generation: o.generation ?? 1,
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
      ...(o.deleting === true ? { deletionTimestamp: new Date(t0).toISOString() } : {}),
    },
    spec: {
      ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image),
    },
    ...(o.status === undefined ? {} : { status: o.status }),
  };
}

export function names(rss: readonly MyReplicaSet[]): string[] {
  return rss.map((rs) => rs.metadata.name ?? '');
}
