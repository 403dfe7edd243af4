// The workloads the scenarios run, built once and sent to both sides: an apps/v1 object for the
// built-in controller and the same object with apiVersion/kind changed for ours.
import type { Pod } from '../src/api/core.ts';
import type { Resource } from '../src/api/resources.ts';
import { resource } from '../src/api/resources.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../src/api/workloads.ts';
import { apiVersion as myApiVersion, myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../src/api/workloads.ts';
import { replaceDaemonSetPodNodeNameNodeAffinity, withDaemonTolerations } from '../src/controllers/daemonset/pod-template.ts';
import type { PodCounts } from './pod-watch.ts';

export type Side = 'builtin' | 'ours';

// apps/v1 has the same wire shape as our kinds (that is the point of the project).
const daemonSets = resource<MyDaemonSet>('apps', 'v1', 'daemonsets', 'DaemonSet', true);
const statefulSets = resource<MyStatefulSet>('apps', 'v1', 'statefulsets', 'StatefulSet', true);
// src/api/resources.ts has no apps/v1 Deployment or ReplicaSet: nothing but the benchmark talks to them.
const deployments = resource<MyDeployment>('apps', 'v1', 'deployments', 'Deployment', true);
const replicaSets = resource<MyReplicaSet>('apps', 'v1', 'replicasets', 'ReplicaSet', true);

export function daemonSetResource(side: Side): Resource<MyDaemonSet> {
  return side === 'builtin' ? daemonSets : myDaemonSets;
}

export function statefulSetResource(side: Side): Resource<MyStatefulSet> {
  return side === 'builtin' ? statefulSets : myStatefulSets;
}

export function deploymentResource(side: Side): Resource<MyDeployment> {
  return side === 'builtin' ? deployments : myDeployments;
}

/** The ReplicaSets a Deployment of that side owns (apps/v1 ReplicaSet or MyReplicaSet). */
export function replicaSetResource(side: Side): Resource<MyReplicaSet> {
  return side === 'builtin' ? replicaSets : myReplicaSets;
}

/** kwok makes any image Ready at once unless its name contains "notready" or "crash". */
export const imageV1 = 'registry.example/bench/app:v1';
export const imageV2 = 'registry.example/bench/app:v2';

function typeMeta(side: Side, kind: 'DaemonSet' | 'StatefulSet' | 'Deployment'): { apiVersion: string; kind: string } {
  return side === 'builtin' ? { apiVersion: 'apps/v1', kind } : { apiVersion: myApiVersion, kind: `My${kind}` };
}

const podSpec = (image: string): Pod['spec'] => ({
  containers: [{ name: 'app', image }],
  terminationGracePeriodSeconds: 30,
});

/** clusterloader2's DaemonSet rollout setting: maxUnavailable = max(10, nodes / 20). */
export function daemonSetMaxUnavailable(nodes: number): number {
  return Math.max(10, Math.floor(nodes / 20));
}

export function daemonSetManifest(side: Side, namespace: string, name: string, nodes: number): MyDaemonSet {
  const labels = { app: name };
  return {
    ...typeMeta(side, 'DaemonSet'),
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: daemonSetMaxUnavailable(nodes), maxSurge: 0 } },
      template: { metadata: { labels }, spec: podSpec(imageV1) },
    },
  };
}

export function statefulSetManifest(
  side: Side,
  namespace: string,
  name: string,
  podManagementPolicy: 'Parallel' | 'OrderedReady',
  replicas: number,
): MyStatefulSet {
  const labels = { app: name };
  return {
    ...typeMeta(side, 'StatefulSet'),
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      serviceName: name,
      podManagementPolicy,
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate' },
      template: { metadata: { labels }, spec: podSpec(imageV1) },
    },
  };
}

/**
 * apps/v1's RollingUpdate defaults, written out so that neither side's defaulting decides them:
 * a rollout of R runs at most R + 25 % pods and keeps at least R − 25 % available.
 */
export const deploymentRollingUpdate = { maxSurge: '25%', maxUnavailable: '25%' } as const;

export function deploymentManifest(side: Side, namespace: string, name: string, replicas: number): MyDeployment {
  const labels = { app: name };
  return {
    ...typeMeta(side, 'Deployment'),
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: deploymentRollingUpdate },
      template: { metadata: { labels }, spec: podSpec(imageV1) },
    },
  };
}

