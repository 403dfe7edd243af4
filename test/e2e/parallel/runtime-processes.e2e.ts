// The runtime as separate operator processes on a real API server: leader election hand-over on
// SIGKILL and SIGTERM, a warm standby, the metrics every dashboard expects, and a /readyz that
// waits for the caches. The operator under test is test/e2e/support/echo-operator.ts.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Lease } from '../../../src/api/core.ts';
import { configMaps, leases } from '../../../src/api/resources.ts';
import { repoRoot } from '../../../hack/cluster.ts';
import { parsePromText, sum } from '../../../hack/prom-text.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { echoedByAnnotation, echoLabel } from '../support/echo-operator.ts';
import { createNamespace, kubeconfigPath, logFile, testClient, waitFor } from '../support/env.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

interface EchoProcess {
  readonly identity: string;
  readonly child: ChildProcess;
  readonly metrics: string;
  readonly health: string;
  readonly exited: Promise<void>;
}

let port = 19000 + (process.pid % 400) * 2;

function startEcho(identity: string, namespace: string, kubeconfig = kubeconfigPath()): EchoProcess {
  const metricsPort = port++;
  const healthPort = port++;
  const child = spawn(path.join(repoRoot, 'node_modules', '.bin', 'node'), [path.join(repoRoot, 'test', 'e2e', 'support', 'echo-operator.ts')], {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      ECHO_IDENTITY: identity,
      ECHO_NAMESPACE: namespace,
      ECHO_METRICS_ADDR: `127.0.0.1:${metricsPort}`,
      ECHO_HEALTH_ADDR: `127.0.0.1:${healthPort}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile(`echo-${namespace}-${identity}.log`), { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return {
    identity,
    child,
    metrics: `http://127.0.0.1:${metricsPort}/metrics`,
    health: `http://127.0.0.1:${healthPort}`,
    exited: new Promise((resolve) => child.on('exit', () => resolve())),
  };
}

async function httpStatus(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

async function scrape(proc: EchoProcess): Promise<string> {
  return (await fetch(proc.metrics)).text();
}

describe('operator processes on the runtime', function () {
  this.timeout(180_000);
  let ns: { name: string; remove: () => Promise<void> };
  const procs: EchoProcess[] = [];
  before(async () => (ns = await createNamespace('runtime')));
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await ns.remove();
  });

  async function holder(): Promise<string> {
    const client = await testClient();
    const lease: Lease = await client.get(leases, ns.name, 'echo-operator');
    return lease.spec?.holderIdentity ?? '';
  }

  let counter = 0;
  /** Creates a labelled ConfigMap and returns who echoed it. */
  async function echoedBy(): Promise<string> {
    const client = await testClient();
    const name = `probe-${counter++}`;
    await client.create(configMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns.name, labels: { [echoLabel]: 'true' } },
    });
    const cm = await waitFor(
      `${name} to be echoed`,
      () => client.get(configMaps, ns.name, name),
      (c) => c.metadata.annotations?.[echoedByAnnotation] !== undefined,
      { timeoutMs: 30_000 },
    );
    return cm.metadata.annotations?.[echoedByAnnotation] ?? '';
  }

  it('elects exactly one leader; only it reconciles while the standby stays ready', async () => {
    procs.push(startEcho('a', ns.name), startEcho('b', ns.name));
    const leader = await waitFor('a lease holder', holder, (h) => h === 'a' || h === 'b', { timeoutMs: 60_000 });
    const [lead, standby] = leader === 'a' ? [procs[0], procs[1]] : [procs[1], procs[0]];
    assert.ok(lead && standby);
    for (const p of procs) await waitFor(`${p.identity} ready`, () => httpStatus(`${p.health}/readyz`), (s) => s === 200);
    assert.equal(await echoedBy(), leader);
    assert.equal(await echoedBy(), leader);

    const leadMetrics = parsePromText(await scrape(lead));
    const standbyMetrics = parsePromText(await scrape(standby));
    assert.equal(sum(leadMetrics, 'leader_election_master_status', { name: 'echo-operator' }), 1);
    assert.equal(sum(standbyMetrics, 'leader_election_master_status', { name: 'echo-operator' }), 0);
    assert.ok(sum(leadMetrics, 'controller_runtime_reconcile_total', { controller: 'echo' }) >= 2);
    assert.equal(sum(standbyMetrics, 'controller_runtime_reconcile_total', { controller: 'echo' }), 0);
  });

  it('hands over within 20 s when the leader is killed with SIGKILL', async () => {
    const leader = await holder();
    const victim = procs.find((p) => p.identity === leader);
    assert.ok(victim);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const next = await waitFor('another holder', holder, (h) => h !== '' && h !== leader, { timeoutMs: 30_000, intervalMs: 100 });
    const takeoverMs = Date.now() - killedAt;
    console.log(`      takeover after SIGKILL: ${(takeoverMs / 1000).toFixed(1)} s`);
    assert.ok(takeoverMs <= 20_000, `takeover took ${takeoverMs} ms`);
    assert.equal(await echoedBy(), next);
  });

  it('hands over within 3 s when the leader is stopped with SIGTERM (it releases the lease)', async () => {
    procs.push(startEcho('c', ns.name));
    const standby = procs[procs.length - 1];
    assert.ok(standby);
    await waitFor('the new standby ready', () => httpStatus(`${standby.health}/readyz`), (s) => s === 200, { timeoutMs: 30_000 });
    const leader = await holder();
    const victim = procs.find((p) => p.identity === leader);
    assert.ok(victim);
    const stoppedAt = Date.now();
    victim.child.kill('SIGTERM');
    const next = await waitFor('the standby to take over', holder, (h) => h === 'c', { timeoutMs: 10_000, intervalMs: 50 });
    const takeoverMs = Date.now() - stoppedAt;
    console.log(`      takeover after SIGTERM: ${(takeoverMs / 1000).toFixed(1)} s`);
    assert.ok(takeoverMs <= 3_000, `takeover took ${takeoverMs} ms`);
    await victim.exited;
    assert.equal(victim.child.exitCode, 0);
    assert.equal(await echoedBy(), next);
  });

  it('exposes the controller-runtime, workqueue, client, leader-election, informer and process metrics', async () => {
    const leader = procs.find((p) => p.identity === 'c');
    assert.ok(leader);
    const text = await scrape(leader);
    const expected = [
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_terminal_reconcile_errors_total',
      'controller_runtime_reconcile_panics_total',
      'controller_runtime_reconcile_timeouts_total',
      'controller_runtime_reconcile_time_seconds_bucket',
      'controller_runtime_active_workers',
      'controller_runtime_max_concurrent_reconciles',
      'workqueue_depth',
      'workqueue_adds_total',
      'workqueue_queue_duration_seconds_bucket',
      'workqueue_work_duration_seconds_bucket',
      'workqueue_unfinished_work_seconds',
      'workqueue_longest_running_processor_seconds',
      'workqueue_retries_total',
      'rest_client_requests_total',
      'rest_client_request_duration_seconds_bucket',
      'leader_election_master_status',
      'leader_election_slowpath_total',
      'my_workload_informer_watch_restarts_total',
      'my_workload_informer_relists_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ];
    const missing = expected.filter((name) => !new RegExp(`^# TYPE ${name.replace(/_bucket$/, '')} `, 'm').test(text));
    assert.deepEqual(missing, []);
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      assert.match(text, new RegExp(`controller_runtime_reconcile_total\\{[^}]*result="${result}"`), `reconcile_total{result="${result}"}`);
    }
    assert.match(text, /workqueue_depth\{[^}]*name="echo"[^}]*\} 0/);
    assert.match(text, /rest_client_requests_total\{[^}]*code="200"[^}]*method="GET"/);
  });

  it('answers /readyz 200 only once its caches have synced', async () => {
    // Put the process behind a proxy the test holds closed, so its first list cannot complete.
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath());
    const cluster = kc.getCurrentCluster();
    assert.ok(cluster);
    const target = new URL(cluster.server);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    proxy.cut();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'echo-kc-'));
    const file = path.join(dir, 'kubeconfig');
    // Same credentials, server replaced by the proxy.
    writeFileSync(file, readFileSync(kubeconfigPath(), 'utf8').replaceAll(cluster.server, `https://127.0.0.1:${proxy.port}`));
    try {
      const proc = startEcho('d', ns.name, file);
      procs.push(proc);
      const before = await waitFor('the health server to answer', () => httpStatus(`${proc.health}/readyz`), (s) => s !== 0);
      assert.equal(before, 500, '/readyz must fail while the caches are empty');
      assert.equal(await httpStatus(`${proc.health}/healthz`), 200, '/healthz reports the process alive meanwhile');
      proxy.resume();
      await waitFor('/readyz to turn 200', () => httpStatus(`${proc.health}/readyz`), (s) => s === 200, { timeoutMs: 60_000 });
    } finally {
      await proxy.close();
    }
  });
});
