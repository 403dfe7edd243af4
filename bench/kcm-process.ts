// The bench cluster's processes: kube-controller-manager for its RSS beside the operator's, every
// component for its CPU (cluster-cpu.ts). kwokctl's binary runtime records each component's pid in
// <cluster>/pids/<name>.pid (test/e2e/support/control-plane.ts reads the same file); a pid is
// trusted only while its command line is that component's binary naming this cluster's folder,
// since another cluster (the demo's, the tests') runs the same binaries. Without the file,
// kube-controller-manager is looked for in /proc with that same test.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readProcUsage } from './operator-process.ts';

export interface ProcessLine {
  readonly pid: number;
  readonly argv: readonly string[];
}

const binaryName = 'kube-controller-manager';

/** Whether `argv` runs `component` (kwokctl names its binaries after them) for the cluster kept in `clusterDir`. Pure. */
export function isClusterComponent(argv: readonly string[], component: string, clusterDir: string): boolean {
  const [binary, ...args] = argv;
  return binary !== undefined && path.basename(binary) === component && args.some((a) => a.includes(clusterDir));
}

/** Whether `argv` runs kube-controller-manager for the cluster kept in `clusterDir`. Pure. */
export function isClusterControllerManager(argv: readonly string[], clusterDir: string): boolean {
  return isClusterComponent(argv, binaryName, clusterDir);
}

/** The one process that is this cluster's kube-controller-manager; undefined when none or several are. Pure. */
export function pickControllerManager(processes: readonly ProcessLine[], clusterDir: string): number | undefined {
  const matches = processes.filter((p) => isClusterControllerManager(p.argv, clusterDir));
  return matches.length === 1 ? matches[0]?.pid : undefined;
}

function argvOf(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return text.split('\0').filter((a) => a !== '');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

function scanProc(): ProcessLine[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // no /proc: not Linux
  }
  const out: ProcessLine[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const argv = argvOf(pid);
    if (argv) out.push({ pid, argv });
  }
  return out;
}

/** The pid in kwokctl's pid file of `component`, if that process runs it for this cluster now. */
export function componentPid(kwokClusterDir: string, component: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(kwokClusterDir, 'pids', `${component}.pid`), 'utf8').trim());
    const argv = pid > 0 ? argvOf(pid) : undefined;
    return argv && isClusterComponent(argv, component, kwokClusterDir) ? pid : undefined;
  } catch {
    return undefined; // no pid file
  }
}

/** The pid of kube-controller-manager of the kwokctl cluster in `kwokClusterDir`. */
export function controllerManagerPid(kwokClusterDir: string): number | undefined {
  return componentPid(kwokClusterDir, binaryName) ?? pickControllerManager(scanProc(), kwokClusterDir);
}

/** kube-controller-manager's VmRSS now, in bytes; undefined when the process cannot be found or read. */
export function controllerManagerRssBytes(kwokClusterDir: string): number | undefined {
  const pid = controllerManagerPid(kwokClusterDir);
  const rss = pid === undefined ? undefined : readProcUsage(pid)?.rssBytes;
  // 0: the status had no VmRSS line (a process exiting), not a measurement.
  return rss === 0 ? undefined : rss;
}
