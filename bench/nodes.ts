// Worker node names as hack/cluster.ts creates them, without importing it (importing it fixes the
// cluster name from MWO_CLUSTER_NAME at load time; the raw loop does not need that).
export function workerNodeName(i: number): string {
  return `kwok-node-${String(i).padStart(4, '0')}`;
}
