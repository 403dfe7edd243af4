// The JSON one benchmark run writes (bench/results/<date>-<nodes>-<qps>.json) and report.ts reads.
import type { MemoryLimitReport } from './memory-limit.ts';
import type { SideResult } from './measure.ts';
import type { RawResult } from './raw-limit.ts';
import type { ScenarioName } from './scenarios.ts';

export interface ScenarioResult {
  readonly name: ScenarioName;
  readonly title: string;
  /** Pods the scenario creates (or removes). */
  readonly pods: number;
  readonly builtin?: SideResult;
  readonly ours?: SideResult;
  /** The raw-limit loop for the same number of pods (create scenarios): the fastest of the rounds. */
  readonly raw?: RawResult;
  /** The same loop with pods the scheduler binds (daemon-shaped for the DaemonSet); absent in older runs. */
  readonly rawUnbound?: RawResult;
  /** Every round when there were several; `builtin`/`ours` above are the median rounds by wall time. */
  readonly rounds?: { readonly builtin: readonly SideResult[]; readonly ours: readonly SideResult[] };
}

/** The workload kinds a run can cover (`--kinds`), each a chain of scenarios (bench/scenarios.ts). */
export type Kind = 'ds' | 'sts' | 'deploy';

export interface OperatorStart {
  readonly kind: Kind;
  /** Spawn to the first /readyz 200 (all informers listed and synced). */
  readonly cacheSyncMs: number;
  readonly rssAtReadyBytes: number | undefined;
}

export interface RunResult {
  readonly schema: 1;
  /** ISO time the run started. */
  readonly date: string;
  readonly smoke: boolean;
  readonly nodes: number;
  /** Client QPS of both sides; 0 = unlimited (kube-controller-manager at 10000/10000). */
  readonly qps: number;
  readonly burst: number;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly kernel: string;
    /** 1-minute load average when the run started and ended: the machine is shared. */
    readonly loadAverage: { readonly start: number; readonly end: number };
  };
  readonly versions: Readonly<Record<string, string>>;
  readonly controlPlane: {
    readonly kubeControllerManagerFlags: readonly string[];
    readonly kubeSchedulerFlags: readonly string[];
    readonly staleControllerConsistencyDaemonSet: boolean;
    readonly staleControllerConsistencyStatefulSet: boolean;
    /** Runs before the Deployment scenarios did not set it (kube-controller-manager's default: on). */
    readonly staleControllerConsistencyReplicaSet?: boolean;
  };
  /** Rounds per side. */
  readonly repeat?: number;
  readonly counts: {
    readonly daemonSetPods: number;
    readonly maxUnavailable: number;
    readonly statefulSetParallel: number;
    readonly statefulSetOrdered: number;
    /** Replicas of the Deployment scenarios; absent in runs before them. */
    readonly deploymentReplicas?: number;
  };
  readonly operator: {
    readonly starts: readonly OperatorStart[];
    /** RSS with every node and the DaemonSet's pods cached (right after "DaemonSet create"). */
    readonly rssCachedBytes?: number;
    /** The container memory limit the operator ran under (bench/memory-limit.ts); absent in older runs. */
    readonly memoryLimit?: MemoryLimitReport;
  };
  /** kube-controller-manager at the same moment of the built-in side; absent in older runs. */
  readonly kubeControllerManager?: {
    /** VmRSS right after the built-in "DaemonSet create" settled (every node and DaemonSet pod in its informers). */
    readonly rssCachedBytes?: number;
  };
  readonly scenarios: readonly ScenarioResult[];
  /** Steps that failed outright (not timeouts), with the error. */
  readonly errors: readonly string[];
}

export function resultFileName(run: Pick<RunResult, 'date' | 'nodes' | 'qps' | 'smoke'>): string {
  return `${run.date.slice(0, 10)}-${run.nodes}-${run.qps}${run.smoke ? '-smoke' : ''}.json`;
}
