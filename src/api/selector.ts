// Label selectors: matching (metav1.LabelSelectorAsSelector semantics) and the string form the
// API accepts in `labelSelector=` queries and the scale subresource's status.selector.
import type { LabelSelector } from './meta.ts';

/**
 * True when `labels` satisfy every matchLabels entry and every matchExpressions requirement.
 * An empty selector matches everything, as in apps/v1 (which validation then forbids).
 */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, req.key);
    const value = have[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!present || value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (present && value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        // An unknown operator matches nothing (upstream fails to convert the selector).
        return false;
    }
  }
  return true;
}

/** True for a selector that selects everything (`{}`), which the controllers refuse to act on. */
export function selectorIsEmpty(selector: LabelSelector | undefined): boolean {
  return (
    selector === undefined ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
  );
}

/**
 * The selector in the query-string syntax: `a=b,c in (d,e),!f`. Requirements are ordered by key
 * (byte order), matchLabels and matchExpressions alike, as upstream's internalSelector.Add sorts
 * them (apimachinery labels/selector.go); values inside `in (…)` are sorted too.
 */
export function selectorToString(selector: LabelSelector): string {
  const parts: { readonly key: string; readonly text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) parts.push({ key, text: `${key}=${value}` });
  for (const req of selector.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort().join(',');
    const text = requirementText(req.operator, req.key, values);
    if (text !== undefined) parts.push({ key: req.key, text });
  }
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.text)
    .join(',');
}

function requirementText(operator: string, key: string, values: string): string | undefined {
  switch (operator) {
    case 'In':
      return `${key} in (${values})`;
    case 'NotIn':
      return `${key} notin (${values})`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    default:
      return undefined;
  }
}
