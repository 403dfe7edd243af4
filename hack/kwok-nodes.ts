// The shape of the fake nodes the local cluster runs on, shared by hack/cluster.ts, the e2e
// helpers that add nodes of their own, and the benchmark's raw loop. Kept apart from
// hack/cluster.ts because importing that module fixes the cluster name from MWO_CLUSTER_NAME.
import type { Node } from '../src/api/core.ts';

/** Worker names as `npm run cluster:up` creates them: kwok-node-0000, kwok-node-0001, … */
export function workerName(i: number): string {
  return `kwok-node-${String(i).padStart(4, '0')}`;
}

/**
 * A node kwok takes over (its `kwok.x-k8s.io/node: fake` annotation) with the labels a kubelet
 * sets and the allocatable of a large real machine, so scheduling never runs out of room.
 */
export function kwokNode(name: string, labels: Readonly<Record<string, string>>, spec: NonNullable<Node['spec']> = {}): Node {
  const resources = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
        ...labels,
      },
      // ttl: the value kube-controller-manager's TTL controller gives the nodes of a small cluster.
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec,
    status: { allocatable: { ...resources }, capacity: { ...resources } },
  };
}

/** Zones the workers are spread over, round-robin, so topology-aware behaviour has something to see. */
export const zones: readonly string[] = ['zone-a', 'zone-b', 'zone-c'];

/**
 * The nodes of a test cluster, as hack/cluster.ts's local control plane has them and
 * hack/kwok-setup.ts gives a kind cluster: `control-plane`, tainted NoSchedule like a kubeadm control
 * plane, and `count` workers spread over the zones.
 */
export function clusterNodes(count: number): Node[] {
  const controlPlane = kwokNode(
    'control-plane',
    { 'node-role.kubernetes.io/control-plane': '', 'topology.kubernetes.io/zone': zones[0] ?? 'zone-a' },
    { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
  );
  const workers = Array.from({ length: count }, (_, i) =>
    kwokNode(workerName(i), { 'node-role.kubernetes.io/worker': '', 'topology.kubernetes.io/zone': zones[i % zones.length] ?? 'zone-a' }),
  );
  return [controlPlane, ...workers];
}

/** Whether a process with this PID exists (signal 0 probes without delivering anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
