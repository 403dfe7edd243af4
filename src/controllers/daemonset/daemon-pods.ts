// Daemon pods grouped by node and ordered the way every decision reads them. Pure.
// upstream: pkg/controller/daemon/daemon_controller.go (getNodesToDaemonPods,
// podByCreationTimestampAndPhase, getUnscheduledPodsWithoutNode), util/daemonset_util.go IsPodUpdated.
import type { Node, Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { controllerRevisionHashLabel } from '../history/revisions.ts';
import { isPodTerminal } from '../shared/pod-state.ts';
import { nodeNameOfPod } from './pod-template.ts';

/** Pods per node name, each list in podByCreationTimestampAndPhase order. */
export type NodeToDaemonPods = ReadonlyMap<string, readonly Pod[]>;

export type TerminalDeletedPods =
  /** Manage, rolling update and status: a terminal pod being deleted is already gone for them. */
  | 'exclude'
  /** History cleanup: such a pod still keeps its revision alive. */
  | 'include';

/**
 * Groups pods by the node they belong to (nodeNameOfPod); pods without one are left out. Map keys
 * are in ascending node-name order (upstream walks a Go map: unspecified order).
 */
export function nodeToDaemonPods(pods: readonly Pod[], terminalDeleted: TerminalDeletedPods): NodeToDaemonPods {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (terminalDeleted === 'exclude' && isPodTerminal(pod) && isBeingDeleted(pod)) continue;
    const nodeName = nodeNameOfPod(pod);
    if (nodeName === undefined) continue;
    const list = byNode.get(nodeName) ?? [];
    list.push(pod);
    byNode.set(nodeName, list);
  }
  const sorted = new Map<string, readonly Pod[]>();
  for (const name of [...byNode.keys()].sort(compareNames)) {
    sorted.set(name, [...(byNode.get(name) ?? [])].sort(podByCreationTimestampAndPhase));
  }
  return sorted;
}

/** Plain code-unit order, as Go compares strings. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function creationTime(pod: Pod): number {
  const parsed = Date.parse(pod.metadata.creationTimestamp ?? '');
  // A zero time sorts before any real one.
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

/** Bound (spec.nodeName set) first, then oldest first, then by name. */
export function podByCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const aBound = (a.spec.nodeName ?? '') !== '';
  const bBound = (b.spec.nodeName ?? '') !== '';
  if (aBound !== bBound) return aBound ? -1 : 1;
  const aTime = creationTime(a);
  const bTime = creationTime(b);
  if (aTime === bTime) return compareNames(a.metadata.name ?? '', b.metadata.name ?? '');
  return aTime < bTime ? -1 : 1;
}

/** The pod carries the current revision's hash. */
export function isPodUpdated(pod: Pod, hash: string): boolean {
  return hash !== '' && pod.metadata.labels?.[controllerRevisionHashLabel] === hash;
}

/**
 * Unbound pods meant for a node that no longer exists: the scheduler will never place them and
 * pod GC ignores unbound pods, so the controller deletes them. Terminating ones are included, as
 * upstream does.
 */
export function getUnscheduledPodsWithoutNode(nodes: readonly Node[], byNode: NodeToDaemonPods): readonly Pod[] {
  const existing = new Set(nodes.map((node) => node.metadata.name ?? ''));
  const out: Pod[] = [];
  for (const [nodeName, pods] of byNode) {
    if (existing.has(nodeName)) continue;
    out.push(...pods.filter((pod) => (pod.spec.nodeName ?? '') === ''));
  }
  return out;
}
