// CPU seconds each process of the bench cluster spends inside a step, from /proc: where the time
// of an unthrottled create goes when every component shares the machine's cores. A controller's
// create run ends when the API server, etcd, the scheduler and kwok have done their part for the
// last pod; on the 2-core bench machine the API server keeps one core busy and the wall time of a
// create followed the CPU seconds of all the other processes (docs/performance.md). The processes
// are kwokctl's, found and checked as kcm-process.ts does.
import { componentPid } from './kcm-process.ts';
import { readProcUsage } from './operator-process.ts';

/** kwokctl's components: the names of their pid files and of the binaries it runs (<cluster>/bin/). */
export const clusterComponents = ['kube-apiserver', 'etcd', 'kube-scheduler', 'kwok-controller', 'kube-controller-manager'] as const;

/** Cumulative (or, from cpuDelta, windowed) CPU seconds by process name. */
export type CpuSeconds = Readonly<Record<string, number>>;

/** The pid of each component whose pid file names a process of this cluster. */
export function componentPids(kwokClusterDir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of clusterComponents) {
    const pid = componentPid(kwokClusterDir, name);
    if (pid !== undefined) out.set(name, pid);
  }
  return out;
}

/**
 * Cumulative CPU seconds of each process now, and of this one as `bench` (its pod and status
 * watches run beside the controllers); a process that is gone is left out.
 */
export function cpuNow(pids: ReadonlyMap<string, number>): CpuSeconds {
  const self = process.cpuUsage();
  const out: Record<string, number> = { bench: (self.user + self.system) / 1e6 };
  for (const [name, pid] of pids) {
    const usage = readProcUsage(pid);
    if (usage) out[name] = usage.cpuSeconds;
  }
  return out;
}

/** CPU seconds spent between two readings, for the processes in both; rounded to 10 ms (the tick). Pure. */
export function cpuDelta(before: CpuSeconds, after: CpuSeconds): CpuSeconds {
  const out: Record<string, number> = {};
  for (const [name, end] of Object.entries(after)) {
    const start = before[name];
    if (start !== undefined) out[name] = Math.round((end - start) * 100) / 100;
  }
  return out;
}

/** Sum of a reading's seconds. Pure. */
export function cpuTotal(cpu: CpuSeconds): number {
  return Object.values(cpu).reduce((a, b) => a + b, 0);
}
