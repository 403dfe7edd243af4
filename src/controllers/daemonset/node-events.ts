// Which node changes wake which MyDaemonSets. Pure; the node event handler calls these.
// upstream: daemon_controller.go shouldIgnoreNodeUpdate, syncNodeUpdate (node add and update both go
// through it; there is no node delete handler — pods of a deleted node go via pod events).
import type { Node } from '../../api/core.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import { canonicalJson } from '../history/go-json.ts';
import { nodeShouldRunDaemonPod } from './node-eligibility.ts';

/** Only label and taint changes can change eligibility (absent and empty are alike). */
export function shouldIgnoreNodeUpdate(oldNode: Node, curNode: Node): boolean {
  return (
    canonicalJson(oldNode.metadata.labels ?? {}) === canonicalJson(curNode.metadata.labels ?? {}) &&
    canonicalJson(oldNode.spec?.taints ?? []) === canonicalJson(curNode.spec?.taints ?? [])
  );
}

/**
 * Whether the MyDaemonSet must sync after `node` was added or changed. `scheduled`: a pod bound to
 * the node (spec.nodeName, as upstream's node-name index) has this MyDaemonSet as controller.
 * Yes when the node now wants a pod it lacks, must lose one it has, or holds one while the status
 * reports misscheduled pods (the node may have become valid again).
 */
export function nodeChangeNeedsSync(node: Node, ds: MyDaemonSet, scheduled: boolean): boolean {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  return (
    (shouldRun && !scheduled) ||
    (!shouldContinueRunning && scheduled) ||
    (scheduled && (ds.status?.numberMisscheduled ?? 0) > 0)
  );
}
