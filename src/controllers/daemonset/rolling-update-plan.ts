// Which old pods to replace this sync under the RollingUpdate strategy. Pure.
// upstream: pkg/controller/daemon/update.go rollingUpdate, findUpdatedPodsOnNode.
//
// Walks every node that should run the pod or holds one, in node-name order (upstream: Go map
// order, unspecified). Budgets are consumed in that order. Nodes the canary holds back
// (update-scope.ts) are left out, as OpenKruise's Advanced DaemonSet leaves them out: never
// replaced, and not counted against maxUnavailable or maxSurge (the surge path still counts their
// available pods, which only decide when pods on nodes that may no longer run one can go).
// Assumptions (as upstream): manage keeps at most one pod per node (one old + one new with surge),
// creates missing pods and removes failed ones; pods being deleted don't count as unavailable, so
// an update progresses while nodes are down.
import type { Node, Pod } from '../../api/core.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import { isPodAvailable } from '../shared/pod-state.ts';
import type { NodeToDaemonPods } from './daemon-pods.ts';
import { compareNames, isPodUpdated } from './daemon-pods.ts';
import { nodeShouldRunDaemonPod } from './node-eligibility.ts';
import { rollingUpdateLimits } from './rolling-update.ts';
import { minReadySeconds } from './spec-defaults.ts';
import type { PodToDelete } from './sync-nodes.ts';

export type UpdatedPodsOnNode =
  /** At most one new and one old pod (not counting pods being deleted). */
  | { readonly kind: 'pods'; readonly newPod: Pod | undefined; readonly oldPod: Pod | undefined }
  /** More than one of either: manage prunes them first. */
  | { readonly kind: 'excess' };

/** upstream: findUpdatedPodsOnNode. */
export function findUpdatedPodsOnNode(podsOnNode: readonly Pod[], hash: string): UpdatedPodsOnNode {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of podsOnNode) {
    if (isBeingDeleted(pod)) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod !== undefined) return { kind: 'excess' };
      newPod = pod;
    } else {
      if (oldPod !== undefined) return { kind: 'excess' };
      oldPod = pod;
    }
  }
  return { kind: 'pods', newPod, oldPod };
}

export type RollingUpdatePlan =
  | {
      readonly kind: 'replace';
      readonly podsToDelete: readonly PodToDelete[];
      readonly nodesNeedingDaemonPods: readonly string[];
    }
  /** upstream returns an error and does nothing (invalid limits, a node that vanished while surging). */
  | { readonly kind: 'error'; readonly message: string };

interface UpdateContext {
  readonly ds: MyDaemonSet;
  readonly nodesByName: ReadonlyMap<string, Node>;
  /** Every node holding pods, plus every shouldRun node (with no pods). */
  readonly candidates: ReadonlyMap<string, readonly Pod[]>;
  /** shouldRun nodes the update leaves alone (UpdateScope.held). */
  readonly held: ReadonlySet<string>;
  readonly desiredNumberScheduled: number;
  readonly hash: string;
  readonly now: number;
}

/**
 * upstream: rollingUpdate. `byNode` excludes terminal pods being deleted; `held` are the nodes the
 * canary keeps out of the update (empty without one).
 */
export function rollingUpdate(
  ds: MyDaemonSet,
  nodes: readonly Node[],
  byNode: NodeToDaemonPods,
  hash: string,
  now: number,
  held: ReadonlySet<string> = new Set(),
): RollingUpdatePlan {
  const candidates = new Map<string, readonly Pod[]>(byNode);
  let desiredNumberScheduled = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desiredNumberScheduled++;
    const name = node.metadata.name ?? '';
    if (!candidates.has(name)) candidates.set(name, []);
  }
  const limits = rollingUpdateLimits(ds, desiredNumberScheduled);
  if (limits.kind === 'invalid') return { kind: 'error', message: `couldn't get unavailable numbers: ${limits.message}` };
  const context: UpdateContext = {
    ds,
    nodesByName: new Map(nodes.map((node) => [node.metadata.name ?? '', node])),
    candidates: new Map([...candidates].sort(([a], [b]) => compareNames(a, b))),
    held,
    desiredNumberScheduled,
    hash,
    now,
  };
  return limits.maxSurge === 0
    ? replaceWithinUnavailability(context, limits.maxUnavailable)
    : replaceBySurge(context, limits.maxSurge);
}

