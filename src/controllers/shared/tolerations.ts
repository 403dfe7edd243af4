// Taints and tolerations as the scheduler helpers evaluate them, for controllers that decide
// placement themselves (DaemonSet). Pure.
// upstream: k8s.io/api/core/v1/toleration.go (ToleratesTaint, MatchToleration),
// k8s.io/component-helpers/scheduling/corev1/helpers.go (FindMatchingUntoleratedTaint),
// pkg/apis/core/v1/helper/helpers.go AddOrUpdateTolerationInPodSpec.
import type { Taint, Toleration } from '../../api/core.ts';

/**
 * Whether one toleration tolerates a taint. An empty effect or key matches any; operator `Exists`
 * matches any value, `Equal` (or empty) needs the same value. `Lt`/`Gt` only match behind the alpha
 * gate TaintTolerationComparisonOperators (off by default in 1.36), so here they never match.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if ((toleration.effect ?? '') !== '' && toleration.effect !== taint.effect) return false;
  if ((toleration.key ?? '') !== '' && toleration.key !== taint.key) return false;
  const operator: string = toleration.operator ?? '';
  switch (operator) {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((toleration) => toleratesTaint(toleration, taint));
}

/** The first taint accepted by `filter` that no toleration tolerates, if any. */
export function findMatchingUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  filter: (taint: Taint) => boolean,
): Taint | undefined {
  return taints.find((taint) => filter(taint) && !tolerationsTolerateTaint(tolerations, taint));
}

/** Same key, effect, operator and value (not tolerationSeconds): the identity AddOrUpdate replaces by. */
export function matchToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') &&
    (a.effect ?? '') === (b.effect ?? '') &&
    (a.operator ?? '') === (b.operator ?? '') &&
    (a.value ?? '') === (b.value ?? '')
  );
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return matchToleration(a, b) && a.tolerationSeconds === b.tolerationSeconds;
}

/**
 * Returns the tolerations with `toleration` added: unchanged when an equal one (tolerationSeconds
 * included) is already there; otherwise every matching one is replaced in place (its
 * tolerationSeconds is lost), or it is appended when none matches. Never mutates the input.
 */
export function addOrUpdateToleration(tolerations: readonly Toleration[], toleration: Toleration): readonly Toleration[] {
  const out: Toleration[] = [];
  let updated = false;
  for (const existing of tolerations) {
    if (matchToleration(toleration, existing)) {
      if (sameToleration(toleration, existing)) return tolerations;
      out.push(toleration);
      updated = true;
      continue;
    }
    out.push(existing);
  }
  if (!updated) out.push(toleration);
  return out;
}
