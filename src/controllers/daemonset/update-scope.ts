// Which nodes a RollingUpdate may move to the current revision: the canary extensions
// `rollingUpdate.selector` and `rollingUpdate.partition` (docs/rollout-control.md), and when such a
// rollout is complete. Pure.
// OpenKruise Advanced DaemonSet semantics (kruise pkg/controller/daemonset/daemonset_update.go
// filterDaemonPodsNodeToUpdate): nodes outside the canary are taken out of the update, so they
// neither get replaced nor count against maxUnavailable/maxSurge; nodes already updated or on
// their way count against the partition, so raising it never rolls a node back. Unlike Kruise,
// the partition counts only the nodes the selector lets the update touch, and the nodes it keeps
// are the last ones by name (the update walks nodes in name order).
import type { Node, Pod } from '../../api/core.ts';
import type { LabelSelector } from '../../api/meta.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { selectorMatches } from '../../api/selector.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import type { NodeToDaemonPods } from './daemon-pods.ts';
import { isPodUpdated } from './daemon-pods.ts';
import { nodeShouldRunDaemonPod } from './node-eligibility.ts';
import { updateStrategyType } from './spec-defaults.ts';

/** The canary settings of a RollingUpdate. */
export interface Canary {
  /** That many of the updatable nodes keep the old revision (≥ 0). */
  readonly partition: number;
  /** Only nodes matching it are updatable; undefined: every node that should run the pod. */
  readonly selector: LabelSelector | undefined;
}

/**
 * `rollingUpdate.partition` and `.selector`; undefined for OnDelete (they apply only to
 * RollingUpdate) or when neither is set, which is apps/v1 behaviour.
 */
export function rollingUpdateCanary(ds: MyDaemonSet): Canary | undefined {
  if (updateStrategyType(ds) !== 'RollingUpdate') return undefined;
  const rollingUpdate = ds.spec.updateStrategy?.rollingUpdate;
  const partition = Math.max(0, Math.floor(rollingUpdate?.partition ?? 0));
  const selector = rollingUpdate?.selector ?? undefined;
  if (partition === 0 && selector === undefined) return undefined;
  return { partition, selector };
}

/** Where a node stands in the update, from its live pods (pods being deleted left out). */
export type NodeUpdateState =
  /** Exactly one pod, of the current revision. */
  | 'updated'
  /** Exactly one pod, of another revision. */
  | 'old'
  /** On its way: no live pod (manage creates one from the current template), old and new together, or excess pods. */
  | 'inFlight';

export function nodeUpdateState(podsOnNode: readonly Pod[] | undefined, hash: string): NodeUpdateState {
  let updated = 0;
  let old = 0;
  for (const pod of podsOnNode ?? []) {
    if (isBeingDeleted(pod)) continue;
    if (isPodUpdated(pod, hash)) updated++;
    else old++;
  }
  if (updated === 1 && old === 0) return 'updated';
  if (updated === 0 && old === 1) return 'old';
  return 'inFlight';
}

export interface UpdateScope {
  /** Nodes that should run the pod and match the canary selector, in the order given. */
  readonly updatable: readonly string[];
  /** max(0, updatable − partition): how many updatable nodes may hold the current revision. */
  readonly maxUpdated: number;
  /** Updatable nodes in state 'updated'. */
  readonly updated: number;
  /** Updatable nodes in state 'inFlight'. */
  readonly inFlight: number;
  /**
   * Nodes that should run the pod but that the rolling update leaves alone this sync: outside the
   * selector, or holding an old pod beyond what the partition allows. Empty without a canary.
   */
  readonly held: ReadonlySet<string>;
}

/**
 * The rolling update's scope. `nodes` in node-name order (as plan() passes them): the old nodes
 * the partition lets through are the first ones, so the last `partition` are kept. `canary`
 * undefined: every node that should run the pod is updatable (apps/v1).
 */
export function updateScope(
  ds: MyDaemonSet,
  canary: Canary | undefined,
  nodes: readonly Node[],
  byNode: NodeToDaemonPods,
  hash: string,
): UpdateScope {
  const held = new Set<string>();
  const updatable: string[] = [];
  const old: string[] = [];
  let updated = 0;
  let inFlight = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    const name = node.metadata.name ?? '';
    if (canary?.selector !== undefined && !selectorMatches(canary.selector, node.metadata.labels)) {
      held.add(name);
      continue;
    }
    updatable.push(name);
    const state = nodeUpdateState(byNode.get(name), hash);
    if (state === 'updated') updated++;
    else if (state === 'inFlight') inFlight++;
    else old.push(name);
  }
  const maxUpdated = Math.max(0, updatable.length - (canary?.partition ?? 0));
  // Nodes updated or being updated already use the quota, whatever their place in the order.
  const quota = Math.max(0, maxUpdated - updated - inFlight);
  for (const name of old.slice(quota)) held.add(name);
  return { updatable, maxUpdated, updated, inFlight, held };
}

/**
 * The rollout of the current revision is complete: every pod available, no updatable node on its
 * way, and as many updatable nodes updated as the partition allows (all of them without one).
 */
export function rolloutComplete(scope: UpdateScope, numberAvailable: number, desiredNumberScheduled: number): boolean {
  return numberAvailable === desiredNumberScheduled && scope.inFlight === 0 && scope.updated >= scope.maxUpdated;
}
