// The table `kubectl rollout history` prints for every kind (upstream: kubectl
// pkg/polymorphichelpers/history.go, ViewHistory and tabbedString). Pure.
import type { PodTemplateSpec } from '../api/core.ts';

export interface HistoryEntry {
  readonly revision: bigint;
  /** The `kubernetes.io/change-cause` annotation; `<none>` is printed when absent or empty. */
  readonly changeCause: string | undefined;
}

/** A revision as `kubectl rollout history` shows it: a table row, or its template with --revision. */
export interface HistoryRevision extends HistoryEntry {
  readonly template: PodTemplateSpec | undefined;
}

/** kubectl's tabwriter: a column is as wide as its widest cell plus two spaces; the last is not padded. */
const padding = 2;

/**
 * REVISION / CHANGE-CAUSE rows in ascending revision order, or kubectl's one line when there is no
 * revision at all.
 */
export function historyTable(entries: readonly HistoryEntry[]): string[] {
  if (entries.length === 0) return ['No rollout history found.'];
  const sorted = [...entries].sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0));
  const width = Math.max('REVISION'.length, ...sorted.map((e) => String(e.revision).length)) + padding;
  return [
    `${'REVISION'.padEnd(width)}CHANGE-CAUSE`,
    ...sorted.map((e) => `${String(e.revision).padEnd(width)}${e.changeCause || '<none>'}`),
  ];
}
