// bench/results/scaling.svg: how the DaemonSet create time and the memory with every node and pod
// cached grow with the node count, built-in beside ours. Unthrottled runs only: at QPS 20 the
// create time is the rate limit's (N / 20 s) on both sides and says nothing about scaling. Pure.
import type { RunResult } from './result.ts';
import { lineChart } from './line-svg.ts';

export const scalingColors = { builtin: '#8c8c8c', ours: '#2b6cb0', rawUnbound: '#38a169', kcm: '#dd6b20' } as const;

/** The unthrottled runs, one per node count (the first given wins: pass the newest first), by node count. */
export function scalingRuns(runs: readonly RunResult[]): RunResult[] {
  const byNodes = new Map<number, RunResult>();
  for (const r of runs) if (r.qps === 0 && !byNodes.has(r.nodes)) byNodes.set(r.nodes, r);
  return [...byNodes.values()].sort((a, b) => a.nodes - b.nodes);
}

const toMiB = (bytes: number | undefined): number | undefined => (bytes === undefined ? undefined : bytes / 2 ** 20);

export function scalingChart(runs: readonly RunResult[]): string {
  const picked = scalingRuns(runs);
  const dsCreate = picked.map((r) => r.scenarios.find((s) => s.name === 'ds-create'));
  return lineChart({
    title: 'Scaling with the node count (unthrottled runs)',
    xTitle: 'nodes (= DaemonSet pods)',
    xLabels: picked.map((r) => String(r.nodes)),
    panels: [
      {
        title: 'DaemonSet create → all Ready (shorter is better)',
        unit: 's',
        scale: 'log',
        series: [
          { name: 'built-in', color: scalingColors.builtin, values: dsCreate.map((s) => s?.builtin?.wallSeconds) },
          { name: 'ours', color: scalingColors.ours, values: dsCreate.map((s) => s?.ours?.wallSeconds) },
          { name: 'unbound raw loop', color: scalingColors.rawUnbound, values: dsCreate.map((s) => s?.rawUnbound?.wallSeconds) },
        ],
      },
      {
        title: 'RSS with N nodes and N pods cached (smaller is better)',
        unit: 'MiB',
        series: [
          { name: 'kube-controller-manager', color: scalingColors.kcm, values: picked.map((r) => toMiB(r.kubeControllerManager?.rssCachedBytes)) },
          { name: 'ours', color: scalingColors.ours, values: picked.map((r) => toMiB(r.operator.rssCachedBytes)) },
        ],
      },
    ],
  });
}