/** The image rollout every kind gets: a merge patch of the pod template's containers. */
export function imagePatch(image: string): unknown {
  return { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } };
}

/** A pod bound to `nodeName` by the client itself (no scheduler): the raw-limit loop's pod. */
export function boundPod(namespace: string, name: string, nodeName: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench-raw' } },
    spec: { ...podSpec(imageV1), nodeName },
  };
}

/** A pod the scheduler places anywhere: the unbound raw loop's pod for the StatefulSet and Deployment scenarios. */
export function unboundPod(namespace: string, name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench-raw' } },
    spec: podSpec(imageV1),
  };
}

/**
 * A pod shaped as a daemon pod for `nodeName` (the DaemonSet scenario's unbound raw loop): the
 * default daemon tolerations and a required node affinity on `metadata.name`, left for the
 * scheduler to bind. Built by the operator's own helpers, so it is the shape our daemon pods get
 * (and kube-controller-manager's: the same rules).
 */
export function daemonShapedPod(namespace: string, name: string, nodeName: string): Pod {
  const spec = withDaemonTolerations(podSpec(imageV1));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench-raw' } },
    spec: { ...spec, affinity: replaceDaemonSetPodNodeNameNodeAffinity(spec.affinity, nodeName) },
  };
}

/** How a raw loop's pods reach a node: bound by the client, or by the scheduler (daemon-shaped or plain). */
export type RawPlacement = 'bound' | 'daemon' | 'unbound';

export function rawPod(placement: RawPlacement, namespace: string, name: string, nodeName: string): Pod {
  if (placement === 'bound') return boundPod(namespace, name, nodeName);
  return placement === 'daemon' ? daemonShapedPod(namespace, name, nodeName) : unboundPod(namespace, name);
}

/** The Ready count a DaemonSet's status reports (0 while absent: counts of 0 are omitted from the wire). */
export function daemonSetStatusReady(ds: MyDaemonSet): number {
  return ds.status?.numberReady ?? 0;
}

/** The Ready count a StatefulSet's or a Deployment's status reports. */
export function statusReadyReplicas(obj: MyStatefulSet | MyDeployment): number {
  return obj.status?.readyReplicas ?? 0;
}

/** True once the DaemonSet's status reports every pod scheduled, updated and available. */
export function daemonSetSettled(ds: MyDaemonSet, desired: number): boolean {
  const s = ds.status;
  return (
    (s?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0) &&
    s?.desiredNumberScheduled === desired &&
    s.currentNumberScheduled === desired &&
    s.numberReady === desired &&
    s.updatedNumberScheduled === desired &&
    s.numberAvailable === desired &&
    (s.numberUnavailable ?? 0) === 0
  );
}

/**
 * True when the namespace holds exactly `replicas` pods, all Ready on `image`, none terminating:
 * the watch-side end of a create or a rollout (a rollout is not over while an old pod remains).
 */
export function exactlyReady(counts: PodCounts, replicas: number, image: string): boolean {
  return counts.total === replicas && (counts.readyByImage.get(image) ?? 0) === replicas;
}

/**
 * kubectl rollout status's "successfully rolled out" (src/api/rollout-status.ts
 * deploymentRolloutStatus), pinned to `replicas`: the spec asks for them, the controller has seen
 * the latest spec, and every replica it counts is updated and available.
 */
export function deploymentSettled(d: MyDeployment, replicas: number): boolean {
  const s = d.status;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (d.spec.replicas ?? 1) === replicas &&
    // Counts of 0 are omitted from the wire.
    (s?.replicas ?? 0) === replicas &&
    (s?.updatedReplicas ?? 0) === replicas &&
    (s?.availableReplicas ?? 0) === replicas
  );
}

export function statefulSetSettled(sts: MyStatefulSet, replicas: number): boolean {
  const s = sts.status;
  return (
    (s?.observedGeneration ?? 0) >= (sts.metadata.generation ?? 0) &&
    // Counts of 0 are omitted from the wire.
    (s?.replicas ?? 0) === replicas &&
    (s?.readyReplicas ?? 0) === replicas &&
    (s?.updatedReplicas ?? 0) === replicas &&
    (s?.availableReplicas ?? 0) === replicas &&
    s?.currentRevision === s?.updateRevision
  );
}