/**
 * maxSurge 0: only deletes; manage recreates each deleted pod from the new template. A node counts
 * as unavailable when it has no live pod, an old and a new one, excess pods, or an unavailable new
 * pod. Unavailable old pods are deleted at once (and count as unavailable); available old pods are
 * candidates while the running count is below maxUnavailable, and the first
 * `maxUnavailable − unavailable` of them go.
 */
function replaceWithinUnavailability(context: UpdateContext, maxUnavailable: number): RollingUpdatePlan {
  const { ds, hash, now } = context;
  let numUnavailable = 0;
  const allowedReplacementPods: Pod[] = [];
  const candidatePodsToDelete: Pod[] = [];
  for (const [nodeName, pods] of context.candidates) {
    if (context.held.has(nodeName)) continue;
    const found = findUpdatedPodsOnNode(pods, hash);
    if (found.kind === 'excess') {
      numUnavailable++;
      continue;
    }
    const { newPod, oldPod } = found;
    if ((newPod === undefined) === (oldPod === undefined)) {
      // Nothing, or old and new together: manage is still working on this node.
      numUnavailable++;
    } else if (newPod !== undefined) {
      if (!isPodAvailable(newPod, minReadySeconds(ds), now)) numUnavailable++;
    } else if (oldPod !== undefined) {
      if (!isPodAvailable(oldPod, minReadySeconds(ds), now)) {
        allowedReplacementPods.push(oldPod);
        numUnavailable++;
      } else if (numUnavailable < maxUnavailable) {
        candidatePodsToDelete.push(oldPod);
      }
    }
  }
  const remainingUnavailable = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidatePodsToDelete.length);
  const podsToDelete = [...allowedReplacementPods, ...candidatePodsToDelete.slice(0, remainingUnavailable)].map(
    (pod): PodToDelete => ({ pod, reason: 'outdated' }),
  );
  return { kind: 'replace', podsToDelete, nodesNeedingDaemonPods: [] };
}

/**
 * maxSurge > 0 (maxUnavailable unused): a node whose only pod is old and unavailable gets a new pod
 * at once (if it may no longer run the pod, the old pod is deleted instead); an available old pod
 * gets a new pod beside it while `maxSurge − (nodes with an unavailable new pod or excess pods)`
 * allows, and goes once the new pod is available. Available old pods on nodes that may no longer
 * run the pod are deleted only while more pods are available than desired.
 */
function replaceBySurge(context: UpdateContext, maxSurge: number): RollingUpdatePlan {
  const { ds, hash, now } = context;
  const available = (pod: Pod): boolean => isPodAvailable(pod, minReadySeconds(ds), now);
  const podsToDelete: PodToDelete[] = [];
  const shouldNotRunPodsToDelete: Pod[] = [];
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [nodeName, pods] of context.candidates) {
    const found = findUpdatedPodsOnNode(pods, hash);
    if (found.kind === 'excess') {
      if (!context.held.has(nodeName)) numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    // Availability counts every node, the ones being sunset and the ones held back included.
    const counted = oldPod ?? newPod;
    if (counted !== undefined && available(counted)) numAvailable++;

    if (oldPod === undefined || context.held.has(nodeName)) continue;
    if (newPod === undefined) {
      const node = context.nodesByName.get(nodeName);
      if (node === undefined) return { kind: 'error', message: `couldn't get node for nodeName "${nodeName}"` };
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      if (!available(oldPod)) {
        if (shouldRun) allowedNewNodes.push(nodeName);
        else podsToDelete.push({ pod: oldPod, reason: 'nodeNotEligible' });
      } else if (!shouldRun) {
        shouldNotRunPodsToDelete.push(oldPod);
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    // Already surged here: wait for the new pod, then retire the old one.
    if (!available(newPod)) numSurge++;
    else podsToDelete.push({ pod: oldPod, reason: 'replacedBySurgePod' });
  }

  // With surge the owner expects full availability: when placement moves from node A to node B, A's
  // pod goes only once B's is available.
  const deletable = Math.min(Math.max(numAvailable - context.desiredNumberScheduled, 0), shouldNotRunPodsToDelete.length);
  podsToDelete.push(...shouldNotRunPodsToDelete.slice(0, deletable).map((pod): PodToDelete => ({ pod, reason: 'nodeNotEligible' })));

  const remainingSurge = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
  return { kind: 'replace', podsToDelete, nodesNeedingDaemonPods: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)] };
}
