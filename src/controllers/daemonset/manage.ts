// Which daemon pods to create and delete, node by node, before any rolling update. Pure.
// upstream: daemon_controller.go manage, podsShouldBeOnNode.
import type { Node, Pod } from '../../api/core.ts';
import { isBeingDeleted, namespacedName } from '../../api/meta.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import { isPodAvailable, isPodReady } from '../shared/pod-state.ts';
import type { DaemonSetAction } from './actions.ts';
import type { NodeToDaemonPods } from './daemon-pods.ts';
import { getUnscheduledPodsWithoutNode, isPodUpdated } from './daemon-pods.ts';
import type { FailedPodBackoff } from './failed-pod-backoff.ts';
import { failedPodsBackoffKey, isInBackoff, nextBackoff } from './failed-pod-backoff.ts';
import { nodeShouldRunDaemonPod } from './node-eligibility.ts';
import { allowsSurge } from './rolling-update.ts';
import { minReadySeconds } from './spec-defaults.ts';
import type { PodToDelete } from './sync-nodes.ts';

export interface NodePlan {
  /** The node needs a new daemon pod. */
  readonly needsDaemonPod: boolean;
  readonly podsToDelete: readonly PodToDelete[];
  /** Events, backoff records and requeues, in the order upstream issues them. */
  readonly sideActions: readonly DaemonSetAction[];
}

export interface NodePods {
  readonly node: Node;
  /** The node's pods (terminal ones being deleted left out), podByCreationTimestampAndPhase order. */
  readonly podsOnNode: readonly Pod[] | undefined;
  /** This node's failed-pod backoff entry, if any. */
  readonly backoff: FailedPodBackoff | undefined;
}

/** upstream's wording, per terminal phase, of the Event about a terminal pod it deletes. */
const terminalPodEvents = {
  Failed: { type: 'Warning', reason: 'FailedDaemonPod', found: 'failed', verb: 'kill' },
  Succeeded: { type: 'Normal', reason: 'SucceededDaemonPod', found: 'succeeded', verb: 'delete' },
} as const;

function terminalPodEvent(phase: keyof typeof terminalPodEvents, pod: Pod, nodeName: string): DaemonSetAction {
  const { type, reason, found, verb } = terminalPodEvents[phase];
  const message = `Found ${found} daemon pod ${namespacedName(pod)} on node ${nodeName}, will try to ${verb} it`;
  return { kind: 'event', type, reason, message };
}

/**
 * upstream: podsShouldBeOnNode.
 * - shouldRun and no pod → create.
 * - shouldContinueRunning → pods being deleted are skipped (yet they keep the node occupied);
 *   Failed ones are deleted one per backoff window (Warning FailedDaemonPod), Succeeded ones
 *   deleted (SucceededDaemonPod); of the rest, keep the first, or with surge the first current and
 *   the first old one, the old one until it is not Ready or the new one is available (while
 *   spec.paused, until the rollout resumes). With surge a node left with no live pod gets a new
 *   one right away.
 * - otherwise every pod not already being deleted goes.
 */
export function podsShouldBeOnNode(ds: MyDaemonSet, { node, podsOnNode, backoff }: NodePods, hash: string, now: number): NodePlan {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const nodeName = node.metadata.name ?? '';
  if (shouldRun && podsOnNode === undefined) return { needsDaemonPod: true, podsToDelete: [], sideActions: [] };
  const pods = podsOnNode ?? [];
  if (!shouldContinueRunning) {
    const podsToDelete = pods.filter((pod) => !isBeingDeleted(pod)).map((pod): PodToDelete => ({ pod, reason: 'nodeNotEligible' }));
    return { needsDaemonPod: false, podsToDelete, sideActions: [] };
  }

  const podsToDelete: PodToDelete[] = [];
  const sideActions: DaemonSetAction[] = [];
  const running: Pod[] = [];
  const backoffKey = failedPodsBackoffKey(ds, nodeName);
  let entry = backoff;
  for (const pod of pods) {
    if (isBeingDeleted(pod)) continue;
    switch (pod.status?.phase) {
      case 'Failed':
        if (entry !== undefined && isInBackoff(entry, now)) {
          sideActions.push({ kind: 'requeueAfter', afterMs: entry.delayMs, reason: 'failedPodBackoff' });
          continue;
        }
        entry = nextBackoff(entry, now);
        sideActions.push({ kind: 'recordFailedBackoff', key: backoffKey, backoff: entry }, terminalPodEvent('Failed', pod, nodeName));
        podsToDelete.push({ pod, reason: 'failedPod' });
        break;
      case 'Succeeded':
        sideActions.push(terminalPodEvent('Succeeded', pod, nodeName));
        podsToDelete.push({ pod, reason: 'succeededPod' });
        break;
      default:
        running.push(pod);
    }
  }

  if (!allowsSurge(ds)) {
    podsToDelete.push(...running.slice(1).map((pod): PodToDelete => ({ pod, reason: 'excessPod' })));
    return { needsDaemonPod: false, podsToDelete, sideActions };
  }
  if (running.length <= 1) {
    // Surging: a node must always have one live pod, even while another terminates.
    return { needsDaemonPod: running.length === 0 && shouldRun, podsToDelete, sideActions };
  }
  // Surging allows one new pod beside one old pod; both are the oldest of their kind.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    if (isPodUpdated(pod, hash)) {
      if (oldestNew === undefined) {
        oldestNew = pod;
        continue;
      }
    } else if (oldestOld === undefined) {
      oldestOld = pod;
      continue;
    }
    podsToDelete.push({ pod, reason: 'excessPod' });
  }
  // While paused, a surge pair is left as it is until the rollout resumes (docs/rollout-control.md:
  // retiring the old pod is the rollout's next step, which a pause stops).
  if (
    ds.spec.paused !== true &&
    oldestNew !== undefined &&
    oldestOld !== undefined &&
    (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReadySeconds(ds), now))
  ) {
    podsToDelete.push({ pod: oldestOld, reason: 'replacedBySurgePod' });
  }
  return { needsDaemonPod: false, podsToDelete, sideActions };
}

export interface ManagePlan {
  readonly nodesNeedingDaemonPods: readonly string[];
  readonly podsToDelete: readonly PodToDelete[];
  readonly sideActions: readonly DaemonSetAction[];
}

/**
 * upstream: manage. podsShouldBeOnNode for each node (in the given order), then the unbound pods of
 * nodes that no longer exist.
 */
export function manage(
  ds: MyDaemonSet,
  nodes: readonly Node[],
  byNode: NodeToDaemonPods,
  failedPodBackoff: ReadonlyMap<string, FailedPodBackoff>,
  hash: string,
  now: number,
): ManagePlan {
  const nodesNeedingDaemonPods: string[] = [];
  const podsToDelete: PodToDelete[] = [];
  const sideActions: DaemonSetAction[] = [];
  for (const node of nodes) {
    const nodeName = node.metadata.name ?? '';
    const nodePods = { node, podsOnNode: byNode.get(nodeName), backoff: failedPodBackoff.get(failedPodsBackoffKey(ds, nodeName)) };
    const plan = podsShouldBeOnNode(ds, nodePods, hash, now);
    if (plan.needsDaemonPod) nodesNeedingDaemonPods.push(nodeName);
    podsToDelete.push(...plan.podsToDelete);
    sideActions.push(...plan.sideActions);
  }
  podsToDelete.push(
    ...getUnscheduledPodsWithoutNode(nodes, byNode).map((pod): PodToDelete => ({ pod, reason: 'nodeMissing' })),
  );
  return { nodesNeedingDaemonPods, podsToDelete, sideActions };
}
