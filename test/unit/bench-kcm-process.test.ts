import assert from 'node:assert/strict';
import { isClusterControllerManager, pickControllerManager } from '../../bench/kcm-process.ts';

const bench = '/repo/.cluster-bench/kwok/clusters/bench';
const demo = '/repo/.cluster/kwok/clusters/mwo';
const kcm = (dir: string, ...more: string[]): string[] => ['/cache/bin/kube-controller-manager', `--kubeconfig=${dir}/kubeconfig.yaml`, '--kube-api-qps=20', ...more];

describe('isClusterControllerManager (bench/kcm-process.ts)', () => {
  it("is the kube-controller-manager binary with an argument in this cluster's folder", () => {
    assert.equal(isClusterControllerManager(kcm(bench), bench), true);
  });

  it("is not another cluster's kube-controller-manager (the same binary)", () => {
    assert.equal(isClusterControllerManager(kcm(demo), bench), false);
  });

  it('is not another component of this cluster', () => {
    assert.equal(isClusterControllerManager(['/cache/bin/kube-scheduler', `--kubeconfig=${bench}/kubeconfig.yaml`], bench), false);
    assert.equal(isClusterControllerManager(['/usr/bin/node', 'hack/cluster.ts', `--dir=${bench}`, 'kube-controller-manager'], bench), false);
  });

  it('is not an empty command line (a zombie)', () => {
    assert.equal(isClusterControllerManager([], bench), false);
  });
});

describe('pickControllerManager (bench/kcm-process.ts)', () => {
  it("picks this cluster's kube-controller-manager among the processes", () => {
    const processes = [
      { pid: 10, argv: kcm(demo) },
      { pid: 11, argv: ['/cache/bin/kube-apiserver', `--etcd-servers=${bench}`] },
      { pid: 12, argv: kcm(bench) },
    ];
    assert.equal(pickControllerManager(processes, bench), 12);
  });

  it('picks nothing when none or several match (a restart in progress: no guessing)', () => {
    assert.equal(pickControllerManager([{ pid: 10, argv: kcm(demo) }], bench), undefined);
    assert.equal(pickControllerManager([{ pid: 12, argv: kcm(bench) }, { pid: 13, argv: kcm(bench) }], bench), undefined);
  });
});
