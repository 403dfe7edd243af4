// Whether a node should run (or keep running) the MyDaemonSet's pod. Pure.
// upstream: pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod, predicates, NewPod.
import type { Node, PodSpec, Taint } from '../../api/core.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import { requiredNodeAffinityMatches } from '../shared/node-affinity.ts';
import { findMatchingUntoleratedTaint } from '../shared/tolerations.ts';
import { withDaemonTolerations } from './pod-template.ts';

export interface NodeEligibility {
  /** A pod should be created here if there is none. */
  readonly shouldRun: boolean;
  /** An existing pod may stay (a NoSchedule taint keeps new pods off, not running ones). */
  readonly shouldContinueRunning: boolean;
}

const ineligible: NodeEligibility = { shouldRun: false, shouldContinueRunning: false };

const blocksScheduling = (taint: Taint): boolean => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
const evicts = (taint: Taint): boolean => taint.effect === 'NoExecute';

/**
 * Evaluates the template as the pod it would create: the template's nodeName, nodeSelector and
 * required node affinity must match; then the node's NoSchedule/NoExecute taints must be tolerated
 * by the template's tolerations plus the default daemon tolerations. An untolerated NoSchedule
 * taint only stops new pods; an untolerated NoExecute one also evicts. PreferNoSchedule,
 * tolerationSeconds, node conditions and resources play no part (conditions act through the
 * taints the node lifecycle controller sets).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: MyDaemonSet): NodeEligibility {
  const templateSpec = ds.spec.template.spec;
  let byNode = eligibilityCache.get(templateSpec);
  if (byNode === undefined) {
    byNode = new WeakMap();
    eligibilityCache.set(templateSpec, byNode);
  }
  const cached = byNode.get(node);
  if (cached !== undefined) return cached;
  const eligibility = evaluate(node, templateSpec);
  byNode.set(node, eligibility);
  return eligibility;
}

/**
 * Results per template spec and node object. Every sync asks for every node several times (status
 * counts, manage, update scope, rolling update) and most syncs see the same cached objects; the
 * informer replaces an object on every change rather than editing it, and so does a new
 * MyDaemonSet generation, so object identity is the key (and entries go with the objects).
 */
const eligibilityCache = new WeakMap<PodSpec, WeakMap<Node, NodeEligibility>>();

function evaluate(node: Node, templateSpec: PodSpec): NodeEligibility {
  const nodeName = node.metadata.name ?? '';
  if ((templateSpec.nodeName ?? '') !== '' && templateSpec.nodeName !== nodeName) return ineligible;
  const spec = withDaemonTolerations(templateSpec);
  if (!requiredNodeAffinityMatches(spec, node)) return ineligible;
  const taints = node.spec?.taints ?? [];
  const tolerations = spec.tolerations ?? [];
  if (findMatchingUntoleratedTaint(taints, tolerations, blocksScheduling) === undefined) {
    return { shouldRun: true, shouldContinueRunning: true };
  }
  return { shouldRun: false, shouldContinueRunning: findMatchingUntoleratedTaint(taints, tolerations, evicts) === undefined };
}
