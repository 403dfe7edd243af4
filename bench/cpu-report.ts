// The "where the CPU went" table of a run (report.ts): for each step that recorded it, the CPU
// seconds every process spent from the write to the end condition, and how many of the machine's
// cores that kept busy on average. Unthrottled, a create run is bounded by the cores: what the
// controller spends is taken from the API server, etcd, the scheduler and kwok.
import type { CpuSeconds } from './cluster-cpu.ts';
import { cpuTotal } from './cluster-cpu.ts';
import type { RunResult } from './result.ts';

const columns: readonly { readonly key: string; readonly title: string }[] = [
  { key: 'kube-apiserver', title: 'kube-apiserver' },
  { key: 'etcd', title: 'etcd' },
  { key: 'kube-scheduler', title: 'kube-scheduler' },
  { key: 'kwok-controller', title: 'kwok' },
  { key: 'kube-controller-manager', title: 'kube-controller-manager' },
  { key: 'operator', title: 'operator / raw loop' },
  { key: 'bench', title: 'bench watches' },
];

interface Line {
  readonly scenario: string;
  readonly side: string;
  readonly wallSeconds: number | undefined;
  readonly cpu: CpuSeconds;
}

function linesOf(r: Pick<RunResult, 'scenarios'>): Line[] {
  const out: Line[] = [];
  for (const s of r.scenarios) {
    const add = (side: string, x: { readonly wallSeconds: number | undefined; readonly cpuToEnd?: CpuSeconds } | undefined): void => {
      if (x?.cpuToEnd) out.push({ scenario: s.name, side, wallSeconds: x.wallSeconds, cpu: x.cpuToEnd });
    };
    add('built-in', s.builtin);
    add('ours', s.ours);
    add('raw unbound', s.rawUnbound);
    add('raw', s.raw);
  }
  return out;
}

const seconds = (n: number | undefined): string => (n === undefined ? '' : n.toFixed(2));

/** The table's lines (heading sentence included), or none when no step of the run recorded CPU. Pure. */
export function cpuTable(r: Pick<RunResult, 'scenarios' | 'machine'>): string[] {
  const lines = linesOf(r);
  if (lines.length === 0) return [];
  const out = [
    `CPU seconds from the write to the end condition, by process (/proc), and the cores they kept busy on average (total / wall; the machine has ${r.machine.cpus}):`,
    '',
    `| scenario | side | wall s | ${columns.map((c) => c.title).join(' | ')} | total | cores busy |`,
    `|---|---|---:|${columns.map(() => '---:').join('|')}|---:|---:|`,
  ];
  for (const l of lines) {
    // The raw loop stands where the controller does.
    const { loop, ...rest } = l.cpu;
    const cpu: CpuSeconds = loop === undefined ? rest : { ...rest, operator: loop };
    const total = cpuTotal(cpu);
    const busy = l.wallSeconds && l.wallSeconds > 0 ? (total / l.wallSeconds).toFixed(2) : '';
    out.push(`| ${l.scenario} | ${l.side} | ${seconds(l.wallSeconds)} | ${columns.map((c) => seconds(cpu[c.key])).join(' | ')} | ${total.toFixed(2)} | ${busy} |`);
  }
  return out;
}
