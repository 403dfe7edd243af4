// Required node affinity as the scheduler helpers match it: the pod's nodeSelector AND any one of
// the required nodeSelectorTerms. Pure.
// upstream: k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go
// (GetRequiredNodeAffinity, LazyErrorNodeSelector, nodeSelectorTerm), apimachinery labels.Requirement.Matches.
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from '../../api/core.ts';
import { isQualifiedName, isValidLabelValue } from '../../api/names.ts';
import { parseInt64 } from './int64.ts';

type Labels = Readonly<Record<string, string>>;

/**
 * `spec.nodeSelector` (exact label equality, no syntax check) and then the required node affinity.
 * Parse errors are ignored as upstream's daemon controller does: a term that fails to parse
 * simply doesn't match.
 */
export function requiredNodeAffinityMatches(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required === undefined || nodeSelectorMatches(required, node);
}

/** The terms are ORed; empty terms (no expressions, no fields) are dropped, so none left = no match. */
export function nodeSelectorMatches(selector: NodeSelector, node: Node): boolean {
  return (selector.nodeSelectorTerms ?? []).some(
    (term) => !isEmptyTerm(term) && nodeSelectorTermMatches(term, node) === 'match',
  );
}

function isEmptyTerm(term: NodeSelectorTerm): boolean {
  return (term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0;
}

export type TermResult = 'match' | 'noMatch' | 'invalid';

/** Expressions (on labels) and fields (only `metadata.name`) are ANDed. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): TermResult {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!expressions.every(isValidExpression) || !fields.every(isValidField)) return 'invalid';
  const labels = node.metadata.labels ?? {};
  if (!expressions.every((req) => expressionMatches(req, labels))) return 'noMatch';
  // upstream: a node without a name has no fields, and then matchFields is skipped.
  const nodeName = node.metadata.name ?? '';
  if (nodeName !== '' && !fields.every((req) => fieldMatches(req, nodeName))) return 'noMatch';
  return 'match';
}

function isValidExpression(req: NodeSelectorRequirement): boolean {
  const values = req.values ?? [];
  if (!isQualifiedName(req.key) || !values.every((value) => isValidLabelValue(value))) return false;
  const operator: string = req.operator;
  switch (operator) {
    case 'In':
    case 'NotIn':
      return values.length > 0;
    case 'Exists':
    case 'DoesNotExist':
      return values.length === 0;
    case 'Gt':
    case 'Lt':
      return values.length === 1 && parseInt64(values[0] ?? '') !== undefined;
    default:
      return false;
  }
}

function expressionMatches(req: NodeSelectorRequirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, req.key);
  const value = labels[req.key] ?? '';
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return present && values.includes(value);
    case 'NotIn':
      return !present || !values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'Gt':
    case 'Lt': {
      if (!present) return false;
      const have = parseInt64(value);
      const want = parseInt64(values[0] ?? '');
      if (have === undefined || want === undefined) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
  }
}

/** Field requirements take exactly one value and only In / NotIn. */
function isValidField(req: NodeSelectorRequirement): boolean {
  return (req.operator === 'In' || req.operator === 'NotIn') && (req.values ?? []).length === 1;
}

function fieldMatches(req: NodeSelectorRequirement, nodeName: string): boolean {
  // The only node field is metadata.name; any other key reads as "".
  const have = req.key === 'metadata.name' ? nodeName : '';
  const want = req.values?.[0] ?? '';
  return req.operator === 'In' ? have === want : have !== want;
}
