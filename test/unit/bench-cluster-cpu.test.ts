import assert from 'node:assert/strict';
import { cpuDelta, cpuTotal } from '../../bench/cluster-cpu.ts';
import { isClusterComponent } from '../../bench/kcm-process.ts';
import { cpuTable } from '../../bench/cpu-report.ts';
import type { RunResult, ScenarioResult } from '../../bench/result.ts';

const bench = '/repo/.cluster-bench/kwok/clusters/bench';

describe('isClusterComponent (bench/kcm-process.ts)', () => {
  it("is the component's binary with an argument in this cluster's folder", () => {
    assert.equal(isClusterComponent([`${bench}/bin/kwok-controller`, `--config=${bench}/kwok.yaml`], 'kwok-controller', bench), true);
    assert.equal(isClusterComponent(['/cache/bin/etcd', `--data-dir=${bench}/etcd`], 'etcd', bench), true);
  });

  it("is not another cluster's process, nor another component, nor a reused pid's empty command line", () => {
    assert.equal(isClusterComponent(['/cache/bin/etcd', '--data-dir=/repo/.cluster/kwok/clusters/mwo/etcd'], 'etcd', bench), false);
    assert.equal(isClusterComponent(['/cache/bin/kube-scheduler', `--kubeconfig=${bench}/kubeconfig.yaml`], 'etcd', bench), false);
    assert.equal(isClusterComponent([], 'etcd', bench), false);
  });
});

describe('cpuDelta and cpuTotal (bench/cluster-cpu.ts)', () => {
  it('takes the seconds spent between two readings, to the 10 ms tick, for processes in both', () => {
    const delta = cpuDelta({ etcd: 10.5, 'kube-apiserver': 20, gone: 3 }, { etcd: 11.73, 'kube-apiserver': 24.004, started: 1 });
    assert.deepEqual(delta, { etcd: 1.23, 'kube-apiserver': 4 });
    assert.equal(cpuTotal(delta), 5.23);
  });
});

describe('cpuTable (bench/cpu-report.ts)', () => {
  const machine: RunResult['machine'] = { cpus: 2, cpuModel: 'cpu', memoryGiB: 8, kernel: '6', loadAverage: { start: 1, end: 1 } };
  const side = (wallSeconds: number, cpuToEnd?: Record<string, number>) => ({ wallSeconds, ...(cpuToEnd ? { cpuToEnd } : {}) });

  it('has no lines when no step recorded CPU (older runs)', () => {
    const s = { name: 'ds-create', title: 't', pods: 10, builtin: side(1) } as unknown as ScenarioResult;
    assert.deepEqual(cpuTable({ scenarios: [s], machine }), []);
  });

  it('shows each side and the raw loop in the controller column, with the cores kept busy', () => {
    const s = {
      name: 'ds-create',
      title: 't',
      pods: 10,
      builtin: side(10, { 'kube-apiserver': 8, etcd: 2, 'kube-controller-manager': 4, bench: 1 }),
      ours: side(8, { 'kube-apiserver': 7, etcd: 2, operator: 3, 'kube-controller-manager': 1, bench: 1 }),
      rawUnbound: { pods: 10, wallSeconds: 5, podsPerSecond: 2, createSeconds: 3, concurrency: 64, errors: 0, cpuToEnd: { 'kube-apiserver': 6, loop: 1.5 } },
    } as unknown as ScenarioResult;
    const lines = cpuTable({ scenarios: [s], machine });
    assert.match(lines[0] ?? '', /the machine has 2/);
    const rows = lines.slice(4);
    assert.equal(rows.length, 3);
    assert.equal(rows[0], '| ds-create | built-in | 10.00 | 8.00 | 2.00 |  |  | 4.00 |  | 1.00 | 15.00 | 1.50 |');
    assert.equal(rows[1], '| ds-create | ours | 8.00 | 7.00 | 2.00 |  |  | 1.00 | 3.00 | 1.00 | 14.00 | 1.75 |');
    assert.equal(rows[2], '| ds-create | raw unbound | 5.00 | 6.00 |  |  |  |  | 1.50 |  | 7.50 | 1.50 |');
  });
});
