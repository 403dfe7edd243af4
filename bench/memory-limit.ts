// The operator's container memory limit, as deploy/manifests/operator.yaml ships it, applied to the
// bench's operator process through a memory cgroup of its own.
//
// Why it matters for the figures: Node sizes V8's heap from the memory it may use
// (uv_get_constrained_memory: the cgroup limit in a pod, else the machine's RAM). Under the shipped
// 512Mi V8's heap limit is ~260 MiB; on this 24 GiB machine it is ~4 GiB, and V8 lets the old
// generation grow far more between major collections the larger that limit is. A bench that ran
// the operator without the limit would report memory no installed operator uses.
//
// A cgroup needs root and a writable memory controller (cgroup v1's `memory` hierarchy, or v2 with
// `memory` in the parent's subtree_control). Where there is none the operator runs without a
// limit and the report says so: nothing pretends the limit was there.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** deploy/manifests/operator.yaml's operator container `resources.limits.memory`, in bytes. */
export function shippedMemoryLimitBytes(root: string): number | undefined {
  const file = path.join(root, 'deploy', 'manifests', 'operator.yaml');
  if (!existsSync(file)) return undefined;
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const obj = doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: { resources?: { limits?: { memory?: string } } }[] } } } } | null;
    if (obj?.kind !== 'Deployment') continue;
    const memory = obj.spec?.template?.spec?.containers?.[0]?.resources?.limits?.memory;
    if (memory !== undefined) return parseBinaryQuantity(String(memory));
  }
  return undefined;
}

const suffixes: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 };

/** "512Mi" → 536870912; the suffixes a memory limit is written with. */
export function parseBinaryQuantity(quantity: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity.trim());
  if (!m?.[1]) return undefined;
  return Math.round(Number(m[1]) * (suffixes[m[2] ?? ''] ?? 1));
}

/** A memory cgroup made for one process: write its pid to `procsFile`; `remove` when it exited. */
export interface MemoryCgroup {
  readonly procsFile: string;
  readonly version: 'v1' | 'v2';
  remove(): void;
}

/** How the limit was applied, for the report. */
export interface MemoryLimitReport {
  readonly bytes: number;
  /** `cgroup v1`/`cgroup v2`, or why none could be made. */
  readonly appliedBy?: string;
  readonly notApplied?: string;
}

/**
 * A child of this process's own memory cgroup limited to `bytes`, or a reason why none can be made.
 * `name` must be unique among live cgroups (the bench uses its pid and a counter).
 */
export function createMemoryCgroup(name: string, bytes: number): MemoryCgroup | { readonly reason: string } {
  let own: string;
  try {
    own = readFileSync('/proc/self/cgroup', 'utf8');
  } catch (err) {
    return { reason: `no /proc/self/cgroup: ${String(err)}` };
  }
  const v1 = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(own)?.[1];
  const attempts: { version: 'v1' | 'v2'; dir: string; limitFile: string }[] = [];
  if (v1 !== undefined) attempts.push({ version: 'v1', dir: path.join('/sys/fs/cgroup/memory', v1, name), limitFile: 'memory.limit_in_bytes' });
  const v2 = /^0::(.*)$/m.exec(own)?.[1];
  if (v2 !== undefined && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    attempts.push({ version: 'v2', dir: path.join('/sys/fs/cgroup', v2, name), limitFile: 'memory.max' });
  }
  const reasons: string[] = [];
  for (const attempt of attempts) {
    try {
      mkdirSync(attempt.dir);
    } catch (err) {
      reasons.push(`cgroup ${attempt.version}: ${String(err)}`);
      continue;
    }
    try {
      writeFileSync(path.join(attempt.dir, attempt.limitFile), String(bytes));
      return {
        procsFile: path.join(attempt.dir, 'cgroup.procs'),
        version: attempt.version,
        remove: () => {
          try {
            rmdirSync(attempt.dir);
          } catch {
            // still has a process (it is being killed) or already gone: the name is unique, so a leftover costs nothing
          }
        },
      };
    } catch (err) {
      reasons.push(`cgroup ${attempt.version}: ${String(err)}`);
      try {
        rmdirSync(attempt.dir);
      } catch {
        // left as it was
      }
    }
  }
  return { reason: reasons.length > 0 ? reasons.join('; ') : 'no memory cgroup controller' };
}

/**
 * The command that runs `command args…` inside the cgroup: a shell that moves itself into it and
 * then execs the command, so the operator keeps the pid the bench spawned (its /proc samples).
 */
export function inCgroup(procsFile: string, command: string, args: readonly string[]): { readonly command: string; readonly args: readonly string[] } {
  return { command: '/bin/sh', args: ['-c', 'echo $$ > "$0" && exec "$@"', procsFile, command, ...args] };
}
