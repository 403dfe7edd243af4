// What the operator keeps of a Node: the DaemonSet controller is its only reader, and it reads
// the name, the labels (nodeSelector, node affinity, canary selectors) and the taints — upstream's
// nodeShouldRunDaemonPod and shouldIgnoreNodeUpdate look at nothing else. A node's status
// (conditions, addresses, capacity, images, nodeInfo) and annotations are most of its bytes and
// change with every heartbeat-driven update; dropping them on ingest keeps 5000 nodes small.
// Safe because nothing here ever writes a Node.
import type { Node } from '../../api/core.ts';

export function nodeForCache(node: Node): Node {
  const { name, uid, resourceVersion, labels, creationTimestamp, deletionTimestamp } = node.metadata;
  const taints = node.spec?.taints;
  const unschedulable = node.spec?.unschedulable;
  return {
    ...(node.apiVersion !== undefined ? { apiVersion: node.apiVersion } : {}),
    ...(node.kind !== undefined ? { kind: node.kind } : {}),
    metadata: {
      ...(name !== undefined ? { name } : {}),
      ...(uid !== undefined ? { uid } : {}),
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      ...(labels !== undefined ? { labels } : {}),
      ...(creationTimestamp !== undefined ? { creationTimestamp } : {}),
      ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}),
    },
    spec: { ...(taints !== undefined ? { taints } : {}), ...(unschedulable !== undefined ? { unschedulable } : {}) },
  };
}
