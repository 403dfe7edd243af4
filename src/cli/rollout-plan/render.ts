// How `kubectl my rollout plan` prints a plan: a table (kubectl's tabwriter layout), or the plan
// itself as JSON or YAML (`-o json`, `-o yaml`, indented as kubectl indents them). Pure.
import { stringify } from 'yaml';
import type { PlanStep, RolloutPlan } from './rollout-plan.ts';
import { reasonText } from './rollout-plan.ts';

export type OutputFormat = 'table' | 'json' | 'yaml';

export function renderPlan(plan: RolloutPlan, format: OutputFormat): string[] {
  switch (format) {
    case 'json':
      return [JSON.stringify(plan, null, 4)];
    case 'yaml':
      return [stringify(plan).trimEnd()];
    case 'table':
      return planTable(plan);
  }
}

/**
 * `STEP  REPLACE` with the pods of a step comma-separated (MyDaemonSet, MyStatefulSet), or `STEP`
 * and one column per MyReplicaSet (MyDeployment); with no step, the line saying so.
 */
export function planTable(plan: RolloutPlan): string[] {
  if (plan.steps.length === 0) return [plan.reason === undefined ? 'no pod would be replaced' : `no pod would be replaced: ${reasonText(plan.reason)}`];
  const names = replicaSetNames(plan.steps);
  const header = names.length === 0 ? ['STEP', 'REPLACE'] : ['STEP', ...names];
  const rows = plan.steps.map((step, i) => [String(i + 1), ...('replace' in step ? [step.replace.join(',')] : names.map((n) => String(step.replicaSets[n] ?? 0)))]);
  return tabular([header, ...rows]);
}

/** The MyReplicaSets the steps size, in the order the first step lists them. */
function replicaSetNames(steps: readonly PlanStep[]): string[] {
  const names = new Set<string>();
  for (const step of steps) if ('replicaSets' in step) for (const name of Object.keys(step.replicaSets)) names.add(name);
  return [...names];
}

/** kubectl's tabwriter: a column is as wide as its widest cell plus two spaces; the last is not padded. */
function tabular(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length + 2)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join(''));
}
