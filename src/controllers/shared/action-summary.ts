// How many actions of each kind a plan holds, for the reconcile's debug log line.

export function countByKind(actions: readonly { readonly kind: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { kind } of actions) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}
